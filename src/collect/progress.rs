//! Progress: the figures that say whether a run can still move — producer roles not finished,
//! records on the wire, (group, partition) pairs whose consumption frontier is behind the log
//! end, instances down, consumers finished for good. Kept from trace events with state bounded
//! by instances and groups. It decides nothing: `simulate`'s stop rule reads these figures,
//! beside the other sinks' consumed counts, log end offsets, frontiers and queue states.

use crate::model::{GroupId, InstanceId, Scenario};

pub struct Progress {
    /// Producer roles not finished on instances that are up.
    pub producers_running: u64,
    /// Unfinished producer roles per instance, up or down.
    pub unfinished_producers: Vec<u32>,
    /// Per instance: crashed and not restarted.
    pub down: Vec<bool>,
    /// Records produced and not yet appended, routed or lost in a producer's buffer.
    pub in_network: u64,
    /// (group, partition) pairs whose consumption frontier is behind the log end.
    pub behind: u64,
    /// `finished[group][index in service]`: that instance will never consume again.
    pub finished: Vec<Vec<bool>>,
}

impl Progress {
    pub fn new(model: &Scenario) -> Self {
        let unfinished_producers: Vec<u32> = model
            .instances
            .iter()
            .map(|instance| model.service(instance.service).produces.len() as u32)
            .collect();
        Progress {
            producers_running: unfinished_producers
                .iter()
                .map(|&count| u64::from(count))
                .sum(),
            unfinished_producers,
            down: vec![false; model.instances.len()],
            in_network: 0,
            behind: 0,
            finished: model
                .groups
                .iter()
                .map(|group| vec![false; model.service(group.service).instance_count as usize])
                .collect(),
        }
    }

    pub fn producer_finished(&mut self, instance: InstanceId) {
        self.unfinished_producers[instance.index()] -= 1;
        self.producers_running -= 1;
    }

    pub fn crashed(&mut self, instance: InstanceId) {
        self.down[instance.index()] = true;
        self.producers_running -= u64::from(self.unfinished_producers[instance.index()]);
    }

    pub fn restarted(&mut self, instance: InstanceId) {
        self.down[instance.index()] = false;
        self.producers_running += u64::from(self.unfinished_producers[instance.index()]);
    }

    pub fn consumer_finished(&mut self, group: GroupId, index_in_service: usize) {
        self.finished[group.index()][index_in_service] = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_instances_with_two_producer_roles_each() -> Progress {
        Progress {
            producers_running: 4,
            unfinished_producers: vec![2, 2],
            down: vec![false, false],
            in_network: 0,
            behind: 0,
            finished: Vec::new(),
        }
    }

    #[test]
    fn a_crash_stops_the_instances_unfinished_producers_and_a_restart_resumes_them() {
        let mut progress = two_instances_with_two_producer_roles_each();
        progress.producer_finished(InstanceId(0));
        assert_eq!(progress.producers_running, 3);
        progress.crashed(InstanceId(0));
        assert!(progress.down[0]);
        assert_eq!(progress.producers_running, 2);
        progress.restarted(InstanceId(0));
        assert!(!progress.down[0]);
        assert_eq!(progress.producers_running, 3);
    }
}

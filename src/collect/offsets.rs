//! Committed offset against position, per partition of each log group, over time: what
//! `kafka-consumer-groups --describe` would show (CURRENT-OFFSET and the consumers' positions)
//! if it were run at every commit. The gap between them is what a crash would make the next
//! owner process again.
//!
//! A sample is taken at each instant the group's committed offsets change (a commit, a reset, a
//! close); samples of one instant merge. The position of a partition is where the group's last
//! fetch of it ended (it moves back after a rebalance or a replay). The first `LIST_MAX`
//! samples are kept per group. Plain figures; `report` names them.

use crate::model::{GroupId, Scenario};
use crate::sim::SimTime;

/// The most samples kept per group.
pub const LIST_MAX: usize = 1_000;

/// The committed offset and the position of every partition at one instant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OffsetSample {
    pub at: SimTime,
    pub committed: Vec<u64>,
    pub position: Vec<u64>,
}

struct GroupOffsets {
    committed: Vec<u64>,
    position: Vec<u64>,
    samples: Vec<OffsetSample>,
}

pub struct OffsetTimeline {
    groups: Vec<GroupOffsets>,
}

impl OffsetTimeline {
    pub fn new(model: &Scenario) -> Self {
        OffsetTimeline {
            groups: model
                .groups
                .iter()
                .map(|group| {
                    let partition_count = model.stream(group.stream).partition_count_max() as usize;
                    GroupOffsets {
                        committed: vec![0; partition_count],
                        position: vec![0; partition_count],
                        samples: Vec::new(),
                    }
                })
                .collect(),
        }
    }

    /// The group's samples, in time order.
    pub fn of(&self, group: GroupId) -> &[OffsetSample] {
        &self.groups[group.index()].samples
    }

    /// A fetch of `partition` ended at `end`.
    #[inline(always)]
    pub fn fetched(&mut self, group: GroupId, partition: usize, end: u64) {
        self.groups[group.index()].position[partition] = end;
    }

    /// The group's committed offset of `partition` is now `offset`.
    pub fn committed(&mut self, at: SimTime, group: GroupId, partition: usize, offset: u64) {
        let state = &mut self.groups[group.index()];
        state.committed[partition] = offset;
        let count = state.samples.len();
        match state.samples.last_mut() {
            Some(last) if last.at == at => {
                last.committed.clone_from(&state.committed);
                last.position.clone_from(&state.position);
            }
            _ if count < LIST_MAX => state.samples.push(OffsetSample {
                at,
                committed: state.committed.clone(),
                position: state.position.clone(),
            }),
            _ => {}
        }
    }
}

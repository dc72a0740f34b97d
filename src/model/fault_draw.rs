//! Fault times drawn from the seed: a fault whose `at` is `{"uniform_us": [A, B]}` happens at a
//! time drawn uniformly from `A..=B` by the run's own fault stream, so every seed breaks the
//! system at another moment and `eventlab explore` can search the seeds for a failing one.
//!
//! The draws come from one ChaCha stream, `faults/timeline/times`, in file order, so they shift
//! no other draw of the run (arrivals, processing times, jitter): replacing a drawn time with the
//! time it drew gives the same run. It is not the place where faults are validated
//! (`scenario::validate::timeline`) or scheduled (`simulate`).

use std::borrow::Cow;

use crate::sim::rng::{RngStream, stream_id};

use super::{Fault, Scenario};

/// A fault whose time is drawn: `faults[fault]` happens uniformly in `min_us..=max_us`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FaultDraw {
    /// Index into `Scenario::faults`.
    pub fault: usize,
    pub min_us: u64,
    pub max_us: u64,
}

impl Fault {
    /// When the fault happens (a slow period: when it starts).
    pub fn at_us(&self) -> u64 {
        match *self {
            Fault::Crash { at_us, .. }
            | Fault::Restart { at_us, .. }
            | Fault::Machine { at_us, .. } => at_us,
            Fault::Slow { from_us, .. } | Fault::Link { from_us, .. } => from_us,
        }
    }

    /// The same fault at another time (a slow period keeps its length; a link fault its heal
    /// time).
    fn at(&self, time_us: u64) -> Fault {
        match *self {
            Fault::Crash { instance, .. } => Fault::Crash {
                instance,
                at_us: time_us,
            },
            Fault::Restart { instance, .. } => Fault::Restart {
                instance,
                at_us: time_us,
            },
            Fault::Machine {
                instance, fault, ..
            } => Fault::Machine {
                instance,
                at_us: time_us,
                fault,
            },
            Fault::Slow {
                instance,
                from_us,
                until_us,
                factor_ppm,
            } => Fault::Slow {
                instance,
                from_us: time_us,
                until_us: time_us.saturating_add(until_us - from_us),
                factor_ppm,
            },
            // A link fault heals at its fixed time, wherever it starts.
            Fault::Link {
                ref sides,
                until_us,
                effect,
                ..
            } => Fault::Link {
                sides: sides.clone(),
                from_us: time_us.min(until_us),
                until_us,
                effect,
            },
        }
    }
}

impl Scenario {
    /// The faults of a run with this scenario's seed: the drawn times drawn, the fixed ones as
    /// they are. Borrowed when nothing is drawn.
    pub fn faults_for_run(&self) -> Cow<'_, [Fault]> {
        if self.fault_draws.is_empty() {
            return Cow::Borrowed(&self.faults);
        }
        Cow::Owned(draw(&self.faults, &self.fault_draws, self.seed))
    }
}

/// `faults` with the times of `draws` drawn for `seed`, in order, from the fault stream.
fn draw(faults: &[Fault], draws: &[FaultDraw], seed: u64) -> Vec<Fault> {
    let mut rng = RngStream::new(seed, stream_id("faults", "timeline", "times"));
    let mut faults = faults.to_vec();
    for draw in draws {
        let time_us = rng.between(draw.min_us, draw.max_us);
        faults[draw.fault] = faults[draw.fault].at(time_us);
    }
    faults
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::InstanceId;

    const FAULTS: [Fault; 2] = [
        Fault::Crash {
            instance: InstanceId(0),
            at_us: 1_000,
        },
        Fault::Restart {
            instance: InstanceId(0),
            at_us: 9_000_000,
        },
    ];
    const DRAWS: [FaultDraw; 1] = [FaultDraw {
        fault: 0,
        min_us: 1_000,
        max_us: 5_000_000,
    }];

    #[test]
    fn a_drawn_time_depends_on_the_seed_and_stays_in_its_range() {
        let times: Vec<u64> = (0..20)
            .map(|seed| draw(&FAULTS, &DRAWS, seed)[0].at_us())
            .collect();
        assert!(times.iter().all(|t| (1_000..=5_000_000).contains(t)));
        let mut distinct = times.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert!(distinct.len() > 15, "{times:?}");
        // The same seed draws the same time; the fixed restart stays where it is.
        assert_eq!(draw(&FAULTS, &DRAWS, 3), draw(&FAULTS, &DRAWS, 3));
        assert_eq!(draw(&FAULTS, &DRAWS, 3)[1].at_us(), 9_000_000);
    }
}

//! `SchemaCounts`: what schemas did to a run — records rejected on produce, per stream, and
//! records consumers could not decode, per group — with the first reasons of each, for the
//! report. Bounded: counts, and at most `REASONS_MAX` distinct reasons per stream or group.

use std::rc::Rc;

use crate::model::{GroupId, Scenario, StreamId};
use crate::trace::{ReasonId, Reasons};

/// The most distinct reasons kept per stream or group.
pub const REASONS_MAX: usize = 5;

#[derive(Clone, Debug, Default)]
pub struct ReasonCounts {
    pub count: u64,
    /// Distinct reasons in the order first seen, with how often each occurred.
    pub reasons: Vec<(ReasonId, u64)>,
}

impl ReasonCounts {
    fn add(&mut self, reason: ReasonId) {
        self.count += 1;
        if let Some(entry) = self.reasons.iter_mut().find(|(known, _)| *known == reason) {
            entry.1 += 1;
        } else if self.reasons.len() < REASONS_MAX {
            self.reasons.push((reason, 1));
        }
    }
}

#[derive(Clone, Debug)]
pub struct SchemaCounts {
    /// By `StreamId`: records rejected on produce.
    pub rejected: Vec<ReasonCounts>,
    /// By `GroupId`: records a group could not decode.
    pub decode_failed: Vec<ReasonCounts>,
    /// The reasons' texts.
    pub texts: Rc<Reasons>,
}

impl SchemaCounts {
    pub fn new(model: &Scenario) -> Self {
        SchemaCounts {
            rejected: vec![ReasonCounts::default(); model.streams.len()],
            decode_failed: vec![ReasonCounts::default(); model.groups.len()],
            texts: Rc::default(),
        }
    }

    pub fn rejected(&mut self, stream: StreamId, reason: ReasonId) {
        self.rejected[stream.index()].add(reason);
    }

    pub fn decode_failed(&mut self, group: GroupId, reason: ReasonId) {
        self.decode_failed[group.index()].add(reason);
    }
}

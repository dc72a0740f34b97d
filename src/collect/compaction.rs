//! The compacted logs' figures: the cleaner's passes, the records a compacted stream refused
//! for having no key, and each compacted partition's dirty ratio at the end of the run.
//!
//! A sink of trace events like the others; it words nothing (`report` does) and keeps one entry
//! per cleaner pass, which the cleaner's backoff bounds, and with `--logs` a copy of every
//! partition's log at the end.

use crate::model::{Offset, PartitionId, Scenario, StreamId};
use crate::sim::SimTime;
use crate::trace::TraceEvent;

/// One cleaner pass over one partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PassFigure {
    pub at: SimTime,
    pub stream: StreamId,
    pub partition: PartitionId,
    pub first_dirty_offset: Offset,
    pub end_offset: Offset,
    pub removed: u64,
    pub tombstones_removed: u64,
}

#[derive(Debug)]
pub struct CompactionFigures {
    pub passes: Vec<PassFigure>,
    /// By stream: records refused for having no key.
    pub rejected_unkeyed: Vec<u64>,
    /// By stream: records the cleaner removed.
    pub removed: Vec<u64>,
    /// `dirty_ratio_ppm[stream][partition]` at the end, for compacted streams.
    pub dirty_ratio_ppm: Vec<Vec<Option<u64>>>,
    /// With `--logs`: every log-carried partition's segments and records at the end.
    pub listings: Vec<crate::trace::LogListing>,
    /// Tables restored from their changelog: (time, instance, table, changelog, read,
    /// without compaction).
    pub restores: Vec<RestoreFigure>,
}

/// One table restored from its changelog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RestoreFigure {
    pub at: SimTime,
    pub instance: crate::model::InstanceId,
    pub table: u32,
    pub stream: StreamId,
    pub read: u64,
    pub without_compaction: u64,
}

impl CompactionFigures {
    pub fn new(model: &Scenario) -> Self {
        CompactionFigures {
            passes: Vec::new(),
            rejected_unkeyed: vec![0; model.streams.len()],
            removed: vec![0; model.streams.len()],
            dirty_ratio_ppm: model
                .streams
                .iter()
                .map(|stream| vec![None; stream.partition_count_max() as usize])
                .collect(),
            listings: Vec::new(),
            restores: Vec::new(),
        }
    }

    /// Takes the compaction events; returns whether `event` was one.
    pub fn on_event(&mut self, at: SimTime, event: &TraceEvent) -> bool {
        match *event {
            TraceEvent::CleanerPass {
                stream,
                partition,
                first_dirty_offset,
                end_offset,
                removed,
                tombstones_removed,
            } => {
                self.removed[stream.index()] += removed;
                self.passes.push(PassFigure {
                    at,
                    stream,
                    partition,
                    first_dirty_offset,
                    end_offset,
                    removed,
                    tombstones_removed,
                });
            }
            TraceEvent::RecordRejected { stream, .. } => self.rejected_unkeyed[stream.index()] += 1,
            TraceEvent::LogEnd {
                stream,
                partition,
                dirty_ratio_ppm,
                ..
            } => {
                if let Some(slot) = self.dirty_ratio_ppm[stream.index()].get_mut(partition.index())
                {
                    *slot = Some(dirty_ratio_ppm);
                }
            }
            TraceEvent::LogListed(ref listing) => self.listings.push((**listing).clone()),
            TraceEvent::TableRestored {
                instance,
                table,
                stream,
                read,
                without_compaction,
            } => self.restores.push(RestoreFigure {
                at,
                instance,
                table,
                stream,
                read,
                without_compaction,
            }),
            _ => return false,
        }
        true
    }
}

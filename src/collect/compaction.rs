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
    pub listings: Vec<Listing>,
    /// Tables restored from their changelog: (time, instance, table, changelog, read,
    /// without compaction).
    pub restores: Vec<RestoreFigure>,
}

/// One partition's log as it stood at the end (`--logs`): each segment's base offset and
/// record offsets, and every readable record as (offset, message, key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listing {
    pub stream: StreamId,
    pub partition: PartitionId,
    pub segments: Vec<(Offset, Vec<Offset>)>,
    pub records: Vec<(Offset, crate::model::MessageId, Option<crate::model::KeyId>)>,
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

    /// A listed segment: the first of its partition opens the partition's listing.
    fn listed_segment(&mut self, stream: StreamId, partition: PartitionId, base_offset: Offset) {
        let same = self
            .listings
            .last()
            .is_some_and(|last| last.stream == stream && last.partition == partition);
        if !same {
            self.listings.push(Listing {
                stream,
                partition,
                segments: Vec::new(),
                records: Vec::new(),
            });
        }
        let listing = self.listings.last_mut().expect("just pushed");
        listing.segments.push((base_offset, Vec::new()));
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
            TraceEvent::LogSegmentListed {
                stream,
                partition,
                base_offset,
            } => self.listed_segment(stream, partition, base_offset),
            TraceEvent::LogRecordListed {
                offset,
                msg,
                key,
                readable,
                ..
            } => {
                let listing = self.listings.last_mut().expect("a segment is listed first");
                if let Some((_, offsets)) = listing.segments.last_mut() {
                    offsets.push(offset);
                }
                if readable {
                    listing.records.push((offset, msg, key));
                }
            }
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

//! Log compaction, as Kafka 3.9's log cleaner does it.
//!
//! Which log a pass takes, and how much of it, follows `LogCleanerManager`: the dirty section
//! runs from the cleaner's checkpoint (never before the log start) to the first uncleanable
//! offset, the smallest of the active segment's base offset and the base offset of the first
//! dirty segment whose largest timestamp is within `min.compaction.lag.ms` of now
//! (`cleanableOffsets`). The dirty ratio is the dirty section's bytes over the bytes from the
//! log start to its end (`LogToClean.cleanableRatio`); a log qualifies when the ratio is
//! strictly above `min.cleanable.dirty.ratio`, or when its earliest dirty segment's first
//! timestamp is older than `max.compaction.lag.ms` and the dirty section is not empty
//! (`grabFilthiestCompactedLog`, `maxCompactionDelay`); of those, the dirtiest goes first.
//!
//! A pass follows `Cleaner.doClean`: build the offset map of the dirty section (key → latest
//! offset), then re-copy every segment before the end of the dirty section, in groups that fit
//! `segment.bytes` (`groupSegmentsBySize`), keeping a record when it lies past the map's last
//! offset or is the latest of its key (`shouldRetainRecord`); a record without a key is dropped.
//! Kept records keep their offsets. Tombstones follow KIP-534: the pass that first re-copies one
//! sets its delete horizon to now + `delete.retention.ms` (`MemoryRecords.filterTo`), and a
//! pass at or after the horizon drops it. The checkpoint moves to the end of the dirty section.
//!
//! Not modelled: transactions and producer state (no batch is kept for its producer id), the
//! offset map filling up (see `offset_map`), I/O throttling, and legacy (v0/v1) records: every
//! record is its own v2 batch.

pub mod offset_map;

#[cfg(test)]
mod log_cleaner_test;
#[cfg(test)]
mod properties;

use super::partition_log::PartitionLog;
use super::segment::Segment;
use crate::model::Offset;
use crate::protocol::Record;
use crate::sim::SimTime;
use offset_map::OffsetMap;

/// A compacted stream's cleaner settings (Kafka topic configs), times in µs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CleanerConfig {
    /// `min.cleanable.dirty.ratio`, in parts per million.
    pub min_cleanable_ratio_ppm: u32,
    /// `min.compaction.lag.ms`.
    pub min_lag_us: u64,
    /// `max.compaction.lag.ms` (`u64::MAX`: never forces a pass).
    pub max_lag_us: u64,
    /// `delete.retention.ms`: how long a tombstone stays after its first pass.
    pub delete_retention_us: u64,
}

/// How much of a log a pass could clean now (Kafka's `LogToClean`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cleanable {
    pub first_dirty_offset: Offset,
    pub first_uncleanable_offset: Offset,
    /// Bytes of the segments before the first dirty offset.
    pub clean_bytes: u64,
    /// Bytes of the segments from the first dirty to the first uncleanable offset.
    pub cleanable_bytes: u64,
    /// `max.compaction.lag.ms` has passed for the earliest dirty segment.
    pub need_compaction_now: bool,
}

impl Cleanable {
    /// The dirty ratio in parts per million (0 for an empty log).
    pub fn ratio_ppm(&self) -> u64 {
        let total = self.clean_bytes + self.cleanable_bytes;
        if total == 0 {
            0
        } else {
            (u128::from(self.cleanable_bytes) * 1_000_000 / u128::from(total)) as u64
        }
    }

    /// Whether the cleaner would take this log (`grabFilthiestCompactedLog`'s filter): the
    /// ratio strictly above the minimum, compared exactly, or a forced pass with work to do.
    pub fn qualifies(&self, min_ratio_ppm: u32) -> bool {
        let total = u128::from(self.clean_bytes + self.cleanable_bytes);
        let dirty_enough = total > 0
            && u128::from(self.cleanable_bytes) * 1_000_000 > u128::from(min_ratio_ppm) * total;
        (self.need_compaction_now && self.cleanable_bytes > 0) || dirty_enough
    }

    /// Orders logs the way the cleaner picks them: the larger ratio first, compared exactly.
    pub fn dirtier_than(&self, other: &Cleanable) -> bool {
        let mine = u128::from(self.cleanable_bytes)
            * u128::from(other.clean_bytes + other.cleanable_bytes);
        let theirs =
            u128::from(other.cleanable_bytes) * u128::from(self.clean_bytes + self.cleanable_bytes);
        mine > theirs
    }
}

/// What the cleaner needs to know of a record that the log does not store: whether its value is
/// null, and its size in bytes (key + value, as `segment.bytes` counts it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordFacts {
    pub tombstone: bool,
    pub bytes: u64,
}

/// What one pass did to one partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CleanerPass {
    pub first_dirty_offset: Offset,
    /// The new checkpoint: one past the last offset of the dirty section.
    pub end_offset: Offset,
    /// Records removed, tombstones included.
    pub removed: u64,
    pub tombstones_removed: u64,
    /// Records removed for having no key (Kafka counts them as invalid).
    pub unkeyed_removed: u64,
}

/// `LogCleanerManager.cleanableOffsets` and the byte counts of `LogToClean`.
pub fn cleanable(log: &PartitionLog, now: SimTime, config: &CleanerConfig) -> Cleanable {
    let segments = log.segments();
    let active_base = segments
        .last()
        .expect("a log always has an active segment")
        .base_offset();
    let first_dirty_offset = log.cleaned_up_to().min(active_base);
    let dirty = |segment: &&Segment| {
        segment.base_offset() < active_base && segment_end(log, segment) > first_dirty_offset
    };
    let lag_bound = now.as_us().saturating_sub(config.min_lag_us);
    let too_new = segments
        .iter()
        .filter(dirty)
        .find(|segment| config.min_lag_us > 0 && segment.max_timestamp().as_us() > lag_bound)
        .map(Segment::base_offset);
    let first_uncleanable_offset = too_new.map_or(active_base, |base| base.min(active_base));
    let earliest = segments
        .iter()
        .filter(dirty)
        .filter_map(Segment::first_timestamp)
        .min();
    let need_compaction_now = config.max_lag_us != u64::MAX
        && earliest.is_some_and(|first| {
            first.as_us() < now.as_us().saturating_sub(config.max_lag_us)
                && now.as_us() >= config.max_lag_us
        });
    let bytes_between = |from: Offset, to: Offset| -> u64 {
        segments
            .iter()
            .filter(|segment| segment.base_offset() < to && segment_end(log, segment) > from)
            .map(Segment::bytes)
            .sum()
    };
    Cleanable {
        first_dirty_offset,
        first_uncleanable_offset,
        clean_bytes: bytes_between(log.log_start_offset(), first_dirty_offset),
        cleanable_bytes: bytes_between(
            first_dirty_offset,
            first_uncleanable_offset.max(first_dirty_offset),
        ),
        need_compaction_now,
    }
}

/// The offset after a segment: the next segment's base offset, or the log end.
fn segment_end(log: &PartitionLog, segment: &Segment) -> Offset {
    let segments = log.segments();
    let index = segments.partition_point(|s| s.base_offset() <= segment.base_offset());
    segments
        .get(index)
        .map_or(log.log_end_offset(), Segment::base_offset)
}

/// One pass over `log` now, whatever its dirty ratio (`Cleaner.clean` on the log's
/// `LogToClean`). `facts` tells a record's size and whether its value is null. Returns `None` when the
/// dirty section holds no record (Kafka's pass would find an empty offset map).
pub fn clean(
    log: &mut PartitionLog,
    now: SimTime,
    config: &CleanerConfig,
    facts: impl Fn(&Record) -> RecordFacts,
) -> Option<CleanerPass> {
    let range = cleanable(log, now, config);
    let dirty = range.first_dirty_offset..range.first_uncleanable_offset;
    clean_section(log, dirty, now, config, facts)
}

/// `Cleaner.doClean` with the dirty section given, as Kafka's tests call it
/// (`LogToClean(tp, log, firstDirtyOffset, firstUncleanableOffset)`).
pub fn clean_section(
    log: &mut PartitionLog,
    dirty: std::ops::Range<Offset>,
    now: SimTime,
    config: &CleanerConfig,
    facts: impl Fn(&Record) -> RecordFacts,
) -> Option<CleanerPass> {
    let map = build_offset_map(log, dirty.start, dirty.end);
    let end_offset = Offset(map.latest_offset()?.0 + 1);
    let segments = log.segments();
    let count = segments[..segments.len() - 1]
        .iter()
        .take_while(|segment| segment.base_offset() < end_offset)
        .count();
    let mut pass = CleanerPass {
        first_dirty_offset: dirty.start,
        end_offset,
        removed: 0,
        tombstones_removed: 0,
        unkeyed_removed: 0,
    };
    let segment_bytes = log.policy().segment_bytes;
    let mut cleaned = Vec::new();
    for group in group_by_size(&segments[..count], segment_bytes) {
        let mut into = Segment::new(group[0].base_offset(), group[0].created_at());
        for segment in group {
            copy_retained(segment, &mut into, &map, now, config, &facts, &mut pass);
        }
        cleaned.push(into);
    }
    log.replace_segments(0..count, cleaned, end_offset);
    Some(pass)
}

/// `Cleaner.buildOffsetMap`: each key's latest offset in `[from, to)`.
fn build_offset_map(log: &PartitionLog, from: Offset, to: Offset) -> OffsetMap {
    let mut map = OffsetMap::default();
    for segment in log.segments() {
        if segment.base_offset() >= to {
            break;
        }
        for index in segment.index_of(from)..segment.len() {
            let offset = segment.offset(index);
            if offset >= to {
                break;
            }
            map.put(segment.record(index).key, offset);
        }
    }
    map
}

/// `Cleaner.groupSegmentsBySize`: consecutive segments whose sizes add up to at most
/// `max_bytes` are re-copied into one.
pub(crate) fn group_by_size(segments: &[Segment], max_bytes: u64) -> Vec<&[Segment]> {
    let mut groups = Vec::new();
    let mut start = 0;
    while start < segments.len() {
        let mut bytes = segments[start].bytes();
        let mut end = start + 1;
        while end < segments.len() && bytes + segments[end].bytes() <= max_bytes {
            bytes += segments[end].bytes();
            end += 1;
        }
        groups.push(&segments[start..end]);
        start = end;
    }
    groups
}

/// `Cleaner.cleanInto` for one source segment: re-copies what `shouldRetainRecord` keeps.
fn copy_retained(
    source: &Segment,
    into: &mut Segment,
    map: &OffsetMap,
    now: SimTime,
    config: &CleanerConfig,
    facts: &impl Fn(&Record) -> RecordFacts,
    pass: &mut CleanerPass,
) {
    let latest = map
        .latest_offset()
        .expect("a pass runs with a non-empty map");
    for index in 0..source.len() {
        let offset = source.offset(index);
        let record = source.record(index);
        let RecordFacts { tombstone, bytes } = facts(record);
        let horizon = if tombstone {
            source.horizon(offset)
        } else {
            None
        };
        let keep = if offset > latest {
            true
        } else if let Some(key) = record.key {
            let newest = map.get(key).is_none_or(|newest| offset >= newest);
            let value_kept = !tombstone || horizon.is_none_or(|h| now.as_us() < h);
            newest && value_kept
        } else {
            pass.unkeyed_removed += 1;
            false
        };
        if !keep {
            pass.removed += 1;
            pass.tombstones_removed += u64::from(tombstone);
            continue;
        }
        into.push(offset, *record, bytes);
        if tombstone {
            let horizon =
                horizon.unwrap_or_else(|| now.as_us().saturating_add(config.delete_retention_us));
            into.set_horizon(offset, horizon);
        }
    }
}

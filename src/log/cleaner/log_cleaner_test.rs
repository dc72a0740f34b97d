//! Kafka's cleaner tests, ported: each test is named after the Kafka 3.9 test method it ports
//! (`LogCleanerTest`, `LogCleanerManagerTest`), listed in `docs/kafka-porting.md`. Kafka's
//! records are ~40-byte batches in 1024-byte segments; here every record counts 10 bytes, so
//! the segment sizes are scaled to keep the same records per segment where a test depends on
//! it. Tombstones are the records with a value size of 0.

use super::*;
use crate::log::partition_log::SegmentPolicy;
use crate::model::{InstanceId, KeyId, MessageId};

const RECORD_BYTES: u64 = 10;

fn config() -> CleanerConfig {
    CleanerConfig {
        min_cleanable_ratio_ppm: 500_000,
        min_lag_us: 0,
        max_lag_us: u64::MAX,
        delete_retention_us: 86_400_000_000,
    }
}

fn log_with(segment_bytes: u64) -> PartitionLog {
    PartitionLog::new(SegmentPolicy {
        segment_bytes,
        segment_us: u64::MAX,
        segment_records: None,
    })
}

/// Kafka's `record(key, value)`: the value is carried as the message sequence number.
fn record(key: usize, value: u32) -> Record {
    Record {
        id: MessageId {
            producer: InstanceId(0),
            seq: value,
        },
        key: Some(KeyId::from_index(key)),
        value_size_bytes: 1,
        sent_at: SimTime::ZERO,
        schema_id: 0,
    }
}

fn tombstone(key: usize) -> Record {
    Record {
        value_size_bytes: 0,
        ..record(key, u32::MAX)
    }
}

fn unkeyed(value: u32) -> Record {
    Record {
        key: None,
        ..record(0, value)
    }
}

fn is_tombstone(record: &Record) -> bool {
    record.value_size_bytes == 0
}

/// Every record counts `RECORD_BYTES`; tombstones have a value size of 0.
fn facts(record: &Record) -> RecordFacts {
    RecordFacts {
        tombstone: is_tombstone(record),
        bytes: RECORD_BYTES,
    }
}

fn append(log: &mut PartitionLog, record: Record) -> Offset {
    log.append(record, RECORD_BYTES, SimTime::ZERO)
}

/// Appends `record(offset, offset)` until the log has `segments` segments.
fn append_unique_until(log: &mut PartitionLog, segments: usize) {
    while log.segments().len() < segments {
        let offset = log.log_end_offset().0 as usize;
        append(log, record(offset, offset as u32));
    }
}

fn keys_in_log(log: &PartitionLog) -> Vec<usize> {
    entries(log)
        .filter(|(_, record)| !is_tombstone(record))
        .filter_map(|(_, record)| record.key.map(KeyId::index))
        .collect()
}

/// Kafka's `offsetsInLog`: offsets of keyed records with a value.
fn offsets_in_log(log: &PartitionLog) -> Vec<u64> {
    entries(log)
        .filter(|(_, record)| record.key.is_some() && !is_tombstone(record))
        .map(|(offset, _)| offset.0)
        .collect()
}

fn entries(log: &PartitionLog) -> impl Iterator<Item = (Offset, Record)> + '_ {
    log.segments().iter().flat_map(|segment| {
        (0..segment.len()).map(move |index| (segment.offset(index), *segment.record(index)))
    })
}

fn active_base(log: &PartitionLog) -> Offset {
    log.segments()
        .last()
        .expect("a log always has an active segment")
        .base_offset()
}

fn clean_to_active(log: &mut PartitionLog, first_dirty: u64, now: u64) -> Option<CleanerPass> {
    let dirty = Offset(first_dirty)..active_base(log);
    clean_section(log, dirty, SimTime(now), &config(), facts)
}

#[test]
fn test_clean_segments() {
    let mut log = log_with(1024 / 40 * RECORD_BYTES);
    append_unique_until(&mut log, 4);
    let end = log.log_end_offset().0 as usize;
    assert_eq!(keys_in_log(&log), (0..end).collect::<Vec<_>>());
    // Kafka fakes an offset map holding keys 1, 3, 5, 7, 9 at a later offset; here those keys
    // are written again, into the active segment, which the pass does not touch.
    let later = [1, 3, 5, 7, 9];
    for &key in &later {
        append(&mut log, record(key, 0));
    }
    let active = log.segments().len() - 1;
    let should_remain: Vec<usize> = keys_in_log(&log)
        .into_iter()
        .enumerate()
        .filter(|&(position, key)| position >= end || !later.contains(&key))
        .map(|(_, key)| key)
        .collect();
    // Clean all but the active segment, with the map over the whole log.
    let dirty = Offset(0)..log.log_end_offset();
    let mut map_log = log;
    let map = build_offset_map(&map_log, dirty.start, dirty.end);
    let segments = map_log.segments()[..active].to_vec();
    let mut pass = CleanerPass {
        first_dirty_offset: Offset(0),
        end_offset: dirty.end,
        removed: 0,
        tombstones_removed: 0,
        unkeyed_removed: 0,
    };
    let mut cleaned = Vec::new();
    for segment in &segments {
        let mut into = Segment::new(segment.base_offset(), segment.created_at());
        copy_retained(
            segment,
            &mut into,
            &map,
            SimTime::ZERO,
            &config(),
            &facts,
            &mut pass,
        );
        cleaned.push(into);
    }
    map_log.replace_segments(0..active, cleaned, dirty.end);
    assert_eq!(keys_in_log(&map_log), should_remain);
    assert_eq!(pass.removed, later.len() as u64);
}

#[test]
fn test_cleaning_with_deletes() {
    let mut log = log_with(1024 / 40 * RECORD_BYTES);
    append_unique_until(&mut log, 2);
    // Delete all even keys between 0 and N.
    let leo = log.log_end_offset().0 as usize;
    for key in (0..leo).step_by(2) {
        append(&mut log, tombstone(key));
    }
    // Pad out to a new active segment with new unique keys.
    append_unique_until(&mut log, 4);
    clean_to_active(&mut log, 0, 0).expect("the dirty section holds records");
    let keys = keys_in_log(&log);
    assert!(
        (0..leo).step_by(2).all(|key| !keys.contains(&key)),
        "None of the keys we deleted should still exist."
    );
}

#[test]
fn test_log_cleaner_stats() {
    let mut log = log_with(1024 / 40 * RECORD_BYTES);
    for (key, value) in [(0, 0), (1, 1), (0, 0), (1, 1), (0, 0)] {
        append(&mut log, record(key, value));
    }
    log.roll(SimTime::ZERO);
    let initial_size = log.bytes();
    let pass = clean_to_active(&mut log, 2, 0).expect("records to clean");
    assert_eq!(pass.end_offset, Offset(5));
    assert_eq!(initial_size, 5 * RECORD_BYTES, "bytes read");
    assert_eq!(5 - pass.removed, 2, "messages written");
    assert_eq!(log.bytes(), 2 * RECORD_BYTES, "bytes written");
    assert_eq!(pass.unkeyed_removed, 0, "invalid messages read");
}

#[test]
fn test_cleaning_with_uncleanable_section() {
    let mut log = log_with(1024 / 40 * RECORD_BYTES);
    let n = 10;
    let (cleanable_segments, total_segments) = (2, 7);
    let next = |log: &mut PartitionLog| {
        let offset = log.log_end_offset().0 as usize;
        append(log, record(offset % n, offset as u32));
    };
    while log.segments().len() <= cleanable_segments {
        next(&mut log);
    }
    // One record past the cleanable segments: the whole segment holding the first
    // uncleanable offset stays as it is.
    let first_uncleanable = Offset(log.log_end_offset().0 + 1);
    while log.segments().len() < total_segments - 1 {
        next(&mut log);
    }
    let distinct = |log: &PartitionLog| -> Vec<usize> {
        log.segments()
            .iter()
            .map(|segment| {
                let mut values: Vec<u32> = segment.records().iter().map(|r| r.id.seq).collect();
                values.sort_unstable();
                values.dedup();
                values.len()
            })
            .collect()
    };
    let before = distinct(&log);
    assert!(before[..before.len() - 1].iter().all(|&count| count > n));
    let dirty = Offset(0)..first_uncleanable;
    clean_section(&mut log, dirty, SimTime::ZERO, &config(), facts);
    let after = distinct(&log);
    assert!(
        before
            .iter()
            .zip(&after)
            .take(cleanable_segments)
            .all(|(b, a)| a < b),
        "The cleanable segments should have fewer number of values after cleaning"
    );
    assert_eq!(
        before[cleanable_segments..],
        after[cleanable_segments..],
        "The uncleanable segments should have the same number of values after cleaning"
    );
}

/// Six segments of one record each (Kafka: 25-byte values in 100-byte segments).
fn six_single_record_segments() -> PartitionLog {
    let mut log = log_with(RECORD_BYTES);
    for value in 0..6 {
        append(&mut log, record(1, value));
    }
    assert_eq!(log.segments().len(), 6);
    log
}

#[test]
fn test_log_to_clean() {
    let mut log = six_single_record_segments();
    // Kafka builds LogToClean with both offsets at the active segment's base: the whole log
    // but the active segment is clean.
    log.replace_segments(0..0, Vec::new(), active_base(&log));
    let range = cleanable(&log, SimTime::ZERO, &config());
    assert_eq!(
        range.clean_bytes + range.cleanable_bytes,
        log.bytes() - log.segments()[5].bytes(),
        "Total bytes of LogToClean should equal size of all segments excluding the active segment"
    );
}

#[test]
fn test_log_to_clean_with_uncleanable_section() {
    let mut log = six_single_record_segments();
    // Segments [0, 1] are clean; [2, 3] cleanable; [4, 5] uncleanable (the test's
    // min.compaction.lag keeps segment 4 out; the last is the active one).
    let segs: Vec<Offset> = log.segments().iter().map(Segment::base_offset).collect();
    log.replace_segments(0..0, Vec::new(), segs[2]);
    for (index, segment) in log.segments_mut().iter_mut().enumerate() {
        segment.set_timestamp_for_test(SimTime(if index >= 4 { 2_000 } else { 0 }));
    }
    let lagged = CleanerConfig {
        min_lag_us: 1_000,
        ..config()
    };
    let range = cleanable(&log, SimTime(2_500), &lagged);
    assert_eq!(range.first_uncleanable_offset, segs[4]);
    assert_eq!(range.clean_bytes, 2 * RECORD_BYTES);
    assert_eq!(range.cleanable_bytes, 2 * RECORD_BYTES);
    assert_eq!(range.ratio_ppm(), 500_000);
}

#[test]
fn test_cleaning_with_unkeyed_messages() {
    // A log with compaction off, so it takes unkeyed records.
    let mut log = log_with(1024 / 40 * RECORD_BYTES);
    while log.segments().len() < 2 {
        let offset = log.log_end_offset().0 as u32;
        append(&mut log, unkeyed(offset));
    }
    let invalid = log.stored();
    let size_with_unkeyed = log.bytes();
    append_unique_until(&mut log, 3);
    let expected_size = log.bytes() - size_with_unkeyed;
    let pass = clean_to_active(&mut log, 0, 0).expect("records to clean");
    assert!(entries(&log).all(|(_, record)| record.key.is_some()));
    assert_eq!(log.bytes(), expected_size);
    assert_eq!(pass.unkeyed_removed, invalid);
}

/// Kafka's `checkSegmentOrder`: the groups hold the segments in increasing base offset order.
fn check_segment_order(groups: &[&[Segment]]) {
    let offsets: Vec<Offset> = groups
        .iter()
        .flat_map(|group| group.iter().map(Segment::base_offset))
        .collect();
    let mut sorted = offsets.clone();
    sorted.sort();
    assert_eq!(sorted, offsets, "Offsets should be in increasing order.");
}

#[test]
fn test_segment_grouping() {
    // Kafka 3.9 `LogCleanerTest.testSegmentGrouping`: `segment.bytes` 300, the same record
    // (key and value "hello") appended until the log has 10 segments, then every segment (the
    // active one included, as Kafka passes `log.logSegments`) grouped. A v2 batch of one such
    // record is 78 bytes (61 header + 17 record), so a segment holds 3 and the active one 1.
    const BATCH_BYTES: u64 = 78;
    let mut log = log_with(300);
    let hello = || Record {
        value_size_bytes: 5,
        ..record(0, 0)
    };
    while log.segments().len() < 10 {
        log.append(hello(), BATCH_BYTES, SimTime::ZERO);
    }
    let segments = log.segments();

    // Grouping by very large values gives a single group with all the segments in it.
    let groups = group_by_size(segments, i32::MAX as u64);
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].len(), segments.len());
    check_segment_order(&groups);

    // Grouping by very small values gives groups of one segment each.
    let groups = group_by_size(segments, 1);
    assert_eq!(groups.len(), segments.len());
    assert!(
        groups.iter().all(|group| group.len() == 1),
        "All groups should be singletons."
    );
    check_segment_order(&groups);

    // Grouping by log size.
    let group_size = 3;
    let log_size = segments[..group_size]
        .iter()
        .map(Segment::bytes)
        .sum::<u64>()
        + 1;
    let groups = group_by_size(segments, log_size);
    check_segment_order(&groups);
    assert!(
        groups[..groups.len() - 1]
            .iter()
            .all(|group| group.len() == group_size),
        "All but the last group should be the target size."
    );
    // Kafka's `maxIndexSize` checks and the 4-byte relative offset bound have no
    // counterpart: eventlab has no index files.
}

#[test]
fn test_cleanable_offsets_for_none() {
    // LogCleanerManagerTest: no checkpoint, no lag: everything but the active segment.
    let mut log = log_with(RECORD_BYTES * 5);
    for value in 0..23 {
        append(&mut log, record(1, value));
    }
    let range = cleanable(&log, SimTime::ZERO, &config());
    assert_eq!(range.first_dirty_offset, Offset(0));
    assert_eq!(range.first_uncleanable_offset, active_base(&log));
}

#[test]
fn test_cleanable_offsets_active_segment() {
    // LogCleanerManagerTest: a log of only its active segment has nothing to clean.
    let mut log = log_with(1_000_000);
    for value in 0..5 {
        append(&mut log, record(1, value));
    }
    let range = cleanable(&log, SimTime::ZERO, &config());
    assert_eq!(range.first_dirty_offset, Offset(0));
    assert_eq!(range.first_uncleanable_offset, Offset(0));
    assert!(!range.qualifies(0));
}

#[test]
fn test_cleanable_offsets_for_time() {
    // LogCleanerManagerTest: records within min.compaction.lag.ms of now are uncleanable.
    let lag_us = 60_000_000;
    let mut log = log_with(RECORD_BYTES * 5);
    let t0 = 1_000_000_000;
    for value in 0..10 {
        log.append(timed(value, t0), RECORD_BYTES, SimTime(t0));
    }
    let t1 = t0 + lag_us + 1;
    let second_block = log.log_end_offset();
    for value in 10..20 {
        log.append(timed(value, t1), RECORD_BYTES, SimTime(t1));
    }
    let lagged = CleanerConfig {
        min_lag_us: lag_us,
        ..config()
    };
    let range = cleanable(&log, SimTime(t1), &lagged);
    assert_eq!(range.first_dirty_offset, Offset(0));
    assert_eq!(
        range.first_uncleanable_offset, second_block,
        "The first uncleanable offset begins with the second block of log entries."
    );
}

#[test]
fn test_cleanable_offsets_for_short_time() {
    // LogCleanerManagerTest: with every record younger than the lag, nothing is cleanable.
    let lag_us = 60_000_000;
    let mut log = log_with(RECORD_BYTES * 5);
    let t0 = 1_000_000_000;
    for value in 0..20 {
        log.append(timed(value, t0), RECORD_BYTES, SimTime(t0));
    }
    let lagged = CleanerConfig {
        min_lag_us: lag_us,
        ..config()
    };
    let range = cleanable(&log, SimTime(t0 + lag_us / 2), &lagged);
    assert_eq!(range.first_dirty_offset, Offset(0));
    assert_eq!(range.first_uncleanable_offset, Offset(0));
}

#[test]
fn test_cleanable_offsets_needs_checkpoint_reset() {
    // LogCleanerManagerTest: a checkpoint before the log start reads as the log start.
    let mut log = log_with(RECORD_BYTES * 5);
    for value in 0..20 {
        append(&mut log, record(value as usize % 3, value));
    }
    log.delete_records(Offset(10));
    let range = cleanable(&log, SimTime::ZERO, &config());
    assert_eq!(range.first_dirty_offset, Offset(10));
}

#[test]
fn test_max_compaction_lag_forces_a_pass() {
    // LogCleanerManagerTest `testLogsWithMaxCompactionLag...`: a dirty record older than
    // max.compaction.lag.ms makes the log eligible whatever its dirty ratio.
    let mut log = log_with(RECORD_BYTES * 5);
    for value in 0..12 {
        log.append(timed(value, 0), RECORD_BYTES, SimTime::ZERO);
    }
    let strict = CleanerConfig {
        min_cleanable_ratio_ppm: 1_000_000,
        max_lag_us: 1_000,
        ..config()
    };
    assert!(!cleanable(&log, SimTime(1_000), &strict).qualifies(1_000_000));
    assert!(cleanable(&log, SimTime(1_001), &strict).qualifies(1_000_000));
}

fn timed(value: u32, at: u64) -> Record {
    Record {
        sent_at: SimTime(at),
        ..record(value as usize % 4, value)
    }
}

#[test]
fn tombstone_delete_horizon_kip_534() {
    // KIP-534 (`MemoryRecords.filterTo`, `Cleaner.shouldRetainRecord`): the first pass sets
    // the horizon, a pass before it keeps the tombstone, a pass at it drops it.
    let retention = config().delete_retention_us;
    let mut log = log_with(RECORD_BYTES * 5);
    append(&mut log, record(1, 0));
    append(&mut log, tombstone(1));
    append(&mut log, record(2, 0));
    log.roll(SimTime::ZERO);
    let first = clean_to_active(&mut log, 0, 100).expect("records to clean");
    assert_eq!((first.removed, first.tombstones_removed), (1, 0));
    let segment = &log.segments()[0];
    assert_eq!(segment.horizon(Offset(1)), Some(100 + retention));
    let keep = clean_to_active(&mut log, 0, 99 + retention).expect("records to clean");
    assert_eq!(
        keep.tombstones_removed, 0,
        "before the horizon the tombstone stays"
    );
    let drop = clean_to_active(&mut log, 0, 100 + retention).expect("records to clean");
    assert_eq!(drop.tombstones_removed, 1, "at the horizon it goes");
    assert_eq!(offsets_in_log(&log), vec![2]);
}

//! One partition's append-only log: records at dense offsets, kept in segments.
//!
//! Follows Kafka's log layout and time-based retention (`kafka.log.UnifiedLog`,
//! `LogManager.cleanupLogs`): a segment rolls when it holds `segment.bytes` (eventlab counts
//! key and value bytes only, no batch headers) or is older than `segment.ms`; every
//! `log.retention.check.interval.ms` the broker deletes the oldest whole segments whose
//! largest record timestamp is older than `retention.ms`, the active one included (rolling a
//! new empty one first). Deleting moves the log start offset;
//! offsets are never reused.

use super::segment::Segment;
use crate::model::Offset;
use crate::protocol::Record;
use crate::sim::SimTime;

/// When a partition rolls segments. Sizes in bytes, times in µs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentPolicy {
    pub segment_bytes: u64,
    pub segment_us: u64,
    /// eventlab's own `segment.records`: roll before an append once the active segment holds
    /// this many records (not a Kafka setting; for small teaching logs).
    pub segment_records: Option<u64>,
}

#[derive(Clone, Debug)]
pub struct PartitionLog {
    policy: SegmentPolicy,
    /// Oldest first; the last one is the active segment. Never empty.
    segments: Vec<Segment>,
    /// The first offset a fetch may read (Kafka's `UnifiedLog.logStartOffset`): at or after the
    /// first segment's base offset; DeleteRecords moves it inside a segment.
    log_start_offset: Offset,
    /// The offset the next record will get (Kafka's log end offset).
    log_end_offset: Offset,
    /// The cleaner's checkpoint: where the dirty section starts (Kafka's
    /// `cleaner-offset-checkpoint`).
    cleaned_up_to: Offset,
}

/// What a retention pass removed from one partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deleted {
    pub records: u64,
    pub log_start_offset: Offset,
}

impl PartitionLog {
    pub fn new(policy: SegmentPolicy) -> Self {
        PartitionLog {
            policy,
            segments: vec![Segment::new(Offset(0), SimTime::ZERO)],
            log_start_offset: Offset(0),
            log_end_offset: Offset(0),
            cleaned_up_to: Offset(0),
        }
    }

    pub fn policy(&self) -> SegmentPolicy {
        self.policy
    }

    fn active(&self) -> &Segment {
        self.segments
            .last()
            .expect("a log always has an active segment")
    }

    /// Appends and returns the new record's offset: always the previous log end offset.
    /// `size_bytes` is what the record counts towards `segment.bytes`.
    pub fn append(&mut self, record: Record, size_bytes: u64, now: SimTime) -> Offset {
        let offset = self.log_end_offset;
        let active = self.active();
        let full = active.bytes() > 0 && active.bytes() + size_bytes > self.policy.segment_bytes;
        let old = !active.is_empty()
            && now.as_us().saturating_sub(active.created_at().as_us()) >= self.policy.segment_us;
        let counted = self
            .policy
            .segment_records
            .is_some_and(|max| active.len() as u64 >= max);
        if full || old || counted {
            self.segments.push(Segment::new(offset, now));
        }
        self.segments
            .last_mut()
            .expect("a log always has an active segment")
            .push(offset, record, size_bytes);
        self.log_end_offset = Offset(offset.0 + 1);
        offset
    }

    /// Rolls the active segment now, if it holds any record (Kafka's `UnifiedLog.roll`; rolling
    /// an empty active segment changes nothing).
    pub fn roll(&mut self, now: SimTime) {
        if !self.active().is_empty() {
            self.segments.push(Segment::new(self.log_end_offset, now));
        }
    }

    /// The offset the next record will get.
    pub fn log_end_offset(&self) -> Offset {
        self.log_end_offset
    }

    /// The first offset still readable.
    pub fn log_start_offset(&self) -> Offset {
        self.log_start_offset
    }

    /// The segments, oldest first; the last one is the active segment.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The segments, to change in a test.
    #[cfg(test)]
    pub(crate) fn segments_mut(&mut self) -> &mut [Segment] {
        &mut self.segments
    }

    /// The cleaner's checkpoint (first dirty offset), never before the log start.
    pub fn cleaned_up_to(&self) -> Offset {
        self.cleaned_up_to.max(self.log_start_offset)
    }

    /// The log's size in bytes (Kafka's `UnifiedLog.size`).
    pub fn bytes(&self) -> u64 {
        self.segments.iter().map(Segment::bytes).sum()
    }

    /// Replaces the segments `range` with `cleaned` and moves the cleaner's checkpoint (the
    /// cleaner's `replaceSegments` and `doneCleaning`).
    pub(super) fn replace_segments(
        &mut self,
        range: std::ops::Range<usize>,
        cleaned: Vec<Segment>,
        cleaned_up_to: Offset,
    ) {
        debug_assert!(range.end < self.segments.len(), "the active segment stays");
        self.segments.splice(range, cleaned);
        self.cleaned_up_to = cleaned_up_to;
    }

    /// Appends up to `max` records from `from` to `out` and returns the offset of the first one.
    /// A position before the log start reads from the log start (Kafka's
    /// `auto.offset.reset=earliest`): the records in between were deleted by retention. A
    /// position the cleaner removed reads from the next surviving record. When the records read
    /// are not at consecutive offsets, their offsets are appended to `offsets`.
    pub fn read_into(
        &self,
        from: Offset,
        max: u32,
        out: &mut Vec<Record>,
        offsets: &mut Vec<Offset>,
    ) -> Offset {
        let from = from.max(self.log_start_offset);
        let mut remaining = max as usize;
        let first = self
            .segments
            .partition_point(|segment| segment.base_offset() <= from)
            .saturating_sub(1);
        let read_from = out.len();
        let mut first_offset = None;
        let mut last_offset = from;
        for segment in &self.segments[first..] {
            if remaining == 0 {
                break;
            }
            let start = segment.index_of(from);
            let end = start.saturating_add(remaining).min(segment.len());
            if start == end {
                continue;
            }
            first_offset.get_or_insert(segment.offset(start));
            last_offset = segment.offset(end - 1);
            out.extend_from_slice(&segment.records()[start..end]);
            remaining -= end - start;
        }
        let Some(first_offset) = first_offset else {
            return from;
        };
        let count = (out.len() - read_from) as u64;
        if last_offset.0 - first_offset.0 + 1 != count {
            // Gaps the cleaner left: list every record's offset (the rare path).
            let mut remaining = count as usize;
            for segment in &self.segments[first..] {
                let start = segment.index_of(from);
                let end = start.saturating_add(remaining).min(segment.len());
                offsets.extend((start..end).map(|index| segment.offset(index)));
                remaining -= end - start;
            }
        }
        first_offset
    }

    /// The first offset whose record was sent at or after `time` (Kafka's `ListOffsets` by
    /// timestamp, as `offsetsForTimes`), or the log end offset when there is none. Timestamps are
    /// the producers' send times, which a partition may hold out of order: like Kafka's time
    /// index, the search finds the first record at or after `time`, scanning in offset order.
    pub fn offset_for_time(&self, time: SimTime) -> Offset {
        for segment in &self.segments {
            if segment.max_timestamp() < time {
                continue;
            }
            if let Some(index) = segment.records().iter().position(|r| r.sent_at >= time) {
                return segment.offset(index);
            }
        }
        self.log_end_offset()
    }

    /// Deletes the oldest segments whose newest record is older than `retention_us`
    /// (`UnifiedLog.deleteRetentionMsBreachedSegments`). The active segment is deleted too when
    /// it has expired: the log then rolls a new empty active segment at the log end offset
    /// first, and the log start offset moves to it.
    pub fn delete_expired(&mut self, now: SimTime, retention_us: u64) -> Option<Deleted> {
        let count = self.deletable(|segment| {
            now.as_us().saturating_sub(segment.max_timestamp().as_us()) > retention_us
        });
        self.delete_segments(count, now)
    }

    /// Deletes the oldest segments while the log stays at or above `retention_bytes` without
    /// them (`UnifiedLog.deleteRetentionSizeBreachedSegments`); the active segment goes only
    /// when `retention_bytes` is 0.
    pub fn delete_over_size(&mut self, now: SimTime, retention_bytes: u64) -> Option<Deleted> {
        let size = self.bytes();
        if size < retention_bytes {
            return None;
        }
        let mut diff = size - retention_bytes;
        let count = self.deletable(|segment| {
            if diff >= segment.bytes() {
                diff -= segment.bytes();
                true
            } else {
                false
            }
        });
        self.delete_segments(count, now)
    }

    /// How many segments, oldest first, `predicate` allows to delete
    /// (`UnifiedLog.deletableSegments`): it stops at the first segment the predicate keeps,
    /// and never returns an empty active segment. Every segment lies below the high watermark,
    /// which is the log end offset here: every append is acknowledged at once.
    fn deletable(&self, mut predicate: impl FnMut(&Segment) -> bool) -> usize {
        let last = self.segments.len() - 1;
        self.segments
            .iter()
            .enumerate()
            .take_while(|(index, segment)| {
                predicate(segment) && !(*index == last && segment.is_empty())
            })
            .count()
    }

    /// Kafka's DeleteRecords: moves the log start offset to `before` (at most the log end) and
    /// deletes the segments wholly below it (`UnifiedLog.maybeIncrementLogStartOffset` and
    /// `deleteLogStartOffsetBreachedSegments`). Returns the records no longer readable.
    pub fn delete_records(&mut self, before: Offset) -> Option<Deleted> {
        let before = before.min(self.log_end_offset);
        if before <= self.log_start_offset {
            return None;
        }
        let readable = |log: &Self| log.count_from(log.log_start_offset);
        let was = readable(self);
        self.log_start_offset = before;
        let count = self
            .segments
            .windows(2)
            .take_while(|pair| pair[1].base_offset() <= before)
            .count();
        self.segments.drain(..count);
        Some(Deleted {
            records: was - readable(self),
            log_start_offset: self.log_start_offset,
        })
    }

    /// Deletes the `count` oldest segments and moves the log start offset past them
    /// (`UnifiedLog.deleteSegments`): when that is every segment, a new empty active segment
    /// is rolled first, as a log always has one.
    fn delete_segments(&mut self, count: usize, now: SimTime) -> Option<Deleted> {
        if count == 0 {
            return None;
        }
        if count == self.segments.len() {
            self.roll(now);
        }
        let was = self.count_from(self.log_start_offset);
        self.segments.drain(..count);
        self.log_start_offset = self.log_start_offset.max(self.segments[0].base_offset());
        Some(Deleted {
            records: was - self.count_from(self.log_start_offset),
            log_start_offset: self.log_start_offset,
        })
    }

    /// Records stored at or after `from`.
    fn count_from(&self, from: Offset) -> u64 {
        self.segments
            .iter()
            .map(|segment| (segment.len() - segment.index_of(from)) as u64)
            .sum()
    }

    /// Records readable now (from the log start on).
    pub fn len(&self) -> u64 {
        self.count_from(self.log_start_offset)
    }

    /// Records stored, readable or not (what `limits.stored_records_max` counts).
    pub fn stored(&self) -> u64 {
        self.segments
            .iter()
            .map(|segment| segment.len() as u64)
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{InstanceId, MessageId};

    fn record(seq: u32, sent_at: u64) -> Record {
        Record {
            id: MessageId {
                producer: InstanceId(0),
                seq,
            },
            key: None,
            value_size_bytes: 10,
            sent_at: SimTime(sent_at),
            schema_id: 0,
        }
    }

    fn small_segments() -> PartitionLog {
        PartitionLog::new(SegmentPolicy {
            segment_bytes: 30,
            segment_us: u64::MAX,
            segment_records: None,
        })
    }

    fn read(log: &PartitionLog, from: u64, max: u32) -> (Offset, Vec<u32>) {
        let mut out = Vec::new();
        let first = log.read_into(Offset(from), max, &mut out, &mut Vec::new());
        (first, out.iter().map(|record| record.id.seq).collect())
    }

    #[test]
    fn offsets_grow_by_one_on_append() {
        let mut log = small_segments();
        assert_eq!(log.append(record(0, 0), 10, SimTime(0)), Offset(0));
        assert_eq!(log.append(record(1, 0), 10, SimTime(0)), Offset(1));
        assert_eq!(log.log_end_offset(), Offset(2));
    }

    #[test]
    fn reads_span_segments_and_clamp_to_the_log_end() {
        let mut log = small_segments();
        for seq in 0..8 {
            log.append(record(seq, 0), 10, SimTime(0));
        }
        assert_eq!(
            log.segments().len(),
            3,
            "30-byte segments hold three 10-byte records"
        );
        assert_eq!(read(&log, 2, 4), (Offset(2), vec![2, 3, 4, 5]));
        assert_eq!(read(&log, 6, 10), (Offset(6), vec![6, 7]));
        assert_eq!(read(&log, 9, 10), (Offset(9), vec![]));
    }

    #[test]
    fn retention_deletes_whole_old_segments_and_an_expired_active_one() {
        let mut log = small_segments();
        for seq in 0..7 {
            log.append(
                record(seq, u64::from(seq) * 100),
                10,
                SimTime(u64::from(seq) * 100),
            );
        }
        // Segments: [0,1,2] newest 200 µs; [3,4,5] newest 500 µs; active [6] at 600 µs.
        assert_eq!(
            log.delete_expired(SimTime(650), 400),
            Some(Deleted {
                records: 3,
                log_start_offset: Offset(3)
            })
        );
        assert_eq!(log.delete_expired(SimTime(650), 400), None);
        assert_eq!(
            log.delete_expired(SimTime(1_000), 400),
            Some(Deleted {
                records: 3,
                log_start_offset: Offset(6)
            }),
            "the active segment is 400 µs old: not past retention yet"
        );
        assert_eq!(
            log.delete_expired(SimTime(1_001), 400),
            Some(Deleted {
                records: 1,
                log_start_offset: Offset(7)
            }),
            "an expired active segment goes too, after a new one is rolled"
        );
        assert_eq!(log.segments().len(), 1);
        assert_eq!(log.segments()[0].base_offset(), Offset(7));
        assert!(log.is_empty());
        assert_eq!(
            log.delete_expired(SimTime(90_000), 400),
            None,
            "an empty active segment is never deleted"
        );
        assert_eq!(
            read(&log, 0, 5),
            (Offset(7), vec![]),
            "a position before the log start reads from it and finds nothing yet"
        );
        assert_eq!(log.append(record(7, 2_000), 10, SimTime(2_000)), Offset(7));
        assert_eq!(read(&log, 0, 5), (Offset(7), vec![7]));
    }

    /// Kafka's `UnifiedLogTest` logs: segments of five 10-byte records.
    fn five_per_segment(count: u32) -> PartitionLog {
        let mut log = PartitionLog::new(SegmentPolicy {
            segment_bytes: 50,
            segment_us: u64::MAX,
            segment_records: None,
        });
        for seq in 0..count {
            log.append(record(seq, 10), 10, SimTime(10));
        }
        log
    }

    #[test]
    fn should_delete_size_based_segments() {
        let mut log = five_per_segment(15);
        log.delete_over_size(SimTime(10), 100);
        assert_eq!(log.segments().len(), 2, "should have 2 segments");
    }

    #[test]
    fn should_not_delete_size_based_segments_when_under_retention_size() {
        let mut log = five_per_segment(15);
        assert_eq!(log.delete_over_size(SimTime(10), 150), None);
        assert_eq!(log.segments().len(), 3, "should have 3 segments");
    }

    #[test]
    fn should_delete_time_based_segments_ready_to_be_deleted() {
        let mut log = five_per_segment(15);
        log.delete_expired(SimTime(10 + 10_001), 10_000);
        assert_eq!(
            log.segments().len(),
            1,
            "There should be 1 segment remaining"
        );
        // Kafka 3.x deletes the expired active segment too and rolls an empty one first.
        assert_eq!(log.segments()[0].base_offset(), Offset(15));
        assert_eq!(log.log_start_offset(), Offset(15));
        assert!(log.is_empty());
    }

    #[test]
    fn should_not_delete_time_based_segments_when_none_ready_to_be_deleted() {
        let mut log = five_per_segment(15);
        assert_eq!(log.delete_expired(SimTime(10 + 10_000), 10_000), None);
        assert_eq!(
            log.segments().len(),
            3,
            "There should be 3 segments remaining"
        );
    }

    #[test]
    fn test_log_deletion_after_delete_records() {
        let mut log = five_per_segment(15);
        assert_eq!(log.segments().len(), 3, "should have 3 segments");
        assert_eq!(log.log_start_offset(), Offset(0));
        log.delete_records(Offset(1));
        assert_eq!(log.segments().len(), 3, "should have 3 segments");
        assert_eq!(log.log_start_offset(), Offset(1));
        log.delete_records(Offset(6));
        assert_eq!(log.segments().len(), 2, "should have 2 segments");
        assert_eq!(log.log_start_offset(), Offset(6));
        log.delete_records(Offset(15));
        assert_eq!(log.segments().len(), 1, "should have 1 segments");
        assert_eq!(log.log_start_offset(), Offset(15));
        assert!(log.is_empty());
    }

    #[test]
    fn test_delete_old_segments() {
        // Kafka's `UnifiedLogTest.testDeleteOldSegments`: 100 records sent 1000 ms ago in
        // segments of five, `retention.ms` 999; the high watermark is the log end offset, so
        // every segment goes, the active one included, and one new empty segment remains.
        let ms = 1_000;
        let now = 2_000 * ms;
        let mut log = PartitionLog::new(SegmentPolicy {
            segment_bytes: 50,
            segment_us: u64::MAX,
            segment_records: None,
        });
        for seq in 0..100 {
            log.append(record(seq, now - 1_000 * ms), 10, SimTime(now - 1_000 * ms));
        }
        assert_eq!(log.segments().len(), 20);
        log.delete_expired(SimTime(now), 999 * ms);
        assert_eq!(
            log.segments().len(),
            1,
            "The deleted segments should be gone."
        );
        assert_eq!(log.log_start_offset(), log.log_end_offset());
        // Appending again creates segments again.
        for seq in 100..200 {
            log.append(record(seq, now), 10, SimTime(now));
        }
        assert_eq!(log.log_end_offset(), Offset(200));
        assert_eq!(log.len(), 100);
    }

    #[test]
    fn retention_bytes_zero_deletes_the_active_segment() {
        // `deleteRetentionSizeBreachedSegments` with `retention.bytes` 0: the whole log is over.
        let mut log = five_per_segment(12);
        assert_eq!(
            log.delete_over_size(SimTime(10), 0),
            Some(Deleted {
                records: 12,
                log_start_offset: Offset(12)
            })
        );
        assert_eq!(log.segments().len(), 1);
        assert!(log.is_empty());
    }

    #[test]
    fn test_size_based_log_roll() {
        // Kafka's `UnifiedLogTest.testSizeBasedLogRoll`: a segment holds what fits
        // `segment.bytes`, the next append rolls.
        let log = five_per_segment(11);
        let bases: Vec<u64> = log.segments().iter().map(|s| s.base_offset().0).collect();
        assert_eq!(bases, vec![0, 5, 10]);
    }

    #[test]
    fn segment_records_rolls_before_an_append_once_full() {
        // eventlab's own `segment.records`.
        let mut log = PartitionLog::new(SegmentPolicy {
            segment_bytes: u64::MAX,
            segment_us: u64::MAX,
            segment_records: Some(3),
        });
        for seq in 0..7 {
            log.append(record(seq, 0), 10, SimTime(0));
        }
        let bases: Vec<u64> = log.segments().iter().map(|s| s.base_offset().0).collect();
        assert_eq!(bases, vec![0, 3, 6]);
        log.roll(SimTime(0));
        log.roll(SimTime(0));
        assert_eq!(
            log.segments().len(),
            4,
            "rolling an empty active segment changes nothing"
        );
    }
}

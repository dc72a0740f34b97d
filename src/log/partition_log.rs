//! One partition's append-only log: records at dense offsets, kept in segments.
//!
//! Follows Kafka's log layout and time-based retention (`kafka.log.UnifiedLog`,
//! `LogManager.cleanupLogs`): a segment rolls when it holds `segment.bytes` (eventlab counts
//! key and value bytes only, no batch headers) or is older than `segment.ms`; every
//! `log.retention.check.interval.ms` the broker deletes whole non-active segments whose
//! largest record timestamp is older than `retention.ms`. Deleting moves the log start offset;
//! offsets are never reused.

use crate::model::Offset;
use crate::protocol::Record;
use crate::sim::SimTime;

#[derive(Debug)]
struct Segment {
    base_offset: Offset,
    records: Vec<Record>,
    bytes: u64,
    created_at: SimTime,
    /// The largest record timestamp (the producer's send time) in the segment.
    max_timestamp: SimTime,
}

/// When a partition rolls segments. Sizes in bytes, times in µs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentPolicy {
    pub segment_bytes: u64,
    pub segment_us: u64,
}

#[derive(Debug)]
pub struct PartitionLog {
    policy: SegmentPolicy,
    /// Oldest first; the last one is the active segment. Never empty.
    segments: Vec<Segment>,
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
            segments: vec![Self::segment(Offset(0), SimTime::ZERO)],
        }
    }

    fn segment(base_offset: Offset, created_at: SimTime) -> Segment {
        Segment {
            base_offset,
            records: Vec::new(),
            bytes: 0,
            created_at,
            max_timestamp: SimTime::ZERO,
        }
    }

    /// Appends and returns the new record's offset: always the previous log end offset.
    /// `size_bytes` is what the record counts towards `segment.bytes`.
    pub fn append(&mut self, record: Record, size_bytes: u64, now: SimTime) -> Offset {
        let offset = self.log_end_offset();
        let active = self
            .segments
            .last()
            .expect("a log always has an active segment");
        let full = active.bytes > 0 && active.bytes + size_bytes > self.policy.segment_bytes;
        let old = !active.records.is_empty()
            && now.as_us().saturating_sub(active.created_at.as_us()) >= self.policy.segment_us;
        if full || old {
            self.segments.push(Self::segment(offset, now));
        }
        let active = self
            .segments
            .last_mut()
            .expect("a log always has an active segment");
        active.records.push(record);
        active.bytes += size_bytes;
        active.max_timestamp = active.max_timestamp.max(record.sent_at);
        offset
    }

    /// The offset the next record will get.
    pub fn log_end_offset(&self) -> Offset {
        let active = self
            .segments
            .last()
            .expect("a log always has an active segment");
        Offset(active.base_offset.0 + active.records.len() as u64)
    }

    /// The first offset still stored.
    pub fn log_start_offset(&self) -> Offset {
        self.segments[0].base_offset
    }

    /// Appends up to `max` records from `from` to `out` and returns the offset of the first one.
    /// A position before the log start reads from the log start (Kafka's
    /// `auto.offset.reset=earliest`): the records in between were deleted by retention.
    pub fn read_into(&self, from: Offset, max: u32, out: &mut Vec<Record>) -> Offset {
        let from = from.max(self.log_start_offset());
        let mut remaining = max as usize;
        let first = self
            .segments
            .partition_point(|segment| segment.base_offset <= from)
            .saturating_sub(1);
        for segment in &self.segments[first..] {
            if remaining == 0 {
                break;
            }
            let start =
                (from.0.saturating_sub(segment.base_offset.0) as usize).min(segment.records.len());
            let end = start.saturating_add(remaining).min(segment.records.len());
            out.extend_from_slice(&segment.records[start..end]);
            remaining -= end - start;
        }
        from
    }

    /// The first offset whose record was sent at or after `time` (Kafka's `ListOffsets` by
    /// timestamp, as `offsetsForTimes`), or the log end offset when there is none. Timestamps are
    /// the producers' send times, which a partition may hold out of order: like Kafka's time
    /// index, the search finds the first record at or after `time`, scanning in offset order.
    pub fn offset_for_time(&self, time: SimTime) -> Offset {
        for segment in &self.segments {
            if segment.max_timestamp < time {
                continue;
            }
            if let Some(index) = segment.records.iter().position(|r| r.sent_at >= time) {
                return Offset(segment.base_offset.0 + index as u64);
            }
        }
        self.log_end_offset()
    }

    /// Deletes every non-active segment whose newest record is older than `retention_us`.
    pub fn delete_expired(&mut self, now: SimTime, retention_us: u64) -> Option<Deleted> {
        let expired = |segment: &Segment| {
            now.as_us().saturating_sub(segment.max_timestamp.as_us()) > retention_us
        };
        let count = self.segments[..self.segments.len() - 1]
            .iter()
            .take_while(|segment| expired(segment))
            .count();
        if count == 0 {
            return None;
        }
        let records = self
            .segments
            .drain(..count)
            .map(|segment| segment.records.len() as u64)
            .sum();
        Some(Deleted {
            records,
            log_start_offset: self.log_start_offset(),
        })
    }

    /// Records stored now.
    pub fn len(&self) -> u64 {
        self.log_end_offset().0 - self.log_start_offset().0
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
        }
    }

    fn small_segments() -> PartitionLog {
        PartitionLog::new(SegmentPolicy {
            segment_bytes: 30,
            segment_us: u64::MAX,
        })
    }

    fn read(log: &PartitionLog, from: u64, max: u32) -> (Offset, Vec<u32>) {
        let mut out = Vec::new();
        let first = log.read_into(Offset(from), max, &mut out);
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
            log.segments.len(),
            3,
            "30-byte segments hold three 10-byte records"
        );
        assert_eq!(read(&log, 2, 4), (Offset(2), vec![2, 3, 4, 5]));
        assert_eq!(read(&log, 6, 10), (Offset(6), vec![6, 7]));
        assert_eq!(read(&log, 9, 10), (Offset(9), vec![]));
    }

    #[test]
    fn retention_deletes_whole_old_segments_but_never_the_active_one() {
        let mut log = small_segments();
        for seq in 0..7 {
            log.append(
                record(seq, u64::from(seq) * 100),
                10,
                SimTime(u64::from(seq) * 100),
            );
        }
        // Segments: [0,1,2] newest 200 µs; [3,4,5] newest 500 µs; active [6].
        assert_eq!(
            log.delete_expired(SimTime(650), 400),
            Some(Deleted {
                records: 3,
                log_start_offset: Offset(3)
            })
        );
        assert_eq!(log.delete_expired(SimTime(650), 400), None);
        assert_eq!(
            log.delete_expired(SimTime(10_000), 400),
            Some(Deleted {
                records: 3,
                log_start_offset: Offset(6)
            })
        );
        assert_eq!(
            log.delete_expired(SimTime(90_000), 400),
            None,
            "the active segment stays"
        );
        assert_eq!(log.len(), 1);
        assert_eq!(
            read(&log, 0, 5),
            (Offset(6), vec![6]),
            "a position before the log start reads from it"
        );
    }
}

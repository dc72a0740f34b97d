//! One log segment: records at increasing offsets, with their total size and timestamps.
//!
//! Follows Kafka's `LogSegment`: a segment has a base offset (the offset it starts at, never
//! changed), holds records in offset order, and knows its size in bytes and its largest
//! timestamp (for `retention.ms`). Appended records sit at dense offsets; once the cleaner has
//! re-copied a segment its records keep their original offsets with gaps between them, so the
//! segment then lists each record's offset. It is not the log: rolling, retention and the log
//! start offset are `partition_log`'s.

use crate::model::Offset;
use crate::protocol::Record;
use crate::sim::SimTime;

#[derive(Clone, Debug)]
pub struct Segment {
    base_offset: Offset,
    records: Vec<Record>,
    /// Each record's offset; `None` while the records are dense (offset = base + index).
    offsets: Option<Vec<u64>>,
    /// The delete horizons of the tombstones a cleaner pass re-copied (KIP-534), as
    /// (offset, horizon µs), in offset order.
    horizons: Vec<(u64, u64)>,
    bytes: u64,
    created_at: SimTime,
    /// The largest record timestamp (the producer's send time) in the segment.
    max_timestamp: SimTime,
}

impl Segment {
    pub fn new(base_offset: Offset, created_at: SimTime) -> Self {
        Segment {
            base_offset,
            records: Vec::new(),
            offsets: None,
            horizons: Vec::new(),
            bytes: 0,
            created_at,
            max_timestamp: SimTime::ZERO,
        }
    }

    pub fn base_offset(&self) -> Offset {
        self.base_offset
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The segment's size in bytes (Kafka's `LogSegment.size`).
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    pub fn created_at(&self) -> SimTime {
        self.created_at
    }

    /// The largest record timestamp (Kafka's `LogSegment.largestTimestamp`).
    pub fn max_timestamp(&self) -> SimTime {
        self.max_timestamp
    }

    /// The first record's timestamp (Kafka's first batch timestamp), if it holds any.
    pub fn first_timestamp(&self) -> Option<SimTime> {
        self.records.first().map(|record| record.sent_at)
    }

    /// Whether the records sit at dense offsets from the base offset.
    pub fn is_dense(&self) -> bool {
        self.offsets.is_none()
    }

    /// The offset of the `index`-th record.
    #[inline]
    pub fn offset(&self, index: usize) -> Offset {
        match &self.offsets {
            None => Offset(self.base_offset.0 + index as u64),
            Some(offsets) => Offset(offsets[index]),
        }
    }

    pub fn record(&self, index: usize) -> &Record {
        &self.records[index]
    }

    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// The index of the first record at or after `offset` (`len()` when there is none).
    #[inline]
    pub fn index_of(&self, offset: Offset) -> usize {
        match &self.offsets {
            None => (offset.0.saturating_sub(self.base_offset.0) as usize).min(self.records.len()),
            Some(offsets) => offsets.partition_point(|&o| o < offset.0),
        }
    }

    /// The delete horizon of the tombstone at `offset`, once a cleaner pass has set it.
    pub fn horizon(&self, offset: Offset) -> Option<u64> {
        self.horizons
            .binary_search_by_key(&offset.0, |&(o, _)| o)
            .ok()
            .map(|index| self.horizons[index].1)
    }

    /// Appends a record at `offset`, which must follow the last one.
    #[inline]
    pub fn push(&mut self, offset: Offset, record: Record, size_bytes: u64) {
        debug_assert!(self.records.is_empty() || offset > self.offset(self.records.len() - 1));
        if self.offsets.is_none() && offset.0 != self.base_offset.0 + self.records.len() as u64 {
            // The first gap: list the offsets from now on.
            self.offsets = Some(
                (0..self.records.len())
                    .map(|index| self.base_offset.0 + index as u64)
                    .collect(),
            );
        }
        if let Some(offsets) = &mut self.offsets {
            offsets.push(offset.0);
        }
        self.records.push(record);
        self.bytes += size_bytes;
        self.max_timestamp = self.max_timestamp.max(record.sent_at);
    }

    /// Sets the largest timestamp, as Kafka's tests set a segment's `lastModified`.
    #[cfg(test)]
    pub fn set_timestamp_for_test(&mut self, at: SimTime) {
        self.max_timestamp = at;
    }

    /// Sets the delete horizon of the tombstone just pushed at `offset`.
    pub fn set_horizon(&mut self, offset: Offset, horizon_us: u64) {
        debug_assert!(self.horizons.last().is_none_or(|&(o, _)| o < offset.0));
        self.horizons.push((offset.0, horizon_us));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{InstanceId, MessageId};

    fn record(seq: u32) -> Record {
        Record {
            id: MessageId {
                producer: InstanceId(0),
                seq,
            },
            key: None,
            value_size_bytes: 1,
            sent_at: SimTime(u64::from(seq)),
            schema_id: 0,
        }
    }

    #[test]
    fn dense_until_the_first_gap_then_offsets_are_listed() {
        let mut segment = Segment::new(Offset(10), SimTime::ZERO);
        segment.push(Offset(10), record(0), 1);
        segment.push(Offset(11), record(1), 1);
        assert!(segment.is_dense());
        segment.push(Offset(15), record(2), 1);
        assert!(!segment.is_dense());
        let offsets: Vec<u64> = (0..segment.len()).map(|i| segment.offset(i).0).collect();
        assert_eq!(offsets, vec![10, 11, 15]);
        assert_eq!(
            segment.index_of(Offset(12)),
            2,
            "a removed offset reads the next one"
        );
        assert_eq!(segment.index_of(Offset(16)), 3);
        assert_eq!(segment.bytes(), 3);
    }
}

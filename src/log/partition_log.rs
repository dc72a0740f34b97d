//! One partition's append-only log: records at dense offsets from the log start offset.

use crate::model::Offset;
use crate::protocol::Record;

#[derive(Debug, Default)]
pub struct PartitionLog {
    /// Offset of `records[0]`. Stays 0 until retention deletes from the head (a later issue).
    log_start_offset: Offset,
    records: Vec<Record>,
}

impl PartitionLog {
    /// Appends and returns the new record's offset: always the previous log end offset.
    pub fn append(&mut self, record: Record) -> Offset {
        let offset = self.log_end_offset();
        self.records.push(record);
        offset
    }

    /// The offset the next record will get.
    pub fn log_end_offset(&self) -> Offset {
        Offset(self.log_start_offset.0 + self.records.len() as u64)
    }

    pub fn log_start_offset(&self) -> Offset {
        self.log_start_offset
    }

    /// Up to `max` records from `from`; empty if `from` is at or past the end.
    pub fn read(&self, from: Offset, max: u32) -> &[Record] {
        let start = from.0.saturating_sub(self.log_start_offset.0) as usize;
        let start = start.min(self.records.len());
        let end = start.saturating_add(max as usize).min(self.records.len());
        &self.records[start..end]
    }

    pub fn len(&self) -> u64 {
        self.records.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{InstanceId, MessageId};
    use crate::sim::SimTime;

    fn record(seq: u32) -> Record {
        Record {
            id: MessageId {
                producer: InstanceId(0),
                seq,
            },
            key: None,
            value_size_bytes: 1,
            sent_at: SimTime(0),
        }
    }

    #[test]
    fn offsets_grow_by_one_on_append() {
        let mut log = PartitionLog::default();
        assert_eq!(log.append(record(0)), Offset(0));
        assert_eq!(log.append(record(1)), Offset(1));
        assert_eq!(log.log_end_offset(), Offset(2));
    }

    #[test]
    fn read_clamps_to_the_log_end() {
        let mut log = PartitionLog::default();
        for seq in 0..5 {
            log.append(record(seq));
        }
        assert_eq!(log.read(Offset(3), 10).len(), 2);
        assert_eq!(log.read(Offset(9), 10).len(), 0);
        assert_eq!(log.read(Offset(1), 2)[0].id.seq, 1);
    }
}

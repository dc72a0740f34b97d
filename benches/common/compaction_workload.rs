//! The compaction workload shared by `benches/compaction.rs` and `examples/compaction_pass.rs`:
//! one partition of 1,000-record segments, every record 100 bytes and keyed, and the cleaner
//! settings of one pass. Not a bench of its own (it sits in a subfolder, so cargo does not
//! take it for one).

use eventlab::log::cleaner::{CleanerConfig, RecordFacts};
use eventlab::log::partition_log::{PartitionLog, SegmentPolicy};
use eventlab::model::{InstanceId, KeyId, MessageId};
use eventlab::protocol::Record;
use eventlab::sim::SimTime;

/// A partition of `records` records over `keys` keys, one record a microsecond.
pub fn log(records: u32, keys: u32) -> PartitionLog {
    let mut log = PartitionLog::new(SegmentPolicy {
        segment_bytes: u64::MAX,
        segment_us: u64::MAX,
        segment_records: Some(1_000),
    });
    for seq in 0..records {
        let record = Record {
            id: MessageId {
                producer: InstanceId(0),
                seq,
            },
            key: Some(KeyId::from_index((seq % keys) as usize)),
            value_size_bytes: 90,
            sent_at: SimTime(u64::from(seq)),
            schema_id: 0,
        };
        log.append(record, 100, SimTime(u64::from(seq)));
    }
    log
}

/// Kafka's defaults for the pass: dirty ratio 0.5, no compaction lag, one day of delete retention.
pub fn config() -> CleanerConfig {
    CleanerConfig {
        min_cleanable_ratio_ppm: 500_000,
        min_lag_us: 0,
        max_lag_us: u64::MAX,
        delete_retention_us: 86_400_000_000,
    }
}

/// What the cleaner asks of each record: none is a tombstone, each is 100 bytes.
pub fn facts(_: &Record) -> RecordFacts {
    RecordFacts {
        tombstone: false,
        bytes: 100,
    }
}

//! The process-level figure of issue 12: builds a 1,000,000-record partition with 10,000 keys
//! (1,000-record segments, 100 bytes a record) and runs one cleaner pass over it. With
//! `--build-only` it stops before the pass, so the pass's own cost is the difference between
//! the two runs (instruction counts under `valgrind --tool=callgrind`, peak memory under
//! `/usr/bin/time -v`).

use eventlab::log::cleaner::{CleanerConfig, RecordFacts, clean};
use eventlab::log::partition_log::{PartitionLog, SegmentPolicy};
use eventlab::model::{InstanceId, KeyId, MessageId};
use eventlab::protocol::Record;
use eventlab::sim::SimTime;

fn main() {
    let records: u32 = 1_000_000;
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
            key: Some(KeyId::from_index((seq % 10_000) as usize)),
            value_size_bytes: 90,
            sent_at: SimTime(u64::from(seq)),
            schema_id: 0,
        };
        log.append(record, 100, SimTime(u64::from(seq)));
    }
    if std::env::args().any(|arg| arg == "--build-only") {
        println!("built {} records", log.stored());
        return;
    }
    let config = CleanerConfig {
        min_cleanable_ratio_ppm: 500_000,
        min_lag_us: 0,
        max_lag_us: u64::MAX,
        delete_retention_us: 86_400_000_000,
    };
    let pass = clean(&mut log, SimTime(u64::from(records)), &config, |_| {
        RecordFacts {
            tombstone: false,
            bytes: 100,
        }
    })
    .expect("a dirty section");
    println!(
        "removed {} of {} records; {} left in {} segments",
        pass.removed,
        records,
        log.stored(),
        log.segments().len()
    );
}

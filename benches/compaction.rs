//! One cleaner pass over a 1,000,000-record partition with 10,000 keys (issue 12): the log is
//! built once (1,000-record segments, every record 100 bytes, the last segment active), and
//! each iteration cleans a fresh copy of it. `examples/compaction_pass.rs` is the same pass as
//! a process, for its instruction count and memory. Under `cargo test --benches` (no `--bench`
//! flag) the log is cut to 10,000 records.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use eventlab::log::cleaner::{CleanerConfig, RecordFacts, clean};
use eventlab::log::partition_log::{PartitionLog, SegmentPolicy};
use eventlab::model::{InstanceId, KeyId, MessageId};
use eventlab::protocol::Record;
use eventlab::sim::SimTime;

fn log(records: u32, keys: u32) -> PartitionLog {
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

fn compaction(c: &mut Criterion) {
    let full = std::env::args().any(|arg| arg == "--bench");
    let records = if full { 1_000_000 } else { 10_000 };
    let base = log(records, 10_000);
    let config = CleanerConfig {
        min_cleanable_ratio_ppm: 500_000,
        min_lag_us: 0,
        max_lag_us: u64::MAX,
        delete_retention_us: 86_400_000_000,
    };
    let mut group = c.benchmark_group("compaction");
    group.sample_size(10);
    group.bench_function("one pass, 1M records, 10k keys", |b| {
        b.iter_batched(
            || base.clone(),
            |mut log| {
                let pass = clean(&mut log, SimTime(u64::from(records)), &config, |_| {
                    RecordFacts {
                        tombstone: false,
                        bytes: 100,
                    }
                })
                .expect("a dirty section");
                assert_eq!(log.stored(), u64::from(records) - pass.removed);
                log
            },
            BatchSize::LargeInput,
        );
    });
    group.finish();
}

criterion_group!(benches, compaction);
criterion_main!(benches);

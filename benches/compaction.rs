//! One cleaner pass over a 1,000,000-record partition with 10,000 keys (issue 12): the log is
//! built once (1,000-record segments, every record 100 bytes, the last segment active), and
//! each iteration cleans a fresh copy of it. `examples/compaction_pass.rs` is the same pass as
//! a process, for its instruction count and memory. Under `cargo test --benches` (no `--bench`
//! flag) the log is cut to 10,000 records.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use eventlab::log::cleaner::clean;
use eventlab::sim::SimTime;

#[path = "common/compaction_workload.rs"]
mod workload;

fn compaction(c: &mut Criterion) {
    let full = std::env::args().any(|arg| arg == "--bench");
    let records = if full { 1_000_000 } else { 10_000 };
    let base = workload::log(records, 10_000);
    let config = workload::config();
    let mut group = c.benchmark_group("compaction");
    group.sample_size(10);
    group.bench_function("one pass, 1M records, 10k keys", |b| {
        b.iter_batched(
            || base.clone(),
            |mut log| {
                let pass = clean(
                    &mut log,
                    SimTime(u64::from(records)),
                    &config,
                    workload::facts,
                )
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

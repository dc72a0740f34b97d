//! The process-level figure of issue 12: builds a 1,000,000-record partition with 10,000 keys
//! (1,000-record segments, 100 bytes a record) and runs one cleaner pass over it. With
//! `--build-only` it stops before the pass, so the pass's own cost is the difference between
//! the two runs (instruction counts under `valgrind --tool=callgrind`, peak memory under
//! `/usr/bin/time -v`).

use eventlab::log::cleaner::clean;
use eventlab::sim::SimTime;

#[path = "../benches/common/compaction_workload.rs"]
mod workload;

fn main() {
    let records: u32 = 1_000_000;
    let mut log = workload::log(records, 10_000);
    if std::env::args().any(|arg| arg == "--build-only") {
        println!("built {} records", log.stored());
        return;
    }
    let pass = clean(
        &mut log,
        SimTime(u64::from(records)),
        &workload::config(),
        workload::facts,
    )
    .expect("a dirty section");
    println!(
        "removed {} of {} records; {} left in {} segments",
        pass.removed,
        records,
        log.stored(),
        log.segments().len()
    );
}

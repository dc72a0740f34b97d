//! perf-queue-1 (see `../shared/perf/README.md`), nacks off: 1,000,000 records through one
//! queue and 4 competing consumers with prefetch 10, trace off; and `compare` of a
//! 100,000-message scenario (both runs). Under `cargo test --benches` (no `--bench` flag) the
//! workloads are cut so the single test-mode iteration stays fast.

use criterion::{Criterion, criterion_group, criterion_main};
use eventlab::model::{Scenario, Schedule, Stop};
use eventlab::run::{RunOptions, run_model};

fn load(text: &str, name: &str) -> Scenario {
    eventlab::scenario::parse_and_validate(text, name).expect("the bench scenario is valid")
}

/// Cuts every producer to `per_producer` records and the stop to the new total.
fn cut(model: &mut Scenario, per_producer: u64, total: Option<u64>) {
    for service in &mut model.services {
        for production in &mut service.produces {
            if let Schedule::Periodic { count, .. } = &mut production.schedule {
                *count = Some(per_producer);
            }
        }
    }
    if let Some(total) = total {
        model.stop = Stop::AfterRecordsConsumed { count: total };
    }
}

fn full_size() -> bool {
    std::env::args().any(|arg| arg == "--bench")
}

fn perf_queue_1() -> Scenario {
    let mut model = load(include_str!("perf-queue-1.json"), "perf-queue-1.json");
    if !full_size() {
        cut(&mut model, 2_500, Some(10_000));
    }
    model
}

/// 100,000 order events keyed by order id, 4 consumers: the size `compare` must handle in
/// under 2 s.
fn compare_100k() -> Scenario {
    let text = r#"{
  "name": "compare-100k", "seed": 1,
  "streams": [ { "name": "orders", "partition_count": 8 } ],
  "services": [
    { "name": "checkout", "instance_count": 4, "link": { "latency_us": 200 },
      "produces": [ { "stream": "orders", "interval_us": 40, "count": 25000, "keys": { "uniform": 1000 }, "key_prefix": "order-" } ] },
    { "name": "fulfilment", "instance_count": 4, "link": { "latency_us": 200 },
      "consumes": [ { "stream": "orders", "poll_interval_ms": 5, "processing_time_us": { "uniform": [5, 30] },
                      "kafka": { "auto.commit.interval.ms": 100 }, "rabbitmq": { "prefetch_count": 20 } } ] }
  ]
}"#;
    let mut model = load(text, "compare-100k.json");
    if !full_size() {
        cut(&mut model, 250, None);
    }
    model
}

fn bench(c: &mut Criterion) {
    let model = perf_queue_1();
    let options = RunOptions::default();
    let mut group = c.benchmark_group("perf-queue-1");
    group.sample_size(10);
    group.bench_function("trace off", |b| {
        b.iter(|| {
            let run = run_model(&model, "perf-queue-1.json", &options);
            assert_eq!(run.report.outcome.stop, "records_consumed");
            run
        })
    });
    group.finish();

    let model = compare_100k();
    let mut group = c.benchmark_group("compare");
    group.sample_size(10);
    group.bench_function("100k messages, log and queue", |b| {
        b.iter(|| {
            let comparison = eventlab::compare::compare(&model, "bench");
            assert!(eventlab::compare::completed(&comparison.log));
            assert!(eventlab::compare::completed(&comparison.queue));
            comparison.report
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

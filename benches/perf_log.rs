//! perf-log-1 (see `../shared/perf/README.md`): 1,000,000 records through an 8-partition log
//! and a 4-member group, with the trace off, with the JSON Lines trace written to a file, and
//! with the Markdown report.
//! Under `cargo test --benches` (no `--bench` flag) the workload is cut to 10,000 records so
//! the single test-mode iteration stays fast.

use std::io::BufWriter;

use criterion::{Criterion, criterion_group, criterion_main};
use eventlab::model::{Scenario, Schedule, Stop};
use eventlab::run::{RunOptions, run_model};
use eventlab::simulate::simulate;

fn perf_log_1() -> Scenario {
    load(include_str!("perf-log-1.json").to_string())
}

/// perf-log-1 with a pass-through pipeline on the consumer (issue 6: within 10 % of plain
/// perf-log-1): every record goes through a filter that keeps them all, so an operator runs on
/// each record's value. With `emit`, each record is also produced to a second stream: a real
/// record each, appended to the log (twice the records the broker handles).
fn perf_log_1_pass_through(emit: bool) -> Scenario {
    let outputs = if emit {
        r#", "emit": ["perf-out"]"#
    } else {
        ""
    };
    let text = include_str!("perf-log-1.json")
        .replacen(
            r#"{ "name": "perf", "partition_count": 8, "partitioner": "fnv1a32" }"#,
            r#"{ "name": "perf", "partition_count": 8, "partitioner": "fnv1a32" }, { "name": "perf-out" }"#,
            1,
        )
        .replacen(
            r#""kafka": { "max.poll.records": 1000, "auto.commit.interval.ms": 5 }"#,
            &format!(
                r#""kafka": {{ "max.poll.records": 1000, "auto.commit.interval.ms": 5 }}, "pipeline": [{{ "filter": {{ "field": "absent", "not_equals": 0 }} }}]{outputs}"#
            ),
            1,
        );
    assert!(text.contains("perf-out"));
    let mut model = load(text);
    // The emitted copies need room next to the 1,000,000 records of perf.
    model.limits.stored_records_max *= 2;
    model
}

fn load(text: String) -> Scenario {
    let mut model = eventlab::scenario::parse_and_validate(&text, "perf-log-1.json")
        .expect("the bench scenario is valid");
    if !std::env::args().any(|arg| arg == "--bench") {
        for service in &mut model.services {
            for production in &mut service.produces {
                if let Schedule::Periodic { count, .. } = &mut production.schedule {
                    *count = Some(2_500);
                }
            }
        }
        model.stop = Stop::AfterRecordsConsumed { count: 10_000 };
    }
    model
}

fn bench(c: &mut Criterion) {
    let model = perf_log_1();
    let mut group = c.benchmark_group("perf-log-1");
    group.sample_size(10);
    group.bench_function("trace off", |b| {
        b.iter(|| {
            let run = run_model(&model, "perf-log-1.json", &RunOptions::default());
            assert_eq!(run.report.outcome.stop, "records_consumed");
            run
        })
    });
    for (name, emit) in [
        ("trace off, pass-through pipeline", false),
        (
            "trace off, pass-through pipeline emitting to a second stream",
            true,
        ),
    ] {
        let pass_through = perf_log_1_pass_through(emit);
        group.bench_function(name, |b| {
            b.iter(|| {
                let run = run_model(&pass_through, "perf-log-1.json", &RunOptions::default());
                assert_eq!(run.report.outcome.stop, "records_consumed");
                assert_eq!(
                    run.report.pipelines[0].records_out,
                    run.report.pipelines[0].records_in
                );
                run
            })
        });
    }
    // The Markdown report (issue 13: under 10 % of the run): the pictures gathered during the
    // run and the page rendered from them.
    group.bench_function("markdown report", |b| {
        b.iter(|| {
            let options = RunOptions {
                pictures: Some(Default::default()),
                ..RunOptions::default()
            };
            let run = run_model(&model, "perf-log-1.json", &options);
            assert!(
                run.markdown
                    .as_ref()
                    .is_some_and(|m| m.page.len() < 200_000)
            );
            run
        })
    });
    let trace_path = std::env::temp_dir().join("eventlab-bench-perf-log-1.jsonl");
    group.bench_function("trace to file", |b| {
        b.iter(|| {
            let file = std::fs::File::create(&trace_path).expect("temp dir is writable");
            // A trace written to a file: the one case `run_model` (which keeps it in memory) is not.
            simulate(
                &model,
                &eventlab::simulate::RunOptions::default(),
                Some(BufWriter::with_capacity(1 << 20, file)),
            )
            .expect("trace written")
        })
    });
    group.finish();
    let _ = std::fs::remove_file(&trace_path);
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! perf-log-1 reproduces the reference simulator's observable results exactly
//! (`../shared/perf/README.md`): 1,000,000 records consumed, the partition sizes of FNV-1a-32
//! over keys k0..k9999, and the last record consumed at 1,001,100 µs. Slow in a debug build
//! (seconds each): they run only with `EVENTLAB_SLOW_TESTS=1`, as in CI.

use eventlab::run::{RunOptions, run_scenario};

use crate::common::slow_tests_enabled;

#[test]
fn perf_log_1_matches_the_reference_observables() {
    if !slow_tests_enabled("perf_log_1_matches_the_reference_observables") {
        return;
    }
    let text = include_str!("../../benches/perf-log-1.json");
    let run = run_scenario(text, "perf-log-1.json", RunOptions::default()).expect("valid");
    let report = &run.report;
    let stream = &report.streams[0];
    let group = &stream.groups[0];
    assert_eq!(report.outcome.stop, "records_consumed");
    assert_eq!(group.consumed, 1_000_000);
    assert_eq!(group.consumed_distinct, 1_000_000);
    let sizes: Vec<u64> = stream
        .partitions
        .iter()
        .map(|partition| partition.appended)
        .collect();
    assert_eq!(
        sizes,
        [
            125_200, 125_100, 124_900, 125_200, 124_800, 124_900, 125_100, 124_800
        ]
    );
    assert_eq!(report.outcome.last_consumed_at_us, Some(1_001_100));
    assert_eq!(report.outcome.ended_at_us, 1_001_100);
    // Range assignment: member m owns partitions 2m and 2m+1, as in the reference.
    let per_member: Vec<u64> = group
        .instances
        .iter()
        .map(|instance| instance.consumed)
        .collect();
    assert_eq!(per_member, [250_300, 250_100, 249_700, 249_900]);
}

/// The Markdown report of perf-log-1 stays small and drawable: under 200 KB, every chart
/// downsampled to at most 48 points, the sequence diagram capped and saying so. (Its cost is
/// measured by the `markdown report` bench and callgrind, never timed in a test; CI's
/// mermaid-check parses it through `examples/write_diagrams.rs`.)
#[test]
fn perf_log_1_markdown_report_is_small_and_capped() {
    if !slow_tests_enabled("perf_log_1_markdown_report_is_small_and_capped") {
        return;
    }
    let text = include_str!("../../benches/perf-log-1.json");
    let options = RunOptions {
        pictures: Some(Default::default()),
        ..RunOptions::default()
    };
    let run = run_scenario(text, "perf-log-1.json", options).expect("valid");
    let markdown = run.markdown.expect("asked for");
    assert!(
        markdown.page.len() < 200_000,
        "{} bytes",
        markdown.page.len()
    );
    assert!(
        markdown.page.contains("more from"),
        "the sequence diagram says what it left out"
    );
    for (file, diagram) in &markdown.diagrams {
        if let Some(line) = diagram
            .lines()
            .find(|line| line.trim_start().starts_with("line ["))
        {
            let points = line.matches(',').count() + 1;
            assert!(points <= 48, "{file}: {points} points");
        }
    }
}

/// perf-queue-1 with nacks off (`../shared/perf/README.md`): 250,000 acks per consumer and the
/// last ack at 1,250,136 µs, as the reference simulator and SimPy both give.
#[test]
fn perf_queue_1_matches_the_reference_observables() {
    if !slow_tests_enabled("perf_queue_1_matches_the_reference_observables") {
        return;
    }
    let text = include_str!("../../benches/perf-queue-1.json");
    let run = run_scenario(text, "perf-queue-1.json", RunOptions::default()).expect("valid");
    let report = &run.report;
    let group = &report.streams[0].groups[0];
    assert_eq!(report.outcome.stop, "records_consumed");
    assert_eq!(group.consumed, 1_000_000);
    assert_eq!(group.consumed_distinct, 1_000_000);
    assert_eq!(report.outcome.last_consumed_at_us, Some(1_250_136));
    assert_eq!(report.outcome.ended_at_us, 1_250_136);
    let per_consumer: Vec<u64> = group
        .instances
        .iter()
        .map(|instance| instance.consumed)
        .collect();
    assert_eq!(per_consumer, [250_000; 4]);
    // The reference peaks at 200,000 ready messages.
    assert_eq!(report.queues[0].depth_max, 200_000);
}

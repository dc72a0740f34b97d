//! Every bundled scenario: snapshots of its reports, and determinism (same seed, same bytes).

use eventlab::model::Scenario;

use crate::common::{load, redact_version, run_model_traced, snapshot_settings};

/// Runs a model as `eventlab run NAME` would and returns (text report, JSON report, trace).
fn run(model: &Scenario, name: &str) -> (String, String, String) {
    let run = run_model_traced(model, name);
    let (text, json) = (run.text(), run.json());
    (text, json, run.trace.expect("kept"))
}

/// The first line where two traces differ, for a readable failure.
fn first_difference(a: &str, b: &str) -> String {
    for (number, (left, right)) in a.lines().zip(b.lines()).enumerate() {
        if left != right {
            return format!("line {}:\n  first:  {left}\n  second: {right}", number + 1);
        }
    }
    format!(
        "one trace is a prefix of the other ({} vs {} lines)",
        a.lines().count(),
        b.lines().count()
    )
}

#[test]
fn every_bundled_scenario_report_matches_its_snapshot() {
    snapshot_settings().bind(|| {
        for name in eventlab::bundled::names() {
            let (text, _, _) = run(&load(name), name);
            insta::assert_snapshot!(format!("{name}.text"), redact_version(&text));
        }
    });
}

#[test]
fn hello_log_json_report_matches_its_snapshot() {
    snapshot_settings().bind(|| {
        let (_, json, _) = run(&load("hello-log"), "hello-log");
        insta::assert_snapshot!("hello-log.json", redact_version(&json));
    });
}

// Issue 4: the JSON report shows the CreatePartitions and the keys that moved.
#[test]
fn adding_partitions_moves_keys_json_report_matches_its_snapshot() {
    snapshot_settings().bind(|| {
        let name = "adding-partitions-moves-keys";
        let (_, json, _) = run(&load(name), name);
        insta::assert_snapshot!(format!("{name}.json"), redact_version(&json));
    });
}

#[test]
fn every_bundled_scenario_gives_the_same_bytes_twice() {
    for name in eventlab::bundled::names() {
        let model = load(name);
        let first = run(&model, name);
        let second = run(&model, name);
        assert_eq!(first.0, second.0, "{name}: text reports differ");
        assert_eq!(first.1, second.1, "{name}: JSON reports differ");
        assert!(
            first.2 == second.2,
            "{name}: traces differ at {}",
            first_difference(&first.2, &second.2)
        );
    }
}

#[test]
fn three_seeds_repeated_three_times_give_exactly_three_traces() {
    let mut traces = std::collections::BTreeSet::new();
    for seed in [1, 2, 3] {
        for _ in 0..3 {
            let mut model = load("hello-log");
            model.seed = seed;
            traces.insert(run(&model, "hello-log").2);
        }
    }
    assert_eq!(traces.len(), 3);
}

#[test]
fn the_trace_starts_with_a_header_naming_format_scenario_and_seed() {
    let (_, _, trace) = run(&load("hello-log"), "hello-log");
    let header = trace.lines().next().expect("a header line");
    assert_eq!(
        header,
        r#"{"trace_format":1,"scenario":"hello-log","seed":42}"#
    );
    for line in trace.lines().skip(1) {
        assert!(line.starts_with(r#"{"time_us":"#), "{line}");
        let value: serde_json::Value =
            serde_json::from_str(line).expect("every trace line is JSON");
        assert!(
            value["actor"].is_string() && value["kind"].is_string(),
            "{line}"
        );
    }
}

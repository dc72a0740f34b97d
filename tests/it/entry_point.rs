//! The library entry point `run::run_scenario` against the binary: with the same settings it
//! gives the bytes `eventlab run` prints and the trace `eventlab run --trace` writes, and a bad
//! scenario comes back as error values.

use eventlab::run::{RunOptions, run_scenario};
use eventlab::sim::SimTime;

use crate::common::{eventlab_in, scratch_dir};

/// `eventlab run ARGS` in `dir`: (stdout, the trace file if `--trace t.jsonl` was given).
fn cli_run(dir: &std::path::Path, args: &[&str]) -> (String, Option<String>) {
    let output = eventlab_in(dir)
        .arg("run")
        .args(args)
        .output()
        .expect("run eventlab");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 stdout");
    let trace = std::fs::read_to_string(dir.join("t.jsonl")).ok();
    (stdout, trace)
}

#[test]
fn default_options_give_what_eventlab_run_prints_and_writes() {
    let dir = scratch_dir("entry_point_default");
    let text = eventlab::bundled::find("hello-log").expect("bundled");
    let options = RunOptions {
        trace: true,
        ..RunOptions::default()
    };
    let run = run_scenario(text, "hello-log", options).expect("valid");
    let (stdout, trace) = cli_run(&dir, &["hello-log", "--trace", "t.jsonl"]);
    assert_eq!(run.text(), stdout);
    assert_eq!(run.trace, trace);
    let (json, _) = cli_run(&dir, &["hello-log", "--format", "json"]);
    assert_eq!(run.json(), json);
}

#[test]
fn seed_until_and_trace_window_match_the_flags_and_the_reproduce_line_names_them() {
    let dir = scratch_dir("entry_point_flags");
    let text = eventlab::bundled::find("hello-log").expect("bundled");
    let options = RunOptions {
        seed: Some(7),
        until: Some(SimTime(100_000)),
        trace_window_us: Some((10_000, 25_000)),
        trace: true,
        ..RunOptions::default()
    };
    let run = run_scenario(text, "hello-log", options).expect("valid");
    assert!(
        run.text()
            .contains("reproduce with: eventlab run hello-log --seed 7 --until 100000us\n"),
        "{}",
        run.text()
    );
    let (stdout, trace) = cli_run(
        &dir,
        &[
            "hello-log",
            "--seed",
            "7",
            "--until",
            "100ms",
            "--trace",
            "t.jsonl",
            "--trace-window",
            "10ms..25ms",
        ],
    );
    assert_eq!(run.text(), stdout);
    assert_eq!(run.trace, trace);
    assert!(
        run.trace_events().next().is_some(),
        "the window holds events"
    );
}

#[test]
fn a_bad_scenario_comes_back_as_error_values_and_no_trace_is_kept_unless_asked() {
    let errors = run_scenario("{", "bad.json", RunOptions::default()).expect_err("invalid");
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].starts_with("bad.json: "), "{messages:?}");

    let text = eventlab::bundled::find("hello-log").expect("bundled");
    let run = run_scenario(text, "hello-log", RunOptions::default()).expect("valid");
    assert_eq!(run.trace, None);
}

//! Every bundled scenario: snapshots of its reports, diagrams and (for the queue lessons)
//! compare output, and determinism (same seed, same bytes).

use eventlab::cli::topology::{DiagramFormat, diagram_text};
use eventlab::collect::pictures::PictureOptions;
use eventlab::compare::compare;
use eventlab::model::Scenario;
use eventlab::run::{RunOptions, run_scenario};

use crate::common::{load, redact_version, run_model_traced, snapshot_settings};

/// Runs a model as `eventlab run NAME` would and returns (text report, JSON report, trace,
/// Markdown report).
fn run(model: &Scenario, name: &str) -> (String, String, String, String) {
    let run = run_model_traced(model, name);
    let (text, json) = (run.text(), run.json());
    let markdown = run.markdown.expect("asked for").page;
    (text, json, run.trace.expect("kept"), markdown)
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

/// The bundled scenarios whose `eventlab compare` output is snapshotted: the queue lessons.
const QUEUE_LESSONS: [&str; 8] = [
    "queue-vs-log-orders",
    "requeue-reorders",
    "replay-needs-a-log",
    "dead-letters",
    "prefetch-and-slow-consumers",
    "network-partition-queue-vs-log",
    "consumer-crash-at-least-once",
    "slow-consumer-backpressure",
];

const DIAGRAM_FORMATS: [(DiagramFormat, &str); 4] = [
    (DiagramFormat::Mermaid, "mermaid"),
    (DiagramFormat::Dot, "dot"),
    (DiagramFormat::Json, "json"),
    (DiagramFormat::Markdown, "markdown"),
];

/// One view (the business view, or one service's) in every diagram format.
fn all_formats(model: &Scenario, service: Option<&str>) -> String {
    let mut out = String::new();
    for (format, name) in DIAGRAM_FORMATS {
        out.push_str(&format!("===== {name}\n"));
        out.push_str(&diagram_text(model, service, format).expect("known service"));
    }
    out
}

/// Every bundled scenario file (`scenarios/*.json`, the files `bundled` embeds), one snapshot
/// per output: the text and JSON reports of `eventlab run NAME`, the business diagram and each
/// service's diagram (named by the service) in every format, and for the queue lessons
/// `eventlab compare NAME` as text and Markdown. Files are named `<output>@<scenario>.json.snap`
/// and record their input file. All of it is one `glob!`, so a mismatch is reported with every
/// other (insta keeps one process-wide stack of glob results, so two `glob!`s running on parallel
/// test threads could count each other's failures).
#[test]
fn every_bundled_scenario_matches_its_snapshots() {
    snapshot_settings().bind(|| {
        insta::glob!("../../scenarios", "*.json", |path| {
            let name = path
                .file_stem()
                .and_then(|stem| stem.to_str())
                .expect("a scenario file name");
            let text = std::fs::read_to_string(path).expect("a readable scenario file");
            assert_eq!(eventlab::bundled::find(name), Some(text.as_str()), "{name}");
            let options = RunOptions {
                pictures: Some(PictureOptions::default()),
                ..RunOptions::default()
            };
            let run = run_scenario(&text, name, options).expect("bundled scenarios are valid");
            insta::assert_snapshot!("text", redact_version(&run.text()));
            insta::assert_snapshot!("json", redact_version(&run.json()));
            let markdown = run.markdown.expect("asked for").page;
            insta::assert_snapshot!("markdown", redact_version(&markdown));

            let model = load(name);
            insta::assert_snapshot!("diagram-business", all_formats(&model, None));
            for service in &model.services {
                insta::assert_snapshot!(
                    format!("diagram-service-{}", service.name),
                    all_formats(&model, Some(&service.name))
                );
            }

            if QUEUE_LESSONS.contains(&name) {
                let reproduce = format!("eventlab compare {name} --seed {}", model.seed);
                let report = compare(&model, &reproduce).report;
                let text = eventlab::report::compare::render_text(&report);
                insta::assert_snapshot!("compare-text", redact_version(&text));
                let markdown = eventlab::report::compare::render_markdown(&report);
                insta::assert_snapshot!("compare-md", redact_version(&markdown));
            }
        });
    });
}

#[test]
fn every_queue_lesson_is_a_bundled_scenario() {
    for name in QUEUE_LESSONS {
        assert!(eventlab::bundled::find(name).is_some(), "{name}");
    }
}

#[test]
fn every_bundled_scenario_gives_the_same_bytes_twice() {
    for name in eventlab::bundled::names() {
        let model = load(name);
        let first = run(&model, name);
        let second = run(&model, name);
        assert_eq!(first.0, second.0, "{name}: text reports differ");
        assert_eq!(first.1, second.1, "{name}: JSON reports differ");
        assert_eq!(first.3, second.3, "{name}: Markdown reports differ");
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
    let (_, _, trace, _) = run(&load("hello-log"), "hello-log");
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

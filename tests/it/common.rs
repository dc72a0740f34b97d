//! What the integration tests share: running scenario text through the library entry point
//! (a thin layer over `eventlab::run`, not a second harness), the one place snapshot settings
//! are made, the gate for slow tests, and for the CLI tests a scratch directory and the binary.

use std::io::Write;
use std::path::{Path, PathBuf};

use eventlab::model::Scenario;
use eventlab::run::{RunOptions, ScenarioRun, run_model, run_scenario};

/// The settings every snapshot is taken with: the top-level `snapshots/` directory, names
/// without the test module's prefix.
pub fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings
}

/// The crate version is the one thing in a report meant to vary between releases.
pub fn redact_version(text: &str) -> String {
    text.replace(env!("CARGO_PKG_VERSION"), "[version]")
}

/// A bundled scenario, validated.
pub fn load(name: &str) -> Scenario {
    let text = eventlab::bundled::find(name).expect("bundled scenario");
    eventlab::scenario::parse_and_validate(text, name).expect("bundled scenarios are valid")
}

/// Runs scenario `text` (which must be valid) with its trace kept.
#[track_caller]
pub fn run_traced(text: &str, origin: &str) -> ScenarioRun {
    let options = RunOptions {
        trace: true,
        ..RunOptions::default()
    };
    run_scenario(text, origin, options)
        .unwrap_or_else(|errors| panic!("{origin} is not a valid scenario: {errors:?}"))
}

/// Runs a validated model with its trace kept.
pub fn run_model_traced(model: &Scenario, origin: &str) -> ScenarioRun {
    let options = RunOptions {
        trace: true,
        pictures: Some(Default::default()),
        ..RunOptions::default()
    };
    run_model(model, origin, &options)
}

/// The trace's event lines (header left out), each parsed as JSON.
pub fn trace_json(run: &ScenarioRun) -> Vec<serde_json::Value> {
    run.trace_events()
        .map(|line| serde_json::from_str(line).expect("every trace line is JSON"))
        .collect()
}

/// Whether the slow tests run: only with `EVENTLAB_SLOW_TESTS=1` (CI sets it). Otherwise says
/// on stderr, past the test harness's capture, which test was skipped and how to run it.
pub fn slow_tests_enabled(test: &str) -> bool {
    if std::env::var("EVENTLAB_SLOW_TESTS").as_deref() == Ok("1") {
        return true;
    }
    // One write, so the line does not interleave with the test harness's own output.
    let line = format!("skipped slow test {test}: run it with EVENTLAB_SLOW_TESTS=1 cargo test\n");
    let _ = std::io::stderr().write_all(line.as_bytes());
    false
}

/// A fresh, empty directory under the system temp dir, named after the test (and this process,
/// so concurrent `cargo test` runs do not collide).
pub fn scratch_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("eventlab-tests-{}", std::process::id()))
        .join(test);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("remove old scratch dir");
    }
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Writes `text` to `dir/name`.
pub fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write scenario file");
}

/// `eventlab` (the binary under test), run in `dir`.
pub fn eventlab_in(dir: &Path) -> assert_cmd::Command {
    let mut command = assert_cmd::Command::cargo_bin("eventlab").expect("the eventlab binary");
    command.current_dir(dir);
    command
}

//! The library entry point: scenario text in, a finished run out (`run_scenario`).
//!
//! It parses, validates and simulates, and hands back what tests, benches and tools need: the
//! report (rendered as text or JSON on demand), why the run stopped, the kernel's counters and,
//! when asked, the JSON Lines trace exactly as `eventlab run --trace` writes it. Scenario errors
//! come back as values. It is not the CLI: it reads no file, prints nothing, catches no panic and
//! turns no stop reason into an exit code; `cli` does those.

use crate::collect::pictures::{PictureOptions, Pictures};
use crate::model::Scenario;
use crate::report::RunReport;
use crate::report::markdown::MarkdownReport;
use crate::scenario::{self, ScenarioError};
use crate::sim::{KernelStats, SimTime, StopReason};
use crate::simulate::simulate;

/// How to run a scenario; `RunOptions::default()` runs it as `eventlab run FILE` does.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Replaces the scenario's own seed (`--seed`).
    pub seed: Option<u64>,
    /// Stop at this time at the latest (`--until`), on top of the scenario's own `stop`.
    pub until: Option<SimTime>,
    /// The command line printed first in the report; when `None`, the one `eventlab run` would
    /// print: `eventlab run ORIGIN --seed SEED`, plus `--until Nus` when `until` is set.
    pub reproduce: Option<String>,
    /// Only trace events with `FROM <= time_us <= TO` (`--trace-window`).
    pub trace_window_us: Option<(u64, u64)>,
    /// Keep the JSON Lines trace in memory (`--trace`).
    pub trace: bool,
    /// List every log partition's segments and records in the report (`--logs`).
    pub logs: bool,
    /// Gather the pictures the Markdown report draws (`--format markdown`).
    pub pictures: Option<PictureOptions>,
}

/// A finished run.
#[derive(Debug)]
pub struct ScenarioRun {
    pub report: RunReport,
    /// Why the run stopped; a `StopReason::Limit` is what `eventlab run` exits 1 for.
    pub stop: StopReason,
    pub kernel: KernelStats,
    /// The JSON Lines trace (header line first), when `RunOptions::trace` asked for it.
    pub trace: Option<String>,
    /// The pictures of the run, when `RunOptions::pictures` asked for them.
    pub pictures: Option<Pictures>,
    /// The Markdown report (`--format markdown`) and its diagrams, drawn from the pictures.
    pub markdown: Option<MarkdownReport>,
}

impl ScenarioRun {
    /// The report as `eventlab run --format text` prints it.
    pub fn text(&self) -> String {
        crate::report::text::render(&self.report)
    }

    /// The report as `eventlab run --format json` prints it.
    pub fn json(&self) -> String {
        crate::report::json::render(&self.report)
    }

    /// The trace's event lines, without the header line.
    ///
    /// # Panics
    /// When the run was made without `RunOptions::trace`: asking for a trace that was never
    /// kept is a mistake in the caller.
    pub fn trace_events(&self) -> impl Iterator<Item = &str> {
        self.trace
            .as_deref()
            .expect("the trace is kept only when RunOptions::trace is set")
            .lines()
            .skip(1)
    }
}

/// Parses, validates and runs scenario `text`; `origin` names it in error messages and in the
/// derived reproduce line.
///
/// ```
/// use eventlab::run::{RunOptions, run_scenario};
///
/// let text = eventlab::bundled::find("hello-log").expect("a bundled scenario");
/// let run = run_scenario(text, "hello-log", RunOptions { seed: Some(7), ..RunOptions::default() })
///     .expect("the bundled scenarios are valid");
/// assert!(run.text().contains("eventlab run hello-log --seed 7"));
/// ```
pub fn run_scenario(
    text: &str,
    origin: &str,
    options: RunOptions,
) -> Result<ScenarioRun, Vec<ScenarioError>> {
    let mut model = scenario::parse_and_validate(text, origin)?;
    // The model is ours: set the seed in place rather than have `run_model` copy it.
    if let Some(seed) = options.seed {
        model.seed = seed;
    }
    Ok(run_model(&model, origin, &options))
}

/// Runs longer than this many events get no trace lines under their findings (finding them
/// means running again with the trace kept).
pub const EVIDENCE_EVENTS_MAX: u64 = 5_000_000;

/// The trace lines that show each finding of `report` (first lost, first duplicate, first
/// inversions): the run again with its trace kept — the same scenario and seed give the same
/// events — and the lines about each finding's record picked out. Nothing when there is no
/// such finding, or the run had more than `EVIDENCE_EVENTS_MAX` events.
pub fn evidence(
    model: &Scenario,
    report: &crate::report::RunReport,
    until: Option<SimTime>,
) -> Vec<crate::report::evidence::Evidence> {
    let wanted = crate::report::evidence::wanted(report);
    if wanted.is_empty() || report.outcome.events > EVIDENCE_EVENTS_MAX {
        return Vec::new();
    }
    let options = crate::simulate::RunOptions {
        until,
        ..Default::default()
    };
    let mut trace = Vec::new();
    simulate(model, &options, Some(&mut trace)).expect("writing the trace to memory cannot fail");
    let trace = String::from_utf8(trace).expect("the trace writer writes UTF-8");
    crate::report::evidence::collect(wanted, &trace)
}

/// Runs an already validated scenario (for callers that change the model first, as `compare`
/// does when it moves every stream to one carrier).
pub fn run_model(model: &Scenario, origin: &str, options: &RunOptions) -> ScenarioRun {
    let reseeded;
    let model = match options.seed {
        Some(seed) if seed != model.seed => {
            reseeded = Scenario {
                seed,
                ..model.clone()
            };
            &reseeded
        }
        _ => model,
    };
    let reproduce = options.reproduce.clone().unwrap_or_else(|| {
        let mut line = format!("eventlab run {origin} --seed {}", model.seed);
        if let Some(until) = options.until {
            line.push_str(&format!(" --until {}us", until.0));
        }
        line
    });
    let simulate_options = crate::simulate::RunOptions {
        until: options.until,
        reproduce,
        trace_window_us: options.trace_window_us,
        logs: options.logs,
        pictures: options.pictures.clone(),
    };
    let (run, trace) = if options.trace {
        let mut trace = Vec::new();
        let run = simulate(model, &simulate_options, Some(&mut trace))
            .expect("writing the trace to memory cannot fail");
        let trace = String::from_utf8(trace).expect("the trace writer writes UTF-8");
        (run, Some(trace))
    } else {
        let run = simulate(model, &simulate_options, None::<std::io::Sink>)
            .expect("without a trace there is no I/O to fail");
        (run, None)
    };
    let markdown = run.pictures.as_ref().map(|pictures| {
        let evidence = evidence(model, &run.report, options.until);
        crate::report::markdown::render(model, &run.report, pictures, &evidence)
    });
    ScenarioRun {
        report: run.report,
        stop: run.stop,
        kernel: run.kernel,
        trace,
        markdown,
        pictures: run.pictures,
    }
}

//! `eventlab compare SCENARIO [--seed N] [--format text|json|markdown]`: the scenario once with
//! every stream on the log and once on the queue, side by side. Exit 0 when both runs complete
//! (differences are findings, not failures); 1 when either hit a limit; 2 for a bad scenario;
//! 3 for a bug.

use clap::ValueEnum;

use super::{Failure, print};

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// A scenario file, or the name of a bundled scenario (see `eventlab scenarios`).
    pub scenario: String,
    /// The seed for every random draw; overrides the scenario's `seed`.
    #[arg(long)]
    pub seed: Option<u64>,
    /// `text` (aligned table), `json` (stable keys, raw microseconds) or `markdown` (a table
    /// per stream and an explanation of each difference for learners).
    #[arg(long, value_enum, default_value_t = CompareFormat::Text)]
    pub format: CompareFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CompareFormat {
    Text,
    Json,
    Markdown,
}

pub fn run(args: &CompareArgs) -> Result<u8, Failure> {
    let model = super::load_model(&args.scenario, args.seed)?;
    let reproduce = format!("eventlab compare {} --seed {}", args.scenario, model.seed);
    let comparison =
        super::catch_internal_error(&reproduce, || crate::compare::compare(&model, &reproduce))?;
    let report = &comparison.report;
    let rendered = match args.format {
        CompareFormat::Text => crate::report::compare::render_text(report),
        CompareFormat::Json => crate::report::compare::render_json(report),
        CompareFormat::Markdown => crate::report::compare::render_markdown(report),
    };
    print(&rendered)?;
    for (name, run) in [("log", &comparison.log), ("queue", &comparison.queue)] {
        if let crate::sim::StopReason::Limit { limit, value } = run.stop {
            return Err(Failure::Message {
                code: 1,
                message: super::limit_message(&format!("the {name} run"), limit, value),
            });
        }
    }
    Ok(0)
}

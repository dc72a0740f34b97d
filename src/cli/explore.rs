//! `eventlab explore SCENARIO --seeds A..B [--jobs N] [--shard I/N] [--shrink]` and
//! `eventlab explore-merge FILES…`: the terminal side of `crate::explore` — reading the
//! scenario and the shard files, the progress bar (only when stderr is a terminal), printing the
//! summary and choosing the exit code. Exit 0 when every seed met every expectation (and always
//! for a shard: its findings are data for the merge), 1 when some seed failed, 2 for bad input.

use std::io::IsTerminal;

use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{Failure, print};
use crate::explore::{self, ExploreOptions, ExploreSummary, SeedRange, Shard};

/// The `explore-merge` subcommand's help after the options.
pub const MERGE_HELP: &str = "\
The merged summary is byte for byte the summary one `explore` over the whole range prints.

Examples:
  eventlab explore auto-commit-crash --seeds 0..300 --shard 1/3 > shard-1.json
  eventlab explore auto-commit-crash --seeds 0..300 --shard 2/3 > shard-2.json
  eventlab explore auto-commit-crash --seeds 0..300 --shard 3/3 > shard-3.json
  eventlab explore-merge shard-1.json shard-2.json shard-3.json";

pub const EXPLORE_HELP: &str = "\
Every seed runs single-threaded and deterministic; the runs are spread over --jobs threads
(default: one per core). The summary (seeds run, the seeds that broke each expectation with the
first counterexample, the smallest failing seed and the command that replays it) is the same
whatever --jobs is. Safety (lost, duplicated, reordered, a table unlike its log) is listed apart
from availability (lag, latency, not drained, a limit hit).

--shard I/N runs every N-th seed of the range starting with the I-th and prints its summary as
JSON; `eventlab explore-merge` combines the N shard files into exactly the summary of one run
(see docs/explore-at-scale.md for Kubernetes, Slurm and GNU parallel).

--shrink reduces the smallest failing seed's faults (drawn times fixed) to a minimal set that
still breaks the same expectation, and prints it as a \"faults\" fragment to paste in place of
the scenario's.

Examples:
  eventlab explore auto-commit-crash --seeds 0..100
  eventlab explore auto-commit-crash --seeds 0..10000 --jobs 2 --shrink
  eventlab explore auto-commit-crash --seeds 0..10000 --shard 3/8 > shard-3.json
  eventlab explore-merge shard-*.json

Exit codes: 0 every seed passed (a shard: always), 1 some seed failed, 2 bad input.";

#[derive(Debug, clap::Args)]
pub struct ExploreArgs {
    /// A scenario file, or the name of a bundled scenario (see `eventlab scenarios`).
    pub scenario: String,
    /// The seeds: `A..B` (B excluded) or `A..=B`.
    #[arg(long, value_parser = SeedRange::parse, value_name = "A..B")]
    pub seeds: SeedRange,
    /// Threads running seeds (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub jobs: Option<u32>,
    /// Run only shard I of N (1-based) and print its JSON summary for `explore-merge`.
    #[arg(long, value_parser = Shard::parse, value_name = "I/N", conflicts_with = "shrink")]
    pub shard: Option<Shard>,
    /// Reduce the smallest failing seed's faults to a minimal set that still fails.
    #[arg(long)]
    pub shrink: bool,
    /// `text` for people, `json` for tools (the shard format). A shard prints JSON.
    #[arg(long, value_enum, default_value_t = ExploreFormat::Text)]
    pub format: ExploreFormat,
}

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Shard summaries written by `eventlab explore --shard I/N`, every I of one N.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    /// `text` for people, `json` for tools.
    #[arg(long, value_enum, default_value_t = ExploreFormat::Text)]
    pub format: ExploreFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExploreFormat {
    Text,
    Json,
}

/// A progress bar on stderr when it is a terminal; hidden otherwise.
fn progress_bar(seeds: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(seeds), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} seeds, {per_sec}, eta {eta}")
    {
        bar.set_style(style);
    }
    bar
}

pub fn run(args: &ExploreArgs) -> Result<u8, Failure> {
    let (origin, text) = super::load(&args.scenario)?;
    let model = crate::scenario::parse_and_validate(&text, &origin)
        .map_err(|errors| super::scenario_errors(&errors))?;
    let digest = crate::sim::rng::fnv1a64(text.as_bytes());
    let options = ExploreOptions {
        seeds: args.seeds,
        shard: args.shard,
        jobs: args.jobs.map(|jobs| jobs as usize),
    };
    let total = match args.shard {
        Some(shard) => shard.seeds(args.seeds).count() as u64,
        None => args.seeds.len(),
    };
    let bar = progress_bar(total);
    let reproduce = format!(
        "eventlab explore {origin} --seeds {}..{}",
        args.seeds.from, args.seeds.to
    );
    let summary = super::catch_internal_error(&reproduce, || {
        explore::explore(&model, &origin, digest, &options, &|| bar.inc(1))
    })?
    .map_err(Failure::usage)?;
    bar.finish_and_clear();
    if args.shard.is_some() {
        print(&summary.json())?;
        return Ok(0);
    }
    print(&render(&summary, args.format))?;
    if args.shrink {
        shrink(&model, &origin, &summary)?;
    }
    Ok(if summary.passed() { 0 } else { 1 })
}

fn render(summary: &ExploreSummary, format: ExploreFormat) -> String {
    match format {
        ExploreFormat::Text => summary.text(),
        ExploreFormat::Json => summary.json(),
    }
}

/// Prints the shrunk faults of the smallest seed that broke an expectation.
fn shrink(
    model: &crate::model::Scenario,
    origin: &str,
    summary: &ExploreSummary,
) -> Result<(), Failure> {
    let seed = summary
        .expectations
        .iter()
        .filter_map(|tally| tally.tally.smallest_seed)
        .min();
    let Some(seed) = seed else {
        return print("shrink: no seed broke an expectation, so there is nothing to shrink\n");
    };
    let reproduce = format!("eventlab explore {origin} --seeds {seed}..={seed} --shrink");
    let shrunk =
        super::catch_internal_error(&reproduce, || explore::shrink::shrink(model, origin, seed))?;
    let Some(shrunk) = shrunk else {
        return print(&format!("shrink: seed {seed} breaks no expectation\n"));
    };
    let (check, stream) = crate::report::expect::check_of(&model.expects[shrunk.expect]);
    print(&format!(
        "shrunk seed {seed} in {} runs: expect {check} on \"{}\" still breaks with {} of its \
         faults ({} in the scenario), times fixed:\n{}\nreplay: put this in place of the \
         scenario's \"faults\", then eventlab run FILE --seed {seed}\n",
        shrunk.runs,
        model.stream(stream).name,
        shrunk.faults.len(),
        model.faults.len(),
        explore::shrink::fragment(model, &shrunk.faults),
    ))
}

pub fn merge(args: &MergeArgs) -> Result<u8, Failure> {
    let mut shards = Vec::with_capacity(args.files.len());
    for file in &args.files {
        let text = std::fs::read_to_string(file)
            .map_err(|error| Failure::usage(format!("{file}: cannot read: {error}")))?;
        shards.push((file.clone(), text));
    }
    let summary = explore::merge(&shards).map_err(|error| Failure::usage(error.0))?;
    print(&render(&summary, args.format))?;
    Ok(if summary.passed() { 0 } else { 1 })
}

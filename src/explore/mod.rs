//! `eventlab explore`: one scenario run over a range of seeds, each run single-threaded and
//! deterministic, the runs spread over cores (rayon), and a summary of which seeds broke which
//! expectation — the smallest failing seed first, with the command that replays it.
//!
//! The summary is a function of the scenario and the seed range alone: runs are collected in
//! seed order whatever the number of threads, and a shard (`--shard I/N`) is a fixed slice of the
//! range, so shards merged (`summary::merge`) give exactly the summary of one run. This module
//! holds no file, terminal or clock: the CLI reads the scenario, draws the progress bar and
//! writes the files. `shrink.rs` reduces a failing seed's faults to a minimal set.

pub mod shrink;
pub mod summary;

use rayon::prelude::*;

use crate::model::Scenario;
use crate::run::{RunOptions, run_model};
use crate::sim::StopReason;

pub use summary::{ExploreSummary, MergeError, Shard, merge};

/// A half-open range of seeds, `from..to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SeedRange {
    pub from: u64,
    pub to: u64,
}

impl SeedRange {
    /// Parses `A..B` (B excluded) or `A..=B` (B included).
    pub fn parse(text: &str) -> Result<SeedRange, String> {
        let bad = || format!("\"{text}\" is not a seed range: write A..B (B excluded) or A..=B");
        let (from, to) = text.split_once("..").ok_or_else(bad)?;
        let from: u64 = from.trim().parse().map_err(|_| bad())?;
        let to = match to.strip_prefix('=') {
            Some(last) => last
                .trim()
                .parse::<u64>()
                .map_err(|_| bad())?
                .checked_add(1)
                .ok_or_else(bad)?,
            None => to.trim().parse().map_err(|_| bad())?,
        };
        if to <= from {
            return Err(format!(
                "\"{text}\" holds no seed: the end must be past the start"
            ));
        }
        Ok(SeedRange { from, to })
    }

    pub fn len(&self) -> u64 {
        self.to - self.from
    }

    pub fn is_empty(&self) -> bool {
        self.to <= self.from
    }
}

/// What one seed's run broke.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedOutcome {
    pub seed: u64,
    /// Per expectation of the scenario (in its order): the reason it broke, if it did.
    pub broken: Vec<Option<String>>,
    /// The limit the run hit, if it hit one (`limits.events_max = 100`).
    pub limit: Option<String>,
}

impl SeedOutcome {
    pub fn failed(&self) -> bool {
        self.limit.is_some() || self.broken.iter().any(Option::is_some)
    }
}

/// Runs `model` with `seed` and judges it.
pub fn run_seed(model: &Scenario, origin: &str, seed: u64) -> SeedOutcome {
    let options = RunOptions {
        seed: Some(seed),
        ..RunOptions::default()
    };
    let run = run_model(model, origin, &options);
    let broken = run
        .report
        .expect
        .iter()
        .map(|outcome| (!outcome.passed).then(|| outcome.detail.clone()))
        .collect();
    let limit = match run.stop {
        StopReason::Limit { limit, value } => Some(format!("{limit} = {value}")),
        _ => None,
    };
    SeedOutcome {
        seed,
        broken,
        limit,
    }
}

/// How to explore.
#[derive(Clone, Copy, Debug)]
pub struct ExploreOptions {
    pub seeds: SeedRange,
    /// Run only this slice of the seeds.
    pub shard: Option<Shard>,
    /// Threads; `None` lets rayon choose (one per core).
    pub jobs: Option<usize>,
}

/// Runs every seed of the options' range (or shard) and summarizes. `origin` names the
/// scenario as the replay command must (a file path or a bundled name); `digest` identifies
/// its text, so shards of different scenarios cannot be merged. `progress` is called once per
/// seed finished, from the worker threads.
pub fn explore(
    model: &Scenario,
    origin: &str,
    digest: u64,
    options: &ExploreOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<ExploreSummary, String> {
    let seeds: Vec<u64> = match options.shard {
        Some(shard) => shard.seeds(options.seeds).collect(),
        None => (options.seeds.from..options.seeds.to).collect(),
    };
    let work = || -> Vec<SeedOutcome> {
        seeds
            .par_iter()
            .map(|&seed| {
                let outcome = run_seed(model, origin, seed);
                progress();
                outcome
            })
            .collect()
    };
    let outcomes = match options.jobs {
        Some(jobs) => rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build()
            .map_err(|error| format!("cannot start {jobs} threads: {error}"))?
            .install(work),
        None => work(),
    };
    Ok(ExploreSummary::of_outcomes(
        model,
        origin,
        digest,
        options.seeds,
        options.shard,
        &outcomes,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_ranges_read_as_rust_ranges() {
        assert_eq!(
            SeedRange::parse("0..200"),
            Ok(SeedRange { from: 0, to: 200 })
        );
        assert_eq!(SeedRange::parse("5..=5"), Ok(SeedRange { from: 5, to: 6 }));
        assert!(SeedRange::parse("7..7").is_err());
        assert!(SeedRange::parse("x..3").is_err());
        assert!(SeedRange::parse("12").is_err());
    }
}

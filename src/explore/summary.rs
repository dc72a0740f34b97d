//! The summary of an exploration, as text and JSON, and the merge of shard summaries.
//!
//! One `ExploreSummary` says, for a scenario and a seed range: how many seeds ran, per
//! expectation how many seeds broke it, the smallest of them and what broke there (the first
//! counterexample), the same for run limits, the smallest failing seed overall and the command
//! that replays it. Safety violations (lost, duplicated, reordered, a table that disagrees with
//! its log) are listed apart from unavailability (lag, latency, not drained, a limit). It is
//! built from per-seed outcomes in seed order and holds only counts and minima, so summaries of
//! disjoint shards merge into exactly the summary of the whole range. It is not the explorer
//! (`explore`) and reads no file: the CLI reads shard files and hands their text to `merge`.

use serde::{Deserialize, Serialize};

use super::{SeedOutcome, SeedRange};
use crate::model::Scenario;
use crate::report::expect::{check_of, is_safety};

/// How many failing seeds a summary lists by number (the smallest ones).
pub const FAILING_SEEDS_LISTED: usize = 20;

/// Slice `index` (1-based) of `count`: the seeds `from + k` with `k % count == index - 1`, so
/// every shard gets a share of cheap and costly seeds alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Parses `I/N` with `1 <= I <= N`.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("\"{text}\" is not a shard: write I/N with 1 <= I <= N, e.g. 2/8");
        let (index, count) = text.split_once('/').ok_or_else(bad)?;
        let index: u64 = index.trim().parse().map_err(|_| bad())?;
        let count: u64 = count.trim().parse().map_err(|_| bad())?;
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// This shard's seeds of `range`, in order.
    pub fn seeds(self, range: SeedRange) -> impl Iterator<Item = u64> {
        (range.from..range.to)
            .skip((self.index - 1) as usize)
            .step_by(self.count as usize)
    }
}

/// How many seeds broke one thing, the smallest, and what broke there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub seeds_failed: u64,
    pub smallest_seed: Option<u64>,
    /// What went wrong at the smallest seed.
    pub first_counterexample: Option<String>,
}

impl Tally {
    fn empty() -> Tally {
        Tally {
            seeds_failed: 0,
            smallest_seed: None,
            first_counterexample: None,
        }
    }

    fn add(&mut self, seed: u64, detail: &str) {
        self.seeds_failed += 1;
        if self.smallest_seed.is_none_or(|smallest| seed < smallest) {
            self.smallest_seed = Some(seed);
            self.first_counterexample = Some(detail.to_string());
        }
    }

    fn merge(&mut self, other: &Tally) {
        self.seeds_failed += other.seeds_failed;
        if let (Some(seed), Some(detail)) = (other.smallest_seed, &other.first_counterexample) {
            self.seeds_failed -= 1;
            self.add(seed, detail);
        }
    }
}

/// One expectation's tally.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectTally {
    pub check: String,
    pub stream: String,
    /// `safety` (something wrong happened) or `availability` (something late or undone).
    pub kind: String,
    #[serde(flatten)]
    pub tally: Tally,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExploreSummary {
    /// The scenario as the replay command names it (a file path or a bundled name).
    pub scenario: String,
    /// FNV-1a-64 of the scenario text, in hex: shards of different texts do not merge.
    pub scenario_digest: String,
    pub seeds: SeedRange,
    /// Present in a shard's summary only.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub shard: Option<Shard>,
    pub seeds_run: u64,
    /// Seeds that broke an expectation or hit a limit.
    pub seeds_failed: u64,
    pub expectations: Vec<ExpectTally>,
    /// Runs stopped by a limit (`limits.*`): the run could not finish.
    pub limits: Tally,
    /// The smallest failing seeds, at most `FAILING_SEEDS_LISTED`.
    pub failing_seeds: Vec<u64>,
    pub smallest_failing_seed: Option<u64>,
    /// `eventlab run SCENARIO --seed N` for the smallest failing seed.
    pub replay: Option<String>,
}

/// Why shard summaries cannot be merged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeError(pub String);

impl std::fmt::Display for MergeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl ExploreSummary {
    /// The summary of per-seed `outcomes` (in any order).
    pub fn of_outcomes(
        model: &Scenario,
        origin: &str,
        digest: u64,
        seeds: SeedRange,
        shard: Option<Shard>,
        outcomes: &[SeedOutcome],
    ) -> ExploreSummary {
        let mut summary = ExploreSummary {
            scenario: origin.to_string(),
            scenario_digest: format!("{digest:016x}"),
            seeds,
            shard,
            seeds_run: 0,
            seeds_failed: 0,
            expectations: model
                .expects
                .iter()
                .map(|expect| {
                    let (check, stream) = check_of(expect);
                    ExpectTally {
                        check: check.to_string(),
                        stream: model.stream(stream).name.clone(),
                        kind: if is_safety(expect) {
                            "safety"
                        } else {
                            "availability"
                        }
                        .to_string(),
                        tally: Tally::empty(),
                    }
                })
                .collect(),
            limits: Tally::empty(),
            failing_seeds: Vec::new(),
            smallest_failing_seed: None,
            replay: None,
        };
        for outcome in outcomes {
            summary.seeds_run += 1;
            for (tally, broken) in summary.expectations.iter_mut().zip(&outcome.broken) {
                if let Some(detail) = broken {
                    tally.tally.add(outcome.seed, detail);
                }
            }
            if let Some(limit) = &outcome.limit {
                summary
                    .limits
                    .add(outcome.seed, &format!("stopped at {limit}"));
            }
            if outcome.failed() {
                summary.seeds_failed += 1;
                summary.failing_seeds.push(outcome.seed);
            }
        }
        summary.settle();
        summary
    }

    /// Sorts and trims the failing seeds and derives the smallest one and its replay line.
    fn settle(&mut self) {
        self.failing_seeds.sort_unstable();
        self.failing_seeds.truncate(FAILING_SEEDS_LISTED);
        self.smallest_failing_seed = self.failing_seeds.first().copied();
        self.replay = self
            .smallest_failing_seed
            .map(|seed| replay_line(&self.scenario, seed));
    }

    /// Whether every seed met every expectation and finished.
    pub fn passed(&self) -> bool {
        self.seeds_failed == 0
    }

    /// The summary as JSON (what `--shard` writes and `--format json` prints).
    pub fn json(&self) -> String {
        let mut text =
            serde_json::to_string_pretty(self).expect("a summary of plain fields serializes");
        text.push('\n');
        text
    }

    /// The summary as text for a terminal.
    pub fn text(&self) -> String {
        let mut out = format!(
            "explore {}: seeds {}..{}, {} run{}\n",
            self.scenario,
            self.seeds.from,
            self.seeds.to,
            self.seeds_run,
            self.shard
                .map(|s| format!(" (shard {}/{})", s.index, s.count))
                .unwrap_or_default()
        );
        out.push_str(&format!(
            "seeds that failed: {} of {}\n",
            self.seeds_failed, self.seeds_run
        ));
        if self.expectations.is_empty() {
            out.push_str(
                "the scenario has no \"expect\" entries: only runs that hit a limit fail\n",
            );
        }
        for kind in ["safety", "availability"] {
            let tallies: Vec<&ExpectTally> = self
                .expectations
                .iter()
                .filter(|t| t.kind == kind)
                .collect();
            if tallies.is_empty() && (kind == "safety" || self.limits.seeds_failed == 0) {
                continue;
            }
            out.push_str(&format!("{kind}:\n"));
            for tally in tallies {
                let name = format!("expect {} on \"{}\"", tally.check, tally.stream);
                push_tally(&mut out, &name, &tally.tally);
            }
            if kind == "availability" && self.limits.seeds_failed > 0 {
                push_tally(&mut out, "finished within the limits", &self.limits);
            }
        }
        if !self.failing_seeds.is_empty() {
            let listed: Vec<String> = self.failing_seeds.iter().map(u64::to_string).collect();
            let more = if self.seeds_failed > self.failing_seeds.len() as u64 {
                ", …"
            } else {
                ""
            };
            out.push_str(&format!("failing seeds: {}{more}\n", listed.join(", ")));
        }
        match (&self.smallest_failing_seed, &self.replay) {
            (Some(seed), Some(replay)) => out.push_str(&format!(
                "smallest failing seed: {seed}\nreplay: {replay}\n"
            )),
            _ => out.push_str("every seed met every expectation\n"),
        }
        out
    }
}

fn push_tally(out: &mut String, name: &str, tally: &Tally) {
    match (tally.smallest_seed, &tally.first_counterexample) {
        (Some(seed), Some(detail)) => out.push_str(&format!(
            "  {name}: broken by {} seeds, smallest {seed}\n    seed {seed}: {detail}\n",
            tally.seeds_failed
        )),
        _ => out.push_str(&format!("  {name}: held for every seed\n")),
    }
}

/// The command that replays one seed.
pub fn replay_line(scenario: &str, seed: u64) -> String {
    format!("eventlab run {scenario} --seed {seed}")
}

/// Merges shard summaries (JSON texts, named for messages) into the summary of the whole range:
/// every shard `I/N` of one N, each once, of one scenario text and one seed range.
pub fn merge(shards: &[(String, String)]) -> Result<ExploreSummary, MergeError> {
    let mut parsed = Vec::new();
    for (name, text) in shards {
        let summary: ExploreSummary = serde_json::from_str(text)
            .map_err(|error| MergeError(format!("{name}: not an explore summary: {error}")))?;
        let Some(shard) = summary.shard else {
            return Err(MergeError(format!(
                "{name}: a whole run's summary, not a shard (made without --shard)"
            )));
        };
        parsed.push((name, shard, summary));
    }
    let Some((first_name, first_shard, first)) = parsed.first() else {
        return Err(MergeError("no shard summaries given".to_string()));
    };
    let count = first_shard.count;
    let mut seen = vec![false; count as usize];
    for (name, shard, summary) in &parsed {
        let same = summary.scenario == first.scenario
            && summary.scenario_digest == first.scenario_digest
            && summary.seeds == first.seeds
            && shard.count == count;
        if !same {
            return Err(MergeError(format!(
                "{name}: another exploration than {first_name} (scenario, its text, the seed \
                 range or the shard count differ)"
            )));
        }
        let slot = &mut seen[(shard.index - 1) as usize];
        if *slot {
            return Err(MergeError(format!(
                "{name}: shard {}/{count} is given twice",
                shard.index
            )));
        }
        *slot = true;
    }
    let missing: Vec<String> = (1..=count)
        .filter(|index| !seen[(*index - 1) as usize])
        .map(|index| format!("{index}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(MergeError(format!(
            "shards missing: {} (every shard of {count} is needed for the whole range)",
            missing.join(", ")
        )));
    }
    let mut merged = first.clone();
    merged.shard = None;
    for (_, _, summary) in &parsed[1..] {
        merged.seeds_run += summary.seeds_run;
        merged.seeds_failed += summary.seeds_failed;
        for (into, from) in merged.expectations.iter_mut().zip(&summary.expectations) {
            into.tally.merge(&from.tally);
        }
        merged.limits.merge(&summary.limits);
        merged.failing_seeds.extend(&summary.failing_seeds);
    }
    merged.settle();
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_the_range_into_disjoint_slices() {
        let range = SeedRange { from: 10, to: 20 };
        let mut all: Vec<u64> = (1..=3)
            .flat_map(|index| Shard { index, count: 3 }.seeds(range))
            .collect();
        assert_eq!(
            Shard { index: 2, count: 3 }
                .seeds(range)
                .collect::<Vec<_>>(),
            [11, 14, 17]
        );
        all.sort_unstable();
        assert_eq!(all, (10..20).collect::<Vec<_>>());
        assert_eq!(Shard::parse("2/8"), Ok(Shard { index: 2, count: 8 }));
        assert!(Shard::parse("0/8").is_err());
        assert!(Shard::parse("9/8").is_err());
    }

    #[test]
    fn a_merged_tally_keeps_the_smallest_seed_and_its_counterexample() {
        let mut a = Tally::empty();
        a.add(7, "seven");
        a.add(9, "nine");
        let mut b = Tally::empty();
        b.add(4, "four");
        b.add(12, "twelve");
        a.merge(&b);
        assert_eq!(a.seeds_failed, 4);
        assert_eq!(a.smallest_seed, Some(4));
        assert_eq!(a.first_counterexample.as_deref(), Some("four"));
    }
}

//! `eventlab explore`: the summary does not depend on `--jobs` or the shard split, the design
//! bug of `auto-commit-crash` is found within 100 seeds and its replay line reproduces it, and
//! `--shrink`'s fragment still fails.

use eventlab::explore::{self, ExploreOptions, ExploreSummary, SeedRange, Shard};
use eventlab::run::{RunOptions, run_scenario};

use crate::common::{eventlab_in, scratch_dir, write};

const BUG: &str = "auto-commit-crash";

/// The same bug with 200 payments, for the tests that run hundreds of seeds in a debug build.
const SHORT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/auto-commit-crash-short.json"
);

fn bug_text() -> &'static str {
    eventlab::bundled::find(BUG).expect("bundled")
}

fn explore_bug(seeds: SeedRange, shard: Option<Shard>, jobs: usize) -> ExploreSummary {
    explore_text(BUG, bug_text(), seeds, shard, jobs)
}

fn explore_text(
    origin: &str,
    text: &str,
    seeds: SeedRange,
    shard: Option<Shard>,
    jobs: usize,
) -> ExploreSummary {
    let model = eventlab::scenario::parse_and_validate(text, origin).expect("valid");
    let digest = eventlab::sim::rng::fnv1a64(text.as_bytes());
    let options = ExploreOptions {
        seeds,
        shard,
        jobs: Some(jobs),
    };
    explore::explore(&model, origin, digest, &options, &|| {}).expect("threads start")
}

#[test]
fn the_summary_is_the_same_with_one_or_two_jobs_and_from_three_merged_shards() {
    let text = std::fs::read_to_string(SHORT).expect("fixture");
    let seeds = SeedRange { from: 0, to: 200 };
    let explore_short = |shard, jobs| explore_text(SHORT, &text, seeds, shard, jobs);
    let one = explore_short(None, 1);
    let two = explore_short(None, 2);
    assert!(
        one.seeds_failed > 0,
        "the summaries compared hold failures: {one:?}"
    );
    assert_eq!(one.json(), two.json());
    assert_eq!(one.text(), two.text());
    assert_eq!(one.seeds_run, 200);
    let shards: Vec<(String, String)> = (1..=3)
        .map(|index| {
            let shard = explore_short(Some(Shard { index, count: 3 }), 2);
            (format!("shard-{index}.json"), shard.json())
        })
        .collect();
    let merged = explore::merge(&shards).expect("every shard once");
    assert_eq!(merged.json(), one.json());
    // A missing or repeated shard is refused, naming what is wrong.
    let error = explore::merge(&shards[..2]).expect_err("shard 3 missing");
    assert!(error.0.contains("3/3"), "{error}");
    let twice = [shards[0].clone(), shards[0].clone(), shards[1].clone()];
    assert!(explore::merge(&twice).is_err());
}

#[test]
fn the_design_bug_is_found_within_100_seeds_and_its_replay_line_reproduces_it() {
    let summary = explore_bug(SeedRange { from: 0, to: 100 }, None, 2);
    let seed = summary
        .smallest_failing_seed
        .expect("some seed of 0..100 loses acknowledged records");
    let lost = &summary.expectations[0];
    assert_eq!(
        (lost.check.as_str(), lost.kind.as_str()),
        ("no_loss_acked", "safety")
    );
    assert_eq!(lost.tally.smallest_seed, Some(seed));
    assert!(
        lost.tally.seeds_failed < 100,
        "the bug needs an unlucky crash: {summary:?}"
    );
    let replay = summary.replay.as_deref().expect("a replay line");
    assert_eq!(replay, format!("eventlab run {BUG} --seed {seed}"));
    // The replay line, run: the same expectation breaks with the same counterexample.
    let run = run_scenario(
        bug_text(),
        BUG,
        RunOptions {
            seed: Some(seed),
            ..RunOptions::default()
        },
    )
    .expect("valid");
    assert!(!run.report.expect[0].passed);
    assert_eq!(
        Some(run.report.expect[0].detail.as_str()),
        lost.tally.first_counterexample.as_deref()
    );
    // And the binary exits 1 for it, printing the replay line.
    let dir = scratch_dir("explore_replay");
    let output = eventlab_in(&dir)
        .args(["run", BUG, "--seed", &seed.to_string()])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("expect no_loss_acked on \"payments\" failed"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("replay with: {replay}")),
        "{stderr}"
    );
}

#[test]
fn the_cli_prints_one_summary_whatever_the_jobs_and_merges_its_shards() {
    let dir = scratch_dir("explore_cli");
    let explore = |extra: &[&str]| {
        let output = eventlab_in(&dir)
            .args(["explore", SHORT, "--seeds", "0..100", "--format", "json"])
            .args(extra)
            .output()
            .expect("runs");
        (
            output.status.code(),
            String::from_utf8(output.stdout).expect("UTF-8"),
        )
    };
    let (code, one) = explore(&["--jobs", "1"]);
    assert_eq!(code, Some(1), "some seed of 0..100 fails");
    assert_eq!(explore(&["--jobs", "2"]).1, one);
    let mut files = Vec::new();
    for index in 1..=3 {
        let (shard_code, shard) = explore(&["--shard", &format!("{index}/3")]);
        assert_eq!(shard_code, Some(0), "a shard's findings are data");
        let name = format!("shard-{index}.json");
        write(&dir, &name, &shard);
        files.push(name);
    }
    let merged = eventlab_in(&dir)
        .arg("explore-merge")
        .args(&files)
        .args(["--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(String::from_utf8_lossy(&merged.stdout), one);
    assert_eq!(merged.status.code(), code);
}

#[test]
fn the_shrunk_faults_still_fail() {
    let dir = scratch_dir("explore_shrink");
    let output = eventlab_in(&dir)
        .args(["explore", BUG, "--seeds", "0..100", "--shrink"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    let fragment_start = stdout.find("\"faults\": [").expect("a faults fragment");
    let fragment_end = fragment_start + stdout[fragment_start..].find("\n]").expect("closed") + 2;
    let fragment = &stdout[fragment_start..fragment_end];
    let seed: u64 = stdout
        .split("shrunk seed ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|seed| seed.parse().ok())
        .expect("the shrunk seed");
    // The scenario with its faults replaced by the fragment, run with the seed.
    let mut scenario: serde_json::Value = serde_json::from_str(bug_text()).expect("JSON");
    let faults: serde_json::Value =
        serde_json::from_str(&format!("{{{fragment}}}")).expect("the fragment is JSON");
    assert!(faults["faults"].as_array().expect("a list").len() <= 2);
    scenario["faults"] = faults["faults"].clone();
    let text = serde_json::to_string(&scenario).expect("JSON");
    let run = run_scenario(
        &text,
        "shrunk.json",
        RunOptions {
            seed: Some(seed),
            ..RunOptions::default()
        },
    )
    .expect("the fragment is a valid faults list");
    assert!(!run.report.expect[0].passed, "{}", run.text());
}

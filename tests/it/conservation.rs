//! Conservation and order, stated as properties over generated fault-free scenarios, plus the
//! at-least-once / at-most-once contrast under a crash.

use proptest::prelude::*;

use crate::common::{run_traced, trace_json};

/// The report and the trace's events.
fn run(json: &str) -> (eventlab::report::RunReport, Vec<serde_json::Value>) {
    let run = run_traced(json, "generated.json");
    let events = trace_json(&run);
    (run.report, events)
}

#[derive(Debug, Clone)]
struct Shape {
    seed: u64,
    partition_count: u32,
    producer_instances: u32,
    interval_us: u64,
    records_per_instance: u32,
    key_count: u32,
    jitter_us: u64,
    groups: Vec<(u32, u64, u64)>, // (instances, poll interval ms, max processing µs)
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        any::<u64>(),
        1u32..8,
        1u32..4,
        100u64..5_000,
        1u32..150,
        1u32..40,
        0u64..2_000,
        prop::collection::vec((1u32..5, 1u64..50, 0u64..3_000), 1..3),
    )
        .prop_map(
            |(
                seed,
                partition_count,
                producer_instances,
                interval_us,
                records_per_instance,
                key_count,
                jitter_us,
                groups,
            )| Shape {
                seed,
                partition_count,
                producer_instances,
                interval_us,
                records_per_instance,
                key_count,
                jitter_us,
                groups,
            },
        )
}

fn scenario_json(shape: &Shape) -> String {
    let consumers: Vec<String> = shape
        .groups
        .iter()
        .enumerate()
        .map(|(index, (instances, poll_ms, processing_max))| {
            format!(
                r#"{{"name": "reader{index}", "instance_count": {instances}, "link": {{"latency_us": 300, "jitter_us": {jitter}}},
                   "consumes": [{{"stream": "events", "poll_interval_ms": {poll_ms},
                                  "processing_time_us": {{"uniform": [0, {processing_max}]}},
                                  "kafka": {{"auto.commit.interval.ms": 7}}}}]}}"#,
                jitter = shape.jitter_us,
            )
        })
        .collect();
    format!(
        r#"{{"name": "generated", "seed": {seed},
            "streams": [{{"name": "events", "partition_count": {partitions}}}],
            "services": [
              {{"name": "writer", "instance_count": {producers}, "link": {{"latency_us": 500, "jitter_us": {jitter}}},
                "produces": [{{"stream": "events", "interval_us": {interval}, "arrivals": "poisson", "count": {count},
                               "keys": {{"uniform": {keys}}}}}]}},
              {consumers}
            ]}}"#,
        seed = shape.seed,
        partitions = shape.partition_count,
        producers = shape.producer_instances,
        jitter = shape.jitter_us,
        interval = shape.interval_us,
        count = shape.records_per_instance,
        keys = shape.key_count,
        consumers = consumers.join(",\n"),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_produced_record_is_appended_once_and_consumed_once_per_group(shape in shape()) {
        let (report, _) = run(&scenario_json(&shape));
        prop_assert_eq!(report.outcome.stop.as_str(), "drained");
        let stream = &report.streams[0];
        let produced = u64::from(shape.producer_instances) * u64::from(shape.records_per_instance);
        prop_assert_eq!(stream.produced, produced);
        prop_assert_eq!(stream.appended, produced);
        prop_assert_eq!(stream.in_flight, 0);
        prop_assert_eq!(stream.groups.len(), shape.groups.len());
        for group in &stream.groups {
            prop_assert_eq!(group.consumed, produced, "group {}", group.group);
            prop_assert_eq!(group.consumed_distinct, produced);
            prop_assert_eq!(group.checks.lost, 0);
            prop_assert_eq!(group.checks.duplicated, 0);
            prop_assert_eq!(group.checks.key_order_inversions, 0);
            prop_assert_eq!(group.unconsumed, 0);
        }
    }

    #[test]
    fn offsets_grow_by_one_per_partition_and_each_group_reads_them_in_order(shape in shape()) {
        let (_, trace) = run(&scenario_json(&shape));
        let mut appended: std::collections::BTreeMap<u64, u64> = std::collections::BTreeMap::new();
        let mut consumed: std::collections::BTreeMap<(String, u64), u64> = std::collections::BTreeMap::new();
        let mut key_partition: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
        for event in trace {
            let partition = event["partition"].as_u64().unwrap_or(0);
            match event["kind"].as_str() {
                Some("appended") => {
                    let next = appended.entry(partition).or_insert(0);
                    prop_assert_eq!(event["offset"].as_u64(), Some(*next), "appended offsets are dense");
                    *next += 1;
                }
                Some("consumed") => {
                    let group = event["group"].as_str().expect("group").to_string();
                    let next = consumed.entry((group, partition)).or_insert(0);
                    prop_assert_eq!(event["offset"].as_u64(), Some(*next), "each group reads a partition in offset order");
                    *next += 1;
                }
                Some("produced") => {
                    let key = event["key"].as_str().expect("keyed").to_string();
                    let previous = key_partition.insert(key, partition);
                    prop_assert!(previous.is_none_or(|p| p == partition), "the same key always goes to the same partition");
                }
                _ => {}
            }
        }
    }
}

#[test]
fn a_crash_with_commit_after_processing_duplicates_but_loses_nothing() {
    let (report, _) = run(eventlab::bundled::find("crash-duplicates").expect("bundled"));
    let group = &report.streams[0].groups[0];
    assert!(
        group.checks.duplicated > 0,
        "the crashed member's uncommitted work is done again"
    );
    assert_eq!(group.checks.lost, 0);
    assert_eq!(group.consumed_distinct, report.streams[0].produced);
}

#[test]
fn a_crash_with_commit_before_processing_loses_but_never_duplicates() {
    let (report, _) = run(eventlab::bundled::find("commit-before-processing").expect("bundled"));
    let group = &report.streams[0].groups[0];
    assert!(
        group.checks.lost > 0,
        "records committed but not processed are skipped"
    );
    assert_eq!(group.checks.duplicated, 0);
}

#[test]
fn two_produces_entries_on_one_stream_never_share_a_message_id() {
    let (report, trace) = run(r#"{
        "name": "two-producers-one-stream", "seed": 3,
        "streams": [{ "name": "events", "partition_count": 2 }],
        "services": [
          { "name": "web", "produces": [
              { "stream": "events", "interval_us": 1000, "count": 50, "keys": { "uniform": 5 } },
              { "stream": "events", "interval_us": 1500, "count": 40, "keys": { "uniform": 5 }, "key_prefix": "other-" } ] },
          { "name": "reader", "consumes": [{ "stream": "events", "poll_interval_ms": 5 }] }
        ]}"#);
    let group = &report.streams[0].groups[0];
    assert_eq!(group.consumed_distinct, 90);
    assert_eq!(group.checks.duplicated, 0);
    let ids: std::collections::BTreeSet<String> = trace
        .iter()
        .filter(|event| event["kind"] == "produced")
        .map(|event| event["msg"].to_string())
        .collect();
    assert_eq!(
        ids.len(),
        90,
        "message ids are unique per instance and stream"
    );
}

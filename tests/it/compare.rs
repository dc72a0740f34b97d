//! `eventlab compare`: both runs see the identical produced sequence, the queue lessons show
//! what they promise, and the order property of queue vs log (the lessons' compare snapshots
//! are in `scenarios.rs`).

use eventlab::compare::{compare, with_carrier};
use eventlab::model::{Carrier, Scenario};
use eventlab::run::{RunOptions, run_model};
use proptest::prelude::*;

use crate::common::{load, run_model_traced};

/// The trace lines of records the workload produced (time, producer, message id, key, stream,
/// partition); records a pipeline wrote follow from what each broker delivered and are left out.
fn produced_lines(model: &Scenario) -> Vec<String> {
    let derived: Vec<String> = model
        .streams
        .iter()
        .filter(|stream| model.topology.written_by_pipeline(stream.id))
        .map(|stream| {
            format!(
                r#""stream":{},"#,
                serde_json::to_string(&stream.name).unwrap()
            )
        })
        .collect();
    run_model_traced(model, "compare")
        .trace_events()
        .filter(|line| line.contains(r#""kind":"produced""#))
        .filter(|line| !derived.iter().any(|stream| line.contains(stream.as_str())))
        // The partition is the log's business (the partitioner runs in a Kafka client and may
        // draw for unkeyed records); what must agree is producer, message id, key and time.
        .map(|line| {
            let start = line
                .find(r#","partition":"#)
                .expect("produced lines name a partition");
            let end = start + line[start + 1..].find(',').expect("more fields follow") + 1;
            format!("{}{}", &line[..start], &line[end..])
        })
        .collect()
}

#[test]
fn both_runs_of_compare_see_the_identical_produced_sequence() {
    for name in eventlab::bundled::names() {
        let model = load(name);
        let log = produced_lines(&with_carrier(&model, Carrier::Log));
        let queue = produced_lines(&with_carrier(&model, Carrier::Queue));
        assert!(!log.is_empty(), "{name}: nothing produced");
        assert_eq!(log, queue, "{name}: the produced sequences differ");
        let report = compare(&model, "test").report;
        assert!(
            report
                .streams
                .iter()
                .all(|stream| stream.produced_identical || stream.written_by_pipeline),
            "{name}: the digests disagree with the traces"
        );
    }
}

#[test]
fn the_lessons_show_what_they_promise() {
    let group = |name: &str, index: usize| {
        let report = compare(&load(name), "test").report;
        report.streams[0].groups[index].clone()
    };
    let orders = group("queue-vs-log-orders", 0);
    assert_eq!(orders.log.key_order_inversions, 0);
    assert!(orders.queue.key_order_inversions > 0);
    let requeue = group("requeue-reorders", 0);
    assert_eq!(requeue.queue.redeliveries, 1);
    assert_eq!(
        requeue.queue.first_inversion.as_deref(),
        Some("checkout-0/0")
    );
    let analytics = group("replay-needs-a-log", 1);
    assert_eq!(analytics.log.replay_history, Some(150));
    assert_eq!(analytics.log.replayed, Some(150));
    assert_eq!(analytics.queue.replayed, Some(0));
    let dead = group("dead-letters", 0);
    assert!(dead.queue.dead_lettered > 0);
    assert_eq!(dead.log.delivered, 60);
}

/// Each explanation names the cause the run's figures show, not every cause it could have.
#[test]
fn the_explanations_name_the_cause_each_run_had() {
    let markdown = |name: &str| {
        eventlab::report::compare::render_markdown(&compare(&load(name), "test").report)
    };
    let crash = markdown("consumer-crash-at-least-once");
    assert!(
        crash.contains("because 1 crash closed the connection"),
        "{crash}"
    );
    assert!(crash.contains("after 1 crash the partitions' new owner resumed"));
    assert!(crash.contains("use auto-ack, so the broker forgot each message"));
    let requeue = markdown("requeue-reorders");
    assert!(requeue.contains("nacked or rejected 1 delivery with `requeue=true`"));
    assert!(!requeue.contains("crash closed"), "{requeue}");
    let partition = markdown("network-partition-queue-vs-log");
    assert!(partition.contains("heard no heartbeat for `session.timeout.ms` and removed 1"));
    let dead = markdown("dead-letters");
    assert!(
        dead.contains("rejected without requeue, 2 expired by TTL"),
        "{dead}"
    );
}

/// A queue stream with `consumers` competing consumers (prefetch, processing range) and one
/// producer cycling through `keys` keys.
fn workload(
    seed: u64,
    count: u32,
    keys: u32,
    consumers: u32,
    prefetch: u32,
    processing: (u64, u64),
) -> Scenario {
    let text = format!(
        r#"{{
  "name": "property", "seed": {seed},
  "streams": [ {{ "name": "s", "carrier": "queue", "partition_count": {consumers} }} ],
  "services": [
    {{ "name": "p", "produces": [ {{ "stream": "s", "interval_us": 300, "count": {count}, "keys": {{ "sequential": {keys} }} }} ] }},
    {{ "name": "c", "instance_count": {consumers},
      "consumes": [ {{ "stream": "s", "poll_interval_ms": 2, "processing_time_us": {{ "uniform": [{}, {}] }},
                      "kafka": {{ "auto.commit.interval.ms": 10 }},
                      "rabbitmq": {{ "prefetch_count": {prefetch} }} }} ] }}
  ]
}}"#,
        processing.0, processing.1
    );
    eventlab::scenario::parse_and_validate(&text, "property.json").expect("valid")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// One consumer, no faults: the queue delivers in publish order.
    #[test]
    fn one_queue_consumer_without_faults_delivers_in_publish_order(
        seed in 0u64..1000, count in 1u32..80, keys in 1u32..6, prefetch in 0u32..20,
        min in 0u64..500, spread in 0u64..3000,
    ) {
        let model = workload(seed, count, keys, 1, prefetch, (min, min + spread));
        let report = compare(&model, "p").report;
        let queue = &report.streams[0].groups[0].queue;
        prop_assert_eq!(queue.delivered, u64::from(count));
        prop_assert_eq!(queue.key_order_inversions, 0);
        let run = run_model(&model, "property.json", &RunOptions::default());
        let deliveries = &run.report.queues[0].consumers[0].deliveries;
        let expected: Vec<String> = (0..count).map(|seq| format!("p-0/{seq}")).collect();
        let got: Vec<String> = deliveries.iter().map(|d| d.msg.clone()).collect();
        prop_assert_eq!(got, expected);
    }

    /// Two or more consumers with prefetch > 1 and varying processing time: the log with one
    /// member per partition never breaks per-key order (the queue may; see the next test).
    #[test]
    fn the_log_with_one_member_per_partition_never_breaks_per_key_order(
        seed in 0u64..1000, count in 1u32..120, keys in 1u32..10, consumers in 2u32..5,
        prefetch in 2u32..20, min in 0u64..500, spread in 1u64..4000,
    ) {
        let model = workload(seed, count, keys, consumers, prefetch, (min, min + spread));
        let report = compare(&model, "p").report;
        let group = &report.streams[0].groups[0];
        prop_assert_eq!(group.log.key_order_inversions, 0);
        prop_assert_eq!(group.log.delivered, u64::from(count));
        prop_assert_eq!(group.queue.delivered, u64::from(count));
    }
}

#[test]
fn with_competing_consumers_and_prefetch_the_queue_breaks_per_key_order() {
    let broken = (0..10)
        .filter(|&seed| {
            let model = workload(seed, 100, 4, 3, 10, (100, 3000));
            let group = &compare(&model, "p").report.streams[0].groups[0];
            assert_eq!(group.log.key_order_inversions, 0);
            group.queue.key_order_inversions > 0
        })
        .count();
    assert!(broken >= 5, "only {broken} of 10 seeds broke per-key order");
}

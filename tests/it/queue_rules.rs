//! Rule tests for the queue broker: each RabbitMQ behaviour the issue lists, through scenario
//! files and the JSON report / trace, the way a learner would see it.

use eventlab::report::RunReport;
use serde_json::Value;

use crate::common::{run_traced, trace_json};

/// Runs scenario JSON; returns the report and the trace lines as JSON values.
fn run(text: &str) -> (RunReport, Vec<Value>) {
    let run = run_traced(text, "test.json");
    let events = trace_json(&run);
    (run.report, events)
}

/// A scenario: `count` unkeyed records 1 ms apart (or the given `produces` JSON) on a queue
/// stream with `stream_extra`, consumed by `instances` instances with `consume_extra`.
fn scenario(produces: &str, stream_extra: &str, instances: u32, consume_extra: &str) -> String {
    format!(
        r#"{{
  "name": "rule",
  "streams": [ {{ "name": "jobs", "carrier": "queue" {stream_extra} }}, {{ "name": "dlx", "carrier": "queue" }} ],
  "services": [
    {{ "name": "producer", "link": {{ "latency_us": 0 }}, "produces": [ {produces} ] }},
    {{ "name": "worker", "instance_count": {instances}, "link": {{ "latency_us": 0 }},
      "consumes": [ {{ "stream": "jobs", "processing_time_us": {{ "fixed": 100 }} {consume_extra} }} ] }}
  ]
}}"#
    )
}

fn every_ms(count: u32) -> String {
    format!(r#"{{ "stream": "jobs", "interval_us": 1000, "count": {count} }}"#)
}

/// (msg, redelivered) deliveries of one consumer.
fn deliveries(report: &RunReport, queue: &str, instance: &str) -> Vec<(String, bool)> {
    let queue = report.queues.iter().find(|q| q.name == queue).unwrap();
    queue
        .consumers
        .iter()
        .find(|c| c.instance == instance)
        .map(|c| {
            c.deliveries
                .iter()
                .map(|d| (d.msg.clone(), d.redelivered))
                .collect()
        })
        .unwrap_or_default()
}

fn msgs(seqs: &[u32]) -> Vec<(String, bool)> {
    seqs.iter()
        .map(|seq| (format!("producer-0/{seq}"), false))
        .collect()
}

#[test]
fn prefetch_1_with_two_equal_consumers_alternates() {
    // All six messages are ready before anyone subscribes; each consumer can hold one.
    let text = scenario(
        &format!(
            r#"{{ "stream": "jobs", "records": [ {} ] }}"#,
            (0..6)
                .map(|i| format!(r#"{{ "at_us": {i} }}"#))
                .collect::<Vec<_>>()
                .join(",")
        ),
        "",
        2,
        r#", "rabbitmq": { "prefetch_count": 1, "script": [
            { "instance": 0, "subscribe_at_us": 1000 }, { "instance": 1, "subscribe_at_us": 1000 } ] }"#,
    );
    let (report, _) = run(&text);
    assert_eq!(
        deliveries(&report, "jobs.worker", "worker-0"),
        msgs(&[0, 2, 4])
    );
    assert_eq!(
        deliveries(&report, "jobs.worker", "worker-1"),
        msgs(&[1, 3, 5])
    );
}

#[test]
fn nack_with_requeue_puts_the_message_back_ahead_of_later_ones_as_redelivered() {
    let text = scenario(
        &every_ms(3).replace("\"interval_us\": 1000", "\"interval_us\": 10"),
        "",
        1,
        r#", "rabbitmq": { "prefetch_count": 1, "script": [ { "instance": 0, "subscribe_at_us": 1000, "deliveries": [ { "decision": "nack_requeue" } ] } ] }"#,
    );
    let (report, _) = run(&text);
    assert_eq!(
        deliveries(&report, "jobs.worker", "worker-0"),
        vec![
            ("producer-0/0".to_string(), false),
            ("producer-0/0".to_string(), true),
            ("producer-0/1".to_string(), false),
            ("producer-0/2".to_string(), false),
        ]
    );
}

#[test]
fn a_closed_channel_returns_its_unacked_messages_in_their_original_order() {
    // worker-0 takes three, holds them, and closes its channel after deciding on the third;
    // worker-1 subscribes later and gets them back, in order and redelivered, before message 3.
    let text = scenario(
        &every_ms(4).replace("\"interval_us\": 1000", "\"interval_us\": 10"),
        "",
        2,
        r#", "rabbitmq": { "prefetch_count": 3, "script": [
            { "instance": 0, "subscribe_at_us": 1000, "then": "hold", "close_after_deliveries": 3 },
            { "instance": 1, "subscribe_at_us": 5000 } ] }"#,
    );
    let (report, lines) = run(&text);
    assert_eq!(
        deliveries(&report, "jobs.worker", "worker-0"),
        msgs(&[0, 1, 2])
    );
    assert_eq!(
        deliveries(&report, "jobs.worker", "worker-1"),
        vec![
            ("producer-0/0".to_string(), true),
            ("producer-0/1".to_string(), true),
            ("producer-0/2".to_string(), true),
            ("producer-0/3".to_string(), false),
        ]
    );
    let closed: Vec<&Value> = lines
        .iter()
        .filter(|line| line["kind"] == "channel_closed")
        .collect();
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0]["requeued"], 3);
}

#[test]
fn dead_letters_carry_their_reason() {
    // Six messages arrive in the first 6 µs into a queue of at most 2 (drop-head): 0..3 are
    // pushed out (maxlen). The consumer subscribes at 100 µs, rejects the first it gets
    // (rejected) and acks the second. (Expiry has its own test below.)
    let text = scenario(
        &every_ms(6).replace("\"interval_us\": 1000", "\"interval_us\": 1"),
        r#", "rabbitmq": { "x-message-ttl": 20, "x-max-length": 2, "x-dead-letter-exchange": "dlx" }"#,
        1,
        r#", "rabbitmq": { "prefetch_count": 1, "script": [ { "instance": 0, "subscribe_at_us": 100, "deliveries": [
            { "processing_time_us": 10, "decision": "reject" },
            { "processing_time_us": 50000, "decision": "ack" } ] } ] }"#,
    );
    let (report, _) = run(&text);
    let dlx = report.queues.iter().find(|q| q.name == "dlx").unwrap();
    let reasons: Vec<(String, String)> = dlx
        .left
        .iter()
        .map(|left| {
            (
                left.msg.clone(),
                left.death.as_ref().unwrap().reason.clone(),
            )
        })
        .collect();
    assert!(
        reasons.iter().any(|(_, reason)| reason == "rejected"),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|(_, reason)| reason == "maxlen"),
        "{reasons:?}"
    );
    let jobs = report
        .queues
        .iter()
        .find(|q| q.name == "jobs.worker")
        .unwrap();
    assert_eq!(
        jobs.dead_lettered.rejected + jobs.dead_lettered.expired + jobs.dead_lettered.maxlen,
        dlx.left_total
    );
}

#[test]
fn queue_ttl_dead_letters_as_expired() {
    let text = scenario(
        &every_ms(3),
        r#", "rabbitmq": { "x-message-ttl": 1, "x-dead-letter-exchange": "dlx" }"#,
        1,
        r#", "rabbitmq": { "script": [ { "instance": 0, "subscribe_at_us": 10000 } ] }"#,
    );
    let (report, lines) = run(&text);
    let dlx = report.queues.iter().find(|q| q.name == "dlx").unwrap();
    assert_eq!(dlx.left_total, 3);
    assert!(
        dlx.left
            .iter()
            .all(|left| left.death.as_ref().unwrap().reason == "expired")
    );
    // Message 0 arrived at 0 and expired at 1 ms, at the head: long before anyone subscribed.
    let first = lines
        .iter()
        .find(|line| line["kind"] == "dead_lettered")
        .unwrap();
    assert_eq!(first["msg"], "producer-0/0");
    assert_eq!(first["time_us"], 1000);
}

#[test]
fn a_per_message_ttl_expires_only_at_the_head() {
    // Two producers: the first publishes at 0 with a 1 s expiration, the second at 1 ms with
    // 2 ms. The second expires at 3 ms but sits behind the first until a consumer takes the
    // first at 20 ms: only then is it dropped.
    let text = r#"{
  "name": "per-message-ttl",
  "single_writer": "warn",
  "streams": [ { "name": "jobs", "carrier": "queue" } ],
  "services": [
    { "name": "slow", "link": { "latency_us": 0 }, "produces": [ { "stream": "jobs", "records": [ { "at_us": 0 } ], "rabbitmq": { "expiration": 1000 } } ] },
    { "name": "fast", "link": { "latency_us": 0 }, "produces": [ { "stream": "jobs", "records": [ { "at_us": 1000 } ], "rabbitmq": { "expiration": 2 } } ] },
    { "name": "worker", "link": { "latency_us": 0 }, "consumes": [ { "stream": "jobs", "rabbitmq": { "prefetch_count": 1, "script": [ { "instance": 0, "subscribe_at_us": 20000 } ] } } ] }
  ]
}"#;
    let (report, lines) = run(text);
    let dropped: Vec<&Value> = lines
        .iter()
        .filter(|line| line["kind"] == "dropped")
        .collect();
    assert_eq!(dropped.len(), 1);
    assert_eq!(dropped[0]["msg"], "fast-0/0");
    assert_eq!(dropped[0]["reason"], "expired");
    assert_eq!(
        dropped[0]["time_us"], 20000,
        "not at 3 ms: it was not the head"
    );
    assert_eq!(report.streams[0].groups[0].checks.lost, 1);
}

#[test]
fn max_length_drop_head_drops_the_oldest_and_reject_publish_refuses_the_newest() {
    let with = |overflow: &str| {
        scenario(
            &every_ms(5),
            &format!(r#", "rabbitmq": {{ "x-max-length": 2, "x-overflow": "{overflow}" }}"#),
            1,
            r#", "rabbitmq": { "script": [ { "instance": 0, "subscribe_at_us": 100000 } ] }"#,
        )
    };
    let (report, lines) = run(&with("drop-head"));
    let dropped: Vec<&Value> = lines.iter().filter(|l| l["kind"] == "dropped").collect();
    let names: Vec<&str> = dropped.iter().map(|l| l["msg"].as_str().unwrap()).collect();
    assert_eq!(names, ["producer-0/0", "producer-0/1", "producer-0/2"]);
    assert!(dropped.iter().all(|l| l["reason"] == "maxlen"));
    assert_eq!(
        deliveries(&report, "jobs.worker", "worker-0"),
        msgs(&[3, 4])
    );

    let (report, lines) = run(&with("reject-publish"));
    let refused: Vec<&str> = lines
        .iter()
        .filter(|l| l["kind"] == "publish_rejected")
        .map(|l| l["msg"].as_str().unwrap())
        .collect();
    assert_eq!(refused, ["producer-0/2", "producer-0/3", "producer-0/4"]);
    assert_eq!(
        deliveries(&report, "jobs.worker", "worker-0"),
        msgs(&[0, 1])
    );
    assert_eq!(report.streams[0].groups[0].checks.lost, 3);
}

#[test]
fn auto_ack_loses_what_a_crashed_consumer_held_while_manual_ack_redelivers_it() {
    let with = |auto_ack: bool| {
        let text = scenario(
            &every_ms(10).replace("\"interval_us\": 1000", "\"interval_us\": 100"),
            "",
            2,
            &format!(
                r#", "processing_time_us": {{ "fixed": 2000 }}, "rabbitmq": {{ "prefetch_count": 5, "auto_ack": {auto_ack} }}"#
            ),
        );
        // The default processing time in `scenario` is replaced by the one above.
        let text = text.replacen(r#""processing_time_us": { "fixed": 100 } ,"#, "", 1);
        text.replacen(
            "\n  ]\n}",
            ",\n    { \"name\": \"x\" }\n  ],\n  \"faults\": [ { \"action\": \"crash\", \"instance\": \"worker-0\", \"at_us\": 3000 } ]\n}",
            1,
        )
    };
    let (auto, _) = run(&with(true));
    let group = &auto.streams[0].groups[0];
    assert!(
        group.checks.lost > 0,
        "auto-ack: in-flight messages are lost"
    );
    assert_eq!(group.consumed_distinct + group.checks.lost, 10);

    let (manual, lines) = run(&with(false));
    let group = &manual.streams[0].groups[0];
    assert_eq!(group.checks.lost, 0);
    assert_eq!(
        group.consumed_distinct, 10,
        "requeued and redelivered to worker-1"
    );
    assert!(
        lines
            .iter()
            .any(|l| l["kind"] == "delivered" && l["redelivered"] == true)
    );
}

#[test]
fn a_topic_exchange_routes_by_pattern_and_unroutable_messages_are_counted() {
    let text = r#"{
  "name": "topic",
  "streams": [ { "name": "events", "carrier": "queue", "rabbitmq": { "exchange_type": "topic" } } ],
  "services": [
    { "name": "p", "produces": [ { "stream": "events", "records": [
        { "at_us": 0, "key": "order.eu.created" }, { "at_us": 1, "key": "order.us.created" },
        { "at_us": 2, "key": "payment.us" } ] } ] },
    { "name": "eu", "consumes": [ { "stream": "events", "rabbitmq": { "binding_keys": ["*.eu.#"] } } ] },
    { "name": "orders", "consumes": [ { "stream": "events", "rabbitmq": { "binding_keys": ["order.#"] } } ] }
  ]
}"#;
    let (report, _) = run(text);
    let consumed: Vec<u64> = report.streams[0]
        .groups
        .iter()
        .map(|g| g.consumed)
        .collect();
    assert_eq!(
        consumed,
        [1, 2],
        "eu gets order.eu.created only; orders gets both orders"
    );
    assert_eq!(
        report.streams[0].unroutable,
        Some(1),
        "payment.us matches no binding"
    );
}

#[test]
fn basic_get_pulls_one_message_per_call_and_ignores_prefetch() {
    let text = scenario(
        &every_ms(3).replace("\"interval_us\": 1000", "\"interval_us\": 10"),
        "",
        1,
        r#", "rabbitmq": { "prefetch_count": 1, "script": [
            { "instance": 0, "subscribe": false, "then": "hold", "get_at_us": [1000, 2000, 3000, 4000] } ] }"#,
    );
    let (report, lines) = run(&text);
    let queue = report
        .queues
        .iter()
        .find(|q| q.name == "jobs.worker")
        .unwrap();
    let got: Vec<(String, bool)> = queue.consumers[0]
        .deliveries
        .iter()
        .map(|d| (d.msg.clone(), d.get))
        .collect();
    // Held (unacked) messages do not stop basic.get: prefetch applies to pushed deliveries.
    assert_eq!(
        got,
        vec![
            ("producer-0/0".to_string(), true),
            ("producer-0/1".to_string(), true),
            ("producer-0/2".to_string(), true),
        ]
    );
    assert_eq!(queue.unacked_end, 3);
    assert!(queue.left.iter().all(|left| left.unacked));
    let delivered_at: Vec<u64> = lines
        .iter()
        .filter(|l| l["kind"] == "delivered")
        .map(|l| l["time_us"].as_u64().unwrap())
        .collect();
    assert_eq!(delivered_at, [1000, 2000, 3000]);
}

#[test]
fn closing_a_channel_at_a_time_requeues_the_message_in_progress() {
    let text = scenario(
        &every_ms(3).replace("\"interval_us\": 1000", "\"interval_us\": 1"),
        "",
        2,
        r#", "rabbitmq": { "prefetch_count": 2, "script": [
            { "instance": 0, "close_at_us": 1500, "deliveries": [ { "processing_time_us": 1000, "decision": "ack" }, { "processing_time_us": 1000, "decision": "ack" } ] },
            { "instance": 1, "subscribe_at_us": 2000 } ] }"#,
    );
    let (report, _) = run(&text);
    // worker-0 acks 0 at 1 ms and gets 2 (prefetch 2); at 1.5 ms it closes while working on
    // 1 with 2 waiting: both go back, in order, and reach worker-1 redelivered.
    assert_eq!(
        deliveries(&report, "jobs.worker", "worker-0"),
        msgs(&[0, 1, 2])
    );
    assert_eq!(
        deliveries(&report, "jobs.worker", "worker-1"),
        vec![
            ("producer-0/1".to_string(), true),
            ("producer-0/2".to_string(), true),
        ]
    );
    let group = &report.streams[0].groups[0];
    assert_eq!(group.consumed_distinct, 3);
    assert_eq!(group.checks.duplicated, 0);
}

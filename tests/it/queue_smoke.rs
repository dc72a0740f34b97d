//! Random queue configurations through `compare` and the trace writer: no panic (a broken
//! invariant would be an `expect` or an arithmetic overflow in debug builds), both runs end on
//! their own, and the queue's books balance.

use eventlab::compare::{compare, completed, with_carrier};
use eventlab::model::Carrier;
use proptest::prelude::*;

use crate::common::run_model_traced;

#[allow(clippy::too_many_arguments)]
fn scenario(
    seed: u64,
    ttl_ms: Option<u64>,
    max_length: Option<u64>,
    overflow: &str,
    dlx: bool,
    expiration_ms: Option<u64>,
    instances: u32,
    prefetch: u32,
    concurrency: u32,
    auto_ack: bool,
    nack: f64,
    requeue: bool,
    crash_us: Option<(u64, Option<u64>)>,
    topic: bool,
) -> String {
    let mut args = Vec::new();
    if let Some(ttl) = ttl_ms {
        args.push(format!(r#""x-message-ttl": {ttl}"#));
    }
    if let Some(max) = max_length {
        args.push(format!(
            r#""x-max-length": {max}, "x-overflow": "{overflow}""#
        ));
    }
    if dlx {
        args.push(r#""x-dead-letter-exchange": "dead""#.to_string());
    }
    if topic {
        args.push(r#""exchange_type": "topic""#.to_string());
    }
    let expiration = expiration_ms
        .map(|ms| format!(r#", "rabbitmq": {{ "expiration": {ms} }}"#))
        .unwrap_or_default();
    let nack = if auto_ack || nack == 0.0 {
        String::new()
    } else {
        format!(r#", "nack_probability": {nack}, "nack_requeue": {requeue}"#)
    };
    let bindings = if topic {
        r##", "binding_keys": ["k.*", "#"]"##
    } else {
        ""
    };
    let faults = match crash_us {
        None => String::new(),
        Some((at, None)) => {
            format!(r#", "faults": [ {{ "action": "crash", "instance": "c-0", "at_us": {at} }} ]"#)
        }
        Some((at, Some(back))) => format!(
            r#", "faults": [ {{ "action": "crash", "instance": "c-0", "at_us": {at} }}, {{ "action": "restart", "instance": "c-0", "at_us": {} }} ]"#,
            at + back
        ),
    };
    format!(
        r#"{{
  "name": "smoke", "seed": {seed},
  "streams": [ {{ "name": "s", "carrier": "queue", "partition_count": 2, "rabbitmq": {{ {} }} }}, {{ "name": "dead", "carrier": "queue" }} ],
  "services": [
    {{ "name": "p", "link": {{ "latency_us": 300 }}, "produces": [ {{ "stream": "s", "interval_us": 700, "count": 60, "keys": {{ "uniform": 5 }}, "key_prefix": "k." {expiration} }} ] }},
    {{ "name": "c", "instance_count": {instances}, "link": {{ "latency_us": 200 }},
      "consumes": [ {{ "stream": "s", "poll_interval_ms": 2, "processing_time_us": {{ "uniform": [100, 4000] }},
        "rabbitmq": {{ "prefetch_count": {prefetch}, "concurrency": {concurrency}, "auto_ack": {auto_ack} {nack} {bindings} }} }} ] }}
  ]
  {faults}
}}"#,
        args.join(", ")
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_queue_configurations_run_to_the_end(
        seed in 0u64..1000,
        ttl_ms in proptest::option::of(0u64..20),
        max_length in proptest::option::of(0u64..8),
        overflow in prop_oneof![Just("drop-head"), Just("reject-publish"), Just("reject-publish-dlx")],
        dlx in any::<bool>(),
        expiration_ms in proptest::option::of(0u64..20),
        instances in 1u32..4,
        prefetch in 0u32..5,
        concurrency in 1u32..3,
        auto_ack in any::<bool>(),
        nack in prop_oneof![Just(0.0), Just(0.3)],
        requeue in any::<bool>(),
        crash_us in proptest::option::of((1_000u64..40_000, proptest::option::of(1_000u64..20_000))),
        topic in any::<bool>(),
    ) {
        let text = scenario(seed, ttl_ms, max_length, overflow, dlx, expiration_ms, instances,
            prefetch, concurrency, auto_ack, nack, requeue, crash_us, topic);
        let model = eventlab::scenario::parse_and_validate(&text, "smoke.json")
            .unwrap_or_else(|errors| panic!("{text}\n{errors:?}"));
        let comparison = compare(&model, "smoke");
        prop_assert!(completed(&comparison.log), "{:?}", comparison.log.stop);
        prop_assert!(completed(&comparison.queue), "{:?}", comparison.queue.stop);
        prop_assert!(comparison.report.streams.iter().all(|s| s.produced_identical));
        // The trace writer handles every queue event.
        let run = run_model_traced(&with_carrier(&model, Carrier::Queue), "smoke.json");
        prop_assert!(run.trace_events().next().is_some());
        // Books: every message routed to the queue is processed, dead-lettered, dropped, lost,
        // refused or still there (a message can be processed and also lost when its consumer
        // died after finishing it but before its ack arrived, so this is an upper bound).
        let queue = &run.report.queues[0];
        let group = &run.report.streams[0].groups[0];
        let dead = queue.dead_lettered.rejected + queue.dead_lettered.expired + queue.dead_lettered.maxlen;
        let dropped = queue.dropped.rejected + queue.dropped.expired + queue.dropped.maxlen;
        prop_assert!(group.consumed_distinct <= 60);
        prop_assert!(queue.enqueued <= 60);
        prop_assert!(
            group.consumed_distinct + dead + dropped + queue.left_total + group.checks.lost
                >= queue.enqueued,
            "unaccounted messages: {:?} {:?}", queue, group.checks
        );
    }
}

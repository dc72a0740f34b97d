//! Issue 14: consumer groups and offsets as Kafka 3.9 has them — rule tests through runs of
//! small scenarios, judged from the trace.

use crate::common::{run_traced, trace_json};

/// Two payment instances on 4 partitions, 50 records per poll at 10 ms each; payment-1 is 10
/// times slower from 3 s to 9 s, so one of its batches takes 5 s.
fn slow_member(max_poll_interval_ms: u64) -> String {
    format!(
        r#"{{
  "name": "evicted", "seed": 14,
  "streams": [{{ "name": "payments", "partition_count": 4 }}],
  "services": [
    {{ "name": "checkout",
      "produces": [{{ "stream": "payments", "rate_per_s": 120, "produce_until_us": 15000000, "keys": {{ "uniform": 100 }} }}] }},
    {{ "name": "payment", "instance_count": 2,
      "consumes": [{{ "stream": "payments", "poll_interval_ms": 50, "processing_time_us": {{ "fixed": 10000 }},
        "kafka": {{ "max.poll.records": 50, "max.poll.interval.ms": {max_poll_interval_ms},
                   "auto.commit.interval.ms": 1000, "session.timeout.ms": 10000 }} }}] }}
  ],
  "faults": [{{ "action": "slow", "instance": "payment-1", "from_us": 3000000, "until_us": 9000000, "factor": 10 }}],
  "expect": [{{ "check": "no_loss", "stream": "payments" }}]
}}"#
    )
}

fn kinds_of<'a>(events: &'a [serde_json::Value], kind: &str) -> Vec<&'a serde_json::Value> {
    events
        .iter()
        .filter(|event| event["kind"] == kind)
        .collect()
}

#[test]
fn a_member_that_does_not_poll_within_max_poll_interval_leaves_though_it_heartbeats() {
    let run = run_traced(&slow_member(2_000), "evicted.json");
    let events = trace_json(&run);
    let timeouts = kinds_of(&events, "poll_timeout_expired");
    assert!(!timeouts.is_empty(), "the slow member's poll timer expires");
    for timeout in &timeouts {
        assert_eq!(timeout["instance"], "payment-1");
        assert!(timeout["since_poll_us"].as_u64().expect("since_poll_us") >= 2_000_000);
    }
    // Its heartbeats kept its session: the coordinator never expired it, it left.
    assert!(kinds_of(&events, "member_expired").is_empty());
    let left = kinds_of(&events, "member_left");
    assert_eq!(left.len(), timeouts.len());
    assert!(left.iter().all(|event| event["instance"] == "payment-1"));
    // Right after the first leave, payment-0 gets every partition.
    let first_left_at = left[0]["time_us"].as_u64().expect("time_us");
    let next_assignment = events
        .iter()
        .find(|event| {
            event["kind"] == "assigned"
                && event["time_us"].as_u64().expect("time_us") > first_left_at
        })
        .expect("the group rebalances without the member that left");
    assert_eq!(next_assignment["instance"], "payment-0");
    assert_eq!(
        next_assignment["partitions"],
        serde_json::json!([0, 1, 2, 3])
    );
    // The batch it finished could not be committed, and it re-joined afterwards.
    let failed = kinds_of(&events, "commit_failed");
    assert!(!failed.is_empty());
    let last_assigned_to_1 = kinds_of(&events, "assigned")
        .into_iter()
        .rfind(|event| event["instance"] == "payment-1")
        .expect("payment-1 re-joins");
    assert!(
        last_assigned_to_1["time_us"].as_u64() > left.last().expect("left")["time_us"].as_u64()
    );
    // Nothing is lost, but what the evicted member processed is processed again.
    assert!(run.report.expectations_met());
    let group = &run.report.streams[0].groups[0];
    assert_eq!(group.poll_timeouts, timeouts.len() as u64);
    assert!(group.checks.duplicated > 0);
}

#[test]
fn with_kafkas_five_minutes_the_same_slow_member_stays() {
    let run = run_traced(&slow_member(300_000), "stays.json");
    let events = trace_json(&run);
    assert!(kinds_of(&events, "poll_timeout_expired").is_empty());
    assert!(kinds_of(&events, "member_left").is_empty());
    assert_eq!(run.report.streams[0].groups[0].rebalances, 0);
}

#[test]
fn max_poll_records_bounds_every_poll() {
    let run = run_traced(&slow_member(300_000), "bounded.json");
    // One fetch response is traced as one `fetched` event per partition, at one instant.
    let mut per_poll: std::collections::BTreeMap<(u64, String), u64> = Default::default();
    for event in kinds_of(&trace_json(&run), "fetched") {
        let key = (
            event["time_us"].as_u64().expect("time_us"),
            event["actor"].as_str().expect("actor").to_string(),
        );
        *per_poll.entry(key).or_default() += event["count"].as_u64().expect("count");
    }
    assert!(per_poll.values().all(|&count| count <= 50));
    assert!(
        per_poll.values().any(|&count| count == 50),
        "backlog fills a poll"
    );
}

/// Replays a group's `assigned`, `revoked` and `crashed` events and asserts that no partition
/// is ever held by two members at once. A member holds what it was assigned until it revokes
/// it or crashes (a cooperative member keeps what its new assignment leaves out until it
/// revokes it).
#[track_caller]
fn assert_one_owner_at_a_time(events: &[serde_json::Value], group: &str) {
    use std::collections::{BTreeMap, BTreeSet};
    let mut held: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    let partitions = |event: &serde_json::Value| -> Vec<u64> {
        let list = event["partitions"].as_array().expect("partitions");
        list.iter().map(|p| p.as_u64().expect("number")).collect()
    };
    for event in events {
        let instance = event["instance"].as_str().unwrap_or_default().to_string();
        match event["kind"].as_str().expect("kind") {
            "crashed" => {
                held.remove(&instance);
            }
            "revoked" if event["group"] == group => {
                let mine = held.entry(instance).or_default();
                for partition in partitions(event) {
                    mine.remove(&partition);
                }
            }
            "assigned" if event["group"] == group => {
                for partition in partitions(event) {
                    let other = held
                        .iter()
                        .find(|(owner, set)| **owner != instance && set.contains(&partition));
                    assert!(
                        other.is_none(),
                        "{group}: partition {partition} given to {instance} at {} while {} holds it",
                        event["time_us"],
                        other.map(|(owner, _)| owner.as_str()).unwrap_or_default()
                    );
                    held.entry(instance.clone()).or_default().insert(partition);
                }
            }
            _ => {}
        }
    }
}

#[test]
fn in_a_cooperative_rebalance_no_partition_has_two_owners_and_the_others_keep_consuming() {
    let text = eventlab::bundled::find("rebalance-eager-vs-cooperative").expect("bundled");
    let run = run_traced(text, "rebalance-eager-vs-cooperative");
    let events = trace_json(&run);
    assert_one_owner_at_a_time(&events, "audit");
    assert_one_owner_at_a_time(&events, "billing");
    let groups = &run.report.streams[0].groups;
    let (billing, audit) = (&groups[0], &groups[1]);
    // Eager: every rebalance stops every surviving member.
    assert!(!billing.rebalance_list.is_empty());
    for rebalance in &billing.rebalance_list {
        assert_eq!(rebalance.paused_members.len(), 2, "{rebalance:?}");
    }
    // Cooperative: no member is ever left holding nothing; the members that keep partitions
    // consume during the rounds (from the first round's start to the follow-up's end).
    for rebalance in &audit.rebalance_list {
        assert!(rebalance.paused_members.is_empty(), "{rebalance:?}");
    }
    let joins: Vec<&eventlab::report::RebalanceReport> = audit
        .rebalance_list
        .iter()
        .filter(|rebalance| rebalance.cause == "join")
        .collect();
    assert_eq!(joins.len(), 2);
    for join in joins {
        let from = join.started_at_us;
        let to = from + 50_000;
        let consumers: std::collections::BTreeSet<&str> = kinds_of(&events, "consumed")
            .into_iter()
            .filter(|event| event["group"] == "audit")
            .filter(|event| (from..to).contains(&event["time_us"].as_u64().expect("time_us")))
            .map(|event| event["actor"].as_str().expect("actor"))
            .collect();
        assert!(
            consumers.len() >= 2,
            "at {from}: only {consumers:?} consumed"
        );
    }
}

/// One partition, a record every 10 ms until 1 s; the group reads it all, its only member
/// stops at 2 s and leaves when its 1 s session times out; the admin resets at 4 s.
fn reset_scenario(reset: &str) -> String {
    format!(
        r#"{{
  "name": "reset", "seed": 1,
  "streams": [{{ "name": "orders", "partition_count": 1 }}],
  "services": [
    {{ "name": "shop",
      "produces": [{{ "stream": "orders", "interval_us": 10000, "produce_until_us": 1000000, "keys": {{ "sequential": 5 }} }}] }},
    {{ "name": "analytics",
      "consumes": [{{ "stream": "orders", "kafka": {{ "auto.commit.interval.ms": 100, "session.timeout.ms": 1000, "heartbeat.interval.ms": 200 }} }}] }}
  ],
  "faults": [{{ "action": "crash", "instance": "analytics-0", "at_us": 2000000 }}],
  "admin": [{{ "action": "reset_offsets", "at_us": 4000000, "group": "analytics", {reset} }}],
  "stop": {{ "at_us": 5000000 }}
}}"#
    )
}

/// (committed offset before the reset, offset after it, records sent before 0.5 s).
fn reset_outcome(reset: &str) -> (u64, u64, u64) {
    let run = run_traced(&reset_scenario(reset), "reset.json");
    let events = trace_json(&run);
    let committed = kinds_of(&events, "committed")
        .last()
        .map(|event| event["offset"].as_u64().expect("offset"))
        .expect("the group committed");
    let resets = kinds_of(&events, "offsets_reset_by_admin");
    assert_eq!(resets.len(), 1, "{reset}: one partition reset");
    let before_half_second = kinds_of(&events, "produced")
        .iter()
        .filter(|event| event["time_us"].as_u64().expect("time_us") < 500_000)
        .count() as u64;
    let after = resets[0]["offset"].as_u64().expect("offset");
    assert_eq!(
        run.report.streams[0].groups[0].partitions[0].committed_offset, after,
        "{reset}: the report shows the new committed offset"
    );
    (committed, after, before_half_second)
}

#[test]
fn reset_offsets_has_the_five_modes_of_kafka_consumer_groups() {
    let (committed, earliest, _) = reset_outcome(r#""mode": "to-earliest""#);
    assert_eq!(
        committed, 100,
        "the group read and committed all 100 records"
    );
    assert_eq!(earliest, 0);
    assert_eq!(reset_outcome(r#""mode": "to-latest""#).1, 100);
    assert_eq!(reset_outcome(r#""mode": "to-offset", "offset": 40"#).1, 40);
    // Out of range: clamped to the log end, as the tool's checkOffsetRange does.
    assert_eq!(
        reset_outcome(r#""mode": "to-offset", "offset": 500"#).1,
        100
    );
    let (_, datetime, sent_before) =
        reset_outcome(r#""mode": "to-datetime", "datetime_us": 500000"#);
    assert_eq!(datetime, sent_before);
    assert_eq!(
        reset_outcome(r#""mode": "shift-by", "shift_by": -30"#).1,
        70
    );
    assert_eq!(
        reset_outcome(r#""mode": "shift-by", "shift_by": -1000"#).1,
        0
    );
}

#[test]
fn reset_offsets_is_refused_while_the_group_has_members() {
    let text = reset_scenario(r#""mode": "to-earliest""#).replace("4000000", "1500000");
    let run = run_traced(&text, "refused.json");
    let events = trace_json(&run);
    assert!(kinds_of(&events, "offsets_reset_by_admin").is_empty());
    let refused = kinds_of(&events, "reset_refused");
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0]["members"], 1);
    let group = &run.report.streams[0].groups[0];
    assert!(!group.admin_resets[0].done);
    assert_eq!(group.partitions[0].committed_offset, 100);
}

#[test]
fn a_replay_after_a_reset_reads_the_history_again() {
    let text = eventlab::bundled::find("replay-by-resetting-offsets").expect("bundled");
    let run = run_traced(text, "replay-by-resetting-offsets");
    let group = &run.report.streams[0].groups[0];
    assert!(group.admin_resets[1].done && !group.admin_resets[0].done);
    assert!(
        group.checks.duplicated > 0,
        "the replay reads records again"
    );
    assert_eq!(group.checks.lost, 0);
    let events = trace_json(&run);
    let replayed_from_zero = kinds_of(&events, "consumed").iter().any(|event| {
        event["time_us"].as_u64().expect("time_us") > 8_000_000 && event["offset"] == 0
    });
    assert!(replayed_from_zero);
}

#[test]
fn reset_offsets_entries_are_validated_with_their_paths() {
    let text = reset_scenario(r#""mode": "to-offset""#).replace(
        r#""admin": ["#,
        r#""admin": [{ "action": "reset_offsets", "at_us": 1, "group": "analytic", "mode": "to-earliest" },
                     { "action": "reset_offsets", "at_us": 1, "group": "analytics", "mode": "to-earlist" },
                     { "action": "reset_offsets", "at_us": 1, "group": "analytics", "mode": "to-latest", "shift_by": 3 },"#,
    );
    let errors = eventlab::scenario::parse_and_validate(&text, "reset.json").expect_err("invalid");
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            r#"reset.json: admin[0].group: unknown group "analytic" (did you mean "analytics"?)"#,
            r#"reset.json: admin[1].mode: unknown reset mode "to-earlist" (did you mean "to-earliest"?)"#,
            r#"reset.json: admin[2].shift_by: "shift_by" is not used by this mode (drop it, or pick the mode that takes it)"#,
            r#"reset.json: admin[3]: this reset mode needs "offset""#,
        ]
    );
}

#[test]
fn static_membership_avoids_a_rebalance_on_a_quick_restart() {
    let text = eventlab::bundled::find("static-membership-restart").expect("bundled");
    let run = run_traced(text, "static-membership-restart");
    let events = trace_json(&run);
    let started_before = |group: &str, until_us: u64| {
        kinds_of(&events, "rebalance_started")
            .iter()
            .filter(|event| event["group"] == group)
            .filter(|event| event["time_us"].as_u64().expect("time_us") < until_us)
            .count()
    };
    // Both instances 0 are down from 2 s to 3 s, within their 10 s session.
    assert_eq!(
        started_before("inventory", 5_000_000),
        1,
        "dynamic: a rebalance"
    );
    assert_eq!(started_before("shipping", 5_000_000), 0, "static: none");
    let returned = kinds_of(&events, "static_member_returned");
    assert_eq!(returned.len(), 1);
    assert_eq!(returned[0]["instance"], "shipping-0");
    // It got back exactly what it had, in the same generation.
    let shipping_0: Vec<&serde_json::Value> = kinds_of(&events, "assigned")
        .into_iter()
        .filter(|event| event["instance"] == "shipping-0")
        .collect();
    assert_eq!(shipping_0[0]["partitions"], shipping_0[1]["partitions"]);
    assert_eq!(shipping_0[0]["generation"], shipping_0[1]["generation"]);
    // An outage longer than the session rebalances the static group too.
    assert_eq!(started_before("shipping", 20_000_000), 2);
    let groups = &run.report.streams[0].groups;
    assert_eq!((groups[0].static_returns, groups[1].static_returns), (0, 1));
}

#[test]
fn auto_offset_reset_is_ignored_once_the_group_has_committed() {
    let text = eventlab::bundled::find("reset-ignored-once-committed").expect("bundled");
    let run = run_traced(text, "reset-ignored-once-committed");
    let events = trace_json(&run);
    let history = kinds_of(&events, "produced")
        .iter()
        .filter(|event| event["time_us"].as_u64().expect("time_us") < 4_000_000)
        .count() as u64;
    let stream = &run.report.streams[0];
    let [reports, alerts, audit] = [&stream.groups[0], &stream.groups[1], &stream.groups[2]];
    // First formation: earliest reads the history, latest skips it, none reads nothing.
    assert_eq!(reports.consumed_distinct, stream.produced);
    assert_eq!(alerts.consumed_distinct, stream.produced - history);
    assert_eq!((audit.consumed, audit.no_offset_partitions), (0, 2));
    // Second formation, after both stopped: the policy is not consulted on either partition,
    // so latest does not skip what came while it was down and earliest does not start over.
    assert_eq!(reports.reset_not_consulted, 2);
    assert_eq!(alerts.reset_not_consulted, 2);
    assert!(
        reports.checks.duplicated < history,
        "no replay of the history"
    );
    let not_consulted = kinds_of(&events, "reset_not_consulted");
    assert!(
        not_consulted
            .iter()
            .all(|event| event["time_us"].as_u64() > Some(10_000_000))
    );
}

/// Records for 1 s, committed every 5 s (Kafka's default interval): nothing is committed by the
/// time the run drains, unless the consumer's `close()` does it.
fn close_scenario(stop: &str) -> String {
    format!(
        r#"{{
  "name": "close", "seed": 2, {stop}
  "streams": [{{ "name": "orders", "partition_count": 2 }}],
  "services": [
    {{ "name": "shop",
      "produces": [{{ "stream": "orders", "interval_us": 20000, "produce_until_us": 1000000, "keys": {{ "sequential": 4 }} }}] }},
    {{ "name": "billing", "consumes": [{{ "stream": "orders" }}] }}
  ]
}}"#
    )
}

#[test]
fn closing_the_consumer_at_the_end_of_a_drained_run_commits_with_auto_commit_on() {
    let run = run_traced(&close_scenario(""), "close.json");
    let group = &run.report.streams[0].groups[0];
    assert_eq!(group.lag_end, 0, "close() committed everything processed");
    let closes = kinds_of(&trace_json(&run), "committed_on_close").len();
    assert_eq!(closes, 2, "one commit per partition");
    // A run cut at a time does not close its consumers.
    let cut = run_traced(
        &close_scenario(r#""stop": { "at_us": 1500000 },"#),
        "cut.json",
    );
    assert!(kinds_of(&trace_json(&cut), "committed_on_close").is_empty());
    assert!(cut.report.streams[0].groups[0].lag_end > 0);
}

#[test]
fn committed_offsets_trail_positions_over_time_in_the_json() {
    let text = eventlab::bundled::find("hello-log").expect("bundled");
    let run = run_traced(text, "hello-log");
    let group = &run.report.streams[0].groups[0];
    let samples = &group.offsets_over_time;
    assert!(samples.len() >= 2);
    assert!(samples.windows(2).all(|pair| pair[0].at_us < pair[1].at_us));
    for sample in samples {
        // Commits after processing never run ahead of what was fetched.
        for (committed, position) in sample.committed.iter().zip(&sample.position) {
            assert!(committed <= position, "{sample:?}");
        }
    }
    let last = samples.last().expect("a sample");
    let final_committed: Vec<u64> = group
        .partitions
        .iter()
        .map(|p| p.committed_offset)
        .collect();
    assert_eq!(last.committed, final_committed);
    let json = run.json();
    assert!(json.contains("\"offsets_over_time\""));
}

#[test]
fn the_coordinator_waits_for_rejoins_only_up_to_the_rebalance_timeout() {
    // billing-1 crashes at 2 s, but its 30 s session keeps it in the group; billing-2 restarts at
    // 3 s and joins, so the coordinator waits for billing-0 and billing-1 to re-join. billing-1
    // never does: after the rebalance timeout (max.poll.interval.ms, 5 s) it is removed.
    let text = r#"{
  "name": "rebalance-timeout", "seed": 4,
  "streams": [{ "name": "orders", "partition_count": 3 }],
  "services": [
    { "name": "shop",
      "produces": [{ "stream": "orders", "interval_us": 20000, "produce_until_us": 10000000, "keys": { "sequential": 9 } }] },
    { "name": "billing", "instance_count": 3,
      "consumes": [{ "stream": "orders",
        "kafka": { "session.timeout.ms": 30000, "max.poll.interval.ms": 5000, "auto.commit.interval.ms": 500 } }] }
  ],
  "faults": [
    { "action": "crash", "instance": "billing-1", "at_us": 2000000 },
    { "action": "crash", "instance": "billing-2", "at_us": 2500000 },
    { "action": "restart", "instance": "billing-2", "at_us": 3000000 }
  ],
  "stop": { "at_us": 12000000 }
}"#;
    let run = run_traced(text, "rebalance-timeout.json");
    let events = trace_json(&run);
    let timed_out = kinds_of(&events, "join_timed_out");
    assert_eq!(timed_out.len(), 1);
    assert_eq!(timed_out[0]["instance"], "billing-1");
    let started = kinds_of(&events, "rebalance_started")[0]["time_us"]
        .as_u64()
        .expect("time_us");
    let at = timed_out[0]["time_us"].as_u64().expect("time_us");
    assert_eq!(at - started, 5_000_000, "exactly the rebalance timeout");
    // The rebalance completes then, without billing-1: its partitions go to the others.
    let generation_2: Vec<&serde_json::Value> = kinds_of(&events, "assigned")
        .into_iter()
        .filter(|event| event["generation"] == 2)
        .collect();
    assert_eq!(generation_2.len(), 2);
    assert!(
        generation_2
            .iter()
            .all(|event| event["time_us"].as_u64() == Some(at))
    );
    assert!(
        kinds_of(&events, "member_expired").is_empty(),
        "not its session"
    );
}

fn seek_scenario(seeks: &str) -> String {
    format!(
        r#"{{
  "name": "seek", "seed": 5,
  "streams": [{{ "name": "orders", "partition_count": 1 }}],
  "services": [
    {{ "name": "shop",
      "produces": [{{ "stream": "orders", "interval_us": 10000, "produce_until_us": 2000000, "keys": {{ "sequential": 3 }} }}] }},
    {{ "name": "billing", "instance_count": 2, "consumes": [{{ "stream": "orders", "seek": [{seeks}] }}] }}
  ]
}}"#
    )
}

#[test]
fn seek_moves_the_owners_position_back_to_replay_or_forward_to_skip() {
    // Back to 0 at 1 s: what was read before is read again, by the owner only.
    let run = run_traced(
        &seek_scenario(r#"{ "at_us": 1000000, "partition": 0, "offset": 0 }"#),
        "seek.json",
    );
    let events = trace_json(&run);
    let sought = kinds_of(&events, "sought");
    assert_eq!(sought.len(), 1, "only the partition's owner seeks");
    let consumed_before = kinds_of(&events, "consumed")
        .iter()
        .filter(|event| event["time_us"].as_u64().expect("time_us") < 1_000_000)
        .count() as u64;
    let group = &run.report.streams[0].groups[0];
    assert!(consumed_before > 50);
    assert_eq!(group.checks.duplicated, consumed_before);
    assert_eq!(group.checks.lost, 0);
    // Forward to offset 120 at 1 s, about 20 past the position: those records are never read.
    let ahead = run_traced(
        &seek_scenario(r#"{ "at_us": 1000000, "partition": 0, "offset": 120 }"#),
        "seek-ahead.json",
    );
    let group = &ahead.report.streams[0].groups[0];
    assert!(group.checks.lost > 0);
    assert_eq!(group.checks.duplicated, 0);
}

#[test]
fn seek_entries_are_validated_with_their_paths() {
    let text = seek_scenario(r#"{ "at_us": 1000000, "partition": 3, "offset": 0 }"#);
    let errors = eventlab::scenario::parse_and_validate(&text, "seek.json").expect_err("invalid");
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "seek.json: services[1].consumes[0].seek[0].partition: no partition 3 at the start (the stream starts with 1, numbered from 0)"
        ]
    );
}

/// Three members, auto-commit off, each batch committed with `manual_commit`; their links take
/// 40 ms each way. payment-2 crashes and restarts twelve times, so the group rebalances
/// cooperatively while batches end and commits are on the wire.
fn manual_commit_scenario(call: &str, instance_count: u32, restarts: u32) -> String {
    let faults: Vec<String> = (0..restarts)
        .map(|k| {
            let at_us = 1_000_000 + u64::from(k) * 1_507_300;
            format!(
                r#"{{ "action": "crash", "instance": "payment-2", "at_us": {at_us} }},
                   {{ "action": "restart", "instance": "payment-2", "at_us": {} }}"#,
                at_us + 300_000
            )
        })
        .collect();
    format!(
        r#"{{
  "name": "manual-commit", "seed": 14,
  "streams": [{{ "name": "payments", "partition_count": 6 }}],
  "services": [
    {{ "name": "checkout",
      "produces": [{{ "stream": "payments", "rate_per_s": 400, "produce_until_us": 20000000, "keys": {{ "uniform": 100 }} }}] }},
    {{ "name": "payment", "instance_count": {instance_count}, "link": {{ "latency_us": 40000 }},
      "consumes": [{{ "stream": "payments", "poll_interval_ms": 5, "processing_time_us": {{ "fixed": 7000 }},
        "manual_commit": "{call}",
        "kafka": {{ "max.poll.records": 7, "enable.auto.commit": false,
                   "partition.assignment.strategy": ["cooperative-sticky"] }} }}] }}
  ],
  "faults": [{}]
}}"#,
        faults.join(",\n")
    )
}

/// For each commit the coordinator stored, how long until the committing member's next
/// fetch returned, in µs (the smallest over the run).
fn shortest_commit_to_next_fetch_us(events: &[serde_json::Value]) -> u64 {
    let mut shortest = u64::MAX;
    for (index, commit) in events.iter().enumerate() {
        if commit["kind"] != "committed" {
            continue;
        }
        let at = commit["time_us"].as_u64().expect("time_us");
        if let Some(fetch) = events[index..]
            .iter()
            .find(|event| event["kind"] == "fetched" && event["partition"] == commit["partition"])
        {
            shortest = shortest.min(fetch["time_us"].as_u64().expect("time_us") - at);
        }
    }
    shortest
}

#[test]
fn commit_sync_waits_for_the_coordinators_answer_before_polling_again() {
    let sync = trace_json(&run_traced(
        &manual_commit_scenario("sync", 1, 0),
        "sync.json",
    ));
    let asynchronous = trace_json(&run_traced(
        &manual_commit_scenario("async", 1, 0),
        "async.json",
    ));
    // commitSync: the answer takes 40 ms back, then the next Fetch 40 ms there and 40 ms back.
    assert!(shortest_commit_to_next_fetch_us(&sync) >= 120_000);
    // commitAsync: the next Fetch left with the commit, so its answer comes 40 ms after it.
    assert!(shortest_commit_to_next_fetch_us(&asynchronous) <= 45_000);
    // Waiting for every commit, the synchronous consumer polls less often.
    let fetches = |events: &[serde_json::Value]| kinds_of(events, "fetched").len();
    assert!(fetches(&sync) < fetches(&asynchronous));
}

#[test]
fn an_async_commit_is_not_retried_and_a_later_commit_overtakes_it() {
    let events = trace_json(&run_traced(
        &manual_commit_scenario("async", 3, 12),
        "async.json",
    ));
    // Batches that end while the group moves to a new generation are committed with the old
    // one, and the coordinator refuses them (ILLEGAL_GENERATION).
    let rejected = kinds_of(&events, "commit_rejected");
    assert!(
        !rejected.is_empty(),
        "some asynchronous commits are refused"
    );
    // commitAsync raises nothing: the application never learns of it.
    assert!(kinds_of(&events, "commit_failed").is_empty());
    for refusal in &rejected {
        let at = refusal["time_us"].as_u64().expect("time_us");
        let offset = refusal["offset"].as_u64().expect("offset");
        // The next commit of the partition carries at least the refused offset: it overtook it.
        let next = events
            .iter()
            .find(|event| {
                event["kind"] == "committed"
                    && event["partition"] == refusal["partition"]
                    && event["time_us"].as_u64().expect("time_us") > at
            })
            .expect("a later commit of the partition");
        assert!(next["offset"].as_u64().expect("offset") >= offset);
    }
    // Nothing is retried after a later commit, so no partition's committed offset goes back.
    let mut committed = std::collections::BTreeMap::new();
    for commit in kinds_of(&events, "committed") {
        let offset = commit["offset"].as_u64().expect("offset");
        let last = committed
            .insert(commit["partition"].as_u64(), offset)
            .unwrap_or(0);
        assert!(offset >= last, "a commit went back: {commit}");
    }
}

#[test]
fn manual_commit_is_validated_with_its_path() {
    let text = manual_commit_scenario("later", 1, 0);
    let errors = eventlab::scenario::parse_and_validate(&text, "commit.json").expect_err("invalid");
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            r#"commit.json: services[1].consumes[0].manual_commit: unknown manual commit "later" (expected "sync" or "async")"#
        ]
    );
}

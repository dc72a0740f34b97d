//! Issue 4: consumer groups in runs use Kafka's assignors (`partition.assignment.strategy`), with
//! the eager or the cooperative rebalance protocol.

use std::collections::BTreeMap;

use crate::common::{run_traced, trace_json};

/// Three billing instances on six partitions; billing-1 crashes at 1.25 s (its session expires
/// at ~6 s) and restarts at 9 s.
fn scenario(strategy: &str) -> String {
    format!(
        r#"{{
  "name": "strategies", "seed": 3,
  "streams": [{{ "name": "payments", "partition_count": 6 }}],
  "services": [
    {{ "name": "checkout",
      "produces": [{{ "stream": "payments", "interval_us": 5000, "produce_until_us": 12000000, "keys": {{ "sequential": 60 }} }}] }},
    {{ "name": "billing", "instance_count": 3,
      "consumes": [{{ "stream": "payments", "processing_time_us": {{ "fixed": 2000 }},
        "kafka": {{ "auto.commit.interval.ms": 1000, "session.timeout.ms": 6000, "heartbeat.interval.ms": 2000,
                   "partition.assignment.strategy": {strategy} }} }}] }}
  ],
  "faults": [
    {{ "action": "crash", "instance": "billing-1", "at_us": 1250000 }},
    {{ "action": "restart", "instance": "billing-1", "at_us": 9000000 }}
  ],
  "expect": [{{ "check": "no_loss", "stream": "payments" }}]
}}"#
    )
}

struct Outcome {
    /// generation → instance → partitions.
    assigned: BTreeMap<u64, BTreeMap<String, Vec<u64>>>,
    /// Partitions revoked, over the whole run.
    revoked: usize,
    expectations_met: bool,
    text: String,
}

fn run(strategy: &str) -> Outcome {
    let run = run_traced(&scenario(strategy), "strategies.json");
    let mut outcome = Outcome {
        assigned: BTreeMap::new(),
        revoked: 0,
        expectations_met: run.report.expectations_met(),
        // The text report wraps at 80 columns: join a group line's continuation (indented
        // six) back for the searches below.
        text: run.text().replace("\n      ", " "),
    };
    for event in trace_json(&run) {
        let partitions = || -> Vec<u64> {
            event["partitions"]
                .as_array()
                .expect("partitions")
                .iter()
                .map(|p| p.as_u64().expect("number"))
                .collect()
        };
        match event["kind"].as_str() {
            Some("assigned") => {
                outcome
                    .assigned
                    .entry(event["generation"].as_u64().expect("generation"))
                    .or_default()
                    .insert(
                        event["instance"].as_str().expect("instance").to_string(),
                        partitions(),
                    );
            }
            Some("revoked") => outcome.revoked += partitions().len(),
            _ => {}
        }
    }
    outcome
}

#[test]
fn every_strategy_gives_each_partition_to_at_most_one_member_and_loses_nothing() {
    for strategy in [
        r#""range""#,
        r#""roundrobin""#,
        r#""sticky""#,
        r#""cooperative-sticky""#,
        r#"["cooperative-sticky", "range"]"#,
    ] {
        let outcome = run(strategy);
        assert!(outcome.expectations_met, "{strategy}: records were lost");
        assert!(
            outcome.assigned.len() >= 2,
            "{strategy}: the crash and the restart rebalance"
        );
        for (generation, members) in &outcome.assigned {
            let mut all: Vec<u64> = members.values().flatten().copied().collect();
            let count = all.len();
            all.sort_unstable();
            all.dedup();
            assert_eq!(all.len(), count, "{strategy} generation {generation}");
            assert!(all.iter().all(|&p| p < 6));
        }
        // The last generation gives every partition to someone.
        let last = outcome.assigned.values().next_back().expect("a generation");
        assert_eq!(last.values().map(Vec::len).sum::<usize>(), 6, "{strategy}");
    }
}

#[test]
fn the_default_strategy_list_runs_range() {
    let default = run(r#"["range", "cooperative-sticky"]"#);
    let range = run(r#""range""#);
    assert_eq!(default.assigned, range.assigned);
    // Range over billing-0..2 with 6 partitions, by member id.
    let first = &range.assigned[&3];
    assert_eq!(first["billing-0"], vec![0, 1]);
    assert_eq!(first["billing-1"], vec![2, 3]);
    assert_eq!(first["billing-2"], vec![4, 5]);
}

#[test]
fn cooperative_sticky_revokes_only_what_moves_and_hands_it_over_in_a_follow_up() {
    let eager = run(r#""sticky""#);
    let cooperative = run(r#""cooperative-sticky""#);
    // Eager revokes every owned partition in every rebalance; cooperative only what moves.
    assert!(
        cooperative.revoked < eager.revoked,
        "cooperative revoked {} partitions, eager {}",
        cooperative.revoked,
        eager.revoked
    );
    // The restart needs two cooperative rounds: the first withholds what moves to billing-1,
    // the follow-up hands it over.
    let generations: Vec<&u64> = cooperative.assigned.keys().collect();
    assert!(generations.len() > eager.assigned.len(), "{generations:?}");
    let last = cooperative
        .assigned
        .values()
        .next_back()
        .expect("a generation");
    assert_eq!(last["billing-1"].len(), 2);
    // With the eager protocol, cooperative-sticky gets no owned partitions (they were revoked
    // before joining), so it is not sticky: Kafka needs every listed assignor to be cooperative.
    let listed_with_range = run(r#"["cooperative-sticky", "range"]"#);
    assert!(listed_with_range.revoked > cooperative.revoked);
    // The report says which assignor and protocol a group used, when not Kafka's default.
    assert!(cooperative.text.contains(
        "group \"billing\" (service \"billing\", cooperative-sticky assignor, cooperative rebalancing)"
    ));
    assert!(listed_with_range.text.contains(
        "group \"billing\" (service \"billing\", cooperative-sticky assignor, eager rebalancing)"
    ));
    assert!(
        run(r#""range""#)
            .text
            .contains("group \"billing\" (service \"billing\")\n")
    );
}

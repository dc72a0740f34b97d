//! `eventlab assign`'s code path gives what the assignors give, for random groups.
//!
//! The ported Kafka tests next to the assignors (`src/log/assignor/`) call the assignors
//! directly, so that `log` stays below `cli` and `report`. This test crosses the boundary they
//! no longer cross: each random group (topics, members, subscriptions, and a second round with
//! owned partitions and a generation) is written as a group file, run through
//! `cli::assign_output` (file text → validation → assignor → report) and compared, in both
//! output formats, with the report built from `log::assignor::assign` on the same group.
//! It does not check the assignments themselves: the ported tests do.

use std::collections::BTreeMap;

use eventlab::cli::{Format, assign_output};
use eventlab::log::assignor::{GroupAssignment, Subscription, assign};
use eventlab::model::Strategy;
use eventlab::report::tools::AssignReport;
use proptest::prelude::{ProptestConfig, any, proptest};
// The generator trait, renamed: `Strategy` is the assignment strategy here.
use proptest::strategy::Strategy as Generator;

/// The group file `eventlab assign` reads for this group.
fn group_file(strategy: Strategy, topics: &BTreeMap<String, u32>, subs: &[Subscription]) -> String {
    let members: Vec<serde_json::Value> = subs
        .iter()
        .map(|sub| {
            serde_json::json!({
                "id": sub.member_id,
                "instance_id": sub.group_instance_id,
                "topics": sub.topics,
                "owned": sub.owned_partitions.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "generation": sub.generation,
            })
        })
        .collect();
    serde_json::json!({ "strategy": strategy.name(), "topics": topics, "members": members })
        .to_string()
}

/// Runs the group both ways and asserts the same output; returns the library's result.
fn check(
    strategy: Strategy,
    topics: &BTreeMap<String, u32>,
    subs: &[Subscription],
) -> GroupAssignment {
    let direct = assign(strategy, topics, subs).expect("a valid group");
    let report = AssignReport::new(strategy, &direct);
    let text = group_file(strategy, topics, subs);
    for (format, expected) in [(Format::Json, report.json()), (Format::Text, report.text())] {
        let output = assign_output(&text, "group.json", format)
            .unwrap_or_else(|message| panic!("{strategy}: rejected: {message}\n{text}"));
        assert_eq!(
            output, expected,
            "{strategy}: CLI and library differ\n{text}"
        );
    }
    direct
}

/// Random valid groups: 1 to 4 topics of 1 to 6 partitions, 1 to 6 members each subscribed to
/// at least one topic, some with a `group.instance.id`.
fn arb_group() -> impl Generator<Value = (BTreeMap<String, u32>, Vec<Subscription>)> {
    (
        proptest::collection::vec(1u32..7, 1..5),
        proptest::collection::vec(
            (proptest::collection::vec(any::<bool>(), 4), any::<bool>()),
            1..7,
        ),
    )
        .prop_map(|(counts, members)| {
            let topics: BTreeMap<String, u32> = counts
                .iter()
                .enumerate()
                .map(|(index, &count)| (format!("t{index}"), count))
                .collect();
            let subs = members
                .iter()
                .enumerate()
                .map(|(member, (mask, is_static))| {
                    let names: Vec<String> = (0..counts.len())
                        .filter(|&topic| mask[topic] || topic == member % counts.len())
                        .map(|topic| format!("t{topic}"))
                        .collect();
                    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                    let sub = Subscription::new(format!("c{member}"), &refs);
                    if *is_static {
                        sub.with_instance_id(format!("i{member}"))
                    } else {
                        sub
                    }
                })
                .collect();
            (topics, subs)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    // A fresh group, then a rebalance in which every member but the first keeps what it got
    // (owned partitions, generation 1) and a new member joins.
    #[test]
    fn assign_output_is_the_assignors_result((topics, subs) in arb_group()) {
        for strategy in Strategy::ALL {
            let first = check(strategy, &topics, &subs);
            let mut next: Vec<Subscription> = subs
                .iter()
                .skip(usize::from(subs.len() > 1))
                .map(|sub| {
                    let owned = first.assignment[&sub.member_id].clone();
                    sub.clone().with_owned(owned, Some(1))
                })
                .collect();
            next.push(Subscription::new("joining", &["t0"]));
            check(strategy, &topics, &next);
        }
    }
}

//! The input file of `eventlab assign`: one consumer group's rebalance, as data.
//!
//! ```json
//! {"strategy": "range",
//!  "topics": {"topic1": 3, "topic2": 2},
//!  "members": [{"id": "consumer1", "instance_id": null, "topics": ["topic1"],
//!               "owned": ["topic1-0"], "generation": 1}]}
//! ```
//!
//! `raw` mirrors the file (`deny_unknown_fields`); [`validate`] checks meaning and reports every
//! problem in document order, like scenario validation. The result is exactly the input of
//! `log::assignor::assign`: Kafka's `Cluster` (partitions per topic) and `GroupSubscription`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{MapAccess, Visitor};

use super::choice::{Choices, strategies};
use super::defaults;
use super::error::{ScenarioError, did_you_mean};
use super::validate::Validator;
use crate::log::assignor::{Subscription, TopicPartition};
use crate::model::Strategy;

/// The file as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "eventlab assign group")]
pub struct RawGroup {
    /// The JSON Schema this file follows, for editors; eventlab ignores it.
    #[serde(rename = "$schema", default)]
    pub schema: Option<String>,
    /// `partition.assignment.strategy`: `range`, `roundrobin`, `sticky` or
    /// `cooperative-sticky` (or the Kafka class name, e.g. `CooperativeStickyAssignor`).
    pub strategy: String,
    /// Topic name → partition count (the cluster metadata the group leader sees).
    pub topics: OrderedCounts,
    /// The members that joined, each with its subscription.
    pub members: Vec<RawMember>,
}

/// One member's `JoinGroup` subscription.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMember {
    /// `member.id`. Kafka's are `client.id` plus a UUID; here any unique name.
    pub id: String,
    /// `group.instance.id` (static membership); optional. Static members sort before dynamic
    /// ones in range and round-robin.
    #[serde(default)]
    pub instance_id: Option<String>,
    /// Subscribed topics.
    pub topics: Vec<String>,
    /// Partitions the member owned in the previous generation, as `topic-N`; optional.
    #[serde(default)]
    pub owned: Vec<String>,
    /// The generation `owned` belongs to; optional (null or negative: unknown, as for a member
    /// that never encoded one).
    #[serde(default)]
    pub generation: Option<i64>,
}

/// A JSON object of counts, kept in document order so errors come in document order.
#[derive(Debug, Default)]
pub struct OrderedCounts(pub Vec<(String, u64)>);

impl JsonSchema for OrderedCounts {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "OrderedCounts".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let count = generator.subschema_for::<u64>();
        schemars::json_schema!({
            "description": "Topic name → partition count.",
            "type": "object",
            "additionalProperties": count
        })
    }
}

impl<'de> Deserialize<'de> for OrderedCounts {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CountsVisitor;
        impl<'de> Visitor<'de> for CountsVisitor {
            type Value = OrderedCounts;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of topic names to partition counts")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some((name, count)) = map.next_entry::<String, u64>()? {
                    entries.push((name, count));
                }
                Ok(OrderedCounts(entries))
            }
        }
        deserializer.deserialize_map(CountsVisitor)
    }
}

/// A validated group: everything `log::assignor::assign` needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub strategy: Strategy,
    pub partitions_per_topic: BTreeMap<String, u32>,
    pub subscriptions: Vec<Subscription>,
}

/// Parses and validates an `eventlab assign` file. `origin` names it in messages.
pub fn parse_and_validate(text: &str, origin: &str) -> Result<Group, Vec<ScenarioError>> {
    let raw: RawGroup = super::parse_json(text, origin)?;
    validate(&raw, origin)
}

/// Checks meaning; reports every problem in document order.
pub fn validate(raw: &RawGroup, origin: &str) -> Result<Group, Vec<ScenarioError>> {
    let mut v = Validator::new(origin);
    let table = strategies();
    let choices = Choices {
        noun: "assignment strategy",
        table: &table,
    };
    // Kafka also takes an assignor's class name, so the lookup is the strategy's own.
    let strategy = Strategy::from_config_name(&raw.strategy);
    if strategy.is_none() {
        v.error("strategy", choices.unknown(&raw.strategy));
    }
    let partitions_per_topic = topics(&mut v, &raw.topics);
    let topic_names: Vec<&str> = raw.topics.0.iter().map(|(name, _)| name.as_str()).collect();
    let topics = Topics {
        partitions: &partitions_per_topic,
        names: &topic_names,
    };
    let mut subscriptions = Vec::new();
    let mut member_ids: BTreeMap<&str, usize> = BTreeMap::new();
    let mut instance_ids: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, member) in raw.members.iter().enumerate() {
        let path = format!("members[{index}]");
        if member.id.is_empty() {
            v.error(format!("{path}.id"), "a member needs an id");
        } else if let Some(first) = member_ids.insert(&member.id, index) {
            member_ids.insert(&member.id, first);
            v.error(
                format!("{path}.id"),
                format!(
                    "member \"{}\" is listed twice (first as members[{first}])",
                    member.id
                ),
            );
        }
        if let Some(instance_id) = &member.instance_id {
            if instance_id.is_empty() {
                v.error(
                    format!("{path}.instance_id"),
                    "an instance id cannot be empty (use null for a dynamic member)",
                );
            } else if let Some(first) = instance_ids.insert(instance_id, index) {
                instance_ids.insert(instance_id, first);
                v.error(
                    format!("{path}.instance_id"),
                    format!(
                        "instance id \"{instance_id}\" is already used by members[{first}] (Kafka fences one of them)"
                    ),
                );
            }
        }
        subscriptions.push(subscription(&mut v, &path, member, &topics));
    }
    let errors = v.finish();
    match strategy {
        Some(strategy) if errors.is_empty() => Ok(Group {
            strategy,
            partitions_per_topic,
            subscriptions,
        }),
        _ => Err(errors),
    }
}

/// The `topics` object: name → partition count, each within the scenario ceiling.
fn topics(v: &mut Validator, raw: &OrderedCounts) -> BTreeMap<String, u32> {
    let max = defaults::PARTITION_COUNT.max();
    let mut partitions_per_topic = BTreeMap::new();
    for (name, count) in &raw.0 {
        let path = format!("topics.{}", quote_key(name));
        if name.is_empty() {
            v.error(path, "a topic needs a name");
        } else if partitions_per_topic.contains_key(name) {
            v.error(path, format!("topic \"{name}\" is listed twice"));
        } else if *count == 0 {
            v.error(path, "a topic has at least 1 partition, not 0");
        } else if *count > max {
            v.error(
                path,
                format!(
                    "{count} is more than {max}, the most eventlab allows for a partition count"
                ),
            );
        } else {
            partitions_per_topic.insert(name.clone(), *count as u32);
        }
    }
    partitions_per_topic
}

/// The declared topics: the valid ones with their partition counts, and every name given.
struct Topics<'t> {
    partitions: &'t BTreeMap<String, u32>,
    names: &'t [&'t str],
}

impl Topics<'_> {
    /// An `unknown topic` error, unless the topic is declared (even if its count was invalid).
    fn unknown(&self, v: &mut Validator, path: String, topic: &str) {
        if !self.names.contains(&topic) {
            v.error(
                path,
                format!(
                    "unknown topic \"{topic}\"{}",
                    did_you_mean(topic, self.names.iter().copied())
                ),
            );
        }
    }
}

/// One member's subscription: its topics, owned partitions and generation.
fn subscription(
    v: &mut Validator,
    path: &str,
    member: &RawMember,
    topics: &Topics,
) -> Subscription {
    let mut subscribed = Vec::new();
    for (topic_index, topic) in member.topics.iter().enumerate() {
        if topics.partitions.contains_key(topic) {
            subscribed.push(topic.clone());
        } else {
            topics.unknown(v, format!("{path}.topics[{topic_index}]"), topic);
        }
    }
    let owned_partitions = owned(v, path, member, topics);
    // Kafka's generations are Java ints; a negative one (DEFAULT_GENERATION is -1) means
    // unknown, like null.
    let generation = member
        .generation
        .and_then(|generation| match i32::try_from(generation) {
            Ok(generation) => Some(generation),
            Err(_) => {
                v.error(
                    format!("{path}.generation"),
                    format!(
                        "{generation} is not a generation (expected {} to {}, or null when unknown)",
                        i32::MIN,
                        i32::MAX
                    ),
                );
                None
            }
        });
    Subscription {
        member_id: member.id.clone(),
        group_instance_id: member.instance_id.clone().filter(|id| !id.is_empty()),
        topics: subscribed,
        owned_partitions,
        generation,
        rack_id: None,
    }
}

/// A member's `owned` partitions, as `topic-N` of a declared topic, each once.
fn owned(
    v: &mut Validator,
    path: &str,
    member: &RawMember,
    topics: &Topics,
) -> Vec<TopicPartition> {
    let mut owned = Vec::new();
    let mut owned_seen = BTreeSet::new();
    for (owned_index, text) in member.owned.iter().enumerate() {
        let owned_path = format!("{path}.owned[{owned_index}]");
        let Ok(partition) = text.parse::<TopicPartition>() else {
            v.error(
                owned_path,
                format!("\"{text}\" is not a topic partition (write topic-N, e.g. \"topic1-0\")"),
            );
            continue;
        };
        match topics.partitions.get(&partition.topic) {
            None => topics.unknown(v, owned_path, &partition.topic),
            Some(&count) if partition.partition >= count => v.error(
                owned_path,
                format!(
                    "\"{text}\" does not exist: topic \"{}\" has {count} partition{} (0..{})",
                    partition.topic,
                    if count == 1 { "" } else { "s" },
                    count - 1
                ),
            ),
            Some(_) if !owned_seen.insert(partition.clone()) => {
                v.error(owned_path, format!("\"{text}\" is listed twice"));
            }
            Some(_) => owned.push(partition),
        }
    }
    owned
}

/// A topic name as a JSON-path key: quoted when it has a dot, like Kafka config names.
fn quote_key(name: &str) -> String {
    if name.contains('.') || name.is_empty() {
        format!("\"{name}\"")
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_err(text: &str, expected: &str) {
        let errors = parse_and_validate(text, "g.json").expect_err("invalid");
        let actual: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(actual.join("\n"), expected);
    }

    #[test]
    fn a_full_group_validates() {
        let group = parse_and_validate(
            r#"{"strategy": "CooperativeStickyAssignor", "topics": {"t1": 3, "t2": 2},
                "members": [{"id": "c1", "instance_id": "i1", "topics": ["t1", "t2"],
                             "owned": ["t1-0", "t2-1"], "generation": 4},
                            {"id": "c0", "topics": ["t1"]}]}"#,
            "g.json",
        )
        .expect("valid");
        assert_eq!(group.strategy, Strategy::CooperativeSticky);
        assert_eq!(group.partitions_per_topic["t1"], 3);
        let first = &group.subscriptions[0];
        assert_eq!(first.group_instance_id.as_deref(), Some("i1"));
        assert_eq!(first.owned_partitions.len(), 2);
        assert_eq!(first.generation, Some(4));
        assert_eq!(group.subscriptions[1].generation, None);
    }

    #[test]
    fn every_semantic_problem_is_reported_in_document_order() {
        check_err(
            r#"{"strategy": "rnage", "topics": {"t1": 3, "t.2": 0},
                "members": [{"id": "a", "topics": ["t3", "t1"], "owned": ["t1-3", "x", "t9-0"]},
                            {"id": "a", "topics": [], "generation": -2147483649}]}"#,
            "g.json: strategy: unknown assignment strategy \"rnage\" (did you mean \"range\"?)\n\
             g.json: topics.\"t.2\": a topic has at least 1 partition, not 0\n\
             g.json: members[0].topics[0]: unknown topic \"t3\" (did you mean \"t1\"?)\n\
             g.json: members[0].owned[0]: \"t1-3\" does not exist: topic \"t1\" has 3 partitions (0..2)\n\
             g.json: members[0].owned[1]: \"x\" is not a topic partition (write topic-N, e.g. \"topic1-0\")\n\
             g.json: members[0].owned[2]: unknown topic \"t9\" (did you mean \"t1\"?)\n\
             g.json: members[1].id: member \"a\" is listed twice (first as members[0])\n\
             g.json: members[1].generation: -2147483649 is not a generation (expected -2147483648 to 2147483647, or null when unknown)",
        );
    }

    #[test]
    fn shape_errors_name_the_path() {
        check_err(
            r#"{"strategy": "range", "topics": {"t": 1}, "members": [{"id": "a", "topic": []}]}"#,
            "g.json: members[0].topic: unknown field \"topic\" (did you mean \"topics\"?)",
        );
        check_err(
            r#"{"strategy": "range", "topics": {"t": "3"}, "members": []}"#,
            "g.json: topics.t: expected a whole number of 0 or more, got \"3\" (write 3 without quotes)",
        );
        check_err(
            r#"{"strategy": "range", "topics": {"t": 1}, "members": [}"#,
            "g.json: line 1, column 55: expected value",
        );
    }
}

//! Consumer-group partition assignment, ported from the Apache Kafka 3.9 Java client.
//!
//! | Rust                      | Kafka class                                                        |
//! |---------------------------|--------------------------------------------------------------------|
//! | [`assign`] (common part)  | `AbstractPartitionAssignor.assign(Cluster, GroupSubscription)`     |
//! | member ordering           | `AbstractPartitionAssignor.MemberInfo.compareTo`                   |
//! | `range.rs`                | `RangeAssignor` (non-rack path)                                    |
//! | `roundrobin.rs`           | `RoundRobinAssignor`                                               |
//! | `sticky.rs`               | `AbstractStickyAssignor` (constrained + general builders), `StickyAssignor` |
//! | `cooperative.rs`          | `CooperativeStickyAssignor`                                        |
//!
//! Common rules mirrored from Kafka:
//! * Only topics that some member subscribes to **and** that have metadata with at least one
//!   partition are assigned; a subscribed topic missing from `partitions_per_topic` (or with 0
//!   partitions) is skipped ("Skipping assignment for topic ... since no metadata is available").
//! * Every member appears in the result, possibly with no partitions.
//!
//! Rack awareness (Kafka 3.5+) needs partition replica racks, which this model does not have, so
//! the rack-aware code paths never engage (exactly as in Kafka when no partition racks are known);
//! [`Subscription::rack_id`] is accepted and ignored.
//!
//! Where Kafka's result depends on `java.util.HashMap` iteration order (the sticky assignors iterate
//! `HashMap<String, ...>` of members and a `HashSet<TopicPartition>`), this port reproduces the
//! iteration order Java would have for the same keys (bucket order of `String.hashCode` /
//! `TopicPartition.hashCode` for a default-capacity map, ties in insertion order, see
//! [`java_hash_order`]). That keeps results deterministic *and* equal to Kafka's for the cases
//! Kafka's own tests pin down. Insertion order is the order of the `subscriptions` slice.
//!
//! Deliberate deviations (inputs Kafka never produces) are listed on [`assign`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use crate::model::Strategy;

mod cooperative;
mod range;
mod roundrobin;
mod sticky;

/// A topic partition; ordered by topic name, then partition number.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicPartition {
    pub topic: String,
    pub partition: u32,
}

impl TopicPartition {
    /// Convenience constructor.
    pub fn new(topic: impl Into<String>, partition: u32) -> Self {
        Self {
            topic: topic.into(),
            partition,
        }
    }
}

impl fmt::Display for TopicPartition {
    /// Kafka's `TopicPartition.toString`: `topic-partition`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

impl FromStr for TopicPartition {
    type Err = AssignError;

    /// Parses `topic-N`, splitting at the **last** `-` so topic names may contain dashes.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (topic, partition) = s
            .rsplit_once('-')
            .ok_or_else(|| AssignError::InvalidTopicPartition(s.to_string()))?;
        if topic.is_empty() {
            return Err(AssignError::InvalidTopicPartition(s.to_string()));
        }
        let partition = partition
            .parse::<u32>()
            .map_err(|_| AssignError::InvalidTopicPartition(s.to_string()))?;
        Ok(Self::new(topic, partition))
    }
}

/// One member's `JoinGroup` subscription (Kafka `ConsumerPartitionAssignor.Subscription`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    pub member_id: String,
    /// `group.instance.id` (static membership).
    pub group_instance_id: Option<String>,
    pub topics: Vec<String>,
    /// Partitions the member owns from the previous generation (sticky / cooperative-sticky).
    pub owned_partitions: Vec<TopicPartition>,
    /// Generation the owned partitions belong to; `None` (or a negative value) means unknown.
    pub generation: Option<i32>,
    /// `client.rack`; accepted but unused (no partition racks are modelled).
    pub rack_id: Option<String>,
}

impl Subscription {
    /// A dynamic member with no owned partitions.
    pub fn new(member_id: impl Into<String>, topics: &[&str]) -> Self {
        Self {
            member_id: member_id.into(),
            group_instance_id: None,
            topics: topics.iter().map(|t| t.to_string()).collect(),
            owned_partitions: Vec::new(),
            generation: None,
            rack_id: None,
        }
    }

    /// Sets the owned partitions and their generation.
    pub fn with_owned(mut self, owned: Vec<TopicPartition>, generation: Option<i32>) -> Self {
        self.owned_partitions = owned;
        self.generation = generation;
        self
    }

    /// Sets `group.instance.id`.
    pub fn with_instance_id(mut self, instance_id: impl Into<String>) -> Self {
        self.group_instance_id = Some(instance_id.into());
        self
    }
}

impl FromStr for Strategy {
    type Err = AssignError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Strategy::ALL
            .into_iter()
            .find(|st| st.name() == s)
            .ok_or_else(|| AssignError::UnknownStrategy(s.to_string()))
    }
}

/// Result of one rebalance.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupAssignment {
    /// Every member, with its partitions sorted by topic then number.
    pub assignment: BTreeMap<String, Vec<TopicPartition>>,
    /// `CooperativeSticky` only: per member, the previously owned partitions it must revoke this
    /// round (owned but not in its new assignment). Members with nothing to revoke are omitted.
    /// Always empty for the eager strategies.
    pub revoking: BTreeMap<String, Vec<TopicPartition>>,
}

/// Errors of [`assign`] and of the `FromStr` impls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AssignError {
    /// Two subscriptions share a member id (a group cannot contain that).
    DuplicateMemberId(String),
    /// Kafka throws `IllegalStateException` here (sticky constrained assignment bookkeeping).
    IllegalState(String),
    /// A string that is not `topic-N`.
    InvalidTopicPartition(String),
    /// A strategy name Kafka does not know.
    UnknownStrategy(String),
}

impl fmt::Display for AssignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AssignError::DuplicateMemberId(m) => write!(f, "duplicate member id {m:?}"),
            AssignError::IllegalState(msg) => write!(f, "illegal assignor state: {msg}"),
            AssignError::InvalidTopicPartition(s) => {
                write!(f, "invalid topic partition {s:?} (expected topic-N)")
            }
            AssignError::UnknownStrategy(s) => write!(
                f,
                "unknown assignment strategy {s:?} (expected range, roundrobin, sticky or cooperative-sticky)"
            ),
        }
    }
}

impl std::error::Error for AssignError {}

/// Assigns the partitions of the subscribed topics to the group members with `strategy`.
///
/// Deviations from Kafka, all for inputs a real group never produces:
/// * duplicate member ids → [`AssignError::DuplicateMemberId`];
/// * no members → an empty result (Kafka's round-robin/sticky assignors would throw);
/// * duplicate topics / owned partitions within one subscription are de-duplicated (Kafka builds
///   them from sets); owned partitions whose number is beyond the topic's partition count are
///   ignored like partitions of deleted topics;
/// * sticky "all subscriptions equal" check: Kafka seeds its reference topic set from the first
///   *non-empty* subscription, so a member with an empty subscription could be treated as
///   subscribed to everything; here sets are compared exactly;
/// * ties between static members sharing one `group.instance.id` are broken by member id.
pub fn assign(
    strategy: Strategy,
    partitions_per_topic: &BTreeMap<String, u32>,
    subscriptions: &[Subscription],
) -> Result<GroupAssignment, AssignError> {
    let prep = Prepared::new(partitions_per_topic, subscriptions)?;
    let mut revoking = BTreeMap::new();
    let per_member: Vec<Vec<Tp>> = match strategy {
        Strategy::Range => range::assign(&prep),
        Strategy::RoundRobin => roundrobin::assign(&prep),
        Strategy::Sticky => sticky::assign(&prep)?.assignment,
        Strategy::CooperativeSticky => {
            let assignment = cooperative::assign(&prep)?;
            for (m, member) in prep.members.iter().enumerate() {
                let kept: BTreeSet<TopicPartition> =
                    assignment[m].iter().map(|&tp| prep.tp(tp)).collect();
                let revoked: Vec<TopicPartition> = prep.owned_raw[m]
                    .iter()
                    .filter(|tp| !kept.contains(tp))
                    .cloned()
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                if !revoked.is_empty() {
                    revoking.insert(member.clone(), revoked);
                }
            }
            assignment
        }
    };
    Ok(GroupAssignment {
        assignment: prep.to_output(&per_member),
        revoking,
    })
}

/// Internal partition id: (index into the sorted known-topic list, partition number). Its
/// derived order equals `TopicPartition`'s (topic name, then number).
pub(super) type Tp = (usize, u32);

/// Input normalised once for all assignors.
pub(super) struct Prepared {
    /// Member ids, sorted (member index = position here).
    pub members: Vec<String>,
    /// `group.instance.id` per member.
    pub instance_ids: Vec<Option<String>>,
    /// De-duplicated subscribed topic names per member, including topics without metadata.
    pub raw_topics: Vec<BTreeSet<String>>,
    /// Topics with metadata and at least one subscriber, sorted; index = topic id.
    pub topics: Vec<String>,
    /// Partition count per topic id (always > 0).
    pub counts: Vec<u32>,
    /// First global partition index of each topic (dense numbering of all partitions).
    pub offsets: Vec<usize>,
    /// Total number of partitions.
    pub total: usize,
    /// Subscribed topic ids per member, sorted.
    pub subscribed: Vec<Vec<usize>>,
    /// Valid owned partitions per member (known topic, existing partition), input order, deduped.
    pub owned: Vec<Vec<Tp>>,
    /// Owned partitions as given (deduped), for the cooperative revocation list.
    pub owned_raw: Vec<Vec<TopicPartition>>,
    /// Generation per member; negative values normalised to `None` like Kafka's `Subscription`.
    pub generation: Vec<Option<i32>>,
    /// Member indices in Java `HashMap<String, _>` iteration order (see [`java_hash_order`]).
    pub java_order: Vec<usize>,
    /// `String.hashCode` of each topic name (for `TopicPartition.hashCode`).
    pub topic_hashes: Vec<i32>,
}

/// A member's owned partitions, de-duplicated in input order: those of known topics that
/// exist (as internal ids), and all of them as given.
fn owned_partitions(
    subscription: &Subscription,
    topic_index: &BTreeMap<&str, usize>,
    counts: &[u32],
) -> (Vec<Tp>, Vec<TopicPartition>) {
    let mut seen = BTreeSet::new();
    let mut valid = Vec::new();
    let mut raw = Vec::new();
    for tp in &subscription.owned_partitions {
        if !seen.insert(tp.clone()) {
            continue;
        }
        raw.push(tp.clone());
        if let Some(&t) = topic_index
            .get(tp.topic.as_str())
            .filter(|&&t| tp.partition < counts[t])
        {
            valid.push((t, tp.partition));
        }
    }
    (valid, raw)
}

/// Member indices in the iteration order of a Java `HashMap` keyed by member id and filled in
/// input order (`order[m]` is member `m`'s input position).
fn member_java_order(members: &[String], order: &[usize]) -> Vec<usize> {
    let mut input_order: Vec<usize> = (0..members.len()).collect();
    input_order.sort_by_key(|&m| order[m]);
    let keys: Vec<i32> = input_order
        .iter()
        .map(|&m| java_string_hash(&members[m]))
        .collect();
    java_hash_order(&keys)
        .into_iter()
        .map(|k| input_order[k])
        .collect()
}

impl Prepared {
    fn new(
        partitions_per_topic: &BTreeMap<String, u32>,
        subscriptions: &[Subscription],
    ) -> Result<Self, AssignError> {
        let mut by_id: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, s) in subscriptions.iter().enumerate() {
            if by_id.insert(s.member_id.as_str(), i).is_some() {
                return Err(AssignError::DuplicateMemberId(s.member_id.clone()));
            }
        }
        // Member index = rank of the member id; `input_pos[m]` = position in the input slice.
        let order: Vec<usize> = by_id.values().copied().collect();
        let members: Vec<String> = order
            .iter()
            .map(|&i| subscriptions[i].member_id.clone())
            .collect();

        let raw_topics: Vec<BTreeSet<String>> = order
            .iter()
            .map(|&i| subscriptions[i].topics.iter().cloned().collect())
            .collect();
        let all_subscribed: BTreeSet<&String> = raw_topics.iter().flatten().collect();
        let mut topics = Vec::new();
        let mut counts = Vec::new();
        for topic in all_subscribed {
            // AbstractPartitionAssignor: topics without metadata (or 0 partitions) are skipped.
            if let Some(&n) = partitions_per_topic.get(topic).filter(|&&n| n > 0) {
                topics.push(topic.clone());
                counts.push(n);
            }
        }
        let topic_index: BTreeMap<&str, usize> = topics
            .iter()
            .enumerate()
            .map(|(i, t)| (t.as_str(), i))
            .collect();
        let mut offsets = Vec::with_capacity(topics.len());
        let mut total = 0usize;
        for &n in &counts {
            offsets.push(total);
            total += n as usize;
        }

        let subscribed = raw_topics
            .iter()
            .map(|set| {
                set.iter()
                    .filter_map(|t| topic_index.get(t.as_str()).copied())
                    .collect::<Vec<_>>()
            })
            .collect();

        let mut owned = Vec::with_capacity(order.len());
        let mut owned_raw = Vec::with_capacity(order.len());
        for &i in &order {
            let (valid, raw) = owned_partitions(&subscriptions[i], &topic_index, &counts);
            owned.push(valid);
            owned_raw.push(raw);
        }

        let generation = order
            .iter()
            .map(|&i| subscriptions[i].generation.filter(|g| *g >= 0))
            .collect();
        let instance_ids = order
            .iter()
            .map(|&i| subscriptions[i].group_instance_id.clone())
            .collect();

        let java_order = member_java_order(&members, &order);
        let topic_hashes = topics.iter().map(|t| java_string_hash(t)).collect();

        Ok(Self {
            members,
            instance_ids,
            raw_topics,
            topics,
            counts,
            offsets,
            total,
            subscribed,
            owned,
            owned_raw,
            generation,
            java_order,
            topic_hashes,
        })
    }

    /// Whether member `m` subscribes to topic id `t`.
    pub fn subscribes(&self, m: usize, t: usize) -> bool {
        self.subscribed[m].binary_search(&t).is_ok()
    }

    /// Dense global index of a partition.
    pub fn index(&self, tp: Tp) -> usize {
        self.offsets[tp.0] + tp.1 as usize
    }

    /// Public form of an internal partition id.
    pub fn tp(&self, tp: Tp) -> TopicPartition {
        TopicPartition::new(self.topics[tp.0].clone(), tp.1)
    }

    /// Kafka's `TopicPartition.hashCode`: `31 * (31 + partition) + topic.hashCode()`.
    pub fn java_tp_hash(&self, tp: Tp) -> i32 {
        31i32
            .wrapping_mul(31i32.wrapping_add(tp.1 as i32))
            .wrapping_add(self.topic_hashes[tp.0])
    }

    /// Members sorted like `Utils.sorted(List<MemberInfo>)`: static members first ordered by
    /// `group.instance.id`, then dynamic members by member id.
    pub fn member_info_order(&self, members: &mut [usize]) {
        members.sort_by(
            |&a, &b| match (&self.instance_ids[a], &self.instance_ids[b]) {
                (Some(x), Some(y)) => x.cmp(y).then(a.cmp(&b)),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => a.cmp(&b),
            },
        );
    }

    fn to_output(&self, per_member: &[Vec<Tp>]) -> BTreeMap<String, Vec<TopicPartition>> {
        self.members
            .iter()
            .enumerate()
            .map(|(m, id)| {
                let mut tps: Vec<Tp> = per_member.get(m).cloned().unwrap_or_default();
                tps.sort_unstable();
                tps.dedup();
                (id.clone(), tps.into_iter().map(|tp| self.tp(tp)).collect())
            })
            .collect()
    }
}

/// Java `String.hashCode` (over UTF-16 code units, wrapping).
pub(super) fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

/// Bucket of a key hash in a `java.util.HashMap` table of `capacity` (a power of two).
pub(super) fn java_bucket(hash: i32, capacity: usize) -> usize {
    let h = hash as u32;
    ((h ^ (h >> 16)) as usize) & (capacity - 1)
}

/// Table capacity of a `HashMap` that grew from the default (16, load factor 0.75) to `len`.
pub(super) fn java_capacity(len: usize) -> usize {
    let mut cap = 16usize;
    while len > cap / 4 * 3 {
        cap *= 2;
    }
    cap
}

/// Iteration order (as indices into `hashes`) of a default `java.util.HashMap` into which keys
/// with these hash codes were `put` in slice order: ascending bucket, ties in insertion order
/// (resizes split buckets preserving relative order). Tree bins (8+ collisions in one bucket)
/// are not modelled.
pub(super) fn java_hash_order(hashes: &[i32]) -> Vec<usize> {
    let cap = java_capacity(hashes.len());
    let mut idx: Vec<usize> = (0..hashes.len()).collect();
    idx.sort_by_key(|&i| (java_bucket(hashes[i], cap), i));
    idx
}

#[cfg(test)]
pub(super) mod test_util {
    //! Helpers shared by the ported Kafka tests.
    use super::*;

    pub fn tp(topic: &str, partition: u32) -> TopicPartition {
        TopicPartition::new(topic, partition)
    }

    pub fn ppt(entries: &[(&str, u32)]) -> BTreeMap<String, u32> {
        entries.iter().map(|(t, n)| (t.to_string(), *n)).collect()
    }

    pub fn sub(member: &str, topics: &[&str]) -> Subscription {
        Subscription::new(member, topics)
    }

    /// Parses "t1-0, t1-3" (Kafka `AbstractPartitionAssignorTest.toTopicPartitions`).
    pub fn parse_list(s: &str) -> Vec<TopicPartition> {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| p.parse().expect("test data is well formed"))
            .collect()
    }

    /// Kafka `AbstractPartitionAssignorTest.toSortedString`.
    pub fn sorted_string(v: &[TopicPartition]) -> String {
        let mut v = v.to_vec();
        v.sort();
        v.iter()
            .map(|tp| tp.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `RangeAssignorTest.checkStaticAssignment`: assignment keyed by instance id.
    pub fn check_static_assignment(
        strategy: Strategy,
        p: &BTreeMap<String, u32>,
        consumers: &[Subscription],
    ) -> BTreeMap<String, Vec<TopicPartition>> {
        let result = assign(strategy, p, consumers).expect("valid");
        let a = result.assignment;
        consumers
            .iter()
            .filter_map(|s| {
                s.group_instance_id
                    .clone()
                    .map(|id| (id, a[&s.member_id].clone()))
            })
            .collect()
    }

    /// Kafka `verifyRackAssignment` without racks: members `consumer0..`, the given topics and
    /// owned partitions (generation unknown), expected assignments as sorted strings.
    pub fn verify_assignment(
        strategy: Strategy,
        topics: &[(&str, u32)],
        consumer_topics: &[Vec<&str>],
        owned: Option<&[&str]>,
        expected: &[&str],
    ) {
        let subs: Vec<Subscription> = consumer_topics
            .iter()
            .enumerate()
            .map(|(i, ts)| {
                let owned = owned.map(|o| parse_list(o[i])).unwrap_or_default();
                Subscription::new(format!("consumer{i}"), ts).with_owned(owned, None)
            })
            .collect();
        let result = assign(strategy, &ppt(topics), &subs).expect("valid input");
        for (i, exp) in expected.iter().enumerate() {
            assert_eq!(
                sorted_string(&result.assignment[&format!("consumer{i}")]),
                *exp,
                "{strategy} consumer{i}"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Strategy;
    use super::test_util::*;
    use super::*;
    use proptest::prelude::*;
    use proptest::strategy::Strategy as PStrategy;

    #[test]
    fn topic_partition_display_and_parse() {
        let p: TopicPartition = "my-topic-3".parse().expect("valid");
        assert_eq!(p, tp("my-topic", 3));
        assert_eq!(p.to_string(), "my-topic-3");
        assert!("nodash".parse::<TopicPartition>().is_err());
        assert!("-3".parse::<TopicPartition>().is_err());
        assert!("t-x".parse::<TopicPartition>().is_err());
    }

    #[test]
    fn strategy_names_round_trip() {
        for s in Strategy::ALL {
            assert_eq!(s.name().parse::<Strategy>(), Ok(s));
        }
        assert!("Range".parse::<Strategy>().is_err());
        assert_eq!(
            Strategy::CooperativeSticky.to_string(),
            "cooperative-sticky"
        );
    }

    #[test]
    fn duplicate_member_is_an_error_and_empty_group_is_empty() {
        let p = ppt(&[("t", 2)]);
        let subs = [sub("a", &["t"]), sub("a", &["t"])];
        for s in Strategy::ALL {
            assert_eq!(
                assign(s, &p, &subs),
                Err(AssignError::DuplicateMemberId("a".into()))
            );
            assert_eq!(assign(s, &p, &[]), Ok(GroupAssignment::default()));
        }
    }

    #[test]
    fn java_hash_helpers_match_java() {
        // Values from Java: "consumer1".hashCode() etc.
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("a"), 97);
        assert_eq!(java_string_hash("ab"), 97 * 31 + 98);
        assert_eq!(java_capacity(12), 16);
        assert_eq!(java_capacity(13), 32);
    }

    /// Random groups for the property tests.
    fn arb_group() -> impl PStrategy<Value = (BTreeMap<String, u32>, Vec<Subscription>)> {
        (
            proptest::collection::vec(0u32..6, 1..5),
            proptest::collection::vec(proptest::collection::vec(any::<bool>(), 5), 1..7),
        )
            .prop_map(|(counts, subs)| {
                let p: BTreeMap<String, u32> = counts
                    .iter()
                    .enumerate()
                    .map(|(i, &n)| (format!("t{i}"), n))
                    .collect();
                let n_topics = counts.len() + 1; // one topic without metadata
                let subs = subs
                    .iter()
                    .enumerate()
                    .map(|(m, mask)| {
                        let topics: Vec<String> = (0..n_topics)
                            .filter(|&t| mask[t % mask.len()] ^ (t == m % n_topics))
                            .map(|t| format!("t{t}"))
                            .collect();
                        let refs: Vec<&str> = topics.iter().map(String::as_str).collect();
                        Subscription::new(format!("c{m}"), &refs)
                    })
                    .collect();
                (p, subs)
            })
    }

    fn subscribed_partitions(
        p: &BTreeMap<String, u32>,
        subs: &[Subscription],
    ) -> BTreeSet<TopicPartition> {
        let topics: BTreeSet<&String> = subs.iter().flat_map(|s| &s.topics).collect();
        topics
            .into_iter()
            .filter_map(|t| p.get(t).map(|&n| (t, n)))
            .flat_map(|(t, n)| (0..n).map(move |i| tp(t, i)))
            .collect()
    }

    fn check_validity(
        strategy: Strategy,
        p: &BTreeMap<String, u32>,
        subs: &[Subscription],
        r: &GroupAssignment,
    ) {
        let all = subscribed_partitions(p, subs);
        let mut seen = BTreeSet::new();
        assert_eq!(r.assignment.len(), subs.len());
        for s in subs {
            for tp in &r.assignment[&s.member_id] {
                assert!(
                    s.topics.contains(&tp.topic),
                    "{strategy}: {tp} not subscribed"
                );
                assert!(seen.insert(tp.clone()), "{strategy}: {tp} assigned twice");
            }
        }
        if strategy == Strategy::CooperativeSticky {
            let revoking: BTreeSet<&TopicPartition> = r.revoking.values().flatten().collect();
            for tp in all.difference(&seen) {
                assert!(revoking.contains(tp), "{tp} neither assigned nor revoking");
            }
        } else {
            assert_eq!(seen, all, "{strategy}: not every partition assigned");
            assert!(r.revoking.is_empty());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

        // Every subscribed partition goes to exactly one subscribed member (cooperative: at most
        // one, the rest is being revoked), fresh and after a rebalance with owned partitions.
        #[test]
        fn prop_every_partition_assigned_once((p, subs) in arb_group(), drop in 0usize..8) {
            for strategy in Strategy::ALL {
                let r = assign(strategy, &p, &subs).expect("valid");
                check_validity(strategy, &p, &subs, &r);
                // Second round: owned = previous result, one member leaves, one joins.
                let mut next: Vec<Subscription> = subs
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != drop % subs.len() || subs.len() == 1)
                    .map(|(_, s)| s.clone().with_owned(r.assignment[&s.member_id].clone(), Some(1)))
                    .collect();
                next.push(Subscription::new("new", &["t0", "t1"]));
                let r2 = assign(strategy, &p, &next).expect("valid");
                check_validity(strategy, &p, &next, &r2);
            }
        }

        // With equal subscriptions the sticky assignors are balanced within one partition
        // (cooperative after its follow-up rebalance).
        #[test]
        fn prop_sticky_equal_subscriptions_balanced(
            counts in proptest::collection::vec(1u32..8, 1..4),
            members in 1usize..7,
            owners in proptest::collection::vec(0usize..8, 0..30),
        ) {
            let p: BTreeMap<String, u32> =
                counts.iter().enumerate().map(|(i, &n)| (format!("t{i}"), n)).collect();
            let topics: Vec<String> = p.keys().cloned().collect();
            let refs: Vec<&str> = topics.iter().map(String::as_str).collect();
            let all: Vec<TopicPartition> = subscribed_partitions(&p, &[Subscription::new("x", &refs)])
                .into_iter().collect();
            // Arbitrary (possibly unbalanced) previous ownership.
            let mut owned: Vec<Vec<TopicPartition>> = vec![Vec::new(); members];
            for (i, o) in owners.iter().enumerate() {
                if let Some(tp) = all.get(i) {
                    owned[o % members].push(tp.clone());
                }
            }
            let mut subs: Vec<Subscription> = (0..members)
                .map(|m| Subscription::new(format!("c{m}"), &refs).with_owned(owned[m].clone(), Some(3)))
                .collect();
            for strategy in [Strategy::Sticky, Strategy::CooperativeSticky] {
                let mut r = assign(strategy, &p, &subs).expect("valid");
                if strategy == Strategy::CooperativeSticky {
                    for s in subs.iter_mut() {
                        s.owned_partitions = r.assignment[&s.member_id].clone();
                        s.generation = Some(4);
                    }
                    r = assign(strategy, &p, &subs).expect("valid");
                    prop_assert!(r.revoking.is_empty());
                }
                let sizes: Vec<usize> = r.assignment.values().map(Vec::len).collect();
                let (min, max) = (sizes.iter().min().copied().unwrap_or(0), sizes.iter().max().copied().unwrap_or(0));
                prop_assert!(max - min <= 1, "{strategy}: sizes {sizes:?}");
            }
        }

        // Re-running sticky with the previous assignment as owned partitions, after adding or
        // removing a member, moves no more partitions than necessary. Lower bound on moves for
        // equal subscriptions: partitions of removed members must move, and every member must end
        // with floor(P/n) or ceil(P/n); the sticky assignor achieves exactly
        // sum over survivors of max(0, owned - quota) + orphaned, where quota allows up to
        // (P mod n) members to keep ceil(P/n).
        #[test]
        fn prop_sticky_minimal_movement(
            partitions in 1u32..40,
            members in 1usize..8,
            add in any::<bool>(),
        ) {
            let p: BTreeMap<String, u32> = [("t".to_string(), partitions)].into_iter().collect();
            let subs: Vec<Subscription> =
                (0..members).map(|m| Subscription::new(format!("c{m}"), &["t"])).collect();
            if !add && members == 1 {
                return Ok(());
            }
            for strategy in [Strategy::Sticky, Strategy::CooperativeSticky] {
                let r1 = assign(strategy, &p, &subs).expect("valid");
                let mut next: Vec<Subscription> = subs
                    .iter()
                    .map(|s| s.clone().with_owned(r1.assignment[&s.member_id].clone(), Some(1)))
                    .collect();
                if add {
                    next.push(Subscription::new("c_new", &["t"]));
                } else {
                    next.remove(0);
                }
                let mut r2 = assign(strategy, &p, &next).expect("valid");
                if strategy == Strategy::CooperativeSticky {
                    // The follow-up rebalance: members own what round 2 gave them.
                    let follow_up: Vec<Subscription> = next
                        .iter()
                        .map(|s| {
                            s.clone()
                                .with_owned(r2.assignment[&s.member_id].clone(), Some(2))
                        })
                        .collect();
                    r2 = assign(strategy, &p, &follow_up).expect("valid");
                    prop_assert!(r2.revoking.is_empty(), "one follow-up is enough");
                }
                let n = next.len();
                let total = partitions as usize;
                let (min_q, max_q, extra) = (total / n, total.div_ceil(n), total % n);
                // Lower bound: surplus over the quota must move; when more members own >= max_q
                // than can keep max_q, the rest must shed down to min_q.
                let mut owned_sizes: Vec<usize> =
                    next.iter().map(|s| s.owned_partitions.len()).collect();
                owned_sizes.sort_unstable_by(|a, b| b.cmp(a));
                let mut lower = 0usize;
                for (i, &o) in owned_sizes.iter().enumerate() {
                    let quota = if i < extra { max_q } else { min_q };
                    lower += o.saturating_sub(quota);
                }
                let survivors_owned: usize = owned_sizes.iter().sum();
                lower += total - survivors_owned; // orphaned partitions must get a new owner
                let mut moved = 0usize;
                for s in &next {
                    let owned: BTreeSet<&TopicPartition> = s.owned_partitions.iter().collect();
                    moved += r2.assignment[&s.member_id]
                        .iter()
                        .filter(|tp| !owned.contains(tp))
                        .count();
                }
                prop_assert_eq!(moved, lower, "{}", strategy);
                let sizes: Vec<usize> = r2.assignment.values().map(Vec::len).collect();
                let spread = sizes.iter().max().unwrap_or(&0) - sizes.iter().min().unwrap_or(&0);
                prop_assert!(spread <= 1, "{strategy}: sizes {sizes:?}");
            }
        }
    }
}

//! `org.apache.kafka.clients.consumer.RoundRobinAssignor` (Kafka 3.9).
//!
//! All partitions of all subscribed topics, sorted by topic name then number, are dealt out over a
//! `CircularIterator` of the members sorted by `MemberInfo` order; a member not subscribed to the
//! partition's topic is skipped (the iterator still advances past it).

use super::{Prepared, Tp};

/// Per-member assignment (member index → partitions).
pub(super) fn assign(prep: &Prepared) -> Vec<Vec<Tp>> {
    let mut out = vec![Vec::new(); prep.members.len()];
    let mut members: Vec<usize> = (0..prep.members.len()).collect();
    prep.member_info_order(&mut members);
    if members.is_empty() {
        return out;
    }
    let mut pos = 0usize;
    // `prep.topics` is the sorted set of subscribed topics that have metadata.
    for (t, &count) in prep.counts.iter().enumerate() {
        for p in 0..count {
            // Some member subscribes to `t` (that is why it is a known topic), so this terminates.
            while !prep.subscribes(members[pos], t) {
                pos = (pos + 1) % members.len();
            }
            out[members[pos]].push((t, p));
            pos = (pos + 1) % members.len();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    //! Ports of `clients/src/test/java/org/apache/kafka/clients/consumer/RoundRobinAssignorTest.java`.
    use super::super::test_util::*;
    use super::super::*;
    use std::collections::BTreeMap;

    const TOPIC: &str = "topic";
    const T1: &str = "topic1";
    const T2: &str = "topic2";

    fn run(
        p: &BTreeMap<String, u32>,
        subs: &[Subscription],
    ) -> BTreeMap<String, Vec<TopicPartition>> {
        let result = assign(Strategy::RoundRobin, p, subs).expect("valid input");
        result.assignment
    }

    // RoundRobinAssignorTest.testOneConsumerNoTopic
    #[test]
    fn test_one_consumer_no_topic() {
        let a = run(&ppt(&[]), &[sub("consumer", &[])]);
        assert_eq!(a.keys().collect::<Vec<_>>(), ["consumer"]);
        assert!(a["consumer"].is_empty());
    }

    // RoundRobinAssignorTest.testOneConsumerNonexistentTopic
    #[test]
    fn test_one_consumer_nonexistent_topic() {
        let a = run(&ppt(&[]), &[sub("consumer", &[TOPIC])]);
        assert_eq!(a.keys().collect::<Vec<_>>(), ["consumer"]);
        assert!(a["consumer"].is_empty());
    }

    // RoundRobinAssignorTest.testOneConsumerOneTopic
    #[test]
    fn test_one_consumer_one_topic() {
        let a = run(&ppt(&[(TOPIC, 3)]), &[sub("consumer", &[TOPIC])]);
        assert_eq!(
            a["consumer"],
            vec![tp(TOPIC, 0), tp(TOPIC, 1), tp(TOPIC, 2)]
        );
    }

    // RoundRobinAssignorTest.testOnlyAssignsPartitionsFromSubscribedTopics
    #[test]
    fn test_only_assigns_partitions_from_subscribed_topics() {
        let a = run(
            &ppt(&[(TOPIC, 3), ("other", 3)]),
            &[sub("consumer", &[TOPIC])],
        );
        assert_eq!(
            a["consumer"],
            vec![tp(TOPIC, 0), tp(TOPIC, 1), tp(TOPIC, 2)]
        );
    }

    // RoundRobinAssignorTest.testOneConsumerMultipleTopics
    #[test]
    fn test_one_consumer_multiple_topics() {
        let a = run(&ppt(&[(T1, 1), (T2, 2)]), &[sub("consumer", &[T1, T2])]);
        assert_eq!(a["consumer"], vec![tp(T1, 0), tp(T2, 0), tp(T2, 1)]);
    }

    // RoundRobinAssignorTest.testTwoConsumersOneTopicOnePartition
    #[test]
    fn test_two_consumers_one_topic_one_partition() {
        let a = run(
            &ppt(&[(TOPIC, 1)]),
            &[sub("consumer1", &[TOPIC]), sub("consumer2", &[TOPIC])],
        );
        assert_eq!(a["consumer1"], vec![tp(TOPIC, 0)]);
        assert!(a["consumer2"].is_empty());
    }

    // RoundRobinAssignorTest.testTwoConsumersOneTopicTwoPartitions
    #[test]
    fn test_two_consumers_one_topic_two_partitions() {
        let a = run(
            &ppt(&[(TOPIC, 2)]),
            &[sub("consumer1", &[TOPIC]), sub("consumer2", &[TOPIC])],
        );
        assert_eq!(a["consumer1"], vec![tp(TOPIC, 0)]);
        assert_eq!(a["consumer2"], vec![tp(TOPIC, 1)]);
    }

    // RoundRobinAssignorTest.testMultipleConsumersMixedTopics
    #[test]
    fn test_multiple_consumers_mixed_topics() {
        let a = run(
            &ppt(&[(T1, 3), (T2, 2)]),
            &[
                sub("consumer1", &[T1]),
                sub("consumer2", &[T1, T2]),
                sub("consumer3", &[T1]),
            ],
        );
        assert_eq!(a["consumer1"], vec![tp(T1, 0)]);
        assert_eq!(a["consumer2"], vec![tp(T1, 1), tp(T2, 0), tp(T2, 1)]);
        assert_eq!(a["consumer3"], vec![tp(T1, 2)]);
    }

    // RoundRobinAssignorTest.testTwoDynamicConsumersTwoTopicsSixPartitions
    #[test]
    fn test_two_dynamic_consumers_two_topics_six_partitions() {
        let a = run(
            &ppt(&[(T1, 3), (T2, 3)]),
            &[sub("consumer1", &[T1, T2]), sub("consumer2", &[T1, T2])],
        );
        assert_eq!(a["consumer1"], vec![tp(T1, 0), tp(T1, 2), tp(T2, 1)]);
        assert_eq!(a["consumer2"], vec![tp(T1, 1), tp(T2, 0), tp(T2, 2)]);
    }

    // RoundRobinAssignorTest.testTwoStaticConsumersTwoTopicsSixPartitions
    #[test]
    fn test_two_static_consumers_two_topics_six_partitions() {
        let a = run(
            &ppt(&[(T1, 3), (T2, 3)]),
            &[
                sub("consumer-b", &[T1, T2]).with_instance_id("instance1"),
                sub("consumer-a", &[T1, T2]).with_instance_id("instance2"),
            ],
        );
        assert_eq!(a["consumer-b"], vec![tp(T1, 0), tp(T1, 2), tp(T2, 1)]);
        assert_eq!(a["consumer-a"], vec![tp(T1, 1), tp(T2, 0), tp(T2, 2)]);
    }

    // RoundRobinAssignorTest.testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions
    #[test]
    fn test_one_static_consumer_and_one_dynamic_consumer_two_topics_six_partitions() {
        let a = run(
            &ppt(&[(T1, 3), (T2, 3)]),
            &[
                sub("consumer-b", &[T1, T2]).with_instance_id("instance1"),
                sub("consumer-a", &[T1, T2]),
            ],
        );
        assert_eq!(a["consumer-b"], vec![tp(T1, 0), tp(T1, 2), tp(T2, 1)]);
        assert_eq!(a["consumer-a"], vec![tp(T1, 1), tp(T2, 0), tp(T2, 2)]);
    }

    // RoundRobinAssignorTest.testStaticMemberRoundRobinAssignmentPersistent
    #[test]
    fn test_static_member_round_robin_assignment_persistent() {
        let p = ppt(&[(T1, 3), (T2, 3)]);
        let mut consumers: Vec<Subscription> = (1..=3)
            .map(|i| {
                sub(&format!("consumer{i}"), &[T1, T2]).with_instance_id(format!("instance{i}"))
            })
            .collect();
        consumers.push(sub("consumer4", &[T1, T2]));
        let mut expected: BTreeMap<String, Vec<TopicPartition>> = BTreeMap::new();
        expected.insert("consumer1".into(), vec![tp(T1, 0), tp(T2, 1)]);
        expected.insert("consumer2".into(), vec![tp(T1, 1), tp(T2, 2)]);
        expected.insert("consumer3".into(), vec![tp(T1, 2)]);
        expected.insert("consumer4".into(), vec![tp(T2, 0)]);
        assert_eq!(run(&p, &consumers), expected);

        consumers.pop();
        consumers.push(sub("consumer5", &[T1, T2]));
        expected.remove("consumer4");
        expected.insert("consumer5".into(), vec![tp(T2, 0)]);
        assert_eq!(run(&p, &consumers), expected);
    }

    // RoundRobinAssignorTest.testStaticMemberRoundRobinAssignmentPersistentAfterMemberIdChanges
    #[test]
    fn test_static_member_round_robin_assignment_persistent_after_member_id_changes() {
        let p = ppt(&[(T1, 5), (T2, 5)]);
        let mut consumers: Vec<Subscription> = (1..=3)
            .map(|i| {
                sub(&format!("consumer{i}"), &[T1, T2]).with_instance_id(format!("instance{i}"))
            })
            .collect();
        let mut expected = BTreeMap::new();
        expected.insert(
            "instance1".to_string(),
            vec![tp(T1, 0), tp(T1, 3), tp(T2, 1), tp(T2, 4)],
        );
        expected.insert(
            "instance2".to_string(),
            vec![tp(T1, 1), tp(T1, 4), tp(T2, 2)],
        );
        expected.insert(
            "instance3".to_string(),
            vec![tp(T1, 2), tp(T2, 0), tp(T2, 3)],
        );
        let first = check_static_assignment(Strategy::RoundRobin, &p, &consumers);
        assert_eq!(first, expected);
        consumers[2].member_id = "consumer4".into();
        consumers[1].member_id = "consumer5".into();
        assert_eq!(
            check_static_assignment(Strategy::RoundRobin, &p, &consumers),
            first
        );
    }
}

//! `org.apache.kafka.clients.consumer.RangeAssignor` (Kafka 3.9), non-rack-aware path.
//!
//! Per topic, the subscribed members are sorted by `MemberInfo` order (static members by
//! `group.instance.id` first, then dynamic members by member id) and the partitions are split into
//! contiguous ranges; the first `partitions % members` members get one extra partition. Kafka 3.9
//! expresses this as `TopicAssignmentState.maxAssignable` + `assignRanges`; without racks that is
//! exactly the classic `start = per * i + min(i, extra)` layout used here. Topics are independent,
//! so `HashMap` iteration order over topics does not affect the result.

use super::{Prepared, Tp};

/// Per-member assignment (member index → partitions).
pub(super) fn assign(prep: &Prepared) -> Vec<Vec<Tp>> {
    let mut out = vec![Vec::new(); prep.members.len()];
    for (t, &count) in prep.counts.iter().enumerate() {
        let mut consumers: Vec<usize> = (0..prep.members.len())
            .filter(|&m| prep.subscribes(m, t))
            .collect();
        if consumers.is_empty() {
            continue;
        }
        prep.member_info_order(&mut consumers);
        let n = consumers.len() as u32;
        let per = count / n;
        let extra = count % n;
        for (i, &m) in consumers.iter().enumerate() {
            let i = i as u32;
            let start = per * i + i.min(extra);
            let len = per + u32::from(i < extra);
            out[m].extend((start..start + len).map(|p| (t, p)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    //! Ports of `clients/src/test/java/org/apache/kafka/clients/consumer/RangeAssignorTest.java`.
    //! Parameterized rack variants are ported without racks.
    use super::super::test_util::*;
    use super::super::*;
    use std::collections::BTreeMap;

    const T1: &str = "topic1";
    const T2: &str = "topic2";

    fn run(
        p: &BTreeMap<String, u32>,
        subs: &[Subscription],
    ) -> BTreeMap<String, Vec<TopicPartition>> {
        let result = assign(Strategy::Range, p, subs).expect("valid input");
        result.assignment
    }

    // RangeAssignorTest.testOneConsumerNoTopic
    #[test]
    fn test_one_consumer_no_topic() {
        let a = run(&ppt(&[]), &[sub("consumer1", &[])]);
        assert_eq!(a.keys().collect::<Vec<_>>(), ["consumer1"]);
        assert!(a["consumer1"].is_empty());
    }

    // RangeAssignorTest.testOneConsumerNonexistentTopic
    #[test]
    fn test_one_consumer_nonexistent_topic() {
        let a = run(&ppt(&[]), &[sub("consumer1", &[T1])]);
        assert_eq!(a.keys().collect::<Vec<_>>(), ["consumer1"]);
        assert!(a["consumer1"].is_empty());
    }

    // RangeAssignorTest.testOneConsumerOneTopic
    #[test]
    fn test_one_consumer_one_topic() {
        let a = run(&ppt(&[(T1, 3)]), &[sub("consumer1", &[T1])]);
        assert_eq!(a["consumer1"], vec![tp(T1, 0), tp(T1, 1), tp(T1, 2)]);
    }

    // RangeAssignorTest.testOnlyAssignsPartitionsFromSubscribedTopics
    #[test]
    fn test_only_assigns_partitions_from_subscribed_topics() {
        let a = run(&ppt(&[(T1, 3), ("other", 3)]), &[sub("consumer1", &[T1])]);
        assert_eq!(a.len(), 1);
        assert_eq!(a["consumer1"], vec![tp(T1, 0), tp(T1, 1), tp(T1, 2)]);
    }

    // RangeAssignorTest.testOneConsumerMultipleTopics
    #[test]
    fn test_one_consumer_multiple_topics() {
        let a = run(&ppt(&[(T1, 1), (T2, 2)]), &[sub("consumer1", &[T1, T2])]);
        assert_eq!(a["consumer1"], vec![tp(T1, 0), tp(T2, 0), tp(T2, 1)]);
    }

    // RangeAssignorTest.testTwoConsumersOneTopicOnePartition
    #[test]
    fn test_two_consumers_one_topic_one_partition() {
        let a = run(
            &ppt(&[(T1, 1)]),
            &[sub("consumer1", &[T1]), sub("consumer2", &[T1])],
        );
        assert_eq!(a["consumer1"], vec![tp(T1, 0)]);
        assert!(a["consumer2"].is_empty());
    }

    // RangeAssignorTest.testTwoConsumersOneTopicTwoPartitions
    #[test]
    fn test_two_consumers_one_topic_two_partitions() {
        let a = run(
            &ppt(&[(T1, 2)]),
            &[sub("consumer1", &[T1]), sub("consumer2", &[T1])],
        );
        assert_eq!(a["consumer1"], vec![tp(T1, 0)]);
        assert_eq!(a["consumer2"], vec![tp(T1, 1)]);
    }

    // RangeAssignorTest.testMultipleConsumersMixedTopics
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

    // RangeAssignorTest.testTwoConsumersTwoTopicsSixPartitions
    #[test]
    fn test_two_consumers_two_topics_six_partitions() {
        let a = run(
            &ppt(&[(T1, 3), (T2, 3)]),
            &[sub("consumer1", &[T1, T2]), sub("consumer2", &[T1, T2])],
        );
        assert_eq!(
            a["consumer1"],
            vec![tp(T1, 0), tp(T1, 1), tp(T2, 0), tp(T2, 1)]
        );
        assert_eq!(a["consumer2"], vec![tp(T1, 2), tp(T2, 2)]);
    }

    // RangeAssignorTest.testTwoStaticConsumersTwoTopicsSixPartitions
    #[test]
    fn test_two_static_consumers_two_topics_six_partitions() {
        // consumer-a sorts first by member id, but instance ids decide.
        let a = run(
            &ppt(&[(T1, 3), (T2, 3)]),
            &[
                sub("consumer-b", &[T1, T2]).with_instance_id("instance1"),
                sub("consumer-a", &[T1, T2]).with_instance_id("instance2"),
            ],
        );
        assert_eq!(
            a["consumer-b"],
            vec![tp(T1, 0), tp(T1, 1), tp(T2, 0), tp(T2, 1)]
        );
        assert_eq!(a["consumer-a"], vec![tp(T1, 2), tp(T2, 2)]);
    }

    // RangeAssignorTest.testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions
    #[test]
    fn test_one_static_consumer_and_one_dynamic_consumer_two_topics_six_partitions() {
        let a = run(
            &ppt(&[(T1, 3), (T2, 3)]),
            &[
                sub("consumer-b", &[T1, T2]).with_instance_id("instance1"),
                sub("consumer-a", &[T1, T2]),
            ],
        );
        assert_eq!(
            a["consumer-b"],
            vec![tp(T1, 0), tp(T1, 1), tp(T2, 0), tp(T2, 1)]
        );
        assert_eq!(a["consumer-a"], vec![tp(T1, 2), tp(T2, 2)]);
    }

    fn static_members() -> Vec<Subscription> {
        (1..=3)
            .map(|i| {
                sub(&format!("consumer{i}"), &[T1, T2]).with_instance_id(format!("instance{i}"))
            })
            .collect()
    }

    // RangeAssignorTest.testStaticMemberRangeAssignmentPersistent
    #[test]
    fn test_static_member_range_assignment_persistent() {
        let p = ppt(&[(T1, 5), (T2, 4)]);
        let mut consumers = static_members();
        consumers.push(sub("consumer4", &[T1, T2]));
        let mut expected: BTreeMap<String, Vec<TopicPartition>> = BTreeMap::new();
        expected.insert("consumer1".into(), vec![tp(T1, 0), tp(T1, 1), tp(T2, 0)]);
        expected.insert("consumer2".into(), vec![tp(T1, 2), tp(T2, 1)]);
        expected.insert("consumer3".into(), vec![tp(T1, 3), tp(T2, 2)]);
        expected.insert("consumer4".into(), vec![tp(T1, 4), tp(T2, 3)]);
        assert_eq!(run(&p, &consumers), expected);

        // Replace dynamic member 4 with a new dynamic member 5.
        consumers.pop();
        consumers.push(sub("consumer5", &[T1, T2]));
        let c4 = expected.remove("consumer4").expect("present");
        expected.insert("consumer5".into(), c4);
        assert_eq!(run(&p, &consumers), expected);
    }

    // RangeAssignorTest.testStaticMemberRangeAssignmentPersistentAfterMemberIdChanges
    #[test]
    fn test_static_member_range_assignment_persistent_after_member_id_changes() {
        let p = ppt(&[(T1, 5), (T2, 5)]);
        let mut consumers = static_members();
        let mut expected = BTreeMap::new();
        expected.insert(
            "instance1".to_string(),
            vec![tp(T1, 0), tp(T1, 1), tp(T2, 0), tp(T2, 1)],
        );
        expected.insert(
            "instance2".to_string(),
            vec![tp(T1, 2), tp(T1, 3), tp(T2, 2), tp(T2, 3)],
        );
        expected.insert("instance3".to_string(), vec![tp(T1, 4), tp(T2, 4)]);
        let first = check_static_assignment(Strategy::Range, &p, &consumers);
        assert_eq!(first, expected);
        // Switch member ids: consumer3 -> consumer4, consumer2 -> consumer5.
        consumers[2].member_id = "consumer4".into();
        consumers[1].member_id = "consumer5".into();
        assert_eq!(
            check_static_assignment(Strategy::Range, &p, &consumers),
            first
        );
    }

    // RangeAssignorTest.testRackAwareAssignmentWithUniformSubscription (non-rack expectation)
    #[test]
    fn test_rack_aware_assignment_with_uniform_subscription() {
        let all = vec!["t1", "t2", "t3"];
        verify_assignment(
            Strategy::Range,
            &[("t1", 6), ("t2", 7), ("t3", 2)],
            &[all.clone(), all.clone(), all],
            None,
            &[
                "t1-0, t1-1, t2-0, t2-1, t2-2, t3-0",
                "t1-2, t1-3, t2-3, t2-4, t3-1",
                "t1-4, t1-5, t2-5, t2-6",
            ],
        );
    }

    // RangeAssignorTest.testRackAwareAssignmentWithNonEqualSubscription (non-rack expectation)
    #[test]
    fn test_rack_aware_assignment_with_non_equal_subscription() {
        let all = vec!["t1", "t2", "t3"];
        verify_assignment(
            Strategy::Range,
            &[("t1", 6), ("t2", 7), ("t3", 2)],
            &[all.clone(), all, vec!["t1", "t3"]],
            None,
            &[
                "t1-0, t1-1, t2-0, t2-1, t2-2, t2-3, t3-0",
                "t1-2, t1-3, t2-4, t2-5, t2-6, t3-1",
                "t1-4, t1-5",
            ],
        );
    }

    // RangeAssignorTest.testRackAwareAssignmentWithUniformPartitions (non-rack expectation)
    #[test]
    fn test_rack_aware_assignment_with_uniform_partitions() {
        let all = vec!["t1", "t2", "t3"];
        verify_assignment(
            Strategy::Range,
            &[("t1", 5), ("t2", 5), ("t3", 5)],
            &[all.clone(), all.clone(), all],
            None,
            &[
                "t1-0, t1-1, t2-0, t2-1, t3-0, t3-1",
                "t1-2, t1-3, t2-2, t2-3, t3-2, t3-3",
                "t1-4, t2-4, t3-4",
            ],
        );
    }

    // RangeAssignorTest.testRackAwareAssignmentWithUniformPartitionsNonEqualSubscription (non-rack)
    #[test]
    fn test_rack_aware_assignment_with_uniform_partitions_non_equal_subscription() {
        let all = vec!["t1", "t2", "t3"];
        verify_assignment(
            Strategy::Range,
            &[("t1", 5), ("t2", 5), ("t3", 5)],
            &[all.clone(), all, vec!["t1", "t3"]],
            None,
            &[
                "t1-0, t1-1, t2-0, t2-1, t2-2, t3-0, t3-1",
                "t1-2, t1-3, t2-3, t2-4, t3-2, t3-3",
                "t1-4, t3-4",
            ],
        );
    }

    // RangeAssignorTest.testRackAwareAssignmentWithCoPartitioning (non-rack expectations)
    #[test]
    fn test_rack_aware_assignment_with_co_partitioning() {
        let topics = [("t1", 6), ("t2", 6), ("t3", 2), ("t4", 2)];
        verify_assignment(
            Strategy::Range,
            &topics,
            &[
                vec!["t1", "t2"],
                vec!["t1", "t2"],
                vec!["t3", "t4"],
                vec!["t3", "t4"],
            ],
            None,
            &[
                "t1-0, t1-1, t1-2, t2-0, t2-1, t2-2",
                "t1-3, t1-4, t1-5, t2-3, t2-4, t2-5",
                "t3-0, t4-0",
                "t3-1, t4-1",
            ],
        );
        let all = vec!["t1", "t2", "t3", "t4"];
        verify_assignment(
            Strategy::Range,
            &topics,
            &[all.clone(), all.clone(), all.clone(), all],
            None,
            &[
                "t1-0, t1-1, t2-0, t2-1, t3-0, t4-0",
                "t1-2, t1-3, t2-2, t2-3, t3-1, t4-1",
                "t1-4, t2-4",
                "t1-5, t2-5",
            ],
        );
    }

    // RangeAssignorTest.testCoPartitionedAssignmentWithSameSubscription (non-rack expectation;
    // t7..t9 have no metadata and are skipped)
    #[test]
    fn test_co_partitioned_assignment_with_same_subscription() {
        let list = vec!["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"];
        verify_assignment(
            Strategy::Range,
            &[
                ("t1", 6),
                ("t2", 6),
                ("t3", 2),
                ("t4", 2),
                ("t5", 4),
                ("t6", 4),
            ],
            &[list.clone(), list.clone(), list],
            None,
            &[
                "t1-0, t1-1, t2-0, t2-1, t3-0, t4-0, t5-0, t5-1, t6-0, t6-1",
                "t1-2, t1-3, t2-2, t2-3, t3-1, t4-1, t5-2, t6-2",
                "t1-4, t1-5, t2-4, t2-5, t5-3, t6-3",
            ],
        );
    }
}

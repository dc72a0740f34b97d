//! Kafka's own published cases, run through `eventlab partition` and `eventlab assign` (issue 4).
//!
//! Each case names the Kafka test it comes from. The full ports of every test method live next to
//! the code (`src/log/partitioner.rs`, `src/log/assignor/*.rs`); these check that the binary gives
//! the same answers, byte for byte, in both output formats, and rejects bad input with exit 2.

use crate::common::{eventlab_in, scratch_dir, write};

/// `eventlab partition ARGS...` succeeds with exactly `stdout`.
#[track_caller]
fn partition(test: &str, args: &[&str], stdout: &str) {
    let dir = scratch_dir(test);
    eventlab_in(&dir)
        .arg("partition")
        .args(args)
        .assert()
        .success()
        .stderr("")
        .stdout(stdout.to_string());
}

/// `eventlab assign group.json` succeeds with exactly `text`, and `--format json` with `json`.
#[track_caller]
fn assign(test: &str, group: &str, text: &str, json: &str) {
    let dir = scratch_dir(test);
    write(&dir, "group.json", group);
    eventlab_in(&dir)
        .args(["assign", "group.json"])
        .assert()
        .success()
        .stderr("")
        .stdout(text.to_string());
    let output = eventlab_in(&dir)
        .args(["assign", "group.json", "--format", "json"])
        .output()
        .expect("runs");
    assert!(output.status.success());
    let actual: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json output");
    let expected: serde_json::Value = serde_json::from_str(json).expect("test json");
    assert_eq!(actual, expected);
}

/// `eventlab assign group.json` fails with exit 2 and exactly `stderr`.
#[track_caller]
fn assign_rejects(test: &str, group: &str, stderr: &str) {
    let dir = scratch_dir(test);
    write(&dir, "group.json", group);
    eventlab_in(&dir)
        .args(["assign", "group.json"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!("{stderr}\n"));
}

// UtilsTest.testMurmur2: every vector (Java `"21".getBytes()` etc.; the last is {'a','b','c'}).
#[test]
fn utils_test_murmur2_vectors_through_the_cli() {
    let dir = scratch_dir("utils_test_murmur2_vectors_through_the_cli");
    let output = eventlab_in(&dir)
        .args([
            "partition",
            "--partitions",
            "2147483647",
            "--format",
            "json",
        ])
        .args([
            "21",
            "foobar",
            "a-little-bit-long-string",
            "a-little-bit-longer-string",
            "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
            "abc",
        ])
        .output()
        .expect("runs");
    assert!(output.status.success());
    let placements: Vec<serde_json::Value> =
        serde_json::from_slice(&output.stdout).expect("json array");
    let hashes: Vec<i64> = placements
        .iter()
        .map(|p| p["murmur2"].as_i64().expect("murmur2 is a number"))
        .collect();
    assert_eq!(
        hashes,
        [
            -973932308,
            -790332482,
            -985981536,
            -1486304829,
            -58897971,
            479470107
        ]
    );
    // toPositive(h) % Integer.MAX_VALUE, with toPositive = h & 0x7fffffff (not abs).
    for (placement, hash) in placements.iter().zip(hashes) {
        let expected = (hash & 0x7fff_ffff) % 2_147_483_647;
        assert_eq!(placement["partition"].as_i64(), Some(expected));
    }
}

// BuiltInPartitioner.partitionForKey("a".getBytes(), 10) etc.: the Java producer's placements.
#[test]
fn java_producer_key_partitions_through_the_cli() {
    partition(
        "java_producer_key_partitions_through_the_cli",
        &["--partitions", "10", "a", "b", "c", "d", "e"],
        "a\t4\nb\t6\nc\t4\nd\t3\ne\t4\n",
    );
}

#[test]
fn partition_json_shapes() {
    partition(
        "partition_json_murmur2",
        &["--partitions", "10", "--format", "json", "foobar"],
        "[\n  {\n    \"key\": \"foobar\",\n    \"murmur2\": -790332482,\n    \"partition\": 6\n  }\n]\n",
    );
    // librdkafka consistent_random: crc32("foobar") = 0x9ef61f95 = 2666930069, % 10 = 9.
    partition(
        "partition_json_consistent_random",
        &[
            "--partitions",
            "10",
            "--partitioner",
            "consistent_random",
            "--format",
            "json",
            "foobar",
        ],
        "[\n  {\n    \"key\": \"foobar\",\n    \"hash\": 2666930069,\n    \"partition\": 9\n  }\n]\n",
    );
    // FNV-1a 32 of "foobar" = 0xbf9cf968 = 3214735720, % 10 = 0.
    partition(
        "partition_json_fnv1a32",
        &[
            "--partitions",
            "10",
            "--partitioner",
            "fnv1a32",
            "--format",
            "json",
            "foobar",
        ],
        "[\n  {\n    \"key\": \"foobar\",\n    \"hash\": 3214735720,\n    \"partition\": 0\n  }\n]\n",
    );
}

// The lesson of `--partitioner`: the Java client and librdkafka disagree on the same key.
#[test]
fn two_clients_put_one_key_on_different_partitions() {
    partition(
        "java_vs_librdkafka_java",
        &["--partitions", "6", "order-42"],
        "order-42\t0\n",
    );
    partition(
        "java_vs_librdkafka_rdkafka",
        &[
            "--partitions",
            "6",
            "--partitioner",
            "consistent_random",
            "order-42",
        ],
        "order-42\t4\n",
    );
}

#[test]
fn partition_rejects_bad_arguments() {
    let dir = scratch_dir("partition_rejects_bad_arguments");
    eventlab_in(&dir)
        .args([
            "partition",
            "--partitions",
            "3",
            "--partitioner",
            "murmur",
            "k",
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            "eventlab: --partitioner: unknown partitioner \"murmur\" (did you mean \"murmur2\"?)\n",
        );
    eventlab_in(&dir)
        .args(["partition", "--partitions", "0", "k"])
        .assert()
        .code(2)
        .stdout("");
    eventlab_in(&dir)
        .args([
            "partition",
            "--partitions",
            "3",
            "--partitioner",
            "consistent_random",
            "",
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr("eventlab: an empty key has no fixed partition with consistent_random (librdkafka picks a random one)\n");
}

// RangeAssignorTest.testMultipleConsumersMixedTopics
#[test]
fn range_multiple_consumers_mixed_topics() {
    assign(
        "range_multiple_consumers_mixed_topics",
        r#"{"strategy": "range", "topics": {"topic1": 3, "topic2": 2},
            "members": [{"id": "consumer1", "topics": ["topic1"]},
                        {"id": "consumer2", "topics": ["topic1", "topic2"]},
                        {"id": "consumer3", "topics": ["topic1"]}]}"#,
        "consumer1: topic1-0\nconsumer2: topic1-1, topic2-0, topic2-1\nconsumer3: topic1-2\n",
        r#"{"assignment": {"consumer1": ["topic1-0"],
                           "consumer2": ["topic1-1", "topic2-0", "topic2-1"],
                           "consumer3": ["topic1-2"]}}"#,
    );
}

// RangeAssignorTest.testTwoConsumersTwoTopicsSixPartitions: the per-topic skew of range.
#[test]
fn range_two_consumers_two_topics_six_partitions() {
    assign(
        "range_two_consumers_two_topics_six_partitions",
        r#"{"strategy": "range", "topics": {"topic1": 3, "topic2": 3},
            "members": [{"id": "consumer1", "topics": ["topic1", "topic2"]},
                        {"id": "consumer2", "topics": ["topic1", "topic2"]}]}"#,
        "consumer1: topic1-0, topic1-1, topic2-0, topic2-1\nconsumer2: topic1-2, topic2-2\n",
        r#"{"assignment": {"consumer1": ["topic1-0", "topic1-1", "topic2-0", "topic2-1"],
                           "consumer2": ["topic1-2", "topic2-2"]}}"#,
    );
}

// RangeAssignorTest.testTwoStaticConsumersTwoTopicsSixPartitions: instance ids order members.
#[test]
fn range_two_static_consumers() {
    assign(
        "range_two_static_consumers",
        r#"{"strategy": "range", "topics": {"topic1": 3, "topic2": 3},
            "members": [{"id": "consumer-b", "instance_id": "instance1", "topics": ["topic1", "topic2"]},
                        {"id": "consumer-a", "instance_id": "instance2", "topics": ["topic1", "topic2"]}]}"#,
        "consumer-a: topic1-2, topic2-2\nconsumer-b: topic1-0, topic1-1, topic2-0, topic2-1\n",
        r#"{"assignment": {"consumer-a": ["topic1-2", "topic2-2"],
                           "consumer-b": ["topic1-0", "topic1-1", "topic2-0", "topic2-1"]}}"#,
    );
}

// RangeAssignorTest.testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions
#[test]
fn range_static_before_dynamic() {
    assign(
        "range_static_before_dynamic",
        r#"{"strategy": "range", "topics": {"topic1": 3, "topic2": 3},
            "members": [{"id": "consumer-b", "instance_id": "instance1", "topics": ["topic1", "topic2"]},
                        {"id": "consumer-a", "topics": ["topic1", "topic2"]}]}"#,
        "consumer-a: topic1-2, topic2-2\nconsumer-b: topic1-0, topic1-1, topic2-0, topic2-1\n",
        r#"{"assignment": {"consumer-a": ["topic1-2", "topic2-2"],
                           "consumer-b": ["topic1-0", "topic1-1", "topic2-0", "topic2-1"]}}"#,
    );
}

// RangeAssignorTest.testOneConsumerNoTopic and testTwoConsumersOneTopicOnePartition: every
// member is listed, also with nothing.
#[test]
fn range_members_without_partitions_are_listed() {
    assign(
        "range_members_without_partitions_are_listed",
        r#"{"strategy": "range", "topics": {"topic": 1},
            "members": [{"id": "consumer1", "topics": ["topic"]},
                        {"id": "consumer2", "topics": ["topic"]},
                        {"id": "consumer0", "topics": []}]}"#,
        "consumer0:\nconsumer1: topic-0\nconsumer2:\n",
        r#"{"assignment": {"consumer0": [], "consumer1": ["topic-0"], "consumer2": []}}"#,
    );
}

// RoundRobinAssignorTest.testMultipleConsumersMixedTopics
#[test]
fn roundrobin_multiple_consumers_mixed_topics() {
    assign(
        "roundrobin_multiple_consumers_mixed_topics",
        r#"{"strategy": "roundrobin", "topics": {"topic1": 3, "topic2": 2},
            "members": [{"id": "consumer1", "topics": ["topic1"]},
                        {"id": "consumer2", "topics": ["topic1", "topic2"]},
                        {"id": "consumer3", "topics": ["topic1"]}]}"#,
        "consumer1: topic1-0\nconsumer2: topic1-1, topic2-0, topic2-1\nconsumer3: topic1-2\n",
        r#"{"assignment": {"consumer1": ["topic1-0"],
                           "consumer2": ["topic1-1", "topic2-0", "topic2-1"],
                           "consumer3": ["topic1-2"]}}"#,
    );
}

// RoundRobinAssignorTest.testTwoDynamicConsumersTwoTopicsSixPartitions
#[test]
fn roundrobin_two_consumers_two_topics_six_partitions() {
    assign(
        "roundrobin_two_consumers_two_topics_six_partitions",
        r#"{"strategy": "roundrobin", "topics": {"topic1": 3, "topic2": 3},
            "members": [{"id": "consumer1", "topics": ["topic1", "topic2"]},
                        {"id": "consumer2", "topics": ["topic1", "topic2"]}]}"#,
        "consumer1: topic1-0, topic1-2, topic2-1\nconsumer2: topic1-1, topic2-0, topic2-2\n",
        r#"{"assignment": {"consumer1": ["topic1-0", "topic1-2", "topic2-1"],
                           "consumer2": ["topic1-1", "topic2-0", "topic2-2"]}}"#,
    );
}

// AbstractStickyAssignorTest.testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers (sticky)
#[test]
fn sticky_max_quota_consumer_more_than_num_expected_max_capacity_members() {
    assign(
        "sticky_max_quota_more_than_expected",
        r#"{"strategy": "sticky", "topics": {"topic1": 2, "topic2": 2},
            "members": [{"id": "consumer1", "topics": ["topic1", "topic2"], "owned": ["topic1-0", "topic2-0"], "generation": 1},
                        {"id": "consumer2", "topics": ["topic1", "topic2"], "owned": ["topic1-1", "topic2-1"], "generation": 1},
                        {"id": "consumer3", "topics": ["topic1", "topic2"], "owned": [], "generation": 1}]}"#,
        "consumer1: topic1-0\nconsumer2: topic1-1, topic2-1\nconsumer3: topic2-0\n",
        r#"{"assignment": {"consumer1": ["topic1-0"],
                           "consumer2": ["topic1-1", "topic2-1"],
                           "consumer3": ["topic2-0"]}}"#,
    );
}

// AbstractStickyAssignorTest.testAllConsumersAreUnderMinQuota (sticky)
#[test]
fn sticky_all_consumers_are_under_min_quota() {
    assign(
        "sticky_all_consumers_are_under_min_quota",
        r#"{"strategy": "sticky", "topics": {"topic1": 2, "topic2": 3},
            "members": [{"id": "consumer1", "topics": ["topic1", "topic2"], "owned": ["topic1-0"], "generation": 1},
                        {"id": "consumer2", "topics": ["topic1", "topic2"], "owned": ["topic1-1"], "generation": 1},
                        {"id": "consumer3", "topics": ["topic1", "topic2"], "owned": [], "generation": 1}]}"#,
        "consumer1: topic1-0, topic2-1\nconsumer2: topic1-1, topic2-2\nconsumer3: topic2-0\n",
        r#"{"assignment": {"consumer1": ["topic1-0", "topic2-1"],
                           "consumer2": ["topic1-1", "topic2-2"],
                           "consumer3": ["topic2-0"]}}"#,
    );
}

// AbstractStickyAssignorTest.testAddRemoveTwoConsumersTwoTopics, first round (sticky).
#[test]
fn sticky_two_consumers_two_topics_fresh() {
    assign(
        "sticky_two_consumers_two_topics_fresh",
        r#"{"strategy": "sticky", "topics": {"topic1": 3, "topic2": 4},
            "members": [{"id": "consumer1", "topics": ["topic1", "topic2"]},
                        {"id": "consumer2", "topics": ["topic1", "topic2"]}]}"#,
        "consumer1: topic1-0, topic1-2, topic2-1, topic2-3\nconsumer2: topic1-1, topic2-0, topic2-2\n",
        r#"{"assignment": {"consumer1": ["topic1-0", "topic1-2", "topic2-1", "topic2-3"],
                           "consumer2": ["topic1-1", "topic2-0", "topic2-2"]}}"#,
    );
}

// CooperativeStickyAssignorTest / AbstractStickyAssignorTest.testMaxQuotaConsumerMoreThan...
// (cooperative-sticky): the partition that moves to consumer3 is withheld this round and
// listed as revoking for its owner.
#[test]
fn cooperative_sticky_withholds_partitions_that_change_owner() {
    assign(
        "cooperative_withholds",
        r#"{"strategy": "cooperative-sticky", "topics": {"topic1": 2, "topic2": 2},
            "members": [{"id": "consumer1", "topics": ["topic1", "topic2"], "owned": ["topic1-0", "topic2-0"], "generation": 1},
                        {"id": "consumer2", "topics": ["topic1", "topic2"], "owned": ["topic1-1", "topic2-1"], "generation": 1},
                        {"id": "consumer3", "topics": ["topic1", "topic2"], "owned": [], "generation": 1}]}"#,
        "consumer1: topic1-0\nconsumer2: topic1-1, topic2-1\nconsumer3:\nconsumer1 revokes: topic2-0\n",
        r#"{"assignment": {"consumer1": ["topic1-0"],
                           "consumer2": ["topic1-1", "topic2-1"],
                           "consumer3": []},
            "revoking": {"consumer1": ["topic2-0"], "consumer2": [], "consumer3": []}}"#,
    );
    // The follow-up rebalance hands the revoked partition over.
    assign(
        "cooperative_follow_up",
        r#"{"strategy": "cooperative-sticky", "topics": {"topic1": 2, "topic2": 2},
            "members": [{"id": "consumer1", "topics": ["topic1", "topic2"], "owned": ["topic1-0"], "generation": 2},
                        {"id": "consumer2", "topics": ["topic1", "topic2"], "owned": ["topic1-1", "topic2-1"], "generation": 2},
                        {"id": "consumer3", "topics": ["topic1", "topic2"], "owned": [], "generation": 2}]}"#,
        "consumer1: topic1-0\nconsumer2: topic1-1, topic2-1\nconsumer3: topic2-0\n",
        r#"{"assignment": {"consumer1": ["topic1-0"],
                           "consumer2": ["topic1-1", "topic2-1"],
                           "consumer3": ["topic2-0"]},
            "revoking": {"consumer1": [], "consumer2": [], "consumer3": []}}"#,
    );
}

// CooperativeStickyAssignorTest.testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedBy
// MultipleConsumersInSameGenerationWithEqualPartitionsPerConsumer
#[test]
fn cooperative_partition_claimed_by_two_members_in_one_generation() {
    assign(
        "cooperative_claimed_twice",
        r#"{"strategy": "cooperative-sticky", "topics": {"topic": 3},
            "members": [{"id": "consumer1", "topics": ["topic"], "owned": ["topic-0", "topic-1"], "generation": 1},
                        {"id": "consumer2", "topics": ["topic"], "owned": ["topic-0", "topic-2"], "generation": 1},
                        {"id": "consumer3", "topics": ["topic"], "owned": [], "generation": 1}]}"#,
        "consumer1: topic-1\nconsumer2: topic-2\nconsumer3:\nconsumer1 revokes: topic-0\nconsumer2 revokes: topic-0\n",
        r#"{"assignment": {"consumer1": ["topic-1"], "consumer2": ["topic-2"], "consumer3": []},
            "revoking": {"consumer1": ["topic-0"], "consumer2": ["topic-0"], "consumer3": []}}"#,
    );
}

#[test]
fn assign_rejects_bad_input() {
    assign_rejects(
        "assign_unknown_strategy",
        r#"{"strategy": "sticky-cooperative", "topics": {"t": 1}, "members": []}"#,
        "eventlab: group.json: strategy: unknown assignment strategy \"sticky-cooperative\" (expected \"range\", \"roundrobin\", \"sticky\" or \"cooperative-sticky\")",
    );
    assign_rejects(
        "assign_unknown_topic",
        r#"{"strategy": "range", "topics": {"orders": 3},
            "members": [{"id": "a", "topics": ["order"]}, {"id": "b", "topics": ["orders", "payments"]}]}"#,
        "eventlab: group.json: members[0].topics[0]: unknown topic \"order\" (did you mean \"orders\"?)\n\
         eventlab: group.json: members[1].topics[1]: unknown topic \"payments\"",
    );
    assign_rejects(
        "assign_malformed_json",
        "{\"strategy\": \"range\",\n \"topics\": {\"t\": 1}\n \"members\": []}",
        "eventlab: group.json: line 3, column 2: expected `,` or `}`",
    );
    assign_rejects(
        "assign_missing_members",
        r#"{"strategy": "range", "topics": {"t": 1}}"#,
        "eventlab: group.json: (top level): missing field \"members\"",
    );
    assign_rejects(
        "assign_bad_owned",
        r#"{"strategy": "sticky", "topics": {"t": 2},
            "members": [{"id": "a", "topics": ["t"], "owned": ["t-2", "t0"], "generation": 1}]}"#,
        "eventlab: group.json: members[0].owned[0]: \"t-2\" does not exist: topic \"t\" has 2 partitions (0..1)\n\
         eventlab: group.json: members[0].owned[1]: \"t0\" is not a topic partition (write topic-N, e.g. \"topic1-0\")",
    );
    let dir = scratch_dir("assign_missing_file");
    eventlab_in(&dir)
        .args(["assign", "nope.json"])
        .assert()
        .code(2)
        .stdout("");
}

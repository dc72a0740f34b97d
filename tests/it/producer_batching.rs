//! Issue 4: the producer's `batch.size` and `linger.ms` in virtual time, and the KIP-794 sticky
//! partitioner for unkeyed records (switch after `batch.size` bytes when the batch is full,
//! after twice that regardless).

use crate::common::{run_traced, trace_json};

/// One unkeyed producer (100-byte records every 1 ms, 40 of them) on 4 partitions.
fn scenario(kafka: &str, faults: &str) -> String {
    scenario_with(kafka, faults, "murmur2", r#""count": 40"#)
}

/// The same with the producer's partitioner and its key/count fields given.
fn scenario_with(kafka: &str, faults: &str, partitioner: &str, records: &str) -> String {
    format!(
        r#"{{ "name": "batching", "seed": 1,
  "streams": [{{ "name": "events", "partition_count": 4 }}],
  "services": [
    {{ "name": "app", "link": {{ "latency_us": 100 }},
      "produces": [{{ "stream": "events", "interval_us": 1000, {records}, "value_size_bytes": 100,
                     "partitioner": "{partitioner}", "kafka": {kafka} }}] }},
    {{ "name": "reader", "consumes": [{{ "stream": "events" }}] }}
  ],
  "faults": [{faults}]
}}"#
    )
}

struct Events {
    /// (time, partition, seq) of every produced record.
    produced: Vec<(u64, u64, u64)>,
    /// (time, seq) of every appended record.
    appended: Vec<(u64, u64)>,
    text: String,
}

fn run(kafka: &str, faults: &str) -> Events {
    run_text(&scenario(kafka, faults))
}

fn run_text(text: &str) -> Events {
    let run = run_traced(text, "batching.json");
    let mut events = Events {
        produced: Vec::new(),
        appended: Vec::new(),
        text: run.text(),
    };
    for event in trace_json(&run) {
        let time = event["time_us"].as_u64().expect("time");
        let seq = || -> u64 {
            let msg = event["msg"].as_str().expect("msg");
            msg.rsplit('/')
                .next()
                .expect("seq")
                .parse()
                .expect("number")
        };
        match event["kind"].as_str() {
            Some("produced") => {
                events
                    .produced
                    .push((time, event["partition"].as_u64().expect("partition"), seq()))
            }
            Some("appended") => events.appended.push((time, seq())),
            _ => {}
        }
    }
    events
}

/// Lengths of the runs of consecutive records on one partition.
fn sticky_runs(produced: &[(u64, u64, u64)]) -> Vec<usize> {
    let mut runs: Vec<usize> = Vec::new();
    let mut last = None;
    for &(_, partition, _) in produced {
        if last == Some(partition) {
            *runs.last_mut().expect("a run") += 1;
        } else {
            runs.push(1);
            last = Some(partition);
        }
    }
    runs
}

#[test]
fn with_linger_ms_zero_every_record_is_sent_at_once() {
    let events = run("{}", "");
    for (&(produced_at, _, seq), &(appended_at, appended_seq)) in
        events.produced.iter().zip(&events.appended)
    {
        assert_eq!(seq, appended_seq);
        assert_eq!(appended_at, produced_at + 100, "record {seq}");
    }
}

#[test]
fn linger_ms_holds_a_batch_until_it_runs_out() {
    // Each batch opens at a multiple of 5 ms and is sent 5 ms later: records 0..4 together.
    let events = run(r#"{ "batch.size": 100000, "linger.ms": 5 }"#, "");
    let first: Vec<u64> = events.appended[..5].iter().map(|&(t, _)| t).collect();
    assert_eq!(first, [5100; 5]);
    for &(appended_at, seq) in &events.appended {
        let produced_at = events.produced[seq as usize].0;
        assert!(
            appended_at >= produced_at + 100 && appended_at <= produced_at + 5100,
            "record {seq}"
        );
    }
}

#[test]
fn a_full_batch_is_sent_before_linger_ms() {
    // 300-byte batches: every third record fills one, and it goes out at that instant.
    let events = run(r#"{ "batch.size": 300, "linger.ms": 1000 }"#, "");
    let (appended_at, seq) = events.appended[0];
    assert_eq!(seq, 0);
    assert_eq!(appended_at, events.produced[2].0 + 100);
}

#[test]
fn sticky_partitioner_switches_after_twice_batch_size_when_batches_are_not_full() {
    // linger.ms 0: batches never fill, so enableSwitch is false and the switch comes at
    // 2 * batch.size = 2000 bytes = 20 records (BuiltInPartitioner.updatePartitionInfo).
    let events = run(r#"{ "batch.size": 1000 }"#, "");
    assert_eq!(sticky_runs(&events.produced)[0], 20);
}

#[test]
fn sticky_partitioner_switches_after_batch_size_when_the_batch_is_full() {
    // A long linger lets the 1000-byte batch fill: the switch comes at batch.size (10 records).
    let events = run(r#"{ "batch.size": 1000, "linger.ms": 1000 }"#, "");
    let runs = sticky_runs(&events.produced);
    // A switch may draw the same partition again (Kafka 3.3+ does not exclude it), so runs
    // are multiples of 10.
    assert!(runs.iter().all(|run| run % 10 == 0), "{runs:?}");
    assert_eq!(runs.iter().sum::<usize>(), 40);
    // With this seed: 10 on one partition, 10 on the next, then a draw of the same one twice.
    assert_eq!(runs, [10, 10, 20]);
}

#[test]
fn a_crash_loses_what_waits_in_the_accumulator() {
    let events = run(
        r#"{ "batch.size": 100000, "linger.ms": 5 }"#,
        r#"{ "action": "crash", "instance": "app-0", "at_us": 12500 },
           { "action": "restart", "instance": "app-0", "at_us": 20000 }"#,
    );
    // Records 10, 11 and 12 were waiting for the batch opened at 10 ms.
    assert_eq!(events.produced.len(), 40);
    assert_eq!(events.appended.len(), 37);
    assert!(
        events
            .appended
            .iter()
            .all(|&(_, seq)| !(10..=12).contains(&seq))
    );
    assert!(
        events
            .text
            .contains("lost in producer buffers at crashes: 3 (waiting for linger.ms, never sent)"),
        "{}",
        events.text
    );
    assert!(
        events
            .text
            .contains("produced 40, appended 37, in flight 0")
    );
}

// librdkafka's consistent_random: unkeyed records stick to a random partition until
// sticky.partitioning.linger.ms (10 ms by default) has passed since it was drawn
// (rd_kafka_msg_sticky_partition): records at 0..=10 ms share one draw, 11..=21 ms the next.
#[test]
fn librdkafka_unkeyed_records_stick_for_sticky_partitioning_linger_ms() {
    let events = run_text(&scenario_with(
        "{}",
        "",
        "consistent_random",
        r#""count": 44"#,
    ));
    for (index, chunk) in events.produced.chunks(11).enumerate() {
        let first = chunk[0].1;
        assert!(
            chunk.iter().all(|&(_, partition, _)| partition == first),
            "draw {index}: {chunk:?}"
        );
    }
    let distinct: std::collections::BTreeSet<u64> =
        events.produced.iter().map(|&(_, p, _)| p).collect();
    assert!(distinct.len() > 1, "four draws all on one partition");
}

#[test]
fn librdkafka_sticky_linger_zero_draws_for_every_record() {
    let events = run_text(&scenario_with(
        r#"{ "sticky.partitioning.linger.ms": 0 }"#,
        "",
        "consistent_random",
        r#""count": 40"#,
    ));
    let runs = sticky_runs(&events.produced);
    assert!(runs.len() > 20, "{runs:?}");
}

// librdkafka's consistent_random treats an empty key like no key; the Java client hashes it.
#[test]
fn an_empty_key_is_unkeyed_for_consistent_random_only() {
    let fixed = r#""count": 30, "keys": { "fixed": [""] }"#;
    let librdkafka = run_text(&scenario_with(
        r#"{ "sticky.partitioning.linger.ms": 0 }"#,
        "",
        "consistent_random",
        fixed,
    ));
    assert!(sticky_runs(&librdkafka.produced).len() > 10);
    let java = run_text(&scenario_with("{}", "", "murmur2", fixed));
    assert_eq!(sticky_runs(&java.produced), [30]);
}

// librdkafka's deterministic fnv1a hashes a missing key like an empty one: one partition.
#[test]
fn fnv1a32_puts_every_unkeyed_record_on_one_partition() {
    let events = run_text(&scenario_with("{}", "", "fnv1a32", r#""count": 40"#));
    // fnv1a32("") = 0x811c9dc5 = 2166136261, and 2166136261 % 4 = 1.
    assert!(
        events
            .produced
            .iter()
            .all(|&(_, partition, _)| partition == 1)
    );
}

//! Compaction and retention in whole runs (issue 12): what `--logs` lists after a cleaner pass,
//! the refusal of unkeyed records on a compacted stream, `retention.bytes`, and the messages of
//! the log admin actions.

use eventlab::run::{RunOptions, run_scenario};

fn json_of(text: &str, options: RunOptions) -> serde_json::Value {
    let run = run_scenario(text, "test.json", options).expect("a valid scenario");
    serde_json::from_str(&run.json()).expect("the report is JSON")
}

fn with_logs() -> RunOptions {
    RunOptions {
        logs: true,
        ..RunOptions::default()
    }
}

#[test]
fn logs_list_the_survivors_at_their_original_offsets() {
    let text = eventlab::bundled::find("compaction-keeps-latest").expect("bundled");
    let report = json_of(text, with_logs());
    let partition = &report["streams"][0]["partitions"][0];
    let offsets: Vec<u64> = partition["log"]
        .as_array()
        .expect("a log listing")
        .iter()
        .map(|entry| entry["offset"].as_u64().expect("an offset"))
        .collect();
    assert_eq!(offsets, vec![5, 6, 7, 8, 9]);
    assert_eq!(partition["log"][0]["key"], "sku-2");
    assert_eq!(partition["log"][0]["value"]["price"], 21);
    let segments = partition["segments"].as_array().expect("segments");
    assert_eq!(
        segments.len(),
        2,
        "the cleaned segments were grouped into one"
    );
    assert_eq!(
        segments[1]["base_offset"], 8,
        "the active segment is untouched"
    );
    let passes = report["cleaner_passes"].as_array().expect("passes");
    assert_eq!(passes.len(), 1);
    assert_eq!(passes[0]["end_offset"], 8);
    assert_eq!(passes[0]["removed"], 5);
    // Without --logs the listing is absent.
    let plain = json_of(text, RunOptions::default());
    assert!(plain["streams"][0]["partitions"][0].get("log").is_none());
}

#[test]
fn until_shows_the_log_as_it_stood_then() {
    let text = eventlab::bundled::find("tombstones-and-delete-retention").expect("bundled");
    let options = RunOptions {
        until: Some(eventlab::sim::SimTime(2_000_000)),
        ..with_logs()
    };
    let report = json_of(text, options);
    let log = report["streams"][0]["partitions"][0]["log"]
        .as_array()
        .expect("a log listing")
        .clone();
    let last = log.last().expect("records");
    assert_eq!(last["key"], "user-3");
    assert!(
        last["value"].is_null(),
        "the tombstone is still there at 2 s"
    );
}

const UNKEYED: &str = r#"{
  "name": "unkeyed-on-compacted",
  "streams": [{ "name": "s", "kafka": { "cleanup.policy": "compact" } }],
  "services": [
    { "name": "p", "produces": [{ "stream": "s", "interval_us": 1000, "count": 20 }] },
    { "name": "c", "consumes": [{ "stream": "s" }] }
  ]
}"#;

#[test]
fn a_compacted_stream_refuses_unkeyed_records() {
    let run = run_scenario(
        UNKEYED,
        "test.json",
        RunOptions {
            trace: true,
            ..RunOptions::default()
        },
    )
    .expect("valid");
    let report: serde_json::Value = serde_json::from_str(&run.json()).expect("JSON");
    let stream = &report["streams"][0];
    assert_eq!(stream["produced"], 20);
    assert_eq!(stream["appended"], 0);
    assert_eq!(stream["rejected_unkeyed"], 20);
    assert_eq!(
        report["outcome"]["stop"], "drained",
        "refused records leave the wire"
    );
    let rejected = run
        .trace_events()
        .filter(|line| line.contains("\"record_rejected\""))
        .count();
    assert_eq!(rejected, 20);
    assert!(run.text().contains("refused 20 records without a key"));
}

#[test]
fn retention_bytes_deletes_the_oldest_segments() {
    let text = r#"{
      "name": "retention-bytes",
      "streams": [{ "name": "s", "kafka": {
        "retention.bytes": 1000, "segment.bytes": 500, "log.retention.check.interval.ms": 100 } }],
      "services": [
        { "name": "p", "produces": [{ "stream": "s", "interval_us": 1000, "count": 100,
          "keys": { "uniform": 5 }, "value_size_bytes": 95 }] }
      ],
      "stop": { "at_us": 1000000 }
    }"#;
    let report = json_of(text, RunOptions::default());
    let stream = &report["streams"][0];
    let deleted = stream["deleted_by_retention"].as_u64().expect("a count");
    let start = stream["partitions"][0]["log_start_offset"]
        .as_u64()
        .expect("an offset");
    assert!(
        deleted > 0 && deleted == start,
        "{deleted} deleted, log start {start}"
    );
    // What is left is at most retention.bytes plus the active segment.
    let kept_bytes = (100 - start) * 100;
    assert!(kept_bytes <= 1_000 + 500, "{kept_bytes} bytes kept");
}

#[test]
fn log_admin_actions_are_checked() {
    let text = r#"{
      "name": "admin",
      "streams": [{ "name": "s", "partition_count": 2 }, { "name": "q", "carrier": "queue" }],
      "services": [{ "name": "p", "produces": [{ "stream": "s", "interval_us": 1000, "count": 1 }] }],
      "admin": [
        { "action": "clean", "at_us": 10, "stream": "s" },
        { "action": "delete_records", "at_us": 10, "stream": "s", "partition": 2, "before_offset": 1 },
        { "action": "delete_records", "at_us": 10, "stream": "s" },
        { "action": "roll", "at_us": 10, "stream": "q" },
        { "action": "roll", "stream": "s" }
      ]
    }"#;
    let errors = run_scenario(text, "admin.json", RunOptions::default()).expect_err("invalid");
    let messages: Vec<String> = errors.iter().map(|error| error.to_string()).collect();
    assert_eq!(
        messages,
        vec![
            "admin.json: admin[0].stream: stream \"s\" is not compacted (set \"cleanup.policy\" to \"compact\" in its kafka block)",
            "admin.json: admin[1].partition: stream \"s\" has partitions 0 to 1 (asked for 2)",
            "admin.json: admin[2]: a \"delete_records\" action needs \"at_us\", \"stream\", \"partition\" and \"before_offset\"",
            "admin.json: admin[3].stream: stream \"q\" is carried by the queue, which has no log to roll",
            "admin.json: admin[4]: a \"roll\" action needs \"at_us\" and \"stream\"",
        ]
    );
}

#[test]
fn a_restored_table_reads_the_compacted_changelog() {
    let text = eventlab::bundled::find("table-restored-from-changelog").expect("bundled");
    let report = json_of(text, RunOptions::default());
    let restores = report["table_restores"].as_array().expect("restores");
    assert_eq!(restores.len(), 1);
    let read = restores[0]["read"].as_u64().expect("a count");
    let without = restores[0]["without_compaction"].as_u64().expect("a count");
    assert!(
        read < without / 2,
        "read {read}, without compaction {without}"
    );
    assert!(read >= 12, "at least one record per user");
    assert_eq!(report["tables"][0]["check"]["matches"], true);
}

#[test]
fn restore_from_changelog_needs_a_changelog() {
    let text = r#"{
      "name": "restore",
      "streams": [{ "name": "s" }],
      "services": [{ "name": "t", "tables": [{ "name": "x", "restore_from_changelog": true }],
        "consumes": [{ "stream": "s", "materialize": "x" }] }]
    }"#;
    let errors = run_scenario(text, "r.json", RunOptions::default()).expect_err("invalid");
    let messages: Vec<String> = errors.iter().map(|error| error.to_string()).collect();
    assert_eq!(
        messages,
        vec![
            "r.json: services[0].tables[0].restore_from_changelog: a table restores from its changelog, so it needs \"changelog_stream\""
        ]
    );
}

#[test]
fn record_values_need_the_only_producer_of_their_stream() {
    let text = r#"{
      "name": "values",
      "streams": [{ "name": "s" }],
      "services": [{ "name": "p", "produces": [
        { "stream": "s", "records": [{ "at_us": 0, "key": "a", "value": null }] },
        { "stream": "s", "interval_us": 1000, "count": 2 }
      ] }]
    }"#;
    let errors = run_scenario(text, "v.json", RunOptions::default()).expect_err("invalid");
    let messages: Vec<String> = errors.iter().map(|error| error.to_string()).collect();
    assert_eq!(
        messages,
        vec![
            "v.json: services[0].produces[0].records: records with a \"value\" need this to be the service's only \"produces\" entry for stream \"s\""
        ]
    );
}

#[test]
fn retention_ms_deletes_an_expired_active_segment() {
    // Kafka 3.9's `UnifiedLog.deletableSegments` includes the active segment once its newest
    // record is past `retention.ms`; `deleteSegments` rolls a new empty one first, so the log
    // start offset reaches the log end offset.
    let text = r#"{
      "name": "retention-active",
      "streams": [{ "name": "s", "kafka": {
        "retention.ms": 1000, "log.retention.check.interval.ms": 100 } }],
      "services": [
        { "name": "p", "produces": [{ "stream": "s", "interval_us": 1000, "count": 50,
          "keys": { "uniform": 5 }, "value_size_bytes": 10 }] }
      ],
      "stop": { "at_us": 3000000 }
    }"#;
    let report = json_of(text, with_logs());
    let stream = &report["streams"][0];
    let partition = &stream["partitions"][0];
    assert_eq!(stream["deleted_by_retention"], 50);
    assert_eq!(partition["log_start_offset"], 50);
    assert_eq!(partition["log_end_offset"], 50);
    let segments = partition["segments"].as_array().expect("segments");
    assert_eq!(segments.len(), 1, "one new empty active segment");
    assert_eq!(segments[0]["base_offset"], 50);
    assert_eq!(partition["log"].as_array().map(Vec::len), Some(0));
}

#[test]
fn a_table_from_a_compacted_stream_is_checked_against_the_compacted_log() {
    let against = |name: &str| -> Vec<String> {
        let text = eventlab::bundled::find(name).expect("bundled");
        let report = json_of(text, RunOptions::default());
        report["tables"]
            .as_array()
            .expect("tables")
            .iter()
            .filter_map(|table| table["check"]["against"].as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(
        against("compaction-keeps-latest"),
        vec![
            "the compacted log of stream prices, latest value per key with tombstones absent"
                .to_string()
        ]
    );
    let plain = against("entity-events-and-tables");
    assert!(!plain.is_empty());
    assert!(
        plain
            .iter()
            .all(|a| a.starts_with("the latest value per key of stream ")),
        "{plain:?}"
    );
    let text = eventlab::bundled::find("compaction-keeps-latest").expect("bundled");
    let run = run_scenario(text, "test.json", RunOptions::default()).expect("valid");
    assert!(
        run.text()
            .contains("check: equals the compacted log of stream prices"),
        "{}",
        run.text()
    );
}

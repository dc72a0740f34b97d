//! Bad scenarios and bad command lines through the real binary: the exact message, exit code 2
//! (1 for a run that hits a limit or fails an `expect`, 0 for a closed stdout).

use std::process::Stdio;

use crate::common::{eventlab_in, scratch_dir, write};

/// A small valid scenario; tests break one thing in it.
const SHOP: &str = r#"{
  "name": "shop",
  "streams": [
    { "name": "orders", "partition_count": 3 },
    { "name": "payments" }
  ],
  "services": [
    { "name": "checkout", "produces": [{ "stream": "orders", "interval_us": 1000, "count": 10 }] },
    { "name": "billing", "instance_count": 2, "consumes": [{ "stream": "orders" }] },
    { "name": "audit", "consumes": [{ "stream": "orders" }] }
  ]
}"#;

/// `SHOP` with the one occurrence of `from` replaced by `to`.
fn shop_with(from: &str, to: &str) -> String {
    assert_eq!(
        SHOP.matches(from).count(),
        1,
        "{from:?} must occur once in SHOP"
    );
    SHOP.replacen(from, to, 1)
}

/// `SHOP` with extra top-level fields, e.g. `"faults": [...]`.
fn shop_plus(extra: &str) -> String {
    let body = SHOP.strip_suffix("\n}").expect("SHOP ends with a brace");
    format!("{body},\n  {extra}\n}}")
}

/// `eventlab validate shop.json` fails with exactly `stderr` (plus a newline) and exit code 2.
#[track_caller]
fn rejects(test: &str, json: &str, stderr: &str) {
    let dir = scratch_dir(test);
    write(&dir, "shop.json", json);
    eventlab_in(&dir)
        .args(["validate", "shop.json"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!("{stderr}\n"));
}

/// `eventlab run shop.json` fails with exactly `stderr` (plus a newline) and exit code 2.
#[track_caller]
fn run_rejects(test: &str, json: &str, stderr: &str) {
    let dir = scratch_dir(test);
    write(&dir, "shop.json", json);
    eventlab_in(&dir)
        .args(["run", "shop.json"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!("{stderr}\n"));
}

#[test]
fn the_base_scenario_is_valid() {
    let dir = scratch_dir("the_base_scenario_is_valid");
    write(&dir, "shop.json", SHOP);
    eventlab_in(&dir)
        .args(["validate", "shop.json"])
        .assert()
        .code(0)
        .stdout("shop.json: ok (2 streams, 3 services)\n")
        .stderr("");
}

// Syntax.

#[test]
fn invalid_json_syntax_gives_line_and_column() {
    let json = "{\n  \"name\": \"shop\",\n  \"streams\": [{ \"name\": \"orders\", }]\n}";
    run_rejects(
        "invalid_json_syntax",
        json,
        "eventlab: shop.json: line 3, column 35: trailing comma",
    );
}

#[test]
fn trailing_garbage_after_the_json_is_an_error() {
    let json = format!("{SHOP}\n}}");
    rejects(
        "trailing_garbage",
        &json,
        "eventlab: shop.json: line 13, column 1: trailing characters",
    );
}

#[test]
fn an_empty_file_is_a_syntax_error() {
    rejects(
        "empty_file",
        "",
        "eventlab: shop.json: line 1, column 0: EOF while parsing a value",
    );
}

// Shape: names, types, required fields.

#[test]
fn unknown_top_level_field_suggests_the_near_name() {
    rejects(
        "unknown_top_level_field",
        &shop_with(r#""name": "shop","#, r#""name": "shop", "seeds": 7,"#),
        r#"eventlab: shop.json: seeds: unknown field "seeds" (did you mean "seed"?)"#,
    );
}

#[test]
fn unknown_nested_field_partitions_suggests_partition_count() {
    rejects(
        "unknown_nested_field",
        &shop_with(r#""partition_count": 3"#, r#""partitions": 3"#),
        r#"eventlab: shop.json: streams[0].partitions: unknown field "partitions" (did you mean "partition_count"?)"#,
    );
}

#[test]
fn unknown_field_with_no_near_name_lists_the_fields() {
    rejects(
        "unknown_field_listed",
        &shop_with(
            r#"{ "name": "payments" }"#,
            r#"{ "name": "payments", "zzz": 1 }"#,
        ),
        r#"eventlab: shop.json: streams[1].zzz: unknown field "zzz" (expected "carrier", "compatibility", "description", "entity", "kafka", "kind", "name", "partition_count", "partitioner", "rabbitmq" or "schema")"#,
    );
}

#[test]
fn a_string_where_a_count_is_expected_says_to_drop_the_quotes() {
    rejects(
        "string_for_integer",
        &shop_with(r#""partition_count": 3"#, r#""partition_count": "3""#),
        r#"eventlab: shop.json: streams[0].partition_count: expected a whole number of 0 or more, got "3" (write 3 without quotes)"#,
    );
}

#[test]
fn a_negative_count_is_rejected_without_rust_type_names() {
    rejects(
        "negative_count",
        &shop_with(r#""partition_count": 3"#, r#""partition_count": -3"#),
        "eventlab: shop.json: streams[0].partition_count: expected a whole number of 0 or more, got -3",
    );
}

#[test]
fn an_exponent_where_a_count_is_expected_says_how_to_write_it() {
    rejects(
        "exponent_count",
        &shop_with(r#""count": 10"#, r#""count": 1e6"#),
        "eventlab: shop.json: services[0].produces[0].count: expected a whole number of 0 or more, got 1e6 (write 1000000 without a decimal point or exponent)",
    );
}

#[test]
fn a_number_past_u64_is_too_large() {
    rejects(
        "number_too_large",
        &shop_with(r#""count": 10"#, r#""count": 18446744073709551616"#),
        "eventlab: shop.json: services[0].produces[0].count: expected a whole number of 0 or more, got 18446744073709551616 (at most 18446744073709551615)",
    );
}

#[test]
fn an_array_where_an_object_is_expected_is_named_in_json_words() {
    rejects(
        "array_for_object",
        &shop_with(r#"{ "name": "payments" }"#, "[]"),
        "eventlab: shop.json: streams[1]: expected an object, got an empty array",
    );
}

#[test]
fn missing_name_is_reported_at_the_top_level() {
    rejects(
        "missing_name",
        &shop_with(r#""name": "shop","#, ""),
        r#"eventlab: shop.json: (top level): missing field "name""#,
    );
}

#[test]
fn missing_streams_is_reported_at_the_top_level() {
    rejects(
        "missing_streams",
        r#"{ "name": "shop" }"#,
        r#"eventlab: shop.json: (top level): missing field "streams""#,
    );
}

#[test]
fn unknown_key_variant_suggests_the_near_name() {
    rejects(
        "unknown_key_variant",
        &shop_with(
            r#""count": 10"#,
            r#""count": 10, "keys": { "sequentail": 8 }"#,
        ),
        r#"eventlab: shop.json: services[0].produces[0].keys.sequentail: unknown field "sequentail" (did you mean "sequential"?)"#,
    );
}

#[test]
fn keys_given_as_a_number_say_what_keys_look_like() {
    rejects(
        "keys_as_number",
        &shop_with(r#""count": 10"#, r#""count": 10, "keys": 8"#),
        r#"eventlab: shop.json: services[0].produces[0].keys: expected "unkeyed" or an object with one key: "sequential", "uniform", "zipf" or "fixed", got 8 (e.g. {"uniform":8})"#,
    );
}

#[test]
fn a_key_variant_without_its_count_says_it_needs_a_value() {
    rejects(
        "key_variant_without_count",
        &shop_with(r#""count": 10"#, r#""count": 10, "keys": "uniform""#),
        r#"eventlab: shop.json: services[0].produces[0].keys: "uniform" needs a value (write {"uniform": ...})"#,
    );
}

#[test]
fn every_shape_problem_is_reported_at_once_in_document_order() {
    // Shape problems (types, unknown and missing fields) are all listed, in the order they
    // appear in the file, each with its path, in words without Rust types.
    let json = r#"{
  "name": "shop",
  "seeds": 7,
  "streams": [
    { "name": "orders", "partition_count": "3", "partitions": 2 },
    { "description": "no name", "carrier": 5 }
  ],
  "services": [
    { "name": "checkout", "instance_count": -1,
      "produces": [{ "stream": "orders", "count": 1.5, "keys": { "uniform": "8" } }] },
    { "name": "billing", "consumes": [{ "stream": "orders", "processing_time_us": 50 }] }
  ]
}"#;
    rejects(
        "every_shape_problem_is_reported_at_once_in_document_order",
        json,
        r#"eventlab: shop.json: seeds: unknown field "seeds" (did you mean "seed"?)
eventlab: shop.json: streams[0].partition_count: expected a whole number of 0 or more, got "3" (write 3 without quotes)
eventlab: shop.json: streams[0].partitions: unknown field "partitions" (did you mean "partition_count"?)
eventlab: shop.json: streams[1]: missing field "name"
eventlab: shop.json: streams[1].carrier: expected a string, got 5
eventlab: shop.json: services[0].instance_count: expected a whole number of 0 or more, got -1
eventlab: shop.json: services[0].produces[0].count: expected a whole number of 0 or more, got 1.5
eventlab: shop.json: services[0].produces[0].keys.uniform: expected a whole number of 0 or more, got "8" (write 8 without quotes)
eventlab: shop.json: services[1].consumes[0].processing_time_us: expected an object with one key: "fixed", "uniform" or "exponential_mean", got 50 (e.g. {"fixed":50})"#,
    );
}

#[test]
fn a_field_given_twice_is_an_error() {
    rejects(
        "a_field_given_twice_is_an_error",
        &shop_with(
            r#"{ "name": "payments" }"#,
            r#"{ "name": "payments", "name": "pay" }"#,
        ),
        r#"eventlab: shop.json: streams[1]: field "name" is given twice (keep one)"#,
    );
}

#[test]
fn schema_prints_the_committed_scenario_schema() {
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/scenario.schema.json"
    ))
    .expect("docs/scenario.schema.json exists");
    let dir = scratch_dir("schema_prints_the_committed_scenario_schema");
    let output = eventlab_in(&dir)
        .arg("schema")
        .output()
        .expect("eventlab runs");
    assert_eq!(output.status.code(), Some(0));
    assert!(
        output.stdout == committed.as_bytes(),
        "docs/scenario.schema.json differs from `eventlab schema`: regenerate it with \
         `cargo run -- schema > docs/scenario.schema.json` and review the diff"
    );
    eventlab_in(&dir)
        .args(["schema", "--help"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains(
            "\"$schema\": \"../docs/scenario.schema.json\"",
        ));
}

// Meaning: references, ranges, combinations.

#[test]
fn unknown_stream_in_consumes_suggests_the_near_name() {
    rejects(
        "unknown_stream_consumes",
        &shop_with(
            r#"{ "name": "audit", "consumes": [{ "stream": "orders" }] }"#,
            r#"{ "name": "audit", "consumes": [{ "stream": "order" }] }"#,
        ),
        r#"eventlab: shop.json: services[2].consumes[0].stream: unknown stream "order" (did you mean "orders"?)"#,
    );
}

#[test]
fn unknown_stream_in_produces_suggests_the_near_name() {
    rejects(
        "unknown_stream_produces",
        &shop_with(
            r#"{ "stream": "orders", "interval_us""#,
            r#"{ "stream": "paymnts", "interval_us""#,
        ),
        r#"eventlab: shop.json: services[0].produces[0].stream: unknown stream "paymnts" (did you mean "payments"?)"#,
    );
}

#[test]
fn zero_partitions_is_rejected() {
    rejects(
        "zero_partitions",
        &shop_with(r#""partition_count": 3"#, r#""partition_count": 0"#),
        "eventlab: shop.json: streams[0].partition_count: partition_count must be at least 1, not 0",
    );
}

#[test]
fn partition_count_above_the_limit_is_rejected() {
    rejects(
        "partition_count_above_limit",
        &shop_with(r#""partition_count": 3"#, r#""partition_count": 1000000"#),
        "eventlab: shop.json: streams[0].partition_count: 1000000 is more than 10000, the most eventlab allows for partition_count",
    );
}

#[test]
fn a_stream_declared_twice_is_rejected() {
    rejects(
        "duplicate_stream",
        &shop_with(r#"{ "name": "payments" }"#, r#"{ "name": "orders" }"#),
        r#"eventlab: shop.json: streams[1].name: stream "orders" is declared twice"#,
    );
}

#[test]
fn a_service_declared_twice_is_rejected() {
    rejects(
        "duplicate_service",
        &shop_with(r#"{ "name": "audit""#, r#"{ "name": "checkout""#),
        r#"eventlab: shop.json: services[2].name: service "checkout" is declared twice"#,
    );
}

#[test]
fn unknown_partitioner_suggests_the_near_name() {
    rejects(
        "unknown_partitioner",
        &shop_with(
            r#"{ "name": "payments" }"#,
            r#"{ "name": "payments", "partitioner": "murmur" }"#,
        ),
        r#"eventlab: shop.json: streams[1].partitioner: unknown partitioner "murmur" (did you mean "murmur2"?)"#,
    );
}

#[test]
fn unknown_partitioner_with_no_near_name_lists_them() {
    rejects(
        "unknown_partitioner_listed",
        &shop_with(
            r#"{ "name": "payments" }"#,
            r#"{ "name": "payments", "partitioner": "xyz" }"#,
        ),
        r#"eventlab: shop.json: streams[1].partitioner: unknown partitioner "xyz" (expected "murmur2", "fnv1a32" or "consistent_random")"#,
    );
}

#[test]
fn a_producer_needs_an_interval_or_a_rate() {
    rejects(
        "producer_without_interval",
        &shop_with(r#""interval_us": 1000, "count": 10"#, r#""count": 10"#),
        r#"eventlab: shop.json: services[0].produces[0]: say how often to produce: "interval_us", "rate_per_s" or an explicit "records" list"#,
    );
}

#[test]
fn a_producer_takes_an_interval_or_a_rate_not_both() {
    rejects(
        "producer_interval_and_rate",
        &shop_with(
            r#""interval_us": 1000,"#,
            r#""interval_us": 1000, "rate_per_s": 50,"#,
        ),
        r#"eventlab: shop.json: services[0].produces[0]: give either "interval_us" or "rate_per_s", not both"#,
    );
}

#[test]
fn explicit_records_exclude_an_interval() {
    rejects(
        "records_and_interval",
        &shop_with(
            r#""interval_us": 1000, "count": 10"#,
            r#""interval_us": 1000, "records": [{ "at_us": 0 }]"#,
        ),
        r#"eventlab: shop.json: services[0].produces[0]: "records" lists every record, so "interval_us" cannot be set too"#,
    );
}

#[test]
fn a_producer_that_never_stops_is_rejected_when_the_run_waits_to_drain() {
    rejects(
        "never_ending_producer",
        &shop_with(
            r#""interval_us": 1000, "count": 10"#,
            r#""interval_us": 1000"#,
        ),
        r#"eventlab: shop.json: services[0].produces[0]: this producer never stops: set "count" or "produce_until_us" (or a top-level "stop")"#,
    );
}

#[test]
fn the_heartbeat_must_be_shorter_than_the_session_timeout() {
    rejects(
        "heartbeat_vs_session",
        &shop_with(
            r#"{ "name": "audit", "consumes": [{ "stream": "orders" }] }"#,
            r#"{ "name": "audit", "consumes": [{ "stream": "orders", "kafka": { "session.timeout.ms": 3000 } }] }"#,
        ),
        r#"eventlab: shop.json: services[2].consumes[0].kafka."heartbeat.interval.ms": 3000 must be lower than session.timeout.ms (3000)"#,
    );
}

#[test]
fn unknown_fault_action_suggests_the_near_name() {
    rejects(
        "unknown_fault_action",
        &shop_plus(r#""faults": [{ "action": "crsh", "instance": "billing-1", "at_us": 5000 }]"#),
        r#"eventlab: shop.json: faults[0].action: unknown fault action "crsh" (did you mean "crash"?)"#,
    );
}

#[test]
fn a_fault_on_an_unknown_instance_suggests_the_near_name() {
    rejects(
        "fault_unknown_instance",
        &shop_plus(r#""faults": [{ "action": "crash", "instance": "biling-1", "at_us": 5000 }]"#),
        r#"eventlab: shop.json: faults[0].instance: unknown instance "biling-1" (did you mean "billing-1"?)"#,
    );
}

#[test]
fn an_instance_that_is_not_down_cannot_restart() {
    rejects(
        "restart_not_down",
        &shop_plus(
            r#""faults": [{ "action": "restart", "instance": "billing-1", "at_us": 5000 }]"#,
        ),
        r#"eventlab: shop.json: faults[0]: "billing-1" is not down at 5000 us, so it cannot restart"#,
    );
}

#[test]
fn a_second_identical_crash_is_reported_at_its_own_index() {
    rejects(
        "duplicate_crash",
        &shop_plus(
            r#""faults": [
    { "action": "crash", "instance": "billing-1", "at_us": 5000 },
    { "action": "crash", "instance": "billing-1", "at_us": 5000 }
  ]"#,
        ),
        r#"eventlab: shop.json: faults[1]: "billing-1" is already down at 5000 us"#,
    );
}

#[test]
fn a_slow_fault_must_end_after_it_starts() {
    rejects(
        "slow_from_after_until",
        &shop_plus(
            r#""faults": [{ "action": "slow", "instance": "billing-0", "from_us": 9000, "until_us": 9000, "factor": 4 }]"#,
        ),
        "eventlab: shop.json: faults[0].until_us: 9000 is not after from_us (9000)",
    );
}

#[test]
fn unknown_expect_check_suggests_the_near_name() {
    rejects(
        "unknown_check",
        &shop_plus(r#""expect": [{ "check": "no_los", "stream": "orders" }]"#),
        r#"eventlab: shop.json: expect[0].check: unknown check "no_los" (did you mean "no_loss"?)"#,
    );
}

#[test]
fn max_lag_below_needs_a_value() {
    rejects(
        "max_lag_without_value",
        &shop_plus(r#""expect": [{ "check": "max_lag_below", "stream": "orders" }]"#),
        r#"eventlab: shop.json: expect[0]: "max_lag_below" needs a "value" (records)"#,
    );
}

#[test]
fn stop_takes_a_time_or_a_record_count_not_both() {
    rejects(
        "stop_both",
        &shop_plus(r#""stop": { "at_us": 1000000, "after_records_consumed": 5 }"#),
        r#"eventlab: shop.json: stop: give either "at_us" or "after_records_consumed", not both"#,
    );
}

#[test]
fn two_services_cannot_share_a_group_on_one_stream() {
    rejects(
        "shared_group_id",
        &shop_with(
            r#"{ "name": "audit", "consumes": [{ "stream": "orders" }] }"#,
            r#"{ "name": "audit", "consumes": [{ "stream": "orders", "kafka": { "group.id": "billing" } }] }"#,
        ),
        r#"eventlab: shop.json: services[2].consumes[0].kafka."group.id": group "billing" already reads stream "orders" for service "billing" (give each service its own group.id)"#,
    );
}

#[test]
fn semantic_errors_are_all_reported_in_document_order() {
    let json = r#"{
  "name": "shop",
  "streams": [
    { "name": "orders", "partition_count": 0 },
    { "name": "orders", "partitioner": "murmur" }
  ],
  "services": [
    { "name": "checkout", "produces": [{ "stream": "order", "interval_us": 1000 }] },
    { "name": "billing", "instance_count": 2, "consumes": [{ "stream": "orders", "commit": "after" }] }
  ],
  "faults": [
    { "action": "crash", "instance": "billing-2", "at_us": 1000 },
    { "action": "slow", "instance": "billing-0", "from_us": 5000, "until_us": 1000, "factor": 2 }
  ],
  "admin": [{ "action": "create_partitions", "stream": "ordres", "at_us": 2000, "partition_count": 4 }],
  "expect": [{ "check": "no_loss", "stream": "payments" }]
}"#;
    rejects(
        "all_errors_at_once",
        json,
        r#"eventlab: shop.json: streams[0].partition_count: partition_count must be at least 1, not 0
eventlab: shop.json: streams[1].name: stream "orders" is declared twice
eventlab: shop.json: streams[1].partitioner: unknown partitioner "murmur" (did you mean "murmur2"?)
eventlab: shop.json: services[0].produces[0].stream: unknown stream "order" (did you mean "orders"?)
eventlab: shop.json: services[0].produces[0]: this producer never stops: set "count" or "produce_until_us" (or a top-level "stop")
eventlab: shop.json: services[1].consumes[0].commit: unknown commit mode "after" (expected "after_processing" or "before_processing")
eventlab: shop.json: faults[0].instance: unknown instance "billing-2" (did you mean "billing-0"?)
eventlab: shop.json: faults[1].until_us: 1000 is not after from_us (5000)
eventlab: shop.json: admin[0].stream: unknown stream "ordres" (did you mean "orders"?)
eventlab: shop.json: expect[0].stream: unknown stream "payments""#,
    );
}

// The command line.

#[test]
fn an_unknown_bundled_scenario_suggests_the_near_name() {
    let dir = scratch_dir("unknown_bundled");
    eventlab_in(&dir)
        .args(["run", "hello-lgo"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            "eventlab: hello-lgo: no such file or bundled scenario (did you mean \"hello-log\"?)\n",
        );
}

#[test]
fn until_without_a_unit_is_a_usage_error() {
    let dir = scratch_dir("until_without_unit");
    eventlab_in(&dir).args(["run", "hello-log", "--until", "10"]).assert().code(2).stdout("").stderr(
        "error: invalid value '10' for '--until <DURATION>': duration \"10\" needs a unit: us, ms, s, m, h or d\n\n\
         For more information, try '--help'.\n",
    );
}

#[test]
fn until_with_an_unknown_unit_is_a_usage_error() {
    let dir = scratch_dir("until_unknown_unit");
    eventlab_in(&dir).args(["run", "hello-log", "--until", "5sec"]).assert().code(2).stdout("").stderr(
        "error: invalid value '5sec' for '--until <DURATION>': unknown unit \"sec\" in \"5sec\" (expected us, ms, s, m, h or d)\n\n\
         For more information, try '--help'.\n",
    );
}

#[test]
fn a_trace_window_that_ends_before_it_starts_is_a_usage_error() {
    let dir = scratch_dir("backwards_trace_window");
    eventlab_in(&dir).args(["run", "hello-log", "--trace", "t.jsonl", "--trace-window", "25ms..10ms"]).assert().code(2).stdout("").stderr(
        "error: invalid value '25ms..10ms' for '--trace-window <FROM..TO>': window \"25ms..10ms\" ends before it starts\n\n\
         For more information, try '--help'.\n",
    );
    assert!(
        !dir.join("t.jsonl").exists(),
        "no trace file for a rejected command line"
    );
}

#[test]
fn validate_checks_every_file_and_prints_ok_for_the_good_ones() {
    let dir = scratch_dir("validate_several");
    write(&dir, "good.json", SHOP);
    write(
        &dir,
        "bad.json",
        &shop_with(r#""partition_count": 3"#, r#""partition_count": 0"#),
    );
    eventlab_in(&dir)
        .args(["validate", "good.json", "bad.json", "hello-log", "missing.json"])
        .assert()
        .code(2)
        .stdout("good.json: ok (2 streams, 3 services)\nhello-log: ok (1 streams, 2 services)\n")
        .stderr(
            "eventlab: bad.json: streams[0].partition_count: partition_count must be at least 1, not 0\n\
             eventlab: missing.json: no such file or bundled scenario\n",
        );
}

/// hello-log with `limits.events_max` 500, written as `limited.json` in a new scratch folder.
fn hello_log_limited_to_500_events(name: &str) -> std::path::PathBuf {
    let dir = scratch_dir(name);
    let hello = eventlab::bundled::find("hello-log").expect("bundled hello-log");
    let limited = hello.replacen(
        r#""seed": 42,"#,
        r#""seed": 42, "limits": { "events_max": 500 },"#,
        1,
    );
    assert_ne!(limited, hello);
    write(&dir, "limited.json", &limited);
    dir
}

#[test]
fn a_run_that_hits_events_max_exits_1_and_says_which_limit() {
    let dir = hello_log_limited_to_500_events("events_max");
    eventlab_in(&dir)
        .args(["run", "limited.json"])
        .assert()
        .code(1)
        .stderr("eventlab: run stopped at events_max = 500 (raise \"limits.events_max\" in the scenario)\n");
}

#[test]
fn a_compare_whose_run_hits_events_max_exits_1_and_names_the_scenario_field() {
    let dir = hello_log_limited_to_500_events("compare_events_max");
    eventlab_in(&dir)
        .args(["compare", "limited.json"])
        .assert()
        .code(1)
        .stderr(
            "eventlab: the log run stopped at events_max = 500 (raise \"limits.events_max\" in the scenario)\n",
        );
}

#[test]
fn a_run_whose_expect_fails_exits_1_and_names_the_check() {
    let dir = scratch_dir("expect_fails");
    let hello = eventlab::bundled::find("hello-log").expect("bundled hello-log");
    let strict = hello.replacen(
        r#"{ "check": "no_loss", "stream": "orders" },"#,
        r#"{ "check": "max_lag_below", "stream": "orders", "value": 1 },"#,
        1,
    );
    assert_ne!(strict, hello);
    write(&dir, "strict.json", &strict);
    let output = eventlab_in(&dir)
        .args(["run", "strict.json"])
        .output()
        .expect("run eventlab");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).expect("utf-8 stderr");
    assert!(
        stderr.starts_with("eventlab: expect max_lag_below on \"orders\" failed: "),
        "stderr: {stderr}"
    );
    // The failed check (no message named, so no counterexample lines), then the replay line.
    assert_eq!(
        stderr.lines().nth(1),
        Some("eventlab: replay with: eventlab run strict.json --seed 42"),
        "stderr: {stderr}"
    );
    assert_eq!(
        stderr.lines().count(),
        2,
        "only the failed check is reported: {stderr}"
    );
    assert!(!output.stdout.is_empty(), "the report is still printed");
}

#[test]
fn a_closed_stdout_exits_0_quietly() {
    let dir = scratch_dir("closed_stdout");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_eventlab"))
        .args(["run", "hello-log"])
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn eventlab");
    // Close the read end before the report is written, like `| head -0`.
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("wait for eventlab");
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

// The queue carrier's settings (issue 5).

// Issue 4: `partition.assignment.strategy` in a consuming service's `kafka` block.
#[test]
fn unknown_assignment_strategy_suggests_the_near_name() {
    rejects(
        "unknown_assignment_strategy_suggests_the_near_name",
        &shop_with(
            r#"{ "name": "audit", "consumes": [{ "stream": "orders" }] }"#,
            r#"{ "name": "audit", "consumes": [{ "stream": "orders", "kafka": { "partition.assignment.strategy": ["range", "cooperative_sticky", "fair"] } }] }"#,
        ),
        "eventlab: shop.json: services[2].consumes[0].kafka.\"partition.assignment.strategy\"[1]: unknown assignment strategy \"cooperative_sticky\" (did you mean \"cooperative-sticky\"?)\n\
         eventlab: shop.json: services[2].consumes[0].kafka.\"partition.assignment.strategy\"[2]: unknown assignment strategy \"fair\" (expected \"range\", \"roundrobin\", \"sticky\" or \"cooperative-sticky\")",
    );
}

#[test]
fn a_single_unknown_assignment_strategy_is_named_without_an_index() {
    rejects(
        "a_single_unknown_assignment_strategy_is_named_without_an_index",
        &shop_with(
            r#"{ "name": "audit", "consumes": [{ "stream": "orders" }] }"#,
            r#"{ "name": "audit", "consumes": [{ "stream": "orders", "kafka": { "partition.assignment.strategy": "stiky" } }] }"#,
        ),
        "eventlab: shop.json: services[2].consumes[0].kafka.\"partition.assignment.strategy\": unknown assignment strategy \"stiky\" (did you mean \"sticky\"?)",
    );
}

#[test]
fn an_empty_assignment_strategy_list_is_rejected() {
    rejects(
        "an_empty_assignment_strategy_list_is_rejected",
        &shop_with(
            r#"{ "name": "audit", "consumes": [{ "stream": "orders" }] }"#,
            r#"{ "name": "audit", "consumes": [{ "stream": "orders", "kafka": { "partition.assignment.strategy": [] } }] }"#,
        ),
        "eventlab: shop.json: services[2].consumes[0].kafka.\"partition.assignment.strategy\": list at least one assignor (Kafka's default is [\"range\", \"cooperative-sticky\"])",
    );
}

#[test]
fn an_assignment_strategy_of_the_wrong_type_says_what_it_takes() {
    rejects(
        "an_assignment_strategy_of_the_wrong_type_says_what_it_takes",
        &shop_with(
            r#"{ "name": "audit", "consumes": [{ "stream": "orders" }] }"#,
            r#"{ "name": "audit", "consumes": [{ "stream": "orders", "kafka": { "partition.assignment.strategy": 3 } }] }"#,
        ),
        "eventlab: shop.json: services[2].consumes[0].kafka.\"partition.assignment.strategy\": expected a name, a comma-separated string of names, or an array of names, got 3",
    );
}

#[test]
fn kafka_class_names_and_comma_lists_are_accepted() {
    let dir = scratch_dir("kafka_class_names_and_comma_lists_are_accepted");
    write(
        &dir,
        "shop.json",
        &shop_with(
            r#"{ "name": "audit", "consumes": [{ "stream": "orders" }] }"#,
            r#"{ "name": "audit", "consumes": [{ "stream": "orders", "kafka": { "partition.assignment.strategy": "org.apache.kafka.clients.consumer.CooperativeStickyAssignor, RangeAssignor" } }] }"#,
        ),
    );
    eventlab_in(&dir)
        .args(["validate", "shop.json"])
        .assert()
        .success();
}

// Issue 4: the admin timeline (Kafka's CreatePartitions).
#[test]
fn create_partitions_problems_are_all_reported() {
    rejects(
        "create_partitions_problems_are_all_reported",
        &shop_plus(
            r#""admin": [
    { "action": "create_partitions", "at_us": 1000, "stream": "order", "partition_count": 6 },
    { "action": "create_partitions", "at_us": 2000, "stream": "orders", "partition_count": 3 },
    { "action": "add_partitions", "at_us": 2000, "stream": "orders", "partition_count": 4 },
    { "action": "create_partitions", "stream": "orders" },
    { "action": "create_partitions", "at_us": 5000, "stream": "orders", "partition_count": 8 },
    { "action": "create_partitions", "at_us": 4000, "stream": "orders", "partition_count": 9 }
  ]"#,
        ),
        "eventlab: shop.json: admin[0].stream: unknown stream \"order\" (did you mean \"orders\"?)\n\
         eventlab: shop.json: admin[1].partition_count: stream \"orders\" has 3 partitions at 2000 us; CreatePartitions can only add partitions, so ask for more than 3\n\
         eventlab: shop.json: admin[2].action: unknown admin action \"add_partitions\" (expected \"create_partitions\", \"reset_offsets\", \"roll\", \"clean\" or \"delete_records\")\n\
         eventlab: shop.json: admin[3]: a \"create_partitions\" action needs \"at_us\", \"stream\" and \"partition_count\"\n\
         eventlab: shop.json: admin[4].partition_count: stream \"orders\" has 9 partitions at 5000 us; CreatePartitions can only add partitions, so ask for more than 9",
    );
}

#[test]
fn create_partitions_beyond_the_limit_is_rejected() {
    rejects(
        "create_partitions_beyond_the_limit_is_rejected",
        &shop_plus(
            r#""admin": [{ "action": "create_partitions", "at_us": 1000, "stream": "orders", "partition_count": 20000 }]"#,
        ),
        "eventlab: shop.json: admin[0].partition_count: 20000 is more than 10000, the most eventlab allows for partition_count",
    );
}

// Issue 4: the producer's `kafka` block.
#[test]
fn producer_kafka_settings_are_checked() {
    rejects(
        "producer_kafka_settings_are_checked",
        &shop_with(
            r#""interval_us": 1000, "count": 10 }"#,
            r#""interval_us": 1000, "count": 10, "kafka": { "batch.size": 99999999, "linger.ms": 31536000001 } }"#,
        ),
        "eventlab: shop.json: services[0].produces[0].kafka.\"batch.size\": 99999999 is more than 16777216, the most eventlab allows for batch.size\n\
         eventlab: shop.json: services[0].produces[0].kafka.\"linger.ms\": 31536000001 is more than 31536000000, the most eventlab allows for linger.ms",
    );
    rejects(
        "producer_kafka_unknown_setting",
        &shop_with(
            r#""interval_us": 1000, "count": 10 }"#,
            r#""interval_us": 1000, "count": 10, "kafka": { "linger_ms": 5 } }"#,
        ),
        "eventlab: shop.json: services[0].produces[0].kafka.linger_ms: unknown field \"linger_ms\" (did you mean \"linger.ms\"?)",
    );
}

#[test]
fn unknown_producer_partitioner_suggests_the_near_name() {
    rejects(
        "unknown_producer_partitioner_suggests_the_near_name",
        &shop_with(
            r#""interval_us": 1000, "count": 10 }"#,
            r#""interval_us": 1000, "count": 10, "partitioner": "consistent-random" }"#,
        ),
        "eventlab: shop.json: services[0].produces[0].partitioner: unknown partitioner \"consistent-random\" (did you mean \"consistent_random\"?)",
    );
}

#[test]
fn sticky_partitioning_linger_beyond_librdkafkas_range_is_rejected() {
    rejects(
        "sticky_partitioning_linger_beyond_librdkafkas_range_is_rejected",
        &shop_with(
            r#""interval_us": 1000, "count": 10 }"#,
            r#""interval_us": 1000, "count": 10, "partitioner": "consistent_random", "kafka": { "sticky.partitioning.linger.ms": 900001 } }"#,
        ),
        "eventlab: shop.json: services[0].produces[0].kafka.\"sticky.partitioning.linger.ms\": 900001 is more than 900000, the most eventlab allows for sticky.partitioning.linger.ms",
    );
}

#[test]
fn a_second_writer_is_rejected_with_both_writers_named() {
    rejects(
        "single_writer",
        &shop_with(
            r#"{ "name": "audit", "consumes": [{ "stream": "orders" }] }"#,
            r#"{ "name": "audit", "consumes": [{ "stream": "orders", "emit": ["orders"] }] }"#,
        ),
        r#"eventlab: shop.json: services[2].consumes[0].emit[0]: stream "orders" already has a writer, service "checkout" (services[0].produces[0].stream), so service "audit" would be a second one: each stream has exactly one producing service (the single-writer principle; set "single_writer": "warn" to run anyway and see the conflicting updates)"#,
    );
}

#[test]
fn every_extra_writer_is_reported_including_external_systems() {
    rejects(
        "single_writer_three",
        &shop_plus(
            r#""external_systems": [{ "name": "web shop", "writes": ["orders"] }]"#,
        )
        .replacen(
            r#"{ "name": "audit", "consumes": [{ "stream": "orders" }] }"#,
            r#"{ "name": "audit", "produces": [{ "stream": "orders", "interval_us": 1000, "count": 1 }] }"#,
            1,
        ),
        r#"eventlab: shop.json: services[2].produces[0].stream: stream "orders" already has a writer, service "checkout" (services[0].produces[0].stream), so service "audit" would be a second one: each stream has exactly one producing service (the single-writer principle; set "single_writer": "warn" to run anyway and see the conflicting updates)
eventlab: shop.json: external_systems[0].writes[0]: stream "orders" already has a writer, service "checkout" (services[0].produces[0].stream), so external system "web shop" would be a second one: each stream has exactly one producing service (the single-writer principle; set "single_writer": "warn" to run anyway and see the conflicting updates)"#,
    );
}

#[test]
fn single_writer_warn_validates_with_a_warning_naming_both_writers() {
    let dir = scratch_dir("single_writer_warn");
    let json = shop_with(
        r#""name": "shop","#,
        r#""name": "shop", "single_writer": "warn","#,
    )
    .replacen(
        r#"{ "name": "audit", "consumes": [{ "stream": "orders" }] }"#,
        r#"{ "name": "audit", "consumes": [{ "stream": "orders", "emit": ["orders"] }] }"#,
        1,
    );
    write(&dir, "shop.json", &json);
    eventlab_in(&dir)
        .args(["validate", "shop.json"])
        .assert()
        .code(0)
        .stdout("shop.json: ok (2 streams, 3 services)\nshop.json: warning: stream \"orders\" has 2 writers: service \"checkout\" and service \"audit\" (single_writer is \"warn\": the run goes ahead and their updates race)\n");
}

#[test]
fn event_kinds_are_checked_against_the_producers_keys() {
    rejects(
        "event_kinds",
        &shop_with(
            r#"{ "name": "orders", "partition_count": 3 },
    { "name": "payments" }"#,
            r#"{ "name": "orders", "partition_count": 3, "kind": "entity", "entity": "Order" },
    { "name": "payments", "kind": "entitty" }"#,
        ),
        r#"eventlab: shop.json: streams[1].kind: unknown event kind "entitty" (did you mean "entity"?)
eventlab: shop.json: services[0].produces[0].keys: stream "orders" carries Order entity events, keyed by the Order's primary key, so every record needs a key (set "keys")"#,
    );
    rejects(
        "entity_needs_name",
        &shop_with(
            r#"{ "name": "payments" }"#,
            r#"{ "name": "payments", "kind": "entity" }"#,
        ),
        r#"eventlab: shop.json: streams[1].entity: an entity stream needs "entity": the name of the entity whose primary key keys it (e.g. "User")"#,
    );
}

#[test]
fn pipeline_steps_tables_and_outputs_are_validated_with_paths() {
    rejects(
        "pipeline_steps",
        &shop_with(
            r#""name": "billing", "instance_count": 2, "consumes": [{ "stream": "orders" }]"#,
            r#""name": "billing", "instance_count": 2, "tables": [{ "name": "users" }], "consumes": [{ "stream": "orders", "pipeline": [{ "filter": { "field": "a", "equals": 1 }, "rekey": { "field": "b" } }, {}, { "join": { "table": "user", "as": "u" } }, { "aggregate": { "op": "sum" } }, { "filter": { "field": "a", "equals": 1, "not_equals": 2 } }, { "map": {} }, { "aggregate": { "op": "avg" } }], "emit": ["refunds"], "materialize": "userz" }]"#,
        ),
        r#"eventlab: shop.json: services[1].consumes[0].pipeline[0]: a step has one operator, not "filter" and "rekey" (make them two steps)
eventlab: shop.json: services[1].consumes[0].pipeline[1]: a step needs an operator: "filter", "map", "rekey", "join" or "aggregate"
eventlab: shop.json: services[1].consumes[0].pipeline[2].join.table: service "billing" has no table "user" (did you mean "users"?)
eventlab: shop.json: services[1].consumes[0].pipeline[3].aggregate: "sum" needs a "field" to add up
eventlab: shop.json: services[1].consumes[0].pipeline[4].filter: give either "equals" or "not_equals"
eventlab: shop.json: services[1].consumes[0].pipeline[5].map: a map needs "set", "drop" or "rename"
eventlab: shop.json: services[1].consumes[0].pipeline[6].aggregate.op: unknown aggregate "avg" (expected "count" or "sum")
eventlab: shop.json: services[1].consumes[0].emit[0]: unknown stream "refunds"
eventlab: shop.json: services[1].consumes[0].materialize: service "billing" has no table "userz" (did you mean "users"?)"#,
    );
    rejects(
        "materialize_without_tables",
        &shop_with(
            r#"{ "name": "audit", "consumes": [{ "stream": "orders" }] }"#,
            r#"{ "name": "audit", "consumes": [{ "stream": "orders", "materialize": "t" }] }"#,
        ),
        r#"eventlab: shop.json: services[2].consumes[0].materialize: service "audit" has no table "t" (service "audit" declares no tables: add one to its "tables")"#,
    );
}

#[test]
fn value_templates_and_tombstones_are_validated() {
    rejects(
        "value_templates",
        &shop_with(
            r#""interval_us": 1000, "count": 10 }"#,
            r#""interval_us": 1000, "count": 10, "tombstone_ratio": 0.5, "value": { "n": { "int_range": [5, 1] }, "k": "key", "o": { "one_of": [] } } }"#,
        ),
        r#"eventlab: shop.json: services[0].produces[0].tombstone_ratio: a tombstone deletes a key, so tombstones need keyed records (set "keys")
eventlab: shop.json: services[0].produces[0].value.k: "key" copies the record's key, but these records have none (set "keys")
eventlab: shop.json: services[0].produces[0].value.n.int_range: the minimum 5 is more than the maximum 1
eventlab: shop.json: services[0].produces[0].value.o.one_of: "one_of" needs at least one value"#,
    );
    rejects(
        "value_constant_shape",
        &shop_with(
            r#""interval_us": 1000, "count": 10 }"#,
            r#""interval_us": 1000, "count": 10, "value": { "c": { "const": [1] } } }"#,
        ),
        r#"eventlab: shop.json: services[0].produces[0].value.c.const: expected null, true, false, a whole number or a string, got an array"#,
    );
}

#[test]
fn single_writer_setting_and_external_systems_are_validated() {
    rejects(
        "single_writer_setting",
        &shop_with(
            r#""name": "shop","#,
            r#""name": "shop", "single_writer": "maybe", "external_systems": [{ "name": "web", "writes": ["order"] }],"#,
        ),
        r#"eventlab: shop.json: single_writer: unknown setting "maybe" (expected "error" or "warn")
eventlab: shop.json: external_systems[0].writes[0]: unknown stream "order" (did you mean "orders"?)"#,
    );
}

#[test]
fn diagram_and_impact_name_unknown_services_and_streams() {
    let dir = scratch_dir("diagram_unknown");
    write(&dir, "shop.json", SHOP);
    eventlab_in(&dir)
        .args(["diagram", "shop.json", "--service", "biling"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("eventlab: --service: scenario \"shop\" has no service \"biling\" (did you mean \"billing\"?)\n");
    eventlab_in(&dir)
        .args(["impact", "shop.json", "order"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("eventlab: shop.json: no stream \"order\" in scenario \"shop\" (did you mean \"orders\"?)\n");
    eventlab_in(&dir)
        .args(["diagram", "shop.json", "--format", "svg"])
        .assert()
        .code(2)
        .stdout("");
}

#[test]
fn diagram_and_impact_print_to_stdout() {
    let dir = scratch_dir("diagram_ok");
    write(&dir, "shop.json", SHOP);
    eventlab_in(&dir)
        .args(["diagram", "shop.json"])
        .assert()
        .code(0)
        .stdout(predicates::str::starts_with(
            "graph TB\n%% eventlab: business view, 5 nodes, 3 edges\n",
        ));
    eventlab_in(&dir)
        .args(["impact", "shop.json", "orders"])
        .assert()
        .code(0)
        .stdout("Downstream of stream \"orders\": 2 dependents\n   1  service  billing  (reads stream \"orders\")\n   1  service  audit  (reads stream \"orders\")\n");
}

#[test]
fn an_unknown_carrier_lists_log_and_queue() {
    rejects(
        "unknown_carrier",
        &shop_with(
            r#"{ "name": "payments" }"#,
            r#"{ "name": "payments", "carrier": "bus" }"#,
        ),
        r#"eventlab: shop.json: streams[1].carrier: unknown carrier "bus" (expected "log" or "queue")"#,
    );
}

#[test]
fn queue_settings_report_every_problem_with_its_path() {
    rejects(
        "queue_settings",
        &shop_with(
            r#"{ "name": "payments" }"#,
            r#"{ "name": "payments", "carrier": "queue", "rabbitmq": { "exchange_type": "fanot", "x-overflow": "drop-tail", "x-dead-letter-exchange": "paymnts" } }"#,
        ),
        concat!(
            r#"eventlab: shop.json: streams[1].rabbitmq.exchange_type: unknown exchange type "fanot" (did you mean "fanout"?)"#,
            "\n",
            r#"eventlab: shop.json: streams[1].rabbitmq."x-overflow": unknown overflow "drop-tail" (expected "drop-head", "reject-publish" or "reject-publish-dlx")"#,
            "\n",
            r#"eventlab: shop.json: streams[1].rabbitmq."x-dead-letter-exchange": unknown stream "paymnts" (did you mean "payments"?)"#,
        ),
    );
}

#[test]
fn a_queue_cannot_dead_letter_to_a_log_stream() {
    rejects(
        "dlx_on_log",
        &shop_with(
            r#"{ "name": "payments" }"#,
            r#"{ "name": "payments", "carrier": "queue", "rabbitmq": { "x-dead-letter-exchange": "orders" } }"#,
        ),
        r#"eventlab: shop.json: streams[1].rabbitmq."x-dead-letter-exchange": stream "orders" is carried by the log, but dead letters of a queue go to an exchange on the queue (give "orders" "carrier": "queue")"#,
    );
}

#[test]
fn a_stream_cannot_dead_letter_to_itself() {
    rejects(
        "self_dlx",
        &shop_with(
            r#"{ "name": "payments" }"#,
            r#"{ "name": "payments", "rabbitmq": { "x-dead-letter-exchange": "payments" } }"#,
        ),
        r#"eventlab: shop.json: streams[1].rabbitmq."x-dead-letter-exchange": stream "payments" cannot be its own dead-letter exchange"#,
    );
}

#[test]
fn consumer_queue_settings_are_checked() {
    rejects(
        "consumer_queue_settings",
        &shop_with(
            r#"{ "name": "billing", "instance_count": 2, "consumes": [{ "stream": "orders" }] }"#,
            r#"{ "name": "billing", "instance_count": 2, "consumes": [{ "stream": "orders", "kafka": { "auto.offset.reset": "earlist" }, "rabbitmq": { "prefetch_count": 70000, "binding_keys": ["a"], "nack_probability": 1.5, "script": [ { "instance": 2 }, { "instance": 0, "deliveries": [ { "decision": "nak" } ] } ] } }] }"#,
        ),
        concat!(
            r#"eventlab: shop.json: services[1].consumes[0].kafka."auto.offset.reset": unknown auto.offset.reset "earlist" (did you mean "earliest"?)"#,
            "\n",
            r#"eventlab: shop.json: services[1].consumes[0].rabbitmq.prefetch_count: 70000 is more than 65535, the most eventlab allows for prefetch_count"#,
            "\n",
            r#"eventlab: shop.json: services[1].consumes[0].rabbitmq.binding_keys: a fanout exchange ignores binding keys (set the stream's rabbitmq.exchange_type to "direct" or "topic")"#,
            "\n",
            r#"eventlab: shop.json: services[1].consumes[0].rabbitmq.nack_probability: 1.5 is out of range (expected more than 0 and at most 1)"#,
            "\n",
            r#"eventlab: shop.json: services[1].consumes[0].rabbitmq.script[0].instance: the service has 2 instances (0..1), so there is no instance 2"#,
            "\n",
            r#"eventlab: shop.json: services[1].consumes[0].rabbitmq.script[1].deliveries[0].decision: unknown decision "nak" (did you mean "nack"?)"#,
        ),
    );
}

#[test]
fn a_get_only_consumer_needs_get_times() {
    rejects(
        "get_only_without_gets",
        &shop_with(
            r#"{ "name": "audit", "consumes": [{ "stream": "orders" }] }"#,
            r#"{ "name": "audit", "consumes": [{ "stream": "orders", "rabbitmq": { "script": [ { "instance": 0, "subscribe": false } ] } }] }"#,
        ),
        r#"eventlab: shop.json: services[2].consumes[0].rabbitmq.script[0]: a consumer that does not subscribe needs "get_at_us" times to pull messages"#,
    );
}

#[test]
fn compare_of_a_bad_scenario_exits_2_and_of_a_good_one_exits_0() {
    let dir = scratch_dir("compare_exit_codes");
    write(
        &dir,
        "bad.json",
        &shop_with(r#""partition_count": 3"#, r#""partition_count": 0"#),
    );
    eventlab_in(&dir)
        .args(["compare", "bad.json"])
        .assert()
        .code(2)
        .stderr(
            "eventlab: bad.json: streams[0].partition_count: partition_count must be at least 1, not 0\n",
        );
    write(&dir, "shop.json", SHOP);
    eventlab_in(&dir)
        .args(["compare", "shop.json", "--format", "markdown"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("| per-key order inversions |"));
}

#[test]
fn an_auto_ack_consumer_cannot_nack() {
    rejects(
        "auto_ack_nack",
        &shop_with(
            r#"{ "name": "audit", "consumes": [{ "stream": "orders" }] }"#,
            r#"{ "name": "audit", "consumes": [{ "stream": "orders", "rabbitmq": { "auto_ack": true, "nack_probability": 0.1, "script": [ { "instance": 0, "then": "hold" } ] } }] }"#,
        ),
        concat!(
            r#"eventlab: shop.json: services[2].consumes[0].rabbitmq.nack_probability: an auto-ack consumer cannot nack: the broker forgot each message when it sent it (set auto_ack to false)"#,
            "\n",
            r#"eventlab: shop.json: services[2].consumes[0].rabbitmq.script[0]: with auto_ack every delivery counts as acknowledged when sent, so a script cannot nack, reject or hold (set auto_ack to false)"#,
        ),
    );
}

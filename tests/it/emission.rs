//! Records a pipeline emits are really produced: appended to the log (or published to the
//! queue), consumed downstream with the value the pipeline gave them, under keys a `rekey` made
//! during the run; a table's changes go out on its changelog stream.

use eventlab::model::{Carrier, Scenario};

use crate::common::run_model_traced;

/// orders (keyed by order id, value {user_id, amount}) → enrich: rekey by user_id, map, emit
/// to orders-by-user → totals: materializes orders-by-user (latest order per user) and emits
/// a count per user to counts; the table publishes its changes to totals-changelog, which
/// audit materializes again.
const CHAIN: &str = r#"{
  "name": "chain",
  "seed": 5,
  "streams": [
    { "name": "orders", "partition_count": 3, "kind": "entity", "entity": "Order" },
    { "name": "orders-by-user", "partition_count": 2, "kind": "keyed" },
    { "name": "counts", "kind": "keyed" },
    { "name": "totals-changelog", "kind": "entity", "entity": "LatestOrder" }
  ],
  "services": [
    {
      "name": "checkout",
      "produces": [{
        "stream": "orders", "interval_us": 1000, "count": 40,
        "keys": { "sequential": 40 }, "key_prefix": "order-",
        "value": { "user_id": { "one_of": ["u-a", "u-b", "u-c"] }, "amount": { "int_range": [1, 9] } }
      }]
    },
    {
      "name": "enrich",
      "instance_count": 2,
      "consumes": [{
        "stream": "orders",
        "pipeline": [
          { "rekey": { "field": "user_id" } },
          { "map": { "set": { "enriched": true } } }
        ],
        "emit": ["orders-by-user"]
      }]
    },
    {
      "name": "totals",
      "tables": [{ "name": "latest", "changelog_stream": "totals-changelog" }],
      "consumes": [
        { "stream": "orders-by-user", "materialize": "latest" }
      ]
    },
    {
      "name": "counter",
      "consumes": [{
        "stream": "orders-by-user",
        "pipeline": [{ "aggregate": { "op": "count", "into": "orders" } }],
        "emit": ["counts"]
      }]
    },
    {
      "name": "audit",
      "tables": [{ "name": "copy" }],
      "consumes": [{ "stream": "totals-changelog", "materialize": "copy" }]
    }
  ]
}"#;

fn model(carrier: Carrier) -> Scenario {
    let model = eventlab::scenario::parse_and_validate(CHAIN, "chain.json")
        .unwrap_or_else(|errors| panic!("{errors:?}"));
    eventlab::compare::with_carrier(&model, carrier)
}

fn run(model: &Scenario) -> (serde_json::Value, String) {
    let run = run_model_traced(model, "chain.json");
    let report = serde_json::to_value(&run.report).expect("the report serializes");
    (report, run.trace.expect("kept"))
}

/// The entry of the report's `list` whose `field` is `value`.
fn entry<'a>(
    report: &'a serde_json::Value,
    list: &str,
    field: &str,
    value: &str,
) -> &'a serde_json::Value {
    report[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry[field] == value)
        .unwrap_or_else(|| panic!("no {list} entry with {field} {value}"))
}

fn stream<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    entry(report, "streams", "name", name)
}

fn table<'a>(report: &'a serde_json::Value, service: &str) -> &'a serde_json::Value {
    entry(report, "tables", "service", service)
}

fn rows(table: &serde_json::Value) -> Vec<(String, serde_json::Value)> {
    table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["key"].as_str().unwrap().to_string(),
                row["value"].clone(),
            )
        })
        .collect()
}

#[test]
fn emitted_records_reach_the_next_service_with_their_new_key_and_value() {
    for carrier in [Carrier::Log, Carrier::Queue] {
        let (report, trace) = run(&model(carrier));
        assert_eq!(report["outcome"]["stop"], "drained", "{carrier:?}");
        // Every order is re-keyed and emitted once.
        assert_eq!(
            stream(&report, "orders-by-user")["produced"],
            40,
            "{carrier:?}"
        );
        // The downstream table holds the latest order of each user, under the user's id, with
        // the fields the upstream pipeline set.
        let latest = rows(table(&report, "totals"));
        let keys: Vec<&str> = latest.iter().map(|(key, _)| key.as_str()).collect();
        assert_eq!(keys, ["u-a", "u-b", "u-c"], "{carrier:?}");
        for (key, value) in &latest {
            assert_eq!(value["user_id"], key.as_str(), "{carrier:?}");
            assert_eq!(value["enriched"], true, "{carrier:?}");
            assert!(value["amount"].as_i64().is_some(), "{carrier:?}");
        }
        // Run-time keys appear in the trace by their text, on the emitted stream only.
        assert!(
            trace
                .lines()
                .any(|line| line.contains(r#""stream":"orders-by-user""#)
                    && line.contains(r#""kind":"produced""#)
                    && line.contains(r#""key":"u-b""#)),
            "{carrier:?}"
        );
    }
}

#[test]
fn on_the_log_the_aggregate_downstream_counts_every_emitted_record() {
    let (report, _) = run(&model(Carrier::Log));
    let counts = stream(&report, "counts");
    assert_eq!(counts["produced"], 40);
    let pipelines = report["pipelines"].as_array().unwrap();
    let counter = pipelines
        .iter()
        .find(|p| p["service"] == "counter")
        .unwrap();
    assert_eq!(counter["records_in"], 40);
    assert_eq!(counter["records_out"], 40);
}

#[test]
fn a_tables_changelog_carries_every_change_and_rebuilds_the_same_table() {
    for carrier in [Carrier::Log, Carrier::Queue] {
        let (report, _) = run(&model(carrier));
        let totals = table(&report, "totals");
        let changelog = stream(&report, "totals-changelog");
        assert_eq!(changelog["produced"], totals["changes"], "{carrier:?}");
        let copy = table(&report, "audit");
        if carrier == Carrier::Log {
            // One partition, one writer: the copy replays the changes in order.
            assert_eq!(rows(copy), rows(totals));
            assert_eq!(copy["check"]["matches"], true);
        }
        assert_eq!(totals["check"]["stream"], "orders-by-user");
    }
}

#[test]
fn a_run_with_emission_is_byte_identical_twice() {
    let model = model(Carrier::Log);
    let first = run(&model);
    let second = run(&model);
    assert_eq!(first.1, second.1);
    assert_eq!(first.0, second.0);
}

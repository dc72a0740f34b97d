//! Records carry their writer schema's id (Confluent's wire format), and a consumer that meets
//! an id it has not cached fetches the schema from the registry (`GET /schemas/ids/{id}`) before
//! it decodes: once per instance, again after a restart, with the decode held meanwhile.

use crate::common::{run_traced, trace_json};

const V1: &str = r#"{"type": "record", "name": "Order", "fields": [
    {"name": "id", "type": "string"}, {"name": "qty", "type": "int"}]}"#;

const V2: &str = r#"{"type": "record", "name": "Order", "fields": [
    {"name": "id", "type": "string"}, {"name": "qty", "type": "int"},
    {"name": "note", "type": ["null", "string"], "default": null}]}"#;

/// One producer of 40 orders (1 ms apart), one group of `consumers` instances; `extra` goes
/// after `services` (faults), `consumer_extra` into the consumer service (a link).
fn scenario(consumers: u32, consumer_extra: &str, produce_extra: &str, extra: &str) -> String {
    format!(
        r#"{{"name": "schema-fetch", "seed": 3,
          "streams": [{{"name": "orders", "partition_count": 2, "schema": {V1}}}],
          "services": [
            {{"name": "shop", "produces": [{{"stream": "orders", "count": 40, "interval_us": 1000,
               "keys": {{"uniform": 8}}, "value": {{"id": "key", "qty": {{"int_range": [1, 3]}}}}{produce_extra}}}]}},
            {{"name": "books", "instance_count": {consumers}{consumer_extra},
              "consumes": [{{"stream": "orders", "poll_interval_ms": 5}}]}}]{extra}}}"#
    )
}

/// `(time, instance, id)` of each trace line of `kind`.
fn events(run: &eventlab::run::ScenarioRun, kind: &str) -> Vec<(u64, String, u64)> {
    trace_json(run)
        .into_iter()
        .filter(|line| line["kind"] == kind)
        .map(|line| {
            (
                line["time_us"].as_u64().expect("a time"),
                line["instance"].as_str().expect("an instance").to_string(),
                line["id"].as_u64().expect("an id"),
            )
        })
        .collect()
}

#[test]
fn each_consumer_instance_fetches_an_id_once_and_caches_it() {
    let run = run_traced(&scenario(2, "", "", ""), "test.json");
    let fetched = events(&run, "schema_fetched");
    let instances: Vec<(&str, u64)> = fetched
        .iter()
        .map(|(_, instance, id)| (instance.as_str(), *id))
        .collect();
    assert_eq!(instances, [("books-0", 1), ("books-1", 1)]);
    assert_eq!(events(&run, "schema_requested").len(), 2);
    assert_eq!(run.report.streams[0].groups[0].consumed, 40);
    assert_eq!(run.report.schemas[0].groups[0].decode_failures.count, 0);
}

#[test]
fn records_carry_the_id_of_the_version_they_were_written_with() {
    // v2 is registered at 20 ms (answered at 22 ms): records from then on carry id 2, and each
    // consumer fetches it when it first meets one.
    let produce = format!(r#", "schema_upgrades": [{{"at_us": 20000, "schema": {V2}}}]"#);
    let run = run_traced(&scenario(1, "", &produce, ""), "test.json");
    let fetched: Vec<u64> = events(&run, "schema_fetched")
        .into_iter()
        .map(|(_, _, id)| id)
        .collect();
    assert_eq!(fetched, [1, 2]);
    let [_, (at_v2, _, _)] = events(&run, "schema_requested")[..] else {
        panic!("two requests");
    };
    assert!(
        at_v2 >= 22_000,
        "id 2 is only met after v2's answer: {at_v2}"
    );
}

#[test]
fn a_restart_loses_the_cache_and_fetches_again() {
    let faults = r#", "faults": [
        {"action": "crash", "instance": "books-0", "at_us": 15000},
        {"action": "restart", "instance": "books-0", "at_us": 16000}]"#;
    let run = run_traced(&scenario(1, "", "", faults), "test.json");
    let fetched = events(&run, "schema_fetched");
    assert_eq!(
        fetched.len(),
        2,
        "once before the crash, once after: {fetched:?}"
    );
    assert!(
        fetched[0].0 < 15_000 && fetched[1].0 > 16_000,
        "{fetched:?}"
    );
    assert!(fetched.iter().all(|(_, _, id)| *id == 1));
}

#[test]
fn the_first_decode_waits_for_the_registrys_answer() {
    // The consumer's link takes 5 ms each way: the request crosses it to the registry and the
    // answer crosses it back, and the first record is consumed when the answer arrives.
    let link = r#", "link": {"latency_us": 5000}"#;
    let run = run_traced(&scenario(1, link, "", ""), "test.json");
    let lines = trace_json(&run);
    let time_of = |kind: &str| {
        lines
            .iter()
            .find(|line| line["kind"] == kind && line["group"] == "books")
            .and_then(|line| line["time_us"].as_u64())
            .expect("traced")
    };
    let (fetch, requested, fetched, consumed) = (
        time_of("fetched"),
        time_of("schema_requested"),
        time_of("schema_fetched"),
        time_of("consumed"),
    );
    assert_eq!(
        requested, fetch,
        "the request goes out with the first fetched batch"
    );
    assert_eq!(
        fetched,
        requested + 10_000,
        "one round trip over the 5 ms link"
    );
    assert_eq!(
        consumed, fetched,
        "the first record is decoded when the answer arrives"
    );
    let latency = lines
        .iter()
        .find(|line| line["kind"] == "schema_fetched")
        .map(|line| line["latency_us"].clone())
        .expect("traced");
    assert_eq!(latency, 10_000);
}

#[test]
fn queue_consumers_fetch_and_hold_too() {
    let text = scenario(1, r#", "link": {"latency_us": 3000}"#, "", "").replace(
        r#"{"name": "orders", "partition_count": 2,"#,
        r#"{"name": "orders", "carrier": "queue","#,
    );
    let run = run_traced(&text, "test.json");
    let lines = trace_json(&run);
    let fetched = events(&run, "schema_fetched");
    assert_eq!(fetched.len(), 1);
    let first_decision = lines
        .iter()
        .find(|line| line["kind"] == "decided" || line["kind"] == "acked")
        .and_then(|line| line["time_us"].as_u64())
        .expect("a decision");
    assert!(
        first_decision >= fetched[0].0,
        "nothing is processed before the schema arrives ({first_decision} < {})",
        fetched[0].0
    );
    assert_eq!(run.report.schemas[0].groups[0].decode_failures.count, 0);
}

#[test]
fn runs_with_schema_fetches_are_deterministic() {
    let produce = format!(r#", "schema_upgrades": [{{"at_us": 20000, "schema": {V2}}}]"#);
    let text = scenario(
        3,
        r#", "link": {"latency_us": 700, "jitter_us": 900}"#,
        &produce,
        "",
    );
    let first = run_traced(&text, "test.json");
    let second = run_traced(&text, "test.json");
    assert_eq!(first.trace, second.trace);
    assert_eq!(first.json(), second.json());
    assert!(!events(&first, "schema_fetched").is_empty());
}

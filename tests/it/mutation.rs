//! Mutated bundled scenarios: whatever one edit does to a good file, eventlab reports it (with
//! the file's name first) or runs it — it never panics, and the binary never exits with 3 or a
//! signal.

use std::panic::{AssertUnwindSafe, catch_unwind};

use eventlab::bundled::SCENARIOS;
use eventlab::scenario::parse_and_validate;
use eventlab::sim::SimTime;
use eventlab::simulate::{RunOptions, simulate};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// One edit to a scenario's JSON.
#[derive(Clone, Copy, Debug)]
enum Mutation {
    Drop,
    WrongString,
    WrongBool,
    WrongArray,
    WrongObject,
    Null,
    U64Max,
    Negative,
    ExponentMillion,
    IntegerMillion,
    LongString,
    EmptyArray,
    UnknownField,
}

const MUTATIONS: [Mutation; 13] = [
    Mutation::Drop,
    Mutation::WrongString,
    Mutation::WrongBool,
    Mutation::WrongArray,
    Mutation::WrongObject,
    Mutation::Null,
    Mutation::U64Max,
    Mutation::Negative,
    Mutation::ExponentMillion,
    Mutation::IntegerMillion,
    Mutation::LongString,
    Mutation::EmptyArray,
    Mutation::UnknownField,
];

/// Every node of `value` as a JSON pointer's tokens, root first, in document order.
fn paths(value: &Value) -> Vec<Vec<String>> {
    fn walk(value: &Value, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        out.push(prefix.clone());
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    prefix.push(key.clone());
                    walk(child, prefix, out);
                    prefix.pop();
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    prefix.push(index.to_string());
                    walk(child, prefix, out);
                    prefix.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), &mut out);
    out
}

fn pointer(tokens: &[String]) -> String {
    tokens
        .iter()
        .map(|token| format!("/{}", token.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// Applies `mutation` at the `choice`-th node (modulo the node count); returns a description.
fn mutate(value: &mut Value, choice: usize, mutation: Mutation) -> String {
    let all = paths(value);
    let tokens = &all[choice % all.len()];
    let at = pointer(tokens);
    let replacement = match mutation {
        Mutation::Drop => {
            match tokens.split_last() {
                None => *value = Value::Object(Map::new()),
                Some((last, parent)) => match value.pointer_mut(&pointer(parent)) {
                    Some(Value::Object(map)) => {
                        map.remove(last);
                    }
                    Some(Value::Array(items)) => {
                        items.remove(last.parse::<usize>().expect("array index"));
                    }
                    _ => unreachable!("a parent is an object or an array"),
                },
            }
            return format!("drop {at:?}");
        }
        Mutation::UnknownField => {
            // The node itself if it is an object, else its nearest enclosing object.
            let mut depth = tokens.len();
            loop {
                if let Some(Value::Object(map)) = value.pointer_mut(&pointer(&tokens[..depth])) {
                    map.insert("surprise_field".to_string(), Value::from(1));
                    return format!("add \"surprise_field\" to {:?}", pointer(&tokens[..depth]));
                }
                depth -= 1;
            }
        }
        Mutation::WrongString => Value::from("not what you wanted"),
        Mutation::WrongBool => Value::from(true),
        Mutation::WrongArray => serde_json::json!([1, "two", null]),
        Mutation::WrongObject => serde_json::json!({ "what": "an object" }),
        Mutation::Null => Value::Null,
        Mutation::U64Max => Value::from(u64::MAX),
        Mutation::Negative => Value::from(-1),
        Mutation::ExponentMillion => Value::from(1e6),
        Mutation::IntegerMillion => Value::from(1_000_000u64),
        Mutation::LongString => Value::from("x".repeat(100_000)),
        Mutation::EmptyArray => Value::Array(Vec::new()),
    };
    let description = format!("set {at:?} to {}", abbreviate(&replacement));
    *value.pointer_mut(&at).expect("the path exists") = replacement;
    description
}

fn abbreviate(value: &Value) -> String {
    let text = value.to_string();
    if text.len() > 40 {
        format!("{}… ({} bytes)", &text[..40], text.len())
    } else {
        text
    }
}

/// A bundled scenario with one mutation applied, as text.
fn mutated(scenario: usize, choice: usize, mutation: Mutation) -> (&'static str, String, String) {
    let (name, text) = SCENARIOS[scenario];
    let mut value: Value = serde_json::from_str(text).expect("bundled scenarios are JSON");
    let description = mutate(&mut value, choice, mutation);
    (
        name,
        serde_json::to_string_pretty(&value).expect("serialize"),
        description,
    )
}

#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Rejected,
    Ran,
}

/// Parses, validates and (when valid) runs `text` in-process. `Err` on a panic or a bad message.
fn pipeline(origin: &str, text: &str) -> Result<Outcome, String> {
    let result = catch_unwind(AssertUnwindSafe(|| {
        match parse_and_validate(text, origin) {
            Err(errors) => {
                let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
                if lines.is_empty() {
                    return Err("validation failed with no error".to_string());
                }
                for line in &lines {
                    if !line.starts_with(&format!("{origin}: ")) {
                        return Err(format!("message does not start with the origin: {line}"));
                    }
                    // serde's Rust vocabulary must not reach a learner.
                    for leak in [
                        "`",
                        "u64",
                        "i64",
                        "u32",
                        "f64",
                        "struct",
                        "Raw",
                        "variant",
                        "newtype",
                        "sequence",
                        "internal error",
                    ] {
                        if line.contains(leak) {
                            return Err(format!("message leaks {leak:?}: {line}"));
                        }
                    }
                }
                Ok(Outcome::Rejected)
            }
            Ok(mut model) => {
                model.limits.events_max = model.limits.events_max.min(200_000);
                let options = RunOptions {
                    until: Some(SimTime(2_000_000)),
                    reproduce: String::new(),
                    trace_window_us: None,
                    logs: false,
                    pictures: Some(Default::default()),
                };
                simulate(&model, &options, None::<std::io::Sink>)
                    .map_err(|error| format!("simulate failed: {error}"))?;
                Ok(Outcome::Ran)
            }
        }
    }));
    match result {
        Ok(outcome) => outcome,
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "a panic".to_string());
            Err(format!("panicked: {what}"))
        }
    }
}

#[test]
fn every_bundled_scenario_validates_and_runs_unmutated() {
    for (name, text) in SCENARIOS {
        assert_eq!(pipeline(name, text), Ok(Outcome::Ran), "{name}");
    }
}

proptest! {
    // EVENTLAB_MUTATION_CASES raises the count for a soak run; CI keeps 256.
    #![proptest_config(ProptestConfig { cases: mutation_cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_bundled_scenarios_never_panic(
        scenario in 0..SCENARIOS.len(),
        choice in any::<usize>(),
        mutation in 0..MUTATIONS.len(),
    ) {
        let (name, text, description) = mutated(scenario, choice, MUTATIONS[mutation]);
        let outcome = pipeline(name, &text);
        prop_assert!(outcome.is_ok(), "{name}: {description}: {}", outcome.unwrap_err());
    }
}

/// Whether serde reads `text` as a scenario (what `parse_json` does after the schema check).
fn serde_accepts(text: &str) -> bool {
    serde_json::from_str::<eventlab::scenario::raw::RawScenario>(text).is_ok()
}

proptest! {
    // Each case compiles the JSON Schema (slow in a debug build): 48 cases on every run, 1,000
    // with EVENTLAB_SLOW_TESTS=1 (CI).
    #![proptest_config(ProptestConfig { cases: agreement_cases(), failure_persistence: None, ..ProptestConfig::default() })]

    /// `parse_json` lets serde read only what the schema accepted, and calls a serde failure
    /// after that a bug: so serde must read every file the schema accepts. (The converse does
    /// not hold, which is why the schema goes first: serde reads an array as a struct, field by
    /// position; the schema says "expected an object".)
    #[test]
    fn serde_reads_every_mutated_scenario_the_json_schema_accepts(
        scenario in 0..SCENARIOS.len(),
        choice in any::<usize>(),
        mutation in 0..MUTATIONS.len(),
    ) {
        let (name, text, description) = mutated(scenario, choice, MUTATIONS[mutation]);
        let schema = eventlab::scenario::shape::check::<eventlab::scenario::raw::RawScenario>(&text, name);
        prop_assert!(schema.is_err() || serde_accepts(&text), "{}: {}", name, description);
    }
}

fn agreement_cases() -> u32 {
    if std::env::var("EVENTLAB_SLOW_TESTS").as_deref() == Ok("1") {
        1_000
    } else {
        48
    }
}

/// splitmix64: a tiny deterministic generator, so the binary test needs no proptest.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[test]
fn the_binary_exits_0_1_or_2_on_mutated_scenarios() {
    let dir = crate::common::scratch_dir("binary_mutations");
    let mut state = 0x5eed_u64;
    for case in 0..40 {
        let scenario = (next(&mut state) % SCENARIOS.len() as u64) as usize;
        let choice = next(&mut state) as usize;
        let mutation = MUTATIONS[(next(&mut state) % MUTATIONS.len() as u64) as usize];
        let (name, text, description) = mutated(scenario, choice, mutation);
        // Keep each run short: a mutation that speeds producers up stops at this limit.
        let mut value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if let Some(map) = value.as_object_mut()
            && !map.contains_key("limits")
        {
            map.insert(
                "limits".to_string(),
                serde_json::json!({ "events_max": 200_000 }),
            );
        }
        let text = if value.is_null() {
            text
        } else {
            serde_json::to_string_pretty(&value).expect("serialize")
        };
        let file = format!("case-{case}.json");
        crate::common::write(&dir, &file, &text);
        let output = crate::common::eventlab_in(&dir)
            .args(["run", &file, "--until", "1s"])
            .output()
            .expect("run eventlab");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            matches!(output.status.code(), Some(0..=2)),
            "{name}: {description}: exit {:?}, stderr:\n{stderr}",
            output.status
        );
        if output.status.code() == Some(2) {
            assert!(
                stderr.starts_with(&format!("eventlab: {file}: ")),
                "{name}: {description}: stderr:\n{stderr}"
            );
        }
    }
}

fn mutation_cases() -> u32 {
    std::env::var("EVENTLAB_MUTATION_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(256)
}

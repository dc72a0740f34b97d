//! The operators, as pure functions over a record (key, value) and the service's tables.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::table::Table;
use crate::model::topology::{AggregateOp, Operator, Step};
use crate::value::Value;

/// A record flowing through a pipeline: its key text (borrowed from the scenario's key table
/// until a `rekey` makes a new one) and its value (`Value::Null`: tombstone).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flowing<'k> {
    pub key: Option<Cow<'k, str>>,
    pub value: Value,
}

/// Applies `steps` in order. Returns the record that comes out, or `None` if a step dropped it.
/// `tables` are the service's tables (for joins); `totals` holds each aggregate step's running
/// totals per key (index = step index).
pub fn apply_steps<'k>(
    steps: &[Step],
    mut record: Flowing<'k>,
    tables: &[Table],
    totals: &mut Vec<BTreeMap<String, i64>>,
) -> Option<Flowing<'k>> {
    run_steps(steps, &mut record, tables, totals).then_some(record)
}

/// `apply_steps` in place: false if a step dropped the record (it is then left half-done).
/// In place, so a record is never moved between steps (it is hot: once per consumed record).
pub fn run_steps(
    steps: &[Step],
    record: &mut Flowing<'_>,
    tables: &[Table],
    totals: &mut Vec<BTreeMap<String, i64>>,
) -> bool {
    for (index, step) in steps.iter().enumerate() {
        let kept = match &step.operator {
            Operator::Aggregate { op, into } => {
                if totals.len() <= index {
                    totals.resize_with(index + 1, BTreeMap::new);
                }
                aggregate(op, into, record, &mut totals[index])
            }
            operator => apply(operator, record, tables),
        };
        if !kept {
            return false;
        }
    }
    true
}

fn apply(operator: &Operator, record: &mut Flowing<'_>, tables: &[Table]) -> bool {
    // A tombstone passes no operator (Kafka Streams skips null values in joins and
    // aggregations); only a plain `materialize` applies it, as a delete.
    if matches!(record.value, Value::Null) {
        return false;
    }
    match operator {
        Operator::Filter {
            field,
            value: wanted,
            negate,
        } => (record.value.get(field) == Some(wanted)) != *negate,
        Operator::Map { set, drop, rename } => {
            let Value::Object(fields) = &mut record.value else {
                return true;
            };
            for (name, new) in set {
                fields.insert(name.clone(), new.clone());
            }
            for name in drop {
                fields.remove(name);
            }
            for (from, to) in rename {
                if let Some(moved) = fields.remove(from) {
                    fields.insert(to.clone(), moved);
                }
            }
            true
        }
        Operator::Rekey { field } => match record.value.get(field).and_then(Value::as_key) {
            Some(new_key) => {
                record.key = Some(Cow::Owned(new_key));
                true
            }
            None => false,
        },
        Operator::Join { table, into, left } => {
            let found = record
                .key
                .as_deref()
                .and_then(|key| tables.get(*table)?.get(key).cloned());
            let joined = match (found, left) {
                (Some(row), _) => row,
                (None, true) => Value::Null,
                (None, false) => return false,
            };
            if !matches!(record.value, Value::Object(_)) {
                let other = std::mem::replace(&mut record.value, Value::object());
                record.value = Value::Object(BTreeMap::from([("value".to_string(), other)]));
            }
            if let Value::Object(fields) = &mut record.value {
                fields.insert(into.clone(), joined);
            }
            true
        }
        Operator::Aggregate { .. } => unreachable!("aggregate is applied with its totals"),
    }
}

fn aggregate(
    op: &AggregateOp,
    into: &str,
    record: &mut Flowing<'_>,
    totals: &mut BTreeMap<String, i64>,
) -> bool {
    if matches!(record.value, Value::Null) {
        return false;
    }
    let Some(key) = record.key.as_deref() else {
        return false;
    };
    let add = match op {
        AggregateOp::Count => 1,
        AggregateOp::Sum { field } => match record.value.get(field) {
            Some(Value::Int(number)) => *number,
            _ => 0,
        },
    };
    let total = match totals.get_mut(key) {
        Some(total) => total,
        None => totals.entry(key.to_string()).or_insert(0),
    };
    *total = total.saturating_add(add);
    record.value = Value::Object(BTreeMap::from([(into.to_string(), Value::Int(*total))]));
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }
    fn s(text: &str) -> Value {
        Value::Str(text.to_string())
    }
    fn step(operator: Operator) -> Step {
        Step {
            label: None,
            operator,
        }
    }
    fn record(key: &str, value: Value) -> Flowing<'static> {
        Flowing {
            key: Some(Cow::Owned(key.to_string())),
            value,
        }
    }
    fn run<'k>(steps: &[Step], input: Flowing<'k>, tables: &[Table]) -> Option<Flowing<'k>> {
        apply_steps(steps, input, tables, &mut Vec::new())
    }

    #[test]
    fn filter_keeps_equal_and_drops_the_rest_and_negates() {
        let paid = step(Operator::Filter {
            field: "status".into(),
            value: s("paid"),
            negate: false,
        });
        let input = record("o1", object(&[("status", s("paid"))]));
        assert_eq!(
            run(std::slice::from_ref(&paid), input.clone(), &[]),
            Some(input.clone())
        );
        let open = record("o2", object(&[("status", s("open"))]));
        assert_eq!(run(&[paid], open.clone(), &[]), None);
        let not_paid = step(Operator::Filter {
            field: "status".into(),
            value: s("paid"),
            negate: true,
        });
        assert_eq!(
            run(std::slice::from_ref(&not_paid), open.clone(), &[]),
            Some(open)
        );
        assert_eq!(run(&[not_paid], input, &[]), None);
    }

    #[test]
    fn map_sets_then_drops_then_renames() {
        let map = step(Operator::Map {
            set: vec![("source".into(), s("web")), ("secret".into(), s("x"))],
            drop: vec!["secret".into(), "card".into()],
            rename: vec![("amount".into(), "total".into())],
        });
        let input = record(
            "o1",
            object(&[("amount", Value::Int(30)), ("card", s("4111"))]),
        );
        let out = run(&[map], input, &[]).unwrap();
        assert_eq!(
            out.value,
            object(&[("source", s("web")), ("total", Value::Int(30))])
        );
        assert_eq!(out.key.as_deref(), Some("o1"));
    }

    #[test]
    fn rekey_takes_the_field_text_and_drops_records_without_it() {
        let rekey = step(Operator::Rekey {
            field: "user_id".into(),
        });
        let out = run(
            std::slice::from_ref(&rekey),
            record("o1", object(&[("user_id", s("u7"))])),
            &[],
        )
        .unwrap();
        assert_eq!(out.key.as_deref(), Some("u7"));
        let numeric = run(
            std::slice::from_ref(&rekey),
            record("o1", object(&[("user_id", Value::Int(42))])),
            &[],
        )
        .unwrap();
        assert_eq!(numeric.key.as_deref(), Some("42"));
        assert_eq!(run(&[rekey], record("o1", object(&[])), &[]), None);
    }

    #[test]
    fn join_is_inner_by_default_and_left_keeps_misses_with_null() {
        let mut users = Table::default();
        users.apply("u1", object(&[("name", s("Ada"))]));
        let tables = [users];
        let inner = step(Operator::Join {
            table: 0,
            into: "user".into(),
            left: false,
        });
        let hit = run(
            std::slice::from_ref(&inner),
            record("u1", object(&[("total", Value::Int(5))])),
            &tables,
        )
        .unwrap();
        assert_eq!(
            hit.value,
            object(&[
                ("total", Value::Int(5)),
                ("user", object(&[("name", s("Ada"))]))
            ])
        );
        assert_eq!(run(&[inner], record("u2", object(&[])), &tables), None);
        let left = step(Operator::Join {
            table: 0,
            into: "user".into(),
            left: true,
        });
        let miss = run(&[left], record("u2", object(&[])), &tables).unwrap();
        assert_eq!(miss.value, object(&[("user", Value::Null)]));
    }

    #[test]
    fn aggregate_counts_and_sums_per_key() {
        let count = [step(Operator::Aggregate {
            op: AggregateOp::Count,
            into: "orders".into(),
        })];
        let mut totals = Vec::new();
        for expected in 1..=3 {
            let out = apply_steps(&count, record("u1", object(&[])), &[], &mut totals).unwrap();
            assert_eq!(out.value, object(&[("orders", Value::Int(expected))]));
        }
        let other = apply_steps(&count, record("u2", object(&[])), &[], &mut totals).unwrap();
        assert_eq!(other.value, object(&[("orders", Value::Int(1))]));

        let sum = [step(Operator::Aggregate {
            op: AggregateOp::Sum {
                field: "amount".into(),
            },
            into: "spent".into(),
        })];
        let mut totals = Vec::new();
        apply_steps(
            &sum,
            record("u1", object(&[("amount", Value::Int(30))])),
            &[],
            &mut totals,
        );
        let out = apply_steps(
            &sum,
            record("u1", object(&[("amount", Value::Int(12))])),
            &[],
            &mut totals,
        )
        .unwrap();
        assert_eq!(out.value, object(&[("spent", Value::Int(42))]));
        // Unkeyed records cannot be aggregated per key.
        let unkeyed = Flowing {
            key: None,
            value: object(&[]),
        };
        assert_eq!(apply_steps(&sum, unkeyed, &[], &mut totals), None);
    }

    #[test]
    fn steps_chain_in_order_and_tombstones_stop_at_the_first_operator() {
        let steps = [
            step(Operator::Rekey {
                field: "user_id".into(),
            }),
            step(Operator::Filter {
                field: "status".into(),
                value: s("paid"),
                negate: false,
            }),
        ];
        let out = run(
            &steps,
            record("o1", object(&[("user_id", s("u1")), ("status", s("paid"))])),
            &[],
        )
        .unwrap();
        assert_eq!(out.key.as_deref(), Some("u1"));
        assert_eq!(run(&steps, record("o1", Value::Null), &[]), None);
    }
}

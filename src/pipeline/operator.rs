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
    record: Flowing<'k>,
    tables: &[Table],
    totals: &mut Vec<BTreeMap<String, i64>>,
) -> Option<Flowing<'k>> {
    if totals.len() < steps.len() {
        totals.resize_with(steps.len(), BTreeMap::new);
    }
    let mut record = record;
    for (index, step) in steps.iter().enumerate() {
        record = apply(&step.operator, record, tables, &mut totals[index])?;
    }
    Some(record)
}

fn apply<'k>(
    operator: &Operator,
    record: Flowing<'k>,
    tables: &[Table],
    totals: &mut BTreeMap<String, i64>,
) -> Option<Flowing<'k>> {
    let Flowing { key, value } = record;
    // A tombstone passes no operator (Kafka Streams skips null values in joins and
    // aggregations); only a plain `materialize` applies it, as a delete.
    if value == Value::Null {
        return None;
    }
    match operator {
        Operator::Filter {
            field,
            value: wanted,
            negate,
        } => {
            let matches = value.get(field) == Some(wanted);
            (matches != *negate).then_some(Flowing { key, value })
        }
        Operator::Map { set, drop, rename } => {
            let Value::Object(mut fields) = value else {
                return Some(Flowing { key, value });
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
            Some(Flowing {
                key,
                value: Value::Object(fields),
            })
        }
        Operator::Rekey { field } => {
            let new_key = value.get(field)?.as_key()?;
            Some(Flowing {
                key: Some(Cow::Owned(new_key)),
                value,
            })
        }
        Operator::Join { table, into, left } => {
            let found = key
                .as_deref()
                .and_then(|key| tables.get(*table)?.get(key).cloned());
            let joined = match (found, left) {
                (Some(row), _) => row,
                (None, true) => Value::Null,
                (None, false) => return None,
            };
            let mut fields = match value {
                Value::Object(fields) => fields,
                other => BTreeMap::from([("value".to_string(), other)]),
            };
            fields.insert(into.clone(), joined);
            Some(Flowing {
                key,
                value: Value::Object(fields),
            })
        }
        Operator::Aggregate { op, into } => {
            let key_text = key.as_deref()?.to_string();
            let add = match op {
                AggregateOp::Count => 1,
                AggregateOp::Sum { field } => match value.get(field) {
                    Some(Value::Int(number)) => *number,
                    _ => 0,
                },
            };
            let total = totals.entry(key_text).or_insert(0);
            *total = total.saturating_add(add);
            let mut fields = BTreeMap::new();
            fields.insert(into.clone(), Value::Int(*total));
            Some(Flowing {
                key,
                value: Value::Object(fields),
            })
        }
    }
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

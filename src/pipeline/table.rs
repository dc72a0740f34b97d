//! Tables (state stores): key → latest value, where a null value (tombstone) deletes the key.
//! The table side of table–stream duality; `check_table_against_stream` confirms a table is
//! exactly the latest value per key of the stream it was built from.

use std::collections::BTreeMap;

use crate::value::Value;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    rows: BTreeMap<String, Value>,
}

impl Table {
    /// Applies one change; returns it as the changelog record would carry it (key, new value or
    /// null), or `None` if nothing changed (deleting an absent key, writing the same value).
    pub fn apply(&mut self, key: &str, value: Value) -> Option<(String, Value)> {
        if value == Value::Null {
            self.rows.remove(key)?;
            return Some((key.to_string(), Value::Null));
        }
        if self.rows.get(key) == Some(&value) {
            return None;
        }
        self.rows.insert(key.to_string(), value.clone());
        Some((key.to_string(), value))
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.rows.get(key)
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Rows in key order.
    pub fn rows(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.rows.iter().map(|(key, value)| (key.as_str(), value))
    }
}

/// Where a table differs from the latest value per key of its stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableMismatch {
    pub key: String,
    /// The stream's latest value for the key (`None`: deleted or never written).
    pub expected: Option<Value>,
    pub found: Option<Value>,
}

/// Replays `stream` (key, value in log order; unkeyed records are ignored, null deletes) and
/// lists every key where `table` differs, in key order. Empty: the table is the stream's
/// latest state, as table–stream duality promises.
pub fn check_table_against_stream<'a>(
    table: &Table,
    stream: impl IntoIterator<Item = (Option<&'a str>, &'a Value)>,
) -> Vec<TableMismatch> {
    let mut latest: BTreeMap<&str, &Value> = BTreeMap::new();
    for (key, value) in stream {
        let Some(key) = key else { continue };
        if *value == Value::Null {
            latest.remove(key);
        } else {
            latest.insert(key, value);
        }
    }
    let mut keys: Vec<&str> = latest.keys().copied().collect();
    keys.extend(table.rows.keys().map(String::as_str));
    keys.sort_unstable();
    keys.dedup();
    keys.into_iter()
        .filter_map(|key| {
            let expected = latest.get(key).copied();
            let found = table.get(key);
            (expected != found).then(|| TableMismatch {
                key: key.to_string(),
                expected: expected.cloned(),
                found: found.cloned(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Value {
        Value::Str(text.to_string())
    }

    #[test]
    fn a_table_built_from_a_stream_equals_its_latest_value_per_key() {
        let stream = [
            (Some("u1"), s("Ada")),
            (Some("u2"), s("Bob")),
            (None, s("ignored")),
            (Some("u1"), s("Ada L.")),
            (Some("u2"), Value::Null),
            (Some("u3"), s("Cy")),
        ];
        let mut table = Table::default();
        for (key, value) in &stream {
            if let Some(key) = key {
                table.apply(key, value.clone());
            }
        }
        let view = stream.iter().map(|(k, v)| (*k, v));
        assert_eq!(check_table_against_stream(&table, view), vec![]);
        assert_eq!(
            table.rows().collect::<Vec<_>>(),
            vec![("u1", &s("Ada L.")), ("u3", &s("Cy"))]
        );
    }

    #[test]
    fn the_checker_names_every_key_that_differs() {
        let stream = [(Some("u1"), s("new")), (Some("u2"), Value::Null)];
        let mut table = Table::default();
        table.apply("u1", s("old"));
        table.apply("u2", s("still here"));
        let view = stream.iter().map(|(k, v)| (*k, v));
        assert_eq!(
            check_table_against_stream(&table, view),
            vec![
                TableMismatch {
                    key: "u1".into(),
                    expected: Some(s("new")),
                    found: Some(s("old"))
                },
                TableMismatch {
                    key: "u2".into(),
                    expected: None,
                    found: Some(s("still here"))
                },
            ]
        );
    }

    #[test]
    fn changes_are_reported_as_changelog_records() {
        let mut table = Table::default();
        assert_eq!(table.apply("k", s("a")), Some(("k".into(), s("a"))));
        assert_eq!(table.apply("k", s("a")), None);
        assert_eq!(
            table.apply("k", Value::Null),
            Some(("k".into(), Value::Null))
        );
        assert_eq!(table.apply("k", Value::Null), None);
        assert!(table.is_empty());
    }
}

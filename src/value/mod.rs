//! Record values: a small, ordered, JSON-like value type.
//!
//! Objects are `BTreeMap`s, so a value renders the same bytes every time; numbers are whole
//! (`i64`), because simulation logic is integer arithmetic. `serde_json::Value` never reaches an
//! output path: values render through `Value::to_json`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Object(BTreeMap<String, Value>),
}

impl Value {
    pub fn object() -> Value {
        Value::Object(BTreeMap::new())
    }

    /// Drops the value in place, leaving `Null`, and skips the drop of an empty object: an
    /// empty `BTreeMap` owns no memory, but its `Drop` still walks an iterator (about 100
    /// instructions; pipelines drop one value per record, and records without a template have
    /// an empty one). In place, because moving a just-built value out to drop it copies bytes
    /// just written, which stalls store-to-load forwarding.
    #[inline]
    pub fn discard(&mut self) {
        if let Value::Object(fields) = self
            && fields.is_empty()
        {
            std::mem::forget(std::mem::replace(self, Value::Null));
        } else {
            *self = Value::Null;
        }
    }

    /// A field of an object (`None` for a missing field or a non-object).
    pub fn get(&self, field: &str) -> Option<&Value> {
        match self {
            Value::Object(fields) => fields.get(field),
            _ => None,
        }
    }

    /// The text used when a value becomes a record key: strings as they are, numbers and
    /// booleans in decimal / `true`, null and objects have none.
    pub fn as_key(&self) -> Option<String> {
        match self {
            Value::Str(text) => Some(text.clone()),
            Value::Int(number) => Some(number.to_string()),
            Value::Bool(flag) => Some(flag.to_string()),
            Value::Null | Value::Object(_) => None,
        }
    }

    /// Compact JSON, keys in order.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }

    fn write_json(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
            Value::Int(number) => {
                let _ = write!(out, "{number}");
            }
            Value::Str(text) => write_json_string(text, out),
            Value::Object(fields) => {
                out.push('{');
                for (index, (name, value)) in fields.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    write_json_string(name, out);
                    out.push(':');
                    value.write_json(out);
                }
                out.push('}');
            }
        }
    }
}

impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            Value::Null => serializer.serialize_none(),
            Value::Bool(flag) => serializer.serialize_bool(*flag),
            Value::Int(number) => serializer.serialize_i64(*number),
            Value::Str(text) => serializer.serialize_str(text),
            Value::Object(fields) => {
                let mut map = serializer.serialize_map(Some(fields.len()))?;
                for (name, value) in fields {
                    map.serialize_entry(name, value)?;
                }
                map.end()
            }
        }
    }
}

fn write_json_string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discard_takes_any_value_and_leaves_null() {
        for mut value in [
            Value::object(),
            Value::Object(BTreeMap::from([("a".to_string(), Value::Int(1))])),
            Value::Str("text".to_string()),
        ] {
            value.discard();
            assert_eq!(value, Value::Null);
        }
    }

    #[test]
    fn objects_render_in_key_order_with_escapes() {
        let mut fields = BTreeMap::new();
        fields.insert("z".to_string(), Value::Int(-3));
        fields.insert("a".to_string(), Value::Str("say \"hi\"\n".to_string()));
        fields.insert("m".to_string(), Value::Null);
        assert_eq!(
            Value::Object(fields).to_json(),
            r#"{"a":"say \"hi\"\n","m":null,"z":-3}"#
        );
    }

    #[test]
    fn keys_come_from_scalars_only() {
        assert_eq!(Value::Int(7).as_key().as_deref(), Some("7"));
        assert_eq!(Value::Str("u1".into()).as_key().as_deref(), Some("u1"));
        assert_eq!(Value::Null.as_key(), None);
        assert_eq!(Value::object().as_key(), None);
    }
}

//! [`Datum`]: one Avro value, typed by the schema it was checked against; and the two ways a
//! datum is made: from a field's JSON default (Avro's JSON encoding, specification "Complex
//! Types: Records", the table of default values) and from a record value of the simulation
//! (validation on produce).
//!
//! A [`Value`] carries no type, so the check follows the schema: a whole number is accepted by
//! `int` (within 32 bits), `long`, `float` and `double`; a string by `string`, `bytes`, an enum
//! (one of its symbols) and `fixed` (of its size); an object by a record (every field without a
//! default present, no field the record lacks) and a map; a union takes the first branch that
//! accepts the value, as Avro Java's `GenericData.resolveUnion` picks the branch of a datum's
//! own type. It is not an encoder: no bytes are made.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::{Kind, NodeId, Schema};
use crate::value::Value;

/// An Avro value.
#[derive(Clone, Debug, PartialEq)]
pub enum Datum {
    Null,
    Boolean(bool),
    Int(i32),
    Long(i64),
    Float(f32),
    Double(f64),
    Bytes(Vec<u8>),
    String(String),
    Fixed(Vec<u8>),
    Enum(String),
    Array(Vec<Datum>),
    Map(BTreeMap<String, Datum>),
    /// Field values in the record schema's field order.
    Record(Vec<(String, Datum)>),
    /// The branch index in the writer's union, and the value.
    Union(u32, Box<Datum>),
}

/// A value that does not fit a schema: where in the value (a dotted field path, empty for the
/// value itself) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatumError {
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for DatumError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            formatter.write_str(&self.message)
        } else {
            write!(formatter, "field \"{}\": {}", self.path, self.message)
        }
    }
}

fn describe_json(json: &Json) -> String {
    match json {
        Json::Null => "null".to_string(),
        Json::Bool(flag) => flag.to_string(),
        Json::Number(number) => number.to_string(),
        Json::String(text) => format!("\"{text}\""),
        Json::Array(_) => "an array".to_string(),
        Json::Object(_) => "an object".to_string(),
    }
}

fn describe_value(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(flag) => flag.to_string(),
        Value::Int(number) => number.to_string(),
        Value::Str(text) => format!("\"{text}\""),
        Value::Object(_) => "an object".to_string(),
    }
}

/// Bytes in Avro's JSON encoding: a string whose code points 0-255 are the bytes.
fn json_bytes(text: &str) -> Option<Vec<u8>> {
    text.chars()
        .map(|character| u8::try_from(u32::from(character)).ok())
        .collect()
}

impl Datum {
    /// A field default in Avro's JSON encoding, checked against its schema (a union's default
    /// belongs to its first branch). The error is the problem, without a path.
    pub fn from_default(schema: &Schema, node: NodeId, json: &Json) -> Result<Datum, String> {
        let expected = || {
            format!(
                "expected {}, found {}",
                schema.describe(node),
                describe_json(json)
            )
        };
        let datum = match (schema.kind(node), json) {
            (Kind::Null, Json::Null) => Datum::Null,
            (Kind::Boolean, Json::Bool(flag)) => Datum::Boolean(*flag),
            (Kind::Int, Json::Number(number)) => Datum::Int(
                number
                    .as_i64()
                    .and_then(|whole| i32::try_from(whole).ok())
                    .ok_or_else(expected)?,
            ),
            (Kind::Long, Json::Number(number)) => {
                Datum::Long(number.as_i64().ok_or_else(expected)?)
            }
            #[allow(clippy::cast_possible_truncation)]
            (Kind::Float, Json::Number(number)) => {
                Datum::Float(number.as_f64().ok_or_else(expected)? as f32)
            }
            (Kind::Double, Json::Number(number)) => {
                Datum::Double(number.as_f64().ok_or_else(expected)?)
            }
            (Kind::String, Json::String(text)) => Datum::String(text.clone()),
            (Kind::Bytes, Json::String(text)) => {
                Datum::Bytes(json_bytes(text).ok_or_else(expected)?)
            }
            (Kind::Fixed(fixed), Json::String(text)) => {
                let bytes = json_bytes(text).filter(|bytes| bytes.len() == fixed.size as usize);
                Datum::Fixed(bytes.ok_or_else(expected)?)
            }
            (Kind::Enum(enumeration), Json::String(symbol))
                if enumeration.symbols.contains(symbol) =>
            {
                Datum::Enum(symbol.clone())
            }
            (Kind::Array { items }, Json::Array(elements)) => Datum::Array(
                elements
                    .iter()
                    .map(|element| Datum::from_default(schema, *items, element))
                    .collect::<Result<_, _>>()?,
            ),
            (Kind::Map { values }, Json::Object(entries)) => Datum::Map(
                entries
                    .iter()
                    .map(|(key, entry)| {
                        Ok((key.clone(), Datum::from_default(schema, *values, entry)?))
                    })
                    .collect::<Result<_, String>>()?,
            ),
            (Kind::Record(record), Json::Object(entries)) => {
                let mut fields = Vec::with_capacity(record.fields.len());
                for field in &record.fields {
                    let datum = match (entries.get(&field.name), &field.default) {
                        (Some(entry), _) => Datum::from_default(schema, field.schema, entry)?,
                        (None, Some(default)) => default.clone(),
                        (None, None) => return Err(format!("missing field \"{}\"", field.name)),
                    };
                    fields.push((field.name.clone(), datum));
                }
                Datum::Record(fields)
            }
            (Kind::Union { branches }, _) => match branches.first() {
                Some(first) => {
                    Datum::Union(0, Box::new(Datum::from_default(schema, *first, json)?))
                }
                None => return Err("an empty union has no default".to_string()),
            },
            _ => return Err(expected()),
        };
        Ok(datum)
    }

    /// A simulation value checked against a schema: the datum a producer writes, or why the
    /// value does not fit.
    pub fn from_value(schema: &Schema, node: NodeId, value: &Value) -> Result<Datum, DatumError> {
        from_value_at(schema, node, value, "")
    }

    /// The Avro type name of the datum (`int`, `record`), for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Datum::Null => "null",
            Datum::Boolean(_) => "boolean",
            Datum::Int(_) => "int",
            Datum::Long(_) => "long",
            Datum::Float(_) => "float",
            Datum::Double(_) => "double",
            Datum::Bytes(_) => "bytes",
            Datum::String(_) => "string",
            Datum::Fixed(_) => "fixed",
            Datum::Enum(_) => "enum",
            Datum::Array(_) => "array",
            Datum::Map(_) => "map",
            Datum::Record(_) => "record",
            Datum::Union(..) => "union",
        }
    }

    /// A field of a record datum.
    pub fn field(&self, name: &str) -> Option<&Datum> {
        match self {
            Datum::Record(fields) => fields
                .iter()
                .find(|(field, _)| field == name)
                .map(|(_, datum)| datum),
            _ => None,
        }
    }
}

fn at(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

fn from_value_at(
    schema: &Schema,
    node: NodeId,
    value: &Value,
    path: &str,
) -> Result<Datum, DatumError> {
    let mismatch = || DatumError {
        path: path.to_string(),
        message: format!(
            "expected {}, found {}",
            schema.describe(node),
            describe_value(value)
        ),
    };
    let datum = match (schema.kind(node), value) {
        (Kind::Null, Value::Null) => Datum::Null,
        (Kind::Boolean, Value::Bool(flag)) => Datum::Boolean(*flag),
        (Kind::Int, Value::Int(number)) => {
            Datum::Int(i32::try_from(*number).map_err(|_| mismatch())?)
        }
        (Kind::Long, Value::Int(number)) => Datum::Long(*number),
        #[allow(clippy::cast_precision_loss)]
        (Kind::Float, Value::Int(number)) => Datum::Float(*number as f32),
        #[allow(clippy::cast_precision_loss)]
        (Kind::Double, Value::Int(number)) => Datum::Double(*number as f64),
        (Kind::String, Value::Str(text)) => Datum::String(text.clone()),
        (Kind::Bytes, Value::Str(text)) => Datum::Bytes(text.as_bytes().to_vec()),
        (Kind::Fixed(fixed), Value::Str(text)) if text.len() == fixed.size as usize => {
            Datum::Fixed(text.as_bytes().to_vec())
        }
        (Kind::Enum(enumeration), Value::Str(symbol)) if enumeration.symbols.contains(symbol) => {
            Datum::Enum(symbol.clone())
        }
        (Kind::Map { values }, Value::Object(entries)) => Datum::Map(
            entries
                .iter()
                .map(|(key, entry)| {
                    Ok((
                        key.clone(),
                        from_value_at(schema, *values, entry, &at(path, key))?,
                    ))
                })
                .collect::<Result<_, DatumError>>()?,
        ),
        (Kind::Record(record), Value::Object(entries)) => {
            if let Some(extra) = entries
                .keys()
                .find(|key| !record.fields.iter().any(|field| &field.name == *key))
            {
                return Err(DatumError {
                    path: at(path, extra),
                    message: format!("record \"{}\" has no such field", record.name.full_name()),
                });
            }
            let mut fields = Vec::with_capacity(record.fields.len());
            for field in &record.fields {
                let datum = match (entries.get(&field.name), &field.default) {
                    (Some(entry), _) => {
                        from_value_at(schema, field.schema, entry, &at(path, &field.name))?
                    }
                    (None, Some(default)) => default.clone(),
                    (None, None) => {
                        return Err(DatumError {
                            path: at(path, &field.name),
                            message: "missing, and the schema gives it no default".to_string(),
                        });
                    }
                };
                fields.push((field.name.clone(), datum));
            }
            Datum::Record(fields)
        }
        (Kind::Union { branches }, _) => from_value_union(schema, branches, value, path)?,
        _ => return Err(mismatch()),
    };
    Ok(datum)
}

/// A union takes the first branch that accepts the value.
fn from_value_union(
    schema: &Schema,
    branches: &[NodeId],
    value: &Value,
    path: &str,
) -> Result<Datum, DatumError> {
    let chosen = branches.iter().enumerate().find_map(|(position, branch)| {
        from_value_at(schema, *branch, value, path)
            .ok()
            .map(|datum| (position, datum))
    });
    match chosen {
        Some((position, datum)) => Ok(Datum::Union(
            u32::try_from(position).expect("union size fits u32"),
            Box::new(datum),
        )),
        None => {
            let names: Vec<String> = branches
                .iter()
                .map(|branch| schema.describe(*branch))
                .collect();
            Err(DatumError {
                path: path.to_string(),
                message: format!(
                    "expected one of the union's types ({}), found {}",
                    names.join(", "),
                    describe_value(value)
                ),
            })
        }
    }
}

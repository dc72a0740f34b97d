//! `.avsc` parsing: JSON text to a [`Schema`], with errors that name the JSON path inside it.
//!
//! Follows Avro Java's `Schema.Parser` (1.11): a type is a name (primitive or a named type
//! defined earlier), an object with `"type"`, or an array (a union); named types take their
//! namespace from a dotted name, else from `"namespace"`, else from the enclosing named type; a
//! reference without a dot is looked up in the enclosing namespace first, then in the null
//! namespace (`Schema.Names.get`); a union may not hold a union directly nor two branches of the
//! same type or full name; every default is checked against its field's type (Java's
//! `validateDefaults`, on by default since 1.9), with a union's default matching its first branch
//! (specification 1.11, "Complex Types: Records"). Unknown or invalid logical types are dropped,
//! as the specification says they must be. Recursion follows the JSON tree, whose depth
//! `serde_json` bounds (128 levels).
//!
//! It is not the scenario's parser: a schema error reads `<path inside the schema>: <problem>`,
//! and the caller puts the file name (and, for a schema inline in a scenario, the stream's path)
//! in front.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value as Json;

use super::datum::Datum;
use super::{Enum, Field, Fixed, Kind, Logical, Name, Node, NodeId, Record, Schema, Type};

/// A problem with a schema document: where (a JSON path such as `fields[1].type`, empty for the
/// document itself) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaError {
    pub path: String,
    pub message: String,
}

impl fmt::Display for SchemaError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            formatter.write_str(&self.message)
        } else {
            write!(formatter, "{}: {}", self.path, self.message)
        }
    }
}

/// Parses `.avsc` text. A syntax error reads `line L, column C: ...`.
pub fn parse_schema(text: &str) -> Result<Schema, SchemaError> {
    let json: Json = serde_json::from_str(text).map_err(|error| SchemaError {
        path: String::new(),
        message: format!(
            "line {}, column {}: {}",
            error.line(),
            error.column(),
            syntax_message(&error)
        ),
    })?;
    parse_schema_value(&json, "")
}

/// Parses a schema already read as JSON (a schema inline in a scenario); `path` is where it sits,
/// put in front of every error path.
pub fn parse_schema_value(json: &Json, path: &str) -> Result<Schema, SchemaError> {
    let mut parser = Parser {
        nodes: Vec::new(),
        names: BTreeMap::new(),
        defaults: Vec::new(),
    };
    let root = parser.parse_type(json, path, None)?;
    parser.check_defaults()?;
    Ok(Schema::from_parts(parser.nodes, root))
}

/// serde_json's message without its own " at line L column C" tail (we print the position first).
fn syntax_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    }
}

const PRIMITIVES: [(&str, Type); 8] = [
    ("null", Type::Null),
    ("boolean", Type::Boolean),
    ("int", Type::Int),
    ("long", Type::Long),
    ("float", Type::Float),
    ("double", Type::Double),
    ("bytes", Type::Bytes),
    ("string", Type::String),
];

fn primitive(name: &str) -> Option<Kind> {
    let (_, kind) = PRIMITIVES.iter().find(|(text, _)| *text == name)?;
    Some(match kind {
        Type::Null => Kind::Null,
        Type::Boolean => Kind::Boolean,
        Type::Int => Kind::Int,
        Type::Long => Kind::Long,
        Type::Float => Kind::Float,
        Type::Double => Kind::Double,
        Type::Bytes => Kind::Bytes,
        _ => Kind::String,
    })
}

pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

pub(crate) fn index(path: &str, position: usize) -> String {
    format!("{path}[{position}]")
}

fn error(path: &str, message: impl Into<String>) -> SchemaError {
    SchemaError {
        path: path.to_string(),
        message: message.into(),
    }
}

/// A default waiting for the whole schema (a field may refer to the record that holds it).
struct PendingDefault {
    record: NodeId,
    field: usize,
    json: Json,
    path: String,
}

struct Parser {
    nodes: Vec<Node>,
    /// Full name to the node that defines it.
    names: BTreeMap<String, NodeId>,
    defaults: Vec<PendingDefault>,
}

impl Parser {
    fn push(&mut self, kind: Kind, logical: Option<Logical>) -> NodeId {
        let id = NodeId(u32::try_from(self.nodes.len()).expect("node count fits u32"));
        self.nodes.push(Node { kind, logical });
        id
    }

    fn parse_type(
        &mut self,
        json: &Json,
        path: &str,
        space: Option<&str>,
    ) -> Result<NodeId, SchemaError> {
        match json {
            Json::String(name) => self.reference(name, path, space),
            Json::Array(branches) => self.parse_union(branches, path, space),
            Json::Object(fields) => self.parse_object(fields, path, space),
            _ => Err(error(
                path,
                "expected a type: a type name, an object with \"type\", or an array of types (a union)",
            )),
        }
    }

    fn reference(
        &mut self,
        name: &str,
        path: &str,
        space: Option<&str>,
    ) -> Result<NodeId, SchemaError> {
        if let Some(kind) = primitive(name) {
            return Ok(self.push(kind, None));
        }
        let qualified = match space {
            Some(space) if !name.contains('.') && !space.is_empty() => format!("{space}.{name}"),
            _ => name.to_string(),
        };
        if let Some(&id) = self.names.get(&qualified).or_else(|| self.names.get(name)) {
            return Ok(id);
        }
        let known: Vec<String> = PRIMITIVES
            .iter()
            .map(|(text, _)| text.to_string())
            .chain(["record", "enum", "array", "map", "fixed"].map(String::from))
            .chain(self.names.keys().cloned())
            .collect();
        let hint = did_you_mean(name, known.iter().map(String::as_str));
        Err(error(path, format!("unknown type \"{name}\"{hint}")))
    }

    fn parse_union(
        &mut self,
        branches: &[Json],
        path: &str,
        space: Option<&str>,
    ) -> Result<NodeId, SchemaError> {
        let mut ids = Vec::with_capacity(branches.len());
        let mut seen: Vec<String> = Vec::new();
        for (position, branch) in branches.iter().enumerate() {
            let branch_path = index(path, position);
            let id = self.parse_type(branch, &branch_path, space)?;
            let kind = &self.nodes[id.0 as usize].kind;
            if matches!(kind, Kind::Union { .. }) {
                return Err(error(
                    &branch_path,
                    "a union may not contain a union directly",
                ));
            }
            // A named type still being defined (a recursive reference) has no kind yet: its name
            // is its identity.
            let key = match self.names.iter().find(|(_, named)| **named == id) {
                Some((full_name, _)) => full_name.clone(),
                None => kind.type_of().avro_name().to_string(),
            };
            if seen.contains(&key) {
                return Err(error(
                    &branch_path,
                    format!("\"{key}\" appears twice in the union"),
                ));
            }
            seen.push(key);
            ids.push(id);
        }
        Ok(self.push(Kind::Union { branches: ids }, None))
    }

    fn parse_object(
        &mut self,
        object: &serde_json::Map<String, Json>,
        path: &str,
        space: Option<&str>,
    ) -> Result<NodeId, SchemaError> {
        let type_name = match object.get("type") {
            None => return Err(error(path, "missing \"type\"")),
            Some(Json::String(text)) => text.as_str(),
            Some(nested @ (Json::Object(_) | Json::Array(_))) => {
                // `{"type": {...}}` and `{"type": [...]}` wrap a type, as Java's parser accepts.
                return self.parse_type(nested, &join(path, "type"), space);
            }
            Some(_) => return Err(error(&join(path, "type"), "expected a type name")),
        };
        match type_name {
            "record" | "error" => self.parse_record(object, path, space),
            "enum" => self.parse_enum(object, path, space),
            "fixed" => self.parse_fixed(object, path, space),
            "array" => {
                let items = object
                    .get("items")
                    .ok_or_else(|| error(path, "missing \"items\""))?;
                let items = self.parse_type(items, &join(path, "items"), space)?;
                Ok(self.push(Kind::Array { items }, None))
            }
            "map" => {
                let values = object
                    .get("values")
                    .ok_or_else(|| error(path, "missing \"values\""))?;
                let values = self.parse_type(values, &join(path, "values"), space)?;
                Ok(self.push(Kind::Map { values }, None))
            }
            name => match primitive(name) {
                Some(kind) => {
                    let logical = logical_type(object, &kind);
                    Ok(self.push(kind, logical))
                }
                None => self.reference(name, &join(path, "type"), space),
            },
        }
    }

    /// Reads `name` and `namespace` and registers the name, so a type may refer to itself.
    fn define(
        &mut self,
        object: &serde_json::Map<String, Json>,
        path: &str,
        space: Option<&str>,
    ) -> Result<(Name, NodeId), SchemaError> {
        let name_path = join(path, "name");
        let text = match object.get("name") {
            None => return Err(error(path, "missing \"name\"")),
            Some(Json::String(text)) => text,
            Some(_) => return Err(error(&name_path, "expected a string")),
        };
        let namespace = match object.get("namespace") {
            None | Some(Json::Null) => space.map(str::to_string),
            Some(Json::String(text)) => Some(text.clone()),
            Some(_) => return Err(error(&join(path, "namespace"), "expected a string")),
        };
        let name = match text.rsplit_once('.') {
            Some((namespace, name)) => Name {
                name: name.to_string(),
                namespace: Some(namespace.to_string()),
            },
            None => Name {
                name: text.clone(),
                namespace,
            },
        };
        check_name(&name.name, &name_path)?;
        if let Some(namespace) = &name.namespace
            && !namespace.is_empty()
        {
            for part in namespace.split('.') {
                check_name(part, &name_path)?;
            }
        }
        if primitive(&name.name).is_some() && name.namespace.as_deref().is_none_or(str::is_empty) {
            return Err(error(
                &name_path,
                format!(
                    "a named type may not be called \"{}\", a primitive",
                    name.name
                ),
            ));
        }
        let full_name = name.full_name();
        if self.names.contains_key(&full_name) {
            return Err(error(
                &name_path,
                format!("type \"{full_name}\" is defined twice"),
            ));
        }
        let id = self.push(Kind::Null, None);
        self.names.insert(full_name, id);
        Ok((name, id))
    }

    fn parse_record(
        &mut self,
        object: &serde_json::Map<String, Json>,
        path: &str,
        space: Option<&str>,
    ) -> Result<NodeId, SchemaError> {
        let (name, id) = self.define(object, path, space)?;
        let aliases = aliases(object, path, name.namespace.as_deref())?;
        let fields_path = join(path, "fields");
        let Some(fields_json) = object.get("fields") else {
            return Err(error(path, "missing \"fields\""));
        };
        let Json::Array(fields_json) = fields_json else {
            return Err(error(&fields_path, "expected an array of fields"));
        };
        let mut fields: Vec<Field> = Vec::with_capacity(fields_json.len());
        let inner_space = name.namespace.clone();
        for (position, field_json) in fields_json.iter().enumerate() {
            let field_path = index(&fields_path, position);
            let Json::Object(field_object) = field_json else {
                return Err(error(
                    &field_path,
                    "expected an object with \"name\" and \"type\"",
                ));
            };
            let field = self.parse_field(field_object, &field_path, inner_space.as_deref())?;
            if fields.iter().any(|earlier| earlier.name == field.name) {
                return Err(error(
                    &join(&field_path, "name"),
                    format!(
                        "field \"{}\" appears twice in record \"{}\"",
                        field.name,
                        name.full_name()
                    ),
                ));
            }
            if let Some(default) = field_object.get("default") {
                self.defaults.push(PendingDefault {
                    record: id,
                    field: position,
                    json: default.clone(),
                    path: join(&field_path, "default"),
                });
            }
            fields.push(field);
        }
        let doc = doc(object);
        self.nodes[id.0 as usize].kind = Kind::Record(Record {
            name,
            aliases,
            doc,
            fields,
        });
        Ok(id)
    }

    fn parse_field(
        &mut self,
        object: &serde_json::Map<String, Json>,
        path: &str,
        space: Option<&str>,
    ) -> Result<Field, SchemaError> {
        let name = match object.get("name") {
            None => return Err(error(path, "missing \"name\"")),
            Some(Json::String(text)) => text.clone(),
            Some(_) => return Err(error(&join(path, "name"), "expected a string")),
        };
        check_name(&name, &join(path, "name"))?;
        let Some(type_json) = object.get("type") else {
            return Err(error(path, format!("field \"{name}\" is missing \"type\"")));
        };
        let schema = self.parse_type(type_json, &join(path, "type"), space)?;
        if let Some(order) = object.get("order")
            && !matches!(order.as_str(), Some("ascending" | "descending" | "ignore"))
        {
            return Err(error(
                &join(path, "order"),
                "expected \"ascending\", \"descending\" or \"ignore\"",
            ));
        }
        let aliases = match object.get("aliases") {
            None => Vec::new(),
            Some(json) => string_list(json, &join(path, "aliases"))?,
        };
        Ok(Field {
            name,
            aliases,
            doc: doc(object),
            schema,
            default: None,
        })
    }

    fn parse_enum(
        &mut self,
        object: &serde_json::Map<String, Json>,
        path: &str,
        space: Option<&str>,
    ) -> Result<NodeId, SchemaError> {
        let (name, id) = self.define(object, path, space)?;
        let aliases = aliases(object, path, name.namespace.as_deref())?;
        let symbols_path = join(path, "symbols");
        let symbols = match object.get("symbols") {
            None => return Err(error(path, "missing \"symbols\"")),
            Some(json) => string_list(json, &symbols_path)?,
        };
        for (position, symbol) in symbols.iter().enumerate() {
            let symbol_path = index(&symbols_path, position);
            check_name(symbol, &symbol_path)?;
            if symbols[..position].contains(symbol) {
                return Err(error(
                    &symbol_path,
                    format!("symbol \"{symbol}\" appears twice"),
                ));
            }
        }
        let default = match object.get("default") {
            None => None,
            Some(Json::String(symbol)) if symbols.contains(symbol) => Some(symbol.clone()),
            Some(Json::String(symbol)) => {
                return Err(error(
                    &join(path, "default"),
                    format!("the enum default \"{symbol}\" is not one of its symbols"),
                ));
            }
            Some(_) => return Err(error(&join(path, "default"), "expected a symbol")),
        };
        let doc = doc(object);
        self.nodes[id.0 as usize].kind = Kind::Enum(Enum {
            name,
            aliases,
            doc,
            symbols,
            default,
        });
        Ok(id)
    }

    fn parse_fixed(
        &mut self,
        object: &serde_json::Map<String, Json>,
        path: &str,
        space: Option<&str>,
    ) -> Result<NodeId, SchemaError> {
        let (name, id) = self.define(object, path, space)?;
        let aliases = aliases(object, path, name.namespace.as_deref())?;
        let size = match object.get("size") {
            None => return Err(error(path, "missing \"size\"")),
            Some(json) => json
                .as_u64()
                .and_then(|size| u32::try_from(size).ok())
                .filter(|size| *size <= i32::MAX as u32),
        };
        let Some(size) = size else {
            return Err(error(
                &join(path, "size"),
                "expected a whole number from 0 to 2147483647",
            ));
        };
        let kind = Kind::Fixed(Fixed {
            name,
            aliases,
            size,
        });
        self.nodes[id.0 as usize].logical = logical_type(object, &kind);
        self.nodes[id.0 as usize].kind = kind;
        Ok(id)
    }

    fn check_defaults(&mut self) -> Result<(), SchemaError> {
        let pending = std::mem::take(&mut self.defaults);
        for default in pending {
            let Kind::Record(record) = &self.nodes[default.record.0 as usize].kind else {
                unreachable!("defaults are only recorded for record fields");
            };
            let field = &record.fields[default.field];
            let (field_schema, field_name) = (field.schema, field.name.clone());
            let schema = Schema::from_parts(std::mem::take(&mut self.nodes), field_schema);
            let checked = Datum::from_default(&schema, field_schema, &default.json);
            self.nodes = schema.into_nodes();
            let datum = checked.map_err(|problem| {
                error(
                    &default.path,
                    format!("invalid default for field \"{field_name}\": {problem}"),
                )
            })?;
            let Kind::Record(record) = &mut self.nodes[default.record.0 as usize].kind else {
                unreachable!("the node is still a record");
            };
            record.fields[default.field].default = Some(datum);
        }
        Ok(())
    }
}

impl Schema {
    fn into_nodes(self) -> Vec<Node> {
        self.nodes
    }
}

/// ` (did you mean "x"?)` for the nearest candidate within a third of the name's length (at
/// least 2 edits), the scenario messages' rule.
fn did_you_mean<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let limit = (wanted.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|candidate| (strsim::levenshtein(wanted, candidate), candidate))
        .filter(|&(distance, _)| distance <= limit)
        .min_by_key(|&(distance, candidate)| (distance, candidate))
        .map_or_else(String::new, |(_, name)| {
            format!(" (did you mean \"{name}\"?)")
        })
}

/// Avro names: `[A-Za-z_][A-Za-z0-9_]*` (specification, "Names").
fn check_name(name: &str, path: &str) -> Result<(), SchemaError> {
    let mut characters = name.chars();
    let valid_start = characters
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_');
    if valid_start && characters.all(|rest| rest.is_ascii_alphanumeric() || rest == '_') {
        return Ok(());
    }
    Err(error(
        path,
        format!("\"{name}\" is not a valid Avro name (a letter or _, then letters, digits or _)"),
    ))
}

fn string_list(json: &Json, path: &str) -> Result<Vec<String>, SchemaError> {
    let Json::Array(items) = json else {
        return Err(error(path, "expected an array of strings"));
    };
    items
        .iter()
        .enumerate()
        .map(|(position, item)| match item {
            Json::String(text) => Ok(text.clone()),
            _ => Err(error(&index(path, position), "expected a string")),
        })
        .collect()
}

/// A named type's aliases as full names: one without a dot takes the type's namespace.
fn aliases(
    object: &serde_json::Map<String, Json>,
    path: &str,
    namespace: Option<&str>,
) -> Result<Vec<String>, SchemaError> {
    let Some(json) = object.get("aliases") else {
        return Ok(Vec::new());
    };
    let names = string_list(json, &join(path, "aliases"))?;
    Ok(names
        .into_iter()
        .map(|alias| match namespace {
            Some(namespace) if !alias.contains('.') && !namespace.is_empty() => {
                format!("{namespace}.{alias}")
            }
            _ => alias,
        })
        .collect())
}

fn doc(object: &serde_json::Map<String, Json>) -> Option<String> {
    object.get("doc").and_then(Json::as_str).map(str::to_string)
}

/// The logical type an object declares, if it is known and valid for the underlying type
/// (specification, "Logical Types"); anything else is ignored, as the specification requires.
fn logical_type(object: &serde_json::Map<String, Json>, kind: &Kind) -> Option<Logical> {
    let name = object.get("logicalType")?.as_str()?;
    let logical = match (name, kind) {
        ("date", Kind::Int) => Logical::Date,
        ("time-millis", Kind::Int) => Logical::TimeMillis,
        ("time-micros", Kind::Long) => Logical::TimeMicros,
        ("timestamp-millis", Kind::Long) => Logical::TimestampMillis,
        ("timestamp-micros", Kind::Long) => Logical::TimestampMicros,
        ("local-timestamp-millis", Kind::Long) => Logical::LocalTimestampMillis,
        ("local-timestamp-micros", Kind::Long) => Logical::LocalTimestampMicros,
        ("uuid", Kind::String) => Logical::Uuid,
        ("uuid", Kind::Fixed(fixed)) if fixed.size == 16 => Logical::Uuid,
        ("duration", Kind::Fixed(fixed)) if fixed.size == 12 => Logical::Duration,
        ("decimal", Kind::Bytes | Kind::Fixed(_)) => decimal(object, kind)?,
        _ => return None,
    };
    Some(logical)
}

fn decimal(object: &serde_json::Map<String, Json>, kind: &Kind) -> Option<Logical> {
    let precision = u32::try_from(object.get("precision")?.as_u64()?).ok()?;
    let scale = match object.get("scale") {
        None => 0,
        Some(json) => u32::try_from(json.as_u64()?).ok()?,
    };
    if precision == 0 || scale > precision {
        return None;
    }
    if let Kind::Fixed(fixed) = kind
        && u64::from(precision) > max_decimal_precision(fixed.size)
    {
        return None;
    }
    Some(Logical::Decimal { precision, scale })
}

/// The most decimal digits a two's-complement number of `size` bytes always holds:
/// floor(log10(2^(8 size - 1) - 1)), Avro Java's `LogicalTypes.Decimal.maxPrecision`.
fn max_decimal_precision(size: u32) -> u64 {
    let bits = u64::from(size) * 8;
    if bits == 0 {
        return 0;
    }
    if bits > 128 {
        // Beyond u128, log10(2) * (bits - 1) rounded down, in integer arithmetic (log10(2) is
        // 0.30102999566..., and 30103 / 100000 is close enough for sizes a schema can state).
        return (bits - 1) * 30_102 / 100_000;
    }
    let largest = if bits == 128 {
        u128::MAX >> 1
    } else {
        (1u128 << (bits - 1)) - 1
    };
    u64::from(largest.checked_ilog10().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_err(text: &str, expected: &str) {
        let error = parse_schema(text).expect_err("the schema is invalid");
        assert_eq!(error.to_string(), expected);
    }

    #[test]
    fn decimal_precision_follows_avro_java() {
        // LogicalTypes.Decimal.maxPrecision: 1 byte holds 2 digits, 4 bytes 9, 8 bytes 18.
        assert_eq!(max_decimal_precision(1), 2);
        assert_eq!(max_decimal_precision(4), 9);
        assert_eq!(max_decimal_precision(8), 18);
        assert_eq!(max_decimal_precision(16), 38);
    }

    #[test]
    fn bad_schemas_name_the_path() {
        check_err(
            "{\"type\": \"record\", \"name\": \"R\", \"fields\": [{\"name\": \"a\", \"type\": \"strng\"}]}",
            "fields[0].type: unknown type \"strng\" (did you mean \"string\"?)",
        );
        check_err(
            "{\"type\": \"record\", \"name\": \"R\"}",
            "missing \"fields\"",
        );
        check_err(
            "[\"int\", \"int\"]",
            "[1]: \"int\" appears twice in the union",
        );
    }
}

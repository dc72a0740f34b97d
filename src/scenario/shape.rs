//! Shape checks: the JSON Schema of eventlab's input files and every shape problem of a
//! document at once, in document order, in eventlab's words.
//!
//! The schema is generated from the raw serde types (`raw.rs`, `assign_file.rs`) by schemars:
//! doc comments become descriptions and `deny_unknown_fields` becomes
//! `"additionalProperties": false`, so the schema and the parser cannot disagree. The document
//! is checked against it with boon (a JSON Schema validator) before serde reads it; this module
//! turns boon's structured errors, the schema and the document into `<path>: <problem>` lines.
//! It does not reword anyone's message text, and it checks no meaning: references, ranges and
//! combinations are `validate`'s.
//!
//! Document order is the order of the text: each problem sits at the byte where its field's key
//! (or, in an array, its value) starts; a missing field sits at the start of its object; problems
//! at one place sort missing fields first, then by their text.

use std::any::TypeId;
use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

use boon::{ErrorKind, InstanceToken, ValidationError};
use schemars::JsonSchema;

use serde_json::Value;

use super::error::{ScenarioError, nearest, one_of};

/// Where the schema is registered with the validator. Only its fragment is ever read.
const SCHEMA_URL: &str = "file:///eventlab/input.schema.json";

/// The JSON Schema of `T`, as schemars generates it from the serde types.
pub fn schema_of<T: JsonSchema>() -> Value {
    schemars::schema_for!(T).to_value()
}

/// The scenario schema as `eventlab schema` prints it and `docs/scenario.schema.json` holds it:
/// pretty JSON ending with a newline.
pub fn scenario_schema_text() -> String {
    let schema = schema_of::<super::raw::RawScenario>();
    let mut text = serde_json::to_string_pretty(&schema).expect("a JSON value always serializes");
    text.push('\n');
    text
}

/// Checks `text` against `T`'s schema: one error with line and column if it is not JSON, else
/// every shape problem, in document order.
pub fn check<T: JsonSchema + 'static>(text: &str, origin: &str) -> Result<(), Vec<ScenarioError>> {
    compiled::<T>().check(text, origin)
}

/// Checks `text` against `schema` (one that schemars generated, or its committed copy).
pub fn check_against(schema: &Value, text: &str, origin: &str) -> Result<(), Vec<ScenarioError>> {
    Compiled::new(schema.clone()).check(text, origin)
}

/// A schema and boon's compiled form of it.
struct Compiled {
    schema: Value,
    schemas: boon::Schemas,
    index: boon::SchemaIndex,
}

/// `T`'s compiled schema, built once per process and file kind: compiling (which checks the
/// schema against JSON Schema's metaschema) costs far more than checking a file, and
/// `eventlab scenarios` or `validate` of many files would otherwise pay it per file. A cache of
/// a pure function: it changes no output.
fn compiled<T: JsonSchema + 'static>() -> &'static Compiled {
    type Cache = Vec<(TypeId, &'static Compiled)>;
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    let mut cache = CACHE
        .get_or_init(Mutex::default)
        .lock()
        .expect("nothing panics while holding the schema cache");
    let kind = TypeId::of::<T>();
    if let Some((_, compiled)) = cache.iter().find(|(id, _)| *id == kind) {
        return compiled;
    }
    // Leaked on purpose: one per file kind (two), kept for the process's life.
    let compiled: &'static Compiled = Box::leak(Box::new(Compiled::new(schema_of::<T>())));
    cache.push((kind, compiled));
    compiled
}

impl Compiled {
    fn new(schema: Value) -> Self {
        let mut schemas = boon::Schemas::new();
        let index = compile(&schema, &mut schemas);
        Compiled {
            schema,
            schemas,
            index,
        }
    }

    fn check(&self, text: &str, origin: &str) -> Result<(), Vec<ScenarioError>> {
        let document: Value =
            serde_json::from_str(text).map_err(|error| vec![syntax_error(&error, origin)])?;
        let Err(error) = self.schemas.validate(&document, self.index) else {
            return Ok(());
        };
        let shapes = Shapes {
            schema: &self.schema,
            document: &document,
            text,
            spans: spans(text),
        };
        let mut problems = shapes.collect(&error);
        problems.sort_by(|a, b| {
            (a.position, a.rank, &a.problem).cmp(&(b.position, b.rank, &b.problem))
        });
        // One value gets one message, even when several keywords (format, minimum) reject it.
        problems.dedup_by(|later, earlier| {
            later.path == earlier.path && later.rank == earlier.rank && later.rank == VALUE
        });
        Err(problems
            .into_iter()
            .map(|problem| ScenarioError {
                origin: origin.to_string(),
                location: format_path(&problem.path),
                problem: problem.problem,
            })
            .collect())
    }
}

/// A JSON syntax error: one message with line and column.
pub fn syntax_error(error: &serde_json::Error, origin: &str) -> ScenarioError {
    let message = error.to_string();
    // serde_json appends ` at line L column C`; the location says it already.
    let problem = match message.rfind(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message,
    };
    ScenarioError {
        origin: origin.to_string(),
        location: format!("line {}, column {}", error.line(), error.column()),
        problem,
    }
}

fn compile(schema: &Value, schemas: &mut boon::Schemas) -> boon::SchemaIndex {
    let mut compiler = boon::Compiler::new();
    compiler.set_default_draft(boon::Draft::V2020_12);
    // schemars marks `u64` and `i64` fields with these formats; asserting them rejects what JSON
    // Schema calls an integer but the parser does not take (1e6, 1.0, numbers past the range).
    compiler.enable_format_assertions();
    compiler.register_format(boon::Format {
        name: "uint64",
        func: |value| whole_number(value, Value::is_u64),
    });
    compiler.register_format(boon::Format {
        name: "int64",
        func: |value| whole_number(value, Value::is_i64),
    });
    compiler
        .add_resource(SCHEMA_URL, schema.clone())
        .expect("the generated schema is registered once");
    compiler
        .compile(SCHEMA_URL, schemas)
        .expect("the schema schemars generates is valid JSON Schema")
}

fn whole_number(value: &Value, fits: fn(&Value) -> bool) -> Result<(), Box<dyn std::error::Error>> {
    if !value.is_number() || fits(value) {
        Ok(())
    } else {
        Err("not a whole number in range".into())
    }
}

/// One step of a path into the document.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Key(String),
    Index(usize),
}

/// Where a value is in the text: its key (inside an object), its first and past-last byte.
#[derive(Clone, Copy, Debug)]
struct Span {
    key: Option<usize>,
    start: usize,
    end: usize,
}

/// `Problem::rank` of a missing field: before the object's other problems.
const MISSING: u8 = 0;
/// `Problem::rank` of everything else.
const VALUE: u8 = 1;

struct Problem {
    /// Byte offset in the text the problem sorts by.
    position: usize,
    rank: u8,
    path: Vec<Step>,
    problem: String,
}

/// What the checker reads: the schema, the document and where each value is in its text.
struct Shapes<'a> {
    schema: &'a Value,
    document: &'a Value,
    text: &'a str,
    spans: BTreeMap<Vec<Step>, Span>,
}

/// What to do with a failed `anyOf` / `oneOf`.
enum Choice<'e, 's, 'v> {
    /// The value was meant as this alternative: report what is wrong inside it.
    Descend(&'e ValidationError<'s, 'v>),
    /// No alternative fits: one problem for the value.
    Report(Problem),
}

impl Shapes<'_> {
    /// The problems of boon's error tree (walked with an explicit stack).
    fn collect(&self, error: &ValidationError) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut stack = vec![error];
        while let Some(error) = stack.pop() {
            match &error.kind {
                ErrorKind::Group
                | ErrorKind::Schema { .. }
                | ErrorKind::Reference { .. }
                | ErrorKind::AllOf => stack.extend(error.causes.iter()),
                ErrorKind::AnyOf | ErrorKind::OneOf(None) => match self.choose(error) {
                    Choice::Descend(cause) => stack.push(cause),
                    Choice::Report(problem) => problems.push(problem),
                },
                _ => problems.extend(self.leaf(error)),
            }
        }
        problems
    }

    /// A problem that is not a choice between alternatives.
    fn leaf(&self, error: &ValidationError) -> Vec<Problem> {
        let path = path_of(error);
        let schema = self.schema_at(error.schema_url);
        match &error.kind {
            ErrorKind::Required { want } => {
                // A misspelt field is reported once, as unknown with its suggestion.
                let fields = fields_of(schema);
                let given: Vec<&str> = match self.value_at(&path) {
                    Some(Value::Object(map)) => map.keys().map(String::as_str).collect(),
                    _ => Vec::new(),
                };
                want.iter()
                    .filter(|field| {
                        !given
                            .iter()
                            .any(|key| suggestion(key, &fields) == Some(**field))
                    })
                    .map(|field| {
                        self.problem(path.clone(), MISSING, format!("missing field \"{field}\""))
                    })
                    .collect()
            }
            ErrorKind::AdditionalProperties { got } => got
                .iter()
                .map(|field| {
                    let mut at = path.clone();
                    at.push(Step::Key(field.to_string()));
                    self.problem(at, VALUE, unknown_field(field, schema))
                })
                .collect(),
            ErrorKind::MinItems { .. } | ErrorKind::MaxItems { .. } => {
                let length = self
                    .value_at(&path)
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
                let problem = format!(
                    "expected {}, got an array of {length}",
                    list(&self.words(schema))
                );
                vec![self.problem(path, VALUE, problem)]
            }
            ErrorKind::Type { .. }
            | ErrorKind::Format { .. }
            | ErrorKind::Enum { .. }
            | ErrorKind::Const { .. }
            | ErrorKind::Minimum { .. }
            | ErrorKind::Maximum { .. }
            | ErrorKind::ExclusiveMinimum { .. }
            | ErrorKind::ExclusiveMaximum { .. } => {
                let problem = self.expected(schema, &path);
                vec![self.problem(path, VALUE, problem)]
            }
            _ => vec![self.problem(path, VALUE, "this value is not allowed here".to_string())],
        }
    }

    /// A failed `anyOf` / `oneOf`: descend into the alternative the value was meant as, or say
    /// what fits.
    fn choose<'e, 's, 'v>(&self, error: &'e ValidationError<'s, 'v>) -> Choice<'e, 's, 'v> {
        let path = path_of(error);
        let schema = self.schema_at(error.schema_url);
        let alternatives: Vec<&Value> = alternatives_of(schema)
            .iter()
            .map(|alternative| self.resolve(alternative))
            .collect();
        // boon keeps one error per failed alternative, in order, when none matched.
        let causes = if error.causes.len() == alternatives.len() {
            &error.causes[..]
        } else {
            &[]
        };
        let value = self.value_at(&path).unwrap_or(&Value::Null);
        // An optional field (`anyOf: [T, null]`) given something else was meant as a `T`.
        let kept: Vec<usize> = (0..alternatives.len())
            .filter(|&index| value.is_null() || !is_null(alternatives[index]))
            .collect();
        if let [index] = kept[..]
            && let Some(cause) = causes.get(index)
        {
            return Choice::Descend(cause);
        }
        let tagged = Tagged::of(&alternatives);
        if !tagged.keys.is_empty() {
            return self.choose_tagged(&tagged, schema, path, value, causes);
        }
        let fitting: Vec<usize> = kept
            .into_iter()
            .filter(|&index| accepts(alternatives[index], value))
            .collect();
        if let [index] = fitting[..]
            && let Some(cause) = causes.get(index)
        {
            return Choice::Descend(cause);
        }
        Choice::Report(self.problem(path.clone(), VALUE, self.expected(schema, &path)))
    }

    /// An externally tagged choice: a name, or an object with one key naming the choice.
    fn choose_tagged<'e, 's, 'v>(
        &self,
        tagged: &Tagged,
        schema: &Value,
        path: Vec<Step>,
        value: &Value,
        causes: &'e [ValidationError<'s, 'v>],
    ) -> Choice<'e, 's, 'v> {
        let names: Vec<&str> = tagged
            .units
            .iter()
            .chain(&tagged.keys)
            .map(|(name, _)| *name)
            .collect();
        let problem = match value {
            Value::String(name) if tagged.keys.iter().any(|(key, _)| key == name) => {
                format!("\"{name}\" needs a value (write {{\"{name}\": ...}})")
            }
            Value::String(name) => format!(
                "expected {}, got \"{name}\"{}",
                tagged.words(),
                did_you_mean(name, &names)
            ),
            Value::Object(map) if map.len() == 1 => {
                let (name, _) = map.iter().next().expect("the object has one key");
                if tagged.units.iter().any(|(unit, _)| unit == name) {
                    format!("\"{name}\" takes no value (write just \"{name}\")")
                } else if let Some((_, index)) = tagged.keys.iter().find(|(key, _)| key == name) {
                    if let Some(cause) = causes.get(*index) {
                        return Choice::Descend(cause);
                    }
                    self.expected(schema, &path)
                } else {
                    let mut at = path;
                    at.push(Step::Key(name.clone()));
                    let hint = match nearest(name, names.iter().copied()) {
                        Some(near) => format!(" (did you mean \"{near}\"?)"),
                        None => format!(" (expected {})", tagged.words()),
                    };
                    return Choice::Report(self.problem(
                        at,
                        VALUE,
                        format!("unknown field \"{name}\"{hint}"),
                    ));
                }
            }
            _ => format!(
                "expected {}, got {}{}",
                tagged.words(),
                self.got(&path),
                example(self.first_example(schema))
            ),
        };
        Choice::Report(self.problem(path, VALUE, problem))
    }

    /// `expected <what fits>, got <the value>[ (<how to write it>)]`.
    fn expected(&self, schema: &Value, path: &[Step]) -> String {
        let schema = self.resolve(schema);
        let value = self.value_at(path).unwrap_or(&Value::Null);
        format!(
            "expected {}, got {}{}",
            list(&self.words(schema)),
            self.got(path),
            hint(schema, value)
        )
    }

    /// What fits `schema`, as a list of JSON words ("a whole number of 0 or more", "\"log\"").
    fn words(&self, schema: &Value) -> Vec<String> {
        let schema = self.resolve(schema);
        let alternatives = alternatives_of(schema);
        if alternatives.is_empty() {
            return type_words(schema);
        }
        // The title of a choice of shapes says in words what it takes (`NameList`).
        if let Some(title) = schema.get("title").and_then(Value::as_str) {
            return vec![title.to_string()];
        }
        let resolved: Vec<&Value> = alternatives
            .iter()
            .map(|alternative| self.resolve(alternative))
            .collect();
        let tagged = Tagged::of(&resolved);
        if !tagged.keys.is_empty() {
            return vec![tagged.words()];
        }
        let mut words: Vec<String> = Vec::new();
        for alternative in resolved {
            // `anyOf: [T, null]` is an optional `T`: null is how it is left out, not a choice.
            if alternatives.len() == 2 && is_null(alternative) {
                continue;
            }
            for word in type_words(alternative) {
                if !words.contains(&word) {
                    words.push(word);
                }
            }
        }
        words
    }

    /// The first of `schema`'s examples (schemars writes them from `#[schemars(example = ..)]`).
    fn first_example<'s>(&'s self, schema: &'s Value) -> Option<&'s Value> {
        let schema = self.resolve(schema);
        schema.get("examples").and_then(|examples| examples.get(0))
    }

    /// Follows `$ref`s (schemars writes `#/$defs/Name`); a broken one stays as it is.
    fn resolve<'s>(&'s self, mut schema: &'s Value) -> &'s Value {
        for _ in 0..8 {
            let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
                break;
            };
            match self.schema.pointer(reference.trim_start_matches('#')) {
                Some(target) => schema = target,
                None => break,
            }
        }
        schema
    }

    /// The schema at boon's location (`<url>#<JSON pointer>`, percent-encoded).
    fn schema_at(&self, url: &str) -> &Value {
        let fragment = url.split_once('#').map_or("", |(_, fragment)| fragment);
        self.schema
            .pointer(&percent_decode(fragment))
            .unwrap_or(&Value::Null)
    }

    fn value_at(&self, path: &[Step]) -> Option<&Value> {
        let mut value = self.document;
        for step in path {
            value = match step {
                Step::Key(key) => value.get(key)?,
                Step::Index(index) => value.get(index)?,
            };
        }
        Some(value)
    }

    /// The value as the file has it: scalars as written, containers by kind.
    fn got(&self, path: &[Step]) -> String {
        match self.value_at(path) {
            Some(Value::Object(_)) => "an object".to_string(),
            Some(Value::Array(items)) if items.is_empty() => "an empty array".to_string(),
            Some(Value::Array(_)) => "an array".to_string(),
            _ => match self.spans.get(path) {
                Some(span) => abbreviate(self.text[span.start..span.end].trim()),
                None => "nothing".to_string(),
            },
        }
    }

    fn problem(&self, path: Vec<Step>, rank: u8, problem: String) -> Problem {
        // A path with no span of its own (a missing field) sorts at its nearest ancestor.
        let mut ancestor = &path[..];
        let position = loop {
            if let Some(span) = self.spans.get(ancestor) {
                break span.key.unwrap_or(span.start);
            }
            match ancestor.split_last() {
                Some((_, parent)) => ancestor = parent,
                None => break 0,
            }
        };
        Problem {
            position,
            rank,
            path,
            problem,
        }
    }
}

/// The choices of an externally tagged enum, as schemars writes it: a name (`"unkeyed"`) or
/// an object with exactly one key (`{"uniform": 8}`), each with its alternative's index.
struct Tagged<'s> {
    units: Vec<(&'s str, usize)>,
    keys: Vec<(&'s str, usize)>,
}

impl<'s> Tagged<'s> {
    fn of(alternatives: &[&'s Value]) -> Tagged<'s> {
        let mut tagged = Tagged {
            units: Vec::new(),
            keys: Vec::new(),
        };
        for (index, alternative) in alternatives.iter().enumerate() {
            let names = alternative
                .get("enum")
                .and_then(Value::as_array)
                .map(|values| values.iter().collect::<Vec<_>>())
                .or_else(|| alternative.get("const").map(|value| vec![value]));
            let required = alternative.get("required").and_then(Value::as_array);
            match (names, required) {
                (Some(names), _) => tagged.units.extend(
                    names
                        .iter()
                        .filter_map(|name| name.as_str())
                        .map(|name| (name, index)),
                ),
                (None, Some(required))
                    if required.len() == 1
                        && alternative.get("additionalProperties") == Some(&Value::Bool(false)) =>
                {
                    if let Some(key) = required[0].as_str() {
                        tagged.keys.push((key, index));
                    }
                }
                _ if is_null(alternative) => {}
                _ => {
                    return Tagged {
                        units: Vec::new(),
                        keys: Vec::new(),
                    };
                }
            }
        }
        tagged
    }

    /// `"unkeyed" or an object with one key: "sequential", "uniform", "zipf" or "fixed"`.
    fn words(&self) -> String {
        let units: Vec<&str> = self.units.iter().map(|(name, _)| *name).collect();
        let keys: Vec<&str> = self.keys.iter().map(|(name, _)| *name).collect();
        let object = format!("an object with one key: {}", one_of(&keys));
        if units.is_empty() {
            object
        } else {
            format!(
                "{} or {object}",
                units
                    .iter()
                    .map(|name| format!("\"{name}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }
}

fn alternatives_of(schema: &Value) -> &[Value] {
    schema
        .get("anyOf")
        .or_else(|| schema.get("oneOf"))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn is_null(schema: &Value) -> bool {
    schema.get("type") == Some(&Value::from("null"))
}

fn types_of(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(name)) => vec![name.as_str()],
        Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Whether `schema`'s types take `value`'s JSON type (an integer takes whole numbers only).
fn accepts(schema: &Value, value: &Value) -> bool {
    let wanted = types_of(schema);
    let whole = value.as_f64().is_some_and(|number| number.fract() == 0.0);
    match value {
        Value::Null => wanted.contains(&"null"),
        Value::Bool(_) => wanted.contains(&"boolean"),
        Value::Number(_) => wanted.contains(&"number") || (whole && wanted.contains(&"integer")),
        Value::String(_) => wanted.contains(&"string"),
        Value::Array(_) => wanted.contains(&"array"),
        Value::Object(_) => wanted.contains(&"object"),
    }
}

/// The JSON words for what one schema without alternatives takes.
fn type_words(schema: &Value) -> Vec<String> {
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values.iter().map(Value::to_string).collect();
    }
    if let Some(value) = schema.get("const") {
        return vec![value.to_string()];
    }
    let types = types_of(schema);
    let mut words = Vec::new();
    for name in &types {
        match *name {
            "null" if types.len() > 1 => {}
            "null" => words.push("null".to_string()),
            "boolean" => words.extend(["true".to_string(), "false".to_string()]),
            "integer" => words.push(integer_words(schema).to_string()),
            "number" => words.push("a number".to_string()),
            "string" => words.push("a string".to_string()),
            "array" => words.push(array_words(schema)),
            _ => words.push("an object".to_string()),
        }
    }
    if words.is_empty() {
        words.push("a value".to_string());
    }
    words
}

fn integer_words(schema: &Value) -> &'static str {
    let format = schema.get("format").and_then(Value::as_str);
    if format == Some("uint64") || schema.get("minimum").and_then(Value::as_u64) == Some(0) {
        "a whole number of 0 or more"
    } else {
        "a whole number"
    }
}

fn array_words(schema: &Value) -> String {
    let items = match schema.get("items") {
        Some(items) => match types_of(items).first().copied() {
            Some("integer") => "whole numbers",
            Some("number") => "numbers",
            Some("string") => "strings",
            _ => "values",
        },
        None => "values",
    };
    let length = |keyword: &str| schema.get(keyword).and_then(Value::as_u64);
    match (length("minItems"), length("maxItems")) {
        (Some(min), Some(max)) if min == max => format!("an array of {min} {items}"),
        _ => format!("an array of {items}"),
    }
}

/// `a`, `a or b`, `a, b or c`.
fn list(words: &[String]) -> String {
    match words.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// How to write a value that is almost right: a number in quotes, a decimal point or exponent
/// on a whole number, a whole number out of range.
fn hint(schema: &Value, value: &Value) -> String {
    let types = types_of(schema);
    match value {
        Value::String(text) => {
            let trimmed = text.trim();
            let fits = (types.contains(&"integer")
                && (trimmed.parse::<u64>().is_ok() || trimmed.parse::<i64>().is_ok()))
                || (types.contains(&"number") && trimmed.parse::<f64>().is_ok_and(f64::is_finite))
                || (types.contains(&"boolean") && (trimmed == "true" || trimmed == "false"));
            if fits {
                format!(" (write {trimmed} without quotes)")
            } else {
                String::new()
            }
        }
        Value::Number(number) if types.contains(&"integer") => {
            let unsigned = schema.get("format").and_then(Value::as_str) == Some("uint64");
            let (min, max) = if unsigned {
                (0.0, 18_446_744_073_709_551_616.0)
            } else {
                (-9_223_372_036_854_775_808.0, 9_223_372_036_854_775_808.0)
            };
            let range = if unsigned {
                " (at most 18446744073709551615)"
            } else {
                " (from -9223372036854775808 to 9223372036854775807)"
            };
            match number.as_f64() {
                Some(float) if float >= max || (!unsigned && float < min) => range.to_string(),
                Some(float)
                    if !number.is_u64()
                        && !number.is_i64()
                        && float.fract() == 0.0
                        && float >= min =>
                {
                    format!(" (write {float:.0} without a decimal point or exponent)")
                }
                _ => String::new(),
            }
        }
        _ => String::new(),
    }
}

/// ` (e.g. {"uniform":8})` from the schema's first example.
fn example(example: Option<&Value>) -> String {
    match example {
        Some(example) => format!(" (e.g. {example})"),
        None => String::new(),
    }
}

/// Field names people reach for (from Kafka and other tools) that are not eventlab's.
const FIELD_ALIASES: &[(&str, &str)] = &[
    ("partitions", "partition_count"),
    ("num.partitions", "partition_count"),
    ("instances", "instance_count"),
    ("replicas", "instance_count"),
    ("topic", "stream"),
    ("topics", "streams"),
    ("rate", "rate_per_s"),
    ("interval", "interval_us"),
];

/// The fields an object schema takes.
fn fields_of(object: &Value) -> Vec<&str> {
    object
        .get("properties")
        .and_then(Value::as_object)
        .map(|properties| properties.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// The field an unknown `field` was probably meant to be: a known alias, else the nearest name.
fn suggestion<'f>(field: &str, fields: &[&'f str]) -> Option<&'f str> {
    if fields.contains(&field) {
        return None;
    }
    let alias = FIELD_ALIASES
        .iter()
        .find(|(alias, target)| *alias == field && fields.contains(target))
        .and_then(|(_, target)| fields.iter().find(|name| *name == target).copied());
    alias.or_else(|| nearest(field, fields.iter().copied()))
}

/// `unknown field "x"` with the near name, or the list of fields the object takes.
fn unknown_field(field: &str, object: &Value) -> String {
    let fields = fields_of(object);
    let hint = match suggestion(field, &fields) {
        Some(close) => format!(" (did you mean \"{close}\"?)"),
        None if fields.is_empty() => String::new(),
        None => format!(" (expected {})", one_of(&fields)),
    };
    format!("unknown field \"{field}\"{hint}")
}

fn did_you_mean(name: &str, names: &[&str]) -> String {
    match nearest(name, names.iter().copied()) {
        Some(near) => format!(" (did you mean \"{near}\"?)"),
        None => String::new(),
    }
}

fn abbreviate(text: &str) -> String {
    const SHOWN_CHARS_MAX: usize = 40;
    if text.chars().count() <= SHOWN_CHARS_MAX {
        return text.to_string();
    }
    let shown: String = text.chars().take(SHOWN_CHARS_MAX).collect();
    format!("{shown}…")
}

fn path_of(error: &ValidationError) -> Vec<Step> {
    error
        .instance_location
        .tokens
        .iter()
        .map(|token| match token {
            InstanceToken::Prop(key) => Step::Key(key.to_string()),
            InstanceToken::Item(index) => Step::Index(*index),
        })
        .collect()
}

/// `services[2].consumes[0].kafka."group.id"`, or `(top level)`.
pub(super) fn format_path_steps<'a>(
    steps: impl IntoIterator<Item = (Option<&'a str>, Option<usize>)>,
) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            (_, Some(index)) => out.push_str(&format!("[{index}]")),
            (Some(key), None) => {
                if !out.is_empty() {
                    out.push('.');
                }
                if key.contains('.') {
                    out.push_str(&format!("\"{key}\""));
                } else {
                    out.push_str(key);
                }
            }
            (None, None) => out.push('?'),
        }
    }
    if out.is_empty() {
        "(top level)".to_string()
    } else {
        out
    }
}

fn format_path(path: &[Step]) -> String {
    format_path_steps(path.iter().map(|step| match step {
        Step::Key(key) => (Some(key.as_str()), None),
        Step::Index(index) => (None, Some(*index)),
    }))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let decoded = (bytes[index] == b'%')
            .then(|| text.get(index + 1..index + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match decoded {
            Some(byte) => {
                out.push(byte);
                index += 3;
            }
            None => {
                out.push(bytes[index]);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Where every value of a valid JSON text is: path → span. Walks the text once with a stack of
/// open containers (no recursion).
fn spans(text: &str) -> BTreeMap<Vec<Step>, Span> {
    struct Open {
        path: Vec<Step>,
        start: usize,
        key_start: Option<usize>,
        /// The next index of an array; `None` for an object.
        next_index: Option<usize>,
        /// An object's key read but whose value has not started yet.
        pending_key: Option<(String, usize)>,
    }
    let bytes = text.as_bytes();
    let mut spans = BTreeMap::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        if byte.is_ascii_whitespace() || byte == b',' || byte == b':' {
            index += 1;
            continue;
        }
        if byte == b'}' || byte == b']' {
            if let Some(open) = stack.pop() {
                spans.insert(
                    open.path,
                    Span {
                        key: open.key_start,
                        start: open.start,
                        end: index + 1,
                    },
                );
            }
            index += 1;
            continue;
        }
        let end = match byte {
            b'"' => string_end(bytes, index),
            b'{' | b'[' => index + 1,
            _ => bytes[index..]
                .iter()
                .position(|b| matches!(b, b',' | b'}' | b']') || b.is_ascii_whitespace())
                .map_or(bytes.len(), |length| index + length),
        };
        // A string where an object expects a key is that key.
        if byte == b'"'
            && let Some(open) = stack.last_mut()
            && open.next_index.is_none()
            && open.pending_key.is_none()
        {
            let key = serde_json::from_str::<String>(&text[index..end]).unwrap_or_default();
            open.pending_key = Some((key, index));
            index = end;
            continue;
        }
        let (path, key_start) = match stack.last_mut() {
            None => (Vec::new(), None),
            Some(open) => {
                let mut path = open.path.clone();
                match (&mut open.next_index, open.pending_key.take()) {
                    (Some(next), _) => {
                        path.push(Step::Index(*next));
                        *next += 1;
                        (path, None)
                    }
                    (None, Some((key, key_start))) => {
                        path.push(Step::Key(key));
                        (path, Some(key_start))
                    }
                    (None, None) => (path, None),
                }
            }
        };
        if byte == b'{' || byte == b'[' {
            stack.push(Open {
                path,
                start: index,
                key_start,
                next_index: (byte == b'[').then_some(0),
                pending_key: None,
            });
        } else {
            spans.insert(
                path,
                Span {
                    key: key_start,
                    start: index,
                    end,
                },
            );
        }
        index = end;
    }
    spans
}

/// The byte after the closing quote of the string that starts at `start`.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut index = start + 1;
    while index < bytes.len() {
        match bytes[index] {
            b'\\' => index += 2,
            b'"' => return index + 1,
            _ => index += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::raw::RawScenario;

    #[track_caller]
    fn check_shape(text: &str, expected: &str) {
        let errors = check::<RawScenario>(text, "t.json").expect_err("the text has shape problems");
        let actual: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(actual.join("\n"), expected);
    }

    #[test]
    fn problems_come_in_the_order_of_the_text_not_of_the_schema() {
        // Value templates are maps (sorted by key once parsed), and "streams" precedes "name"
        // here: the messages follow the text all the same.
        check_shape(
            r#"{"streams": [{"name": "s", "kind": 1}], "name": 2,
                "services": [{"name": "a", "produces": [{"stream": "s",
                  "value": {"z": {"const": []}, "a": "countr"}}]}]}"#,
            r#"t.json: streams[0].kind: expected a string, got 1
t.json: name: expected a string, got 2
t.json: services[0].produces[0].value.z.const: expected null, true, false, a whole number or a string, got an empty array
t.json: services[0].produces[0].value.a: expected "key", "counter" or an object with one key: "const", "int_range" or "one_of", got "countr" (did you mean "counter"?)"#,
        );
    }

    #[test]
    fn a_missing_field_comes_before_the_problems_inside_its_object() {
        check_shape(
            r#"{"name": "n", "streams": [{"partition_count": -1, "carrier": 2}]}"#,
            r#"t.json: streams[0]: missing field "name"
t.json: streams[0].partition_count: expected a whole number of 0 or more, got -1
t.json: streams[0].carrier: expected a string, got 2"#,
        );
    }

    #[test]
    fn a_misspelt_required_field_is_reported_once() {
        check_shape(
            r#"{"nmae": "n", "streams": []}"#,
            r#"t.json: nmae: unknown field "nmae" (did you mean "name"?)"#,
        );
    }

    #[test]
    fn one_value_gets_one_message() {
        // -1.5 breaks the format (not a whole number) and the minimum (below 0).
        check_shape(
            r#"{"name": "n", "streams": [{"name": "s", "partition_count": -1.5}]}"#,
            "t.json: streams[0].partition_count: expected a whole number of 0 or more, got -1.5",
        );
    }

    #[test]
    fn an_optional_object_of_the_wrong_type_says_what_it_takes() {
        check_shape(
            r#"{"name": "n", "streams": [], "stop": [1]}"#,
            "t.json: stop: expected an object, got an array",
        );
        check_shape(
            r#"{"name": "n", "streams": [], "stop": {"at_us": "5"}}"#,
            r#"t.json: stop.at_us: expected a whole number of 0 or more, got "5" (write 5 without quotes)"#,
        );
    }

    #[test]
    fn a_file_that_is_not_an_object_says_so_in_json_words() {
        check_shape(
            "[]",
            "t.json: (top level): expected an object, got an empty array",
        );
    }

    #[test]
    fn a_syntax_error_is_one_message_with_line_and_column() {
        check_shape(
            "{\"name\": \"n\",\n \"streams\": [,]}",
            "t.json: line 2, column 14: expected value",
        );
    }

    #[test]
    fn the_text_positions_of_keys_and_values_are_found() {
        let text = r#"{"a": [1, {"b\"c": "x"}], "d": {}}"#;
        let spans = spans(text);
        let at = |path: Vec<Step>| spans.get(&path).map(|span| &text[span.start..span.end]);
        assert_eq!(at(vec![]), Some(text));
        assert_eq!(at(vec![Step::Key("a".into()), Step::Index(0)]), Some("1"));
        let quoted = vec![
            Step::Key("a".into()),
            Step::Index(1),
            Step::Key("b\"c".into()),
        ];
        assert_eq!(at(quoted.clone()), Some("\"x\""));
        assert_eq!(spans[&quoted].key, Some(11));
        assert_eq!(at(vec![Step::Key("d".into())]), Some("{}"));
    }

    #[test]
    fn the_committed_schema_is_the_generated_one() {
        let committed = include_str!("../../docs/scenario.schema.json");
        assert!(
            committed == scenario_schema_text(),
            "docs/scenario.schema.json is stale: regenerate it with \
             `cargo run -- schema > docs/scenario.schema.json` and review the diff"
        );
    }

    #[test]
    fn every_bundled_scenario_names_and_fits_the_committed_schema() {
        let committed: Value =
            serde_json::from_str(include_str!("../../docs/scenario.schema.json"))
                .expect("the committed schema is JSON");
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
        let mut checked = 0;
        for entry in std::fs::read_dir(folder).expect("the scenarios folder exists") {
            let path = entry.expect("a folder entry").path();
            if path.extension().is_none_or(|extension| extension != "json") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("a scenario file reads");
            let origin = path.display().to_string();
            assert!(
                text.starts_with("{\n  \"$schema\": \"../docs/scenario.schema.json\",\n"),
                "{origin}: the first field is not \"$schema\": \"../docs/scenario.schema.json\""
            );
            if let Err(errors) = check_against(&committed, &text, &origin) {
                let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
                panic!("{}", lines.join("\n"));
            }
            checked += 1;
        }
        assert!(checked >= 19, "only {checked} bundled scenarios found");
    }
}

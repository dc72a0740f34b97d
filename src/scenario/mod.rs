//! Scenario files: parse (shape) and validate (meaning) into a `model::Scenario`.
//!
//! `parse_and_validate(text, origin)` is the whole boundary: syntax and shape errors stop at the
//! first, with its JSON path; semantic errors are all reported, in document order.

pub mod assign_file;
pub mod choice;
pub mod defaults;
mod error;
pub mod raw;
mod validate;

pub use error::{ScenarioError, did_you_mean, hint_or_list, nearest, one_of};
pub use validate::validate;

use crate::model::Scenario;

/// Parses scenario JSON. `origin` names the file in messages.
pub fn parse(text: &str, origin: &str) -> Result<raw::RawScenario, ScenarioError> {
    parse_json(text, origin)
}

/// Parses any of eventlab's input files (scenarios, `eventlab assign` groups) into its raw type,
/// with the same messages: the first syntax or shape problem, with its JSON path.
pub fn parse_json<T: serde::de::DeserializeOwned>(
    text: &str,
    origin: &str,
) -> Result<T, ScenarioError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed: Result<T, _> = serde_path_to_error::deserialize(&mut deserializer);
    let raw = parsed.map_err(|error| shape_error(error, text, origin))?;
    deserializer
        .end()
        .map_err(|error| syntax_error(&error, origin))?;
    Ok(raw)
}

/// Parses and validates: the one call the rest of eventlab uses.
pub fn parse_and_validate(text: &str, origin: &str) -> Result<Scenario, Vec<ScenarioError>> {
    let raw = parse(text, origin).map_err(|error| vec![error])?;
    validate(&raw, origin)
}

fn syntax_error(error: &serde_json::Error, origin: &str) -> ScenarioError {
    ScenarioError {
        origin: origin.to_string(),
        location: format!("line {}, column {}", error.line(), error.column()),
        problem: strip_position(&error.to_string()),
    }
}

fn shape_error(
    error: serde_path_to_error::Error<serde_json::Error>,
    text: &str,
    origin: &str,
) -> ScenarioError {
    let path = error.path().clone();
    let inner = error.inner();
    use serde_json::error::Category;
    match inner.classify() {
        Category::Syntax | Category::Eof | Category::Io => {
            // serde_json reports a number, array or empty object where `keys` or
            // `processing_time_us` expects a name or a one-key object as a syntax error ("expected
            // value"). When the text is valid JSON it is a shape problem: say where and what.
            if serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
                && let Some((location, problem)) = enum_shape_error(&path)
            {
                return ScenarioError {
                    origin: origin.to_string(),
                    location,
                    problem,
                };
            }
            syntax_error(inner, origin)
        }
        Category::Data => ScenarioError {
            origin: origin.to_string(),
            location: format_path(&path),
            problem: reword(&strip_position(&inner.to_string()), last_key(&path)),
        },
    }
}

/// The fields whose value is a name or a one-key object (`RawKeys`, `RawProcessing`).
const ENUM_FIELDS: &[(&str, &str)] = &[
    (
        "keys",
        "expected \"unkeyed\" or an object with one key: \"sequential\", \"uniform\", \"zipf\" or \"fixed\" (e.g. {\"uniform\": 8})",
    ),
    (
        "processing_time_us",
        "expected an object with one key: \"fixed\", \"uniform\" or \"exponential_mean\" (e.g. {\"fixed\": 50})",
    ),
];

/// Where a badly shaped `keys` / `processing_time_us` value is, and what it should be.
fn enum_shape_error(path: &serde_path_to_error::Path) -> Option<(String, String)> {
    use serde_path_to_error::Segment;
    let segments: Vec<&Segment> = path.iter().collect();
    let end = segments.iter().rposition(|segment| matches!(segment, Segment::Map { key } if ENUM_FIELDS.iter().any(|(field, _)| field == key)))?;
    let Segment::Map { key } = segments[end] else {
        return None;
    };
    let problem = ENUM_FIELDS.iter().find(|(field, _)| field == key)?.1;
    Some((format_segments(&segments[..=end]), problem.to_string()))
}

fn last_key(path: &serde_path_to_error::Path) -> Option<&str> {
    use serde_path_to_error::Segment;
    match path.iter().next_back()? {
        Segment::Map { key } | Segment::Enum { variant: key } => Some(key.as_str()),
        _ => None,
    }
}

/// serde_json appends ` at line L column C`; the JSON path says more, so drop it.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
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

/// Rewrites serde's messages into eventlab's shape: values in double quotes, a did-you-mean,
/// JSON words ("a whole number", "an object") instead of Rust types (`u64`, `struct RawStream`).
fn reword(message: &str, key: Option<&str>) -> String {
    // "unknown field `partitions`, expected one of `name`, `carrier`"
    // "unknown variant `seq`, expected one of `unkeyed`, `sequential`"
    for what in ["field", "variant"] {
        let prefix = format!("unknown {what} `");
        if let Some(rest) = message.strip_prefix(&prefix) {
            let (name, expected) = rest.split_once('`').unwrap_or((rest, ""));
            let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
            let alias = FIELD_ALIASES
                .iter()
                .find(|(alias, target)| *alias == name && candidates.contains(target))
                .map(|(_, target)| *target);
            let hint = match alias.or_else(|| nearest(name, candidates.iter().copied())) {
                Some(close) => format!(" (did you mean \"{close}\"?)"),
                None if candidates.is_empty() => String::new(),
                None => format!(" (expected {})", one_of(&candidates)),
            };
            return format!("unknown {what} \"{name}\"{hint}");
        }
    }
    // `RawScalar` (constants in value templates, filters and maps).
    if message.starts_with("data did not match any variant of untagged enum RawScalar") {
        return "expected a string, a whole number, true, false or null".to_string();
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.trim_end_matches('`');
        return format!("missing field \"{name}\"");
    }
    // "invalid type: string \"3\", expected u64", "invalid value: integer `-3`, expected u64"
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix)
            && let Some((unexpected, expected)) = rest.rsplit_once(", expected ")
        {
            return reword_mismatch(unexpected, expected, key);
        }
    }
    // "invalid length 0, expected struct RawStream with 5 elements"
    if let Some(rest) = message.strip_prefix("invalid length ")
        && let Some((length, expected)) = rest.split_once(", expected ")
    {
        return if expected.starts_with("struct ") {
            "expected an object, not an array".to_string()
        } else {
            format!(
                "expected {}, not an array of {length}",
                expected_words(expected)
            )
        };
    }
    message.replace('`', "\"")
}

/// `expected <what the file needs>, not <what it has>[ (<how to write it>)]`.
fn reword_mismatch(unexpected: &str, expected: &str, key: Option<&str>) -> String {
    let variant = key.unwrap_or("name");
    match (unexpected, expected) {
        ("unit variant", "newtype variant") => {
            return format!("\"{variant}\" needs a value (write {{\"{variant}\": ...}})");
        }
        (_, "unit") => return format!("\"{variant}\" takes no value (write just \"{variant}\")"),
        _ => {}
    }
    let wants_count = expected == "u64";
    let mut hint = String::new();
    let found = if let Some(text) = unexpected.strip_prefix("string ") {
        let inner = text.trim_matches('"');
        if (wants_count && inner.parse::<u64>().is_ok())
            || (expected == "f64" && inner.parse::<f64>().is_ok())
            || (expected == "a boolean" && (inner == "true" || inner == "false"))
        {
            hint = format!(" (write {inner} without quotes)");
        }
        format!("the string {text}")
    } else if let Some(number) = unexpected.strip_prefix("floating point ") {
        let number = number.trim_matches('`');
        if wants_count && let Ok(value) = number.parse::<f64>() {
            if value >= 18_446_744_073_709_551_616.0 {
                return "the number is too large (at most 18446744073709551615)".to_string();
            }
            if value >= 0.0 && value.fract() == 0.0 {
                hint = format!(" (write {value:.0}, without a decimal point or exponent)");
            }
        }
        number.to_string()
    } else if let Some(value) = unexpected
        .strip_prefix("integer ")
        .or_else(|| unexpected.strip_prefix("boolean "))
    {
        value.trim_matches('`').to_string()
    } else {
        match unexpected {
            "map" => "an object".to_string(),
            "sequence" => "an array".to_string(),
            "unit value" | "null" => "null".to_string(),
            other => other.replace('`', "\""),
        }
    };
    format!("expected {}, not {found}{hint}", expected_words(expected))
}

/// serde's name for a type → the JSON a learner would write.
fn expected_words(expected: &str) -> String {
    match expected {
        "u64" => "a whole number of 0 or more".to_string(),
        "f64" => "a number".to_string(),
        "a boolean" => "true or false".to_string(),
        "a sequence" => "an array".to_string(),
        "an array of length 2" => "an array of 2 numbers".to_string(),
        other if other.starts_with("struct ") || other.starts_with("enum ") => {
            "an object".to_string()
        }
        other => other.replace('`', "\""),
    }
}

fn format_path(path: &serde_path_to_error::Path) -> String {
    format_segments(&path.iter().collect::<Vec<_>>())
}

fn format_segments(segments: &[&serde_path_to_error::Segment]) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in segments {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                if key.contains('.') {
                    out.push_str(&format!("\"{key}\""));
                } else {
                    out.push_str(key);
                }
            }
            Segment::Unknown => out.push('?'),
        }
    }
    if out.is_empty() {
        "(top level)".to_string()
    } else {
        out
    }
}

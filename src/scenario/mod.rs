//! Scenario files: parse (shape) and validate (meaning) into a `model::Scenario`.
//!
//! `parse_and_validate(text, origin)` is the whole boundary: syntax and shape errors stop at the
//! first, with its JSON path; semantic errors are all reported, in document order.

mod error;
pub mod raw;
mod validate;

pub use error::{ScenarioError, did_you_mean, nearest, one_of};
pub use validate::{DEFAULTS_DOC, validate};

use crate::model::Scenario;

/// Parses scenario JSON. `origin` names the file in messages.
pub fn parse(text: &str, origin: &str) -> Result<raw::RawScenario, ScenarioError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed: Result<raw::RawScenario, _> = serde_path_to_error::deserialize(&mut deserializer);
    let raw = parsed.map_err(|error| shape_error(error, origin))?;
    deserializer.end().map_err(|error| syntax_error(&error, origin))?;
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

fn shape_error(error: serde_path_to_error::Error<serde_json::Error>, origin: &str) -> ScenarioError {
    let path = format_path(error.path());
    let inner = error.inner();
    use serde_json::error::Category;
    match inner.classify() {
        Category::Syntax | Category::Eof | Category::Io => syntax_error(inner, origin),
        Category::Data => ScenarioError {
            origin: origin.to_string(),
            location: path,
            problem: reword(&strip_position(&inner.to_string())),
        },
    }
}

/// serde_json appends ` at line L column C`; the JSON path says more, so drop it.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
    }
}

/// Rewrites serde's messages into eventlab's shape: values in double quotes, a did-you-mean.
fn reword(message: &str) -> String {
    // "unknown field `partitions`, expected one of `name`, `carrier`"
    // "unknown variant `seq`, expected one of `unkeyed`, `sequential`"
    for what in ["field", "variant"] {
        let prefix = format!("unknown {what} `");
        if let Some(rest) = message.strip_prefix(&prefix) {
            let (name, expected) = rest.split_once('`').unwrap_or((rest, ""));
            let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
            let hint = match nearest(name, candidates.iter().copied()) {
                Some(close) => format!(" (did you mean \"{close}\"?)"),
                None if candidates.is_empty() => String::new(),
                None => format!(" (expected {})", one_of(&candidates)),
            };
            return format!("unknown {what} \"{name}\"{hint}");
        }
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.trim_end_matches('`');
        return format!("missing field \"{name}\"");
    }
    message.replace('`', "\"")
}

fn format_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
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
            Segment::Unknown => out.push_str("?"),
        }
    }
    if out.is_empty() { "(top level)".to_string() } else { out }
}

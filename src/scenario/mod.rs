//! Scenario files: parse (shape) and validate (meaning) into a `model::Scenario`.
//!
//! `parse_and_validate(text, origin)` is the whole boundary: a syntax error is one message with
//! line and column; shape problems (checked against the JSON Schema generated from `raw`, see
//! `shape`) and semantic problems are each all reported, in document order.

pub mod assign_file;
pub mod choice;
pub mod defaults;
mod error;
pub mod raw;
pub mod shape;
mod validate;

pub use error::{ScenarioError, did_you_mean, hint_or_list, nearest, one_of};
pub use shape::scenario_schema_text;
pub use validate::schemas::is_schema_path as schema_is_path;
pub use validate::validate;

use crate::model::Scenario;

/// Parses scenario JSON. `origin` names the file in messages.
pub fn parse(text: &str, origin: &str) -> Result<raw::RawScenario, Vec<ScenarioError>> {
    parse_json(text, origin)
}

/// Parses any of eventlab's input files (scenarios, `eventlab assign` groups) into its raw type,
/// with the same messages: a syntax error, or every shape problem against `T`'s JSON Schema.
pub fn parse_json<T: serde::de::DeserializeOwned + schemars::JsonSchema + 'static>(
    text: &str,
    origin: &str,
) -> Result<T, Vec<ScenarioError>> {
    shape::check::<T>(text, origin)?;
    // The text fits the schema, so serde reads it. Only what JSON Schema cannot see (a field
    // written twice) is the user's; anything else is a schema that disagrees with the types.
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed: Result<T, _> = serde_path_to_error::deserialize(&mut deserializer);
    parsed.map_err(|error| vec![after_schema_error(&error, origin)])
}

/// Parses and validates: the one call the rest of eventlab uses.
pub fn parse_and_validate(text: &str, origin: &str) -> Result<Scenario, Vec<ScenarioError>> {
    let raw = parse(text, origin)?;
    validate(&raw, origin)
}

/// serde's error on a text that fits the schema.
fn after_schema_error(
    error: &serde_path_to_error::Error<serde_json::Error>,
    origin: &str,
) -> ScenarioError {
    let message = error.inner().to_string();
    let problem = match message.strip_prefix("duplicate field `") {
        Some(rest) => {
            let name = rest.split('`').next().unwrap_or(rest);
            format!("field \"{name}\" is given twice (keep one)")
        }
        None => format!(
            "internal error: the file fits the scenario schema but could not be read ({}); please report this",
            message.replace('`', "\"")
        ),
    };
    ScenarioError {
        origin: origin.to_string(),
        location: format_path(error.path()),
        problem,
    }
}

fn format_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    shape::format_path_steps(path.iter().map(|segment| match segment {
        Segment::Seq { index } => (None, Some(*index)),
        Segment::Map { key } | Segment::Enum { variant: key } => (Some(key.as_str()), None),
        Segment::Unknown => (None, None),
    }))
}

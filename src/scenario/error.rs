//! Scenario problems as values: where (file and JSON path) and what, in words a learner can act on.

use std::fmt;

/// One problem in a scenario file. Displays as `<file>: <path>: <problem>`; the CLI prefixes
/// `eventlab: `.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    pub origin: String,
    /// A JSON path such as `services[2].consumes[0].stream`, or `line 3, column 9` for syntax.
    pub location: String,
    pub problem: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.origin, self.location, self.problem)
    }
}

impl std::error::Error for ScenarioError {}

/// The closest of `candidates` to `wanted`, if it is close enough to be a likely typo.
pub fn nearest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (wanted.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|candidate| (strsim::levenshtein(wanted, candidate), candidate))
        .filter(|&(distance, _)| distance <= limit)
        .min_by_key(|&(distance, candidate)| (distance, candidate))
        .map(|(_, candidate)| candidate)
}

/// ` (did you mean "x"?)` or nothing.
pub fn did_you_mean<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    match nearest(wanted, candidates) {
        Some(name) => format!(" (did you mean \"{name}\"?)"),
        None => String::new(),
    }
}

/// Formats a list of names as `"a", "b" or "c"`.
/// " (did you mean \"x\"?)" when a name is near `wanted`, else " (expected a, b or c)".
pub fn hint_or_list(wanted: &str, names: &[&str]) -> String {
    let hint = did_you_mean(wanted, names.iter().copied());
    if hint.is_empty() {
        format!(" (expected {})", one_of(names))
    } else {
        hint
    }
}

pub fn one_of(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("\"{name}\"")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_suggests_only_close_names() {
        assert_eq!(nearest("order", ["orders", "payments"]), Some("orders"));
        assert_eq!(nearest("zzz", ["orders", "payments"]), None);
    }

    #[test]
    fn one_of_joins_with_or() {
        assert_eq!(one_of(&["a", "b", "c"]), "\"a\", \"b\" or \"c\"");
        assert_eq!(one_of(&["a"]), "\"a\"");
    }
}

//! JSON output: pretty-printed typed structs (keys in their declared order), one trailing
//! newline. The run report's integers are raw (µs).

use serde::Serialize;

use super::RunReport;

pub fn render(report: &RunReport) -> String {
    pretty(report)
}

/// Any of eventlab's typed reports as pretty JSON with a trailing newline.
pub fn pretty<T: Serialize + ?Sized>(value: &T) -> String {
    let mut text =
        serde_json::to_string_pretty(value).expect("a report of plain data always serializes");
    text.push('\n');
    text
}

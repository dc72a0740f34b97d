//! The JSON report: raw integers (µs), keys in the fixed order of the `RunReport` structs.

use super::RunReport;

pub fn render(report: &RunReport) -> String {
    let mut text =
        serde_json::to_string_pretty(report).expect("a report of plain data always serializes");
    text.push('\n');
    text
}

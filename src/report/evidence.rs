//! The trace lines that show a finding: for the first lost record, first duplicate, first
//! key-order and publish-order inversion of each group, the lines of the run's JSON Lines trace
//! about that record. Pure text work over a trace a caller made (`run::evidence` reruns the
//! run with its trace kept, which gives the same events: same scenario, same seed); it runs
//! nothing itself.

use super::RunReport;

/// Lines kept per finding; the rest are counted.
pub const LINES_MAX: usize = 12;

/// One finding and the trace lines that show it.
#[derive(Clone, Debug)]
pub struct Evidence {
    pub finding: String,
    /// What a line must contain (e.g. `"msg":"checkout-0/48"`), as the reader can grep for it.
    pub pattern: String,
    pub lines: Vec<String>,
    pub more: u64,
}

/// The findings of a report that name one record: (what, the trace text that marks it).
pub fn wanted(report: &RunReport) -> Vec<(String, String)> {
    let mut wanted = Vec::new();
    let msg = |id: &str| format!("\"msg\":{}", json_string(id));
    for stream in &report.streams {
        for group in &stream.groups {
            let c = &group.checks;
            let name = &group.group;
            if let Some(lost) = &c.first_lost
                && let Some(pattern) = lost_pattern(lost)
            {
                wanted.push((format!("group {name}: first lost record {lost}"), pattern));
            }
            if let Some(id) = &c.first_duplicate {
                wanted.push((format!("group {name}: first duplicate {id}"), msg(id)));
            }
            if let Some(id) = &c.first_inversion {
                wanted.push((
                    format!("group {name}: first key-order inversion {id}"),
                    msg(id),
                ));
            }
            if let Some(id) = group
                .queue
                .as_ref()
                .and_then(|q| q.first_publish_order_inversion.as_ref())
                .or(c.first_publish_order_inversion.as_ref())
            {
                wanted.push((
                    format!("group {name}: first publish-order inversion {id}"),
                    msg(id),
                ));
            }
        }
    }
    wanted
}

/// `stream[partition]@offset` → the text of that record's `appended` line.
fn lost_pattern(lost: &str) -> Option<String> {
    let (stream, rest) = lost.rsplit_once('[')?;
    let (partition, offset) = rest.split_once("]@")?;
    Some(format!(
        "\"stream\":{},\"partition\":{partition},\"offset\":{offset},",
        json_string(stream)
    ))
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

/// Picks each wanted finding's lines out of `trace` (JSON Lines, header first).
pub fn collect(wanted: Vec<(String, String)>, trace: &str) -> Vec<Evidence> {
    let mut found: Vec<Evidence> = wanted
        .into_iter()
        .map(|(finding, pattern)| Evidence {
            finding,
            pattern,
            lines: Vec::new(),
            more: 0,
        })
        .collect();
    for line in trace.lines().skip(1) {
        for evidence in &mut found {
            if line.contains(&evidence.pattern) {
                if evidence.lines.len() < LINES_MAX {
                    evidence.lines.push(line.to_string());
                } else {
                    evidence.more += 1;
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lost_record_is_found_by_its_appended_line() {
        assert_eq!(
            lost_pattern("pay\"ments[2]@17").as_deref(),
            Some("\"stream\":\"pay\\\"ments\",\"partition\":2,\"offset\":17,")
        );
        let trace = "header\n{\"kind\":\"appended\",\"stream\":\"s\",\"partition\":1,\"offset\":3,\"msg\":\"a/1\"}\n";
        let found = collect(
            vec![("x".into(), lost_pattern("s[1]@3").expect("parses"))],
            trace,
        );
        assert_eq!(found[0].lines.len(), 1);
    }
}

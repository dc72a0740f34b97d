//! Expectation evaluation: a scenario's `expect` entries judged against the stream, group and
//! table figures of the finished report, one `ExpectOutcome` each with its reason in words. It
//! watches no trace event: every expectation is a statement about end-of-run figures (counts
//! the checkers found, the largest lag, queue depth or latency, a table's comparison with its
//! log), so it reads them where the report has already named them. Loss is worded as Jepsen's
//! queue checker words it: an acknowledged record never delivered is *lost*; duplicates alone
//! break only `no_duplicates` (an at-least-once contract allows them).

use crate::model::{Expect, Scenario, StreamId};

use super::tables::TableReport;
use super::{ExpectOutcome, GroupReport, RunReport, StreamReport};

/// Judges every expectation of `model` against the finished `report` (tables included).
pub fn outcomes(model: &Scenario, report: &RunReport) -> Vec<ExpectOutcome> {
    let drained = report.outcome.stop == "drained";
    model
        .expects
        .iter()
        .map(|expect| match expect {
            Expect::TableMatchesLog { stream } => {
                table_outcome(&report.streams[stream.index()].name, &report.tables)
            }
            _ => outcome(expect, &report.streams, drained),
        })
        .collect()
}

/// `table_matches_log`: every table filled straight from `stream` equals its log.
fn table_outcome(stream: &str, tables: &[TableReport]) -> ExpectOutcome {
    let checked: Vec<&TableReport> = tables
        .iter()
        .filter(|table| table.check.as_ref().is_some_and(|c| c.stream == stream))
        .collect();
    let failures: Vec<String> = checked
        .iter()
        .filter_map(|table| {
            let check = table.check.as_ref().expect("filtered on a check");
            (!check.matches).then(|| {
                format!(
                    "table \"{}.{}\" differs from the log at {} keys (first: \"{}\")",
                    table.service,
                    table.table,
                    check.mismatch_count,
                    check.mismatches.first().map_or("?", |m| m.key.as_str())
                )
            })
        })
        .collect();
    let (passed, detail) = if checked.is_empty() {
        (
            false,
            "no table is filled straight from this stream, so nothing was compared".to_string(),
        )
    } else if failures.is_empty() {
        let against = &checked[0]
            .check
            .as_ref()
            .expect("filtered on a check")
            .against;
        let detail = if against.starts_with("the compacted log") {
            format!("every table equals {against}")
        } else {
            "every table equals the log's latest value per key".to_string()
        };
        (true, detail)
    } else {
        (false, failures.join("; "))
    };
    ExpectOutcome {
        check: "table_matches_log".to_string(),
        stream: stream.to_string(),
        passed,
        not_evaluated: false,
        detail,
    }
}

/// The backlog `max_lag_below` bounds: on the queue, the queue's depth.
fn backlog(group: &GroupReport) -> u64 {
    group
        .queue
        .as_ref()
        .map_or(group.lag_max, |queue| queue.depth_max)
}

/// Acknowledged records `group` will never get: those its checker saw skipped or dropped, and,
/// in a run that drained (nothing more can come), those still unconsumed.
fn acked_lost(group: &GroupReport, drained: bool) -> u64 {
    group.checks.lost + if drained { group.unconsumed } else { 0 }
}

/// Why `group` breaks `expect`, if it does; `drained` tells that the run ended drained.
fn failure(expect: &Expect, group: &GroupReport, drained: bool) -> Option<String> {
    let checks = &group.checks;
    match expect {
        Expect::NoLossAcked { .. } if acked_lost(group, drained) > 0 => Some(format!(
            "group \"{}\": {} acknowledged records lost (first: {}); {} duplicated, which an \
             at-least-once contract allows",
            group.group,
            acked_lost(group, drained),
            checks
                .first_lost
                .as_deref()
                .unwrap_or("one left unconsumed"),
            checks.duplicated
        )),
        Expect::MaxLatencyBelow { value_us, .. } if group.latency_us.max >= *value_us => {
            Some(format!(
                "group \"{}\" took up to {} µs from send to processed (limit {value_us} µs)",
                group.group, group.latency_us.max
            ))
        }
        Expect::EventuallyDrained { .. } if group.unconsumed > 0 => Some(format!(
            "group \"{}\" left {} records unconsumed when the run ended",
            group.group, group.unconsumed
        )),
        Expect::NoLoss { .. } if checks.lost > 0 => Some(format!(
            "group \"{}\" lost {} records (first: {})",
            group.group,
            checks.lost,
            checks.first_lost.as_deref().unwrap_or("?")
        )),
        Expect::NoDuplicates { .. } if checks.duplicated > 0 => Some(format!(
            "group \"{}\" processed {} records twice (first: {})",
            group.group,
            checks.duplicated,
            checks.first_duplicate.as_deref().unwrap_or("?")
        )),
        Expect::PerKeyOrder { .. } if checks.key_order_inversions > 0 => Some(format!(
            "group \"{}\" saw {} records of a key out of order (first: {})",
            group.group,
            checks.key_order_inversions,
            checks.first_inversion.as_deref().unwrap_or("?")
        )),
        Expect::MaxLagBelow { value, .. } if backlog(group) >= *value => Some(format!(
            "group \"{}\" reached a {} of {} records (limit {value})",
            group.group,
            if group.queue.is_some() {
                "queue depth"
            } else {
                "lag"
            },
            backlog(group)
        )),
        _ => None,
    }
}

/// The expectation's `check` word and its stream.
pub fn check_of(expect: &Expect) -> (&'static str, StreamId) {
    match *expect {
        Expect::NoLoss { stream } => ("no_loss", stream),
        Expect::NoDuplicates { stream } => ("no_duplicates", stream),
        Expect::PerKeyOrder { stream } => ("per_key_order", stream),
        Expect::MaxLagBelow { stream, .. } => ("max_lag_below", stream),
        Expect::MaxLatencyBelow { stream, .. } => ("max_latency_below", stream),
        Expect::NoLossAcked { stream } => ("no_loss_acked", stream),
        Expect::EventuallyDrained { stream } => ("eventually_drained", stream),
        Expect::TableMatchesLog { stream } => ("table_matches_log", stream),
    }
}

/// Whether breaking `expect` is a safety violation (something wrong happened: a record lost,
/// doubled, reordered, a table that disagrees with its log) rather than unavailability
/// (something was late or left undone: lag, latency, not drained).
pub fn is_safety(expect: &Expect) -> bool {
    matches!(
        expect,
        Expect::NoLoss { .. }
            | Expect::NoLossAcked { .. }
            | Expect::NoDuplicates { .. }
            | Expect::PerKeyOrder { .. }
            | Expect::TableMatchesLog { .. }
    )
}

/// Judges one group expectation against every group of its stream.
fn outcome(expect: &Expect, streams: &[StreamReport], drained: bool) -> ExpectOutcome {
    let (check, stream) = check_of(expect);
    let report = &streams[stream.index()];
    let failures: Vec<String> = report
        .groups
        .iter()
        .filter_map(|group| failure(expect, group, drained))
        .collect();
    let detail = if report.groups.is_empty() {
        "no group consumes this stream".to_string()
    } else if failures.is_empty() {
        "holds for every group".to_string()
    } else {
        failures.join("; ")
    };
    ExpectOutcome {
        check: check.to_string(),
        stream: report.name.clone(),
        passed: failures.is_empty(),
        detail,
        not_evaluated: false,
    }
}

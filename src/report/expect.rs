//! Expectation evaluation: a scenario's `expect` entries judged against the stream and group
//! figures of the finished report, one `ExpectOutcome` each with its reason in words. It
//! watches no trace event: every expectation is a statement about end-of-run figures (counts
//! the checkers found, the largest lag or queue depth), so it reads them where the report has
//! already named them.

use crate::model::Expect;

use super::{ExpectOutcome, GroupReport, StreamReport};

/// The backlog `max_lag_below` bounds: on the queue, the queue's depth.
fn backlog(group: &GroupReport) -> u64 {
    group
        .queue
        .as_ref()
        .map_or(group.lag_max, |queue| queue.depth_max)
}

/// Why `group` breaks `expect`, if it does.
fn failure(expect: &Expect, group: &GroupReport) -> Option<String> {
    let checks = &group.checks;
    match expect {
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

/// Judges one expectation against every group of its stream.
pub fn outcome(expect: &Expect, streams: &[StreamReport]) -> ExpectOutcome {
    let (check, stream) = match expect {
        Expect::NoLoss { stream } => ("no_loss", stream),
        Expect::NoDuplicates { stream } => ("no_duplicates", stream),
        Expect::PerKeyOrder { stream } => ("per_key_order", stream),
        Expect::MaxLagBelow { stream, .. } => ("max_lag_below", stream),
    };
    let report = &streams[stream.index()];
    let failures: Vec<String> = report
        .groups
        .iter()
        .filter_map(|group| failure(expect, group))
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

//! What every format says about a run's course, from `collect::pictures`: the timeline of
//! first assignments (generation 1), crashes, restarts, expiries and rebalances, and per
//! partition of each group on the log its owners over the run and its largest lag, and per
//! stream the dead letters it received from other queues. It adds
//! these to a built `RunReport` (`add`) and words them for the text report; the Markdown report
//! draws the same figures as a gantt and charts.

use std::fmt::Write as _;

use serde::Serialize;

use crate::collect::pictures::{Incident, Pictures};
use crate::model::Scenario;

use super::{RunReport, words};

/// One entry of the run's timeline.
#[derive(Clone, Debug, Serialize)]
pub struct TimelineEntry {
    pub at_us: u64,
    /// `assigned` (with `generation` 1 for the first assignment), `crashed`, `restarted`,
    /// `member_expired`, `rebalance_started`: the trace kinds.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generation: Option<u32>,
    /// For `assigned`: the partitions the member gets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partitions: Option<Vec<u32>>,
}

/// A member's ownership of a partition: from `from_us` to `to_us` (null: the end).
#[derive(Clone, Debug, Serialize)]
pub struct OwnerSpan {
    pub instance: String,
    pub generation: u32,
    pub from_us: u64,
    pub to_us: Option<u64>,
}

/// Fills the report's timeline and each log group's per-partition owners and largest lag.
pub fn add(report: &mut RunReport, model: &Scenario, pictures: &Pictures) {
    report.timeline = timeline(model, pictures);
    add_dead_letters_received(report, model);
    for stream in &mut report.streams {
        for group_report in &mut stream.groups {
            let Some(group) = model.groups.iter().find(|g| g.name == group_report.group) else {
                continue;
            };
            if group_report.queue.is_some() {
                continue;
            }
            for partition in &mut group_report.partitions {
                partition.lag_max = pictures.lag_max[group.id.index()]
                    .get(partition.partition as usize)
                    .copied()
                    .unwrap_or(0);
                partition.owners = pictures
                    .ownership
                    .iter()
                    .filter(|o| o.group == group.id && o.partition.0 == partition.partition)
                    .map(|o| OwnerSpan {
                        instance: model.instance(o.instance).name.clone(),
                        generation: o.generation,
                        from_us: o.from.0,
                        to_us: o.to.map(|to| to.0),
                    })
                    .collect();
            }
        }
    }
}

/// Each stream's dead letters received: what the queues dead-lettering to its exchange sent.
fn add_dead_letters_received(report: &mut RunReport, model: &Scenario) {
    let mut received = vec![0u64; model.streams.len()];
    for (queue, figures) in model.queue_layout.queues.iter().zip(&report.queues) {
        if let Some(target) = model.stream(queue.stream).rabbitmq.dead_letter_exchange {
            let d = &figures.dead_lettered;
            received[target.index()] += d.rejected + d.expired + d.maxlen;
        }
    }
    for (stream, count) in report.streams.iter_mut().zip(received) {
        stream.dead_letters_received = count;
    }
}

fn timeline(model: &Scenario, pictures: &Pictures) -> Vec<TimelineEntry> {
    let entry = |at_us: u64, kind: &str| TimelineEntry {
        at_us,
        kind: kind.to_string(),
        instance: None,
        group: None,
        generation: None,
        partitions: None,
    };
    let mut entries = Vec::new();
    for (at, incident) in &pictures.incidents {
        let name = |instance: crate::model::InstanceId| Some(model.instance(instance).name.clone());
        let group_name = |group: crate::model::GroupId| Some(model.group(group).name.clone());
        entries.push(match incident {
            Incident::Crashed(instance) => TimelineEntry {
                instance: name(*instance),
                ..entry(at.0, "crashed")
            },
            Incident::Restarted(instance) => TimelineEntry {
                instance: name(*instance),
                ..entry(at.0, "restarted")
            },
            Incident::MemberExpired(group, instance) => TimelineEntry {
                instance: name(*instance),
                group: group_name(*group),
                ..entry(at.0, "member_expired")
            },
            Incident::RebalanceStarted(group, generation) => TimelineEntry {
                group: group_name(*group),
                generation: Some(*generation),
                ..entry(at.0, "rebalance_started")
            },
            Incident::Assigned(group, generation, instance, partitions) => TimelineEntry {
                instance: name(*instance),
                group: group_name(*group),
                generation: Some(*generation),
                partitions: Some(partitions.iter().map(|p| p.0).collect()),
                ..entry(at.0, "assigned")
            },
        });
    }
    entries
}

/// The timeline as text lines, for the text report (empty when nothing happened).
pub fn render_text(out: &mut String, report: &RunReport) {
    if report.timeline.is_empty() {
        return;
    }
    let _ = writeln!(out, "\ntimeline:");
    for entry in &report.timeline {
        let what = describe(entry);
        let head = format!("  {:>10}  ", words::time_us(entry.at_us));
        let indent = head.chars().count();
        out.push_str(&words::wrap(&what, 80, &head, indent));
    }
}

/// One entry in words.
pub fn describe(entry: &TimelineEntry) -> String {
    let instance = entry.instance.as_deref().unwrap_or("?");
    let group = entry.group.as_deref().unwrap_or("?");
    let generation = entry.generation.unwrap_or(0);
    match entry.kind.as_str() {
        "crashed" => format!("{instance} crashed"),
        "restarted" => format!("{instance} restarted"),
        "member_expired" => format!(
            "group \"{group}\": the coordinator removed {instance} (no heartbeat for session.timeout.ms)"
        ),
        "rebalance_started" => {
            format!("group \"{group}\": rebalance to generation {generation} started")
        }
        _ => {
            let partitions = entry.partitions.as_deref().unwrap_or(&[]);
            let list: Vec<String> = partitions.iter().map(u32::to_string).collect();
            let what = match list.len() {
                0 => "no partition".to_string(),
                1 => format!("partition {}", list[0]),
                _ => format!("partitions {}", list.join(", ")),
            };
            // Kept on one line by `words::wrap`.
            let first = if generation == 1 {
                " (first\u{a0}assignment)"
            } else {
                ""
            };
            format!("group \"{group}\": {instance} gets {what} in generation {generation}{first}")
        }
    }
}

/// A partition's owners in words, each span one phrase for `words::wrap`:
/// `billing-1 (gen 1, 0 us to 6 s), billing-0 (gen 2, 6.002 s to end)`.
pub fn owners_text(owners: &[OwnerSpan]) -> String {
    if owners.is_empty() {
        return "no owner".to_string();
    }
    let spans: Vec<String> = owners
        .iter()
        .map(|o| {
            let until = o.to_us.map_or("end".to_string(), words::time_us);
            words::glued(&format!(
                "{} (gen {}, {} to {until})",
                o.instance,
                o.generation,
                words::time_us(o.from_us)
            ))
        })
        .collect();
    spans.join(", ")
}

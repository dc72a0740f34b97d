//! Validation of the scenario's timelines: `faults[]` (crash, restart, slow) and `admin[]`
//! (CreatePartitions; `reset_offsets`, whose own fields `group_admin.rs` checks; the log
//! operations roll, clean and delete_records, which are `log_admin`'s).
//!
//! Both are checked twice: each entry on its own, in file order, and then all of them in time
//! order (an instance's crashes and restarts alternate; a stream only grows). The problems of each
//! entry are kept in that entry's own list, so they come out in file order whatever order the
//! time check finds them in.

use std::collections::BTreeSet;

use super::log_admin::LogAction;
use super::validator::{Declaration, StreamNames, Validator};
use crate::model::{
    Fault, Group, GroupId, Instance, InstanceId, OffsetResetOrder, PartitionsCreated, Stream,
    StreamId,
};
use crate::scenario::choice::Choices;
use crate::scenario::defaults::{self, TIME_US_MAX};
use crate::scenario::error::{ScenarioError, did_you_mean};
use crate::scenario::raw::{RawAdmin, RawFault};

#[derive(Clone, Copy)]
enum FaultAction {
    Crash,
    Restart,
    Slow,
}

const FAULT_ACTIONS: Choices<'static, FaultAction> = Choices {
    noun: "fault action",
    table: &[
        ("crash", FaultAction::Crash),
        ("restart", FaultAction::Restart),
        ("slow", FaultAction::Slow),
    ],
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum AdminAction {
    CreatePartitions,
    ResetOffsets,
    Log(LogAction),
}

const ADMIN_ACTIONS: Choices<'static, AdminAction> = Choices {
    noun: "admin action",
    table: &[
        ("create_partitions", AdminAction::CreatePartitions),
        ("reset_offsets", AdminAction::ResetOffsets),
        ("roll", AdminAction::Log(LogAction::Roll)),
        ("clean", AdminAction::Log(LogAction::Clean)),
        ("delete_records", AdminAction::Log(LogAction::DeleteRecords)),
    ],
};

/// A valid admin entry: a stream to grow, or groups whose offsets to reset.
enum AdminEntry {
    Create(Creation),
    Reset(Vec<GroupId>, OffsetResetOrder),
}

/// Validates `faults[]`: each entry, then each instance's crash/restart order.
pub(super) fn faults(v: &mut Validator, raw: &[RawFault], instances: &[Instance]) -> Vec<Fault> {
    let mut faults = Vec::new();
    // The index in the file of each validated fault, for messages about it.
    let mut positions = Vec::new();
    let mut problems: Vec<Vec<ScenarioError>> = Vec::with_capacity(raw.len());
    for (index, raw_fault) in raw.iter().enumerate() {
        let (fault, errors) = v.aside(|v| fault(v, index, raw_fault, instances));
        problems.push(errors);
        if let Some(fault) = fault {
            faults.push(fault);
            positions.push(index);
        }
    }
    for (fault_index, problem) in crash_restart_order(&faults, instances) {
        let position = positions[fault_index];
        let (_, errors) = v.aside(|v| v.error(format!("faults[{position}]"), problem));
        problems[position].extend(errors);
    }
    for errors in problems {
        v.extend(errors);
    }
    faults
}

/// One fault on its own; `None` when it cannot be used.
fn fault(
    v: &mut Validator,
    index: usize,
    fault: &RawFault,
    instances: &[Instance],
) -> Option<Fault> {
    let path = format!("faults[{index}]");
    let Some(instance) = instances
        .iter()
        .find(|i| i.name == fault.instance)
        .map(|i| i.id)
    else {
        v.error(
            format!("{path}.instance"),
            format!(
                "unknown instance \"{}\"{}",
                fault.instance,
                did_you_mean(&fault.instance, instances.iter().map(|i| i.name.as_str()))
            ),
        );
        return None;
    };
    let unwanted = |v: &mut Validator, fields: &[(&str, bool)]| {
        for (name, present) in fields {
            if *present {
                v.error(
                    format!("{path}.{name}"),
                    format!("\"{name}\" does not apply to a \"{}\" fault", fault.action),
                );
            }
        }
    };
    let action = v.choose_required(format!("{path}.action"), &fault.action, &FAULT_ACTIONS)?;
    match action {
        FaultAction::Crash | FaultAction::Restart => {
            unwanted(
                v,
                &[
                    ("from_us", fault.from_us.is_some()),
                    ("until_us", fault.until_us.is_some()),
                    ("factor", fault.factor.is_some()),
                ],
            );
            let Some(at_us) = fault.at_us else {
                v.error(
                    &path,
                    format!("a \"{}\" fault needs \"at_us\"", fault.action),
                );
                return None;
            };
            let at_us = v.ranged(&format!("{path}.at_us"), at_us, 0, TIME_US_MAX, "at_us");
            Some(match action {
                FaultAction::Crash => Fault::Crash { instance, at_us },
                _ => Fault::Restart { instance, at_us },
            })
        }
        FaultAction::Slow => {
            unwanted(v, &[("at_us", fault.at_us.is_some())]);
            let (Some(from_us), Some(until_us), Some(factor)) =
                (fault.from_us, fault.until_us, fault.factor)
            else {
                v.error(
                    &path,
                    "a \"slow\" fault needs \"from_us\", \"until_us\" and \"factor\"",
                );
                return None;
            };
            if from_us >= until_us {
                v.error(
                    format!("{path}.until_us"),
                    format!("{until_us} is not after from_us ({from_us})"),
                );
            }
            let factor_max = defaults::SLOW_FACTOR.decimal_max();
            let factor_ppm = v.ppm(&format!("{path}.factor"), factor, 0.0, factor_max);
            Some(Fault::Slow {
                instance,
                from_us,
                until_us: until_us.min(TIME_US_MAX),
                factor_ppm,
            })
        }
    }
}

/// Each instance must alternate crash, restart, crash… in time order. Returns (index into
/// `faults`, problem) for each fault that breaks it.
fn crash_restart_order(faults: &[Fault], instances: &[Instance]) -> Vec<(usize, String)> {
    let mut timeline: Vec<(u64, usize, &Fault)> = faults
        .iter()
        .enumerate()
        .filter_map(|(index, fault)| match fault {
            Fault::Crash { at_us, .. } | Fault::Restart { at_us, .. } => {
                Some((*at_us, index, fault))
            }
            Fault::Slow { .. } => None,
        })
        .collect();
    timeline.sort_by_key(|&(at_us, index, _)| (at_us, index));
    let mut down: BTreeSet<InstanceId> = BTreeSet::new();
    let mut problems = Vec::new();
    for (at_us, index, fault) in timeline {
        match fault {
            Fault::Crash { instance, .. } if !down.insert(*instance) => problems.push((
                index,
                format!(
                    "\"{}\" is already down at {at_us} us",
                    instances[instance.index()].name
                ),
            )),
            Fault::Restart { instance, .. } if !down.remove(instance) => problems.push((
                index,
                format!(
                    "\"{}\" is not down at {at_us} us, so it cannot restart",
                    instances[instance.index()].name
                ),
            )),
            _ => {}
        }
    }
    problems
}

/// A CreatePartitions request that passed its own checks.
struct Creation {
    at_us: u64,
    index: usize,
    stream: StreamId,
    partition_count: u32,
}

/// The admin timeline: every `create_partitions` must grow its stream at its time.
pub(super) fn admin(
    v: &mut Validator,
    raw: &[RawAdmin],
    streams: &mut [Stream],
    names: &StreamNames,
    groups: &mut [Group],
) {
    let mut problems: Vec<Vec<ScenarioError>> = Vec::with_capacity(raw.len());
    let mut creations = Vec::new();
    for (index, entry) in raw.iter().enumerate() {
        let (valid, errors) = v.aside(|v| admin_entry(v, index, entry, names, streams, groups));
        problems.push(errors);
        match valid {
            Some(AdminEntry::Create(creation)) => creations.push(creation),
            Some(AdminEntry::Reset(targets, order)) => {
                for group in targets {
                    groups[group.index()].offset_resets.push(order);
                }
            }
            None => {}
        }
    }
    for group in groups.iter_mut() {
        group.offset_resets.sort_by_key(|order| order.at_us);
    }
    creations.sort_by_key(|creation| (creation.at_us, creation.index));
    for creation in creations {
        let stream = &mut streams[creation.stream.index()];
        let current = stream.partition_count_max();
        let (at_us, index) = (creation.at_us, creation.index);
        if creation.partition_count <= current {
            // Kafka: INVALID_PARTITIONS, "Topic currently has 3 partitions, which is higher than
            // the requested 2."
            let (_, errors) = v.aside(|v| {
                v.error(
                    format!("admin[{index}].partition_count"),
                    format!(
                        "stream \"{}\" has {current} partitions at {at_us} us; CreatePartitions can only add partitions, so ask for more than {current}",
                        stream.name
                    ),
                );
            });
            problems[index].extend(errors);
            continue;
        }
        stream.partitions_created.push(PartitionsCreated {
            at_us,
            partition_count: creation.partition_count,
        });
    }
    for errors in problems {
        v.extend(errors);
    }
}

/// One admin entry on its own; the request when it names a known stream.
fn admin_entry(
    v: &mut Validator,
    index: usize,
    admin: &RawAdmin,
    names: &StreamNames,
    streams: &mut [Stream],
    groups: &[Group],
) -> Option<AdminEntry> {
    let path = format!("admin[{index}]");
    let action = v.choose_required(format!("{path}.action"), &admin.action, &ADMIN_ACTIONS)?;
    if let AdminAction::Log(action) = action {
        super::log_admin::entry(v, &path, action, admin, names, streams);
        return None;
    }
    if let AdminAction::ResetOffsets = action {
        let Some(at_us) = admin.at_us else {
            v.error(&path, "a \"reset_offsets\" action needs \"at_us\"");
            return None;
        };
        let at_us = v.ranged(&format!("{path}.at_us"), at_us, 0, TIME_US_MAX, "at_us");
        let (targets, order) =
            super::group_admin::reset_offsets(v, &path, at_us, admin, names, streams, groups)?;
        return Some(AdminEntry::Reset(targets, order));
    }
    let unused = [
        ("group", admin.group.is_some()),
        ("mode", admin.mode.is_some()),
        ("offset", admin.offset.is_some()),
        ("datetime_us", admin.datetime_us.is_some()),
        ("shift_by", admin.shift_by.is_some()),
    ];
    for (field, given) in unused {
        if given {
            v.error(
                format!("{path}.{field}"),
                format!("\"{field}\" is for \"reset_offsets\", not \"create_partitions\""),
            );
        }
    }
    let (Some(at_us), Some(stream_name), Some(count)) =
        (admin.at_us, admin.stream.as_deref(), admin.partition_count)
    else {
        v.error(
            &path,
            "a \"create_partitions\" action needs \"at_us\", \"stream\" and \"partition_count\"",
        );
        return None;
    };
    let at_us = v.ranged(&format!("{path}.at_us"), at_us, 0, TIME_US_MAX, "at_us");
    let stream = names.resolve(v, format!("{path}.stream"), stream_name, Declaration::Last);
    let setting = &defaults::PARTITION_COUNT;
    let partition_count = v.ranged(
        &format!("{path}.partition_count"),
        count,
        setting.min(),
        setting.max(),
        "partition_count",
    ) as u32;
    Some(AdminEntry::Create(Creation {
        at_us,
        index,
        stream: stream?,
        partition_count,
    }))
}

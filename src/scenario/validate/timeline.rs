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
    Deployment, Endpoint, Fault, FaultDraw, Group, GroupId, Instance, InstanceId, LinkFaultEffect,
    MachineFault, OffsetResetOrder, PartitionsCreated, Service, Stream, StreamId,
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
    Partition,
    Delay,
    KernelFault,
    HostFailure,
    Loss,
}

const FAULT_ACTIONS: Choices<'static, FaultAction> = Choices {
    noun: "fault action",
    table: &[
        ("crash", FaultAction::Crash),
        ("restart", FaultAction::Restart),
        ("slow", FaultAction::Slow),
        ("partition", FaultAction::Partition),
        ("delay", FaultAction::Delay),
        ("kernel_fault", FaultAction::KernelFault),
        ("host_failure", FaultAction::HostFailure),
        ("loss", FaultAction::Loss),
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

/// Validates `faults[]`: each entry, then each instance's crash/restart order (a drawn time is
/// checked at the start of its range; a run whose draws break the order is still well defined:
/// the kernel ignores a crash of an instance that is down and a restart of one that is up).
pub(super) fn faults(
    v: &mut Validator,
    raw: &[RawFault],
    actors: &Actors<'_>,
) -> (Vec<Fault>, Vec<FaultDraw>) {
    let instances = actors.instances;
    let mut faults = Vec::new();
    let mut draws = Vec::new();
    // The index in the file of each validated fault, for messages about it.
    let mut positions = Vec::new();
    let mut problems: Vec<Vec<ScenarioError>> = Vec::with_capacity(raw.len());
    for (index, raw_fault) in raw.iter().enumerate() {
        let (fault, errors) = v.aside(|v| fault(v, index, raw_fault, actors));
        problems.push(errors);
        if let Some((fault, draw)) = fault {
            if let Some((min_us, max_us)) = draw {
                draws.push(FaultDraw {
                    fault: faults.len(),
                    min_us,
                    max_us,
                });
            }
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
    (faults, draws)
}

/// A crash's or restart's time: `at_us`, or `at` drawn from the seed (then its range too).
fn fault_time(
    v: &mut Validator,
    path: &str,
    fault: &RawFault,
) -> Option<(u64, Option<(u64, u64)>)> {
    match (fault.at_us, &fault.at) {
        (Some(at_us), None) => Some((
            v.ranged(&format!("{path}.at_us"), at_us, 0, TIME_US_MAX, "at_us"),
            None,
        )),
        (None, Some(drawn)) => {
            let [low, high] = drawn.uniform_us;
            let field = format!("{path}.at.uniform_us");
            let low = v.ranged(&format!("{field}[0]"), low, 0, TIME_US_MAX, "the start");
            let high = v.ranged(&format!("{field}[1]"), high, 0, TIME_US_MAX, "the end");
            if low > high {
                v.error(
                    field,
                    format!("[{low}, {high}] is empty: the end is before the start"),
                );
                return None;
            }
            Some((low, Some((low, high))))
        }
        (Some(_), Some(_)) => {
            v.error(path, "give \"at_us\" or \"at\", not both");
            None
        }
        (None, None) => {
            v.error(
                path,
                format!(
                    "a \"{}\" fault needs \"at_us\" (or \"at\": {{\"uniform_us\": [A, B]}})",
                    fault.action
                ),
            );
            None
        }
    }
}

/// One fault on its own, with the range its time is drawn from; `None` when it cannot be used.
fn fault(
    v: &mut Validator,
    index: usize,
    fault: &RawFault,
    actors: &Actors<'_>,
) -> Option<(Fault, Option<(u64, u64)>)> {
    let path = format!("faults[{index}]");
    let action = v.choose_required(format!("{path}.action"), &fault.action, &FAULT_ACTIONS)?;
    if let FaultAction::Partition | FaultAction::Delay | FaultAction::Loss = action {
        return link_fault(v, &path, fault, action, actors);
    }
    let instances = actors.instances;
    let Some(name) = fault.instance.as_deref() else {
        v.error(
            &path,
            format!("a \"{}\" fault needs \"instance\"", fault.action),
        );
        return None;
    };
    let Some(instance) = instances.iter().find(|i| i.name == name).map(|i| i.id) else {
        v.error(
            format!("{path}.instance"),
            format!(
                "unknown instance \"{name}\"{}",
                did_you_mean(name, instances.iter().map(|i| i.name.as_str()))
            ),
        );
        return None;
    };
    let link_fields = [
        ("between", fault.between.is_some()),
        ("extra_us", fault.extra_us.is_some()),
        ("probability", fault.probability.is_some()),
        ("retransmit_ms", fault.retransmit_ms.is_some()),
    ];
    unwanted(v, &path, fault, &link_fields);
    let window_fields = [
        ("from_us", fault.from_us.is_some()),
        ("until_us", fault.until_us.is_some()),
        ("factor", fault.factor.is_some()),
    ];
    match action {
        FaultAction::Partition | FaultAction::Delay | FaultAction::Loss => None,
        FaultAction::KernelFault | FaultAction::HostFailure => {
            unwanted(v, &path, fault, &window_fields);
            machine_fault(v, &path, fault, action, (name, instance), actors)
        }
        FaultAction::Crash | FaultAction::Restart => {
            unwanted(v, &path, fault, &window_fields);
            let (at_us, draw) = fault_time(v, &path, fault)?;
            let fault = match action {
                FaultAction::Crash => Fault::Crash { instance, at_us },
                _ => Fault::Restart { instance, at_us },
            };
            Some((fault, draw))
        }
        FaultAction::Slow => slow_fault(v, &path, fault, instance),
    }
}

/// Reports each present field that does not apply to the fault's action.
fn unwanted(v: &mut Validator, path: &str, fault: &RawFault, fields: &[(&str, bool)]) {
    for (name, present) in fields {
        if *present {
            v.error(
                format!("{path}.{name}"),
                format!("\"{name}\" does not apply to a \"{}\" fault", fault.action),
            );
        }
    }
}

/// A `kernel_fault` or `host_failure` under a placed instance.
fn machine_fault(
    v: &mut Validator,
    path: &str,
    fault: &RawFault,
    action: FaultAction,
    (name, instance): (&str, InstanceId),
    actors: &Actors<'_>,
) -> Option<(Fault, Option<(u64, u64)>)> {
    match actors.deployment {
        None => v.error(
            format!("{path}.action"),
            format!(
                "a \"{}\" fault needs a \"deployment\" that places \"{name}\"",
                fault.action
            ),
        ),
        Some(deployment) if deployment.placement(instance).is_none() => v.error(
            format!("{path}.instance"),
            format!("\"{name}\" is not placed in \"deployment.place\", so it runs on no machine"),
        ),
        Some(_) => {}
    }
    let (at_us, draw) = fault_time(v, path, fault)?;
    let machine = match action {
        FaultAction::KernelFault => MachineFault::Kernel,
        _ => MachineFault::Host,
    };
    let fault = Fault::Machine {
        instance,
        at_us,
        fault: machine,
    };
    Some((fault, draw))
}

/// A `slow` period of one instance.
fn slow_fault(
    v: &mut Validator,
    path: &str,
    fault: &RawFault,
    instance: InstanceId,
) -> Option<(Fault, Option<(u64, u64)>)> {
    let times = [("at_us", fault.at_us.is_some()), ("at", fault.at.is_some())];
    unwanted(v, path, fault, &times);
    let (Some(from_us), Some(until_us), Some(factor)) =
        (fault.from_us, fault.until_us, fault.factor)
    else {
        v.error(
            path,
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
    let slow = Fault::Slow {
        instance,
        from_us,
        until_us: until_us.min(TIME_US_MAX),
        factor_ppm,
    };
    Some((slow, None))
}

/// What a fault may name: instances, services (all their instances) and the brokers.
pub(super) struct Actors<'a> {
    pub deployment: Option<&'a Deployment>,
    pub instances: &'a [Instance],
    pub services: &'a [Service],
    /// Whether the queue broker runs (some stream is carried by the queue).
    pub queue_broker: bool,
}

impl Actors<'_> {
    /// The endpoints `name` stands for, or an error message.
    fn resolve(&self, name: &str) -> Result<Vec<Endpoint>, String> {
        match name {
            "log-broker" => return Ok(vec![Endpoint::LogBroker]),
            "queue-broker" if self.queue_broker => return Ok(vec![Endpoint::QueueBroker]),
            "queue-broker" => {
                return Err(
                    "no stream is carried by the queue, so there is no \"queue-broker\""
                        .to_string(),
                );
            }
            _ => {}
        }
        if let Some(instance) = self.instances.iter().find(|i| i.name == name) {
            return Ok(vec![Endpoint::Instance(instance.id)]);
        }
        if let Some(service) = self.services.iter().find(|s| s.name == name) {
            return Ok(self
                .instances
                .iter()
                .filter(|i| i.service == service.id)
                .map(|i| Endpoint::Instance(i.id))
                .collect());
        }
        let known = self
            .instances
            .iter()
            .map(|i| i.name.as_str())
            .chain(self.services.iter().map(|s| s.name.as_str()))
            .chain(["log-broker", "queue-broker"]);
        Err(format!(
            "unknown instance, service or broker \"{name}\"{}",
            did_you_mean(name, known)
        ))
    }
}

/// A `loss` fault's chance and retransmission timeout.
fn loss(v: &mut Validator, path: &str, fault: &RawFault) -> Option<LinkFaultEffect> {
    let Some(probability) = fault.probability else {
        v.error(path, "a \"loss\" fault needs \"probability\"");
        return None;
    };
    let ppm = v.ppm(&format!("{path}.probability"), probability, 0.0, 1.0) as u32;
    let retransmit_us = v.setting_ms(
        &format!("{path}.retransmit_ms"),
        fault.retransmit_ms,
        &defaults::RETRANSMIT_MS,
        "retransmit_ms",
    );
    Some(LinkFaultEffect::Loss { ppm, retransmit_us })
}

/// The two sides of a link fault, resolved and disjoint.
fn link_sides(
    v: &mut Validator,
    path: &str,
    fault: &RawFault,
    actors: &Actors<'_>,
) -> Option<[Vec<Endpoint>; 2]> {
    let Some(between) = &fault.between else {
        v.error(
            path,
            format!(
                "a \"{}\" fault needs \"between\": [[A, …], [B, …]]",
                fault.action
            ),
        );
        return None;
    };
    let mut sides: [Vec<Endpoint>; 2] = [Vec::new(), Vec::new()];
    for (side_index, side) in between.iter().enumerate() {
        if side.is_empty() {
            v.error(
                format!("{path}.between[{side_index}]"),
                "a side names at least one actor",
            );
        }
        for (name_index, name) in side.iter().enumerate() {
            match actors.resolve(name) {
                Ok(endpoints) => sides[side_index].extend(endpoints),
                Err(problem) => v.error(
                    format!("{path}.between[{side_index}][{name_index}]"),
                    problem,
                ),
            }
        }
        sides[side_index].sort_unstable();
        sides[side_index].dedup();
    }
    if sides[0].iter().any(|endpoint| sides[1].contains(endpoint)) {
        v.error(format!("{path}.between"), "the two sides share an actor");
    }
    Some(sides)
}

/// A `partition` or `delay` between two sides of actors.
fn link_fault(
    v: &mut Validator,
    path: &str,
    fault: &RawFault,
    action: FaultAction,
    actors: &Actors<'_>,
) -> Option<(Fault, Option<(u64, u64)>)> {
    let not_loss = !matches!(action, FaultAction::Loss);
    for (name, present) in [
        ("instance", fault.instance.is_some()),
        ("at_us", fault.at_us.is_some()),
        ("factor", fault.factor.is_some()),
        ("probability", not_loss && fault.probability.is_some()),
        ("retransmit_ms", not_loss && fault.retransmit_ms.is_some()),
    ] {
        if present {
            v.error(
                format!("{path}.{name}"),
                format!("\"{name}\" does not apply to a \"{}\" fault", fault.action),
            );
        }
    }
    let extra_us = match (action, fault.extra_us) {
        (FaultAction::Delay, Some(extra_us)) => v.ranged(
            &format!("{path}.extra_us"),
            extra_us,
            1,
            TIME_US_MAX,
            "extra_us",
        ),
        (FaultAction::Delay, None) => {
            v.error(path, "a \"delay\" fault needs \"extra_us\"");
            0
        }
        (_, Some(_)) => {
            v.error(
                format!("{path}.extra_us"),
                "\"extra_us\" applies to a \"delay\" fault only",
            );
            0
        }
        (_, None) => 0,
    };
    let sides = link_sides(v, path, fault, actors)?;
    let (from_us, draw) = match (fault.from_us, &fault.at) {
        (Some(from_us), None) => (from_us.min(TIME_US_MAX), None),
        (None, Some(drawn)) => {
            let [low, high] = drawn.uniform_us;
            if low > high {
                v.error(
                    format!("{path}.at.uniform_us"),
                    format!("[{low}, {high}] is empty: the end is before the start"),
                );
                return None;
            }
            (low, Some((low, high)))
        }
        _ => {
            v.error(
                path,
                format!(
                    "a \"{}\" fault needs \"from_us\" or \"at\", one of them",
                    fault.action
                ),
            );
            return None;
        }
    };
    let Some(until_us) = fault.until_us else {
        v.error(
            path,
            format!(
                "a \"{}\" fault needs \"until_us\" (when it heals)",
                fault.action
            ),
        );
        return None;
    };
    let latest_start = draw.map_or(from_us, |(_, high)| high);
    if until_us <= latest_start {
        v.error(
            format!("{path}.until_us"),
            format!("{until_us} is not after the start ({latest_start})"),
        );
    }
    let effect = match action {
        FaultAction::Delay => LinkFaultEffect::Delay { extra_us },
        FaultAction::Loss => loss(v, path, fault)?,
        _ => LinkFaultEffect::Partition,
    };
    let fault = Fault::Link {
        sides,
        from_us,
        until_us: until_us.min(TIME_US_MAX),
        effect,
    };
    Some((fault, draw))
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
            Fault::Slow { .. } | Fault::Link { .. } | Fault::Machine { .. } => None,
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

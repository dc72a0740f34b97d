//! Validation of a `reset_offsets` admin entry (`kafka-consumer-groups.sh --reset-offsets`):
//! the group it names, the streams it reads on the log, the mode and the one value the mode
//! takes. The entry's other checks (its action, its `at_us`) are `timeline.rs`'s.

use super::validator::{Declaration, StreamNames, Validator};
use crate::model::{Carrier, Group, GroupId, OffsetResetOrder, ResetMode, Stream};
use crate::scenario::choice::Choices;
use crate::scenario::error::did_you_mean;
use crate::scenario::raw::RawAdmin;

#[derive(Clone, Copy)]
enum Mode {
    ToEarliest,
    ToLatest,
    ToOffset,
    ToDatetime,
    ShiftBy,
}

const MODES: Choices<'static, Mode> = Choices {
    noun: "reset mode",
    table: &[
        ("to-earliest", Mode::ToEarliest),
        ("to-latest", Mode::ToLatest),
        ("to-offset", Mode::ToOffset),
        ("to-datetime", Mode::ToDatetime),
        ("shift-by", Mode::ShiftBy),
    ],
};

/// The groups a valid entry resets, with the order; `None` after reporting its problems.
pub(super) fn reset_offsets(
    v: &mut Validator,
    path: &str,
    at_us: u64,
    admin: &RawAdmin,
    names: &StreamNames,
    streams: &[Stream],
    groups: &[Group],
) -> Option<(Vec<GroupId>, OffsetResetOrder)> {
    if admin.partition_count.is_some() {
        v.error(
            format!("{path}.partition_count"),
            "\"partition_count\" is for \"create_partitions\", not \"reset_offsets\"",
        );
    }
    let Some(group_name) = admin.group.as_deref() else {
        v.error(
            path,
            "a \"reset_offsets\" action needs \"group\" (a group.id)",
        );
        return None;
    };
    let mode = match admin.mode.as_deref() {
        Some(name) => v.choose_required(format!("{path}.mode"), name, &MODES),
        None => {
            v.error(
                path,
                "a \"reset_offsets\" action needs \"mode\": \"to-earliest\", \"to-latest\", \"to-offset\", \"to-datetime\" or \"shift-by\"",
            );
            None
        }
    };
    let mode = mode.and_then(|mode| mode_value(v, path, mode, admin));
    let targets = target_groups(v, path, group_name, admin, names, streams, groups);
    let (mode, targets) = (mode?, targets?);
    Some((targets, OffsetResetOrder { at_us, mode }))
}

/// The mode with its value; each value field belongs to one mode.
fn mode_value(v: &mut Validator, path: &str, mode: Mode, admin: &RawAdmin) -> Option<ResetMode> {
    let fields = [
        (
            "offset",
            admin.offset.is_some(),
            matches!(mode, Mode::ToOffset),
        ),
        (
            "datetime_us",
            admin.datetime_us.is_some(),
            matches!(mode, Mode::ToDatetime),
        ),
        (
            "shift_by",
            admin.shift_by.is_some(),
            matches!(mode, Mode::ShiftBy),
        ),
    ];
    let mut ok = true;
    for (field, given, wanted) in fields {
        if given && !wanted {
            v.error(
                format!("{path}.{field}"),
                format!(
                    "\"{field}\" is not used by this mode (drop it, or pick the mode that takes it)"
                ),
            );
            ok = false;
        }
        if wanted && !given {
            v.error(path, format!("this reset mode needs \"{field}\""));
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    Some(match mode {
        Mode::ToEarliest => ResetMode::ToEarliest,
        Mode::ToLatest => ResetMode::ToLatest,
        Mode::ToOffset => ResetMode::ToOffset(admin.offset?),
        Mode::ToDatetime => ResetMode::ToDatetime(admin.datetime_us?),
        Mode::ShiftBy => ResetMode::ShiftBy(admin.shift_by?),
    })
}

/// The log groups named `group_name`: on `stream` when given, else on every stream it reads.
fn target_groups(
    v: &mut Validator,
    path: &str,
    group_name: &str,
    admin: &RawAdmin,
    names: &StreamNames,
    streams: &[Stream],
    groups: &[Group],
) -> Option<Vec<GroupId>> {
    let stream = match admin.stream.as_deref() {
        Some(name) => Some(names.resolve(v, format!("{path}.stream"), name, Declaration::Last)?),
        None => None,
    };
    let named: Vec<&Group> = groups
        .iter()
        .filter(|group| group.name == group_name)
        .collect();
    if named.is_empty() {
        let known = groups.iter().map(|group| group.name.as_str());
        v.error(
            format!("{path}.group"),
            format!(
                "unknown group \"{group_name}\"{}",
                did_you_mean(group_name, known)
            ),
        );
        return None;
    }
    let chosen: Vec<&Group> = named
        .into_iter()
        .filter(|group| stream.is_none_or(|stream| group.stream == stream))
        .collect();
    let Some(first) = chosen.first() else {
        v.error(
            format!("{path}.stream"),
            format!("group \"{group_name}\" does not read this stream"),
        );
        return None;
    };
    if let Some(queued) = chosen
        .iter()
        .find(|group| streams[group.stream.index()].carrier == Carrier::Queue)
    {
        v.error(
            format!("{path}.group"),
            format!(
                "stream \"{}\" is on the queue, which keeps no offsets to reset (reset_offsets is for groups on the log)",
                streams[queued.stream.index()].name
            ),
        );
        return None;
    }
    debug_assert!(first.name == group_name);
    Some(chosen.iter().map(|group| group.id).collect())
}

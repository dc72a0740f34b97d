//! Validation of the `admin[]` entries that act on a stream's logs: `roll`, `clean` and
//! `delete_records` (Kafka's DeleteRecords). The timeline walk (`timeline`) hands each such
//! entry here; CreatePartitions is not this file's.

use super::validator::{Declaration, StreamNames, Validator};
use crate::model::{Carrier, LogAdmin, LogAdminAt, Offset, PartitionId, Stream};
use crate::scenario::defaults::TIME_US_MAX;
use crate::scenario::raw::RawAdmin;

/// The admin actions on a stream's logs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum LogAction {
    Roll,
    Clean,
    DeleteRecords,
}

/// One log operation: checks it and adds it to its stream's `log_admin`.
pub(super) fn entry(
    v: &mut Validator,
    path: &str,
    action: LogAction,
    admin: &RawAdmin,
    names: &StreamNames,
    streams: &mut [Stream],
) {
    let name = match action {
        LogAction::Roll => "roll",
        LogAction::Clean => "clean",
        LogAction::DeleteRecords => "delete_records",
    };
    let (Some(at_us), Some(stream_name)) = (admin.at_us, admin.stream.as_deref()) else {
        v.error(
            path,
            format!("a \"{name}\" action needs \"at_us\" and \"stream\""),
        );
        return;
    };
    if admin.partition_count.is_some() {
        v.error(
            format!("{path}.partition_count"),
            format!("a \"{name}\" action takes no \"partition_count\""),
        );
    }
    let at_us = v.ranged(&format!("{path}.at_us"), at_us, 0, TIME_US_MAX, "at_us");
    let Some(stream) = names.resolve(v, format!("{path}.stream"), stream_name, Declaration::Last)
    else {
        return;
    };
    let stream = &mut streams[stream.index()];
    if stream.carrier != Carrier::Log {
        v.error(
            format!("{path}.stream"),
            format!(
                "stream \"{}\" is carried by the queue, which has no log to {name}",
                stream.name
            ),
        );
        return;
    }
    let admin = match action {
        LogAction::Roll => LogAdmin::Roll,
        LogAction::Clean => {
            if !stream.log.cleanup.compact {
                v.error(
                    format!("{path}.stream"),
                    format!(
                        "stream \"{}\" is not compacted (set \"cleanup.policy\" to \"compact\" in its kafka block)",
                        stream.name
                    ),
                );
                return;
            }
            LogAdmin::Clean
        }
        LogAction::DeleteRecords => match delete_records(v, path, admin, stream) {
            Some(admin) => admin,
            None => return,
        },
    };
    stream.log_admin.push(LogAdminAt { at_us, admin });
}

/// DeleteRecords' partition and offset.
fn delete_records(
    v: &mut Validator,
    path: &str,
    admin: &RawAdmin,
    stream: &Stream,
) -> Option<LogAdmin> {
    let (Some(partition), Some(before_offset)) = (admin.partition, admin.before_offset) else {
        v.error(
            path,
            "a \"delete_records\" action needs \"at_us\", \"stream\", \"partition\" and \"before_offset\"",
        );
        return None;
    };
    let count = u64::from(stream.partition_count_max());
    if partition >= count {
        v.error(
            format!("{path}.partition"),
            format!(
                "stream \"{}\" has partitions 0 to {} (asked for {partition})",
                stream.name,
                count - 1
            ),
        );
        return None;
    }
    Some(LogAdmin::DeleteRecords {
        partition: PartitionId(partition as u32),
        before_offset: Offset(before_offset),
    })
}

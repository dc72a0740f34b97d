//! Where a consumer group starts reading when it forms, or forms again after every member was
//! gone: Kafka's rule that `auto.offset.reset` applies only to a partition the group has **no
//! committed offset** for (the consumer's `SubscriptionState` resets a partition's position only
//! when OffsetFetch returns none; Kafka 3.9 `ConsumerConfig`: "What to do when there is no
//! initial offset in Kafka"). A partition with a committed offset resumes from it whatever the
//! policy says; that the policy was not consulted is traced, because learners expect otherwise.
//!
//! eventlab's simplification: inside a group that keeps at least one member, partitions move
//! with their committed offset (0 when nothing was committed yet, as a Kafka consumer commits
//! its reset positions with its first commit); the policy is consulted when the group forms.
//! `earliest` keeps offset 0 (a fetch below the log start reads from the log start, and the
//! records retention deleted count as lost); `latest` moves to the log end; `none` leaves the
//! partition unread (Kafka's `poll()` throws `NoOffsetForPartitionException`).

use crate::model::{GroupId, Offset, OffsetReset, PartitionId};
use crate::trace::TraceEvent;

use super::group::GroupState;
use super::partition_log::PartitionLog;

/// Resolves every partition's start for a group that forms: resumes from committed offsets,
/// applies `policy` to the others, and returns the events that say which happened.
pub fn resolve(
    group_id: GroupId,
    group: &mut GroupState,
    policy: OffsetReset,
    logs: &[PartitionLog],
) -> Vec<TraceEvent> {
    let mut events = Vec::new();
    let partition_count = group.committed.len();
    for (partition_index, log) in logs.iter().enumerate().take(partition_count) {
        let partition = PartitionId(partition_index as u32);
        group.no_offset[partition_index] = false;
        if group.has_committed[partition_index] {
            events.push(TraceEvent::ResetNotConsulted {
                group: group_id,
                partition,
                committed: group.committed[partition_index],
            });
            continue;
        }
        match policy {
            OffsetReset::Earliest => {}
            OffsetReset::Latest => {
                let end = log.log_end_offset();
                if end != group.committed[partition_index] {
                    group.committed[partition_index] = end;
                    events.push(TraceEvent::OffsetReset {
                        group: group_id,
                        partition,
                        offset: end,
                    });
                }
            }
            OffsetReset::None => {
                group.no_offset[partition_index] = true;
                events.push(TraceEvent::NoOffsetForPartition {
                    group: group_id,
                    partition,
                });
            }
        }
    }
    events
}

/// The position a member starts `partition` from, or None when the partition has no offset
/// to start from (`auto.offset.reset=none`).
pub fn start_of(group: &GroupState, partition: PartitionId) -> Option<Offset> {
    (!group.no_offset[partition.index()]).then(|| group.committed[partition.index()])
}

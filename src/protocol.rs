//! The messages actors exchange: the wire protocol between service instances and brokers,
//! plus fault-timeline inputs. A closed set, matched exhaustively by every actor.
//!
//! Named after Kafka's requests where there is one (Produce, Fetch, OffsetCommit, Heartbeat,
//! JoinGroup); eventlab's group protocol is Kafka's classic protocol, eager or cooperative,
//! simplified (see `log::group`).

use crate::model::{GroupId, KeyId, MessageId, Offset, PartitionId, StreamId};
use crate::sim::SimTime;

/// A record as producers send it and the log stores it (24 bytes: the value is modelled by its
/// size only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record {
    pub id: MessageId,
    pub key: Option<KeyId>,
    pub value_size_bytes: u32,
    /// When the producer sent it (Kafka's CreateTime).
    pub sent_at: SimTime,
}

/// Records from one partition, starting at `first_offset`, in offset order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchedBatch {
    pub partition: PartitionId,
    pub first_offset: Offset,
    pub records: Vec<Record>,
}

/// What a member hands in when it (re-)joins its group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinRequest {
    /// Offsets to commit before the rebalance.
    pub offsets: Vec<(PartitionId, Offset)>,
    /// The subscription's owned partitions and their generation (Kafka's
    /// `Subscription.ownedPartitions`, or the sticky assignor's user data).
    pub owned: Vec<PartitionId>,
    pub owned_generation: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    // Producer → log broker.
    Produce {
        stream: StreamId,
        partition: PartitionId,
        record: Record,
    },

    // Consumer ↔ log broker.
    /// Fetch up to `max_records` in total from these (partition, position) pairs, in order.
    Fetch {
        group: GroupId,
        generation: u32,
        positions: Vec<(PartitionId, Offset)>,
        max_records: u32,
    },
    FetchResponse {
        group: GroupId,
        generation: u32,
        batches: Vec<FetchedBatch>,
    },
    OffsetCommit {
        group: GroupId,
        generation: u32,
        offsets: Vec<(PartitionId, Offset)>,
    },
    Heartbeat {
        group: GroupId,
    },
    /// Join (or re-join during a rebalance), handing in the offsets to commit first, and the
    /// subscription's owned partitions with their generation (Kafka's
    /// `Subscription.ownedPartitions` / the sticky assignors' user data).
    JoinGroup {
        group: GroupId,
        /// Boxed: a rare message, kept out of the size of every `Msg` on the agenda.
        join: Box<JoinRequest>,
    },
    /// The coordinator starts a rebalance: stop, commit, re-join (eager protocol).
    RebalanceStart {
        group: GroupId,
        generation: u32,
    },
    /// The new assignment, with each partition's committed offset to start from.
    Assignment {
        group: GroupId,
        generation: u32,
        partitions: Vec<(PartitionId, Offset)>,
    },

    // Admin timeline → log broker.
    /// Kafka's CreatePartitions: the stream grows to `partition_count` partitions.
    CreatePartitions {
        stream: StreamId,
        partition_count: u32,
    },

    // Fault timeline → instance.
    SlowStart {
        factor_ppm: u64,
    },
    SlowEnd,
}

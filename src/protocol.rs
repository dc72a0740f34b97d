//! The messages actors exchange: the wire protocol between service instances and brokers,
//! plus fault-timeline inputs. A closed set, matched exhaustively by every actor.
//!
//! Named after Kafka's requests where there is one (Produce, Fetch, OffsetCommit, Heartbeat,
//! JoinGroup); eventlab's group protocol is Kafka's classic protocol, eager or cooperative,
//! simplified (see `log::group`).

use crate::model::{GroupId, InstanceId, KeyId, MessageId, Offset, PartitionId, QueueId, StreamId};
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

    // Publisher → queue broker (AMQP basic.publish to the stream's exchange; the routing key
    // is the record's key).
    Publish {
        stream: StreamId,
        record: Record,
        /// The `expiration` property (per-message TTL), in ms as AMQP has it (and so that
        /// `Msg` stays 40 bytes).
        expiration_ms: Option<u32>,
    },

    // Consumer ↔ queue broker (AMQP 0-9-1, one channel per instance and queue).
    /// `basic.qos` + `basic.consume` (declares and binds the queue if it does not exist yet).
    Subscribe {
        queue: QueueId,
        prefetch_count: u32,
        auto_ack: bool,
    },
    /// `basic.deliver` (and `basic.get-ok` when `get` is set).
    Deliver {
        queue: QueueId,
        /// The channel's delivery tag; 0 for an auto-ack delivery.
        tag: u64,
        record: Record,
        redelivered: bool,
        get: bool,
    },
    /// `basic.ack` of one delivery tag.
    Ack {
        queue: QueueId,
        tag: u64,
    },
    /// `basic.nack` (or `basic.reject` when `reject`) of one delivery tag.
    Nack {
        queue: QueueId,
        tag: u64,
        requeue: bool,
        reject: bool,
    },
    /// `basic.get`: pull one message.
    Get {
        queue: QueueId,
        auto_ack: bool,
    },
    /// `basic.get-empty`.
    GetEmpty {
        queue: QueueId,
    },
    /// `channel.close`: the broker requeues the channel's unacked messages.
    CloseChannel {
        queue: QueueId,
    },

    // Fault timeline → queue broker: the instance's process died, so its OS closed its TCP
    // connection and the broker closes its channels (at the crash instant).
    ConnectionLost {
        instance: InstanceId,
    },

    // Producer ↔ schema registry (Confluent's `POST /subjects/{subject}/versions`).
    /// Register step `step` of producer `production`'s schema plan.
    SchemaRegister {
        production: u16,
        step: u8,
    },
    /// The registry's answer to that registration: the id, or the refusal.
    SchemaAnswer {
        production: u16,
        step: u8,
    },

    // Fault timeline → instance.
    SlowStart {
        factor_ppm: u64,
    },
    SlowEnd,
}

/// A free agenda node's message: a unit variant, nothing to drop. Never delivered (a vacant
/// node's delivery goes to nobody).
impl crate::sim::Vacant for Msg {
    #[inline(always)]
    fn vacant() -> Self {
        Msg::SlowEnd
    }
}

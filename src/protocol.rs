//! The messages actors exchange: the wire protocol between service instances and brokers,
//! plus fault-timeline inputs. A closed set, matched exhaustively by every actor.
//!
//! Named after Kafka's requests where there is one (Produce, Fetch, OffsetCommit, Heartbeat,
//! JoinGroup); eventlab's group protocol is Kafka's classic protocol, eager or cooperative,
//! simplified (see `log::group`).

use crate::model::{
    GroupId, InstanceId, KeyId, LogAdmin, MessageId, Offset, PartitionId, QueueId, StreamId,
};
use crate::sim::SimTime;

/// A record as producers send it and the log stores it (32 bytes: the value is modelled by its
/// size only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record {
    pub id: MessageId,
    pub key: Option<KeyId>,
    pub value_size_bytes: u32,
    /// When the producer sent it (Kafka's CreateTime).
    pub sent_at: SimTime,
    /// The schema id of Confluent's wire format (the magic byte 0, then this id in 4 bytes,
    /// then the Avro body): the id the registry gave the producer for the schema it wrote
    /// with. 0 when the record carries no schema (the registry's ids start at 1).
    pub schema_id: u32,
}

// The log stores every record, so its size is the log's memory per record: 24 bytes before the
// schema id, which had no padding to fill; 28 with it, rounded up to `sent_at`'s 8-byte
// alignment.
const _: () = assert!(std::mem::size_of::<Record>() == 32);

/// Records from one partition, starting at `first_offset`, in offset order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchedBatch {
    pub partition: PartitionId,
    pub first_offset: Offset,
    pub records: Vec<Record>,
    /// Each record's offset when they are not consecutive (the cleaner removed some in
    /// between); empty when record `i` is at `first_offset + i`.
    pub offsets: Vec<Offset>,
}

impl FetchedBatch {
    /// The offset of the `index`-th record.
    #[inline]
    pub fn offset(&self, index: usize) -> Offset {
        match self.offsets.get(index) {
            Some(&offset) => offset,
            None => Offset(self.first_offset.0 + index as u64),
        }
    }

    /// The position after the batch: the last record's offset + 1.
    pub fn next_offset(&self) -> Offset {
        match self.records.len() {
            0 => self.first_offset,
            count => Offset(self.offset(count - 1).0 + 1),
        }
    }
}

/// Every stored record of a stream, partition by partition in offset order, as a restoring
/// table reads it; `without_compaction` is how many records the same read would have taken had
/// the cleaner removed none (log end − log start, summed over the partitions).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogContents {
    pub stream: StreamId,
    pub tag: u32,
    pub records: Vec<Record>,
    pub without_compaction: u64,
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

/// Why the coordinator starts a rebalance (in Kafka's coordinator log, the reason of
/// `prepareRebalance`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RebalanceCause {
    /// A member that was not in the group joined (a start, a restart, or a return after leaving).
    Join,
    /// A member of the group asked for another round: the cooperative protocol's follow-up,
    /// which hands over the partitions it just revoked.
    Rejoin,
    /// A member's poll timer expired and it sent LeaveGroup (KIP-62).
    PollTimeout,
    /// The coordinator heard no heartbeat for `session.timeout.ms`.
    SessionTimeout,
    /// CreatePartitions added partitions to the stream.
    PartitionsAdded,
}

impl RebalanceCause {
    /// The name the trace and the reports use.
    pub fn name(self) -> &'static str {
        match self {
            RebalanceCause::Join => "join",
            RebalanceCause::Rejoin => "rejoin",
            RebalanceCause::PollTimeout => "poll_timeout",
            RebalanceCause::SessionTimeout => "session_timeout",
            RebalanceCause::PartitionsAdded => "partitions_added",
        }
    }
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
        /// `commitSync`: the member waits for an [`Msg::OffsetCommitResponse`]. Asynchronous
        /// commits (auto-commit, `commitAsync`) are answered in Kafka too, but only to a
        /// callback that eventlab's consumers do not act on, so none is sent.
        sync: bool,
    },
    /// The coordinator's answer to a synchronous OffsetCommit: whether it stored the offsets
    /// (false: the member is not in the group's current generation, ILLEGAL_GENERATION or
    /// UNKNOWN_MEMBER_ID).
    OffsetCommitResponse {
        group: GroupId,
        accepted: bool,
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
    /// LeaveGroup: the member leaves its group at once (here: its poll timeout expired,
    /// KIP-62), so the coordinator rebalances without waiting for its session to time out.
    LeaveGroup {
        group: GroupId,
        /// Why it leaves (KIP-800's reason).
        cause: RebalanceCause,
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
    /// `kafka-consumer-groups --reset-offsets --execute` on a group.
    ResetOffsets {
        group: GroupId,
        mode: crate::model::ResetMode,
    },
    /// Kafka's CreatePartitions: the stream grows to `partition_count` partitions.
    CreatePartitions {
        stream: StreamId,
        partition_count: u32,
    },
    /// Roll, clean or DeleteRecords on the stream's logs.
    LogAdmin {
        stream: StreamId,
        admin: LogAdmin,
    },

    // Instance ↔ log broker: a table's restore from its changelog.
    /// Read every stored record of `stream` from the log start (`tag`: the table's index).
    ReadLog {
        stream: StreamId,
        tag: u32,
    },
    /// What `ReadLog` asked for (boxed: rare, and large).
    LogContents(Box<LogContents>),

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

    // Consumer ↔ schema registry (Confluent's `GET /schemas/ids/{id}`).
    /// A consumer's deserializer met schema id `id`, which it has not cached: it asks the
    /// registry for the writer schema. `consumer` is the role's index in its instance (a queue
    /// consumer's when `queue`); `asked_at` comes back in the answer.
    SchemaFetch {
        id: u32,
        consumer: u16,
        queue: bool,
        asked_at: SimTime,
    },
    /// The registry's answer: the schema with id `id` (the registry knows every id it gave).
    SchemaFetched {
        id: u32,
        consumer: u16,
        queue: bool,
        asked_at: SimTime,
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

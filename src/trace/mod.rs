//! Trace events: what happened, as data. Every checker and report reads this stream; the JSON
//! Lines writer is one more sink over it.

pub mod jsonl;
pub mod reasons;

pub use reasons::{ReasonId, Reasons};

use crate::model::{
    DeathReason, Decision, GroupId, InstanceId, KeyId, MessageId, Offset, PartitionId, QueueId,
    StreamId,
};
use crate::sim::SimTime;

/// The trace format version written in the header line of every trace file.
pub const TRACE_FORMAT_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceEvent {
    /// A producer sent a record (the partitioner ran in the client).
    Produced {
        stream: StreamId,
        partition: PartitionId,
        msg: MessageId,
        key: Option<KeyId>,
        value_size_bytes: u32,
    },
    /// A producer crashed with `count` records still in its accumulator (waiting for
    /// `linger.ms`); they never reach the log.
    ProducerBufferLost {
        stream: StreamId,
        instance: InstanceId,
        count: u64,
    },
    /// A producer instance sent its last record.
    ProducerFinished {
        stream: StreamId,
        instance: InstanceId,
        count: u64,
    },
    /// The stream grew to `partition_count` partitions (Kafka's CreatePartitions).
    PartitionsCreated {
        stream: StreamId,
        partition_count: u32,
    },
    /// The log appended a record at `offset`.
    Appended {
        stream: StreamId,
        partition: PartitionId,
        offset: Offset,
        msg: MessageId,
    },
    /// Retention deleted a partition's oldest segments; `log_start_offset` is its new start.
    SegmentsDeleted {
        stream: StreamId,
        partition: PartitionId,
        records: u64,
        log_start_offset: Offset,
    },
    /// The log cleaner re-copied a partition's segments before `end_offset` (its new
    /// checkpoint), keeping the latest record per key: `removed` records went, tombstones
    /// included.
    CleanerPass {
        stream: StreamId,
        partition: PartitionId,
        first_dirty_offset: Offset,
        end_offset: Offset,
        removed: u64,
        tombstones_removed: u64,
    },
    /// The broker refused a record without a key on a compacted stream (Kafka's
    /// `InvalidRecordException` from `LogValidator`).
    RecordRejected {
        stream: StreamId,
        partition: PartitionId,
        msg: MessageId,
    },
    /// At the end of the run, one compacted partition's state: its offsets and dirty ratio.
    LogEnd {
        stream: StreamId,
        partition: PartitionId,
        log_start_offset: Offset,
        log_end_offset: Offset,
        dirty_ratio_ppm: u64,
    },
    /// At the end of a run asked for `--logs`: one segment of a partition, oldest first (the
    /// records it holds follow as `LogRecordListed`).
    LogSegmentListed {
        stream: StreamId,
        partition: PartitionId,
        base_offset: Offset,
    },
    /// At the end of a run asked for `--logs`: one stored record, in offset order.
    LogRecordListed {
        stream: StreamId,
        partition: PartitionId,
        offset: Offset,
        msg: MessageId,
        key: Option<KeyId>,
        /// Before the log start offset (DeleteRecords): stored, no longer readable.
        readable: bool,
    },
    /// An instance rebuilt its service's table `table` from the changelog `stream`: it read
    /// `read` records, where the log without compaction would have taken `without_compaction`.
    TableRestored {
        instance: InstanceId,
        table: u32,
        stream: StreamId,
        read: u64,
        without_compaction: u64,
    },
    /// A consumer received a fetch response: `count` records from `first_offset` on.
    Fetched {
        group: GroupId,
        instance: InstanceId,
        partition: PartitionId,
        first_offset: Offset,
        count: u32,
    },
    /// A consumer finished processing a record.
    Consumed {
        group: GroupId,
        instance: InstanceId,
        partition: PartitionId,
        offset: Offset,
        msg: MessageId,
        key: Option<KeyId>,
        sent_at: SimTime,
    },
    /// The coordinator stored a committed offset.
    Committed {
        group: GroupId,
        partition: PartitionId,
        offset: Offset,
    },
    /// The coordinator starts a rebalance towards `generation`, for `cause`.
    RebalanceStarted {
        group: GroupId,
        generation: u32,
        cause: crate::protocol::RebalanceCause,
    },
    /// The coordinator gave `instance` these partitions in `generation`.
    Assigned {
        group: GroupId,
        generation: u32,
        instance: InstanceId,
        partitions: Vec<PartitionId>,
    },
    /// A member gave partitions up in a rebalance (Kafka's `onPartitionsRevoked`): all of them
    /// with the eager protocol, only those that move with the cooperative one.
    Revoked {
        group: GroupId,
        instance: InstanceId,
        partitions: Vec<PartitionId>,
    },
    /// The coordinator heard nothing for `session.timeout.ms` and removed the member.
    MemberExpired {
        group: GroupId,
        instance: InstanceId,
    },
    /// KIP-62: the member went `since_poll_us` (over `max.poll.interval.ms`) without polling,
    /// because its batch took that long, so its heartbeat thread sent LeaveGroup (Kafka's
    /// `AbstractCoordinator.HeartbeatThread`: "consumer poll timeout has expired"). Heartbeats
    /// alone do not keep a member that does not poll.
    PollTimeoutExpired {
        group: GroupId,
        instance: InstanceId,
        since_poll_us: u64,
    },
    /// The admin tool moved the group's committed offset of `partition` to `offset`
    /// (`kafka-consumer-groups --reset-offsets`, `mode` its option name).
    OffsetsResetByAdmin {
        group: GroupId,
        partition: PartitionId,
        offset: Offset,
        mode: &'static str,
    },
    /// The admin tool refused to reset the group's offsets: `members` members are in it (Kafka:
    /// "Assignments can only be reset if the group is inactive").
    ResetRefused {
        group: GroupId,
        members: u32,
        mode: &'static str,
    },
    /// The group (re)formed and resumed `partition` from its committed offset: the partition's
    /// `auto.offset.reset` was not consulted.
    ResetNotConsulted {
        group: GroupId,
        partition: PartitionId,
        committed: Offset,
    },
    /// The group formed without a committed offset for `partition` and
    /// `auto.offset.reset=none`: its consumer's poll() throws `NoOffsetForPartitionException`,
    /// and nobody reads the partition.
    NoOffsetForPartition {
        group: GroupId,
        partition: PartitionId,
    },
    /// The run ended drained and the consumer closed: with auto-commit on, `close()` committed
    /// `offset` for `partition` (its last act; no broker step follows the end of the run).
    CommittedOnClose {
        group: GroupId,
        instance: InstanceId,
        partition: PartitionId,
        offset: Offset,
    },
    /// KIP-345: a static member (`group.instance.id`) re-joined within its session timeout and
    /// got its partitions back without a rebalance.
    StaticMemberReturned {
        group: GroupId,
        instance: InstanceId,
    },
    /// The rebalance timeout (`max.poll.interval.ms`) passed before the member re-joined: the
    /// coordinator removed it and completed the rebalance without it (Kafka's
    /// `GroupCoordinator.onCompleteJoin` removes members that have not re-joined).
    JoinTimedOut {
        group: GroupId,
        instance: InstanceId,
    },
    /// The application called `seek(partition, offset)` on the member that owns the partition:
    /// its next fetch of it starts at `offset`.
    Sought {
        group: GroupId,
        instance: InstanceId,
        partition: PartitionId,
        offset: Offset,
    },
    /// The coordinator received the member's LeaveGroup and removed it from the group.
    MemberLeft {
        group: GroupId,
        instance: InstanceId,
    },
    /// A member out of its group tried to commit the offsets of `partitions` partitions and
    /// could not (Kafka's `CommitFailedException`: the consumer is not part of an active group);
    /// their records will be processed again by their next owner.
    CommitFailed {
        group: GroupId,
        instance: InstanceId,
        partitions: u32,
    },
    /// The coordinator refused to commit `offset` for `partition` (one event per partition of
    /// the request), sent with `generation` by a member no longer in the group's current generation (Kafka's
    /// ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID). A `commitSync` learns it (`commit_failed`); an
    /// asynchronous commit is not retried, and a later commit carries its offsets.
    CommitRejected {
        group: GroupId,
        instance: InstanceId,
        generation: u32,
        partition: PartitionId,
        offset: Offset,
    },
    Crashed {
        instance: InstanceId,
    },
    Restarted {
        instance: InstanceId,
    },
    SlowStarted {
        instance: InstanceId,
        factor_ppm: u64,
    },
    SlowEnded {
        instance: InstanceId,
    },

    // The log broker, for a group that starts without a committed offset.
    /// `auto.offset.reset` placed the group at `offset` in `partition`.
    OffsetReset {
        group: GroupId,
        partition: PartitionId,
        offset: Offset,
    },

    // The queue broker.
    /// The queue was declared and bound; it receives messages published from now on.
    QueueDeclared {
        queue: QueueId,
    },
    /// A publish reached the exchange and was routed to `queues` queues (0: unroutable, gone).
    Routed {
        stream: StreamId,
        msg: MessageId,
        queues: u32,
    },
    /// The message entered the queue at `position` (its place in the queue for good).
    Enqueued {
        queue: QueueId,
        msg: MessageId,
        position: u64,
    },
    /// The queue was at `x-max-length` with `reject-publish`: the message never entered.
    PublishRejected {
        queue: QueueId,
        msg: MessageId,
        dead_lettered: bool,
    },
    /// Sent to a consumer (`basic.deliver`, or `basic.get-ok` when `get`).
    Delivered {
        queue: QueueId,
        instance: InstanceId,
        msg: MessageId,
        redelivered: bool,
        auto_ack: bool,
        get: bool,
    },
    Acked {
        queue: QueueId,
        instance: InstanceId,
        msg: MessageId,
    },
    /// A nack or reject reached the broker.
    Nacked {
        queue: QueueId,
        instance: InstanceId,
        msg: MessageId,
        requeue: bool,
        reject: bool,
    },
    /// The message left the queue for its dead-letter exchange (reaching `to_queues` queues).
    DeadLettered {
        queue: QueueId,
        msg: MessageId,
        reason: DeathReason,
        to_queues: u32,
    },
    /// The message left the queue for good: no dead-letter exchange.
    Dropped {
        queue: QueueId,
        msg: MessageId,
        reason: DeathReason,
    },
    /// A channel closed (by the consumer, or its process died): `requeued` unacked messages
    /// went back to their original positions.
    ChannelClosed {
        queue: QueueId,
        instance: InstanceId,
        requeued: u32,
    },
    /// At the end of the run, a message still in the queue (ready or unacked).
    LeftInQueue {
        queue: QueueId,
        msg: MessageId,
        redelivered: bool,
        unacked: bool,
        /// The most recent x-death entry: (reason, queue it died in, count).
        death: Option<(DeathReason, QueueId, u32)>,
    },

    // Queue consumers.
    /// A consumer finished a delivery and decided.
    Decided {
        group: GroupId,
        instance: InstanceId,
        msg: MessageId,
        decision: Decision,
    },
    /// A consumer completed a message (acked, or auto-acked): the queue's "consumed".
    Processed {
        group: GroupId,
        instance: InstanceId,
        msg: MessageId,
        key: Option<KeyId>,
        sent_at: SimTime,
        redelivered: bool,
    },
    /// An auto-ack delivery the consumer had not finished when its process died: lost.
    DeliveryLost {
        group: GroupId,
        instance: InstanceId,
        msg: MessageId,
    },
    /// The consumer will never consume again (closed its channel, or its gets are done).
    ConsumerFinished {
        group: GroupId,
        instance: InstanceId,
    },
    /// A producer registered its schema with the registry (at its start, or at a schema
    /// upgrade) and got `version` and `id` back: a new version, or the existing one of an
    /// identical schema.
    SchemaRegistered {
        stream: StreamId,
        instance: InstanceId,
        version: u32,
        id: u32,
    },
    /// The registry refused a producer's new schema: it breaks the subject's compatibility
    /// level. Every send with it fails from now on.
    SchemaRefused {
        stream: StreamId,
        instance: InstanceId,
        reason: ReasonId,
    },
    /// A consumer's deserializer met a schema id it has not cached and asked the registry for
    /// the writer schema (`GET /schemas/ids/{id}`); it decodes nothing until the answer.
    SchemaRequested {
        group: GroupId,
        instance: InstanceId,
        id: u32,
    },
    /// The registry's answer reached the consumer, `latency_us` after it asked: the consumer
    /// caches the schema (until it restarts) and decodes the held records.
    SchemaFetched {
        group: GroupId,
        instance: InstanceId,
        id: u32,
        latency_us: u64,
    },
    /// A producer's send failed in the client: the value does not match the producer's schema
    /// version, or the registry refused that version. The record never left the producer.
    ProduceRejected {
        stream: StreamId,
        instance: InstanceId,
        msg: MessageId,
        reason: ReasonId,
    },
    /// A consumer could not decode a record with its reader schema (Avro schema resolution
    /// failed); it skips the record, as an error-handling deserializer does.
    DecodeFailed {
        group: GroupId,
        instance: InstanceId,
        /// The record's partition and offset on the log; `None` for a queue's message.
        position: Option<(PartitionId, Offset)>,
        msg: MessageId,
        reason: ReasonId,
    },
}

impl TraceEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            TraceEvent::Produced { .. } => "produced",
            TraceEvent::ProducerFinished { .. } => "producer_finished",
            TraceEvent::ProducerBufferLost { .. } => "producer_buffer_lost",
            TraceEvent::PartitionsCreated { .. } => "partitions_created",
            TraceEvent::Appended { .. } => "appended",
            TraceEvent::SegmentsDeleted { .. } => "segments_deleted",
            TraceEvent::CleanerPass { .. } => "cleaner_pass",
            TraceEvent::RecordRejected { .. } => "record_rejected",
            TraceEvent::LogEnd { .. } => "log_end",
            TraceEvent::LogSegmentListed { .. } => "log_segment_listed",
            TraceEvent::LogRecordListed { .. } => "log_record_listed",
            TraceEvent::TableRestored { .. } => "table_restored",
            TraceEvent::Fetched { .. } => "fetched",
            TraceEvent::Consumed { .. } => "consumed",
            TraceEvent::Committed { .. } => "committed",
            TraceEvent::RebalanceStarted { .. } => "rebalance_started",
            TraceEvent::Assigned { .. } => "assigned",
            TraceEvent::Revoked { .. } => "revoked",
            TraceEvent::MemberExpired { .. } => "member_expired",
            TraceEvent::PollTimeoutExpired { .. } => "poll_timeout_expired",
            TraceEvent::MemberLeft { .. } => "member_left",
            TraceEvent::Sought { .. } => "sought",
            TraceEvent::JoinTimedOut { .. } => "join_timed_out",
            TraceEvent::CommittedOnClose { .. } => "committed_on_close",
            TraceEvent::ResetNotConsulted { .. } => "reset_not_consulted",
            TraceEvent::NoOffsetForPartition { .. } => "no_offset_for_partition",
            TraceEvent::StaticMemberReturned { .. } => "static_member_returned",
            TraceEvent::OffsetsResetByAdmin { .. } => "offsets_reset_by_admin",
            TraceEvent::ResetRefused { .. } => "reset_refused",
            TraceEvent::CommitFailed { .. } => "commit_failed",
            TraceEvent::CommitRejected { .. } => "commit_rejected",
            TraceEvent::Crashed { .. } => "crashed",
            TraceEvent::Restarted { .. } => "restarted",
            TraceEvent::SlowStarted { .. } => "slow_started",
            TraceEvent::SlowEnded { .. } => "slow_ended",
            TraceEvent::OffsetReset { .. } => "offset_reset",
            TraceEvent::QueueDeclared { .. } => "queue_declared",
            TraceEvent::Routed { .. } => "routed",
            TraceEvent::Enqueued { .. } => "enqueued",
            TraceEvent::PublishRejected { .. } => "publish_rejected",
            TraceEvent::Delivered { .. } => "delivered",
            TraceEvent::Acked { .. } => "acked",
            TraceEvent::Nacked { .. } => "nacked",
            TraceEvent::DeadLettered { .. } => "dead_lettered",
            TraceEvent::Dropped { .. } => "dropped",
            TraceEvent::ChannelClosed { .. } => "channel_closed",
            TraceEvent::LeftInQueue { .. } => "left_in_queue",
            TraceEvent::Decided { .. } => "decided",
            TraceEvent::Processed { .. } => "processed",
            TraceEvent::DeliveryLost { .. } => "delivery_lost",
            TraceEvent::ConsumerFinished { .. } => "consumer_finished",
            TraceEvent::SchemaRegistered { .. } => "schema_registered",
            TraceEvent::SchemaRefused { .. } => "schema_refused",
            TraceEvent::SchemaRequested { .. } => "schema_requested",
            TraceEvent::SchemaFetched { .. } => "schema_fetched",
            TraceEvent::ProduceRejected { .. } => "produce_rejected",
            TraceEvent::DecodeFailed { .. } => "decode_failed",
        }
    }
}

/// Where an actor's trace events go: any kernel sink of `TraceEvent`s. Actor code is generic
/// over it, so `Ctx::emit` calls the run's sink directly (no virtual call per trace event) and
/// the sink's handling of each event can be inlined where it is emitted.
pub trait TraceSink: crate::sim::Sink<TraceEvent> {}

impl<T: crate::sim::Sink<TraceEvent>> TraceSink for T {}

//! Trace events: what happened, as data. Every checker and report reads this stream; the JSON
//! Lines writer is one more sink over it.

pub mod jsonl;

use crate::model::{GroupId, InstanceId, KeyId, MessageId, Offset, PartitionId, StreamId};
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
    RebalanceStarted {
        group: GroupId,
        generation: u32,
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
            TraceEvent::Fetched { .. } => "fetched",
            TraceEvent::Consumed { .. } => "consumed",
            TraceEvent::Committed { .. } => "committed",
            TraceEvent::RebalanceStarted { .. } => "rebalance_started",
            TraceEvent::Assigned { .. } => "assigned",
            TraceEvent::Revoked { .. } => "revoked",
            TraceEvent::MemberExpired { .. } => "member_expired",
            TraceEvent::Crashed { .. } => "crashed",
            TraceEvent::Restarted { .. } => "restarted",
            TraceEvent::SlowStarted { .. } => "slow_started",
            TraceEvent::SlowEnded { .. } => "slow_ended",
        }
    }
}

/// The time at which a trace event happened, with the actor that emitted it.
pub type Stamp = (SimTime, crate::sim::ActorId);

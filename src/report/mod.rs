//! Reports: typed structs built from plain figures (a run's `collect::Collector`, the
//! pipelines' `pipeline::PipelineFigures`, a comparison, the one-shot tools) and their text,
//! JSON and Markdown renderers. It returns strings and never writes; it sees no trace event and
//! does not steer the run. Diagrams are `topology`'s and the trace is `trace::jsonl`'s.

pub mod build;
pub mod charts;
pub mod compare;
pub mod evidence;
mod expect;
pub mod json;
pub mod markdown;
pub mod ownership;
mod queues;
pub mod sequence;
pub mod setup;
pub mod tables;
pub mod text;
pub mod timeline;
pub mod tools;
pub mod words;

use serde::Serialize;

pub use crate::collect::histogram::Percentiles;
pub use build::RunEnd;

/// Everything a run found, in a stable order: the typed source of every report format.
#[derive(Clone, Debug, Serialize)]
pub struct RunReport {
    pub eventlab_version: String,
    pub scenario: String,
    pub seed: u64,
    /// The exact command that reproduces this run.
    pub reproduce: String,
    /// The resolved parameters, defaults included, one line each with units.
    pub setup: Vec<String>,
    pub outcome: Outcome,
    pub streams: Vec<StreamReport>,
    /// The queue broker's queues (only when some stream is carried by the queue).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub queues: Vec<QueueReport>,
    pub expect: Vec<ExpectOutcome>,
    pub faults: FaultSummary,
    /// First assignments (generation 1), crashes, restarts, expiries and rebalances, in time
    /// order.
    pub timeline: Vec<timeline::TimelineEntry>,
    /// Each service pipeline's counts (only when a scenario declares pipelines or tables).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pipelines: Vec<tables::PipelineReport>,
    /// Each table's final contents and checks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<tables::TableReport>,
    /// Per stream, an order-sensitive digest of every produced record (producer, message id,
    /// key, send time): equal digests mean the identical produced sequence. Not rendered.
    #[serde(skip)]
    pub produced_digest: Vec<u64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    /// `drained`, `stop_time`, `records_consumed`, `agenda_empty` or `limit`.
    pub stop: String,
    /// The scenario field whose limit was hit, when `stop` is `limit`.
    pub limit: Option<String>,
    pub limit_value: Option<u64>,
    pub ended_at_us: u64,
    pub last_consumed_at_us: Option<u64>,
    /// Kernel events handled (cancelled timers are not counted).
    pub events: u64,
    pub messages_sent: u64,
    /// Messages that reached a crashed instance and were dropped.
    pub messages_dropped: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct StreamReport {
    pub name: String,
    pub carrier: String,
    pub partitioner: String,
    pub produced: u64,
    pub appended: u64,
    /// Sent by a producer but not yet appended when the run ended.
    pub in_flight: u64,
    /// Records deleted by retention (`retention.ms`).
    pub deleted_by_retention: u64,
    /// On the queue: the stream's exchange type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exchange_type: Option<String>,
    /// On the queue: publishes that matched no bound queue (RabbitMQ drops them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unroutable: Option<u64>,
    pub producers: Vec<ProducerReport>,
    pub partitions: Vec<PartitionReport>,
    pub groups: Vec<GroupReport>,
    /// Records a crashed producer still held in its accumulator (`linger.ms`), never sent
    /// (omitted when 0).
    #[serde(skip_serializing_if = "is_zero")]
    pub lost_in_producer: u64,
    /// On the queue: messages other queues dead-lettered to this stream's exchange (omitted
    /// when 0), so a stream fed only by dead-lettering shows what it received.
    #[serde(skip_serializing_if = "is_zero")]
    pub dead_letters_received: u64,
    /// Kafka CreatePartitions that happened during the run (omitted when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub partitions_created: Vec<PartitionsCreatedReport>,
    /// For a stream that gets partitions created, or whose producers use different
    /// partitioners: how many keys were produced, and how many of them landed on more than one
    /// partition (omitted otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keys_moved: Option<KeysMovedReport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PartitionsCreatedReport {
    pub at_us: u64,
    /// The stream's partition count from then on.
    pub partition_count: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct KeysMovedReport {
    /// Distinct keys of keyed records produced to the stream.
    pub keys: u64,
    /// Of those, the keys whose records went to more than one partition.
    pub moved: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct ProducerReport {
    pub instance: String,
    pub produced: u64,
    /// The producer's partitioner, when it is not the stream's (omitted then).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partitioner: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PartitionReport {
    pub partition: u32,
    pub appended: u64,
    /// The first offset still stored (moves when retention deletes segments).
    pub log_start_offset: u64,
    pub log_end_offset: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct GroupReport {
    pub group: String,
    pub service: String,
    /// Every processed record, duplicates included.
    pub consumed: u64,
    /// Distinct records processed.
    pub consumed_distinct: u64,
    /// Appended but not yet consumed by this group when the run ended.
    pub unconsumed: u64,
    /// Sum over partitions of log end offset − committed offset, at the end.
    pub lag_end: u64,
    /// The largest total lag at any instant.
    pub lag_max: u64,
    pub rebalances: u64,
    pub latency_us: Percentiles,
    pub partitions: Vec<GroupPartitionReport>,
    pub instances: Vec<InstanceReport>,
    pub checks: GroupChecks,
    /// The group's assignor and rebalance protocol, when not Kafka's default behaviour
    /// (`range`, eager; omitted then).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignment: Option<AssignmentReport>,
    /// For a group that starts late (`start_us` > 0): how much of the history it could read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay: Option<ReplayReport>,
    /// What the queue adds, when the stream is carried by the queue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue: Option<QueueGroupReport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct AssignmentReport {
    /// `partition.assignment.strategy` in use: `range`, `roundrobin`, `sticky`,
    /// `cooperative-sticky`.
    pub strategy: String,
    /// `eager` or `cooperative`.
    pub protocol: String,
}

/// History and a late consumer.
#[derive(Clone, Debug, Serialize)]
pub struct ReplayReport {
    pub start_us: u64,
    /// Records produced to the stream before the group started.
    pub history: u64,
    /// Of those, how many the group processed.
    pub replayed: u64,
}

/// A queue-carried group's extra findings.
#[derive(Clone, Debug, Serialize)]
pub struct QueueGroupReport {
    pub queue: String,
    /// When the queue was declared (a late service's queue misses what came before).
    pub declared_at_us: Option<u64>,
    /// Deliveries with `redelivered=true`.
    pub redeliveries: u64,
    /// Messages that left the queue for its dead-letter exchange.
    pub dead_lettered: u64,
    /// The largest number of ready messages at any instant.
    pub depth_max: u64,
    /// Messages completed after a later one of the same producer (publish order broken).
    pub publish_order_inversions: u64,
    pub first_publish_order_inversion: Option<String>,
}

/// One queue at the end of the run.
#[derive(Clone, Debug, Serialize)]
pub struct QueueReport {
    pub name: String,
    /// The exchange (stream) it is bound to.
    pub stream: String,
    /// The consuming group, or null for a dead-letter holding queue.
    pub group: Option<String>,
    pub declared_at_us: Option<u64>,
    pub enqueued: u64,
    pub deliveries: u64,
    pub redeliveries: u64,
    pub acked: u64,
    pub nacked: u64,
    /// Messages put back by a nack/reject with requeue or a closed channel.
    pub requeued: u64,
    pub dead_lettered: DeathCounts,
    pub dropped: DeathCounts,
    pub publish_rejected: u64,
    pub depth_max: u64,
    pub ready_end: u64,
    pub unacked_end: u64,
    /// Each consumer's deliveries in order (the first `LIST_MAX`).
    pub consumers: Vec<QueueConsumerReport>,
    /// What is left in the queue at the end, head first (the first `LIST_MAX`).
    pub left_total: u64,
    pub left: Vec<LeftMessage>,
}

/// Per x-death reason.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DeathCounts {
    pub rejected: u64,
    pub expired: u64,
    pub maxlen: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct QueueConsumerReport {
    pub instance: String,
    pub deliveries_total: u64,
    pub deliveries: Vec<DeliveryEntry>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DeliveryEntry {
    pub msg: String,
    pub redelivered: bool,
    /// Pulled with `basic.get` rather than pushed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub get: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct LeftMessage {
    pub msg: String,
    pub redelivered: bool,
    /// Delivered and not acknowledged (e.g. held by a consumer).
    pub unacked: bool,
    /// The most recent x-death entry, for a dead letter.
    pub death: Option<DeathEntry>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DeathEntry {
    pub reason: String,
    /// The queue it died in.
    pub queue: String,
    pub count: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct GroupPartitionReport {
    pub partition: u32,
    pub consumed: u64,
    pub committed_offset: u64,
    pub lag_end: u64,
    /// The largest lag (log end offset − committed offset) of this partition at any instant.
    pub lag_max: u64,
    /// Who owned the partition over the run, from the first assignment on.
    pub owners: Vec<timeline::OwnerSpan>,
}

#[derive(Clone, Debug, Serialize)]
pub struct InstanceReport {
    pub instance: String,
    pub consumed: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct GroupChecks {
    pub lost: u64,
    /// `stream[partition]@offset` of the first record skipped.
    pub first_lost: Option<String>,
    pub duplicated: u64,
    /// Message id (`instance/seq`) of the first record delivered twice.
    pub first_duplicate: Option<String>,
    pub key_order_inversions: u64,
    pub first_inversion: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ExpectOutcome {
    pub check: String,
    pub stream: String,
    pub passed: bool,
    pub detail: String,
    /// The run was cut short by a limit, so its end-of-run figures say nothing about the
    /// expectation: not evaluated (and not passed).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub not_evaluated: bool,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct FaultSummary {
    pub crashes: u64,
    pub restarts: u64,
    pub slow_periods: u64,
    pub members_expired: u64,
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}

impl RunReport {
    pub fn expectations_met(&self) -> bool {
        self.expect.iter().all(|outcome| outcome.passed)
    }
}

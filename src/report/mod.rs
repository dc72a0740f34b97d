//! Reports: typed structs built from plain figures (a run's `collect::Collector`, the
//! pipelines' `pipeline::PipelineFigures`, a comparison, the one-shot tools) and their text,
//! JSON and Markdown renderers. It returns strings and never writes; it sees no trace event and
//! does not steer the run. Diagrams are `topology`'s and the trace is `trace::jsonl`'s.

pub mod build;
pub mod charts;
pub mod compare;
pub mod compare_causes;
pub mod deployment;
pub mod evidence;
pub mod expect;
pub mod json;
pub mod markdown;
pub mod ownership;
mod queues;
pub mod schemas;
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
    /// Every log cleaner pass, in time order (empty when no stream is compacted).
    pub cleaner_passes: Vec<CleanerPassReport>,
    /// Tables rebuilt from their changelog after a restart (omitted when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub table_restores: Vec<TableRestoreReport>,
    /// What kernel and host faults cost each deployment choice (only with a `deployment`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment: Option<deployment::DeploymentReport>,
    /// First assignments (generation 1), crashes, restarts, expiries and rebalances, in time
    /// order.
    pub timeline: Vec<timeline::TimelineEntry>,
    /// Each service pipeline's counts (only when a scenario declares pipelines or tables).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pipelines: Vec<tables::PipelineReport>,
    /// Each table's final contents and checks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<tables::TableReport>,
    /// Each schema registry subject (only when a stream has a schema).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub schemas: Vec<schemas::SubjectReport>,
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
    /// A compacted stream's `cleanup.policy` (omitted for `delete`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cleanup_policy: Option<String>,
    /// On a compacted stream: records the cleaner removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed_by_cleaner: Option<u64>,
    /// On a compacted stream: records refused for having no key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejected_unkeyed: Option<u64>,
}

/// A table rebuilt from its changelog when an instance restarted (`restore_from_changelog`).
#[derive(Clone, Debug, Serialize)]
pub struct TableRestoreReport {
    pub at_us: u64,
    pub instance: String,
    pub service: String,
    pub table: String,
    pub changelog: String,
    /// Records the restore read: what the changelog holds from its log start.
    pub read: u64,
    /// Records the same read would have taken without compaction.
    pub without_compaction: u64,
}

/// One log cleaner pass over one partition (Kafka's `Cleaner.doClean`).
#[derive(Clone, Debug, Serialize)]
pub struct CleanerPassReport {
    pub at_us: u64,
    pub stream: String,
    pub partition: u32,
    /// Where the dirty section started (the cleaner's checkpoint before the pass).
    pub first_dirty_offset: u64,
    /// One past the dirty section's last offset: the checkpoint after the pass.
    pub end_offset: u64,
    /// Records removed, tombstones included.
    pub removed: u64,
    pub tombstones_removed: u64,
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
    /// On a compacted stream: the dirty section's bytes over the log's at the end (what
    /// `min.cleanable.dirty.ratio` is compared with).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dirty_ratio: Option<f64>,
    /// With `--logs`: the segments, oldest first (the last is the active one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segments: Option<Vec<SegmentReport>>,
    /// With `--logs`: every stored record from the log start on, tombstones included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log: Option<Vec<LogEntryReport>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SegmentReport {
    pub base_offset: u64,
    /// The offsets of the records the segment holds (gaps: what the cleaner removed).
    pub offsets: Vec<u64>,
}

/// One stored record (`--logs`).
#[derive(Clone, Debug, Serialize)]
pub struct LogEntryReport {
    pub offset: u64,
    pub key: Option<String>,
    /// The record's value; `null` for a tombstone.
    pub value: JsonValue,
    #[serde(skip)]
    pub msg: crate::model::MessageId,
    #[serde(skip)]
    pub key_id: Option<crate::model::KeyId>,
}

/// A record value written into the JSON report as JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonValue(pub crate::value::Value);

impl Serialize for JsonValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use crate::value::Value;
        use serde::ser::SerializeMap;
        match &self.0 {
            Value::Null => serializer.serialize_none(),
            Value::Bool(flag) => serializer.serialize_bool(*flag),
            Value::Int(number) => serializer.serialize_i64(*number),
            Value::Str(text) => serializer.serialize_str(text),
            Value::Object(fields) => {
                let mut map = serializer.serialize_map(Some(fields.len()))?;
                for (name, field) in fields {
                    map.serialize_entry(name, &JsonValue(field.clone()))?;
                }
                map.end()
            }
        }
    }
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
    /// Times a member left the group because it went `max.poll.interval.ms` without polling
    /// (KIP-62; omitted when 0).
    #[serde(skip_serializing_if = "is_zero")]
    pub poll_timeouts: u64,
    /// Commits that failed because the member had left the group (omitted when 0).
    #[serde(skip_serializing_if = "is_zero")]
    pub commits_failed: u64,
    /// Static members (KIP-345) that restarted within their session and got their partitions
    /// back with no rebalance (omitted when 0).
    #[serde(skip_serializing_if = "is_zero")]
    pub static_returns: u64,
    /// Partitions the group resumed from their committed offset when it formed again:
    /// `auto.offset.reset` was not consulted (omitted when 0).
    #[serde(skip_serializing_if = "is_zero")]
    pub reset_not_consulted: u64,
    /// Partitions nobody read for want of an offset: `auto.offset.reset=none` and no
    /// committed offset (`NoOffsetForPartitionException`; omitted when 0).
    #[serde(skip_serializing_if = "is_zero")]
    pub no_offset_partitions: u64,
    /// Each rebalance (the first 1,000): cause, pause, partitions moved (omitted when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rebalance_list: Vec<RebalanceReport>,
    /// Committed offset against position per partition, at each instant the committed offsets
    /// changed (the first 1,000; omitted when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub offsets_over_time: Vec<OffsetSampleReport>,
    /// The admin's `reset_offsets` on this group (omitted when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub admin_resets: Vec<AdminResetReport>,
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

/// A group's committed offsets and positions, one entry per partition, at `at_us`.
#[derive(Clone, Debug, Serialize)]
pub struct OffsetSampleReport {
    pub at_us: u64,
    pub committed: Vec<u64>,
    /// Where the group's last fetch of each partition ended.
    pub position: Vec<u64>,
}

/// One `reset_offsets` admin action on a group.
#[derive(Clone, Debug, Serialize)]
pub struct AdminResetReport {
    pub at_us: u64,
    /// `to-earliest`, `to-latest`, `to-offset`, `to-datetime` or `shift-by`.
    pub mode: String,
    /// Whether the offsets moved: the broker refuses while the group has members.
    pub done: bool,
    /// Members in the group when it was refused (0 when done).
    pub members: u32,
}

/// One rebalance of a log group.
#[derive(Clone, Debug, Serialize)]
pub struct RebalanceReport {
    /// The generation it leads to.
    pub generation: u32,
    pub started_at_us: u64,
    /// `join`, `rejoin` (the cooperative follow-up), `poll_timeout`, `session_timeout` or
    /// `partitions_added`.
    pub cause: String,
    /// From the first revocation to the last assigned member's first fetch in the new
    /// generation (0 when nothing was revoked; null when the group had not resumed by the end).
    pub pause_us: Option<u64>,
    /// Partitions the new assignment gave to another owner.
    pub partitions_moved: u32,
    /// Each member that revoked partitions: its own pause, from its revocation to its first
    /// fetch after the new assignment (null: it got nothing, or had not fetched by the end).
    pub paused_members: Vec<MemberPauseReport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct MemberPauseReport {
    pub instance: String,
    pub pause_us: Option<u64>,
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
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
    /// On a compacted stream: offsets the group skipped because the cleaner had removed them
    /// (not losses).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compacted_away: Option<u64>,
    /// On a log stream: records first consumed after a later record of the same producer, on
    /// any partition (Kafka orders a topic per partition only). Queue groups report it under
    /// `queue`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publish_order_inversions: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_publish_order_inversion: Option<String>,
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

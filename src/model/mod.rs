//! The validated scenario: resolved ids, typed configs, every default filled in.
//!
//! Nothing here is deserialized: `scenario::validate` builds it from the raw file, and every
//! later stage (simulation, checks, reports) reads only this. Names are kept for display; all
//! cross references are ids.

pub mod deployment;
mod fault_draw;
mod group_admin;
mod ids;
mod kafka;
mod keys;
mod queue;
mod queue_layout;
pub mod schemas;
pub mod topology;

pub use deployment::{Deployment, MachineFault};
pub use fault_draw::FaultDraw;
pub use group_admin::{OffsetResetOrder, ResetMode};
pub use ids::{GroupId, InstanceId, KeyId, MessageId, Offset, PartitionId, ServiceId, StreamId};
pub use kafka::{Partitioner, Strategy};
pub use keys::{KeyTable, RunKeys};
pub use queue::*;
pub use queue_layout::{Binding, QueueDecl, QueueLayout, queue_name};
pub use topology::Topology;

use crate::sim::LinkConfig;

/// A whole validated scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub seed: u64,
    pub streams: Vec<Stream>,
    pub services: Vec<Service>,
    /// Every running instance of every service, service by service in declared order.
    pub instances: Vec<Instance>,
    /// One consumer group per (group.id, stream), in declared order.
    pub groups: Vec<Group>,
    pub faults: Vec<Fault>,
    /// The faults whose time the seed draws (`faults_for_run` gives a run's faults).
    pub fault_draws: Vec<FaultDraw>,
    /// Hosts, VMs and where instances run, when the scenario says.
    pub deployment: Option<Deployment>,
    pub expects: Vec<Expect>,
    pub limits: RunLimits,
    pub stop: Stop,
    pub keys: KeyTable,
    /// Event kinds, domains, tables, APIs, pipelines, externals (see `model::topology`).
    pub topology: Topology,
    /// The queue broker's exchanges, queues and bindings (see `model::queue_layout`).
    pub queue_layout: QueueLayout,
    /// The record accumulator of a client that emits to a stream its service has no `produces`
    /// entry for (a pipeline's `emit`, a table's changelog): the scenario defaults.
    pub emission_batching: ProducerBatching,
    /// Streams' schemas, the registry's subjects and who writes and reads with which version
    /// (see `model::schemas`); empty when no stream declares a schema.
    pub schemas: schemas::SchemaPlan,
}

impl Scenario {
    pub fn stream(&self, id: StreamId) -> &Stream {
        &self.streams[id.index()]
    }
    pub fn service(&self, id: ServiceId) -> &Service {
        &self.services[id.index()]
    }
    pub fn instance(&self, id: InstanceId) -> &Instance {
        &self.instances[id.index()]
    }
    pub fn group(&self, id: GroupId) -> &Group {
        &self.groups[id.index()]
    }
    /// The groups that consume a stream, in declared order.
    pub fn groups_of(&self, stream: StreamId) -> impl Iterator<Item = &Group> {
        self.groups
            .iter()
            .filter(move |group| group.stream == stream)
    }
}

/// Which broker carries a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Carrier {
    /// The event broker: a partitioned, append-only log (Kafka-like).
    Log,
    /// The message broker: an exchange and one queue per consuming service (RabbitMQ-like).
    Queue,
}

impl Carrier {
    pub fn name(self) -> &'static str {
        match self {
            Carrier::Log => "log",
            Carrier::Queue => "queue",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Stream {
    pub id: StreamId,
    pub name: String,
    pub carrier: Carrier,
    /// The partition count at the start of the run.
    pub partition_count: u32,
    pub partitioner: Partitioner,
    pub log: LogConfig,
    /// Kafka's CreatePartitions on this stream, in time order, each with a larger count.
    pub partitions_created: Vec<PartitionsCreated>,
    /// Admin operations on the stream's logs (roll, clean, DeleteRecords), in file order.
    pub log_admin: Vec<LogAdminAt>,
    /// How the stream is carried on the queue broker (used when `carrier` is `Queue`, and by
    /// `eventlab compare`).
    pub rabbitmq: QueueArgs,
}

impl Stream {
    /// The most partitions the stream ever has: its count after the last CreatePartitions.
    pub fn partition_count_max(&self) -> u32 {
        self.partitions_created
            .last()
            .map_or(self.partition_count, |created| created.partition_count)
    }
}

/// An admin operation on a stream's logs, from the `admin` timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogAdmin {
    /// Roll every partition's active segment (Kafka's `UnifiedLog.roll`).
    Roll,
    /// One cleaner pass on each partition now, whatever its dirty ratio (as Kafka's tests call
    /// `Cleaner.clean`).
    Clean,
    /// Kafka's DeleteRecords: the partition's log start offset moves to `before_offset`.
    DeleteRecords {
        partition: PartitionId,
        before_offset: Offset,
    },
}

/// An admin operation on a stream's logs at a virtual time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogAdminAt {
    pub at_us: u64,
    pub admin: LogAdmin,
}

/// An admin timeline entry: at `at_us` the stream grows to `partition_count` partitions (Kafka's
/// `Admin.createPartitions` with `NewPartitions.increaseTo`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartitionsCreated {
    pub at_us: u64,
    pub partition_count: u32,
}

/// A log stream's topic settings (Kafka topic configs, times in µs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogConfig {
    /// `retention.ms`; None is Kafka's -1: keep forever.
    pub retention_us: Option<u64>,
    /// `segment.bytes`: a segment rolls past this many key + value bytes.
    pub segment_bytes: u64,
    /// `segment.ms`: a segment rolls when it is this old.
    pub segment_us: u64,
    /// `max.message.bytes`: the largest record (key + value) the stream accepts.
    pub max_message_bytes: u64,
    /// The broker's `log.retention.check.interval.ms`.
    pub retention_check_interval_us: u64,
    /// `cleanup.policy`.
    pub cleanup: CleanupPolicy,
    /// `retention.bytes`; None is Kafka's -1: no size limit.
    pub retention_bytes: Option<u64>,
    /// eventlab's own `segment.records` (not Kafka's): roll once the active segment holds this
    /// many records.
    pub segment_records: Option<u64>,
    /// `min.cleanable.dirty.ratio`, in parts per million.
    pub min_cleanable_ratio_ppm: u32,
    /// `min.compaction.lag.ms`.
    pub min_compaction_lag_us: u64,
    /// `max.compaction.lag.ms` (`u64::MAX`: Kafka's default, never).
    pub max_compaction_lag_us: u64,
    /// `delete.retention.ms`: how long a tombstone outlives its first cleaner pass.
    pub delete_retention_us: u64,
    /// The broker's `log.cleaner.backoff.ms`: how often the cleaner looks for work.
    pub cleaner_backoff_us: u64,
}

/// Kafka's `cleanup.policy`: delete old segments (retention), compact (keep the latest record
/// per key), or both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CleanupPolicy {
    pub delete: bool,
    pub compact: bool,
}

impl CleanupPolicy {
    pub const DELETE: CleanupPolicy = CleanupPolicy {
        delete: true,
        compact: false,
    };
    pub const COMPACT: CleanupPolicy = CleanupPolicy {
        delete: false,
        compact: true,
    };
    pub const COMPACT_DELETE: CleanupPolicy = CleanupPolicy {
        delete: true,
        compact: true,
    };

    /// The policy as Kafka writes it.
    pub fn name(self) -> &'static str {
        match (self.compact, self.delete) {
            (true, true) => "compact,delete",
            (true, false) => "compact",
            _ => "delete",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Service {
    pub id: ServiceId,
    pub name: String,
    pub instance_count: u32,
    pub link: LinkConfig,
    pub produces: Vec<Production>,
    pub consumes: Vec<Consumption>,
}

/// One running copy of a service: `<service>-<index>`.
#[derive(Clone, Debug)]
pub struct Instance {
    pub id: InstanceId,
    pub name: String,
    pub service: ServiceId,
    /// 0-based index within its service.
    pub index: u32,
}

/// What one service produces to one stream (each instance does it).
#[derive(Clone, Debug)]
pub struct Production {
    pub stream: StreamId,
    pub schedule: Schedule,
    pub keys: KeyChoice,
    pub value_size_bytes: u32,
    pub batching: ProducerBatching,
    /// The producer's key → partition function: its own `partitioner`, else the stream's.
    pub partitioner: Partitioner,
    /// RabbitMQ per-message TTL (the `expiration` property), in ms; queue carrier only.
    pub expiration_ms: Option<u32>,
}

/// The producer's record accumulator settings (Kafka `batch.size`, `linger.ms`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProducerBatching {
    /// Kafka `batch.size`, in bytes of record values.
    pub batch_size_bytes: u32,
    /// Kafka `linger.ms`, in µs.
    pub linger_us: u64,
    /// librdkafka `sticky.partitioning.linger.ms`, in µs (used with `consistent_random`).
    pub sticky_partitioning_linger_us: u64,
}

impl Production {
    /// The largest record this production sends, key + value bytes.
    pub fn largest_record_bytes(&self, keys: &KeyTable) -> u64 {
        let key_bytes = |key: Option<KeyId>| key.map_or(0, |key| keys.text(key).len() as u64);
        match (&self.schedule, &self.keys) {
            (Schedule::Explicit(records), _) => records
                .iter()
                .map(|record| u64::from(record.value_size_bytes) + key_bytes(record.key))
                .max()
                .unwrap_or(0),
            (Schedule::Periodic { .. }, KeyChoice::Unkeyed) => u64::from(self.value_size_bytes),
            (
                Schedule::Periodic { .. },
                KeyChoice::Sequential(ids)
                | KeyChoice::Uniform(ids)
                | KeyChoice::Zipf { keys: ids, .. },
            ) => {
                u64::from(self.value_size_bytes)
                    + ids.iter().map(|&id| key_bytes(Some(id))).max().unwrap_or(0)
            }
        }
    }
}

#[derive(Clone, Debug)]
pub enum Schedule {
    /// Records every `interval_us` (fixed) or with exponential gaps of that mean (poisson),
    /// from `start_us`, until `count` records or `produce_until_us`, whichever comes first.
    Periodic {
        interval_us: u64,
        poisson: bool,
        start_us: u64,
        count: Option<u64>,
        produce_until_us: Option<u64>,
    },
    /// Exactly these records, at these times (sorted by time, ties in file order).
    Explicit(Vec<ExplicitRecord>),
}

#[derive(Clone, Debug)]
pub struct ExplicitRecord {
    pub at_us: u64,
    pub key: Option<KeyId>,
    pub value_size_bytes: u32,
    /// The value the file gives (`Value::Null`: a tombstone); None: the template's.
    pub value: Option<crate::value::Value>,
}

/// How a producer picks the key of its next record. Key ids index `Scenario::keys`.
#[derive(Clone, Debug)]
pub enum KeyChoice {
    Unkeyed,
    /// Cycle through the keys in order, starting at the first.
    Sequential(Vec<KeyId>),
    Uniform(Vec<KeyId>),
    Zipf {
        keys: Vec<KeyId>,
        exponent_ppm: u32,
    },
}

/// Processing time per record, drawn per (seed, instance, message id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcessingTime {
    Fixed { time_us: u64 },
    Uniform { time_us_min: u64, time_us_max: u64 },
    Exponential { time_us_mean: u64 },
}

/// When a consumer commits the offsets of the records it takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommitMode {
    /// Commit what has been fully processed: a crash re-delivers (at-least-once).
    AfterProcessing,
    /// Commit what was fetched, before processing: a crash skips records (at-most-once).
    BeforeProcessing,
}

/// How the application commits after each batch when auto-commit is off (Kafka's
/// `KafkaConsumer.commitSync` or `commitAsync`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommitCall {
    /// `commitSync`: the consumer waits for the OffsetCommit response before it polls again;
    /// a rejected commit fails the call (`CommitFailedException`).
    Sync,
    /// `commitAsync`: the consumer polls on at once and never retries; a rejected commit is
    /// lost, and a later commit carries its offsets (overtakes it).
    Async,
}

/// What one service consumes from one stream; its instances form the consumer group.
#[derive(Clone, Debug)]
pub struct Consumption {
    pub stream: StreamId,
    pub group: GroupId,
    pub poll_interval_us: u64,
    /// Kafka `max.poll.records`.
    pub max_poll_records: u32,
    pub processing: ProcessingTime,
    pub commit: CommitMode,
    /// Kafka `enable.auto.commit`; when false the application commits after each batch.
    pub auto_commit: bool,
    /// With auto-commit off: `commitSync` or `commitAsync` after each batch.
    pub commit_call: CommitCall,
    /// Kafka `auto.commit.interval.ms`, in µs.
    pub auto_commit_interval_us: u64,
    /// Kafka `session.timeout.ms`, in µs.
    pub session_timeout_us: u64,
    /// Kafka `heartbeat.interval.ms`, in µs.
    pub heartbeat_interval_us: u64,
    /// Kafka `max.poll.interval.ms`, in µs: the most time between polls (KIP-62).
    pub max_poll_interval_us: u64,
    /// The application's `seek` calls, in time order (log only).
    pub seeks: Vec<Seek>,
    /// Kafka `group.instance.id` (KIP-345, static membership): instance i of the service is
    /// `<this>-<i>`. None: dynamic members.
    pub group_instance_id: Option<String>,
    /// The assignor the group runs: the first of Kafka's `partition.assignment.strategy` list
    /// (every member of an eventlab group has the same list, so the coordinator's vote picks it).
    pub assignment_strategy: Strategy,
    /// The rebalance protocol, as Kafka's `ConsumerCoordinator` picks it: COOPERATIVE only when
    /// every listed assignor supports it, else EAGER.
    pub protocol: RebalanceProtocol,
    /// When the service starts consuming (joins the group, or declares and subscribes to its
    /// queue).
    pub start_us: u64,
    /// Kafka `auto.offset.reset`: where a group without a committed offset starts.
    pub offset_reset: OffsetReset,
    /// How the service consumes when the stream is on the queue broker.
    pub queue: QueueConsumer,
}

/// `KafkaConsumer.seek(partition, offset)` at `at_us`, by the instance that owns the partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seek {
    pub at_us: u64,
    pub partition: PartitionId,
    pub offset: Offset,
}

/// Kafka's `ConsumerPartitionAssignor.RebalanceProtocol`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RebalanceProtocol {
    /// Every member gives up all its partitions before re-joining (stop the world).
    Eager,
    /// Members keep their partitions while re-joining and give up only those that move; a moved
    /// partition is handed over in a follow-up rebalance.
    Cooperative,
}

/// Kafka `auto.offset.reset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OffsetReset {
    Earliest,
    Latest,
    /// No reset: a partition without a committed offset cannot be read
    /// (`NoOffsetForPartitionException`).
    None,
}

/// A consumer group: the instances of one service reading one stream.
#[derive(Clone, Debug)]
pub struct Group {
    pub id: GroupId,
    /// Kafka `group.id`.
    pub name: String,
    pub service: ServiceId,
    pub stream: StreamId,
    /// Index into the service's `consumes`.
    pub consumption: usize,
    /// The admin timeline's `reset_offsets` on this group, in time order.
    pub offset_resets: Vec<OffsetResetOrder>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    Crash {
        instance: InstanceId,
        at_us: u64,
    },
    Restart {
        instance: InstanceId,
        at_us: u64,
    },
    /// Processing takes `factor_ppm / 1e6` times as long between `from_us` and `until_us`.
    Slow {
        instance: InstanceId,
        from_us: u64,
        until_us: u64,
        factor_ppm: u64,
    },
    /// A kernel or a host fails under `instance` (see `model::deployment`): everything on it
    /// stops and comes back after the reboot and its own start-up.
    Machine {
        instance: InstanceId,
        at_us: u64,
        fault: MachineFault,
    },
    /// Every link between the two sides, both ways, from `from_us` until `until_us`: a network
    /// partition (messages held until it heals) or a delay spike.
    Link {
        sides: [Vec<Endpoint>; 2],
        from_us: u64,
        until_us: u64,
        effect: LinkFaultEffect,
    },
}

/// One end of a link a fault cuts: an instance or a broker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Endpoint {
    Instance(InstanceId),
    LogBroker,
    QueueBroker,
}

/// What a link fault does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkFaultEffect {
    Partition,
    Delay {
        extra_us: u64,
    },
    /// Each transmission lost with probability `ppm` / 1e6, sent again after `retransmit_us`
    /// (doubling per further loss, as TCP backs off).
    Loss {
        ppm: u32,
        retransmit_us: u64,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    NoLoss {
        stream: StreamId,
    },
    NoDuplicates {
        stream: StreamId,
    },
    PerKeyOrder {
        stream: StreamId,
    },
    /// Every group's total lag on the stream stays below `value` records.
    MaxLagBelow {
        stream: StreamId,
        value: u64,
    },
    /// Every record's end-to-end latency (send to processed) stays below `value_us`.
    MaxLatencyBelow {
        stream: StreamId,
        value_us: u64,
    },
    /// Every table filled straight from the stream equals the latest value per key of its log.
    TableMatchesLog {
        stream: StreamId,
    },
    /// Nothing the broker acknowledged to its producer is lost (Jepsen's queue checker: an
    /// acknowledged enqueue never dequeued).
    NoLossAcked {
        stream: StreamId,
    },
    /// When the run ends, every group of the stream has consumed everything (nothing left).
    EventuallyDrained {
        stream: StreamId,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunLimits {
    pub events_max: u64,
    pub sim_time_us_max: u64,
    pub stored_records_max: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Producers finish, every record is consumed by every group, then the run ends.
    Drained,
    AtTime {
        at_us: u64,
    },
    AfterRecordsConsumed {
        count: u64,
    },
}

//! Serde types that mirror the scenario JSON one to one. Unknown fields are errors.
//!
//! Only shape is checked here (types, required fields, known names). Meaning — references,
//! ranges, limits — is checked by `validate`, which reports every problem at once.
//! eventlab's own fields are snake_case with the unit last; settings that Kafka has a name for
//! sit in a `kafka` block under Kafka's own name, so configs copy in and out.

use schemars::JsonSchema;
use serde::Deserialize;

/// An eventlab scenario: streams, the services that produce and consume them, faults and
/// admin actions on a timeline, and what to expect. `eventlab schema` prints this schema.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "eventlab scenario")]
pub struct RawScenario {
    /// The JSON Schema this file follows (e.g. `"../docs/scenario.schema.json"`), so editors
    /// complete and check fields. eventlab itself ignores it.
    #[serde(rename = "$schema", default)]
    pub schema: Option<String>,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub seed: u64,
    #[serde(default)]
    pub stop: Option<RawStop>,
    #[serde(default)]
    pub limits: RawLimits,
    pub streams: Vec<RawStream>,
    #[serde(default)]
    pub services: Vec<RawService>,
    #[serde(default)]
    pub faults: Vec<RawFault>,
    /// Where the instances run: hosts, VMs on hosts, and each instance placed as a container
    /// or a process on a host or a VM. Without it instances are not tied to any machine.
    #[serde(default)]
    pub deployment: Option<RawDeployment>,
    /// Admin operations on the timeline (Kafka's Admin API), e.g.
    /// `{"action": "create_partitions", "at_us": 4000000, "stream": "orders", "partition_count": 6}`.
    #[serde(default)]
    pub admin: Vec<RawAdmin>,
    #[serde(default)]
    pub expect: Vec<RawExpect>,
    /// The single-writer principle (each stream has exactly one producing service):
    /// `"error"` (default) rejects a second writer at validation; `"warn"` runs anyway, so the
    /// conflicting updates show up downstream.
    #[serde(default)]
    pub single_writer: Option<String>,
    /// Systems outside the scenario (a payment gateway, a browser) that write or read streams.
    /// Drawn in the topology; they run nothing.
    #[serde(default)]
    pub external_systems: Vec<RawExternal>,
}

/// A system outside the simulated services: drawn in the topology, never run.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExternal {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Streams it writes (it counts as their writer for the single-writer principle).
    #[serde(default)]
    pub writes: Vec<String>,
    /// Streams it reads.
    #[serde(default)]
    pub reads: Vec<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawStop {
    pub at_us: Option<u64>,
    pub after_records_consumed: Option<u64>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLimits {
    pub events_max: Option<u64>,
    pub sim_time_us_max: Option<u64>,
    pub stored_records_max: Option<u64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawStream {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub carrier: Option<String>,
    #[serde(default)]
    pub partition_count: Option<u64>,
    /// The producers' key → partition function: `"murmur2"` (default, Kafka's Java client),
    /// `"consistent_random"` (librdkafka's default, CRC32) or `"fnv1a32"` (librdkafka's
    /// `fnv1a`). It also decides where unkeyed records go: the Java client's sticky partitioner
    /// (KIP-794), librdkafka's sticky random partition (`sticky.partitioning.linger.ms`), or,
    /// for `fnv1a32`, the hash of an empty key. A producer can override it.
    #[serde(default)]
    pub partitioner: Option<String>,
    /// The event kind: `"entity"` (keyed by an entity's primary key, the value is the entity's
    /// full latest state, null deletes it), `"keyed"` (keyed for partition locality only) or
    /// `"unkeyed"`. Absent: not declared, not checked.
    #[serde(default)]
    pub kind: Option<String>,
    /// For `kind: "entity"`: the entity's name (e.g. `"User"`).
    #[serde(default)]
    pub entity: Option<String>,
    /// Kafka topic settings under their real names.
    #[serde(default)]
    pub kafka: RawStreamKafka,
    /// Queue-carrier settings under RabbitMQ's names (see `RawStreamRabbitmq`).
    #[serde(default)]
    pub rabbitmq: RawStreamRabbitmq,
    /// The Avro schema of the stream's record values (standard `.avsc` JSON, inline; or, in a
    /// scenario file, a path to a `.avsc` file relative to it). Registered by the stream's
    /// producers at the start as version 1 of subject `<stream>-value`; every produced value is
    /// checked against the producer's schema and consumers decode with theirs.
    #[serde(default)]
    pub schema: Option<serde_json::Value>,
    /// The subject's compatibility level in the schema registry: `"BACKWARD"` (default, as
    /// Confluent's), `"BACKWARD_TRANSITIVE"`, `"FORWARD"`, `"FORWARD_TRANSITIVE"`, `"FULL"`,
    /// `"FULL_TRANSITIVE"` or `"NONE"`.
    #[serde(default)]
    pub compatibility: Option<String>,
}

/// A move to another schema version at a time of the run: a producer registers it then (and
/// writes with it if the registry accepts it); a consumer reads with it from then on.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSchemaUpgrade {
    /// When, in µs since the start.
    pub at_us: u64,
    /// The new schema (inline `.avsc` JSON, or a path to a `.avsc` file relative to the
    /// scenario file).
    pub schema: serde_json::Value,
}

/// Kafka topic configs (and the broker's retention check interval), under their real names.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawStreamKafka {
    /// How long records are kept, in ms; -1 keeps them forever. Default 604800000 (7 days).
    #[serde(rename = "retention.ms")]
    pub retention_ms: Option<i64>,
    /// A segment rolls past this many bytes (key + value). Default 1073741824 (1 GiB).
    #[serde(rename = "segment.bytes")]
    pub segment_bytes: Option<u64>,
    /// A segment rolls when it is this old, in ms. Default 604800000 (7 days).
    #[serde(rename = "segment.ms")]
    pub segment_ms: Option<u64>,
    /// The largest record (key + value) accepted, in bytes. Default 1048588.
    #[serde(rename = "max.message.bytes")]
    pub max_message_bytes: Option<u64>,
    /// How often the broker deletes expired segments, in ms. Default 300000 (5 minutes).
    #[serde(rename = "log.retention.check.interval.ms")]
    pub retention_check_interval_ms: Option<u64>,
    /// `"delete"` (default: retention deletes old segments), `"compact"` (the cleaner keeps the
    /// latest record per key; records need keys) or `"compact,delete"` (both).
    #[serde(rename = "cleanup.policy")]
    pub cleanup_policy: Option<String>,
    /// The most bytes a partition keeps before retention deletes its oldest segments; -1
    /// (default) sets no limit. Applies with `cleanup.policy` `delete`.
    #[serde(rename = "retention.bytes")]
    pub retention_bytes: Option<i64>,
    /// eventlab's own, not Kafka's: a segment rolls before an append once it holds this many
    /// records. For small teaching logs. No limit by default.
    #[serde(rename = "segment.records")]
    pub segment_records: Option<u64>,
    /// The cleaner takes a log only when its dirty bytes over all its bytes are strictly above
    /// this ratio (0 to 1). Default 0.5.
    #[serde(rename = "min.cleanable.dirty.ratio")]
    pub min_cleanable_dirty_ratio: Option<f64>,
    /// A record stays uncompacted at least this long after it was written, in ms. Default 0.
    #[serde(rename = "min.compaction.lag.ms")]
    pub min_compaction_lag_ms: Option<u64>,
    /// A dirty record older than this, in ms, makes the log eligible for cleaning whatever its
    /// dirty ratio. Default: never (Kafka's Long.MAX_VALUE).
    #[serde(rename = "max.compaction.lag.ms")]
    pub max_compaction_lag_ms: Option<u64>,
    /// How long a tombstone stays after the cleaner pass that first re-copied it, in ms
    /// (KIP-534). Default 86400000 (1 day).
    #[serde(rename = "delete.retention.ms")]
    pub delete_retention_ms: Option<u64>,
    /// How often the cleaner looks for a log to clean, in ms. Default 15000.
    #[serde(rename = "log.cleaner.backoff.ms")]
    pub cleaner_backoff_ms: Option<u64>,
}

/// How a stream is carried on the queue broker (RabbitMQ 3.13 classic queues): an exchange
/// named after the stream, and one queue per consuming service declared with these arguments.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawStreamRabbitmq {
    /// `"fanout"` (default), `"direct"` or `"topic"`. Routing key = the record's key text.
    pub exchange_type: Option<String>,
    /// Queue TTL in ms (RabbitMQ `x-message-ttl`); no TTL by default.
    #[serde(rename = "x-message-ttl")]
    pub x_message_ttl: Option<u64>,
    /// Most ready messages per queue (RabbitMQ `x-max-length`); unlimited by default.
    #[serde(rename = "x-max-length")]
    pub x_max_length: Option<u64>,
    /// `"drop-head"` (default), `"reject-publish"` or `"reject-publish-dlx"` (`x-overflow`).
    #[serde(rename = "x-overflow")]
    pub x_overflow: Option<String>,
    /// The stream whose exchange receives dead letters (`x-dead-letter-exchange`).
    #[serde(rename = "x-dead-letter-exchange")]
    pub x_dead_letter_exchange: Option<String>,
    /// Routing key for dead letters (`x-dead-letter-routing-key`); the original one by default.
    #[serde(rename = "x-dead-letter-routing-key")]
    pub x_dead_letter_routing_key: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawService {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub instance_count: Option<u64>,
    #[serde(default)]
    pub link: Option<RawLink>,
    #[serde(default)]
    pub produces: Vec<RawProduces>,
    #[serde(default)]
    pub consumes: Vec<RawConsumes>,
    /// The business domain the service belongs to; diagrams draw one subgraph per domain.
    #[serde(default)]
    pub domain: Option<String>,
    /// State stores the service keeps: key → latest value tables, filled by `consumes[].materialize`.
    #[serde(default)]
    pub tables: Vec<RawTable>,
    /// APIs the service serves from its tables (request–response, drawn as API ← store).
    #[serde(default)]
    pub apis: Vec<RawApi>,
}

/// A key → latest value table (a state store) kept by one service.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTable {
    pub name: String,
    /// Publish every change of the table to this stream (a changelog: key, new value or null).
    #[serde(default)]
    pub changelog_stream: Option<String>,
    /// When an instance of the service restarts, rebuild the table by reading its changelog
    /// stream from the beginning (as Kafka Streams restores a state store). Needs
    /// `changelog_stream`; with `cleanup.policy` `compact` on it, the restore reads only what the
    /// cleaner kept. Default false.
    #[serde(default)]
    pub restore_from_changelog: bool,
}

/// An API served from one of the service's tables.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawApi {
    pub name: String,
    /// The table it reads.
    pub table: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLink {
    pub latency_us: Option<u64>,
    pub jitter_us: Option<u64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawProduces {
    pub stream: String,
    pub interval_us: Option<u64>,
    pub rate_per_s: Option<f64>,
    pub arrivals: Option<String>,
    pub start_us: Option<u64>,
    pub count: Option<u64>,
    pub produce_until_us: Option<u64>,
    pub records: Option<Vec<RawRecord>>,
    pub keys: Option<RawKeys>,
    pub key_prefix: Option<String>,
    pub value_size_bytes: Option<u64>,
    /// This producer's key → partition function, when it differs from the stream's
    /// `partitioner` (the partitioner is a client setting: a Java service and a librdkafka
    /// service writing one topic each use their own). Same names as the stream's.
    pub partitioner: Option<String>,
    #[serde(default)]
    pub kafka: RawProducerKafka,
    /// The record value as a template: field name → generator (see `RawGenerator`). Absent:
    /// values are modelled by their size only.
    pub value: Option<std::collections::BTreeMap<String, RawGenerator>>,
    /// Fraction (0 to 1) of records sent with a null value (a tombstone: deletes the key in
    /// every table built from the stream). Needs a keyed producer. Default 0.
    pub tombstone_ratio: Option<f64>,
    /// Publisher settings for the queue carrier.
    #[serde(default)]
    pub rabbitmq: RawProducerRabbitmq,
    /// Schema versions this producer moves to, in time order (the stream needs a `schema`).
    #[serde(default)]
    pub schema_upgrades: Vec<RawSchemaUpgrade>,
}

/// Kafka producer settings under their real names.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawProducerKafka {
    /// `batch.size`, bytes (default 16384): a partition's batch is sent once it holds this many
    /// bytes; the sticky partitioner for unkeyed records (KIP-794) switches partition after
    /// this many bytes when the batch is full, or after twice as many regardless. 0 counts as 1.
    /// Bytes are value sizes (record overhead and keys are not modelled).
    #[serde(rename = "batch.size")]
    pub batch_size: Option<u64>,
    /// `linger.ms` (default 0, Kafka 3.9's): how long a batch waits for more records before it
    /// is sent, in virtual time. Records still waiting when their producer crashes are lost.
    #[serde(rename = "linger.ms")]
    pub linger_ms: Option<u64>,
    /// librdkafka's `sticky.partitioning.linger.ms` (default 10), for a producer whose
    /// partitioner is `consistent_random`: unkeyed records (and empty keys) stick to a random
    /// partition, drawn again once this many ms have passed since the last draw. 0 draws a
    /// random partition for every record.
    #[serde(rename = "sticky.partitioning.linger.ms")]
    pub sticky_partitioning_linger_ms: Option<u64>,
}

/// How one field of a produced value is drawn: `"key"` (the record's key, e.g. the entity id),
/// `"counter"` (1, 2, 3... per producer instance), `{"const": V}` (string, integer, boolean or null),
/// `{"int_range": [min, max]}` (uniform, inclusive) or `{"one_of": [V, ...]}` (uniform).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[schemars(example = serde_json::json!({"int_range": [1, 100]}))]
pub enum RawGenerator {
    Key,
    Counter,
    Const(RawScalar),
    IntRange([i64; 2]),
    OneOf(Vec<RawScalar>),
}

/// A scalar in a scenario file: string, whole number, boolean or null.
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq)]
#[serde(untagged)]
pub enum RawScalar {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
}

/// Publisher settings under RabbitMQ's names.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawProducerRabbitmq {
    /// Per-message TTL in ms (the `expiration` message property); none by default. It only
    /// expires a message when the message reaches the head of its queue.
    pub expiration: Option<u64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRecord {
    pub at_us: u64,
    #[serde(default)]
    pub key: Option<String>,
    pub value_size_bytes: Option<u64>,
    /// The record's value: an object, string, whole number or boolean, or `null` for a
    /// tombstone (deletes the key from tables; a compacted log drops it after
    /// `delete.retention.ms`). A null value has no bytes. Absent: the producer's `value`
    /// template, else an empty object.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<serde_json::Value>")]
    pub value: Option<serde_json::Value>,
}

/// A field that is present, `null` included (absent fields take the default, `None`).
fn present<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<serde_json::Value>, D::Error> {
    serde_json::Value::deserialize(deserializer).map(Some)
}

/// `"unkeyed"`, `{"sequential": N}`, `{"uniform": N}`, `{"zipf": {"count": N, "exponent": s}}`
/// or `{"fixed": ["a", "b"]}`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[schemars(example = serde_json::json!({"uniform": 8}))]
pub enum RawKeys {
    Unkeyed,
    Sequential(u64),
    Uniform(u64),
    Zipf(RawZipf),
    Fixed(Vec<String>),
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawZipf {
    pub count: u64,
    pub exponent: Option<f64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawConsumes {
    pub stream: String,
    pub poll_interval_ms: Option<u64>,
    pub processing_time_us: Option<RawProcessing>,
    pub commit: Option<String>,
    /// With `kafka."enable.auto.commit"` false, how the application commits after each batch:
    /// `"sync"` (`commitSync`: waits for the coordinator's answer before polling again) or
    /// `"async"` (`commitAsync`: polls on at once; a rejected commit is not retried).
    pub manual_commit: Option<String>,
    /// When the service starts consuming, in µs (default 0). On the log its group joins then;
    /// on the queue its queue is declared and bound then, so it sees only later messages.
    pub start_us: Option<u64>,
    #[serde(default)]
    pub kafka: RawConsumerKafka,
    /// Operators each record passes through, in order (see `RawStep`).
    #[serde(default)]
    pub pipeline: Vec<RawStep>,
    /// Streams the pipeline's output is written to (the service becomes their writer).
    #[serde(default)]
    pub emit: Vec<String>,
    /// A table of this service (`tables[].name`) the pipeline's output is materialized into:
    /// key → latest value, a null value deletes the key.
    #[serde(default)]
    pub materialize: Option<String>,
    /// Queue-carrier consumer settings.
    #[serde(default)]
    pub rabbitmq: RawConsumerRabbitmq,
    /// The reader schema: the service decodes records with it (Avro schema resolution against
    /// the writer's version). Default: the stream's `schema`.
    #[serde(default)]
    pub schema: Option<serde_json::Value>,
    /// Reader schemas this service moves to, in time order.
    #[serde(default)]
    pub schema_upgrades: Vec<RawSchemaUpgrade>,
    /// Log only: the application calls `KafkaConsumer.seek(partition, offset)` at `at_us`; the
    /// instance that owns the partition then fetches from `offset` (back: records are read
    /// again; forward: records are skipped). Its next commit commits from there. A run that
    /// stops when drained does not wait for a seek still to come: keep producing past it, or
    /// give `stop.at_us`.
    #[serde(default)]
    pub seek: Vec<RawSeek>,
}

/// One `seek` of a consumer script, e.g. `{"at_us": 5000000, "partition": 0, "offset": 0}`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSeek {
    pub at_us: u64,
    pub partition: u64,
    pub offset: u64,
}

/// One pipeline step: exactly one operator, and an optional display `label` for diagrams.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    #[serde(default)]
    pub label: Option<String>,
    /// Keep records whose `field` equals `equals` (or, with `not_equals`, differs from it).
    pub filter: Option<RawFilter>,
    /// Set, drop and rename fields of the value (applied in that order).
    pub map: Option<RawMap>,
    /// Re-key by a field of the value (the new key is its text).
    pub rekey: Option<RawRekey>,
    /// Stream–table join by key against a table this service materializes.
    pub join: Option<RawJoin>,
    /// Count or sum per key; emits the running total.
    pub aggregate: Option<RawAggregate>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFilter {
    pub field: String,
    pub equals: Option<RawScalar>,
    pub not_equals: Option<RawScalar>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMap {
    #[serde(default)]
    pub set: std::collections::BTreeMap<String, RawScalar>,
    #[serde(default)]
    pub drop: Vec<String>,
    #[serde(default)]
    pub rename: std::collections::BTreeMap<String, String>,
}

/// Queue-carrier consumer settings, RabbitMQ's names where it has them.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawConsumerRabbitmq {
    /// `basic.qos` prefetch_count per consumer; 0 = unlimited (RabbitMQ's default).
    pub prefetch_count: Option<u64>,
    /// `basic.consume` no-ack (automatic acknowledgement); default false.
    pub auto_ack: Option<bool>,
    /// Deliveries one consumer processes at the same time (worker threads); default 1.
    pub concurrency: Option<u64>,
    /// Binding keys of this service's queue (direct/topic exchanges); default `["#"]` for
    /// topic, the empty routing key for direct.
    pub binding_keys: Option<Vec<String>>,
    /// Probability in [0, 1] that processing fails and the consumer nacks; default 0.
    pub nack_probability: Option<f64>,
    /// Whether those nacks requeue (default true); false dead-letters or drops.
    pub nack_requeue: Option<bool>,
    /// Exact scripts for some instances of the service.
    #[serde(default)]
    pub script: Vec<RawScript>,
}

/// A scripted consumer: one instance, exactly.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScript {
    /// Instance index within the service (0-based).
    pub instance: u64,
    /// Whether it calls `basic.consume` (default true); false for a `basic.get`-only consumer.
    pub subscribe: Option<bool>,
    /// When it subscribes, in µs (default: the consumption's `start_us`).
    pub subscribe_at_us: Option<u64>,
    /// Overrides `prefetch_count` for this consumer.
    pub prefetch_count: Option<u64>,
    /// One entry per delivery, in delivery order.
    #[serde(default)]
    pub deliveries: Vec<RawScriptStep>,
    /// Decision for deliveries past the list: "ack" (default), "nack", "nack_requeue",
    /// "reject", "reject_requeue" or "hold".
    pub then: Option<String>,
    /// Closes its channel at this time, in µs.
    pub close_at_us: Option<u64>,
    /// Closes its channel after deciding on this many deliveries.
    pub close_after_deliveries: Option<u64>,
    /// Times (µs) at which it pulls one message with `basic.get`.
    #[serde(default)]
    pub get_at_us: Vec<u64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRekey {
    pub field: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawJoin {
    /// A table of this service.
    pub table: String,
    /// The field the table's value is put in.
    #[serde(rename = "as")]
    pub into: String,
    /// `"inner"` (default: drop records whose key is not in the table) or `"left"` (keep
    /// them with a null field).
    pub kind: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAggregate {
    /// `"count"` or `"sum"`.
    pub op: String,
    /// For `"sum"`: the whole-number field to add up.
    pub field: Option<String>,
    /// The output field holding the total (default `"count"` or `"sum"`).
    pub into: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScriptStep {
    /// Processing time of this delivery in µs (default: the service's).
    pub processing_time_us: Option<u64>,
    /// "ack", "nack", "nack_requeue", "reject", "reject_requeue" or "hold".
    pub decision: String,
}

/// `{"fixed": 50}`, `{"uniform": [min, max]}` or `{"exponential_mean": 2000}`, in µs.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[schemars(example = serde_json::json!({"fixed": 50}))]
pub enum RawProcessing {
    Fixed(u64),
    Uniform([u64; 2]),
    ExponentialMean(u64),
}

/// Kafka consumer settings under their real names.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawConsumerKafka {
    #[serde(rename = "group.id")]
    pub group_id: Option<String>,
    #[serde(rename = "max.poll.records")]
    pub max_poll_records: Option<u64>,
    #[serde(rename = "enable.auto.commit")]
    pub enable_auto_commit: Option<bool>,
    #[serde(rename = "auto.commit.interval.ms")]
    pub auto_commit_interval_ms: Option<u64>,
    #[serde(rename = "session.timeout.ms")]
    pub session_timeout_ms: Option<u64>,
    #[serde(rename = "heartbeat.interval.ms")]
    pub heartbeat_interval_ms: Option<u64>,
    /// `max.poll.interval.ms` (default 300000, Kafka's): the most time between two polls. A
    /// member whose batch takes longer leaves its group (KIP-62): its partitions move to the
    /// others, its commits fail, and its next poll re-joins. Heartbeats do not prevent it.
    #[serde(rename = "max.poll.interval.ms")]
    pub max_poll_interval_ms: Option<u64>,
    /// `group.instance.id` (KIP-345, static membership; default: none, dynamic members): each
    /// instance gets `<value>-<index>`. A static member that restarts within
    /// `session.timeout.ms` gets its partitions back without a rebalance.
    #[serde(rename = "group.instance.id")]
    pub group_instance_id: Option<String>,
    /// `partition.assignment.strategy`: the assignors in order of preference, as a list
    /// (`["cooperative-sticky"]`) or a comma-separated string as in a Kafka properties file.
    /// Names: `range`, `roundrobin`, `sticky`, `cooperative-sticky`, or the Kafka class names
    /// (`RangeAssignor`, `org.apache.kafka.clients.consumer.CooperativeStickyAssignor`, ...).
    /// Default: Kafka's `[range, cooperative-sticky]`, which runs `range` with the eager
    /// protocol. The group uses the first; the protocol is cooperative only when every listed
    /// assignor supports it (only `cooperative-sticky` does).
    #[serde(rename = "partition.assignment.strategy")]
    pub partition_assignment_strategy: Option<NameList>,
    /// `"earliest"`, `"latest"` (Kafka's default) or `"none"`: where a group with no committed
    /// offset for a partition starts reading it (`none`: nowhere, the consumer's poll() throws
    /// NoOffsetForPartitionException). Consulted when the group forms, and never for a
    /// partition the group has a committed offset for.
    #[serde(rename = "auto.offset.reset")]
    pub auto_offset_reset: Option<String>,
}

/// A list of names written as a JSON array or as one comma-separated string.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct NameList(pub Vec<String>);

impl JsonSchema for NameList {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "NameList".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "title": "a name, a comma-separated string of names, or an array of names",
            "anyOf": [
                { "type": "string" },
                { "type": "array", "items": { "type": "string" } }
            ]
        })
    }
}

impl<'de> Deserialize<'de> for NameList {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NamesVisitor;
        impl<'de> serde::de::Visitor<'de> for NamesVisitor {
            type Value = NameList;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a name, a comma-separated string of names, or an array of names")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<NameList, E> {
                Ok(NameList(
                    text.split(',')
                        .map(|name| name.trim().to_string())
                        .collect(),
                ))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<NameList, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<String>()? {
                    names.push(name);
                }
                Ok(NameList(names))
            }
        }
        deserializer.deserialize_any(NamesVisitor)
    }
}

/// One fault on the timeline. `action` is `"crash"` or `"restart"` (at `at_us`, or at a time the
/// seed draws: `at`), `"slow"` (processing `factor` times as long from `from_us` until
/// `until_us`), or a fault on every link between two sets of actors, both ways, from `from_us`
/// (or `at`) until `until_us`: `"partition"` (a network partition: messages sent across it are
/// held until it heals, as TCP retransmits them; heartbeats too, so sessions may expire) or
/// `"delay"` (a delay spike of `extra_us`), `"loss"` (each transmission lost with
/// `probability` and sent again by TCP after its retransmission timeout: lost packets show as
/// latency and hold back what follows); with a `deployment`, `"kernel_fault"` (the kernel
/// `instance` runs on fails: the host's for a container or process on the host, the VM's for
/// one in a VM; everything on that kernel stops and restarts after the reboot and its start-up)
/// or `"host_failure"` (the physical host under `instance` fails: everything on it stops). A
/// crash loses the instance's memory; what it committed or acked survives.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFault {
    pub action: String,
    /// The instance a `crash`, `restart` or `slow` fault hits (`"billing-0"`).
    pub instance: Option<String>,
    pub at_us: Option<u64>,
    /// A time drawn from the seed instead of `at_us`: `{"uniform_us": [A, B]}` draws it
    /// uniformly from A..=B µs with the run's fault stream, so each seed fails at another time.
    pub at: Option<RawDrawnTime>,
    /// For `"partition"` and `"delay"`: the two sides, lists of instance names (`"billing-0"`),
    /// service names (every instance of it), `"log-broker"` or `"queue-broker"`.
    pub between: Option<[Vec<String>; 2]>,
    /// For `"delay"`: the extra latency, µs.
    pub extra_us: Option<u64>,
    /// For `"loss"`: the chance that one transmission is lost (then TCP sends it again).
    pub probability: Option<f64>,
    /// For `"loss"`: the first retransmission timeout, ms (default 200, Linux's TCP_RTO_MIN);
    /// it doubles after each further loss.
    pub retransmit_ms: Option<u64>,
    pub from_us: Option<u64>,
    pub until_us: Option<u64>,
    pub factor: Option<f64>,
}

/// Hosts, VMs and where each instance runs.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDeployment {
    pub hosts: Vec<RawHost>,
    #[serde(default)]
    pub vms: Vec<RawVm>,
    pub place: Vec<RawPlacement>,
}

/// A physical machine with one kernel. Defaults: 16384 MB, 8000 millicores, boot 120000 ms.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHost {
    pub name: String,
    pub memory_mb: Option<u64>,
    pub cpu_millicores: Option<u64>,
    pub boot_ms: Option<u64>,
}

/// A virtual machine on a host, with its own guest kernel. Defaults: boot 30000 ms, overhead
/// 512 MB and 100 millicores.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawVm {
    pub name: String,
    pub host: String,
    pub boot_ms: Option<u64>,
    pub overhead_memory_mb: Option<u64>,
    pub overhead_cpu_millicores: Option<u64>,
}

/// One instance placed `as` a `"container"` (sharing the kernel of what it is `on`) or a
/// `"process"`, `on` a host or a VM. Defaults: 256 MB and 500 millicores; a container starts
/// in 1000 ms and costs 10 MB, a process starts in 0 ms.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPlacement {
    pub instance: String,
    #[serde(rename = "as")]
    pub packaging: String,
    pub on: String,
    pub start_ms: Option<u64>,
    pub memory_mb: Option<u64>,
    pub cpu_millicores: Option<u64>,
    pub overhead_memory_mb: Option<u64>,
}

/// A time drawn from the seed.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDrawnTime {
    /// `[A, B]`: uniform in A..=B µs.
    pub uniform_us: [u64; 2],
}

/// One admin operation at `at_us` (µs, required). `action`:
/// `"create_partitions"` (Kafka's CreatePartitions): the stream `stream` (required, as for
/// `roll`, `clean` and `delete_records`) grows to `partition_count`
/// partitions in total (required; more than it has then, like Kafka's
/// `NewPartitions.increaseTo`). Keyed records produced from then on use the new count, so
/// existing keys move; every group on the stream rebalances. Producers and consumers see the new
/// partitions at once (in Kafka, at their next metadata refresh, within `metadata.max.age.ms`).
/// `"roll"`: every partition's active segment rolls (if it holds records). `"clean"`: one
/// cleaner pass on each partition now, whatever its dirty ratio (a compacted stream only).
/// `"delete_records"` (Kafka's DeleteRecords): partition `partition`'s log start offset moves
/// to `before_offset` (at most its log end), and segments wholly before it are deleted.
///
/// `"reset_offsets"` is `kafka-consumer-groups.sh --reset-offsets --execute`: at `at_us` the
/// committed offsets of consumer group `group` (its `group.id`; on `stream` only, else on every
/// stream it reads) move by `mode`: `"to-earliest"`, `"to-latest"`, `"to-offset"` (with
/// `offset`), `"to-datetime"` (with `datetime_us`: the first record sent at or after it) or
/// `"shift-by"` (with `shift_by`, negative to go back), clamped to the log as Kafka's tool does.
/// Kafka only resets a group with no live member; a reset while members are in the group is
/// refused (the trace says so), so stop the group's instances first.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAdmin {
    pub action: String,
    pub at_us: Option<u64>,
    pub stream: Option<String>,
    pub partition_count: Option<u64>,
    pub partition: Option<u64>,
    pub before_offset: Option<u64>,
    /// `reset_offsets`: the consumer group (`group.id`).
    pub group: Option<String>,
    /// `reset_offsets`: `to-earliest`, `to-latest`, `to-offset`, `to-datetime` or `shift-by`.
    pub mode: Option<String>,
    /// `reset_offsets` `to-offset`: the offset.
    pub offset: Option<u64>,
    /// `reset_offsets` `to-datetime`: the time, in µs of the run.
    pub datetime_us: Option<u64>,
    /// `reset_offsets` `shift-by`: how many offsets to move (negative: back).
    pub shift_by: Option<i64>,
}

/// One expectation on a stream, judged when the run ends; a broken one makes `eventlab run`
/// exit 1. `check` is `"no_loss"`, `"no_duplicates"`, `"per_key_order"`, `"max_lag_below"`
/// (`value`: records), `"max_latency_below"` (`value`: µs, send to processed),
/// `"table_matches_log"` (every table filled from the stream equals its log's latest value per
/// key), `"no_loss_acked"` (nothing the broker acknowledged is lost) or `"eventually_drained"`
/// (every group has consumed everything when the run ends).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    pub check: String,
    pub stream: String,
    pub value: Option<u64>,
}

//! Serde types that mirror the scenario JSON one to one. Unknown fields are errors.
//!
//! Only shape is checked here (types, required fields, known names). Meaning — references,
//! ranges, limits — is checked by `validate`, which reports every problem at once.
//! eventlab's own fields are snake_case with the unit last; settings that Kafka has a name for
//! sit in a `kafka` block under Kafka's own name, so configs copy in and out.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
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
#[derive(Debug, Deserialize)]
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStop {
    pub at_us: Option<u64>,
    pub after_records_consumed: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLimits {
    pub events_max: Option<u64>,
    pub sim_time_us_max: Option<u64>,
    pub stored_records_max: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStream {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub carrier: Option<String>,
    #[serde(default)]
    pub partition_count: Option<u64>,
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
}

#[derive(Debug, Deserialize)]
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
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTable {
    pub name: String,
    /// Publish every change of the table to this stream (a changelog: key, new value or null).
    #[serde(default)]
    pub changelog_stream: Option<String>,
}

/// An API served from one of the service's tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawApi {
    pub name: String,
    /// The table it reads.
    pub table: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLink {
    pub latency_us: Option<u64>,
    pub jitter_us: Option<u64>,
}

#[derive(Debug, Deserialize)]
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
    /// The record value as a template: field name → generator (see `RawGenerator`). Absent:
    /// values are modelled by their size only.
    pub value: Option<std::collections::BTreeMap<String, RawGenerator>>,
    /// Fraction (0 to 1) of records sent with a null value (a tombstone: deletes the key in
    /// every table built from the stream). Needs a keyed producer. Default 0.
    pub tombstone_ratio: Option<f64>,
}

/// How one field of a produced value is drawn: `"key"` (the record's key, e.g. the entity id),
/// `"counter"` (1, 2, 3... per producer instance), `{"const": V}` (string, integer, boolean or null),
/// `{"int_range": [min, max]}` (uniform, inclusive) or `{"one_of": [V, ...]}` (uniform).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RawGenerator {
    Key,
    Counter,
    Const(RawScalar),
    IntRange([i64; 2]),
    OneOf(Vec<RawScalar>),
}

/// A scalar in a scenario file: string, whole number, boolean or null.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum RawScalar {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRecord {
    pub at_us: u64,
    #[serde(default)]
    pub key: Option<String>,
    pub value_size_bytes: Option<u64>,
}

/// `"unkeyed"`, `{"sequential": N}`, `{"uniform": N}`, `{"zipf": {"count": N, "exponent": s}}`
/// or `{"fixed": ["a", "b"]}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RawKeys {
    Unkeyed,
    Sequential(u64),
    Uniform(u64),
    Zipf(RawZipf),
    Fixed(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawZipf {
    pub count: u64,
    pub exponent: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConsumes {
    pub stream: String,
    pub poll_interval_ms: Option<u64>,
    pub processing_time_us: Option<RawProcessing>,
    pub commit: Option<String>,
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
}

/// One pipeline step: exactly one operator, and an optional display `label` for diagrams.
#[derive(Debug, Deserialize)]
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFilter {
    pub field: String,
    pub equals: Option<RawScalar>,
    pub not_equals: Option<RawScalar>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMap {
    #[serde(default)]
    pub set: std::collections::BTreeMap<String, RawScalar>,
    #[serde(default)]
    pub drop: Vec<String>,
    #[serde(default)]
    pub rename: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRekey {
    pub field: String,
}

#[derive(Debug, Deserialize)]
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAggregate {
    /// `"count"` or `"sum"`.
    pub op: String,
    /// For `"sum"`: the whole-number field to add up.
    pub field: Option<String>,
    /// The output field holding the total (default `"count"` or `"sum"`).
    pub into: Option<String>,
}

/// `{"fixed": 50}`, `{"uniform": [min, max]}` or `{"exponential_mean": 2000}`, in µs.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RawProcessing {
    Fixed(u64),
    Uniform([u64; 2]),
    ExponentialMean(u64),
}

/// Kafka consumer settings under their real names.
#[derive(Debug, Default, Deserialize)]
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
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFault {
    pub action: String,
    pub instance: String,
    pub at_us: Option<u64>,
    pub from_us: Option<u64>,
    pub until_us: Option<u64>,
    pub factor: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    pub check: String,
    pub stream: String,
    pub value: Option<u64>,
}

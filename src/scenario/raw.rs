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
    /// Queue-carrier settings under RabbitMQ's names (see `RawStreamRabbitmq`).
    #[serde(default)]
    pub rabbitmq: RawStreamRabbitmq,
}

/// How a stream is carried on the queue broker (RabbitMQ 3.13 classic queues): an exchange
/// named after the stream, and one queue per consuming service declared with these arguments.
#[derive(Debug, Default, Deserialize)]
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
    /// Publisher settings for the queue carrier.
    #[serde(default)]
    pub rabbitmq: RawProducerRabbitmq,
}

/// Publisher settings under RabbitMQ's names.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProducerRabbitmq {
    /// Per-message TTL in ms (the `expiration` message property); none by default. It only
    /// expires a message when the message reaches the head of its queue.
    pub expiration: Option<u64>,
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
    /// When the service starts consuming, in µs (default 0). On the log its group joins then;
    /// on the queue its queue is declared and bound then, so it sees only later messages.
    pub start_us: Option<u64>,
    #[serde(default)]
    pub kafka: RawConsumerKafka,
    /// Queue-carrier consumer settings.
    #[serde(default)]
    pub rabbitmq: RawConsumerRabbitmq,
}

/// Queue-carrier consumer settings, RabbitMQ's names where it has them.
#[derive(Debug, Default, Deserialize)]
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
#[derive(Debug, Deserialize)]
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScriptStep {
    /// Processing time of this delivery in µs (default: the service's).
    pub processing_time_us: Option<u64>,
    /// "ack", "nack", "nack_requeue", "reject", "reject_requeue" or "hold".
    pub decision: String,
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
    /// `"earliest"` or `"latest"` (Kafka's default): where a group with no committed offset
    /// starts reading.
    #[serde(rename = "auto.offset.reset")]
    pub auto_offset_reset: Option<String>,
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

//! The validated queue-carrier settings: RabbitMQ queue arguments per stream, and how a service
//! consumes from its queue (prefetch, ack mode, decisions, scripts).

use super::StreamId;

/// RabbitMQ exchange types eventlab models.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExchangeType {
    /// Every bound queue gets a copy; binding keys are ignored.
    Fanout,
    /// Queues whose binding key equals the routing key.
    Direct,
    /// Queues whose binding pattern matches the routing key (`*` one word, `#` zero or more).
    Topic,
}

impl ExchangeType {
    pub fn name(self) -> &'static str {
        match self {
            ExchangeType::Fanout => "fanout",
            ExchangeType::Direct => "direct",
            ExchangeType::Topic => "topic",
        }
    }
}

/// RabbitMQ `x-overflow`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overflow {
    /// Drop (or dead-letter) the oldest ready message.
    DropHead,
    /// Refuse the newly published message (it is dropped).
    RejectPublish,
    /// Refuse the newly published message and dead-letter it.
    RejectPublishDlx,
}

impl Overflow {
    pub fn name(self) -> &'static str {
        match self {
            Overflow::DropHead => "drop-head",
            Overflow::RejectPublish => "reject-publish",
            Overflow::RejectPublishDlx => "reject-publish-dlx",
        }
    }
}

/// The arguments every queue of a stream is declared with, plus the exchange type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueArgs {
    pub exchange_type: ExchangeType,
    /// `x-message-ttl`, in µs.
    pub message_ttl_us: Option<u64>,
    /// `x-max-length`: the most ready messages the queue holds.
    pub max_length: Option<u64>,
    /// `x-overflow`.
    pub overflow: Overflow,
    /// `x-dead-letter-exchange`: the stream (exchange) dead letters are published to.
    pub dead_letter_exchange: Option<StreamId>,
    /// `x-dead-letter-routing-key`; the message's own routing key when absent.
    pub dead_letter_routing_key: Option<String>,
}

impl Default for QueueArgs {
    fn default() -> Self {
        QueueArgs {
            exchange_type: ExchangeType::Fanout,
            message_ttl_us: None,
            max_length: None,
            overflow: Overflow::DropHead,
            dead_letter_exchange: None,
            dead_letter_routing_key: None,
        }
    }
}

/// What a consumer does with a delivery once it has processed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// `basic.ack`.
    Ack,
    /// `basic.nack` (single message) with `requeue`.
    Nack { requeue: bool },
    /// `basic.reject` with `requeue`.
    Reject { requeue: bool },
    /// Keep it unacknowledged until the channel closes.
    Hold,
}

impl Decision {
    pub fn name(self) -> &'static str {
        match self {
            Decision::Ack => "ack",
            Decision::Nack { requeue: true } => "nack_requeue",
            Decision::Nack { requeue: false } => "nack",
            Decision::Reject { requeue: true } => "reject_requeue",
            Decision::Reject { requeue: false } => "reject",
            Decision::Hold => "hold",
        }
    }
}

/// One scripted delivery: the n-th message this consumer receives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScriptStep {
    /// Overrides the service's processing time for this delivery.
    pub processing_time_us: Option<u64>,
    pub decision: Decision,
}

/// An exactly scripted consumer: one instance of the consuming service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerScript {
    /// Index of the instance within its service.
    pub instance_index: u32,
    /// Whether it calls `basic.consume` at all (a `basic.get`-only consumer does not).
    pub subscribe: bool,
    /// When it subscribes (defaults to the consumption's `start_us`).
    pub subscribe_at_us: u64,
    /// Overrides the consumption's prefetch.
    pub prefetch_count: Option<u32>,
    /// The n-th delivery follows `steps[n]`; later ones follow `then`.
    pub steps: Vec<ScriptStep>,
    pub then: Decision,
    /// Closes its channel at this time (unacked messages are requeued).
    pub close_at_us: Option<u64>,
    /// Closes its channel once it has decided on this many deliveries.
    pub close_after_deliveries: Option<u64>,
    /// Pulls one message with `basic.get` at each of these times.
    pub get_at_us: Vec<u64>,
}

/// How a service consumes a stream carried by the queue broker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueConsumer {
    /// `basic.qos` prefetch_count; 0 means unlimited.
    pub prefetch_count: u32,
    /// `basic.consume` with `no-ack`: the broker forgets a message once it is sent.
    pub auto_ack: bool,
    /// Deliveries processed at the same time by one consumer (worker threads).
    pub concurrency: u32,
    /// Binding keys of the service's queue (direct and topic exchanges).
    pub binding_keys: Vec<String>,
    /// Probability (ppm) that processing a delivery fails and the consumer nacks it; drawn per
    /// (seed, group, message id, delivery attempt).
    pub nack_ppm: u32,
    /// Whether those nacks requeue (else the message is dead-lettered or dropped).
    pub nack_requeue: bool,
    pub scripts: Vec<ConsumerScript>,
}

impl Default for QueueConsumer {
    fn default() -> Self {
        QueueConsumer {
            prefetch_count: 0,
            auto_ack: false,
            concurrency: 1,
            binding_keys: Vec::new(),
            nack_ppm: 0,
            nack_requeue: true,
            scripts: Vec::new(),
        }
    }
}

/// A queue on the queue broker: one per consuming service of a queue-carried stream, then one
/// holding queue per dead-letter stream that no service consumes (see `model::queue_layout`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QueueId(pub u32);

impl QueueId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Why a message left its queue without being acknowledged (RabbitMQ's x-death reasons).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DeathReason {
    /// Rejected or nacked with `requeue=false`.
    Rejected,
    /// Its TTL ran out at the head of the queue.
    Expired,
    /// Dropped from the head (or refused) because the queue was at `x-max-length`.
    Maxlen,
}

impl DeathReason {
    pub fn name(self) -> &'static str {
        match self {
            DeathReason::Rejected => "rejected",
            DeathReason::Expired => "expired",
            DeathReason::Maxlen => "maxlen",
        }
    }
}

//! The queue layout: the fixed mapping from a scenario to the queue broker's exchanges, queues
//! and bindings, computed once at validation and kept on `Scenario::queue_layout`.
//!
//! - Every stream carried by the queue is an exchange named after the stream, of the stream's
//!   `rabbitmq.exchange_type` (fanout by default).
//! - A consuming service (one consumer group of N instances) becomes one queue named
//!   `<stream>.<group>` with N competing consumers, bound with the service's binding keys.
//!   So K consuming services of one stream are K queues behind one exchange (a fanout copies
//!   every message into each).
//! - A stream named as some queue's `x-dead-letter-exchange` that no service consumes gets one
//!   holding queue, named after the stream and bound to receive every routing key, so that
//!   dead letters are kept and reported (in RabbitMQ you would declare this queue yourself).
//!
//! Queues are numbered in that order: group queues in group order, then holding queues in
//! stream order.
//!
//! This is model data shared by the queue broker, the trace writer and the reports. It is not
//! routing: how a routing key matches a [`Binding`] is `queue::routing`, which adds that
//! `impl` block.

use super::{Carrier, ExchangeType, Group, GroupId, QueueArgs, QueueId, Service, Stream, StreamId};

/// The queue a consuming group of a stream gets: `<stream>.<group>`.
pub fn queue_name(stream: &str, group: &str) -> String {
    format!("{stream}.{group}")
}

/// How one queue is bound to its exchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Binding {
    /// Fanout, or a holding queue: every message.
    All,
    Direct(Vec<String>),
    Topic(Vec<Vec<String>>),
}

impl Binding {
    pub fn new(exchange_type: ExchangeType, keys: &[String]) -> Binding {
        match exchange_type {
            ExchangeType::Fanout => Binding::All,
            ExchangeType::Direct => Binding::Direct(keys.to_vec()),
            ExchangeType::Topic => Binding::Topic(
                keys.iter()
                    .map(|key| key.split('.').map(str::to_string).collect())
                    .collect(),
            ),
        }
    }
}

/// One declared queue.
#[derive(Clone, Debug)]
pub struct QueueDecl {
    pub id: QueueId,
    pub name: String,
    pub stream: StreamId,
    /// The consuming group, or None for a dead-letter holding queue.
    pub group: Option<GroupId>,
    pub args: QueueArgs,
    pub binding: Binding,
    /// When the queue is declared and bound (the group's `start_us`; 0 for holding queues).
    pub declare_at_us: u64,
}

/// Every queue of a run, and which exchange and group each belongs to.
#[derive(Clone, Debug, Default)]
pub struct QueueLayout {
    pub queues: Vec<QueueDecl>,
    /// Queues bound to each stream's exchange, by stream index.
    pub bound: Vec<Vec<QueueId>>,
    /// The queue of each group (None when the group's stream is on the log).
    pub queue_of_group: Vec<Option<QueueId>>,
}

impl QueueLayout {
    /// The layout of a scenario's streams, services and groups. A function of the carriers:
    /// whoever changes a stream's carrier computes it again (as `compare::with_carrier` does).
    pub fn new(streams: &[Stream], services: &[Service], groups: &[Group]) -> QueueLayout {
        let mut layout = QueueLayout {
            queues: Vec::new(),
            bound: vec![Vec::new(); streams.len()],
            queue_of_group: vec![None; groups.len()],
        };
        for group in groups {
            let stream = &streams[group.stream.index()];
            if stream.carrier != Carrier::Queue {
                continue;
            }
            let consumption = &services[group.service.index()].consumes[group.consumption];
            let id = QueueId(layout.queues.len() as u32);
            layout.queues.push(QueueDecl {
                id,
                name: queue_name(&stream.name, &group.name),
                stream: stream.id,
                group: Some(group.id),
                args: stream.rabbitmq.clone(),
                binding: Binding::new(
                    stream.rabbitmq.exchange_type,
                    &consumption.queue.binding_keys,
                ),
                declare_at_us: consumption.start_us,
            });
            layout.bound[stream.id.index()].push(id);
            layout.queue_of_group[group.id.index()] = Some(id);
        }
        for stream in streams {
            let is_dlx = streams.iter().any(|other| {
                other.carrier == Carrier::Queue
                    && other.rabbitmq.dead_letter_exchange == Some(stream.id)
            });
            if !is_dlx || !layout.bound[stream.id.index()].is_empty() {
                continue;
            }
            let id = QueueId(layout.queues.len() as u32);
            layout.queues.push(QueueDecl {
                id,
                name: stream.name.clone(),
                stream: stream.id,
                group: None,
                // A holding queue keeps what it gets: no TTL, no limit, no further dead-lettering.
                args: QueueArgs::default(),
                binding: Binding::All,
                declare_at_us: 0,
            });
            layout.bound[stream.id.index()].push(id);
        }
        layout
    }

    pub fn queue(&self, id: QueueId) -> &QueueDecl {
        &self.queues[id.index()]
    }
}

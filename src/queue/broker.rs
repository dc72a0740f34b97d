//! The queue broker actor: every exchange and queue of the scenario's queue-carried streams.
//!
//! Handles `basic.publish` (route, enqueue, enforce `x-max-length`), `basic.consume` with
//! `basic.qos`, `basic.ack` / `basic.nack` / `basic.reject`, `basic.get`, `channel.close`, a
//! lost connection (the consumer's process died), and TTL timers. After every change it runs
//! dispatch inline: while the head message is deliverable and some consumer has credit, deliver.
//!
//! Tie rules at one instant (the kernel runs events at one time in scheduling order):
//! - a publish is delivered to a waiting consumer before `x-max-length` drops the head, as in
//!   `rabbit_amqqueue_process:deliver_or_enqueue`; `reject-publish` refuses before delivery;
//! - a nack with requeue puts the message back, then the nacking consumer regains credit at the
//!   back of the ring, then dispatch runs (so another consumer with credit gets it first);
//! - a channel closing requeues its unacked messages in delivery order, then dispatch runs;
//! - a TTL timer expires heads after everything else scheduled earlier at that instant.

use crate::model::{
    Binding, DeathReason, InstanceId, Overflow, QueueId, QueueLayout, Scenario, StreamId,
};
use crate::protocol::{Msg, Record};
use crate::sim::{Actor, ActorId, Ctx, TimerId};
use crate::trace::{TraceEvent, TraceSink};

use super::dead_letter::DeathTable;
use super::dispatch::Consumers;
use super::queue_state::{QueueState, QueuedMessage};
use super::ttl;

type BrokerCtx<'k, S> = Ctx<'k, Msg, TraceEvent, S>;

struct Queue {
    state: QueueState,
    consumers: Consumers,
    /// The earliest pending TTL timer.
    ttl_timer_at_us: Option<u64>,
}

pub struct QueueBroker {
    layout: QueueLayout,
    queues: Vec<Queue>,
    /// The run's keys: a record's key text is its routing key.
    keys: std::rc::Rc<crate::model::RunKeys>,
    deaths: DeathTable,
    /// Messages held in queues (ready and unacked), against `limits.stored_records_max`.
    stored: u64,
    stored_max: u64,
    instance_of_actor: Vec<Option<InstanceId>>,
}

impl QueueBroker {
    pub fn new(
        model: &Scenario,
        actor_of: impl Fn(InstanceId) -> ActorId,
        keys: std::rc::Rc<crate::model::RunKeys>,
    ) -> Self {
        let layout = model.queue_layout.clone();
        let queues = layout
            .queues
            .iter()
            .map(|_| Queue {
                state: QueueState::default(),
                consumers: Consumers::default(),
                ttl_timer_at_us: None,
            })
            .collect();
        let mut instance_of_actor = Vec::new();
        for instance in &model.instances {
            let actor = actor_of(instance.id).index();
            if instance_of_actor.len() <= actor {
                instance_of_actor.resize(actor + 1, None);
            }
            instance_of_actor[actor] = Some(instance.id);
        }
        QueueBroker {
            layout,
            queues,
            keys,
            deaths: DeathTable::default(),
            stored: 0,
            stored_max: model.limits.stored_records_max,
            instance_of_actor,
        }
    }

    fn routing_key(&self, record: &Record) -> std::borrow::Cow<'_, str> {
        record
            .key
            .map_or(std::borrow::Cow::Borrowed(""), |key| self.keys.text(key))
    }

    /// Declared queues bound to `stream` that match `routing_key`.
    fn route(&self, stream: StreamId, routing_key: &str) -> Vec<QueueId> {
        self.layout.bound[stream.index()]
            .iter()
            .copied()
            .filter(|&queue| {
                self.queues[queue.index()].state.declared
                    && self.layout.queue(queue).binding.matches(routing_key)
            })
            .collect()
    }

    fn declare<S: TraceSink>(&mut self, ctx: &mut BrokerCtx<S>, queue: QueueId) {
        let state = &mut self.queues[queue.index()].state;
        if !state.declared {
            state.declared = true;
            ctx.emit(TraceEvent::QueueDeclared { queue });
        }
    }

    /// Whether the `index`-th queue bound to `stream` takes `record`.
    #[inline]
    fn reaches(&self, stream: StreamId, index: usize, record: &Record) -> bool {
        let queue = self.layout.bound[stream.index()][index];
        if !self.queues[queue.index()].state.declared {
            return false;
        }
        match &self.layout.queue(queue).binding {
            // Fanout needs no routing key (the common case: skip looking up its text).
            Binding::All => true,
            binding => binding.matches(&self.routing_key(record)),
        }
    }

    fn publish<S: TraceSink>(
        &mut self,
        ctx: &mut BrokerCtx<S>,
        stream: StreamId,
        record: Record,
        ttl: Option<u64>,
    ) {
        // Route once (no allocation): the first 64 bound queues in a bit mask, any further
        // ones are asked again below. Count first (the routed event precedes the enqueues).
        let bound = self.layout.bound[stream.index()].len();
        let mut reached: u64 = 0;
        let mut count = 0u32;
        for index in 0..bound {
            if self.reaches(stream, index, &record) {
                count += 1;
                if index < 64 {
                    reached |= 1 << index;
                }
            }
        }
        ctx.emit(TraceEvent::Routed {
            stream,
            msg: record.id,
            queues: count,
        });
        for index in 0..bound {
            let takes = if index < 64 {
                reached & (1 << index) != 0
            } else {
                self.reaches(stream, index, &record)
            };
            if takes {
                let queue = self.layout.bound[stream.index()][index];
                self.enqueue(ctx, queue, record, ttl, 0);
            }
        }
    }

    /// A message enters `queue` (published, or dead-lettered into it).
    fn enqueue<S: TraceSink>(
        &mut self,
        ctx: &mut BrokerCtx<S>,
        queue: QueueId,
        record: Record,
        message_ttl_us: Option<u64>,
        death: u32,
    ) {
        let args = &self.layout.queue(queue).args;
        let (max_length, overflow, queue_ttl_us) =
            (args.max_length, args.overflow, args.message_ttl_us);
        let now = ctx.now().as_us();
        let message = QueuedMessage {
            record,
            position: 0,
            redelivered: false,
            expires_at_us: ttl::expires_at_us(now, queue_ttl_us, message_ttl_us),
            death,
        };
        if let Some(max) = max_length
            && overflow != Overflow::DropHead
            && self.queues[queue.index()].state.len() as u64 >= max
        {
            let dead_lettered = overflow == Overflow::RejectPublishDlx
                && self.layout.queue(queue).args.dead_letter_exchange.is_some();
            ctx.emit(TraceEvent::PublishRejected {
                queue,
                msg: record.id,
                dead_lettered,
            });
            if dead_lettered {
                // It never entered the queue: no `dead_lettered` event (that one means "left").
                self.republish_dead_letter(ctx, queue, message, DeathReason::Maxlen, false);
            }
            return;
        }
        let position = self.queues[queue.index()].state.push(message);
        ctx.emit(TraceEvent::Enqueued {
            queue,
            msg: record.id,
            position,
        });
        self.stored += 1;
        if self.stored > self.stored_max {
            ctx.halt("limits.stored_records_max", self.stored_max);
        }
        self.dispatch(ctx, queue);
        if let Some(max) = max_length
            && overflow == Overflow::DropHead
        {
            while self.queues[queue.index()].state.len() as u64 > max {
                let head = self.queues[queue.index()]
                    .state
                    .pop()
                    .expect("longer than max");
                self.stored -= 1;
                self.dead_letter_or_drop(ctx, queue, head, DeathReason::Maxlen);
            }
        }
        self.arm_ttl(ctx, queue);
    }

    /// A message leaves `queue` unacknowledged: to the dead-letter exchange, or gone.
    fn dead_letter_or_drop<S: TraceSink>(
        &mut self,
        ctx: &mut BrokerCtx<S>,
        queue: QueueId,
        message: QueuedMessage,
        reason: DeathReason,
    ) {
        if self.layout.queue(queue).args.dead_letter_exchange.is_none() {
            ctx.emit(TraceEvent::Dropped {
                queue,
                msg: message.record.id,
                reason,
            });
            return;
        }
        self.republish_dead_letter(ctx, queue, message, reason, true);
    }

    fn republish_dead_letter<S: TraceSink>(
        &mut self,
        ctx: &mut BrokerCtx<S>,
        queue: QueueId,
        message: QueuedMessage,
        reason: DeathReason,
        left_the_queue: bool,
    ) {
        let args = &self.layout.queue(queue).args;
        let exchange = args.dead_letter_exchange.expect("checked by the caller");
        let routing_key = match &args.dead_letter_routing_key {
            Some(key) => key.clone(),
            None => self.routing_key(&message.record).into_owned(),
        };
        let death = self.deaths.record(message.death, queue, reason);
        let targets: Vec<QueueId> = self
            .route(exchange, &routing_key)
            .into_iter()
            .filter(|&target| !self.deaths.cycles(message.death, target))
            .collect();
        if left_the_queue {
            ctx.emit(TraceEvent::DeadLettered {
                queue,
                msg: message.record.id,
                reason,
                to_queues: targets.len() as u32,
            });
        }
        for target in targets {
            // Dead-lettering removes the per-message expiration.
            self.enqueue(ctx, target, message.record, None, death);
        }
    }

    /// Dead-letters (or drops) the expired messages at the head of `queue`: only the head
    /// expires (`expired` says when, before a dispatch or at a TTL timer).
    #[inline]
    fn expire_heads<S: TraceSink>(
        &mut self,
        ctx: &mut BrokerCtx<S>,
        queue: QueueId,
        expired: fn(u64, u64) -> bool,
    ) {
        let now = ctx.now().as_us();
        while let Some(head) = self.queues[queue.index()].state.head() {
            if !expired(head.expires_at_us, now) {
                break;
            }
            let head = self.queues[queue.index()].state.pop().expect("has a head");
            self.stored -= 1;
            self.dead_letter_or_drop(ctx, queue, head, DeathReason::Expired);
        }
    }

    /// Delivers while the head is deliverable and a consumer has credit.
    fn dispatch<S: TraceSink>(&mut self, ctx: &mut BrokerCtx<S>, queue: QueueId) {
        loop {
            self.expire_heads(ctx, queue, ttl::expired_before_dispatch);
            let q = &mut self.queues[queue.index()];
            // An empty queue returns before the ring is asked: asking changes it.
            if q.state.head().is_none() {
                return;
            }
            let Some(index) = q.consumers.next_with_credit() else {
                return;
            };
            let message = q.state.pop().expect("has a head");
            let auto_ack = q.consumers.channels[index].auto_ack;
            Self::deliver(ctx, q, queue, index, message, auto_ack, false);
            if auto_ack {
                self.stored -= 1;
            }
            self.queues[queue.index()].consumers.delivered(index);
        }
    }

    fn deliver<S: TraceSink>(
        ctx: &mut BrokerCtx<S>,
        q: &mut Queue,
        queue: QueueId,
        index: usize,
        message: QueuedMessage,
        auto_ack: bool,
        get: bool,
    ) {
        let channel = &mut q.consumers.channels[index];
        let tag = if auto_ack {
            0
        } else {
            let tag = channel.next_tag();
            channel.unacked.push_back((tag, message));
            tag
        };
        ctx.emit(TraceEvent::Delivered {
            queue,
            instance: channel.instance,
            msg: message.record.id,
            redelivered: message.redelivered,
            auto_ack,
            get,
        });
        ctx.send(
            channel.actor,
            Msg::Deliver {
                queue,
                tag,
                record: message.record,
                redelivered: message.redelivered,
                get,
            },
        );
    }

    fn requeue(&mut self, queue: QueueId, mut message: QueuedMessage) {
        message.redelivered = true;
        self.queues[queue.index()].state.requeue(message);
    }

    fn close_channel<S: TraceSink>(
        &mut self,
        ctx: &mut BrokerCtx<S>,
        queue: QueueId,
        index: usize,
    ) {
        let q = &mut self.queues[queue.index()];
        let instance = q.consumers.channels[index].instance;
        let was_open = q.consumers.channels[index].subscribed
            || !q.consumers.channels[index].unacked.is_empty();
        let unacked = q.consumers.close(index);
        if !was_open {
            return;
        }
        let requeued = unacked.len() as u32;
        for message in unacked {
            self.requeue(queue, message);
        }
        ctx.emit(TraceEvent::ChannelClosed {
            queue,
            instance,
            requeued,
        });
        self.dispatch(ctx, queue);
        self.arm_ttl(ctx, queue);
    }

    /// Makes sure a TTL timer is pending for the head's expiry.
    fn arm_ttl<S: TraceSink>(&mut self, ctx: &mut BrokerCtx<S>, queue: QueueId) {
        let q = &mut self.queues[queue.index()];
        let Some(head) = q.state.head() else { return };
        let at = head.expires_at_us;
        if at == u64::MAX || q.ttl_timer_at_us.is_some_and(|pending| pending <= at) {
            return;
        }
        q.ttl_timer_at_us = Some(at);
        ctx.set_timer(at.saturating_sub(ctx.now().as_us()), queue.0);
    }

    fn channel_for(&mut self, queue: QueueId, from: ActorId) -> Option<usize> {
        self.queues.get(queue.index())?.consumers.channel_of(from)
    }
}

/// The handlers of the rarer messages (the hot ones, publish, ack and nack, stay in `on_msg`).
impl QueueBroker {
    /// basic.qos + basic.consume: opens the instance's channel on the queue and dispatches.
    fn on_subscribe<S: TraceSink>(
        &mut self,
        ctx: &mut BrokerCtx<S>,
        from: ActorId,
        queue: QueueId,
        prefetch_count: u32,
        auto_ack: bool,
    ) {
        let Some(instance) = self.instance_of_actor.get(from.index()).copied().flatten() else {
            return;
        };
        self.declare(ctx, queue);
        let q = &mut self.queues[queue.index()];
        let index = q.consumers.open(instance, from);
        q.consumers.subscribe(index, prefetch_count, auto_ack);
        self.dispatch(ctx, queue);
        self.arm_ttl(ctx, queue);
    }

    /// basic.get: one message, or GetEmpty.
    fn on_get<S: TraceSink>(
        &mut self,
        ctx: &mut BrokerCtx<S>,
        from: ActorId,
        queue: QueueId,
        auto_ack: bool,
    ) {
        let Some(instance) = self.instance_of_actor.get(from.index()).copied().flatten() else {
            return;
        };
        self.declare(ctx, queue);
        // Expired heads go first, as in dispatch.
        self.expire_heads(ctx, queue, ttl::expired_before_dispatch);
        let q = &mut self.queues[queue.index()];
        let index = q.consumers.open(instance, from);
        match q.state.pop() {
            Some(message) => {
                // basic.get ignores prefetch; its auto-ack is per call.
                Self::deliver(ctx, q, queue, index, message, auto_ack, true);
                if auto_ack {
                    self.stored -= 1;
                }
                self.arm_ttl(ctx, queue);
            }
            None => ctx.send(from, Msg::GetEmpty { queue }),
        }
    }

    /// The instance's connection is gone: every channel it had is closed.
    fn on_connection_lost<S: TraceSink>(&mut self, ctx: &mut BrokerCtx<S>, instance: InstanceId) {
        for index in 0..self.queues.len() {
            let queue = QueueId(index as u32);
            let channel = self.queues[index]
                .consumers
                .channels
                .iter()
                .position(|channel| channel.instance == instance);
            if let Some(channel) = channel {
                self.close_channel(ctx, queue, channel);
            }
        }
    }
}

impl Actor for QueueBroker {
    type Msg = Msg;
    type Event = TraceEvent;

    fn on_start<S: TraceSink>(&mut self, ctx: &mut BrokerCtx<S>) {
        for index in 0..self.layout.queues.len() {
            if self.layout.queues[index].declare_at_us == 0 {
                self.declare(ctx, QueueId(index as u32));
            }
        }
    }

    fn on_msg<S: TraceSink>(&mut self, ctx: &mut BrokerCtx<S>, from: ActorId, msg: Msg) {
        // The messages the broker handles own nothing and are read by copy: held in a
        // `ManuallyDrop`, they skip the drop the compiler cannot rule out (an out-of-line call
        // on every message). Any other message is dropped in its arm.
        let msg = std::mem::ManuallyDrop::new(msg);
        match *msg {
            Msg::Publish {
                stream,
                record,
                expiration_ms,
            } => self.publish(
                ctx,
                stream,
                record,
                expiration_ms.map(|ms| u64::from(ms) * 1_000),
            ),
            Msg::Subscribe {
                queue,
                prefetch_count,
                auto_ack,
            } => self.on_subscribe(ctx, from, queue, prefetch_count, auto_ack),
            Msg::Ack { queue, tag } => {
                let Some(index) = self.channel_for(queue, from) else {
                    return;
                };
                let q = &mut self.queues[queue.index()];
                let Some(message) = q.consumers.take_unacked(index, tag) else {
                    return; // Unknown tag (RabbitMQ would close the channel: PRECONDITION_FAILED).
                };
                ctx.emit(TraceEvent::Acked {
                    queue,
                    instance: q.consumers.channels[index].instance,
                    msg: message.record.id,
                });
                self.stored -= 1;
                q.consumers.credit_returned(index);
                self.dispatch(ctx, queue);
            }
            Msg::Nack {
                queue,
                tag,
                requeue,
                reject,
            } => {
                let Some(index) = self.channel_for(queue, from) else {
                    return;
                };
                let q = &mut self.queues[queue.index()];
                let Some(message) = q.consumers.take_unacked(index, tag) else {
                    return;
                };
                ctx.emit(TraceEvent::Nacked {
                    queue,
                    instance: q.consumers.channels[index].instance,
                    msg: message.record.id,
                    requeue,
                    reject,
                });
                if requeue {
                    self.requeue(queue, message);
                } else {
                    self.stored -= 1;
                    self.dead_letter_or_drop(ctx, queue, message, DeathReason::Rejected);
                }
                self.queues[queue.index()].consumers.credit_returned(index);
                self.dispatch(ctx, queue);
                self.arm_ttl(ctx, queue);
            }
            Msg::Get { queue, auto_ack } => self.on_get(ctx, from, queue, auto_ack),
            Msg::CloseChannel { queue } => {
                if let Some(index) = self.channel_for(queue, from) {
                    self.close_channel(ctx, queue, index);
                }
            }
            Msg::ConnectionLost { instance } => self.on_connection_lost(ctx, instance),
            _ => {
                let other = std::mem::ManuallyDrop::into_inner(msg);
                debug_assert!(false, "the queue broker never receives {other:?}");
            }
        }
    }

    fn on_timer<S: TraceSink>(&mut self, ctx: &mut BrokerCtx<S>, _id: TimerId, tag: u32) {
        let queue = QueueId(tag);
        let now = ctx.now().as_us();
        let q = &mut self.queues[queue.index()];
        if q.ttl_timer_at_us == Some(now) {
            q.ttl_timer_at_us = None;
        }
        self.expire_heads(ctx, queue, ttl::expired_at_timer);
        self.arm_ttl(ctx, queue);
    }

    fn on_crash<S: TraceSink>(&mut self, _ctx: &mut BrokerCtx<S>) {
        // Broker faults are a later issue; validation only lets instances crash.
    }

    fn on_end<S: TraceSink>(&mut self, ctx: &mut BrokerCtx<S>) {
        for (index, q) in self.queues.iter().enumerate() {
            let queue = QueueId(index as u32);
            let mut left: Vec<(QueuedMessage, bool)> = q
                .consumers
                .channels
                .iter()
                .flat_map(|channel| channel.unacked.iter().map(|&(_, m)| (m, true)))
                .collect();
            left.extend(q.state.in_order().into_iter().map(|m| (m, false)));
            left.sort_by_key(|(message, _)| message.position);
            for (message, unacked) in left {
                ctx.emit(TraceEvent::LeftInQueue {
                    queue,
                    msg: message.record.id,
                    redelivered: message.redelivered,
                    unacked,
                    death: self
                        .deaths
                        .latest(message.death)
                        .map(|death| (death.reason, death.queue, death.count)),
                });
            }
        }
    }
}

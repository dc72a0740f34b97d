//! A queue consumer: one instance's channel on its service's queue (queue carrier).
//!
//! It subscribes (`basic.qos` prefetch_count + `basic.consume`) at its start time, keeps the
//! deliveries it receives in arrival order, and processes up to `concurrency` of them at once;
//! each takes the same keyed processing time a log consumer would take for that message. When
//! one is done it decides: ack (the default), nack or reject (with or without requeue), or hold
//! it unacknowledged. A scripted consumer follows its script: per-delivery processing times and
//! decisions, closing its channel at a time or after N decisions, and `basic.get` pulls.
//!
//! With auto-ack the broker forgot each message when it sent it: what the consumer has not
//! finished when its process dies, or when it closes its channel, is lost (`delivery_lost`).

use std::collections::VecDeque;

use crate::model::{
    ConsumerScript, Consumption, Decision, GroupId, InstanceId, ProcessingTime, QueueId,
};
use crate::protocol::{Msg, Record};
use crate::sim::{ActorId, Ctx, TimerId, rng};
use crate::trace::{TraceEvent, TraceSink};

use super::tag;

type InstanceCtx<'k, S> = Ctx<'k, Msg, TraceEvent, S>;

#[derive(Clone, Copy, Debug)]
struct Delivery {
    record: Record,
    tag: u64,
    redelivered: bool,
}

pub struct QueueConsumerRole {
    pub group: GroupId,
    pub queue: QueueId,
    /// This role's index among the instance's queue consumers, carried in timer tags.
    index: u32,
    seed: u64,
    processing: ProcessingTime,
    processing_stream: u64,
    nack_stream: u64,
    prefetch_count: u32,
    auto_ack: bool,
    concurrency: usize,
    nack_ppm: u32,
    nack_requeue: bool,
    script: Option<ConsumerScript>,
    subscribe: bool,
    subscribe_at_us: u64,
    // State.
    /// Closed its channel for good.
    closed: bool,
    buffer: VecDeque<Delivery>,
    /// In the order they started (with a fixed processing time, also the order they finish).
    in_progress: VecDeque<(TimerId, Delivery)>,
    /// Deliveries decided so far (the script's step index).
    decided: u64,
    next_get: usize,
    /// The run's pipelines, when this group's flow runs on what it finishes (log: processed;
    /// queue: acked).
    pub flow: Option<std::rc::Rc<crate::pipeline::Dataflow>>,
    /// The run's schema checks (the deserializer), when a stream has a schema.
    pub schemas: Option<std::rc::Rc<super::SchemaRun>>,
    /// The deserializer's schema cache: the writer schemas' ids this instance has fetched
    /// since it (re)started.
    pub schema_cache: super::SchemaCache,
    /// What the flow sent on since the instance last took it.
    pub emissions: Vec<crate::pipeline::Emission>,
}

impl QueueConsumerRole {
    pub fn new(
        index: u32,
        seed: u64,
        group_name: &str,
        queue: QueueId,
        instance_index: u32,
        config: &Consumption,
    ) -> Self {
        let script = config
            .queue
            .scripts
            .iter()
            .find(|script| script.instance_index == instance_index)
            .cloned();
        let (subscribe, subscribe_at_us, prefetch_count) = match &script {
            Some(script) => (
                script.subscribe,
                script.subscribe_at_us,
                script.prefetch_count.unwrap_or(config.queue.prefetch_count),
            ),
            None => (true, config.start_us, config.queue.prefetch_count),
        };
        QueueConsumerRole {
            flow: None,
            schemas: None,
            schema_cache: super::SchemaCache::default(),
            emissions: Vec::new(),
            group: config.group,
            queue,
            index,
            seed,
            processing: config.processing,
            processing_stream: rng::stream_id("group", group_name, "processing"),
            nack_stream: rng::stream_id("group", group_name, "nack"),
            prefetch_count,
            auto_ack: config.queue.auto_ack,
            concurrency: config.queue.concurrency as usize,
            nack_ppm: config.queue.nack_ppm,
            nack_requeue: config.queue.nack_requeue,
            script,
            subscribe,
            subscribe_at_us,
            closed: false,
            buffer: VecDeque::new(),
            in_progress: VecDeque::new(),
            decided: 0,
            next_get: 0,
        }
    }

    /// At start and after a restart: (re)subscribe when due, and set the script's timers.
    pub fn start<S: TraceSink>(&mut self, ctx: &mut InstanceCtx<S>) {
        if self.closed {
            return;
        }
        let now = ctx.now().as_us();
        if self.subscribe {
            ctx.set_timer(
                self.subscribe_at_us.saturating_sub(now),
                tag::QUEUE_SUBSCRIBE | self.index,
            );
        }
        if let Some(script) = &self.script {
            if let Some(close_at) = script.close_at_us
                && close_at >= now
            {
                ctx.set_timer(close_at - now, tag::QUEUE_CLOSE | self.index);
            }
            while script
                .get_at_us
                .get(self.next_get)
                .is_some_and(|&at| at < now)
            {
                self.next_get += 1;
            }
            if let Some(&at) = script.get_at_us.get(self.next_get) {
                ctx.set_timer(at - now, tag::QUEUE_GET | self.index);
            }
        }
    }

    pub fn on_subscribe_timer<S: TraceSink>(&mut self, ctx: &mut InstanceCtx<S>, broker: ActorId) {
        if self.closed {
            return;
        }
        ctx.send(
            broker,
            Msg::Subscribe {
                queue: self.queue,
                prefetch_count: self.prefetch_count,
                auto_ack: self.auto_ack,
            },
        );
    }

    pub fn on_get_timer<S: TraceSink>(
        &mut self,
        ctx: &mut InstanceCtx<S>,
        broker: ActorId,
        me: InstanceId,
    ) {
        if self.closed {
            return;
        }
        ctx.send(
            broker,
            Msg::Get {
                queue: self.queue,
                auto_ack: self.auto_ack,
            },
        );
        self.next_get += 1;
        let now = ctx.now().as_us();
        let script = self.script.as_ref().expect("gets are scripted");
        match script.get_at_us.get(self.next_get) {
            Some(&at) => {
                ctx.set_timer(at - now, tag::QUEUE_GET | self.index);
            }
            None if !self.subscribe => {
                // A get-only consumer is done once its last pull is answered and processed;
                // it never subscribes, so nothing else will come.
                ctx.emit(TraceEvent::ConsumerFinished {
                    group: self.group,
                    instance: me,
                });
            }
            None => {}
        }
    }

    pub fn on_close_timer<S: TraceSink>(
        &mut self,
        ctx: &mut InstanceCtx<S>,
        broker: ActorId,
        me: InstanceId,
    ) {
        self.close(ctx, broker, me);
    }

    #[allow(clippy::too_many_arguments)]
    pub fn on_deliver<S: TraceSink>(
        &mut self,
        ctx: &mut InstanceCtx<S>,
        broker: ActorId,
        me: InstanceId,
        slow_factor_ppm: u64,
        tag: u64,
        record: Record,
        redelivered: bool,
    ) {
        if self.closed {
            // The broker requeues it when the close reaches it; with auto-ack it had already
            // forgotten it, so it is lost.
            if self.auto_ack {
                ctx.emit(TraceEvent::DeliveryLost {
                    group: self.group,
                    instance: me,
                    msg: record.id,
                });
            }
            return;
        }
        let delivery = Delivery {
            record,
            tag,
            redelivered,
        };
        if self.buffer.is_empty()
            && self.in_progress.len() < self.concurrency
            && (record.schema_id == 0 || self.schema_cache.ready(record.schema_id))
        {
            // A worker is free and nothing waits: start it at once (what `start_ready` would
            // do after a round trip through the buffer, which a store-forwarding stall made
            // costly on every delivery).
            self.begin(ctx, broker, me, slow_factor_ppm, delivery);
            return;
        }
        self.buffer.push_back(delivery);
        self.start_ready(ctx, broker, me, slow_factor_ppm);
    }

    /// The registry's answer to this role's schema fetch: cache it and start what waited.
    pub fn on_schema_fetched<S: TraceSink>(
        &mut self,
        ctx: &mut InstanceCtx<S>,
        broker: ActorId,
        me: InstanceId,
        slow_factor_ppm: u64,
        (id, asked_at): (u32, crate::sim::SimTime),
    ) {
        if self
            .schema_cache
            .answered(ctx, self.group, me, id, asked_at)
        {
            self.start_ready(ctx, broker, me, slow_factor_ppm);
        }
    }

    /// Starts deliveries while a worker is free.
    fn start_ready<S: TraceSink>(
        &mut self,
        ctx: &mut InstanceCtx<S>,
        broker: ActorId,
        me: InstanceId,
        slow_factor_ppm: u64,
    ) {
        while !self.closed && self.in_progress.len() < self.concurrency {
            let Some(front) = self.buffer.front() else {
                return;
            };
            // The deserializer needs the writer schema first: the delivery and the ones after
            // it wait in the buffer for the registry's answer.
            let id = front.record.schema_id;
            if id != 0 && !self.schema_cache.ready(id) {
                let (group, index) = (self.group, self.index);
                self.schema_cache.fetch(ctx, group, me, id, index, true);
                return;
            }
            let Some(delivery) = self.buffer.pop_front() else {
                return;
            };
            self.begin(ctx, broker, me, slow_factor_ppm, delivery);
        }
    }

    /// Starts processing `delivery` on a free worker.
    #[inline]
    fn begin<S: TraceSink>(
        &mut self,
        ctx: &mut InstanceCtx<S>,
        broker: ActorId,
        me: InstanceId,
        slow_factor_ppm: u64,
        delivery: Delivery,
    ) {
        {
            let step = self.decided + self.in_progress.len() as u64;
            let scripted_time = self
                .script
                .as_ref()
                .and_then(|script| script.steps.get(step as usize))
                .and_then(|step| step.processing_time_us);
            let time_us = match scripted_time {
                Some(time_us) => time_us,
                None => super::processing::processing_time_us(
                    self.processing,
                    self.seed,
                    self.processing_stream,
                    delivery.record.id.as_u64(),
                    slow_factor_ppm,
                ),
            };
            if time_us == 0 {
                self.finish(ctx, broker, me, delivery);
            } else {
                let timer = ctx.set_timer(time_us, tag::QUEUE_PROCESS | self.index);
                self.in_progress.push_back((timer, delivery));
            }
        }
    }

    pub fn on_processed<S: TraceSink>(
        &mut self,
        ctx: &mut InstanceCtx<S>,
        broker: ActorId,
        me: InstanceId,
        slow_factor_ppm: u64,
        timer: TimerId,
    ) {
        // Copied from its place in the list, then removed: a delivery popped out whole is read
        // back at once, which stalls store-to-load forwarding.
        let delivery = match self.in_progress.front() {
            Some(&(id, delivery)) if id == timer => {
                self.in_progress.pop_front();
                delivery
            }
            _ => {
                let Some(position) = self.in_progress.iter().position(|(id, _)| *id == timer)
                else {
                    return;
                };
                let delivery = self.in_progress[position].1;
                self.in_progress.remove(position);
                delivery
            }
        };
        self.finish(ctx, broker, me, delivery);
        self.start_ready(ctx, broker, me, slow_factor_ppm);
    }

    fn decision_for(&self, delivery: &Delivery) -> Decision {
        if let Some(script) = &self.script {
            return script
                .steps
                .get(self.decided as usize)
                .map_or(script.then, |step| step.decision);
        }
        if self.nack_ppm > 0 {
            // Keyed by message and delivery tag: the same failures in every run of one seed.
            let key = delivery.record.id.as_u64() ^ delivery.tag.rotate_left(40);
            if rng::keyed_below(self.seed, self.nack_stream, key, 1_000_000)
                < u64::from(self.nack_ppm)
            {
                return Decision::Nack {
                    requeue: self.nack_requeue,
                };
            }
        }
        Decision::Ack
    }

    fn finish<S: TraceSink>(
        &mut self,
        ctx: &mut InstanceCtx<S>,
        broker: ActorId,
        me: InstanceId,
        delivery: Delivery,
    ) {
        let decision = if self.auto_ack {
            // Nothing to acknowledge: the broker already forgot the message.
            Decision::Ack
        } else {
            self.decision_for(&delivery)
        };
        self.decided += 1;
        if decision != Decision::Ack || self.script.is_some() {
            ctx.emit(TraceEvent::Decided {
                group: self.group,
                instance: me,
                msg: delivery.record.id,
                decision,
            });
        }
        match decision {
            Decision::Ack => {
                if !self.auto_ack {
                    ctx.send(
                        broker,
                        Msg::Ack {
                            queue: self.queue,
                            tag: delivery.tag,
                        },
                    );
                }
                ctx.emit(TraceEvent::Processed {
                    group: self.group,
                    instance: me,
                    msg: delivery.record.id,
                    key: delivery.record.key,
                    sent_at: delivery.record.sent_at,
                    redelivered: delivery.redelivered,
                });
                let decode_failure = match &self.schemas {
                    Some(schemas) => schemas.check_consume(self.group, &delivery.record, ctx.now()),
                    None => None,
                };
                if let Some(reason) = decode_failure {
                    // Acked and skipped: no flow sees it.
                    ctx.emit(TraceEvent::DecodeFailed {
                        group: self.group,
                        instance: me,
                        position: None,
                        msg: delivery.record.id,
                        reason,
                    });
                } else if let Some(dataflow) = &self.flow {
                    dataflow.run(self.group, &delivery.record, &mut self.emissions);
                }
            }
            Decision::Nack { requeue } | Decision::Reject { requeue } => ctx.send(
                broker,
                Msg::Nack {
                    queue: self.queue,
                    tag: delivery.tag,
                    requeue,
                    reject: matches!(decision, Decision::Reject { .. }),
                },
            ),
            Decision::Hold => {}
        }
        if let Some(after) = self
            .script
            .as_ref()
            .and_then(|script| script.close_after_deliveries)
            && self.decided >= after
        {
            self.close(ctx, broker, me);
        }
    }

    /// `channel.close`: the broker requeues what is unacked; the consumer never consumes again.
    fn close<S: TraceSink>(&mut self, ctx: &mut InstanceCtx<S>, broker: ActorId, me: InstanceId) {
        if self.closed {
            return;
        }
        self.closed = true;
        ctx.send(broker, Msg::CloseChannel { queue: self.queue });
        for (timer, _) in &self.in_progress {
            ctx.cancel_timer(*timer);
        }
        self.drop_deliveries(ctx, me);
        ctx.emit(TraceEvent::ConsumerFinished {
            group: self.group,
            instance: me,
        });
    }

    /// Forgets unfinished deliveries: with auto-ack they are lost; otherwise the broker still
    /// holds them unacked and requeues them when the channel closes.
    fn drop_deliveries<S: TraceSink>(&mut self, ctx: &mut InstanceCtx<S>, me: InstanceId) {
        let unfinished = self
            .in_progress
            .drain(..)
            .map(|(_, delivery)| delivery)
            .chain(self.buffer.drain(..));
        if self.auto_ack {
            for delivery in unfinished {
                ctx.emit(TraceEvent::DeliveryLost {
                    group: self.group,
                    instance: me,
                    msg: delivery.record.id,
                });
            }
        } else {
            unfinished.for_each(drop);
        }
    }

    /// The process died: volatile state is lost (the broker sees the connection drop).
    pub fn crash<S: TraceSink>(&mut self, ctx: &mut InstanceCtx<S>, me: InstanceId) {
        self.drop_deliveries(ctx, me);
        self.schema_cache.crash();
    }
}

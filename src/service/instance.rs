//! The actor for one service instance: routes timers and messages to its producer and consumer
//! roles, and owns what an instance has as a whole (being up, being slow).

use std::rc::Rc;

use crate::model::{InstanceId, PartitionId, Scenario, StreamId};
use crate::pipeline::{Dataflow, Emission};
use crate::protocol::{Msg, Record};
use crate::sim::{Actor, ActorId, Ctx, SimTime, TimerId};
use crate::trace::{TraceEvent, TraceSink};

use super::tag;
use super::{ConsumerRole, ProducerRole, QueueConsumerRole};

type InstanceCtx<'k, S> = Ctx<'k, Msg, TraceEvent, S>;

const NORMAL_SPEED_PPM: u64 = 1_000_000;

pub struct InstanceActor {
    id: InstanceId,
    broker: ActorId,
    producers: Vec<ProducerRole>,
    consumers: Vec<ConsumerRole>,
    slow_factor_ppm: u64,
    started_before: bool,
    /// The next message sequence number per stream (by `StreamId`). It survives crashes, so a
    /// restarted instance never reuses a message id.
    next_seq: Vec<u32>,
    /// The queue broker, for streams the queue carries.
    queue_broker: ActorId,
    queue_consumers: Vec<QueueConsumerRole>,
    /// The run's pipelines, when this instance's service runs a flow.
    dataflow: Option<Rc<Dataflow>>,
    /// The service's tables restored from their changelog on a restart: (table, changelog).
    restores: Vec<(usize, crate::model::StreamId)>,
    /// By `StreamId`: the index in `producers` of the client that sends what this instance's
    /// flows emit to that stream (made on first use).
    emitters: Vec<Option<usize>>,
    /// The run's schema checks, when a stream has a schema.
    schemas: Option<Rc<super::SchemaRun>>,
    /// The schema registry actor, when a stream has a schema.
    registry: ActorId,
    /// By producer: whether its registration awaits the registry's answer, and whether a send
    /// is held until it arrives.
    awaiting: Vec<Awaiting>,
}

/// Where a producer's schema registration stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Awaiting {
    /// Answered (or never asked): sends go out.
    Nothing,
    /// Asked; no send was due yet.
    Answer,
    /// Asked, and a send is held until the answer arrives.
    AnswerWithSendHeld,
}

impl InstanceActor {
    pub fn new(
        id: InstanceId,
        broker: ActorId,
        producers: Vec<ProducerRole>,
        consumers: Vec<ConsumerRole>,
    ) -> Self {
        InstanceActor {
            id,
            broker,
            producers,
            consumers,
            slow_factor_ppm: NORMAL_SPEED_PPM,
            started_before: false,
            next_seq: Vec::new(),
            queue_broker: broker,
            queue_consumers: Vec::new(),
            dataflow: None,
            restores: Vec::new(),
            emitters: Vec::new(),
            schemas: None,
            registry: broker,
            awaiting: Vec::new(),
        }
    }

    /// Adds what the queue carrier needs: the queue broker and the queue consumers.
    /// `queue_of_group` is the topology's queue for each group (None on the log).
    pub fn with_queue(
        mut self,
        model: &Scenario,
        queue_broker: ActorId,
        queue_of_group: &[Option<crate::model::QueueId>],
    ) -> Self {
        let instance = model.instance(self.id);
        let service = model.service(instance.service);
        self.queue_broker = queue_broker;
        for consumption in &service.consumes {
            if let Some(queue) = queue_of_group[consumption.group.index()] {
                let group = model.group(consumption.group);
                self.queue_consumers.push(QueueConsumerRole::new(
                    self.queue_consumers.len() as u32,
                    model.seed,
                    &group.name,
                    queue,
                    instance.index,
                    consumption,
                ));
            }
        }
        self
    }

    /// Runs the service's flows on the records its consumers finish, and sends what they emit.
    /// Gives the instance's producers and consumers the run's schema checks (after `with_queue`).
    /// `registry` is the schema registry actor the producers register with.
    pub fn with_schemas(mut self, schemas: &Rc<super::SchemaRun>, registry: ActorId) -> Self {
        self.registry = registry;
        self.awaiting = vec![Awaiting::Nothing; self.producers.len()];
        for consumer in &mut self.consumers {
            consumer.schemas = Some(Rc::clone(schemas));
            consumer.schema_cache = super::SchemaCache::new(registry);
        }
        for consumer in &mut self.queue_consumers {
            consumer.schemas = Some(Rc::clone(schemas));
            consumer.schema_cache = super::SchemaCache::new(registry);
        }
        self.schemas = Some(Rc::clone(schemas));
        self
    }

    pub fn with_dataflow(mut self, dataflow: &Rc<Dataflow>) -> Self {
        let mut any = false;
        for consumer in &mut self.consumers {
            if dataflow.has_flow(consumer.group) {
                consumer.flow = Some(Rc::clone(dataflow));
                any = true;
            }
        }
        for role in &mut self.queue_consumers {
            if dataflow.has_flow(role.group) {
                role.flow = Some(Rc::clone(dataflow));
                any = true;
            }
        }
        if any {
            self.dataflow = Some(Rc::clone(dataflow));
        }
        let service = dataflow.model.instance(self.id).service;
        self.restores = dataflow.model.topology.services[service.index()]
            .tables
            .iter()
            .enumerate()
            .filter(|(_, table)| table.restore_from_changelog)
            .filter_map(|(index, table)| table.changelog.map(|stream| (index, stream)))
            .collect();
        if !self.restores.is_empty() {
            self.dataflow = Some(Rc::clone(dataflow));
        }
        self
    }

    /// A table restored from its changelog: rebuild it from what the broker sent.
    fn on_log_contents<S: TraceSink>(
        &mut self,
        ctx: &mut InstanceCtx<S>,
        contents: &crate::protocol::LogContents,
    ) {
        let Some(dataflow) = &self.dataflow else {
            return;
        };
        let service = dataflow.model.instance(self.id).service;
        let table = contents.tag as usize;
        dataflow.restore_table(service, table, contents.stream, &contents.records);
        ctx.emit(TraceEvent::TableRestored {
            instance: self.id,
            table: contents.tag,
            stream: contents.stream,
            read: contents.records.len() as u64,
            without_compaction: contents.without_compaction,
        });
    }

    /// Builds an instance's roles from the model; `initial` gives generation 1's partitions.
    pub fn from_model(
        model: &Scenario,
        id: InstanceId,
        broker: ActorId,
        initial: impl Fn(crate::model::GroupId) -> Vec<crate::model::PartitionId>,
    ) -> Self {
        let instance = model.instance(id);
        let service = model.service(instance.service);
        let producers = service
            .produces
            .iter()
            .map(|production| ProducerRole::new(model, &instance.name, production))
            .collect();
        // Only streams on the log get a log consumer; `with_queue` adds the queue consumers.
        let consumers = service
            .consumes
            .iter()
            .filter(|consumption| {
                model.stream(consumption.stream).carrier == crate::model::Carrier::Log
            })
            .enumerate()
            .map(|(index, consumption)| {
                let group = model.group(consumption.group);
                let mut role = ConsumerRole::new(
                    id,
                    index as u32,
                    model.seed,
                    &group.name,
                    consumption,
                    &initial(consumption.group),
                );
                if consumption.start_us > 0 {
                    // The coordinator forms the group then and sends the assignment.
                    role.wait_for_start();
                }
                // Whether the run really ended drained, the run's sinks decide.
                if matches!(model.stop, crate::model::Stop::Drained) {
                    role.close_at_end();
                }
                role
            })
            .collect();
        InstanceActor::new(id, broker, producers, consumers)
    }

    fn consumer_of(&mut self, group: crate::model::GroupId) -> Option<&mut ConsumerRole> {
        self.consumers
            .iter_mut()
            .find(|consumer| consumer.group == group)
    }

    /// The next message sequence number of this instance on `stream`.
    #[inline]
    fn next_seq(&mut self, stream: StreamId) -> u32 {
        let stream_index = stream.index();
        if self.next_seq.len() <= stream_index {
            self.next_seq.resize(stream_index + 1, 0);
        }
        let seq = self.next_seq[stream_index];
        self.next_seq[stream_index] = seq.checked_add(1).expect(
            "fewer than 2^32 records per instance and stream (limits.events_max bounds a run)",
        );
        seq
    }

    /// Each producer registers its schema at its start (the version in effect now, again after
    /// a restart) and at each later upgrade, by a timer.
    fn schedule_registrations<S: TraceSink>(&mut self, ctx: &mut InstanceCtx<S>) {
        let Some(schemas) = self.schemas.clone() else {
            return;
        };
        let now = ctx.now().as_us();
        for index in 0..self.producers.len() {
            self.awaiting[index] = Awaiting::Nothing;
            let steps = schemas.registrations(self.id, index);
            let current = steps.iter().rev().find(|(from_us, _)| *from_us <= now);
            if let Some((_, step)) = current {
                self.register(ctx, index, *step);
            }
            for (from_us, step) in steps.iter().filter(|(from_us, _)| *from_us > now) {
                assert!(
                    index < 1 << 16 && *step < 1 << 8,
                    "validation bounds producers and upgrades"
                );
                ctx.set_timer(
                    from_us - now,
                    tag::SCHEMA | (index << 8) as u32 | *step as u32,
                );
            }
        }
    }

    /// Producer `index` asks the registry to register step `step` of its plan (Confluent's
    /// `POST /subjects/<stream>-value/versions`); its sends wait for the answer.
    fn register<S: TraceSink>(&mut self, ctx: &mut InstanceCtx<S>, index: usize, step: usize) {
        self.awaiting[index] = Awaiting::Answer;
        ctx.send(
            self.registry,
            Msg::SchemaRegister {
                production: u16::try_from(index).expect("validation bounds producers"),
                step: u8::try_from(step).expect("validation bounds upgrades"),
            },
        );
    }

    /// The registry's answer to producer `index`'s registration: traced, and a held send goes.
    fn on_schema_answer<S: TraceSink>(
        &mut self,
        ctx: &mut InstanceCtx<S>,
        index: usize,
        step: usize,
    ) {
        let schemas = self.schemas.as_ref().expect("only schema runs register");
        ctx.emit(schemas.registration(self.id, index, step));
        let held = self.awaiting[index] == Awaiting::AnswerWithSendHeld;
        self.awaiting[index] = Awaiting::Nothing;
        if held {
            self.send_next(ctx, index);
        }
    }

    /// The registry's answer to consumer `index`'s schema fetch (a queue consumer's when
    /// `queue`).
    #[cold]
    #[inline(never)]
    fn on_schema_fetched<S: TraceSink>(
        &mut self,
        ctx: &mut InstanceCtx<S>,
        index: usize,
        queue: bool,
        answer: (u32, SimTime),
    ) {
        let (me, slow) = (self.id, self.slow_factor_ppm);
        if queue {
            let queue_broker = self.queue_broker;
            self.queue_consumers[index].on_schema_fetched(ctx, queue_broker, me, slow, answer);
        } else {
            let broker = self.broker;
            self.consumers[index].on_schema_fetched(ctx, broker, me, slow, answer);
        }
    }

    /// Whether producer `index` holds its send: its registration awaits the answer (as
    /// Confluent's serializer blocks in `serialize` until the registry answers).
    #[cold]
    #[inline(never)]
    fn hold_send(&mut self, index: usize) -> bool {
        match self.awaiting[index] {
            Awaiting::Nothing => false,
            Awaiting::Answer | Awaiting::AnswerWithSendHeld => {
                self.awaiting[index] = Awaiting::AnswerWithSendHeld;
                true
            }
        }
    }

    /// The serializer: whether producer `index` may send `record`; a rejection is traced, a
    /// sent record gets its schema id. Out of line and cold: only runs with schemas take it.
    #[cold]
    #[inline(never)]
    fn serialize<S: TraceSink>(
        &self,
        ctx: &mut InstanceCtx<S>,
        index: usize,
        record: &mut Record,
    ) -> bool {
        let schemas = self.schemas.as_ref().expect("the caller checked");
        match schemas.check_produce(self.id, index, record, ctx.now()) {
            None => {
                record.schema_id = schemas.writer_id(self.id, index, ctx.now());
                true
            }
            Some(reason) => {
                ctx.emit(TraceEvent::ProduceRejected {
                    stream: self.producers[index].stream,
                    instance: self.id,
                    msg: record.id,
                    reason,
                });
                false
            }
        }
    }

    fn send_next<S: TraceSink>(&mut self, ctx: &mut InstanceCtx<S>, index: usize) {
        if self.schemas.is_some() && self.hold_send(index) {
            return;
        }
        let me = self.id;
        let seq = self.next_seq(self.producers[index].stream);
        let producer = &mut self.producers[index];
        let (mut record, partition, next) = producer.produce(me, seq, ctx.now());
        let stream = producer.stream;
        if self.schemas.is_none() || self.serialize(ctx, index, &mut record) {
            self.send_record(ctx, index, partition, record);
        }
        let producer = &self.producers[index];
        match next {
            Some(delay_us) => {
                ctx.set_timer(delay_us, tag::PRODUCE | index as u32);
            }
            None => ctx.emit(TraceEvent::ProducerFinished {
                stream,
                instance: me,
                count: producer.sent,
            }),
        }
    }
}

impl InstanceActor {
    /// Traces `record` as produced and sends it with producer `index`'s client: published to
    /// the queue, or through the accumulator to the log.
    #[inline(always)] // The producer's hot path (once per record).
    fn send_record<S: TraceSink>(
        &mut self,
        ctx: &mut InstanceCtx<S>,
        index: usize,
        partition: PartitionId,
        record: Record,
    ) {
        let (broker, queue_broker) = (self.broker, self.queue_broker);
        let producer = &mut self.producers[index];
        let publish = producer.publish;
        let stream = producer.stream;
        ctx.emit(TraceEvent::Produced {
            stream,
            partition,
            msg: record.id,
            key: record.key,
            value_size_bytes: record.value_size_bytes,
        });
        if let Some(expiration_ms) = publish {
            // The queue carrier: basic.publish to the stream's exchange, one message at a time.
            ctx.send(
                queue_broker,
                Msg::Publish {
                    stream,
                    record,
                    expiration_ms,
                },
            );
        } else if producer.lingers() {
            let sendout = producer.accumulate(partition, record, ctx.now());
            if let Some(linger_us) = sendout.linger_us {
                ctx.set_timer(linger_us, tag::LINGER | index as u32);
            }
            for (partition, record) in sendout.records {
                ctx.send(
                    broker,
                    Msg::Produce {
                        stream,
                        partition,
                        record,
                    },
                );
            }
        } else {
            // linger.ms 0: the batch is ready at once (the hot path: no accumulator).
            ctx.send(
                broker,
                Msg::Produce {
                    stream,
                    partition,
                    record,
                },
            );
        }
    }

    /// Sends what the consumers' flows emitted since the last call, in order.
    fn run_flows<S: TraceSink>(&mut self, ctx: &mut InstanceCtx<S>) {
        let Some(dataflow) = self.dataflow.clone() else {
            return;
        };
        for index in 0..self.consumers.len() + self.queue_consumers.len() {
            let emissions = std::mem::take(self.emissions_of(index));
            if emissions.is_empty() {
                continue;
            }
            let mut emissions = emissions;
            for emission in emissions.drain(..) {
                self.emit(ctx, &dataflow, emission);
            }
            // Give the buffer back for its capacity.
            *self.emissions_of(index) = emissions;
        }
    }

    /// The emission buffer of consumer role `index`: the log consumers, then the queue ones.
    fn emissions_of(&mut self, index: usize) -> &mut Vec<Emission> {
        match index.checked_sub(self.consumers.len()) {
            None => &mut self.consumers[index].emissions,
            Some(queue_index) => &mut self.queue_consumers[queue_index].emissions,
        }
    }

    /// Produces one record a flow sent on, with this instance's client for its stream.
    fn emit<S: TraceSink>(
        &mut self,
        ctx: &mut InstanceCtx<S>,
        dataflow: &Dataflow,
        emission: Emission,
    ) {
        let stream = emission.stream;
        if self.emitters.len() <= stream.index() {
            self.emitters.resize(stream.index() + 1, None);
        }
        let index = match self.emitters[stream.index()] {
            Some(index) => index,
            None => {
                let model = &dataflow.model;
                let instance = model.instance(self.id);
                self.producers.push(ProducerRole::for_emission(
                    model,
                    &instance.name,
                    stream,
                    instance.service,
                ));
                let index = self.producers.len() - 1;
                self.emitters[stream.index()] = Some(index);
                index
            }
        };
        let id = crate::model::MessageId {
            producer: self.id,
            seq: self.next_seq(stream),
        };
        if let Some(value) = emission.value {
            dataflow.put_value(stream, id, value);
        }
        let key_text = emission.key.map(|key| dataflow.keys.text(key));
        let key = emission
            .key
            .zip(key_text.as_deref())
            .map(|(key, text)| (key, text.as_bytes()));
        let (record, partition) =
            self.producers[index].produce_emitted(id, key, emission.value_size_bytes, ctx.now());
        self.send_record(ctx, index, partition, record);
    }
}

impl Actor for InstanceActor {
    type Msg = Msg;
    type Event = TraceEvent;

    fn on_start<S: TraceSink>(&mut self, ctx: &mut InstanceCtx<S>) {
        let restarting = self.started_before;
        self.started_before = true;
        if restarting {
            ctx.emit(TraceEvent::Restarted { instance: self.id });
            for &(table, stream) in &self.restores {
                ctx.send(
                    self.broker,
                    Msg::ReadLog {
                        stream,
                        tag: table as u32,
                    },
                );
            }
        }
        // Registration timers go first: a send due at the instant of an upgrade then waits
        // for the registry's answer about the new version (ties fire in scheduling order).
        self.schedule_registrations(ctx);
        for index in 0..self.producers.len() {
            let producer = &mut self.producers[index];
            if producer.finished {
                continue;
            }
            match producer.first_delay(ctx.now()) {
                Some(delay_us) => {
                    ctx.set_timer(delay_us, tag::PRODUCE | index as u32);
                }
                None => {
                    producer.finished = true;
                    ctx.emit(TraceEvent::ProducerFinished {
                        stream: producer.stream,
                        instance: self.id,
                        count: producer.sent,
                    });
                }
            }
        }
        for role in &mut self.queue_consumers {
            role.start(ctx);
        }
        for (index, consumer) in self.consumers.iter_mut().enumerate() {
            if restarting {
                consumer.rejoin(ctx, self.broker);
            }
            let index = index as u32;
            // The first poll is immediate; later ones follow the interval.
            ctx.set_timer(0, tag::POLL | index);
            ctx.set_timer(consumer.heartbeat_interval_us(), tag::HEARTBEAT | index);
            ctx.set_timer(consumer.max_poll_interval_us(), tag::POLL_TIMEOUT | index);
            if let Some(delay_us) = consumer.next_seek_delay_us(ctx.now().as_us()) {
                ctx.set_timer(delay_us, tag::SEEK | index);
            }
            if let Some(interval_us) = consumer.auto_commit_interval_us() {
                ctx.set_timer(interval_us, tag::COMMIT | index);
            }
        }
    }

    fn on_msg<S: TraceSink>(&mut self, ctx: &mut InstanceCtx<S>, _from: ActorId, msg: Msg) {
        let (broker, me, slow) = (self.broker, self.id, self.slow_factor_ppm);
        match msg {
            Msg::LogContents(contents) => self.on_log_contents(ctx, &contents),
            Msg::FetchResponse {
                group,
                generation,
                batches,
            } => {
                if let Some(consumer) = self.consumer_of(group) {
                    consumer.on_fetch_response(ctx, broker, me, slow, generation, batches);
                }
            }
            Msg::RebalanceStart { group, .. } => {
                if let Some(consumer) = self.consumer_of(group) {
                    consumer.on_rebalance_start(ctx, broker);
                }
            }
            Msg::Assignment {
                group,
                generation,
                partitions,
            } => {
                if let Some(consumer) = self.consumer_of(group) {
                    consumer.on_assignment(ctx, broker, generation, partitions);
                }
            }
            Msg::OffsetCommitResponse { group, accepted } => {
                if let Some(consumer) = self.consumer_of(group) {
                    consumer.on_commit_response(ctx, broker, accepted);
                }
            }
            Msg::SlowStart { factor_ppm } => {
                self.slow_factor_ppm = factor_ppm;
                ctx.emit(TraceEvent::SlowStarted {
                    instance: me,
                    factor_ppm,
                });
            }
            Msg::SlowEnd => {
                self.slow_factor_ppm = NORMAL_SPEED_PPM;
                ctx.emit(TraceEvent::SlowEnded { instance: me });
            }
            Msg::Deliver {
                queue,
                tag,
                record,
                redelivered,
                get: _,
            } => {
                let queue_broker = self.queue_broker;
                if let Some(role) = self.queue_consumers.iter_mut().find(|r| r.queue == queue) {
                    role.on_deliver(ctx, queue_broker, me, slow, tag, record, redelivered);
                }
                // A delivery owns nothing: no (out-of-line) drop of the message.
                std::mem::forget(msg);
            }
            Msg::GetEmpty { .. } => {}
            Msg::SchemaAnswer { production, step } => {
                self.on_schema_answer(ctx, usize::from(production), usize::from(step));
            }
            Msg::SchemaFetched {
                id,
                consumer,
                queue,
                asked_at,
            } => self.on_schema_fetched(ctx, usize::from(consumer), queue, (id, asked_at)),
            Msg::Produce { .. }
            | Msg::Publish { .. }
            | Msg::Subscribe { .. }
            | Msg::Ack { .. }
            | Msg::Nack { .. }
            | Msg::Get { .. }
            | Msg::CloseChannel { .. }
            | Msg::ConnectionLost { .. }
            | Msg::SchemaRegister { .. }
            | Msg::SchemaFetch { .. }
            | Msg::Fetch { .. }
            | Msg::OffsetCommit { .. }
            | Msg::Heartbeat { .. }
            | Msg::JoinGroup { .. }
            | Msg::LeaveGroup { .. }
            | Msg::ResetOffsets { .. }
            | Msg::CreatePartitions { .. }
            | Msg::ReadLog { .. }
            | Msg::LogAdmin { .. } => {
                debug_assert!(false, "an instance never receives {msg:?}");
            }
        }
        if self.dataflow.is_some() {
            self.run_flows(ctx);
        }
    }

    fn on_timer<S: TraceSink>(&mut self, ctx: &mut InstanceCtx<S>, id: TimerId, timer_tag: u32) {
        let index = (timer_tag & !tag::KIND_MASK) as usize;
        let (broker, me, slow) = (self.broker, self.id, self.slow_factor_ppm);
        let queue_broker = self.queue_broker;
        match timer_tag & tag::KIND_MASK {
            tag::QUEUE_SUBSCRIBE => {
                self.queue_consumers[index].on_subscribe_timer(ctx, queue_broker)
            }
            tag::QUEUE_PROCESS => {
                self.queue_consumers[index].on_processed(ctx, queue_broker, me, slow, id)
            }
            tag::QUEUE_CLOSE => self.queue_consumers[index].on_close_timer(ctx, queue_broker, me),
            tag::QUEUE_GET => self.queue_consumers[index].on_get_timer(ctx, queue_broker, me),
            tag::PRODUCE => self.send_next(ctx, index),
            tag::SCHEMA => self.register(ctx, index >> 8, index & 0xff),
            tag::POLL => {
                let consumer = &mut self.consumers[index];
                consumer.on_poll(ctx, broker);
                ctx.set_timer(consumer.poll_interval_us(), timer_tag);
            }
            tag::COMMIT => {
                let consumer = &mut self.consumers[index];
                consumer.commit(ctx, broker);
                if let Some(interval_us) = consumer.auto_commit_interval_us() {
                    ctx.set_timer(interval_us, timer_tag);
                }
            }
            tag::HEARTBEAT => {
                let consumer = &self.consumers[index];
                ctx.send(
                    broker,
                    Msg::Heartbeat {
                        group: consumer.group,
                    },
                );
                ctx.set_timer(consumer.heartbeat_interval_us(), timer_tag);
            }
            tag::PROCESS => self.consumers[index].on_processed(ctx, broker, me, slow),
            tag::SEEK => {
                let consumer = &mut self.consumers[index];
                consumer.on_seek_timer(ctx);
                if let Some(delay_us) = consumer.next_seek_delay_us(ctx.now().as_us()) {
                    ctx.set_timer(delay_us, timer_tag);
                }
            }
            tag::POLL_TIMEOUT => {
                let next_us = self.consumers[index].on_poll_timer(ctx, broker);
                ctx.set_timer(next_us, timer_tag);
            }
            tag::LINGER => {
                let producer = &mut self.producers[index];
                let stream = producer.stream;
                for (partition, record) in producer.flush_due(ctx.now()) {
                    ctx.send(
                        broker,
                        Msg::Produce {
                            stream,
                            partition,
                            record,
                        },
                    );
                }
            }
            other => debug_assert!(false, "unknown timer kind {other:#x}"),
        }
        if self.dataflow.is_some() {
            self.run_flows(ctx);
        }
    }

    fn on_end<S: TraceSink>(&mut self, ctx: &mut InstanceCtx<S>) {
        for consumer in &mut self.consumers {
            consumer.close(ctx);
        }
    }

    fn on_crash<S: TraceSink>(&mut self, ctx: &mut InstanceCtx<S>) {
        ctx.emit(TraceEvent::Crashed { instance: self.id });
        for producer in &mut self.producers {
            let count = producer.crash();
            if count > 0 {
                ctx.emit(TraceEvent::ProducerBufferLost {
                    stream: producer.stream,
                    instance: self.id,
                    count,
                });
            }
        }
        for consumer in &mut self.consumers {
            consumer.crash();
        }
        for role in &mut self.queue_consumers {
            role.crash(ctx, self.id);
        }
        self.slow_factor_ppm = NORMAL_SPEED_PPM;
    }
}

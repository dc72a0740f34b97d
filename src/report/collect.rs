//! The collector: a sink that counts, measures lag and latency, runs the checkers, and knows
//! when the run has drained. State is bounded by streams × partitions × groups × keys.

use crate::check::{Consumption, DeliveryChecker, KeyOrderChecker, PublishOrderChecker, SeenSet};
use crate::model::{
    Carrier, Decision, Expect, Fault, GroupId, InstanceId, MessageId, QueueId, Scenario, StreamId,
};
use crate::sim::{ActorId, KernelStats, SimTime, StopReason};
use crate::trace::TraceEvent;

use super::histogram::Histogram;
use super::queue_collect::QueueCollector;
use super::*;

struct GroupStats {
    consumed: u64,
    consumed_distinct: u64,
    per_partition: Vec<u64>,
    /// Indexed by instance index within the service.
    per_instance: Vec<u64>,
    committed: Vec<u64>,
    lag: u64,
    lag_max: u64,
    rebalances: u64,
    latency: Histogram,
    delivery: DeliveryChecker,
    key_order: KeyOrderChecker,
    // Queue-carried groups: completions by message id, per producer instance.
    seen: Vec<SeenSet>,
    publish_order: PublishOrderChecker,
    queue_duplicated: u64,
    queue_first_duplicate: Option<MessageId>,
    queue_lost: u64,
    queue_first_lost: Option<MessageId>,
    /// Per instance index: will never consume again.
    finished: Vec<bool>,
    /// The consumption's `start_us`, records produced before it, and how many of those the
    /// group processed.
    start_us: u64,
    history: u64,
    replayed: u64,
}

/// Whether one key's records can land on several partitions of a stream: it gets partitions
/// created, or its producers use different partitioners.
fn keys_can_split(model: &Scenario, stream: StreamId) -> bool {
    let mut partitioners = model
        .services
        .iter()
        .flat_map(|service| &service.produces)
        .filter(|production| production.stream == stream)
        .map(|production| production.partitioner);
    let first = partitioners.next();
    !model.stream(stream).partitions_created.is_empty()
        || partitioners.any(|partitioner| Some(partitioner) != first)
}

/// Where one key's records went: the first partition, and whether another one followed.
#[derive(Clone, Copy, Debug, Default)]
struct KeyPartitions {
    first: Option<u32>,
    moved: bool,
}

pub struct Collector<'m> {
    model: &'m Scenario,
    groups_of_stream: Vec<Vec<GroupId>>,
    /// First instance id of each service, to turn an instance id into an index in its service.
    service_first_instance: Vec<u32>,
    produced: Vec<u64>,
    /// `produced_by[stream][instance]`, sized on first use.
    produced_by: Vec<Vec<u64>>,
    /// `log_end[stream][partition]`: records appended.
    log_end: Vec<Vec<u64>>,
    /// `log_start[stream][partition]`: the first offset retention has not deleted.
    log_start: Vec<Vec<u64>>,
    deleted_by_retention: Vec<u64>,
    groups: Vec<GroupStats>,
    /// `key_partitions[stream][key]`, only for streams that get partitions created.
    key_partitions: Vec<Vec<KeyPartitions>>,
    /// `(time, new count)` per stream, as CreatePartitions happened.
    partitions_created: Vec<Vec<(SimTime, u32)>>,
    /// Records lost in producer accumulators at crashes, per stream.
    lost_in_producer: Vec<u64>,
    consumed_total: u64,
    last_consumed_at: Option<SimTime>,
    faults: FaultSummary,

    // Drain bookkeeping.
    producers_running: u64,
    /// Unfinished producer roles per instance, and whether it is down.
    unfinished_producers: Vec<u32>,
    down: Vec<bool>,
    /// Instances that stay down from some point on (their last fault is a crash).
    down_for_good_at: Vec<Option<u64>>,
    in_network: u64,
    /// (group, partition) pairs whose consumption frontier is behind the log end.
    behind: u64,
    stop_after_consumed: Option<u64>,
    queues: QueueCollector,
    /// Publishes that reached a queue-carried stream's exchange, and those routed nowhere.
    routed: Vec<u64>,
    unroutable: Vec<u64>,
    /// Whether each group, and each queue's group, consumes with auto-ack.
    group_auto_ack: Vec<bool>,
    queue_auto_ack: Vec<bool>,
    produced_digest: Vec<u64>,
    /// Hot-path lookups, precomputed: each group's stream index, each instance's index in its
    /// service, and whether any group starts late (only then is history counted).
    group_stream: Vec<usize>,
    index_in_service: Vec<usize>,
    any_late_group: bool,
}

impl<'m> Collector<'m> {
    /// `queues` is the run's queue layout (`model::Scenario::queue_layout`).
    pub fn new(model: &'m Scenario, queues: crate::model::QueueLayout) -> Self {
        let groups_of_stream = model
            .streams
            .iter()
            .map(|stream| model.groups_of(stream.id).map(|group| group.id).collect())
            .collect();
        let mut service_first_instance = vec![0; model.services.len()];
        for instance in model.instances.iter().rev() {
            service_first_instance[instance.service.index()] = instance.id.0;
        }
        let groups = model
            .groups
            .iter()
            .map(|group| {
                let partition_count = model.stream(group.stream).partition_count_max();
                GroupStats {
                    consumed: 0,
                    consumed_distinct: 0,
                    per_partition: vec![0; partition_count as usize],
                    per_instance: vec![0; model.service(group.service).instance_count as usize],
                    committed: vec![0; partition_count as usize],
                    lag: 0,
                    lag_max: 0,
                    rebalances: 0,
                    latency: Histogram::default(),
                    delivery: DeliveryChecker::new(partition_count),
                    key_order: KeyOrderChecker::new(model.keys.len(), model.instances.len()),
                    seen: Vec::new(),
                    publish_order: PublishOrderChecker::default(),
                    queue_duplicated: 0,
                    queue_first_duplicate: None,
                    queue_lost: 0,
                    queue_first_lost: None,
                    finished: vec![false; model.service(group.service).instance_count as usize],
                    start_us: model.service(group.service).consumes[group.consumption].start_us,
                    history: 0,
                    replayed: 0,
                }
            })
            .collect();
        let unfinished_producers: Vec<u32> = model
            .instances
            .iter()
            .map(|instance| model.service(instance.service).produces.len() as u32)
            .collect();
        let mut down_for_good_at = vec![None; model.instances.len()];
        for fault in &model.faults {
            match fault {
                Fault::Crash { instance, at_us } => {
                    let slot = &mut down_for_good_at[instance.index()];
                    if slot.is_none_or(|previous| previous <= *at_us) {
                        *slot = Some(*at_us);
                    }
                }
                Fault::Restart { instance, at_us } => {
                    if down_for_good_at[instance.index()].is_some_and(|crash| crash <= *at_us) {
                        down_for_good_at[instance.index()] = None;
                    }
                }
                Fault::Slow { .. } => {}
            }
        }
        let queues = QueueCollector::new(queues);
        let group_auto_ack: Vec<bool> = model
            .groups
            .iter()
            .map(|group| {
                model.service(group.service).consumes[group.consumption]
                    .queue
                    .auto_ack
            })
            .collect();
        Collector {
            model,
            groups_of_stream,
            service_first_instance,
            produced: vec![0; model.streams.len()],
            produced_by: vec![Vec::new(); model.streams.len()],
            log_end: model
                .streams
                .iter()
                .map(|stream| vec![0; stream.partition_count_max() as usize])
                .collect(),
            log_start: model
                .streams
                .iter()
                .map(|stream| vec![0; stream.partition_count_max() as usize])
                .collect(),
            deleted_by_retention: vec![0; model.streams.len()],
            key_partitions: model
                .streams
                .iter()
                .map(|stream| {
                    if keys_can_split(model, stream.id) {
                        vec![KeyPartitions::default(); model.keys.len()]
                    } else {
                        Vec::new()
                    }
                })
                .collect(),
            partitions_created: vec![Vec::new(); model.streams.len()],
            lost_in_producer: vec![0; model.streams.len()],
            groups,
            consumed_total: 0,
            last_consumed_at: None,
            faults: FaultSummary::default(),
            producers_running: unfinished_producers
                .iter()
                .map(|&count| u64::from(count))
                .sum(),
            unfinished_producers,
            down: vec![false; model.instances.len()],
            down_for_good_at,
            in_network: 0,
            behind: 0,
            stop_after_consumed: match model.stop {
                crate::model::Stop::AfterRecordsConsumed { count } => Some(count),
                _ => None,
            },
            group_auto_ack: group_auto_ack.clone(),
            queue_auto_ack: queues
                .topology
                .queues
                .iter()
                .map(|queue| {
                    queue
                        .group
                        .is_some_and(|group| group_auto_ack[group.index()])
                })
                .collect(),
            queues,
            produced_digest: vec![0xcbf2_9ce4_8422_2325; model.streams.len()],
            group_stream: model
                .groups
                .iter()
                .map(|group| group.stream.index())
                .collect(),
            index_in_service: model
                .instances
                .iter()
                .map(|instance| instance.index as usize)
                .collect(),
            any_late_group: model
                .groups
                .iter()
                .any(|group| model.service(group.service).consumes[group.consumption].start_us > 0),
            routed: vec![0; model.streams.len()],
            unroutable: vec![0; model.streams.len()],
        }
    }

    /// Inlined into every emit site (through `Ctx::emit`), where the event's variant is known
    /// and the match folds to its one arm.
    #[inline(always)]
    pub fn on_event(&mut self, at: SimTime, event: &TraceEvent) {
        match *event {
            TraceEvent::Produced {
                stream,
                partition,
                msg,
                key,
                ..
            } => {
                if let Some(key) = key
                    && let Some(seen) = self.key_partitions[stream.index()].get_mut(key.index())
                {
                    match seen.first {
                        None => seen.first = Some(partition.0),
                        Some(first) if first != partition.0 => seen.moved = true,
                        Some(_) => {}
                    }
                }
                self.produced[stream.index()] += 1;
                let digest = &mut self.produced_digest[stream.index()];
                for value in [
                    msg.as_u64(),
                    key.map_or(0, |key| key.index() as u64 + 1),
                    at.as_us(),
                ] {
                    *digest = (*digest ^ value).wrapping_mul(0x0000_0100_0000_01b3);
                }
                if self.any_late_group {
                    for &group in &self.groups_of_stream[stream.index()] {
                        let stats = &mut self.groups[group.index()];
                        if at.as_us() < stats.start_us {
                            stats.history += 1;
                        }
                    }
                }
                let by = &mut self.produced_by[stream.index()];
                if by.is_empty() {
                    by.resize(self.model.instances.len(), 0);
                }
                by[msg.producer.index()] += 1;
                self.in_network += 1;
            }
            TraceEvent::Appended {
                stream, partition, ..
            } => {
                self.in_network -= 1;
                let log_end = &mut self.log_end[stream.index()][partition.index()];
                let caught_up_at = *log_end;
                *log_end += 1;
                for &group in &self.groups_of_stream[stream.index()] {
                    let stats = &mut self.groups[group.index()];
                    stats.lag += 1;
                    stats.lag_max = stats.lag_max.max(stats.lag);
                    if stats.delivery.frontier(partition).0 == caught_up_at {
                        self.behind += 1;
                    }
                }
            }
            TraceEvent::Consumed {
                group,
                instance,
                partition,
                offset,
                msg,
                key,
                sent_at,
            } => {
                self.consumed_total += 1;
                self.last_consumed_at = Some(at);
                let log_end = self.log_end[self.group_stream[group.index()]][partition.index()];
                let index_in_service = self.index_in_service[instance.index()];
                let stats = &mut self.groups[group.index()];
                stats.consumed += 1;
                stats.per_partition[partition.index()] += 1;
                stats.per_instance[index_in_service] += 1;
                let was_behind = stats.delivery.frontier(partition).0 < log_end;
                let consumption = stats.delivery.on_consumed(partition, offset, msg);
                if consumption != Consumption::Again {
                    stats.consumed_distinct += 1;
                    if sent_at.as_us() < stats.start_us {
                        stats.replayed += 1;
                    }
                    stats.key_order.on_first_delivery(key, msg);
                    stats
                        .latency
                        .record(at.as_us().saturating_sub(sent_at.as_us()));
                }
                if was_behind && stats.delivery.frontier(partition).0 == log_end {
                    self.behind -= 1;
                }
            }
            TraceEvent::Committed {
                group,
                partition,
                offset,
            } => {
                let stats = &mut self.groups[group.index()];
                let old = std::mem::replace(&mut stats.committed[partition.index()], offset.0);
                // Lag is log end − committed; a commit moves it by the difference.
                stats.lag = (stats.lag + old).saturating_sub(offset.0);
            }
            TraceEvent::RebalanceStarted { group, .. } => {
                self.groups[group.index()].rebalances += 1
            }
            TraceEvent::ProducerFinished { instance, .. } => {
                self.unfinished_producers[instance.index()] -= 1;
                self.producers_running -= 1;
            }
            TraceEvent::Crashed { instance } => {
                self.faults.crashes += 1;
                self.down[instance.index()] = true;
                self.producers_running -= u64::from(self.unfinished_producers[instance.index()]);
            }
            TraceEvent::Restarted { instance } => {
                self.faults.restarts += 1;
                self.down[instance.index()] = false;
                self.producers_running += u64::from(self.unfinished_producers[instance.index()]);
            }
            TraceEvent::SlowStarted { .. } => self.faults.slow_periods += 1,
            TraceEvent::MemberExpired { .. } => self.faults.members_expired += 1,
            TraceEvent::SegmentsDeleted {
                stream,
                partition,
                records,
                log_start_offset,
            } => {
                self.log_start[stream.index()][partition.index()] = log_start_offset.0;
                self.deleted_by_retention[stream.index()] += records;
            }
            TraceEvent::PartitionsCreated {
                stream,
                partition_count,
            } => self.partitions_created[stream.index()].push((at, partition_count)),
            TraceEvent::ProducerBufferLost { stream, count, .. } => {
                self.in_network -= count;
                self.lost_in_producer[stream.index()] += count;
            }
            TraceEvent::Fetched { .. }
            | TraceEvent::Assigned { .. }
            | TraceEvent::Revoked { .. }
            | TraceEvent::SlowEnded { .. } => {}
            TraceEvent::OffsetReset {
                group,
                partition,
                offset,
            } => {
                let log_end =
                    self.log_end[self.model.group(group).stream.index()][partition.index()];
                let stats = &mut self.groups[group.index()];
                let was_behind = stats.delivery.frontier(partition).0 < log_end;
                stats.delivery.start_at(partition, offset);
                if was_behind && stats.delivery.frontier(partition).0 >= log_end {
                    self.behind -= 1;
                }
                let old = std::mem::replace(&mut stats.committed[partition.index()], offset.0);
                stats.lag = (stats.lag + old).saturating_sub(offset.0);
            }
            TraceEvent::Routed { stream, queues, .. } => {
                self.in_network -= 1;
                self.routed[stream.index()] += 1;
                if queues == 0 {
                    self.unroutable[stream.index()] += 1;
                }
            }
            TraceEvent::Processed {
                group,
                instance,
                msg,
                key,
                sent_at,
                ..
            } => self.on_processed(at, group, instance, msg, key, sent_at),
            TraceEvent::DeliveryLost {
                group,
                instance,
                msg,
            } => {
                let stats = &mut self.groups[group.index()];
                stats.queue_lost += 1;
                stats.queue_first_lost.get_or_insert(msg);
                if let Some(queue) = self.queues.topology.queue_of_group[group.index()] {
                    self.queues.auto_done(queue, instance);
                }
            }
            TraceEvent::ChannelClosed {
                queue, instance, ..
            } => {
                // A dead auto-ack consumer also loses what was still on the wire to it.
                if self.queue_auto_ack[queue.index()]
                    && self.down[instance.index()]
                    && let Some(group) = self.queues.topology.queue(queue).group
                {
                    let lost = self.queues.auto_lost_in_flight(queue, instance);
                    self.groups[group.index()].queue_lost += lost;
                }
                self.on_queue_event(at, event);
            }
            TraceEvent::Decided {
                group,
                instance,
                decision,
                ..
            } => {
                if decision == Decision::Hold
                    && let Some(queue) = self.queues.topology.queue_of_group[group.index()]
                {
                    self.queues.held(queue, instance);
                }
            }
            TraceEvent::ConsumerFinished { group, instance } => {
                let index = self.index_in_service(instance);
                self.groups[group.index()].finished[index] = true;
            }
            TraceEvent::Dropped { queue, msg, .. }
            | TraceEvent::PublishRejected {
                queue,
                msg,
                dead_lettered: false,
            } => {
                if let Some(group) = self.queues.topology.queue(queue).group {
                    let stats = &mut self.groups[group.index()];
                    stats.queue_lost += 1;
                    stats.queue_first_lost.get_or_insert(msg);
                }
                self.on_queue_event(at, event);
            }
            // The hot queue events go straight to their handler.
            TraceEvent::Enqueued { queue, .. } => self.queues.enqueued(queue),
            TraceEvent::Delivered {
                queue,
                instance,
                msg,
                redelivered,
                auto_ack,
                get,
            } => {
                let counted_auto = auto_ack && self.queue_auto_ack[queue.index()];
                self.queues.delivered(
                    queue,
                    instance,
                    msg,
                    redelivered,
                    counted_auto,
                    auto_ack,
                    get,
                );
            }
            TraceEvent::Acked { queue, .. } => self.queues.acked(queue),
            TraceEvent::QueueDeclared { .. }
            | TraceEvent::PublishRejected { .. }
            | TraceEvent::Nacked { .. }
            | TraceEvent::DeadLettered { .. }
            | TraceEvent::LeftInQueue { .. } => self.on_queue_event(at, event),
        }
    }

    fn on_queue_event(&mut self, at: SimTime, event: &TraceEvent) {
        self.queues.on_event(at, event);
    }

    #[inline]
    fn index_in_service(&self, instance: InstanceId) -> usize {
        self.index_in_service[instance.index()]
    }

    #[inline]
    fn on_processed(
        &mut self,
        at: SimTime,
        group: GroupId,
        instance: InstanceId,
        msg: MessageId,
        key: Option<crate::model::KeyId>,
        sent_at: SimTime,
    ) {
        self.consumed_total += 1;
        self.last_consumed_at = Some(at);
        let index_in_service = self.index_in_service(instance);
        let auto_ack = self.group_auto_ack[group.index()];
        let stats = &mut self.groups[group.index()];
        stats.consumed += 1;
        stats.per_instance[index_in_service] += 1;
        let producer = msg.producer.index();
        if stats.seen.len() <= producer {
            stats.seen.resize_with(producer + 1, SeenSet::default);
        }
        if stats.seen[producer].insert(u64::from(msg.seq)) {
            stats.consumed_distinct += 1;
            if sent_at.as_us() < stats.start_us {
                stats.replayed += 1;
            }
            stats.key_order.on_first_delivery(key, msg);
            stats.publish_order.on_first_completion(msg);
            stats
                .latency
                .record(at.as_us().saturating_sub(sent_at.as_us()));
        } else {
            stats.queue_duplicated += 1;
            stats.queue_first_duplicate.get_or_insert(msg);
        }
        if auto_ack && let Some(queue) = self.queues.topology.queue_of_group[group.index()] {
            self.queues.auto_done(queue, instance);
        }
    }

    /// True once the stop condition of the scenario holds.
    #[inline]
    pub fn done(&self) -> bool {
        match self.stop_after_consumed {
            Some(count) => self.consumed_total >= count,
            None => self.drained(),
        }
    }

    /// Producers are finished, nothing is on the wire, and every group that can still make
    /// progress has consumed up to every log end.
    fn drained(&self) -> bool {
        if matches!(self.model.stop, crate::model::Stop::AtTime { .. }) {
            return false;
        }
        if self.producers_running > 0 || self.in_network > 0 {
            return false;
        }
        if !self.queues_settled() {
            return false;
        }
        if self.behind == 0 {
            return true;
        }
        // Groups whose members are all down for good cannot catch up; do not wait for them.
        self.model.groups.iter().all(|group| {
            let stats = &self.groups[group.id.index()];
            let caught_up =
                self.log_end[group.stream.index()]
                    .iter()
                    .enumerate()
                    .all(|(partition, &end)| {
                        stats
                            .delivery
                            .frontier(crate::model::PartitionId(partition as u32))
                            .0
                            == end
                    });
            caught_up || self.all_down_for_good(group.service)
        })
    }

    /// Every group queue is settled, or none of its consumers will ever consume again.
    fn queues_settled(&self) -> bool {
        let topology = &self.queues.topology;
        topology.queues.iter().all(|decl| {
            let Some(group) = decl.group else {
                return true; // A holding queue has no consumers to wait for.
            };
            if self.queues.queues[decl.id.index()].settled() {
                return true;
            }
            let service = self.model.group(group).service;
            let finished = &self.groups[group.index()].finished;
            self.model
                .instances
                .iter()
                .filter(|instance| instance.service == service)
                .all(|instance| {
                    finished[instance.index as usize]
                        || (self.down[instance.id.index()]
                            && self.down_for_good_at[instance.id.index()].is_some())
                })
        })
    }

    fn all_down_for_good(&self, service: crate::model::ServiceId) -> bool {
        self.model
            .instances
            .iter()
            .filter(|instance| instance.service == service)
            .all(|instance| {
                self.down[instance.id.index()]
                    && self.down_for_good_at[instance.id.index()].is_some()
            })
    }

    pub fn message_name(&self, msg: MessageId) -> String {
        format!("{}/{}", self.model.instance(msg.producer).name, msg.seq)
    }

    /// Builds the report once the run has ended.
    pub fn finish(
        &self,
        reproduce: String,
        reason: &StopReason,
        now: SimTime,
        kernel: KernelStats,
    ) -> RunReport {
        let model = self.model;
        let (stop, limit, limit_value) = match reason {
            StopReason::Done if self.stop_after_consumed.is_some() => {
                ("records_consumed", None, None)
            }
            StopReason::Done => ("drained", None, None),
            StopReason::StopTime => ("stop_time", None, None),
            StopReason::AgendaEmpty => ("agenda_empty", None, None),
            StopReason::Limit { limit, value } => ("limit", Some(limit.to_string()), Some(*value)),
        };
        let streams = model
            .streams
            .iter()
            .map(|stream| self.stream_report(stream.id))
            .collect::<Vec<_>>();
        let expect = model
            .expects
            .iter()
            .map(|expect| self.expect_outcome(expect, &streams))
            .collect();
        RunReport {
            eventlab_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: model.name.clone(),
            seed: model.seed,
            reproduce,
            setup: super::setup::describe(model),
            outcome: Outcome {
                stop: stop.to_string(),
                limit,
                limit_value,
                ended_at_us: now.as_us(),
                last_consumed_at_us: self.last_consumed_at.map(SimTime::as_us),
                events: kernel.events,
                messages_sent: kernel.messages_sent,
                messages_dropped: kernel.messages_dropped,
            },
            streams,
            queues: self.queues.report(model, |msg| self.message_name(msg)),
            expect,
            faults: self.faults.clone(),
            pipelines: Vec::new(),
            tables: Vec::new(),
            produced_digest: self.produced_digest.clone(),
        }
    }

    fn stream_report(&self, stream_id: StreamId) -> StreamReport {
        let model = self.model;
        let stream = model.stream(stream_id);
        let log_end = &self.log_end[stream_id.index()];
        let on_queue = stream.carrier == Carrier::Queue;
        // On the queue, "appended" counts publishes that reached the exchange.
        let appended: u64 = if on_queue {
            self.routed[stream_id.index()]
        } else {
            log_end.iter().sum()
        };
        let producers = self.produced_by[stream_id.index()]
            .iter()
            .enumerate()
            .filter(|&(_, &count)| count > 0)
            .map(|(instance, &produced)| {
                let instance = model.instance(InstanceId(instance as u32));
                let partitioner = model
                    .service(instance.service)
                    .produces
                    .iter()
                    .find(|production| production.stream == stream_id)
                    .map(|production| production.partitioner)
                    .filter(|&partitioner| partitioner != stream.partitioner)
                    .map(|partitioner| partitioner.name().to_string());
                ProducerReport {
                    instance: instance.name.clone(),
                    produced,
                    partitioner,
                }
            })
            .collect();
        let partitions = log_end
            .iter()
            .take(if on_queue { 0 } else { log_end.len() })
            .enumerate()
            .map(|(partition, &end)| PartitionReport {
                partition: partition as u32,
                appended: end,
                log_start_offset: self.log_start[stream_id.index()][partition],
                log_end_offset: end,
            })
            .collect();
        let groups = self.groups_of_stream[stream_id.index()]
            .iter()
            .map(|&group| self.group_report(group, log_end))
            .collect();
        let keys = &self.key_partitions[stream_id.index()];
        let keys_moved = keys_can_split(model, stream_id).then(|| KeysMovedReport {
            keys: keys.iter().filter(|key| key.first.is_some()).count() as u64,
            moved: keys.iter().filter(|key| key.moved).count() as u64,
        });
        let partitions_created = self.partitions_created[stream_id.index()]
            .iter()
            .map(|&(at, partition_count)| PartitionsCreatedReport {
                at_us: at.as_us(),
                partition_count,
            })
            .collect();
        StreamReport {
            partitions_created,
            keys_moved,
            name: stream.name.clone(),
            carrier: stream.carrier.name().to_string(),
            partitioner: stream.partitioner.name().to_string(),
            produced: self.produced[stream_id.index()],
            appended,
            deleted_by_retention: self.deleted_by_retention[stream_id.index()],
            in_flight: self.produced[stream_id.index()]
                - appended
                - self.lost_in_producer[stream_id.index()],
            lost_in_producer: self.lost_in_producer[stream_id.index()],
            exchange_type: on_queue.then(|| stream.rabbitmq.exchange_type.name().to_string()),
            unroutable: on_queue.then_some(self.unroutable[stream_id.index()]),
            producers,
            partitions,
            groups,
        }
    }

    fn group_report(&self, group_id: GroupId, log_end: &[u64]) -> GroupReport {
        let model = self.model;
        let group = model.group(group_id);
        let stats = &self.groups[group_id.index()];
        let stream_name = &model.stream(group.stream).name;
        let partitions: Vec<GroupPartitionReport> = log_end
            .iter()
            .enumerate()
            .map(|(partition, &end)| GroupPartitionReport {
                partition: partition as u32,
                consumed: stats.per_partition[partition],
                committed_offset: stats.committed[partition],
                lag_end: end.saturating_sub(stats.committed[partition]),
            })
            .collect();
        let unconsumed = log_end
            .iter()
            .enumerate()
            .map(|(partition, &end)| {
                end - stats
                    .delivery
                    .frontier(crate::model::PartitionId(partition as u32))
                    .0
            })
            .sum();
        let first_instance = self.service_first_instance[group.service.index()];
        let instances = stats
            .per_instance
            .iter()
            .enumerate()
            .map(|(index, &consumed)| InstanceReport {
                instance: model
                    .instance(InstanceId(first_instance + index as u32))
                    .name
                    .clone(),
                consumed,
            })
            .collect();
        let delivery = &stats.delivery.findings;
        let order = &stats.key_order.findings;
        if let Some(queue) = self.queues.topology.queue_of_group[group_id.index()] {
            return self.queue_group_report(group_id, queue, instances);
        }
        let consumption = &model.service(group.service).consumes[group.consumption];
        let protocol = match consumption.protocol {
            crate::model::RebalanceProtocol::Eager => "eager",
            crate::model::RebalanceProtocol::Cooperative => "cooperative",
        };
        let default_assignment = consumption.assignment_strategy == crate::model::Strategy::Range
            && consumption.protocol == crate::model::RebalanceProtocol::Eager;
        GroupReport {
            assignment: (!default_assignment).then(|| AssignmentReport {
                strategy: consumption.assignment_strategy.name().to_string(),
                protocol: protocol.to_string(),
            }),
            group: group.name.clone(),
            service: model.service(group.service).name.clone(),
            consumed: stats.consumed,
            consumed_distinct: stats.consumed_distinct,
            unconsumed,
            lag_end: partitions.iter().map(|p| p.lag_end).sum(),
            lag_max: stats.lag_max,
            rebalances: stats.rebalances,
            latency_us: stats.latency.percentiles(),
            partitions,
            instances,
            checks: GroupChecks {
                lost: delivery.lost,
                first_lost: delivery.first_lost.map(|(partition, offset)| {
                    format!("{stream_name}[{}]@{}", partition.0, offset.0)
                }),
                duplicated: delivery.duplicated,
                first_duplicate: delivery.first_duplicate.map(|msg| self.message_name(msg)),
                key_order_inversions: order.inversions,
                first_inversion: order.first_inversion.map(|msg| self.message_name(msg)),
            },
            replay: self.replay(group_id),
            queue: None,
        }
    }

    fn replay(&self, group: GroupId) -> Option<ReplayReport> {
        let stats = &self.groups[group.index()];
        (stats.start_us > 0).then_some(ReplayReport {
            start_us: stats.start_us,
            history: stats.history,
            replayed: stats.replayed,
        })
    }

    fn queue_group_report(
        &self,
        group_id: GroupId,
        queue: QueueId,
        instances: Vec<InstanceReport>,
    ) -> GroupReport {
        let model = self.model;
        let group = model.group(group_id);
        let stats = &self.groups[group_id.index()];
        let queue_stats = &self.queues.queues[queue.index()];
        let order = &stats.key_order.findings;
        let publish_order = &stats.publish_order.findings;
        GroupReport {
            group: group.name.clone(),
            service: model.service(group.service).name.clone(),
            consumed: stats.consumed,
            consumed_distinct: stats.consumed_distinct,
            unconsumed: queue_stats.ready + queue_stats.unacked,
            lag_end: 0,
            lag_max: 0,
            rebalances: 0,
            latency_us: stats.latency.percentiles(),
            partitions: Vec::new(),
            instances,
            checks: GroupChecks {
                lost: stats.queue_lost,
                first_lost: stats.queue_first_lost.map(|msg| self.message_name(msg)),
                duplicated: stats.queue_duplicated,
                first_duplicate: stats
                    .queue_first_duplicate
                    .map(|msg| self.message_name(msg)),
                key_order_inversions: order.inversions,
                first_inversion: order.first_inversion.map(|msg| self.message_name(msg)),
            },
            // Assignors are the log's; a queue dispatches to competing consumers instead.
            assignment: None,
            replay: self.replay(group_id),
            queue: Some(QueueGroupReport {
                queue: self.queues.topology.queue(queue).name.clone(),
                declared_at_us: queue_stats.declared_at.map(SimTime::as_us),
                redeliveries: queue_stats.redeliveries,
                dead_lettered: queue_stats.dead_lettered_total(),
                depth_max: queue_stats.depth_max,
                publish_order_inversions: publish_order.inversions,
                first_publish_order_inversion: publish_order
                    .first_inversion
                    .map(|msg| self.message_name(msg)),
            }),
        }
    }

    fn expect_outcome(&self, expect: &Expect, streams: &[StreamReport]) -> ExpectOutcome {
        let backlog = |group: &GroupReport| {
            group
                .queue
                .as_ref()
                .map_or(group.lag_max, |queue| queue.depth_max)
        };
        let (check, stream) = match expect {
            Expect::NoLoss { stream } => ("no_loss", stream),
            Expect::NoDuplicates { stream } => ("no_duplicates", stream),
            Expect::PerKeyOrder { stream } => ("per_key_order", stream),
            Expect::MaxLagBelow { stream, .. } => ("max_lag_below", stream),
        };
        let report = &streams[stream.index()];
        let mut failures = Vec::new();
        for group in &report.groups {
            let checks = &group.checks;
            let failure = match expect {
                Expect::NoLoss { .. } if checks.lost > 0 => Some(format!(
                    "group \"{}\" lost {} records (first: {})",
                    group.group,
                    checks.lost,
                    checks.first_lost.as_deref().unwrap_or("?")
                )),
                Expect::NoDuplicates { .. } if checks.duplicated > 0 => Some(format!(
                    "group \"{}\" processed {} records twice (first: {})",
                    group.group,
                    checks.duplicated,
                    checks.first_duplicate.as_deref().unwrap_or("?")
                )),
                Expect::PerKeyOrder { .. } if checks.key_order_inversions > 0 => Some(format!(
                    "group \"{}\" saw {} records of a key out of order (first: {})",
                    group.group,
                    checks.key_order_inversions,
                    checks.first_inversion.as_deref().unwrap_or("?")
                )),
                // On the queue, the backlog is the queue's depth.
                Expect::MaxLagBelow { value, .. } if backlog(group) >= *value => Some(format!(
                    "group \"{}\" reached a {} of {} records (limit {value})",
                    group.group,
                    if group.queue.is_some() {
                        "queue depth"
                    } else {
                        "lag"
                    },
                    backlog(group)
                )),
                _ => None,
            };
            failures.extend(failure);
        }
        let detail = if report.groups.is_empty() {
            "no group consumes this stream".to_string()
        } else if failures.is_empty() {
            "holds for every group".to_string()
        } else {
            failures.join("; ")
        };
        ExpectOutcome {
            check: check.to_string(),
            stream: report.name.clone(),
            passed: failures.is_empty(),
            detail,
        }
    }
}

/// The collector as a kernel sink on its own (the simulation wraps it with the trace writer).
impl crate::sim::Sink<TraceEvent> for Collector<'_> {
    fn on_event(&mut self, at: SimTime, _actor: ActorId, event: &TraceEvent) {
        Collector::on_event(self, at, event);
    }
    fn wants_stop(&self) -> bool {
        self.done()
    }
}

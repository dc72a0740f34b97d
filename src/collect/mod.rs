//! Collection: sinks that gather a run's figures from its trace events, with state bounded by
//! streams × partitions × groups × keys (or by producers and instances), except the latency
//! `Histogram` (one entry per distinct latency above 1 s) and the queue's duplicate window.
//!
//! One file per concept: `metrics` (counts, log offsets, lag, latency `Histogram`), `checks`
//! (feeding the `check::*` checkers), `queues` (per-queue bookkeeping), `progress` (what the
//! stop rule reads). `Collector` holds one of each as a field and hands every event to the ones
//! it concerns, statically dispatched and inlined into each emit site. Collection builds no
//! report and words nothing (`report` turns these figures into its types) and decides nothing
//! about the run (`simulate`'s stop rule reads `progress`, and the consumed counts, log end
//! offsets, consumption frontiers and queue states the other sinks keep).

pub mod checks;
pub mod compaction;
pub mod histogram;
pub mod metrics;
pub mod offsets;
pub mod pictures;
pub mod progress;
pub mod queues;
pub mod rebalances;
pub mod schemas;

use crate::check::Consumption;
use crate::model::{
    Decision, GroupId, InstanceId, KeyId, MessageId, Offset, PartitionId, Scenario, StreamId,
};
use crate::sim::SimTime;
use crate::trace::TraceEvent;

use checks::Checks;
use metrics::Metrics;
use offsets::OffsetTimeline;
use progress::Progress;
use queues::QueueCollector;
use rebalances::Rebalances;

/// Hot-path lookups, precomputed from the model.
struct Lookup {
    groups_of_stream: Vec<Vec<GroupId>>,
    /// Each group's stream index, and each instance's index in its service.
    group_stream: Vec<usize>,
    index_in_service: Vec<usize>,
    /// Whether any group starts late (only then is history counted).
    any_late_group: bool,
    /// Whether each group, and each queue's group, consumes with auto-ack.
    group_auto_ack: Vec<bool>,
    queue_auto_ack: Vec<bool>,
    instance_count: usize,
}

/// The run's sinks of figures, one per concept.
pub struct Collector {
    lookup: Lookup,
    metrics: Metrics,
    checks: Checks,
    progress: Progress,
    queues: QueueCollector,
    rebalances: Rebalances,
    offsets: OffsetTimeline,
    schemas: schemas::SchemaCounts,
    compaction: compaction::CompactionFigures,
}

impl Lookup {
    fn new(model: &Scenario, queues: &crate::model::QueueLayout) -> Self {
        let consumption =
            |group: &crate::model::Group| &model.service(group.service).consumes[group.consumption];
        let group_auto_ack: Vec<bool> = model
            .groups
            .iter()
            .map(|group| consumption(group).queue.auto_ack)
            .collect();
        Lookup {
            groups_of_stream: model
                .streams
                .iter()
                .map(|stream| model.groups_of(stream.id).map(|group| group.id).collect())
                .collect(),
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
                .any(|group| consumption(group).start_us > 0),
            queue_auto_ack: queues
                .queues
                .iter()
                .map(|queue| {
                    queue
                        .group
                        .is_some_and(|group| group_auto_ack[group.index()])
                })
                .collect(),
            group_auto_ack,
            instance_count: model.instances.len(),
        }
    }
}

impl Collector {
    /// `queues` is the run's queue layout (`model::Scenario::queue_layout`).
    pub fn new(model: &Scenario, queues: crate::model::QueueLayout) -> Self {
        Collector {
            lookup: Lookup::new(model, &queues),
            metrics: Metrics::new(model),
            checks: Checks::new(model),
            progress: Progress::new(model),
            queues: QueueCollector::new(queues),
            rebalances: Rebalances::new(model),
            offsets: OffsetTimeline::new(model),
            schemas: schemas::SchemaCounts::new(model),
            compaction: compaction::CompactionFigures::new(model),
        }
    }

    pub fn schemas(&self) -> &schemas::SchemaCounts {
        &self.schemas
    }

    /// Where the schema events' reasons are interned, for the report's texts.
    pub fn with_reasons(mut self, reasons: &std::rc::Rc<crate::trace::Reasons>) -> Self {
        self.schemas.texts = std::rc::Rc::clone(reasons);
        self
    }

    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    pub fn checks(&self) -> &Checks {
        &self.checks
    }

    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    pub fn queues(&self) -> &QueueCollector {
        &self.queues
    }

    pub fn rebalances(&self) -> &Rebalances {
        &self.rebalances
    }

    pub fn offsets(&self) -> &OffsetTimeline {
        &self.offsets
    }

    /// The cleaner's passes and the compacted logs' figures.
    pub fn compaction(&self) -> &compaction::CompactionFigures {
        &self.compaction
    }

    /// The groups that consume `stream`, in declaration order.
    pub fn groups_of_stream(&self, stream: StreamId) -> &[GroupId] {
        &self.lookup.groups_of_stream[stream.index()]
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
            } => self.on_produced(at, stream, partition, msg, key),
            TraceEvent::Appended {
                stream, partition, ..
            } => self.on_appended(stream, partition),
            TraceEvent::Consumed {
                group,
                instance,
                partition,
                offset,
                msg,
                key,
                sent_at,
            } => self.on_consumed(at, group, instance, partition, offset, msg, key, sent_at),
            TraceEvent::Processed {
                group,
                instance,
                msg,
                key,
                sent_at,
                ..
            } => self.on_processed(at, group, instance, msg, key, sent_at),
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
                let counted_auto = auto_ack && self.lookup.queue_auto_ack[queue.index()];
                let delivery = queues::Delivery {
                    msg,
                    redelivered,
                    counted_auto,
                    auto_ack,
                    get,
                };
                self.queues.delivered(queue, instance, delivery);
            }
            TraceEvent::Acked { queue, .. } => self.queues.acked(queue),
            _ => self.on_other_event(at, event),
        }
    }

    /// The events that come once per fault, rebalance, commit or queue incident. Inlined like
    /// `on_event`, so at each emit site the two matches fold to one arm.
    #[inline(always)]
    fn on_other_event(&mut self, at: SimTime, event: &TraceEvent) {
        let metrics = &mut self.metrics;
        match *event {
            TraceEvent::Committed {
                group,
                partition,
                offset,
            } => {
                metrics.groups[group.index()].commit(partition, offset);
                self.offsets
                    .committed(at, group, partition.index(), offset.0);
            }
            TraceEvent::ProducerFinished { instance, .. } => {
                self.progress.producer_finished(instance)
            }
            TraceEvent::Crashed { instance } => {
                metrics.faults.crashes += 1;
                self.progress.crashed(instance);
            }
            TraceEvent::Restarted { instance } => {
                metrics.faults.restarts += 1;
                self.progress.restarted(instance);
            }
            TraceEvent::SlowStarted { .. } => metrics.faults.slow_periods += 1,
            TraceEvent::MemberExpired { .. } => metrics.faults.members_expired += 1,
            TraceEvent::SegmentsDeleted {
                stream,
                partition,
                records,
                log_start_offset,
            } => metrics.segments_deleted(stream, partition, records, log_start_offset),
            TraceEvent::PartitionsCreated {
                stream,
                partition_count,
            } => metrics.partitions_created[stream.index()].push((at, partition_count)),
            TraceEvent::ProducerBufferLost { stream, count, .. } => {
                self.progress.in_network -= count;
                metrics.lost_in_producer[stream.index()] += count;
            }
            TraceEvent::OffsetReset {
                group,
                partition,
                offset,
            } => self.on_offset_reset(at, group, partition, offset),
            TraceEvent::Routed { stream, queues, .. } => {
                self.progress.in_network -= 1;
                metrics.routed(stream, queues);
            }
            TraceEvent::ConsumerFinished { group, instance } => {
                let index = self.lookup.index_in_service[instance.index()];
                self.progress.consumer_finished(group, index);
            }
            TraceEvent::RecordRejected { .. } => {
                // Refused at the broker: off the wire, never appended.
                self.progress.in_network -= 1;
                self.compaction.on_event(at, event);
            }
            _ if self.compaction.on_event(at, event) => {}
            _ => self.on_group_event(at, event),
        }
    }

    /// The events of a group's membership and offsets: rebalances, assignments, revocations,
    /// first fetches, poll timeouts, failed commits and admin resets.
    #[inline(always)]
    fn on_group_event(&mut self, at: SimTime, event: &TraceEvent) {
        let metrics = &mut self.metrics;
        match *event {
            TraceEvent::RebalanceStarted {
                group,
                generation,
                cause,
            } => {
                metrics.groups[group.index()].rebalances += 1;
                self.rebalances.started(at, group, generation, cause);
            }
            TraceEvent::Revoked {
                group,
                instance,
                ref partitions,
            } => self.rebalances.revoked(at, group, instance, partitions),
            TraceEvent::Assigned {
                group,
                generation,
                instance,
                ref partitions,
            } => self
                .rebalances
                .assigned(at, group, generation, instance, partitions),
            TraceEvent::Fetched {
                group,
                instance,
                partition,
                first_offset,
                count,
            } => {
                self.rebalances.fetched(at, group, instance);
                self.offsets
                    .fetched(group, partition.index(), first_offset.0 + u64::from(count));
            }
            TraceEvent::PollTimeoutExpired { group, .. } => {
                metrics.groups[group.index()].poll_timeouts += 1
            }
            TraceEvent::OffsetsResetByAdmin {
                group,
                partition,
                offset,
                mode,
            } => {
                let stats = &mut metrics.groups[group.index()];
                stats.commit(partition, offset);
                self.offsets
                    .committed(at, group, partition.index(), offset.0);
                if stats.admin_resets.last().is_none_or(|last| last.at != at) {
                    stats.admin_resets.push(metrics::AdminReset {
                        at,
                        mode,
                        refused_members: 0,
                    });
                }
            }
            TraceEvent::ResetRefused {
                group,
                members,
                mode,
            } => metrics.groups[group.index()]
                .admin_resets
                .push(metrics::AdminReset {
                    at,
                    mode,
                    refused_members: members,
                }),
            TraceEvent::CommittedOnClose {
                group,
                partition,
                offset,
                ..
            } => {
                metrics.groups[group.index()].commit(partition, offset);
                self.offsets
                    .committed(at, group, partition.index(), offset.0);
            }
            TraceEvent::ResetNotConsulted { group, .. } => {
                metrics.groups[group.index()].reset_not_consulted += 1
            }
            TraceEvent::NoOffsetForPartition { group, .. } => {
                metrics.groups[group.index()].no_offset += 1
            }
            TraceEvent::StaticMemberReturned { group, .. } => {
                metrics.groups[group.index()].static_returns += 1
            }
            TraceEvent::CommitFailed { group, .. } => {
                metrics.groups[group.index()].commits_failed += 1
            }
            _ => self.on_queue_incident(at, event),
        }
    }

    /// The queue events that touch the checkers or the consumers' bookkeeping.
    #[inline(always)]
    fn on_queue_incident(&mut self, at: SimTime, event: &TraceEvent) {
        match *event {
            TraceEvent::DeliveryLost {
                group,
                instance,
                msg,
            } => {
                self.checks.group(group).lost(msg);
                if let Some(queue) = self.queues.layout.queue_of_group[group.index()] {
                    self.queues.auto_done(queue, instance);
                }
            }
            TraceEvent::ChannelClosed {
                queue, instance, ..
            } => {
                // A dead auto-ack consumer also loses what was still on the wire to it.
                if self.lookup.queue_auto_ack[queue.index()]
                    && self.progress.down[instance.index()]
                    && let Some(group) = self.queues.layout.queue(queue).group
                {
                    let lost = self.queues.auto_lost_in_flight(queue, instance);
                    self.checks.group(group).queue_lost += lost;
                }
                self.queues.on_event(at, event);
            }
            TraceEvent::Decided {
                group,
                instance,
                decision,
                ..
            } => {
                if decision == Decision::Hold
                    && let Some(queue) = self.queues.layout.queue_of_group[group.index()]
                {
                    self.queues.held(queue, instance);
                }
            }
            TraceEvent::Dropped { queue, msg, .. }
            | TraceEvent::PublishRejected {
                queue,
                msg,
                dead_lettered: false,
            } => {
                if let Some(group) = self.queues.layout.queue(queue).group {
                    self.checks.group(group).lost(msg);
                }
                self.queues.on_event(at, event);
            }
            TraceEvent::ProduceRejected { stream, reason, .. } => {
                self.schemas.rejected(stream, reason)
            }
            TraceEvent::DecodeFailed { group, reason, .. } => {
                self.schemas.decode_failed(group, reason)
            }
            // The registry's answers are in the model's plan; the report reads them there.
            TraceEvent::SchemaRegistered { .. } | TraceEvent::SchemaRefused { .. } => {}
            // A consumer's schema fetches cost time, which the trace shows; they count nothing.
            TraceEvent::SchemaRequested { .. } | TraceEvent::SchemaFetched { .. } => {}
            // Fetches, assignments, revocations and the end of a slow period count nothing;
            // the queue broker's other events are its bookkeeping's.
            _ => self.queues.on_event(at, event),
        }
    }

    #[inline(always)]
    fn on_produced(
        &mut self,
        at: SimTime,
        stream: StreamId,
        partition: PartitionId,
        msg: MessageId,
        key: Option<KeyId>,
    ) {
        let metrics = &mut self.metrics;
        metrics.produced(at, stream, partition, msg, key, self.lookup.instance_count);
        if self.lookup.any_late_group {
            metrics.count_history(at, &self.lookup.groups_of_stream[stream.index()]);
        }
        self.progress.in_network += 1;
    }

    #[inline(always)]
    fn on_appended(&mut self, stream: StreamId, partition: PartitionId) {
        self.progress.in_network -= 1;
        let caught_up_at = self.metrics.appended(stream, partition);
        for &group in &self.lookup.groups_of_stream[stream.index()] {
            self.metrics.lag_grew(group);
            if self.checks.frontier(group, partition) == caught_up_at {
                self.progress.behind += 1;
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn on_consumed(
        &mut self,
        at: SimTime,
        group: GroupId,
        instance: InstanceId,
        partition: PartitionId,
        offset: Offset,
        msg: MessageId,
        key: Option<KeyId>,
        sent_at: SimTime,
    ) {
        let log_end =
            self.metrics.log_end[self.lookup.group_stream[group.index()]][partition.index()];
        let index_in_service = self.lookup.index_in_service[instance.index()];
        let stats = self
            .metrics
            .completed(at, group, index_in_service, Some(partition));
        let checkers = self.checks.group(group);
        let was_behind = checkers.delivery.frontier(partition).0 < log_end;
        if checkers.consumed(partition, offset, msg, key) != Consumption::Again {
            stats.first_completion(at, sent_at);
        }
        if was_behind && checkers.delivery.frontier(partition).0 == log_end {
            self.progress.behind -= 1;
        }
    }

    #[inline(always)]
    fn on_processed(
        &mut self,
        at: SimTime,
        group: GroupId,
        instance: InstanceId,
        msg: MessageId,
        key: Option<KeyId>,
        sent_at: SimTime,
    ) {
        let index_in_service = self.lookup.index_in_service[instance.index()];
        let stats = self.metrics.completed(at, group, index_in_service, None);
        if self.checks.group(group).processed(msg, key) {
            stats.first_completion(at, sent_at);
        }
        if self.lookup.group_auto_ack[group.index()]
            && let Some(queue) = self.queues.layout.queue_of_group[group.index()]
        {
            self.queues.auto_done(queue, instance);
        }
    }

    fn on_offset_reset(
        &mut self,
        at: SimTime,
        group: GroupId,
        partition: PartitionId,
        offset: Offset,
    ) {
        let log_end =
            self.metrics.log_end[self.lookup.group_stream[group.index()]][partition.index()];
        let checkers = self.checks.group(group);
        let was_behind = checkers.delivery.frontier(partition).0 < log_end;
        checkers.delivery.start_at(partition, offset);
        if was_behind && checkers.delivery.frontier(partition).0 >= log_end {
            self.progress.behind -= 1;
        }
        self.metrics.groups[group.index()].commit(partition, offset);
        self.offsets
            .committed(at, group, partition.index(), offset.0);
    }
}

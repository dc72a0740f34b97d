//! Builds the typed `RunReport` from the figures a run's `collect::Collector` gathered: names
//! instead of ids, one struct per stream, group and queue in declaration order. It reads
//! figures and words findings; it sees no trace event and steers nothing.

use crate::collect::Collector;
use crate::collect::metrics::keys_can_split;
use crate::model::{
    Carrier, GroupId, InstanceId, MessageId, PartitionId, QueueId, RebalanceProtocol, Scenario,
    StreamId,
};
use crate::sim::{KernelStats, SimTime, StopReason};

use super::*;

/// How the run ended, beside the collected figures: what a report states about the run itself.
pub struct RunEnd<'a> {
    /// The command line that reproduces the run.
    pub reproduce: String,
    pub reason: &'a StopReason,
    /// The simulated time the run ended at.
    pub now: SimTime,
    pub kernel: KernelStats,
}

/// `instance/seq`, how reports name a message.
pub fn message_name(model: &Scenario, msg: MessageId) -> String {
    format!("{}/{}", model.instance(msg.producer).name, msg.seq)
}

impl RunReport {
    /// The report of a run that has ended. Pipelines, tables and the expectations (judged on
    /// them too) are filled in afterwards.
    pub fn build(model: &Scenario, collector: &Collector, end: RunEnd<'_>) -> RunReport {
        let builder = Builder { model, collector };
        let mut streams = model
            .streams
            .iter()
            .map(|stream| builder.stream_report(stream.id))
            .collect::<Vec<_>>();
        list_logs(model, collector, &mut streams);
        let faults = collector.metrics().faults;
        let outcome = outcome(model, collector, &end);
        let deployment = super::deployment::report(model, &streams, outcome.ended_at_us);
        RunReport {
            eventlab_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: model.name.clone(),
            seed: model.seed,
            reproduce: end.reproduce,
            setup: setup::describe(model),
            outcome,
            streams,
            queues: queues::reports(model, collector.queues()),
            schemas: super::schemas::reports(model, collector),
            // Judged once the tables are in: `expect::outcomes` over the whole report.
            expect: Vec::new(),
            faults: FaultSummary {
                crashes: faults.crashes,
                restarts: faults.restarts,
                slow_periods: faults.slow_periods,
                members_expired: faults.members_expired,
            },
            cleaner_passes: collector
                .compaction()
                .passes
                .iter()
                .map(|pass| CleanerPassReport {
                    at_us: pass.at.as_us(),
                    stream: model.stream(pass.stream).name.clone(),
                    partition: pass.partition.0,
                    first_dirty_offset: pass.first_dirty_offset.0,
                    end_offset: pass.end_offset.0,
                    removed: pass.removed,
                    tombstones_removed: pass.tombstones_removed,
                })
                .collect(),
            table_restores: collector
                .compaction()
                .restores
                .iter()
                .map(|restore| {
                    let instance = model.instance(restore.instance);
                    TableRestoreReport {
                        at_us: restore.at.as_us(),
                        instance: instance.name.clone(),
                        service: model.service(instance.service).name.clone(),
                        table: model.topology.services[instance.service.index()].tables
                            [restore.table as usize]
                            .name
                            .clone(),
                        changelog: model.stream(restore.stream).name.clone(),
                        read: restore.read,
                        without_compaction: restore.without_compaction,
                    }
                })
                .collect(),
            deployment,
            timeline: Vec::new(),
            pipelines: Vec::new(),
            tables: Vec::new(),
            produced_digest: collector.metrics().produced_digest.clone(),
        }
    }
}

/// With `--logs`: each partition's segments and records (values are filled in by
/// `RunReport::fill_log_values`; until then every value is an empty object).
fn list_logs(model: &Scenario, collector: &Collector, streams: &mut [StreamReport]) {
    for listing in &collector.compaction().listings {
        let Some(partition) = streams[listing.stream.index()]
            .partitions
            .get_mut(listing.partition.index())
        else {
            continue;
        };
        partition.segments = Some(
            listing
                .segments
                .iter()
                .map(|(base, offsets)| SegmentReport {
                    base_offset: base.0,
                    offsets: offsets.iter().map(|offset| offset.0).collect(),
                })
                .collect(),
        );
        partition.log = Some(
            listing
                .records
                .iter()
                .map(|&(offset, msg, key)| LogEntryReport {
                    offset: offset.0,
                    // Keys a pipeline made during the run are named by `fill_log_values`.
                    key: key
                        .filter(|key| key.index() < model.keys.len())
                        .map(|key| model.keys.text(key).to_string()),
                    value: JsonValue(crate::value::Value::object()),
                    msg,
                    key_id: key,
                })
                .collect(),
        );
    }
}

impl RunReport {
    /// Puts each listed record's value and key (`--logs`) in place: `value_of(stream, message,
    /// key)`, `key_text(key)` (the run's keys, those pipelines made included).
    pub fn fill_log_values(
        &mut self,
        value_of: impl Fn(StreamId, MessageId, Option<crate::model::KeyId>) -> crate::value::Value,
        key_text: impl Fn(crate::model::KeyId) -> String,
    ) {
        for (index, stream) in self.streams.iter_mut().enumerate() {
            for partition in &mut stream.partitions {
                for entry in partition.log.iter_mut().flatten() {
                    entry.value =
                        JsonValue(value_of(StreamId(index as u32), entry.msg, entry.key_id));
                    entry.key = entry.key_id.map(&key_text);
                }
            }
        }
    }
}

/// On a run a limit cut short, the expectations are not evaluated: their end-of-run figures
/// are those of an unfinished run.
pub fn not_evaluated_if_incomplete(
    expect: Vec<ExpectOutcome>,
    outcome: &Outcome,
) -> Vec<ExpectOutcome> {
    let Some(limit) = &outcome.limit else {
        return expect;
    };
    expect
        .into_iter()
        .map(|outcome| ExpectOutcome {
            passed: false,
            not_evaluated: true,
            detail: format!("not evaluated (run incomplete: stopped at {limit})"),
            ..outcome
        })
        .collect()
}

fn outcome(model: &Scenario, collector: &Collector, end: &RunEnd<'_>) -> Outcome {
    let after_consumed = matches!(model.stop, crate::model::Stop::AfterRecordsConsumed { .. });
    let (stop, limit, limit_value) = match end.reason {
        StopReason::Done if after_consumed => ("records_consumed", None, None),
        StopReason::Done => ("drained", None, None),
        StopReason::StopTime => ("stop_time", None, None),
        StopReason::AgendaEmpty => ("agenda_empty", None, None),
        StopReason::Limit { limit, value } => ("limit", Some(limit.to_string()), Some(*value)),
    };
    Outcome {
        stop: stop.to_string(),
        limit,
        limit_value,
        ended_at_us: end.now.as_us(),
        last_consumed_at_us: collector.metrics().last_consumed_at.map(SimTime::as_us),
        events: end.kernel.events,
        messages_sent: end.kernel.messages_sent,
        messages_dropped: end.kernel.messages_dropped,
    }
}

struct Builder<'a> {
    model: &'a Scenario,
    collector: &'a Collector,
}

impl Builder<'_> {
    fn message_name(&self, msg: MessageId) -> String {
        message_name(self.model, msg)
    }

    fn stream_report(&self, stream_id: StreamId) -> StreamReport {
        let model = self.model;
        let metrics = self.collector.metrics();
        let stream = model.stream(stream_id);
        let index = stream_id.index();
        let log_end = &metrics.log_end[index];
        let on_queue = stream.carrier == Carrier::Queue;
        let compaction = self.collector.compaction();
        let compacted = stream.log.cleanup.compact && !on_queue;
        // On the queue, "appended" counts publishes that reached the exchange.
        let appended: u64 = if on_queue {
            metrics.routed[index]
        } else {
            log_end.iter().sum()
        };
        let partitions = log_end
            .iter()
            .take(if on_queue { 0 } else { log_end.len() })
            .enumerate()
            .map(|(partition, &end)| PartitionReport {
                partition: partition as u32,
                appended: end,
                log_start_offset: metrics.log_start[index][partition],
                log_end_offset: end,
                dirty_ratio: compaction.dirty_ratio_ppm[index]
                    .get(partition)
                    .copied()
                    .flatten()
                    .map(|ppm| ppm as f64 / 1_000_000.0),
                segments: None,
                log: None,
            })
            .collect();
        let groups = self
            .collector
            .groups_of_stream(stream_id)
            .iter()
            .map(|&group| self.group_report(group, log_end))
            .collect();
        let keys = &metrics.key_partitions[index];
        let keys_moved = keys_can_split(model, stream_id).then(|| KeysMovedReport {
            keys: keys.iter().filter(|key| key.first.is_some()).count() as u64,
            moved: keys.iter().filter(|key| key.moved).count() as u64,
        });
        let partitions_created = metrics.partitions_created[index]
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
            produced: metrics.produced[index],
            appended,
            deleted_by_retention: metrics.deleted_by_retention[index],
            in_flight: metrics.produced[index] - appended - metrics.lost_in_producer[index],
            lost_in_producer: metrics.lost_in_producer[index],
            dead_letters_received: 0,
            exchange_type: on_queue.then(|| stream.rabbitmq.exchange_type.name().to_string()),
            unroutable: on_queue.then_some(metrics.unroutable[index]),
            producers: self.producer_reports(stream_id),
            partitions,
            groups,
            cleanup_policy: compacted.then(|| stream.log.cleanup.name().to_string()),
            removed_by_cleaner: compacted.then(|| compaction.removed[index]),
            rejected_unkeyed: compacted.then(|| compaction.rejected_unkeyed[index]),
        }
    }

    /// Each instance that produced to the stream, with its partitioner when not the stream's.
    fn producer_reports(&self, stream_id: StreamId) -> Vec<ProducerReport> {
        let model = self.model;
        let stream = model.stream(stream_id);
        self.collector.metrics().produced_by[stream_id.index()]
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
            .collect()
    }

    /// Records consumed per instance of the group's service.
    fn instance_reports(&self, group_id: GroupId) -> Vec<InstanceReport> {
        let model = self.model;
        let service = model.group(group_id).service;
        let first_instance = model
            .instances
            .iter()
            .find(|instance| instance.service == service)
            .map_or(0, |instance| instance.id.0);
        self.collector.metrics().groups[group_id.index()]
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
            .collect()
    }

    fn group_report(&self, group_id: GroupId, log_end: &[u64]) -> GroupReport {
        let instances = self.instance_reports(group_id);
        if let Some(queue) = self.collector.queues().layout.queue_of_group[group_id.index()] {
            return self.queue_group_report(group_id, queue, instances);
        }
        let model = self.model;
        let group = model.group(group_id);
        let stats = &self.collector.metrics().groups[group_id.index()];
        let checkers = &self.collector.checks().groups[group_id.index()];
        let stream_name = &model.stream(group.stream).name;
        let partitions: Vec<GroupPartitionReport> = log_end
            .iter()
            .enumerate()
            .map(|(partition, &end)| GroupPartitionReport {
                partition: partition as u32,
                consumed: stats.per_partition[partition],
                committed_offset: stats.committed[partition],
                lag_end: end.saturating_sub(stats.committed[partition]),
                lag_max: 0,
                owners: Vec::new(),
            })
            .collect();
        let unconsumed = log_end
            .iter()
            .enumerate()
            .map(|(partition, &end)| {
                end - checkers.delivery.frontier(PartitionId(partition as u32)).0
            })
            .sum();
        let delivery = &checkers.delivery.findings;
        let order = &checkers.key_order.findings;
        let publish_order = &checkers.publish_order.findings;
        GroupReport {
            assignment: self.assignment(group_id),
            group: group.name.clone(),
            service: model.service(group.service).name.clone(),
            consumed: stats.consumed,
            consumed_distinct: stats.consumed_distinct,
            unconsumed,
            lag_end: partitions.iter().map(|p| p.lag_end).sum(),
            lag_max: stats.lag_max,
            rebalances: stats.rebalances,
            poll_timeouts: stats.poll_timeouts,
            commits_failed: stats.commits_failed,
            static_returns: stats.static_returns,
            reset_not_consulted: stats.reset_not_consulted,
            no_offset_partitions: stats.no_offset,
            rebalance_list: self.rebalance_list(group_id),
            offsets_over_time: self
                .collector
                .offsets()
                .of(group_id)
                .iter()
                .map(|sample| super::OffsetSampleReport {
                    at_us: sample.at.as_us(),
                    committed: sample.committed.clone(),
                    position: sample.position.clone(),
                })
                .collect(),
            admin_resets: stats
                .admin_resets
                .iter()
                .map(|reset| super::AdminResetReport {
                    at_us: reset.at.as_us(),
                    mode: reset.mode.to_string(),
                    done: reset.refused_members == 0,
                    members: reset.refused_members,
                })
                .collect(),
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
                compacted_away: model
                    .stream(group.stream)
                    .log
                    .cleanup
                    .compact
                    .then_some(delivery.compacted_away),
                publish_order_inversions: Some(publish_order.inversions),
                first_publish_order_inversion: publish_order
                    .first_inversion
                    .map(|msg| self.message_name(msg)),
            },
            replay: self.replay(group_id),
            queue: None,
        }
    }

    /// The group's rebalances, named and measured.
    fn rebalance_list(&self, group: GroupId) -> Vec<super::RebalanceReport> {
        self.collector
            .rebalances()
            .of(group)
            .iter()
            .map(|rebalance| super::RebalanceReport {
                generation: rebalance.generation,
                started_at_us: rebalance.started_at.as_us(),
                cause: rebalance.cause.name().to_string(),
                pause_us: rebalance.pause_us(),
                partitions_moved: rebalance.partitions_moved,
                paused_members: rebalance
                    .members
                    .iter()
                    .map(|(instance, pause)| super::MemberPauseReport {
                        instance: self.model.instance(*instance).name.clone(),
                        pause_us: pause
                            .first_fetch_at
                            .map(|to| to.as_us() - pause.revoked_at.as_us()),
                    })
                    .collect(),
            })
            .collect()
    }

    /// The group's assignor and protocol, when not Kafka's default (range, eager).
    fn assignment(&self, group_id: GroupId) -> Option<AssignmentReport> {
        let group = self.model.group(group_id);
        let consumption = &self.model.service(group.service).consumes[group.consumption];
        let protocol = match consumption.protocol {
            RebalanceProtocol::Eager => "eager",
            RebalanceProtocol::Cooperative => "cooperative",
        };
        let default_assignment = consumption.assignment_strategy == crate::model::Strategy::Range
            && consumption.protocol == RebalanceProtocol::Eager;
        (!default_assignment).then(|| AssignmentReport {
            strategy: consumption.assignment_strategy.name().to_string(),
            protocol: protocol.to_string(),
        })
    }

    fn replay(&self, group: GroupId) -> Option<ReplayReport> {
        let stats = &self.collector.metrics().groups[group.index()];
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
        let stats = &self.collector.metrics().groups[group_id.index()];
        let checkers = &self.collector.checks().groups[group_id.index()];
        let queues = self.collector.queues();
        let queue_stats = &queues.queues[queue.index()];
        let order = &checkers.key_order.findings;
        let publish_order = &checkers.publish_order.findings;
        GroupReport {
            group: group.name.clone(),
            service: model.service(group.service).name.clone(),
            consumed: stats.consumed,
            consumed_distinct: stats.consumed_distinct,
            unconsumed: queue_stats.ready + queue_stats.unacked,
            lag_end: 0,
            lag_max: 0,
            rebalances: 0,
            poll_timeouts: 0,
            commits_failed: 0,
            static_returns: 0,
            reset_not_consulted: 0,
            no_offset_partitions: 0,
            rebalance_list: Vec::new(),
            offsets_over_time: Vec::new(),
            admin_resets: Vec::new(),
            latency_us: stats.latency.percentiles(),
            partitions: Vec::new(),
            instances,
            checks: GroupChecks {
                lost: checkers.queue_lost,
                first_lost: checkers.queue_first_lost.map(|msg| self.message_name(msg)),
                duplicated: checkers.queue_duplicated,
                first_duplicate: checkers
                    .queue_first_duplicate
                    .map(|msg| self.message_name(msg)),
                key_order_inversions: order.inversions,
                first_inversion: order.first_inversion.map(|msg| self.message_name(msg)),
                compacted_away: None,
                publish_order_inversions: None,
                first_publish_order_inversion: None,
            },
            // Assignors are the log's; a queue dispatches to competing consumers instead.
            assignment: None,
            replay: self.replay(group_id),
            queue: Some(QueueGroupReport {
                queue: queues.layout.queue(queue).name.clone(),
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
}

//! The log broker actor: one cluster holding every `log` stream, and the group coordinator.
//!
//! Appends produced records to partition logs, serves fetches from a position, stores committed
//! offsets, and runs each consumer group's membership (heartbeats, session expiry, rebalances).

use crate::model::{GroupId, InstanceId, Offset, PartitionId, Scenario, StreamId};
use crate::protocol::{FetchedBatch, JoinRequest, Msg};
use crate::sim::{Actor, ActorId, Ctx, TimerId};
use crate::trace::{TraceEvent, TraceSink};

use super::group::{GroupState, Member};
use super::partition_log::{PartitionLog, SegmentPolicy};

/// The timer tag of the periodic retention check; session timers use small tags.
const RETENTION_CHECK_TAG: u32 = u32::MAX;

type BrokerCtx<'k, S> = Ctx<'k, Msg, TraceEvent, S>;

pub struct LogBroker {
    /// `logs[stream][partition]`.
    logs: Vec<Vec<PartitionLog>>,
    groups: Vec<GroupState>,
    session_timeout_us: Vec<u64>,
    /// Timer tag → (group, member index); a group's tags start at `session_tag_base[group]`.
    session_tags: Vec<(GroupId, usize)>,
    session_tag_base: Vec<u32>,
    /// The stream each group reads, by group index.
    group_streams: Vec<usize>,
    stored_records: u64,
    stored_records_max: u64,
    /// Key length in bytes by key index: records count key + value towards `segment.bytes`.
    key_bytes: Vec<u64>,
    /// The run's keys, for the lengths of keys a pipeline makes during the run.
    run_keys: std::rc::Rc<crate::model::RunKeys>,
    /// `retention.ms` per stream, in µs (None: keep forever).
    retention_us: Vec<Option<u64>>,
    /// How often retention runs: the smallest `log.retention.check.interval.ms` of the streams
    /// that expire records.
    retention_check_us: Option<u64>,
    /// Per group: when it forms (its consumption's `start_us`; 0 = before the run) and whether
    /// `auto.offset.reset` is latest.
    group_start_us: Vec<u64>,
    group_reset_latest: Vec<bool>,
}

/// Timer tags at and above this activate a late group (tag − base = group index).
const ACTIVATE_TAG_BASE: u32 = 1 << 31;

impl LogBroker {
    /// A key's length in bytes.
    #[inline]
    fn key_len(&mut self, key: crate::model::KeyId) -> u64 {
        match self.key_bytes.get(key.index()) {
            Some(&bytes) => bytes,
            None => self.learn_key_len(key),
        }
    }

    /// The length of a key a pipeline made during the run.
    #[cold]
    fn learn_key_len(&mut self, key: crate::model::KeyId) -> u64 {
        while self.key_bytes.len() <= key.index() {
            let next = crate::model::KeyId::from_index(self.key_bytes.len());
            self.key_bytes.push(self.run_keys.text(next).len() as u64);
        }
        self.key_bytes[key.index()]
    }

    /// `actor_of(instance)` is the actor that runs an instance; `run_keys` are the run's keys.
    pub fn new(
        model: &Scenario,
        actor_of: impl Fn(InstanceId) -> ActorId,
        run_keys: std::rc::Rc<crate::model::RunKeys>,
    ) -> Self {
        let logs = model
            .streams
            .iter()
            .map(|stream| {
                let policy = SegmentPolicy {
                    segment_bytes: stream.log.segment_bytes,
                    segment_us: stream.log.segment_us,
                };
                // Partitions a CreatePartitions adds later exist, empty, from the start: no
                // client knows them before their creation, so nothing reaches them earlier.
                (0..stream.partition_count_max())
                    .map(|_| PartitionLog::new(policy))
                    .collect()
            })
            .collect();
        let mut groups = Vec::new();
        let mut session_timeout_us = Vec::new();
        let mut session_tags = Vec::new();
        let mut session_tag_base = Vec::new();
        let mut group_streams = Vec::new();
        let mut group_start_us = Vec::new();
        let mut group_reset_latest = Vec::new();
        for group in &model.groups {
            group_streams.push(group.stream.index());
            session_tag_base.push(session_tags.len() as u32);
            let consumption = &model.service(group.service).consumes[group.consumption];
            group_start_us.push(consumption.start_us);
            group_reset_latest.push(consumption.offset_reset == crate::model::OffsetReset::Latest);
            let members: Vec<Member> = model
                .instances
                .iter()
                .filter(|instance| instance.service == group.service)
                .map(|instance| Member {
                    instance: instance.id,
                    name: instance.name.clone(),
                    actor: actor_of(instance.id),
                    // A group that starts later forms then (see `activate`).
                    alive: consumption.start_us == 0,
                    session_timer: None,
                    owned: Vec::new(),
                    owned_generation: None,
                })
                .collect();
            for index in 0..members.len() {
                session_tags.push((group.id, index));
            }
            let stream = model.stream(group.stream);
            groups.push(GroupState::new(
                members,
                stream.name.clone(),
                stream.partition_count,
                consumption.assignment_strategy,
            ));
            session_timeout_us.push(consumption.session_timeout_us);
        }
        LogBroker {
            logs,
            groups,
            session_timeout_us,
            session_tags,
            session_tag_base,
            group_streams,
            stored_records: 0,
            stored_records_max: model.limits.stored_records_max,
            run_keys,
            key_bytes: (0..model.keys.len())
                .map(|index| {
                    model
                        .keys
                        .text(crate::model::KeyId::from_index(index))
                        .len() as u64
                })
                .collect(),
            retention_us: model
                .streams
                .iter()
                .map(|stream| stream.log.retention_us)
                .collect(),
            retention_check_us: model
                .streams
                .iter()
                .filter(|stream| stream.log.retention_us.is_some())
                .map(|stream| stream.log.retention_check_interval_us)
                .min(),
            group_start_us,
            group_reset_latest,
        }
    }

    /// A group with a later `start_us` forms now, as generation 1: every member joins at once,
    /// and partitions without a committed offset start where `auto.offset.reset` says
    /// (earliest: offset 0; latest: the log end now).
    fn activate<S: TraceSink>(&mut self, ctx: &mut BrokerCtx<S>, group_id: GroupId) {
        let stream = self.stream_of(group_id);
        let latest = self.group_reset_latest[group_id.index()];
        let group = &mut self.groups[group_id.index()];
        for (partition, committed) in group.committed.iter_mut().enumerate() {
            if latest {
                let end = self.logs[stream][partition].log_end_offset();
                if end != *committed {
                    *committed = end;
                    ctx.emit(TraceEvent::OffsetReset {
                        group: group_id,
                        partition: PartitionId(partition as u32),
                        offset: end,
                    });
                }
            }
        }
        for member in &mut group.members {
            member.alive = true;
        }
        send_assignment(ctx, group_id, group);
        for member in 0..self.groups[group_id.index()].members.len() {
            self.restart_session_timer(ctx, group_id, member);
        }
    }

    /// Generation 1's assignment: the group is formed before time zero.
    pub fn initial_assignment(&self, group: GroupId) -> Vec<(InstanceId, Vec<PartitionId>)> {
        let state = &self.groups[group.index()];
        state
            .assignment()
            .into_iter()
            .map(|(member, partitions)| (state.members[member].instance, partitions))
            .collect()
    }

    fn session_tag(&self, group: GroupId, member: usize) -> u32 {
        self.session_tag_base[group.index()] + member as u32
    }

    fn restart_session_timer<S: TraceSink>(
        &mut self,
        ctx: &mut BrokerCtx<S>,
        group: GroupId,
        member: usize,
    ) {
        let tag = self.session_tag(group, member);
        let timeout_us = self.session_timeout_us[group.index()];
        let state = &mut self.groups[group.index()].members[member];
        if let Some(old) = state.session_timer.take() {
            ctx.cancel_timer(old);
        }
        state.session_timer = Some(ctx.set_timer(timeout_us, tag));
    }

    fn start_rebalance<S: TraceSink>(
        &mut self,
        ctx: &mut BrokerCtx<S>,
        group_id: GroupId,
        joined: Option<usize>,
    ) {
        let group = &mut self.groups[group_id.index()];
        if group.rebalancing {
            return;
        }
        group.rebalancing = true;
        ctx.emit(TraceEvent::RebalanceStarted {
            group: group_id,
            generation: group.generation + 1,
        });
        for (index, member) in group.members.iter().enumerate() {
            if member.alive && Some(index) != joined {
                group.awaiting.insert(index);
                ctx.send(
                    member.actor,
                    Msg::RebalanceStart {
                        group: group_id,
                        generation: group.generation,
                    },
                );
            }
        }
        self.complete_rebalance_if_ready(ctx, group_id);
    }

    fn complete_rebalance_if_ready<S: TraceSink>(
        &mut self,
        ctx: &mut BrokerCtx<S>,
        group_id: GroupId,
    ) {
        let group = &mut self.groups[group_id.index()];
        if !group.rebalancing || !group.awaiting.is_empty() {
            return;
        }
        group.rebalancing = false;
        group.generation += 1;
        send_assignment(ctx, group_id, group);
    }

    fn commit<S: TraceSink>(
        &mut self,
        ctx: &mut BrokerCtx<S>,
        group_id: GroupId,
        offsets: &[(PartitionId, Offset)],
    ) {
        let group = &mut self.groups[group_id.index()];
        for &(partition, offset) in offsets {
            let Some(slot) = group.committed.get_mut(partition.index()) else {
                continue;
            };
            if *slot != offset {
                *slot = offset;
                ctx.emit(TraceEvent::Committed {
                    group: group_id,
                    partition,
                    offset,
                });
            }
        }
    }

    /// OffsetCommit from a live member of the current generation; Kafka rejects commits from
    /// an older generation (ILLEGAL_GENERATION).
    fn on_offset_commit<S: TraceSink>(
        &mut self,
        ctx: &mut BrokerCtx<S>,
        from: ActorId,
        group: GroupId,
        generation: u32,
        offsets: &[(PartitionId, Offset)],
    ) {
        let state = &self.groups[group.index()];
        let is_member = state
            .member_of(from)
            .is_some_and(|member| state.members[member].alive);
        if is_member && generation == state.generation {
            self.commit(ctx, group, offsets);
        }
    }

    fn on_heartbeat<S: TraceSink>(
        &mut self,
        ctx: &mut BrokerCtx<S>,
        from: ActorId,
        group: GroupId,
    ) {
        let state = &self.groups[group.index()];
        if let Some(member) = state.member_of(from)
            && state.members[member].alive
        {
            self.restart_session_timer(ctx, group, member);
        }
    }

    /// JoinGroup: commits what the member carries, records what it owns, and completes the
    /// rebalance it answers or starts one.
    fn on_join_group<S: TraceSink>(
        &mut self,
        ctx: &mut BrokerCtx<S>,
        from: ActorId,
        group: GroupId,
        join: JoinRequest,
    ) {
        let JoinRequest {
            offsets,
            owned,
            owned_generation,
        } = join;
        let Some(member) = self.groups[group.index()].member_of(from) else {
            return;
        };
        self.commit(ctx, group, &offsets);
        let state = &mut self.groups[group.index()];
        let rejoining = state.awaiting.remove(&member);
        state.members[member].alive = true;
        state.members[member].owned = owned;
        state.members[member].owned_generation = owned_generation;
        self.restart_session_timer(ctx, group, member);
        if rejoining || self.groups[group.index()].rebalancing {
            self.complete_rebalance_if_ready(ctx, group);
        } else {
            // A member (re)starting: everyone must re-join.
            self.start_rebalance(ctx, group, Some(member));
        }
    }

    fn on_create_partitions<S: TraceSink>(
        &mut self,
        ctx: &mut BrokerCtx<S>,
        stream: StreamId,
        partition_count: u32,
    ) {
        ctx.emit(TraceEvent::PartitionsCreated {
            stream,
            partition_count,
        });
        // The group leader's next metadata refresh sees the new partitions and the group
        // rebalances (Kafka's ConsumerCoordinator: "metadata has changed").
        for group_index in 0..self.groups.len() {
            if self.group_streams[group_index] != stream.index() {
                continue;
            }
            let group = GroupId(group_index as u32);
            self.groups[group_index].grow(partition_count);
            if self.groups[group_index].members.iter().any(|m| m.alive) {
                self.start_rebalance(ctx, group, None);
            }
        }
    }
}

impl Actor for LogBroker {
    type Msg = Msg;
    type Event = TraceEvent;

    fn on_start<S: TraceSink>(&mut self, ctx: &mut BrokerCtx<S>) {
        for group_index in 0..self.groups.len() {
            let start_us = self.group_start_us[group_index];
            if start_us > 0 {
                ctx.set_timer(start_us, ACTIVATE_TAG_BASE + group_index as u32);
                continue;
            }
            for member in 0..self.groups[group_index].members.len() {
                self.restart_session_timer(ctx, GroupId(group_index as u32), member);
            }
        }
        if let Some(interval_us) = self.retention_check_us {
            ctx.set_timer(interval_us, RETENTION_CHECK_TAG);
        }
    }

    fn on_msg<S: TraceSink>(&mut self, ctx: &mut BrokerCtx<S>, from: ActorId, msg: Msg) {
        match msg {
            Msg::Produce {
                stream,
                partition,
                record,
            } => {
                let size_bytes = u64::from(record.value_size_bytes)
                    + record.key.map_or(0, |key| self.key_len(key));
                let log = &mut self.logs[stream.index()][partition.index()];
                let offset = log.append(record, size_bytes, ctx.now());
                ctx.emit(TraceEvent::Appended {
                    stream,
                    partition,
                    offset,
                    msg: record.id,
                });
                self.stored_records += 1;
                if self.stored_records > self.stored_records_max {
                    ctx.halt("limits.stored_records_max", self.stored_records_max);
                }
            }
            Msg::Fetch {
                group,
                generation,
                positions,
                max_records,
            } => {
                let stream = self.stream_of(group);
                let mut remaining = max_records;
                let mut batches = Vec::new();
                for (partition, position) in positions {
                    if remaining == 0 {
                        break;
                    }
                    let Some(log) = self.logs[stream].get(partition.index()) else {
                        continue;
                    };
                    let mut records = Vec::new();
                    let first_offset = log.read_into(position, remaining, &mut records);
                    if !records.is_empty() {
                        remaining -= records.len() as u32;
                        batches.push(FetchedBatch {
                            partition,
                            first_offset,
                            records,
                        });
                    }
                }
                ctx.send(
                    from,
                    Msg::FetchResponse {
                        group,
                        generation,
                        batches,
                    },
                );
            }
            // The group coordinator's requests and the admin operation: handlers of their own.
            Msg::OffsetCommit {
                group,
                generation,
                offsets,
            } => self.on_offset_commit(ctx, from, group, generation, &offsets),
            Msg::Heartbeat { group } => self.on_heartbeat(ctx, from, group),
            Msg::JoinGroup { group, join } => self.on_join_group(ctx, from, group, *join),
            Msg::CreatePartitions {
                stream,
                partition_count,
            } => self.on_create_partitions(ctx, stream, partition_count),
            Msg::FetchResponse { .. }
            | Msg::RebalanceStart { .. }
            | Msg::Assignment { .. }
            | Msg::SlowStart { .. }
            | Msg::SlowEnd
            | Msg::Publish { .. }
            | Msg::Subscribe { .. }
            | Msg::Deliver { .. }
            | Msg::Ack { .. }
            | Msg::Nack { .. }
            | Msg::Get { .. }
            | Msg::GetEmpty { .. }
            | Msg::CloseChannel { .. }
            | Msg::SchemaRegister { .. }
            | Msg::SchemaAnswer { .. }
            | Msg::ConnectionLost { .. } => {
                debug_assert!(false, "the broker never receives {msg:?}");
            }
        }
    }

    fn on_timer<S: TraceSink>(&mut self, ctx: &mut BrokerCtx<S>, _id: TimerId, tag: u32) {
        if tag == RETENTION_CHECK_TAG {
            self.delete_expired_segments(ctx);
            if let Some(interval_us) = self.retention_check_us {
                ctx.set_timer(interval_us, RETENTION_CHECK_TAG);
            }
            return;
        }
        if tag >= ACTIVATE_TAG_BASE {
            self.activate(ctx, GroupId(tag - ACTIVATE_TAG_BASE));
            return;
        }
        let (group, member) = self.session_tags[tag as usize];
        let state = &mut self.groups[group.index()];
        let member_state = &mut state.members[member];
        member_state.session_timer = None;
        if !member_state.alive {
            return;
        }
        member_state.alive = false;
        member_state.owned.clear();
        member_state.owned_generation = None;
        ctx.emit(TraceEvent::MemberExpired {
            group,
            instance: member_state.instance,
        });
        state.awaiting.remove(&member);
        if state.rebalancing {
            self.complete_rebalance_if_ready(ctx, group);
        } else {
            self.start_rebalance(ctx, group, None);
        }
    }

    fn on_crash<S: TraceSink>(&mut self, _ctx: &mut BrokerCtx<S>) {
        // Broker faults are a later issue; validation only lets instances crash.
    }
}

impl LogBroker {
    /// Kafka's `LogManager.cleanupLogs`, time-based part: delete expired non-active segments.
    fn delete_expired_segments<S: TraceSink>(&mut self, ctx: &mut BrokerCtx<S>) {
        for (stream_index, partitions) in self.logs.iter_mut().enumerate() {
            let Some(retention_us) = self.retention_us[stream_index] else {
                continue;
            };
            for (partition_index, log) in partitions.iter_mut().enumerate() {
                if let Some(deleted) = log.delete_expired(ctx.now(), retention_us) {
                    self.stored_records -= deleted.records;
                    ctx.emit(TraceEvent::SegmentsDeleted {
                        stream: crate::model::StreamId(stream_index as u32),
                        partition: PartitionId(partition_index as u32),
                        records: deleted.records,
                        log_start_offset: deleted.log_start_offset,
                    });
                }
            }
        }
    }

    fn stream_of(&self, group: GroupId) -> usize {
        self.group_streams[group.index()]
    }
}

/// Hands every live member its partitions for the group's current generation, each starting at
/// its committed offset, and traces the assignment.
fn send_assignment<S: TraceSink>(ctx: &mut BrokerCtx<S>, group_id: GroupId, group: &GroupState) {
    for (member, partitions) in group.assignment() {
        let with_offsets = partitions
            .iter()
            .map(|&p| (p, group.committed[p.index()]))
            .collect();
        let state = &group.members[member];
        ctx.send(
            state.actor,
            Msg::Assignment {
                group: group_id,
                generation: group.generation,
                partitions: with_offsets,
            },
        );
        ctx.emit(TraceEvent::Assigned {
            group: group_id,
            generation: group.generation,
            instance: state.instance,
            partitions,
        });
    }
}

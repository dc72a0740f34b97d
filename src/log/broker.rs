//! The log broker actor: one cluster holding every `log` stream, and the group coordinator.
//!
//! Appends produced records to partition logs, serves fetches from a position, stores committed
//! offsets, and runs each consumer group's membership (heartbeats, session expiry, rebalances).

use crate::model::{GroupId, InstanceId, Offset, PartitionId, Scenario, StreamId};
use crate::protocol::{FetchedBatch, JoinRequest, Msg, RebalanceCause};
use crate::sim::{Actor, ActorId, Ctx, TimerId};
use crate::trace::{TraceEvent, TraceSink};

mod compaction;

pub use compaction::TombstoneTest;

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
    group_reset: Vec<crate::model::OffsetReset>,
    /// Per group: the rebalance timeout, in µs (Kafka's consumer sends `max.poll.interval.ms`).
    rebalance_timeout_us: Vec<u64>,
    /// Compaction's settings and state, `retention.bytes` among them (boxed: the broker is one
    /// variant of the run's actor enum, kept near the size of the others).
    compaction: Box<compaction::Compaction>,
}

/// Timer tags at and above this activate a late group (tag − base = group index).
const ACTIVATE_TAG_BASE: u32 = 1 << 31;

/// Timer tags from this one up to `ACTIVATE_TAG_BASE` end a group's rebalance timeout (tag −
/// base = group index); session tags stay below it.
const REBALANCE_TAG_BASE: u32 = 1 << 30;

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
                    segment_records: stream.log.segment_records,
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
        let mut group_reset = Vec::new();
        let mut rebalance_timeout_us = Vec::new();
        for group in &model.groups {
            group_streams.push(group.stream.index());
            session_tag_base.push(session_tags.len() as u32);
            let consumption = &model.service(group.service).consumes[group.consumption];
            group_start_us.push(consumption.start_us);
            group_reset.push(consumption.offset_reset);
            rebalance_timeout_us.push(consumption.max_poll_interval_us);
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
                    assigned: Vec::new(),
                    is_static: consumption.group_instance_id.is_some(),
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
        let retention = retention_settings(model);
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
            retention_us: retention.0,
            retention_check_us: retention.2,
            group_start_us,
            group_reset,
            rebalance_timeout_us,
            compaction: Box::new(compaction::Compaction::new(model, retention.1)),
        }
    }

    /// A group with a later `start_us` forms now, as generation 1: every member joins at once,
    /// and partitions without a committed offset start where `auto.offset.reset` says
    /// (`log::start_offsets`).
    fn activate<S: TraceSink>(&mut self, ctx: &mut BrokerCtx<S>, group_id: GroupId) {
        self.resolve_start_offsets(ctx, group_id);
        let group = &mut self.groups[group_id.index()];
        for member in &mut group.members {
            member.alive = true;
        }
        send_assignment(ctx, group_id, group);
        for member in 0..self.groups[group_id.index()].members.len() {
            self.restart_session_timer(ctx, group_id, member);
        }
    }

    /// Generation 1's assignment: the group is formed before time zero.
    /// With `auto.offset.reset=none` a new group has no offset to start from, so its members
    /// hold their partitions but read none of them (`log::start_offsets`).
    pub fn initial_assignment(&self, group: GroupId) -> Vec<(InstanceId, Vec<PartitionId>)> {
        let state = &self.groups[group.index()];
        let unreadable = self.group_reset[group.index()] == crate::model::OffsetReset::None;
        state
            .assignment()
            .into_iter()
            .map(|(member, partitions)| {
                let readable = if unreadable { Vec::new() } else { partitions };
                (state.members[member].instance, readable)
            })
            .collect()
    }

    /// The group forms: where each partition starts (`log::start_offsets`), traced.
    fn resolve_start_offsets<S: TraceSink>(&mut self, ctx: &mut BrokerCtx<S>, group_id: GroupId) {
        let stream = self.stream_of(group_id);
        let policy = self.group_reset[group_id.index()];
        let group = &mut self.groups[group_id.index()];
        for event in super::start_offsets::resolve(group_id, group, policy, &self.logs[stream]) {
            ctx.emit(event);
        }
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
        cause: RebalanceCause,
    ) {
        let group = &mut self.groups[group_id.index()];
        if group.rebalancing {
            return;
        }
        group.rebalancing = true;
        ctx.emit(TraceEvent::RebalanceStarted {
            group: group_id,
            generation: group.generation + 1,
            cause,
        });
        debug_assert!((group_id.index() as u32) < ACTIVATE_TAG_BASE - REBALANCE_TAG_BASE);
        group.rebalance_timer = Some(ctx.set_timer(
            self.rebalance_timeout_us[group_id.index()],
            REBALANCE_TAG_BASE + group_id.0,
        ));
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
        if let Some(timer) = group.rebalance_timer.take() {
            ctx.cancel_timer(timer);
        }
        group.generation += 1;
        // A group left empty forms again only when a member joins.
        let has_members = group.members.iter().any(|member| member.alive);
        if group.forming && has_members {
            self.resolve_start_offsets(ctx, group_id);
        }
        send_assignment(ctx, group_id, &mut self.groups[group_id.index()]);
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
            group.has_committed[partition.index()] = true;
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
    /// an older generation (ILLEGAL_GENERATION) or a member it does not know
    /// (UNKNOWN_MEMBER_ID). A synchronous commit gets the answer (`GroupCoordinator` /
    /// `OffsetMetadataManager.commitOffset` answer every commit; an asynchronous one only to a
    /// callback, not modelled).
    fn on_offset_commit<S: TraceSink>(
        &mut self,
        ctx: &mut BrokerCtx<S>,
        from: ActorId,
        group: GroupId,
        generation: u32,
        offsets: &[(PartitionId, Offset)],
        sync: bool,
    ) {
        let state = &self.groups[group.index()];
        let is_member = state
            .member_of(from)
            .is_some_and(|member| state.members[member].alive);
        let accepted = is_member && generation == state.generation;
        if accepted {
            self.commit(ctx, group, offsets);
        } else if let Some(member) = state.member_of(from) {
            for &(partition, offset) in offsets {
                ctx.emit(TraceEvent::CommitRejected {
                    group,
                    instance: state.members[member].instance,
                    generation,
                    partition,
                    offset,
                });
            }
        }
        if sync {
            ctx.send(from, Msg::OffsetCommitResponse { group, accepted });
        }
    }

    /// A Fetch: up to `max_records` records from the group's positions, partition by partition.
    #[inline]
    fn on_fetch<S: TraceSink>(
        &mut self,
        ctx: &mut BrokerCtx<S>,
        from: ActorId,
        group: GroupId,
        generation: u32,
        positions: Vec<(PartitionId, Offset)>,
        max_records: u32,
    ) {
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
            let mut offsets = Vec::new();
            let first_offset = log.read_into(position, remaining, &mut records, &mut offsets);
            if !records.is_empty() {
                remaining -= records.len() as u32;
                batches.push(FetchedBatch {
                    partition,
                    first_offset,
                    records,
                    offsets,
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
        // A member of the group that joins with its generation asks for a follow-up round; a
        // fresh join (a start or a restart: no generation) is a new member.
        let follow_up = state.members[member].alive && owned_generation.is_some();
        // KIP-345: a static member that comes back while the coordinator still has it (its
        // session has not timed out) takes its old member's place and assignment, with no
        // rebalance (Kafka's `GroupMetadataManager.updateStaticMemberAndRebalance` on a stable
        // group).
        let static_return = state.members[member].is_static
            && state.members[member].alive
            && owned_generation.is_none()
            && !state.rebalancing
            && !rejoining;
        if static_return {
            state.members[member].owned.clear();
            self.restart_session_timer(ctx, group, member);
            self.static_member_returns(ctx, group, member);
            return;
        }
        state.members[member].alive = true;
        state.members[member].owned = owned;
        state.members[member].owned_generation = owned_generation;
        self.restart_session_timer(ctx, group, member);
        if rejoining || self.groups[group.index()].rebalancing {
            self.complete_rebalance_if_ready(ctx, group);
        } else {
            // A member (re)starting, or asking for a follow-up round: everyone must re-join.
            let cause = if follow_up {
                RebalanceCause::Rejoin
            } else {
                RebalanceCause::Join
            };
            self.start_rebalance(ctx, group, Some(member), cause);
        }
    }

    /// A static member restarted within its session: it gets the partitions it had, from their
    /// committed offsets, in the current generation.
    fn static_member_returns<S: TraceSink>(
        &mut self,
        ctx: &mut BrokerCtx<S>,
        group_id: GroupId,
        member: usize,
    ) {
        let group = &self.groups[group_id.index()];
        let state = &group.members[member];
        ctx.emit(TraceEvent::StaticMemberReturned {
            group: group_id,
            instance: state.instance,
        });
        let partitions = state
            .assigned
            .iter()
            .map(|&partition| (partition, group.committed[partition.index()]))
            .collect();
        ctx.send(
            state.actor,
            Msg::Assignment {
                group: group_id,
                generation: group.generation,
                partitions,
            },
        );
        ctx.emit(TraceEvent::Assigned {
            group: group_id,
            generation: group.generation,
            instance: state.instance,
            partitions: state.assigned.clone(),
        });
    }

    /// The rebalance timeout passed: the members that have not re-joined are removed, and the
    /// rebalance completes with the others.
    fn rebalance_timed_out<S: TraceSink>(&mut self, ctx: &mut BrokerCtx<S>, group_id: GroupId) {
        let group = &mut self.groups[group_id.index()];
        group.rebalance_timer = None;
        if !group.rebalancing {
            return;
        }
        for member in std::mem::take(&mut group.awaiting) {
            let state = &mut group.members[member];
            ctx.emit(TraceEvent::JoinTimedOut {
                group: group_id,
                instance: state.instance,
            });
            state.alive = false;
            state.owned.clear();
            state.owned_generation = None;
            if let Some(timer) = state.session_timer.take() {
                ctx.cancel_timer(timer);
            }
        }
        group.forming = !group.members.iter().any(|member| member.alive);
        self.complete_rebalance_if_ready(ctx, group_id);
    }

    /// LeaveGroup from a live member: it leaves at once (Kafka's `GroupMetadataManager`
    /// removes it and prepares a rebalance, without waiting for `session.timeout.ms`).
    fn on_leave_group<S: TraceSink>(
        &mut self,
        ctx: &mut BrokerCtx<S>,
        from: ActorId,
        group: GroupId,
        cause: RebalanceCause,
    ) {
        let state = &mut self.groups[group.index()];
        let Some(member) = state.member_of(from) else {
            return;
        };
        let member_state = &mut state.members[member];
        if !member_state.alive {
            return;
        }
        if let Some(timer) = member_state.session_timer.take() {
            ctx.cancel_timer(timer);
        }
        ctx.emit(TraceEvent::MemberLeft {
            group,
            instance: member_state.instance,
        });
        self.remove_member(ctx, group, member, cause);
    }

    /// A member is gone (session expired or LeaveGroup): the others rebalance without it, or,
    /// when a rebalance is under way, it is no longer waited for.
    fn remove_member<S: TraceSink>(
        &mut self,
        ctx: &mut BrokerCtx<S>,
        group: GroupId,
        member: usize,
        cause: RebalanceCause,
    ) {
        let state = &mut self.groups[group.index()];
        let member_state = &mut state.members[member];
        member_state.alive = false;
        member_state.owned.clear();
        member_state.owned_generation = None;
        state.awaiting.remove(&member);
        state.forming = !state.members.iter().any(|member| member.alive);
        if state.rebalancing {
            self.complete_rebalance_if_ready(ctx, group);
        } else {
            self.start_rebalance(ctx, group, None, cause);
        }
    }

    /// `kafka-consumer-groups --reset-offsets --execute` (Kafka 3.9 `ConsumerGroupCommand`):
    /// refused while the group has members; otherwise every partition's committed offset moves
    /// to the mode's target, clamped into `[log start, log end]` as the tool's
    /// `checkOffsetRange` does.
    fn on_reset_offsets<S: TraceSink>(
        &mut self,
        ctx: &mut BrokerCtx<S>,
        group_id: GroupId,
        mode: crate::model::ResetMode,
    ) {
        use crate::model::ResetMode;
        let stream = self.stream_of(group_id);
        let group = &mut self.groups[group_id.index()];
        let members = group.members.iter().filter(|member| member.alive).count() as u32;
        if members > 0 {
            ctx.emit(TraceEvent::ResetRefused {
                group: group_id,
                members,
                mode: mode.name(),
            });
            return;
        }
        for (partition, committed) in group.committed.iter_mut().enumerate() {
            let log = &self.logs[stream][partition];
            let (start, end) = (log.log_start_offset().0, log.log_end_offset().0);
            let target = match mode {
                ResetMode::ToEarliest => start,
                ResetMode::ToLatest => end,
                ResetMode::ToOffset(offset) => offset,
                ResetMode::ToDatetime(time_us) => {
                    log.offset_for_time(crate::sim::SimTime(time_us)).0
                }
                ResetMode::ShiftBy(shift) => committed.0.saturating_add_signed(shift),
            };
            let target = Offset(target.clamp(start, end));
            *committed = target;
            group.has_committed[partition] = true;
            ctx.emit(TraceEvent::OffsetsResetByAdmin {
                group: group_id,
                partition: PartitionId(partition as u32),
                offset: target,
                mode: mode.name(),
            });
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
                self.start_rebalance(ctx, group, None, RebalanceCause::PartitionsAdded);
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
            // Generation 1 formed before time zero (the members hold it from the start); it is
            // traced here so that every generation's assignment is in the trace.
            self.resolve_start_offsets(ctx, GroupId(group_index as u32));
            let group = &mut self.groups[group_index];
            group.forming = false;
            for (member, partitions) in group.assignment() {
                group.members[member].assigned.clone_from(&partitions);
                ctx.emit(TraceEvent::Assigned {
                    group: GroupId(group_index as u32),
                    generation: group.generation,
                    instance: group.members[member].instance,
                    partitions,
                });
            }
            for member in 0..self.groups[group_index].members.len() {
                self.restart_session_timer(ctx, GroupId(group_index as u32), member);
            }
        }
        if let Some(interval_us) = self.retention_check_us {
            ctx.set_timer(interval_us, RETENTION_CHECK_TAG);
        }
        self.start_cleaner(ctx);
    }

    fn on_msg<S: TraceSink>(&mut self, ctx: &mut BrokerCtx<S>, from: ActorId, msg: Msg) {
        match msg {
            Msg::Produce {
                stream,
                partition,
                record,
            } => {
                if self.refuses(ctx, stream, partition, &record) {
                    return;
                }
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
            } => self.on_fetch(ctx, from, group, generation, positions, max_records),
            // The group coordinator's requests and the admin operation: handlers of their own.
            Msg::OffsetCommit {
                group,
                generation,
                offsets,
                sync,
            } => self.on_offset_commit(ctx, from, group, generation, &offsets, sync),
            Msg::Heartbeat { group } => self.on_heartbeat(ctx, from, group),
            Msg::JoinGroup { group, join } => self.on_join_group(ctx, from, group, *join),
            Msg::LeaveGroup { group, cause } => self.on_leave_group(ctx, from, group, cause),
            Msg::CreatePartitions {
                stream,
                partition_count,
            } => self.on_create_partitions(ctx, stream, partition_count),
            Msg::ResetOffsets { group, mode } => self.on_reset_offsets(ctx, group, mode),
            Msg::LogAdmin { stream, admin } => self.on_log_admin(ctx, stream, admin),
            Msg::ReadLog { stream, tag } => self.on_read_log(ctx, from, stream, tag),
            Msg::FetchResponse { .. }
            | Msg::LogContents(_)
            | Msg::OffsetCommitResponse { .. }
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
            | Msg::SchemaFetch { .. }
            | Msg::SchemaFetched { .. }
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
        if tag == compaction::CLEANER_TAG {
            self.on_cleaner_timer(ctx);
            return;
        }
        if tag >= ACTIVATE_TAG_BASE {
            self.activate(ctx, GroupId(tag - ACTIVATE_TAG_BASE));
            return;
        }
        if tag >= REBALANCE_TAG_BASE {
            self.rebalance_timed_out(ctx, GroupId(tag - REBALANCE_TAG_BASE));
            return;
        }
        let (group, member) = self.session_tags[tag as usize];
        let member_state = &mut self.groups[group.index()].members[member];
        member_state.session_timer = None;
        if !member_state.alive {
            return;
        }
        ctx.emit(TraceEvent::MemberExpired {
            group,
            instance: member_state.instance,
        });
        self.remove_member(ctx, group, member, RebalanceCause::SessionTimeout);
    }

    fn on_crash<S: TraceSink>(&mut self, _ctx: &mut BrokerCtx<S>) {
        // Broker faults are a later issue; validation only lets instances crash.
    }

    fn on_end<S: TraceSink>(&mut self, ctx: &mut BrokerCtx<S>) {
        self.report_compacted_logs(ctx);
    }
}

impl LogBroker {
    /// Kafka's `LogManager.cleanupLogs` for `cleanup.policy` delete: delete expired
    /// segments, then the oldest while the log is over `retention.bytes`.
    fn delete_expired_segments<S: TraceSink>(&mut self, ctx: &mut BrokerCtx<S>) {
        for (stream_index, partitions) in self.logs.iter_mut().enumerate() {
            let retention_us = self.retention_us[stream_index];
            let retention_bytes = self.compaction.retention_bytes[stream_index];
            for (partition_index, log) in partitions.iter_mut().enumerate() {
                let stored = log.stored();
                let by_time = retention_us.and_then(|us| log.delete_expired(ctx.now(), us));
                let by_size =
                    retention_bytes.and_then(|bytes| log.delete_over_size(ctx.now(), bytes));
                let deleted = match (by_time, by_size) {
                    (Some(time), Some(size)) => Some(super::partition_log::Deleted {
                        records: time.records + size.records,
                        log_start_offset: size.log_start_offset,
                    }),
                    (time, size) => time.or(size),
                };
                if let Some(deleted) = deleted {
                    self.stored_records -= stored - log.stored();
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

/// Per stream `retention.ms` and `retention.bytes`, which apply with `cleanup.policy` delete
/// (`UnifiedLog.deleteOldSegments`), and how often the retention check runs: the smallest
/// `log.retention.check.interval.ms` of the streams it has work on.
#[allow(clippy::type_complexity)]
fn retention_settings(model: &Scenario) -> (Vec<Option<u64>>, Vec<Option<u64>>, Option<u64>) {
    let by_time = model
        .streams
        .iter()
        .map(|stream| {
            stream
                .log
                .retention_us
                .filter(|_| stream.log.cleanup.delete)
        })
        .collect();
    let by_size = model
        .streams
        .iter()
        .map(|stream| {
            stream
                .log
                .retention_bytes
                .filter(|_| stream.log.cleanup.delete)
        })
        .collect();
    let check_us = model
        .streams
        .iter()
        .filter(|stream| {
            stream.log.cleanup.delete
                && (stream.log.retention_us.is_some() || stream.log.retention_bytes.is_some())
        })
        .map(|stream| stream.log.retention_check_interval_us)
        .min();
    (by_time, by_size, check_us)
}

/// Hands every live member its partitions for the group's current generation, each starting at
/// its committed offset, and traces the assignment.
fn send_assignment<S: TraceSink>(
    ctx: &mut BrokerCtx<S>,
    group_id: GroupId,
    group: &mut GroupState,
) {
    group.forming &= !group.members.iter().any(|member| member.alive);
    for (member, partitions) in group.assignment() {
        group.members[member].assigned.clone_from(&partitions);
        let with_offsets = partitions
            .iter()
            .filter_map(|&p| Some((p, super::start_offsets::start_of(group, p)?)))
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

//! A consumer: one member of a consumer group, reading its assigned partitions of one stream.
//!
//! The poll loop, in virtual time: every `poll_interval_ms`, an idle member (nothing left of its
//! last batch, no fetch under way) sends one Fetch for all its partitions from its positions,
//! taking at most `max.poll.records`. It processes the batch one record at a time; each record
//! takes its processing time (keyed by group and message id, times the slow factor). Offsets are
//! committed every `auto.commit.interval.ms` (or after each batch when auto-commit is off:
//! `commitSync`, which waits for the answer before the next poll, or `commitAsync`, which does
//! not and is never retried), and before re-joining in a rebalance. Heartbeats go out every `heartbeat.interval.ms`, from a
//! background thread as in Kafka, so a busy member still heartbeats.
//!
//! Rebalances follow Kafka's `ConsumerCoordinator`. Eager protocol: finish the batch, commit,
//! revoke every partition, re-join, wait for the new assignment. Cooperative protocol: commit
//! and re-join at once while still consuming; when the assignment comes (applied between
//! batches), keep the partitions that stay, revoke only those that moved (committing them
//! first), and if any were revoked re-join again so the coordinator can hand them over.
//! Liveness is KIP-62's (Kafka 3.9 `AbstractCoordinator.HeartbeatThread`): heartbeats keep a busy
//! member's session alive, but a member that goes `max.poll.interval.ms` without polling (its
//! batch takes that long) leaves its group with a LeaveGroup, and its partitions move. It keeps
//! processing the batch it holds (those records will be processed again by their new owner); its
//! commits fail (`CommitFailedException`), and when the batch is done it polls again: its
//! partitions are lost (`onPartitionsLost`, nothing committed) and it joins as a new member.
//!
//! Subscriptions carry the owned partitions as Kafka's do: the current ones (cooperative), the
//! previous assignment and its generation (eager `sticky`, from its user data), or none (eager
//! `range`, `roundrobin`, `cooperative-sticky`, which revoked everything before joining).

use crate::model::Strategy;
use crate::model::{
    CommitCall, CommitMode, Consumption, GroupId, InstanceId, Offset, PartitionId,
    RebalanceProtocol,
};
use crate::protocol::{FetchedBatch, JoinRequest, Msg};
use crate::sim::{ActorId, Ctx, TimerId, rng};
use crate::trace::{TraceEvent, TraceSink};

type InstanceCtx<'k, S> = Ctx<'k, Msg, TraceEvent, S>;

#[derive(Clone, Copy, Debug)]
struct OwnedPartition {
    partition: PartitionId,
    /// Where the next fetch starts.
    position: Offset,
    /// One past the last processed record.
    processed: Offset,
    /// The last offset sent in a commit.
    committed_sent: Offset,
}

impl OwnedPartition {
    /// The offset a commit sends: processed records (at-least-once) or fetched ones
    /// (at-most-once).
    fn commit_offset(&self, mode: CommitMode) -> Offset {
        match mode {
            CommitMode::AfterProcessing => self.processed,
            CommitMode::BeforeProcessing => self.position,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Membership {
    /// Has an assignment for `generation`.
    Stable,
    /// Asked to re-join; will once the current batch is done.
    RejoinPending,
    /// Sent JoinGroup; waits for an assignment.
    AwaitingAssignment,
    /// Cooperative protocol: sent JoinGroup and keeps consuming its partitions meanwhile.
    Joining,
    /// Left the group when its poll timeout expired (KIP-62) and still processes its batch;
    /// re-joins when the batch is done.
    Evicted,
}

pub struct ConsumerRole {
    pub group: GroupId,
    /// The instance this role runs in.
    me: InstanceId,
    /// This role's index in its instance, carried in timer tags.
    index: u32,
    config: Consumption,
    seed: u64,
    processing_stream: u64,
    generation: u32,
    membership: Membership,
    owned: Vec<OwnedPartition>,
    fetch_in_flight: bool,
    batches: Vec<FetchedBatch>,
    /// Next record to process: (batch index, record index).
    cursor: (usize, usize),
    /// The record being processed and its timer, when processing takes time.
    processing: Option<TimerId>,
    /// When the member last polled (was idle at a poll tick), in µs: KIP-62's poll timer.
    last_poll_us: u64,
    /// The run ends drained, and then the application closes its consumer.
    close_at_end: bool,
    /// The next of the application's `seek` calls (`config.seeks`) still to come.
    next_seek: usize,
    /// A seek happened while a fetch was under way: its response reads from before the seek.
    discard_fetch: bool,
    /// A `commitSync` under way: how many partitions it commits. The application waits for
    /// the answer, so the member neither polls nor processes meanwhile.
    commit_in_flight: Option<u32>,
    /// The last assignment received and its generation (the sticky assignor's user data).
    last_assignment: Vec<PartitionId>,
    last_generation: Option<u32>,
    /// Cooperative protocol: an assignment that arrived mid-batch, applied when it ends.
    pending_assignment: Option<(u32, Vec<(PartitionId, Offset)>)>,
    /// Cooperative protocol: the next rebalance started before the pending assignment was
    /// applied; re-join right after applying it.
    rejoin_after_pending: bool,
    /// The run's pipelines, when this group's flow runs on what it finishes (log: processed;
    /// queue: acked).
    pub flow: Option<std::rc::Rc<crate::pipeline::Dataflow>>,
    /// What the flow sent on since the instance last took it.
    pub emissions: Vec<crate::pipeline::Emission>,
    /// The run's schema checks (the deserializer), when a stream has a schema.
    pub schemas: Option<std::rc::Rc<super::SchemaRun>>,
    /// The deserializer's schema cache: the writer schemas' ids this instance has fetched
    /// since it (re)started (Confluent's `CachedSchemaRegistryClient`).
    pub schema_cache: super::SchemaCache,
}

impl ConsumerRole {
    /// `initial` is generation 1's assignment for this instance.
    pub fn new(
        me: InstanceId,
        index: u32,
        seed: u64,
        group_name: &str,
        config: &Consumption,
        initial: &[PartitionId],
    ) -> Self {
        let mut role = ConsumerRole {
            flow: None,
            emissions: Vec::new(),
            schemas: None,
            schema_cache: super::SchemaCache::default(),
            group: config.group,
            me,
            index,
            config: config.clone(),
            seed,
            processing_stream: rng::stream_id("group", group_name, "processing"),
            generation: 1,
            membership: Membership::Stable,
            owned: Vec::new(),
            fetch_in_flight: false,
            batches: Vec::new(),
            cursor: (0, 0),
            processing: None,
            last_poll_us: 0,
            close_at_end: false,
            next_seek: 0,
            discard_fetch: false,
            commit_in_flight: None,
            last_assignment: Vec::new(),
            last_generation: None,
            pending_assignment: None,
            rejoin_after_pending: false,
        };
        role.assign(1, initial.iter().map(|&partition| (partition, Offset(0))));
        role
    }

    fn assign(&mut self, generation: u32, partitions: impl Iterator<Item = (PartitionId, Offset)>) {
        self.generation = generation;
        self.membership = Membership::Stable;
        self.last_generation = Some(generation);
        self.owned = partitions
            .map(|(partition, offset)| OwnedPartition {
                partition,
                position: offset,
                processed: offset,
                committed_sent: offset,
            })
            .collect();
        self.last_assignment = self.owned.iter().map(|owned| owned.partition).collect();
    }

    fn cooperative(&self) -> bool {
        self.config.protocol == RebalanceProtocol::Cooperative
    }

    /// The run ends when it is drained: the application then closes its consumer, which
    /// commits what it has processed when auto-commit is on.
    pub fn close_at_end(&mut self) {
        self.close_at_end = true;
    }

    /// `KafkaConsumer.close()` at the end of a drained run: with `enable.auto.commit` it
    /// commits synchronously (Kafka 3.9 `ConsumerCoordinator.close` →
    /// `maybeAutoCommitOffsetsSync`). The run ends there, so the commit is traced as the
    /// consumer's last act rather than sent (no broker step follows the end).
    pub fn close<S: TraceSink>(&mut self, ctx: &mut InstanceCtx<S>) {
        if !self.close_at_end || !self.config.auto_commit || !self.consuming() {
            return;
        }
        for (partition, offset) in self.commit_offsets() {
            ctx.emit(TraceEvent::CommittedOnClose {
                group: self.group,
                instance: self.me,
                partition,
                offset,
            });
        }
    }

    /// When the next `seek` is due after `now_us` (None: no more). Seeks whose time passed
    /// while the instance was down are skipped.
    pub fn next_seek_delay_us(&mut self, now_us: u64) -> Option<u64> {
        let seeks = &self.config.seeks;
        while seeks
            .get(self.next_seek)
            .is_some_and(|seek| seek.at_us < now_us)
        {
            self.next_seek += 1;
        }
        seeks.get(self.next_seek).map(|seek| seek.at_us - now_us)
    }

    /// The application's `seek` calls due now: the partition's next fetch starts at the offset
    /// (Kafka's `SubscriptionState.seek`). A partition this member does not own is not sought
    /// (Kafka throws "No current assignment for partition"); the owner does it.
    pub fn on_seek_timer<S: TraceSink>(&mut self, ctx: &mut InstanceCtx<S>) {
        let now_us = ctx.now().as_us();
        while let Some(&seek) = self.config.seeks.get(self.next_seek) {
            if seek.at_us > now_us {
                break;
            }
            self.next_seek += 1;
            let Some(owned) = self
                .owned
                .iter_mut()
                .find(|owned| owned.partition == seek.partition)
            else {
                continue;
            };
            owned.position = seek.offset;
            owned.processed = seek.offset;
            self.discard_fetch |= self.fetch_in_flight;
            ctx.emit(TraceEvent::Sought {
                group: self.group,
                instance: self.me,
                partition: seek.partition,
                offset: seek.offset,
            });
        }
    }

    /// The group forms later (`start_us`): wait for the coordinator's first assignment.
    pub fn wait_for_start(&mut self) {
        self.membership = Membership::AwaitingAssignment;
    }

    /// Volatile state is lost in a crash.
    pub fn crash(&mut self) {
        self.owned.clear();
        self.last_assignment.clear();
        self.last_generation = None;
        self.pending_assignment = None;
        self.rejoin_after_pending = false;
        self.batches.clear();
        self.cursor = (0, 0);
        self.processing = None;
        self.schema_cache.crash();
        self.fetch_in_flight = false;
        self.commit_in_flight = None;
        self.membership = Membership::AwaitingAssignment;
    }

    /// After a restart: join the group from scratch.
    pub fn rejoin<S: TraceSink>(&mut self, ctx: &mut InstanceCtx<S>, broker: ActorId) {
        self.membership = Membership::AwaitingAssignment;
        self.last_poll_us = ctx.now().as_us();
        self.send_fresh_join(ctx, broker);
    }

    /// A JoinGroup from a member that owns nothing and remembers nothing.
    fn send_fresh_join<S: TraceSink>(&self, ctx: &mut InstanceCtx<S>, broker: ActorId) {
        self.send_join_group(ctx, broker, Vec::new(), Vec::new(), None);
    }

    /// JoinGroup, handing in the offsets to commit first and the subscription's owned
    /// partitions with their generation.
    fn send_join_group<S: TraceSink>(
        &self,
        ctx: &mut InstanceCtx<S>,
        broker: ActorId,
        offsets: Vec<(PartitionId, Offset)>,
        owned: Vec<PartitionId>,
        owned_generation: Option<u32>,
    ) {
        ctx.send(
            broker,
            Msg::JoinGroup {
                group: self.group,
                join: Box::new(JoinRequest {
                    offsets,
                    owned,
                    owned_generation,
                }),
            },
        );
    }

    pub fn poll_interval_us(&self) -> u64 {
        self.config.poll_interval_us
    }
    pub fn heartbeat_interval_us(&self) -> u64 {
        self.config.heartbeat_interval_us
    }
    pub fn auto_commit_interval_us(&self) -> Option<u64> {
        self.config
            .auto_commit
            .then_some(self.config.auto_commit_interval_us)
    }

    /// Between batches and not blocked in `commitSync`.
    fn idle(&self) -> bool {
        self.processing.is_none() && self.batches.is_empty() && self.commit_in_flight.is_none()
    }

    /// Whether the member holds its partitions and may fetch and commit.
    fn consuming(&self) -> bool {
        matches!(self.membership, Membership::Stable | Membership::Joining)
    }

    pub fn max_poll_interval_us(&self) -> u64 {
        self.config.max_poll_interval_us
    }

    /// The poll-timeout timer fired (it is checked lazily, so a poll costs no timer): leaves
    /// the group when the member has not polled for `max.poll.interval.ms`. Returns when to
    /// check next.
    pub fn on_poll_timer<S: TraceSink>(
        &mut self,
        ctx: &mut InstanceCtx<S>,
        broker: ActorId,
    ) -> u64 {
        let max_us = self.config.max_poll_interval_us;
        let in_group = matches!(
            self.membership,
            Membership::Stable | Membership::Joining | Membership::RejoinPending
        );
        let since_poll_us = ctx.now().as_us() - self.last_poll_us;
        if !in_group || self.idle() {
            return max_us;
        }
        if since_poll_us < max_us {
            return max_us - since_poll_us;
        }
        ctx.emit(TraceEvent::PollTimeoutExpired {
            group: self.group,
            instance: self.me,
            since_poll_us,
        });
        ctx.send(
            broker,
            Msg::LeaveGroup {
                group: self.group,
                cause: crate::protocol::RebalanceCause::PollTimeout,
            },
        );
        self.membership = Membership::Evicted;
        self.pending_assignment = None;
        self.rejoin_after_pending = false;
        max_us
    }

    /// The evicted member polls again (its batch is done): whatever it would commit fails, its
    /// partitions are lost (Kafka's `onPartitionsLost`: revoked without a commit) and it joins
    /// as a new member.
    fn rejoin_after_eviction<S: TraceSink>(&mut self, ctx: &mut InstanceCtx<S>, broker: ActorId) {
        let mode = self.config.commit;
        let uncommitted = self
            .owned
            .iter()
            .filter(|owned| owned.commit_offset(mode) != owned.committed_sent)
            .count() as u32;
        if uncommitted > 0 {
            ctx.emit(TraceEvent::CommitFailed {
                group: self.group,
                instance: self.me,
                partitions: uncommitted,
            });
        }
        self.revoke_all(ctx);
        self.last_assignment.clear();
        self.last_generation = None;
        self.fetch_in_flight = false;
        self.last_poll_us = ctx.now().as_us();
        self.membership = Membership::AwaitingAssignment;
        self.send_fresh_join(ctx, broker);
    }

    pub fn on_poll<S: TraceSink>(&mut self, ctx: &mut InstanceCtx<S>, broker: ActorId) {
        if self.idle() {
            // An idle member is in `poll()`: its poll timer restarts.
            self.last_poll_us = ctx.now().as_us();
        }
        if !self.consuming() || self.fetch_in_flight || !self.idle() || self.owned.is_empty() {
            return;
        }
        self.fetch_in_flight = true;
        let positions = self
            .owned
            .iter()
            .map(|owned| (owned.partition, owned.position))
            .collect();
        ctx.send(
            broker,
            Msg::Fetch {
                group: self.group,
                generation: self.generation,
                positions,
                max_records: self.config.max_poll_records,
            },
        );
    }

    pub fn on_fetch_response<S: TraceSink>(
        &mut self,
        ctx: &mut InstanceCtx<S>,
        broker: ActorId,
        me: InstanceId,
        slow_factor_ppm: u64,
        generation: u32,
        batches: Vec<FetchedBatch>,
    ) {
        if generation != self.generation || !self.consuming() || !self.fetch_in_flight {
            return; // A response from before a rebalance or a crash: its records are not ours.
        }
        self.fetch_in_flight = false;
        if std::mem::take(&mut self.discard_fetch) {
            return; // Fetched from before a seek; the next poll fetches from the new position.
        }
        let mut batches = batches;
        let (group, owned_partitions) = (self.group, &mut self.owned);
        batches.retain(|batch| {
            let Some(owned) = owned_partitions
                .iter_mut()
                .find(|owned| owned.partition == batch.partition)
            else {
                return false;
            };
            // A fetch continues where the last one ended, or at the log start when retention
            // deleted the records at the position (auto.offset.reset=earliest).
            debug_assert!(batch.first_offset >= owned.position);
            owned.position = batch.next_offset();
            ctx.emit(TraceEvent::Fetched {
                group,
                instance: me,
                partition: batch.partition,
                first_offset: batch.first_offset,
                count: batch.records.len() as u32,
            });
            true
        });
        self.batches = batches;
        self.cursor = (0, 0);
        self.process_ready(ctx, broker, me, slow_factor_ppm);
    }

    /// The processing timer of the current record fired.
    pub fn on_processed<S: TraceSink>(
        &mut self,
        ctx: &mut InstanceCtx<S>,
        broker: ActorId,
        me: InstanceId,
        slow_factor_ppm: u64,
    ) {
        self.processing = None;
        self.complete_current(ctx, me);
        self.process_ready(ctx, broker, me, slow_factor_ppm);
    }

    /// The registry's answer to this role's schema fetch: cache it and go on decoding.
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
            self.process_ready(ctx, broker, me, slow_factor_ppm);
        }
    }

    /// Processes records until one takes time (then sets its timer) or the batch is done.
    fn process_ready<S: TraceSink>(
        &mut self,
        ctx: &mut InstanceCtx<S>,
        broker: ActorId,
        me: InstanceId,
        slow_factor_ppm: u64,
    ) {
        // One loop for each kind of run, so that runs without schemas check nothing per record.
        if self.schemas.is_some() {
            self.process_loop::<true, S>(ctx, broker, me, slow_factor_ppm);
        } else {
            self.process_loop::<false, S>(ctx, broker, me, slow_factor_ppm);
        }
    }

    /// [`ConsumerRole::process_ready`]'s loop; `SCHEMAS`: the run has schemas, so a record's
    /// decoding may have to wait for its writer schema.
    fn process_loop<const SCHEMAS: bool, S: TraceSink>(
        &mut self,
        ctx: &mut InstanceCtx<S>,
        broker: ActorId,
        me: InstanceId,
        slow_factor_ppm: u64,
    ) {
        while self.processing.is_none() {
            let (batch_index, record_index) = self.cursor;
            let Some(batch) = self.batches.get(batch_index) else {
                self.batch_done(ctx, broker);
                return;
            };
            let Some(record) = batch.records.get(record_index) else {
                self.cursor = (batch_index + 1, 0);
                continue;
            };
            // Only records of runs with schemas carry an id: the deserializer first needs the
            // writer schema, and decodes nothing until it has it.
            if SCHEMAS && record.schema_id != 0 && !self.schema_cache.ready(record.schema_id) {
                let (id, index) = (record.schema_id, self.index);
                self.schema_cache
                    .fetch(ctx, self.group, me, id, index, false);
                return;
            }
            let time_us = self.processing_time_us(record.id.as_u64(), slow_factor_ppm);
            if time_us == 0 {
                self.complete_current(ctx, me);
            } else {
                self.processing = Some(ctx.set_timer(time_us, super::tag::PROCESS | self.index));
            }
        }
    }

    fn complete_current<S: TraceSink>(&mut self, ctx: &mut InstanceCtx<S>, me: InstanceId) {
        let (batch_index, record_index) = self.cursor;
        let batch = &self.batches[batch_index];
        let record = batch.records[record_index];
        let offset = batch.offset(record_index);
        if let Some(owned) = self
            .owned
            .iter_mut()
            .find(|owned| owned.partition == batch.partition)
        {
            owned.processed = Offset(offset.0 + 1);
        }
        ctx.emit(TraceEvent::Consumed {
            group: self.group,
            instance: me,
            partition: batch.partition,
            offset,
            msg: record.id,
            key: record.key,
            sent_at: record.sent_at,
        });
        // A record the deserializer cannot decode is skipped: no flow sees it.
        let decoded =
            self.schemas.is_none() || self.decode(ctx, me, batch.partition, offset, &record);
        if decoded && let Some(dataflow) = &self.flow {
            dataflow.run(self.group, &record, &mut self.emissions);
        }
        self.cursor = (batch_index, record_index + 1);
    }

    /// The deserializer: whether `record` decodes with the group's reader schema; a failure is
    /// traced. Out of line and cold: only runs with schemas take it, and the per-record path of
    /// the others stays as small as before.
    #[cold]
    #[inline(never)]
    fn decode<S: TraceSink>(
        &self,
        ctx: &mut InstanceCtx<S>,
        me: InstanceId,
        partition: PartitionId,
        offset: Offset,
        record: &crate::protocol::Record,
    ) -> bool {
        let schemas = self.schemas.as_ref().expect("the caller checked");
        match schemas.check_consume(self.group, record, ctx.now()) {
            None => true,
            Some(reason) => {
                ctx.emit(TraceEvent::DecodeFailed {
                    group: self.group,
                    instance: me,
                    position: Some((partition, offset)),
                    msg: record.id,
                    reason,
                });
                false
            }
        }
    }

    fn batch_done<S: TraceSink>(&mut self, ctx: &mut InstanceCtx<S>, broker: ActorId) {
        self.batches.clear();
        self.cursor = (0, 0);
        self.between_batches(ctx, broker, true);
    }

    /// What the member does once it is idle: apply an assignment that waited, re-join, or,
    /// with auto-commit off and `commit_after` (the batch just ended), commit the batch.
    fn between_batches<S: TraceSink>(
        &mut self,
        ctx: &mut InstanceCtx<S>,
        broker: ActorId,
        commit_after: bool,
    ) {
        if let Some((generation, partitions)) = self.pending_assignment.take() {
            self.apply_cooperative(ctx, broker, generation, partitions);
            return;
        }
        match self.membership {
            Membership::RejoinPending => self.send_join(ctx, broker),
            Membership::Evicted => self.rejoin_after_eviction(ctx, broker),
            Membership::Stable | Membership::Joining
                if !self.config.auto_commit && commit_after =>
            {
                self.commit_batch(ctx, broker)
            }
            _ => {}
        }
    }

    /// Auto-commit off: the application commits the batch it finished, with `commitSync`
    /// (waits for the answer; Kafka's `ConsumerCoordinator.commitOffsetsSync`) or `commitAsync`
    /// (does not wait and is never retried: `commitOffsetsAsync`; a later commit carries the
    /// offsets of one that was lost or rejected).
    fn commit_batch<S: TraceSink>(&mut self, ctx: &mut InstanceCtx<S>, broker: ActorId) {
        if !self.consuming() {
            return;
        }
        let offsets = self.commit_offsets();
        if offsets.is_empty() {
            return;
        }
        let sync = self.config.commit_call == CommitCall::Sync;
        if sync {
            self.commit_in_flight = Some(offsets.len() as u32);
        }
        ctx.send(
            broker,
            Msg::OffsetCommit {
                group: self.group,
                generation: self.generation,
                offsets,
                sync,
            },
        );
    }

    /// The coordinator answered a `commitSync`: a rejection fails the call
    /// (`CommitFailedException`, not retried: the member is not in the current generation),
    /// and the member goes on where the batch's end left it.
    pub fn on_commit_response<S: TraceSink>(
        &mut self,
        ctx: &mut InstanceCtx<S>,
        broker: ActorId,
        accepted: bool,
    ) {
        let Some(partitions) = self.commit_in_flight.take() else {
            return;
        };
        if !accepted {
            ctx.emit(TraceEvent::CommitFailed {
                group: self.group,
                instance: self.me,
                partitions,
            });
        }
        if self.idle() {
            self.between_batches(ctx, broker, false);
        }
    }

    fn processing_time_us(&self, message_key: u64, slow_factor_ppm: u64) -> u64 {
        super::processing::processing_time_us(
            self.config.processing,
            self.seed,
            self.processing_stream,
            message_key,
            slow_factor_ppm,
        )
    }

    fn commit_offsets(&mut self) -> Vec<(PartitionId, Offset)> {
        let mode = self.config.commit;
        let mut offsets = Vec::new();
        for owned in &mut self.owned {
            let offset = owned.commit_offset(mode);
            if offset != owned.committed_sent {
                owned.committed_sent = offset;
                offsets.push((owned.partition, offset));
            }
        }
        offsets
    }

    pub fn commit<S: TraceSink>(&mut self, ctx: &mut InstanceCtx<S>, broker: ActorId) {
        if !self.consuming() {
            return;
        }
        let offsets = self.commit_offsets();
        if !offsets.is_empty() {
            ctx.send(
                broker,
                Msg::OffsetCommit {
                    group: self.group,
                    generation: self.generation,
                    offsets,
                    sync: false,
                },
            );
        }
    }

    pub fn on_rebalance_start<S: TraceSink>(&mut self, ctx: &mut InstanceCtx<S>, broker: ActorId) {
        match self.membership {
            Membership::Stable => {}
            // The coordinator starts a new rebalance only after it sent the previous round's
            // assignment, so a joining member that has not applied it yet re-joins after it.
            Membership::Joining if self.pending_assignment.is_some() => {
                self.rejoin_after_pending = true;
                return;
            }
            // An evicted member left the group; the coordinator no longer counts it.
            Membership::RejoinPending | Membership::Joining | Membership::Evicted => return,
            // Restarted and already joining: the coordinator still waits for this member.
            Membership::AwaitingAssignment => {
                self.send_fresh_join(ctx, broker);
                return;
            }
        }
        if self.cooperative() {
            self.send_cooperative_join(ctx, broker);
            return;
        }
        self.membership = Membership::RejoinPending;
        if self.idle() {
            self.send_join(ctx, broker);
        }
    }

    /// Gives up every owned partition: traces them as revoked (when there are any) and forgets them.
    fn revoke_all<S: TraceSink>(&mut self, ctx: &mut InstanceCtx<S>) {
        let revoked: Vec<PartitionId> = self.owned.iter().map(|owned| owned.partition).collect();
        if !revoked.is_empty() {
            ctx.emit(TraceEvent::Revoked {
                group: self.group,
                instance: self.me,
                partitions: revoked,
            });
        }
        self.owned.clear();
    }

    /// Eager protocol: commit, give up every partition, then re-join.
    fn send_join<S: TraceSink>(&mut self, ctx: &mut InstanceCtx<S>, broker: ActorId) {
        let offsets = self.commit_offsets();
        self.revoke_all(ctx);
        self.fetch_in_flight = false;
        self.membership = Membership::AwaitingAssignment;
        // Only the sticky assignor remembers its last assignment (in its user data); the others
        // send the partitions they own, which is none after revoking everything.
        let (owned, owned_generation) = if self.config.assignment_strategy == Strategy::Sticky {
            (self.last_assignment.clone(), self.last_generation)
        } else {
            (Vec::new(), None)
        };
        self.send_join_group(ctx, broker, offsets, owned, owned_generation);
    }

    /// Cooperative protocol: commit and re-join, keeping the partitions.
    fn send_cooperative_join<S: TraceSink>(&mut self, ctx: &mut InstanceCtx<S>, broker: ActorId) {
        let offsets = self.commit_offsets();
        self.membership = Membership::Joining;
        let owned = self.owned.iter().map(|owned| owned.partition).collect();
        self.send_join_group(ctx, broker, offsets, owned, Some(self.generation));
    }

    pub fn on_assignment<S: TraceSink>(
        &mut self,
        ctx: &mut InstanceCtx<S>,
        broker: ActorId,
        generation: u32,
        partitions: Vec<(PartitionId, Offset)>,
    ) {
        match self.membership {
            Membership::AwaitingAssignment => self.assign(generation, partitions.into_iter()),
            Membership::Joining if self.idle() => {
                self.apply_cooperative(ctx, broker, generation, partitions)
            }
            Membership::Joining => self.pending_assignment = Some((generation, partitions)),
            Membership::Stable | Membership::RejoinPending | Membership::Evicted => {}
        }
    }

    /// Cooperative protocol, between batches: keep what stays (with its position), add what is
    /// new (from the committed offset), commit and revoke what moved, and re-join if anything
    /// was revoked so that the coordinator can hand it to its new owner.
    fn apply_cooperative<S: TraceSink>(
        &mut self,
        ctx: &mut InstanceCtx<S>,
        broker: ActorId,
        generation: u32,
        partitions: Vec<(PartitionId, Offset)>,
    ) {
        let mode = self.config.commit;
        let mut revoked = Vec::new();
        let mut revoked_offsets = Vec::new();
        for owned in &self.owned {
            if partitions.iter().any(|&(p, _)| p == owned.partition) {
                continue;
            }
            revoked.push(owned.partition);
            let offset = owned.commit_offset(mode);
            if offset != owned.committed_sent {
                revoked_offsets.push((owned.partition, offset));
            }
        }
        let previous = std::mem::take(&mut self.owned);
        self.owned = partitions
            .into_iter()
            .map(|(partition, offset)| {
                previous
                    .iter()
                    .find(|owned| owned.partition == partition)
                    .copied()
                    .unwrap_or(OwnedPartition {
                        partition,
                        position: offset,
                        processed: offset,
                        committed_sent: offset,
                    })
            })
            .collect();
        self.generation = generation;
        self.last_generation = Some(generation);
        self.last_assignment = self.owned.iter().map(|owned| owned.partition).collect();
        self.membership = Membership::Stable;
        // A fetch sent under the old generation is discarded when it returns.
        self.fetch_in_flight = false;
        if !revoked_offsets.is_empty() {
            ctx.send(
                broker,
                Msg::OffsetCommit {
                    group: self.group,
                    generation,
                    offsets: revoked_offsets,
                    sync: false,
                },
            );
        }
        let any_revoked = !revoked.is_empty();
        if any_revoked {
            ctx.emit(TraceEvent::Revoked {
                group: self.group,
                instance: self.me,
                partitions: revoked,
            });
        }
        if any_revoked || std::mem::take(&mut self.rejoin_after_pending) {
            self.send_cooperative_join(ctx, broker);
        }
    }
}

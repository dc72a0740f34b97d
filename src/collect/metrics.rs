//! Metrics: what a run's trace events add up to, per stream and per consumer group — counts,
//! log start and end offsets, lag, exact latency percentiles (`Histogram`), keys that moved
//! partition, and fault counts. Plain figures with state bounded by streams × partitions ×
//! groups × keys; it is not a checker (see `checks`) and builds no report (`report` does).

use crate::model::{GroupId, KeyId, MessageId, Offset, PartitionId, Scenario, StreamId};
use crate::sim::SimTime;

use super::histogram::Histogram;

/// FNV-1a-64's offset basis and prime: the produced digest folds each record into it.
const DIGEST_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const DIGEST_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Where one key's records went: the first partition, and whether another one followed.
#[derive(Clone, Copy, Debug, Default)]
pub struct KeyPartitions {
    pub first: Option<u32>,
    pub moved: bool,
}

/// Faults as they happened.
#[derive(Clone, Copy, Debug, Default)]
pub struct FaultCounts {
    pub crashes: u64,
    pub restarts: u64,
    pub slow_periods: u64,
    pub members_expired: u64,
}

/// One `reset_offsets` admin action as it happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdminReset {
    pub at: SimTime,
    pub mode: &'static str,
    /// Members in the group, which made the broker refuse it (0: it was done).
    pub refused_members: u32,
}

/// One consumer group's figures.
pub struct GroupMetrics {
    pub consumed: u64,
    pub consumed_distinct: u64,
    pub per_partition: Vec<u64>,
    /// Indexed by instance index within the service.
    pub per_instance: Vec<u64>,
    /// Committed offset per partition.
    pub committed: Vec<u64>,
    pub lag: u64,
    pub lag_max: u64,
    pub rebalances: u64,
    /// Members that left the group because their poll timeout expired (KIP-62).
    pub poll_timeouts: u64,
    /// Commits a member out of the group could not make (`CommitFailedException`).
    pub commits_failed: u64,
    /// Static members that re-joined within their session and got their partitions back
    /// without a rebalance (KIP-345).
    pub static_returns: u64,
    /// Partitions the group resumed from a committed offset when it (re)formed, without
    /// consulting `auto.offset.reset`.
    pub reset_not_consulted: u64,
    /// Partitions left unread for want of an offset (`auto.offset.reset=none`).
    pub no_offset: u64,
    /// The admin's `reset_offsets` on the group: when, the mode, and the members that made
    /// the broker refuse it (0: done).
    pub admin_resets: Vec<AdminReset>,
    /// Send-to-first-completion latency, in µs.
    pub latency: Histogram,
    /// The consumption's `start_us`, records produced before it, and how many of those the
    /// group processed.
    pub start_us: u64,
    pub history: u64,
    pub replayed: u64,
}

/// The run's figures, by `StreamId` and `GroupId` index.
pub struct Metrics {
    pub produced: Vec<u64>,
    /// `produced_by[stream][instance]`, sized on first use.
    pub produced_by: Vec<Vec<u64>>,
    /// `log_end[stream][partition]`: records appended.
    pub log_end: Vec<Vec<u64>>,
    /// `log_start[stream][partition]`: the first offset retention has not deleted.
    pub log_start: Vec<Vec<u64>>,
    pub deleted_by_retention: Vec<u64>,
    /// `key_partitions[stream][key]`, only for streams where `keys_can_split`.
    pub key_partitions: Vec<Vec<KeyPartitions>>,
    /// `(time, new count)` per stream, as CreatePartitions happened.
    pub partitions_created: Vec<Vec<(SimTime, u32)>>,
    /// Records lost in producer accumulators at crashes, per stream.
    pub lost_in_producer: Vec<u64>,
    /// Publishes that reached a queue-carried stream's exchange, and those routed nowhere.
    pub routed: Vec<u64>,
    pub unroutable: Vec<u64>,
    /// Per stream, an order-sensitive FNV-1a digest of (message id, key, send time).
    pub produced_digest: Vec<u64>,
    pub groups: Vec<GroupMetrics>,
    pub consumed_total: u64,
    pub last_consumed_at: Option<SimTime>,
    pub faults: FaultCounts,
}

/// Whether one key's records can land on several partitions of a stream: it gets partitions
/// created, or its producers use different partitioners.
pub fn keys_can_split(model: &Scenario, stream: StreamId) -> bool {
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

/// One zero per partition of each stream (its largest partition count).
fn per_partition(model: &Scenario) -> Vec<Vec<u64>> {
    model
        .streams
        .iter()
        .map(|stream| vec![0; stream.partition_count_max() as usize])
        .collect()
}

impl GroupMetrics {
    fn new(model: &Scenario, group: GroupId) -> Self {
        let group = model.group(group);
        let partition_count = model.stream(group.stream).partition_count_max() as usize;
        let service = model.service(group.service);
        GroupMetrics {
            consumed: 0,
            consumed_distinct: 0,
            per_partition: vec![0; partition_count],
            per_instance: vec![0; service.instance_count as usize],
            committed: vec![0; partition_count],
            lag: 0,
            lag_max: 0,
            rebalances: 0,
            poll_timeouts: 0,
            commits_failed: 0,
            static_returns: 0,
            reset_not_consulted: 0,
            no_offset: 0,
            admin_resets: Vec::new(),
            latency: Histogram::default(),
            start_us: service.consumes[group.consumption].start_us,
            history: 0,
            replayed: 0,
        }
    }

    /// The group processed a record for the first time: counts it, its replay and latency.
    #[inline(always)]
    pub fn first_completion(&mut self, at: SimTime, sent_at: SimTime) {
        self.consumed_distinct += 1;
        if sent_at.as_us() < self.start_us {
            self.replayed += 1;
        }
        self.latency
            .record(at.as_us().saturating_sub(sent_at.as_us()));
    }

    /// The committed offset of `partition` became `offset`; lag is log end − committed, so it
    /// moves by the difference.
    #[inline]
    pub fn commit(&mut self, partition: PartitionId, offset: Offset) {
        let old = std::mem::replace(&mut self.committed[partition.index()], offset.0);
        self.lag = (self.lag + old).saturating_sub(offset.0);
    }
}

impl Metrics {
    pub fn new(model: &Scenario) -> Self {
        let stream_count = model.streams.len();
        Metrics {
            produced: vec![0; stream_count],
            produced_by: vec![Vec::new(); stream_count],
            log_end: per_partition(model),
            log_start: per_partition(model),
            deleted_by_retention: vec![0; stream_count],
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
            partitions_created: vec![Vec::new(); stream_count],
            lost_in_producer: vec![0; stream_count],
            routed: vec![0; stream_count],
            unroutable: vec![0; stream_count],
            produced_digest: vec![DIGEST_BASIS; stream_count],
            groups: model
                .groups
                .iter()
                .map(|group| GroupMetrics::new(model, group.id))
                .collect(),
            consumed_total: 0,
            last_consumed_at: None,
            faults: FaultCounts::default(),
        }
    }

    /// A producer sent a record: where its key went, the stream's counts and digest.
    /// `instance_count` sizes the per-producer counts on first use.
    #[inline(always)]
    pub fn produced(
        &mut self,
        at: SimTime,
        stream: StreamId,
        partition: PartitionId,
        msg: MessageId,
        key: Option<KeyId>,
        instance_count: usize,
    ) {
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
            *digest = (*digest ^ value).wrapping_mul(DIGEST_PRIME);
        }
        let by = &mut self.produced_by[stream.index()];
        if by.is_empty() {
            by.resize(instance_count, 0);
        }
        by[msg.producer.index()] += 1;
    }

    /// A record produced at `at` counts as history for every group of the stream that starts
    /// later.
    #[inline(always)]
    pub fn count_history(&mut self, at: SimTime, groups_of_stream: &[GroupId]) {
        for &group in groups_of_stream {
            let stats = &mut self.groups[group.index()];
            if at.as_us() < stats.start_us {
                stats.history += 1;
            }
        }
    }

    /// The log appended a record; returns the partition's log end offset before it.
    #[inline(always)]
    pub fn appended(&mut self, stream: StreamId, partition: PartitionId) -> u64 {
        let log_end = &mut self.log_end[stream.index()][partition.index()];
        let before = *log_end;
        *log_end += 1;
        before
    }

    /// One more record the group has not committed.
    #[inline(always)]
    pub fn lag_grew(&mut self, group: GroupId) {
        let stats = &mut self.groups[group.index()];
        stats.lag += 1;
        stats.lag_max = stats.lag_max.max(stats.lag);
    }

    /// A member of `group` finished a record (consumed from the log, or processed from the
    /// queue); `partition` only on the log. Returns the group's figures, for the caller to count
    /// a first completion without indexing again.
    #[inline(always)]
    pub fn completed(
        &mut self,
        at: SimTime,
        group: GroupId,
        index_in_service: usize,
        partition: Option<PartitionId>,
    ) -> &mut GroupMetrics {
        self.consumed_total += 1;
        self.last_consumed_at = Some(at);
        let stats = &mut self.groups[group.index()];
        stats.consumed += 1;
        if let Some(partition) = partition {
            stats.per_partition[partition.index()] += 1;
        }
        stats.per_instance[index_in_service] += 1;
        stats
    }

    /// Retention deleted segments: the partition's new log start offset.
    pub fn segments_deleted(
        &mut self,
        stream: StreamId,
        partition: PartitionId,
        records: u64,
        log_start_offset: Offset,
    ) {
        self.log_start[stream.index()][partition.index()] = log_start_offset.0;
        self.deleted_by_retention[stream.index()] += records;
    }

    /// A publish reached the stream's exchange, bound to `queues` queues.
    #[inline]
    pub fn routed(&mut self, stream: StreamId, queues: u32) {
        self.routed[stream.index()] += 1;
        if queues == 0 {
            self.unroutable[stream.index()] += 1;
        }
    }
}

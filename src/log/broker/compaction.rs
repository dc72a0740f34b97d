//! The log broker's compaction duties: the cleaner thread, the compacted streams' rule that
//! every record has a key, and the admin operations on a log (roll, clean, DeleteRecords).
//!
//! The cleaner runs as Kafka's `CleanerThread` does, at virtual times: every
//! `log.cleaner.backoff.ms` it takes the dirtiest qualifying partition of the compacted streams
//! (`LogCleanerManager.grabFilthiestCompactedLog`), cleans it, and goes on at once while a
//! partition qualifies; a pass takes no virtual time. What a pass does is `log::cleaner`'s.
//! It is not retention: deleting whole segments is the broker's retention check.

use std::rc::Rc;

use super::{BrokerCtx, LogBroker};
use crate::log::cleaner::{self, CleanerConfig};
use crate::model::{LogAdmin, PartitionId, Scenario, StreamId};
use crate::protocol::Record;
use crate::trace::{TraceEvent, TraceSink};

/// The timer tag of the cleaner's wake-ups (below the retention check's `u32::MAX`).
pub(super) const CLEANER_TAG: u32 = u32::MAX - 1;

/// Tells whether a record on a stream is a tombstone (its value is null). The broker stores no
/// values; the run's values are the pipelines' (`simulate` hands the broker this test).
pub type TombstoneTest = Rc<dyn Fn(StreamId, &Record) -> bool>;

/// The compaction settings and state of the broker's streams.
pub(super) struct Compaction {
    /// By stream: the cleaner's settings when `cleanup.policy` includes `compact`.
    cleaners: Vec<Option<CleanerConfig>>,
    /// The smallest `log.cleaner.backoff.ms` of the compacted streams.
    backoff_us: Option<u64>,
    tombstone: Option<TombstoneTest>,
    /// List every log-carried partition at the end (`--logs`).
    list_logs: bool,
    /// By stream: `retention.bytes` where it applies (None: no limit). The retention check's.
    pub(super) retention_bytes: Vec<Option<u64>>,
    /// By stream: carried by this broker (the others' logs stay empty).
    log_carried: Vec<bool>,
}

impl Compaction {
    pub(super) fn new(model: &Scenario, retention_bytes: Vec<Option<u64>>) -> Self {
        let cleaners: Vec<Option<CleanerConfig>> = model
            .streams
            .iter()
            .map(|stream| {
                let log = &stream.log;
                log.cleanup.compact.then_some(CleanerConfig {
                    min_cleanable_ratio_ppm: log.min_cleanable_ratio_ppm,
                    min_lag_us: log.min_compaction_lag_us,
                    max_lag_us: log.max_compaction_lag_us,
                    delete_retention_us: log.delete_retention_us,
                })
            })
            .collect();
        let backoff_us = model
            .streams
            .iter()
            .filter(|stream| stream.log.cleanup.compact)
            .map(|stream| stream.log.cleaner_backoff_us)
            .min();
        Compaction {
            cleaners,
            backoff_us,
            tombstone: None,
            list_logs: false,
            retention_bytes,
            log_carried: model
                .streams
                .iter()
                .map(|stream| stream.carrier == crate::model::Carrier::Log)
                .collect(),
        }
    }

    /// Whether the stream is compacted (it then takes only keyed records).
    #[inline]
    pub(super) fn compacted(&self, stream: StreamId) -> bool {
        self.cleaners[stream.index()].is_some()
    }

    fn is_tombstone(&self, stream: StreamId, record: &Record) -> bool {
        self.tombstone
            .as_ref()
            .is_some_and(|test| test(stream, record))
    }
}

impl LogBroker {
    /// Hands the broker the run's tombstone test (without one, no record is a tombstone).
    pub fn with_tombstone_test(mut self, test: TombstoneTest) -> Self {
        self.compaction.tombstone = Some(test);
        self
    }

    /// Lists every partition's log at the end of the run (`eventlab run --logs`).
    pub fn with_log_listing(mut self) -> Self {
        self.compaction.list_logs = true;
        self
    }

    /// Starts the cleaner's wake-ups, when a stream is compacted.
    pub(super) fn start_cleaner<S: TraceSink>(&mut self, ctx: &mut BrokerCtx<S>) {
        if let Some(backoff_us) = self.compaction.backoff_us {
            ctx.set_timer(backoff_us, CLEANER_TAG);
        }
    }

    /// A compacted stream refuses a record without a key (Kafka's `LogValidator`:
    /// "Compacted topic cannot accept message without key"). Returns whether it refused.
    #[inline]
    pub(super) fn refuses<S: TraceSink>(
        &mut self,
        ctx: &mut BrokerCtx<S>,
        stream: StreamId,
        partition: PartitionId,
        record: &Record,
    ) -> bool {
        if record.key.is_some() || !self.compaction.compacted(stream) {
            return false;
        }
        ctx.emit(TraceEvent::RecordRejected {
            stream,
            partition,
            msg: record.id,
        });
        true
    }

    /// The cleaner thread's wake-up: clean the dirtiest qualifying partition while there is
    /// one, each at most once, then sleep `log.cleaner.backoff.ms`.
    pub(super) fn on_cleaner_timer<S: TraceSink>(&mut self, ctx: &mut BrokerCtx<S>) {
        let mut cleaned: Vec<(usize, usize)> = Vec::new();
        while let Some((stream, partition)) = self.filthiest(ctx.now(), &cleaned) {
            self.clean_partition(ctx, stream, partition);
            cleaned.push((stream, partition));
        }
        self.start_cleaner(ctx);
    }

    /// `grabFilthiestCompactedLog`: the qualifying partition with the largest dirty ratio
    /// (ties: the first in stream and partition order).
    fn filthiest(
        &self,
        now: crate::sim::SimTime,
        skip: &[(usize, usize)],
    ) -> Option<(usize, usize)> {
        let mut best: Option<((usize, usize), cleaner::Cleanable)> = None;
        for (stream, config) in self.compaction.cleaners.iter().enumerate() {
            let Some(config) = config else { continue };
            for (partition, log) in self.logs[stream].iter().enumerate() {
                if skip.contains(&(stream, partition)) {
                    continue;
                }
                let range = cleaner::cleanable(log, now, config);
                if !range.qualifies(config.min_cleanable_ratio_ppm) {
                    continue;
                }
                if best.as_ref().is_none_or(|(_, b)| range.dirtier_than(b)) {
                    best = Some(((stream, partition), range));
                }
            }
        }
        best.map(|(at, _)| at)
    }

    /// One cleaner pass over one partition, traced.
    fn clean_partition<S: TraceSink>(
        &mut self,
        ctx: &mut BrokerCtx<S>,
        stream: usize,
        partition: usize,
    ) {
        let Some(config) = self.compaction.cleaners[stream] else {
            return;
        };
        let stream_id = StreamId(stream as u32);
        let now = ctx.now();
        let compaction = &self.compaction;
        let key_bytes = &self.key_bytes;
        let log = &mut self.logs[stream][partition];
        // Every key of a stored record had its length learnt when the record was appended.
        let facts = |record: &Record| cleaner::RecordFacts {
            tombstone: compaction.is_tombstone(stream_id, record),
            bytes: u64::from(record.value_size_bytes)
                + record.key.map_or(0, |key| key_bytes[key.index()]),
        };
        let Some(pass) = cleaner::clean(log, now, &config, facts) else {
            return;
        };
        self.stored_records -= pass.removed;
        ctx.emit(TraceEvent::CleanerPass {
            stream: stream_id,
            partition: PartitionId(partition as u32),
            first_dirty_offset: pass.first_dirty_offset,
            end_offset: pass.end_offset,
            removed: pass.removed,
            tombstones_removed: pass.tombstones_removed,
        });
    }

    /// An admin operation on a stream's logs.
    pub(super) fn on_log_admin<S: TraceSink>(
        &mut self,
        ctx: &mut BrokerCtx<S>,
        stream: StreamId,
        admin: LogAdmin,
    ) {
        let now = ctx.now();
        match admin {
            LogAdmin::Roll => {
                for log in &mut self.logs[stream.index()] {
                    log.roll(now);
                }
            }
            LogAdmin::Clean => {
                for partition in 0..self.logs[stream.index()].len() {
                    self.clean_partition(ctx, stream.index(), partition);
                }
            }
            LogAdmin::DeleteRecords {
                partition,
                before_offset,
            } => {
                let Some(log) = self.logs[stream.index()].get_mut(partition.index()) else {
                    return;
                };
                let stored = log.stored();
                if let Some(deleted) = log.delete_records(before_offset) {
                    self.stored_records -= stored - log.stored();
                    ctx.emit(TraceEvent::SegmentsDeleted {
                        stream,
                        partition,
                        records: deleted.records,
                        log_start_offset: deleted.log_start_offset,
                    });
                }
            }
        }
    }

    /// Every partition's segments and records, as trace events (with `--logs`).
    fn list_logs<S: TraceSink>(&self, ctx: &mut BrokerCtx<S>, streams: &[bool]) {
        for (stream, partitions) in self.logs.iter().enumerate() {
            if !streams[stream] {
                continue;
            }
            let stream = StreamId(stream as u32);
            for (partition, log) in partitions.iter().enumerate() {
                let partition = PartitionId(partition as u32);
                for segment in log.segments() {
                    ctx.emit(TraceEvent::LogSegmentListed {
                        stream,
                        partition,
                        base_offset: segment.base_offset(),
                    });
                    for index in 0..segment.len() {
                        let (offset, record) = (segment.offset(index), segment.record(index));
                        ctx.emit(TraceEvent::LogRecordListed {
                            stream,
                            partition,
                            offset,
                            msg: record.id,
                            key: record.key,
                            readable: offset >= log.log_start_offset(),
                        });
                    }
                }
            }
        }
    }

    /// A restoring table reads the whole stream: every stored record from each partition's log
    /// start (what the cleaner kept), and how many the log held before any pass.
    pub(super) fn on_read_log<S: TraceSink>(
        &mut self,
        ctx: &mut BrokerCtx<S>,
        from: crate::sim::ActorId,
        stream: StreamId,
        tag: u32,
    ) {
        let mut records = Vec::new();
        let mut without_compaction = 0;
        for log in &self.logs[stream.index()] {
            log.read_into(
                log.log_start_offset(),
                u32::MAX,
                &mut records,
                &mut Vec::new(),
            );
            without_compaction += log.log_end_offset().0 - log.log_start_offset().0;
        }
        let contents = crate::protocol::LogContents {
            stream,
            tag,
            records,
            without_compaction,
        };
        ctx.send(from, crate::protocol::Msg::LogContents(Box::new(contents)));
    }

    /// The compacted partitions' final state, as trace events.
    pub(super) fn report_compacted_logs<S: TraceSink>(&self, ctx: &mut BrokerCtx<S>) {
        if self.compaction.list_logs {
            self.list_logs(ctx, &self.compaction.log_carried);
        }
        for (stream, config) in self.compaction.cleaners.iter().enumerate() {
            let Some(config) = config else { continue };
            for (partition, log) in self.logs[stream].iter().enumerate() {
                let range = cleaner::cleanable(log, ctx.now(), config);
                ctx.emit(TraceEvent::LogEnd {
                    stream: StreamId(stream as u32),
                    partition: PartitionId(partition as u32),
                    log_start_offset: log.log_start_offset(),
                    log_end_offset: log.log_end_offset(),
                    dirty_ratio_ppm: range.ratio_ppm(),
                });
            }
        }
    }
}

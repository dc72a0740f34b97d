//! Validation of one `streams[]` entry: name, carrier, partitions, partitioner and the log
//! settings of its `kafka` block. The `rabbitmq` block is `queue`'s and the event kind is
//! `topology`'s; the walk calls them in that order.

use super::queue;
use super::validator::{StreamNames, Validator};
use crate::model::Partitioner;
use crate::model::{Carrier, LogConfig, Stream, StreamId};
use crate::scenario::choice::{CLEANUP_POLICIES, Choices, partitioners};
use crate::scenario::defaults;
use crate::scenario::raw::{RawStream, RawStreamKafka};

const CARRIERS: Choices<'static, Carrier> = Choices {
    noun: "carrier",
    table: &[("log", Carrier::Log), ("queue", Carrier::Queue)],
};

/// A partitioner by name, or an error naming the near one (and the default to go on with).
pub(super) fn partitioner(v: &mut Validator, path: &str, name: Option<&str>) -> Partitioner {
    let table = partitioners();
    let choices = Choices {
        noun: "partitioner",
        table: &table,
    };
    v.choose(path, name, &choices, defaults::PARTITIONER.name())
}

/// Whether each declared stream is carried by the queue, for the dead-letter check.
pub(super) fn on_queue(raw: &[RawStream]) -> Vec<bool> {
    raw.iter()
        .map(|s| s.carrier.as_deref().and_then(|name| CARRIERS.find(name)) == Some(Carrier::Queue))
        .collect()
}

/// Validates `streams[index]`.
pub(super) fn stream(
    v: &mut Validator,
    raw: &RawStream,
    index: usize,
    names: &StreamNames,
    on_queue: &[bool],
) -> Stream {
    let path = format!("streams[{index}]");
    if raw.name.trim().is_empty() {
        v.error(format!("{path}.name"), "a stream needs a name");
    } else if names.declared_before(index) {
        v.error(
            format!("{path}.name"),
            format!("stream \"{}\" is declared twice", raw.name),
        );
    }
    let carrier = v.choose(
        format!("{path}.carrier"),
        raw.carrier.as_deref(),
        &CARRIERS,
        defaults::CARRIER.name(),
    );
    let partition_count = v.setting(
        &format!("{path}.partition_count"),
        raw.partition_count,
        &defaults::PARTITION_COUNT,
        "partition_count",
    ) as u32;
    let partitioner = partitioner(
        v,
        &format!("{path}.partitioner"),
        raw.partitioner.as_deref(),
    );
    let rabbitmq = queue::stream_args(v, &path, &raw.rabbitmq, (&names.names, on_queue), index);
    Stream {
        id: StreamId(index as u32),
        name: raw.name.clone(),
        carrier,
        partition_count,
        partitioner,
        log: log_config(v, &path, &raw.kafka),
        partitions_created: Vec::new(),
        log_admin: Vec::new(),
        rabbitmq,
    }
}

/// The stream's `kafka` block: retention and segments.
fn log_config(v: &mut Validator, path: &str, kafka: &RawStreamKafka) -> LogConfig {
    let retention_ms = kafka
        .retention_ms
        .unwrap_or(defaults::RETENTION_MS.signed());
    let retention_path = format!("{path}.kafka.\"retention.ms\"");
    let retention_us = match retention_ms {
        -1 => None,
        negative if negative < 0 => {
            v.error(
                retention_path,
                format!("{negative} is not a retention time (use -1 to keep records forever)"),
            );
            None
        }
        positive => Some(v.setting_ms(
            &retention_path,
            Some(positive as u64),
            &defaults::RETENTION_MS,
            "retention.ms",
        )),
    };
    let field = |name: &str| format!("{path}.kafka.\"{name}\"");
    LogConfig {
        retention_us,
        segment_bytes: v.setting(
            &field("segment.bytes"),
            kafka.segment_bytes,
            &defaults::SEGMENT_BYTES,
            "segment.bytes",
        ),
        segment_us: v.setting_ms(
            &field("segment.ms"),
            kafka.segment_ms,
            &defaults::SEGMENT_MS,
            "segment.ms",
        ),
        max_message_bytes: v.setting(
            &field("max.message.bytes"),
            kafka.max_message_bytes,
            &defaults::MAX_MESSAGE_BYTES,
            "max.message.bytes",
        ),
        retention_check_interval_us: v.setting_ms(
            &field("log.retention.check.interval.ms"),
            kafka.retention_check_interval_ms,
            &defaults::RETENTION_CHECK_INTERVAL_MS,
            "log.retention.check.interval.ms",
        ),
        cleanup: v.choose(
            field("cleanup.policy"),
            kafka.cleanup_policy.as_deref(),
            &CLEANUP_POLICIES,
            defaults::CLEANUP_POLICY.name(),
        ),
        retention_bytes: retention_bytes(v, &field("retention.bytes"), kafka.retention_bytes),
        segment_records: kafka.segment_records.map(|given| {
            v.setting(
                &field("segment.records"),
                Some(given),
                &defaults::SEGMENT_RECORDS,
                "segment.records",
            )
        }),
        min_cleanable_ratio_ppm: dirty_ratio(
            v,
            &field("min.cleanable.dirty.ratio"),
            kafka.min_cleanable_dirty_ratio,
        ),
        min_compaction_lag_us: v.setting_ms(
            &field("min.compaction.lag.ms"),
            kafka.min_compaction_lag_ms,
            &defaults::MIN_COMPACTION_LAG_MS,
            "min.compaction.lag.ms",
        ),
        max_compaction_lag_us: kafka.max_compaction_lag_ms.map_or(u64::MAX, |given| {
            let setting = &defaults::MAX_COMPACTION_LAG_MS;
            let path = field("max.compaction.lag.ms");
            1_000
                * v.ranged(
                    &path,
                    given,
                    setting.min(),
                    setting.max(),
                    "max.compaction.lag.ms",
                )
        }),
        delete_retention_us: v.setting_ms(
            &field("delete.retention.ms"),
            kafka.delete_retention_ms,
            &defaults::DELETE_RETENTION_MS,
            "delete.retention.ms",
        ),
        cleaner_backoff_us: v.setting_ms(
            &field("log.cleaner.backoff.ms"),
            kafka.cleaner_backoff_ms,
            &defaults::CLEANER_BACKOFF_MS,
            "log.cleaner.backoff.ms",
        ),
    }
}

/// `retention.bytes`: -1 (the default) sets no limit.
fn retention_bytes(v: &mut Validator, path: &str, given: Option<i64>) -> Option<u64> {
    match given.unwrap_or(defaults::RETENTION_BYTES.signed()) {
        -1 => None,
        negative if negative < 0 => {
            v.error(
                path,
                format!("{negative} is not a size (use -1 for no limit)"),
            );
            None
        }
        positive => Some(v.setting(
            path,
            Some(positive as u64),
            &defaults::RETENTION_BYTES,
            "retention.bytes",
        )),
    }
}

/// `min.cleanable.dirty.ratio`, 0 to 1, in parts per million.
fn dirty_ratio(v: &mut Validator, path: &str, given: Option<f64>) -> u32 {
    let setting = &defaults::MIN_CLEANABLE_DIRTY_RATIO;
    match given {
        None => super::validator::to_ppm(setting.decimal()) as u32,
        Some(0.0) => 0,
        Some(ratio) => v.ppm(path, ratio, 0.0, setting.decimal_max()) as u32,
    }
}

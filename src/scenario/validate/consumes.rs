//! Validation of one `services[].consumes[]` entry: the stream and consumer group, the poll
//! loop, processing times, commits and the consumer's `kafka` settings; its `rabbitmq` block is
//! `queue`'s. Pipelines, `emit` and `materialize` are `topology`'s.

use super::queue;
use super::validator::Validator;
use crate::model::Strategy;
use crate::model::{
    CommitCall, CommitMode, Consumption, ExchangeType, GroupId, OffsetReset, ProcessingTime,
    RebalanceProtocol, StreamId,
};
use crate::scenario::choice::{Choices, strategies};
use crate::scenario::defaults;
use crate::scenario::raw::{NameList, RawConsumerKafka, RawConsumes, RawProcessing};

const COMMIT_MODES: Choices<'static, CommitMode> = Choices {
    noun: "commit mode",
    table: &[
        ("after_processing", CommitMode::AfterProcessing),
        ("before_processing", CommitMode::BeforeProcessing),
    ],
};

const COMMIT_CALLS: Choices<'static, CommitCall> = Choices {
    noun: "manual commit",
    table: &[("sync", CommitCall::Sync), ("async", CommitCall::Async)],
};

const OFFSET_RESETS: Choices<'static, OffsetReset> = Choices {
    noun: "auto.offset.reset",
    table: &[
        ("earliest", OffsetReset::Earliest),
        ("latest", OffsetReset::Latest),
        ("none", OffsetReset::None),
    ],
};

/// The consumed stream's settings a consumption depends on.
pub(super) struct Consumed {
    pub(super) stream: StreamId,
    pub(super) group: GroupId,
    pub(super) exchange_type: ExchangeType,
    pub(super) instance_count: u32,
    /// The stream's partition count at the start.
    pub(super) partition_count: u32,
    /// Whether the stream is on the log (only a log consumer can seek).
    pub(super) on_log: bool,
}

/// Validates the `consumes` entry at `path`, whose stream and group the walk has resolved.
pub(super) fn consumes(
    v: &mut Validator,
    path: &str,
    consume: &RawConsumes,
    consumed: Consumed,
) -> Consumption {
    let poll_interval_us = v.setting_ms(
        &format!("{path}.poll_interval_ms"),
        consume.poll_interval_ms,
        &defaults::POLL_INTERVAL_MS,
        "poll_interval_ms",
    );
    let processing = processing(v, path, consume.processing_time_us.as_ref());
    let commit = v.choose(
        format!("{path}.commit"),
        consume.commit.as_deref(),
        &COMMIT_MODES,
        defaults::COMMIT.name(),
    );
    let commit_call = v.choose(
        format!("{path}.manual_commit"),
        consume.manual_commit.as_deref(),
        &COMMIT_CALLS,
        defaults::MANUAL_COMMIT.name(),
    );
    let kafka = kafka(v, &format!("{path}.kafka"), &consume.kafka);
    let start_us = v.setting(
        &format!("{path}.start_us"),
        consume.start_us,
        &defaults::CONSUME_START,
        "start_us",
    );
    let offset_reset = v.choose(
        format!("{path}.kafka.\"auto.offset.reset\""),
        consume.kafka.auto_offset_reset.as_deref(),
        &OFFSET_RESETS,
        defaults::OFFSET_RESET.name(),
    );
    let queue = queue::consumer(
        v,
        path,
        &consume.rabbitmq,
        consumed.exchange_type,
        consumed.instance_count,
        start_us,
    );
    Consumption {
        assignment_strategy: kafka.strategy,
        protocol: kafka.protocol,
        stream: consumed.stream,
        group: consumed.group,
        start_us,
        offset_reset,
        queue,
        poll_interval_us,
        max_poll_records: kafka.max_poll_records,
        processing,
        commit,
        auto_commit: consume
            .kafka
            .enable_auto_commit
            .unwrap_or(defaults::AUTO_COMMIT.flag()),
        commit_call,
        auto_commit_interval_us: kafka.auto_commit_interval_us,
        session_timeout_us: kafka.session_timeout_us,
        heartbeat_interval_us: kafka.heartbeat_interval_us,
        max_poll_interval_us: kafka.max_poll_interval_us,
        group_instance_id: group_instance_id(v, &format!("{path}.kafka"), &consume.kafka),
        seeks: seeks(v, path, &consume.seek, &consumed),
    }
}

/// `seek[]`: each in the run's time range and on a partition the stream has from the start;
/// in time order (a stable sort keeps the file's order at one instant).
fn seeks(
    v: &mut Validator,
    path: &str,
    raw: &[crate::scenario::raw::RawSeek],
    consumed: &Consumed,
) -> Vec<crate::model::Seek> {
    let partition_count = consumed.partition_count;
    if !raw.is_empty() && !consumed.on_log {
        v.error(
            format!("{path}.seek"),
            "the stream is on the queue, which has no offsets to seek to (seek is for the log)",
        );
        return Vec::new();
    }
    let mut seeks = Vec::new();
    for (index, seek) in raw.iter().enumerate() {
        let at = format!("{path}.seek[{index}]");
        let at_us = v.ranged(
            &format!("{at}.at_us"),
            seek.at_us,
            0,
            defaults::TIME_US_MAX,
            "at_us",
        );
        if seek.partition >= u64::from(partition_count) {
            v.error(
                format!("{at}.partition"),
                format!(
                    "no partition {} at the start (the stream starts with {partition_count}, numbered from 0)",
                    seek.partition
                ),
            );
            continue;
        }
        seeks.push(crate::model::Seek {
            at_us,
            partition: crate::model::PartitionId(seek.partition as u32),
            offset: crate::model::Offset(seek.offset),
        });
    }
    seeks.sort_by_key(|seek| seek.at_us);
    seeks
}

/// `group.instance.id`: a non-blank name, if given.
fn group_instance_id(
    v: &mut Validator,
    kafka_path: &str,
    kafka: &RawConsumerKafka,
) -> Option<String> {
    let id = kafka.group_instance_id.as_deref()?;
    if id.trim().is_empty() {
        v.error(
            format!("{kafka_path}.\"group.instance.id\""),
            "must not be blank (leave it out for dynamic members)",
        );
        return None;
    }
    Some(id.to_string())
}

/// `processing_time_us`: fixed, uniform or exponential.
fn processing(v: &mut Validator, path: &str, raw: Option<&RawProcessing>) -> ProcessingTime {
    let time = &defaults::PROCESSING_TIME;
    match raw {
        None => ProcessingTime::Fixed {
            time_us: time.count(),
        },
        Some(RawProcessing::Fixed(time_us)) => ProcessingTime::Fixed {
            time_us: v.ranged(
                &format!("{path}.processing_time_us.fixed"),
                *time_us,
                time.min(),
                time.max(),
                "processing time",
            ),
        },
        Some(&RawProcessing::Uniform([min, max])) => {
            if min > max {
                v.error(
                    format!("{path}.processing_time_us.uniform"),
                    format!("the minimum {min} is more than the maximum {max}"),
                );
            }
            let max = v.ranged(
                &format!("{path}.processing_time_us.uniform[1]"),
                max,
                time.min(),
                time.max(),
                "processing time",
            );
            ProcessingTime::Uniform {
                time_us_min: min.min(max),
                time_us_max: max,
            }
        }
        Some(RawProcessing::ExponentialMean(mean)) => {
            let setting = &defaults::PROCESSING_MEAN;
            ProcessingTime::Exponential {
                time_us_mean: v.ranged(
                    &format!("{path}.processing_time_us.exponential_mean"),
                    *mean,
                    setting.min(),
                    setting.max(),
                    "the mean processing time",
                ),
            }
        }
    }
}

/// The consumer's `kafka` settings but `auto.offset.reset` and `enable.auto.commit`.
struct KafkaConsumer {
    max_poll_records: u32,
    auto_commit_interval_us: u64,
    session_timeout_us: u64,
    heartbeat_interval_us: u64,
    max_poll_interval_us: u64,
    strategy: Strategy,
    protocol: RebalanceProtocol,
}

fn kafka(v: &mut Validator, kafka_path: &str, kafka: &RawConsumerKafka) -> KafkaConsumer {
    let field = |name: &str| format!("{kafka_path}.\"{name}\"");
    let max_poll_records = v.setting(
        &field("max.poll.records"),
        kafka.max_poll_records,
        &defaults::MAX_POLL_RECORDS,
        "max.poll.records",
    ) as u32;
    let auto_commit_interval_us = v.setting_ms(
        &field("auto.commit.interval.ms"),
        kafka.auto_commit_interval_ms,
        &defaults::AUTO_COMMIT_INTERVAL_MS,
        "auto.commit.interval.ms",
    );
    let session_timeout_us = v.setting_ms(
        &field("session.timeout.ms"),
        kafka.session_timeout_ms,
        &defaults::SESSION_TIMEOUT_MS,
        "session.timeout.ms",
    );
    let heartbeat_interval_us = v.setting_ms(
        &field("heartbeat.interval.ms"),
        kafka.heartbeat_interval_ms,
        &defaults::HEARTBEAT_INTERVAL_MS,
        "heartbeat.interval.ms",
    );
    let max_poll_interval_us = v.setting_ms(
        &field("max.poll.interval.ms"),
        kafka.max_poll_interval_ms,
        &defaults::MAX_POLL_INTERVAL_MS,
        "max.poll.interval.ms",
    );
    if heartbeat_interval_us >= session_timeout_us {
        // Kafka's consumer refuses this too: a member would expire between two heartbeats.
        v.error(
            field("heartbeat.interval.ms"),
            format!(
                "{} must be lower than session.timeout.ms ({})",
                heartbeat_interval_us / 1_000,
                session_timeout_us / 1_000
            ),
        );
    }
    let (strategy, protocol) = assignment(
        v,
        &field("partition.assignment.strategy"),
        kafka.partition_assignment_strategy.as_ref(),
    );
    KafkaConsumer {
        max_poll_records,
        auto_commit_interval_us,
        session_timeout_us,
        heartbeat_interval_us,
        max_poll_interval_us,
        strategy,
        protocol,
    }
}

/// `partition.assignment.strategy` → (the assignor the group runs, the rebalance protocol).
/// Matches Kafka's `ConsumerCoordinator`: the group runs the first assignor (all eventlab members
/// share one list), and the protocol is the highest one every listed assignor supports.
fn assignment(
    v: &mut Validator,
    path: &str,
    list: Option<&NameList>,
) -> (Strategy, RebalanceProtocol) {
    let names: Vec<String> = match list {
        None => defaults::ASSIGNMENT_STRATEGY
            .names()
            .iter()
            .map(|name| name.to_string())
            .collect(),
        Some(NameList(names)) => names.clone(),
    };
    if names.is_empty() || names.iter().all(|name| name.is_empty()) {
        let quoted: Vec<String> = defaults::ASSIGNMENT_STRATEGY
            .names()
            .iter()
            .map(|name| format!("\"{name}\""))
            .collect();
        v.error(
            path,
            format!(
                "list at least one assignor (Kafka's default is [{}])",
                quoted.join(", ")
            ),
        );
        return (Strategy::Range, RebalanceProtocol::Eager);
    }
    let table = strategies();
    let choices = Choices {
        noun: "assignment strategy",
        table: &table,
    };
    let single = matches!(list, Some(NameList(names)) if names.len() == 1);
    let mut chosen = Vec::new();
    for (index, name) in names.iter().enumerate() {
        // Kafka also takes an assignor's class name, so the lookup is the strategy's own.
        match Strategy::from_config_name(name) {
            Some(strategy) => chosen.push(strategy),
            None => {
                let at = if single {
                    path.to_string()
                } else {
                    format!("{path}[{index}]")
                };
                v.error(at, choices.unknown(name));
            }
        }
    }
    let Some(&first) = chosen.first() else {
        return (Strategy::Range, RebalanceProtocol::Eager);
    };
    let protocol = if chosen.iter().all(|s| s.supports_cooperative()) {
        RebalanceProtocol::Cooperative
    } else {
        RebalanceProtocol::Eager
    };
    (first, protocol)
}

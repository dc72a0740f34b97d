//! Semantic validation: raw scenario → `model::Scenario`, or every problem in document order.
//!
//! Every default is written here once; `DEFAULTS_DOC` lists them for `--help` and the README.

mod queue;

use std::collections::{BTreeMap, BTreeSet};

use super::error::{ScenarioError, did_you_mean, hint_or_list, one_of};
use super::raw::*;
use crate::model::*;
use crate::sim::LinkConfig;

// Defaults. Kafka's own defaults where Kafka has the setting (Kafka 3.9 consumer configs).
const SEED_DEFAULT: u64 = 0;
const PARTITION_COUNT_DEFAULT: u64 = 1;
const INSTANCE_COUNT_DEFAULT: u64 = 1;
const LINK_LATENCY_US_DEFAULT: u64 = 1_000;
const LINK_JITTER_US_DEFAULT: u64 = 0;
const VALUE_SIZE_BYTES_DEFAULT: u64 = 100;
/// Kafka 3.9's producer `batch.size` and `linger.ms` defaults (Kafka 4.0 raised linger.ms to 5).
const BATCH_SIZE_DEFAULT: u64 = 16_384;
const LINGER_MS_DEFAULT: u64 = 0;
/// librdkafka's `sticky.partitioning.linger.ms` default and maximum.
const STICKY_PARTITIONING_LINGER_MS_DEFAULT: u64 = 10;
const STICKY_PARTITIONING_LINGER_MS_MAX: u64 = 900_000;
const KEY_PREFIX_DEFAULT: &str = "key-";
const ZIPF_EXPONENT_DEFAULT: f64 = 1.0;
const POLL_INTERVAL_MS_DEFAULT: u64 = 100;
const MAX_POLL_RECORDS_DEFAULT: u64 = 500;
const AUTO_COMMIT_INTERVAL_MS_DEFAULT: u64 = 5_000;
const SESSION_TIMEOUT_MS_DEFAULT: u64 = 45_000;
const HEARTBEAT_INTERVAL_MS_DEFAULT: u64 = 3_000;
/// Kafka 3.9's `partition.assignment.strategy` default.
const ASSIGNMENT_STRATEGY_DEFAULT: [&str; 2] = ["range", "cooperative-sticky"];
const EVENTS_MAX_DEFAULT: u64 = 10_000_000;
const SIM_TIME_US_MAX_DEFAULT: u64 = 3_600_000_000;
const STORED_RECORDS_MAX_DEFAULT: u64 = 2_000_000;
const RETENTION_MS_DEFAULT: i64 = 604_800_000;
const SEGMENT_BYTES_DEFAULT: u64 = 1_073_741_824;
const SEGMENT_MS_DEFAULT: u64 = 604_800_000;
const MAX_MESSAGE_BYTES_DEFAULT: u64 = 1_048_588;
const RETENTION_CHECK_INTERVAL_MS_DEFAULT: u64 = 300_000;

// Ceilings: past these a scenario is almost surely a mistake, or would not fit in memory.
pub(super) const PARTITION_COUNT_MAX: u64 = 10_000;
const INSTANCE_COUNT_MAX: u64 = 1_000;
const KEY_COUNT_MAX: u64 = 1_000_000;
const VALUE_SIZE_BYTES_MAX: u64 = 1_048_576;
const BATCH_SIZE_MAX: u64 = 16 * 1_048_576;
const TIME_US_MAX: u64 = 365 * 24 * 3_600 * 1_000_000;
const MAX_POLL_RECORDS_MAX: u64 = 1_000_000;
const EVENTS_MAX_MAX: u64 = 10_000_000_000;
const STORED_RECORDS_MAX_MAX: u64 = 200_000_000;
const SLOW_FACTOR_MAX: f64 = 1_000.0;
const RATE_PER_S_MAX: f64 = 1_000_000.0;

/// The defaults, for `--help` and the README.
pub const DEFAULTS_DOC: &str = "\
seed 0; stop: drained (producers finish and every group consumes everything);
limits.events_max 10000000, limits.sim_time_us_max 3600000000 (1 h), limits.stored_records_max 2000000;
streams[].carrier \"log\", partition_count 1, partitioner \"murmur2\";
services[].instance_count 1, link.latency_us 1000, link.jitter_us 0;
produces[].keys \"unkeyed\", key_prefix \"key-\", value_size_bytes 100, arrivals \"fixed\", start_us 0;
produces[].kafka: batch.size 16384, linger.ms 0 (Kafka 3.9), sticky.partitioning.linger.ms 10 (librdkafka);
consumes[].poll_interval_ms 100, processing_time_us {\"fixed\": 0}, commit \"after_processing\";
streams[].kafka: retention.ms 604800000, segment.bytes 1073741824, segment.ms 604800000,
  max.message.bytes 1048588, log.retention.check.interval.ms 300000;
consumes[].kafka: group.id = service name, max.poll.records 500, enable.auto.commit true,
  auto.commit.interval.ms 5000, session.timeout.ms 45000, heartbeat.interval.ms 3000,
  partition.assignment.strategy [\"range\", \"cooperative-sticky\"] (runs range, eager protocol);
single_writer \"error\"; streams[].kind not declared (not checked); services[].domain none;
produces[].value none (size only), tombstone_ratio 0; consumes[].pipeline [], emit [], materialize none;
join kind \"inner\"; aggregate into \"count\" or \"sum\";
streams[].rabbitmq: exchange_type \"fanout\", no x-message-ttl, no x-max-length, x-overflow \"drop-head\",
  no x-dead-letter-exchange; consumes[].start_us 0, kafka \"auto.offset.reset\" \"latest\";
consumes[].rabbitmq: prefetch_count 0 (unlimited), auto_ack false, concurrency 1,
  binding_keys [\"#\"] (topic) or [\"\"] (direct), nack_probability 0, nack_requeue true";

pub(super) struct Validator<'a> {
    origin: &'a str,
    errors: Vec<ScenarioError>,
}

impl Validator<'_> {
    pub(super) fn error(&mut self, location: impl Into<String>, problem: impl Into<String>) {
        self.errors.push(ScenarioError {
            origin: self.origin.to_string(),
            location: location.into(),
            problem: problem.into(),
        });
    }

    /// A count or size in `min..=max`, else an error naming the bound.
    fn ranged(&mut self, path: &str, value: u64, min: u64, max: u64, what: &str) -> u64 {
        if value < min {
            self.error(path, format!("{what} must be at least {min}, not {value}"));
            return min;
        }
        if value > max {
            self.error(
                path,
                format!("{value} is more than {max}, the most eventlab allows for {what}"),
            );
            return max;
        }
        value
    }

    /// A decimal (ratio, probability, factor) in parts per million.
    pub(super) fn ppm(&mut self, path: &str, value: f64, min_exclusive: f64, max: f64) -> u64 {
        if !value.is_finite() || value <= min_exclusive || value > max {
            self.error(
                path,
                format!(
                    "{value} is out of range (expected more than {min_exclusive} and at most {max})"
                ),
            );
            return 1_000_000;
        }
        // Validation is the only place a float becomes an integer; IEEE rounding is exact here.
        (value * 1_000_000.0).round() as u64
    }
}

/// Checks meaning and resolves names. Reports every problem, in document order.
pub fn validate(raw: &RawScenario, origin: &str) -> Result<Scenario, Vec<ScenarioError>> {
    let mut v = Validator {
        origin,
        errors: Vec::new(),
    };

    if raw.name.trim().is_empty() {
        v.error("name", "the scenario needs a name");
    }
    let stop = validate_stop(&mut v, raw.stop.as_ref());
    let limits = validate_limits(&mut v, &raw.limits);
    if let Stop::AtTime { at_us } = stop
        && at_us > limits.sim_time_us_max
    {
        v.error(
            "stop.at_us",
            format!("{at_us} is past limits.sim_time_us_max ({}), so the run could never get there (raise \"limits.sim_time_us_max\" too)", limits.sim_time_us_max),
        );
    }

    // Streams.
    let mut streams = Vec::new();
    let mut stream_ids: BTreeMap<&str, StreamId> = BTreeMap::new();
    if raw.streams.is_empty() {
        v.error("streams", "a scenario needs at least one stream");
    }
    let stream_names: Vec<&str> = raw.streams.iter().map(|s| s.name.as_str()).collect();
    let on_queue: Vec<bool> = raw
        .streams
        .iter()
        .map(|s| s.carrier.as_deref() == Some("queue"))
        .collect();
    for (index, stream) in raw.streams.iter().enumerate() {
        let path = format!("streams[{index}]");
        let id = StreamId(index as u32);
        if stream.name.trim().is_empty() {
            v.error(format!("{path}.name"), "a stream needs a name");
        } else if stream_ids.insert(&stream.name, id).is_some() {
            v.error(
                format!("{path}.name"),
                format!("stream \"{}\" is declared twice", stream.name),
            );
        }
        let carrier = match stream.carrier.as_deref() {
            None | Some("log") => Carrier::Log,
            Some("queue") => Carrier::Queue,
            Some(other) => {
                v.error(
                    format!("{path}.carrier"),
                    format!(
                        "unknown carrier \"{other}\"{}",
                        hint_or_list(other, &["log", "queue"])
                    ),
                );
                Carrier::Log
            }
        };
        let partition_count = v.ranged(
            &format!("{path}.partition_count"),
            stream.partition_count.unwrap_or(PARTITION_COUNT_DEFAULT),
            1,
            PARTITION_COUNT_MAX,
            "partition_count",
        ) as u32;
        let partitioner = match stream.partitioner.as_deref() {
            None => Partitioner::Murmur2,
            Some(name) => parse_partitioner(&mut v, &format!("{path}.partitioner"), name),
        };
        let rabbitmq = queue::stream_args(
            &mut v,
            &path,
            &stream.rabbitmq,
            (&stream_names, &on_queue),
            index,
        );
        streams.push(Stream {
            id,
            name: stream.name.clone(),
            carrier,
            partition_count,
            partitioner,
            log: validate_stream_kafka(&mut v, &path, &stream.kafka),
            partitions_created: Vec::new(),
            rabbitmq,
        });
    }
    let mut resolve_stream = |v: &mut Validator, path: String, name: &str| -> Option<StreamId> {
        match stream_ids.get(name) {
            Some(&id) => Some(id),
            None => {
                v.error(
                    path,
                    format!(
                        "unknown stream \"{name}\"{}",
                        did_you_mean(name, stream_names.iter().copied())
                    ),
                );
                None
            }
        }
    };

    // Services, their instances and groups.
    let mut keys = KeyTable::default();
    let mut services = Vec::new();
    let mut instances = Vec::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut service_names: BTreeSet<&str> = BTreeSet::new();
    let mut key_total: u64 = 0;
    for (service_index, service) in raw.services.iter().enumerate() {
        let path = format!("services[{service_index}]");
        let service_id = ServiceId(service_index as u32);
        if service.name.trim().is_empty() {
            v.error(format!("{path}.name"), "a service needs a name");
        } else if !service_names.insert(&service.name) {
            v.error(
                format!("{path}.name"),
                format!("service \"{}\" is declared twice", service.name),
            );
        }
        let instance_count = v.ranged(
            &format!("{path}.instance_count"),
            service.instance_count.unwrap_or(INSTANCE_COUNT_DEFAULT),
            1,
            INSTANCE_COUNT_MAX,
            "instance_count",
        ) as u32;
        let link = match &service.link {
            None => LinkConfig {
                latency_us: LINK_LATENCY_US_DEFAULT,
                jitter_us: LINK_JITTER_US_DEFAULT,
            },
            Some(link) => LinkConfig {
                latency_us: v.ranged(
                    &format!("{path}.link.latency_us"),
                    link.latency_us.unwrap_or(LINK_LATENCY_US_DEFAULT),
                    0,
                    TIME_US_MAX,
                    "latency_us",
                ),
                jitter_us: v.ranged(
                    &format!("{path}.link.jitter_us"),
                    link.jitter_us.unwrap_or(LINK_JITTER_US_DEFAULT),
                    0,
                    TIME_US_MAX,
                    "jitter_us",
                ),
            },
        };

        let mut produces = Vec::new();
        for (index, produce) in service.produces.iter().enumerate() {
            let path = format!("{path}.produces[{index}]");
            let stream = resolve_stream(&mut v, format!("{path}.stream"), &produce.stream);
            let own_partitioner = produce
                .partitioner
                .as_deref()
                .map(|name| parse_partitioner(&mut v, &format!("{path}.partitioner"), name));
            if let Some(production) =
                validate_produces(&mut v, &path, produce, stop, &mut keys, &mut key_total)
                && let Some(stream) = stream
            {
                let largest = production.largest_record_bytes(&keys);
                let max = streams[stream.index()].log.max_message_bytes;
                if largest > max {
                    v.error(
                        format!("{path}.value_size_bytes"),
                        format!(
                            "records of up to {largest} bytes (key + value) are larger than stream \"{}\" accepts (max.message.bytes = {max})",
                            produce.stream
                        ),
                    );
                }
                produces.push(Production {
                    stream,
                    partitioner: own_partitioner.unwrap_or(streams[stream.index()].partitioner),
                    ..production
                });
            }
        }

        let mut consumes = Vec::new();
        let mut consumed_streams: BTreeSet<StreamId> = BTreeSet::new();
        for (index, consume) in service.consumes.iter().enumerate() {
            let path = format!("{path}.consumes[{index}]");
            let Some(stream) = resolve_stream(&mut v, format!("{path}.stream"), &consume.stream)
            else {
                continue;
            };
            if !consumed_streams.insert(stream) {
                v.error(
                    format!("{path}.stream"),
                    format!(
                        "service \"{}\" already consumes stream \"{}\"",
                        service.name, consume.stream
                    ),
                );
                continue;
            }
            let group_name = consume
                .kafka
                .group_id
                .clone()
                .unwrap_or_else(|| service.name.clone());
            if let Some(other) = groups
                .iter()
                .find(|g| g.name == group_name && g.stream == stream)
            {
                let owner = &raw.services[other.service.index()].name;
                if *owner == service.name {
                    continue; // The service is declared twice; that error says it all.
                }
                v.error(
                    format!("{path}.kafka.\"group.id\""),
                    format!("group \"{group_name}\" already reads stream \"{}\" for service \"{owner}\" (give each service its own group.id)", consume.stream),
                );
                continue;
            }
            let group = GroupId(groups.len() as u32);
            groups.push(Group {
                id: group,
                name: group_name,
                service: service_id,
                stream,
                consumption: consumes.len(),
            });
            let exchange_type = streams[stream.index()].rabbitmq.exchange_type;
            consumes.push(validate_consumes(
                &mut v,
                &path,
                consume,
                (stream, group),
                exchange_type,
                instance_count,
            ));
        }

        for index in 0..instance_count {
            instances.push(Instance {
                id: InstanceId(instances.len() as u32),
                name: format!("{}-{index}", service.name),
                service: service_id,
                index,
            });
        }
        services.push(Service {
            id: service_id,
            name: service.name.clone(),
            instance_count,
            link,
            produces,
            consumes,
        });
    }

    let faults = validate_faults(&mut v, &raw.faults, &instances);
    validate_admin(&mut v, &raw.admin, &mut streams, &mut resolve_stream);
    let expects = validate_expects(&mut v, &raw.expect, &mut resolve_stream);
    let topology = super::validate_topology::validate_topology(&mut v, raw, &streams, &services);

    if !v.errors.is_empty() {
        super::validate_topology::sort_in_document_order(&mut v.errors);
        return Err(v.errors);
    }
    Ok(Scenario {
        // First, while the parts it reads are not yet moved into the struct.
        queue_layout: QueueLayout::new(&streams, &services, &groups),
        name: raw.name.clone(),
        description: raw.description.clone(),
        seed: raw.seed,
        streams,
        services,
        instances,
        groups,
        faults,
        expects,
        limits,
        stop,
        keys,
        topology,
    })
}

impl RawScenario {
    /// The seed the file asks for (0 when absent).
    pub fn seed_or_default(&self) -> u64 {
        if self.seed == 0 {
            SEED_DEFAULT
        } else {
            self.seed
        }
    }
}

/// A partitioner by name, or an error naming the near one (and `murmur2` to go on with).
fn parse_partitioner(v: &mut Validator, path: &str, name: &str) -> Partitioner {
    match Partitioner::ALL.iter().find(|p| p.name() == name) {
        Some(&partitioner) => partitioner,
        None => {
            let names: Vec<&str> = Partitioner::ALL.iter().map(|p| p.name()).collect();
            v.error(
                path,
                format!(
                    "unknown partitioner \"{name}\"{}",
                    hint_or_list(name, &names)
                ),
            );
            Partitioner::Murmur2
        }
    }
}

fn validate_stream_kafka(v: &mut Validator, path: &str, kafka: &RawStreamKafka) -> LogConfig {
    let ms = 1_000;
    let retention_ms = kafka.retention_ms.unwrap_or(RETENTION_MS_DEFAULT);
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
        positive => Some(
            ms * v.ranged(
                &retention_path,
                positive as u64,
                1,
                TIME_US_MAX / ms,
                "retention.ms",
            ),
        ),
    };
    let field = |name: &str| format!("{path}.kafka.\"{name}\"");
    LogConfig {
        retention_us,
        segment_bytes: v.ranged(
            &field("segment.bytes"),
            kafka.segment_bytes.unwrap_or(SEGMENT_BYTES_DEFAULT),
            1,
            u64::MAX / 2,
            "segment.bytes",
        ),
        segment_us: ms
            * v.ranged(
                &field("segment.ms"),
                kafka.segment_ms.unwrap_or(SEGMENT_MS_DEFAULT),
                1,
                TIME_US_MAX / ms,
                "segment.ms",
            ),
        max_message_bytes: v.ranged(
            &field("max.message.bytes"),
            kafka.max_message_bytes.unwrap_or(MAX_MESSAGE_BYTES_DEFAULT),
            1,
            u64::from(u32::MAX),
            "max.message.bytes",
        ),
        retention_check_interval_us: ms
            * v.ranged(
                &field("log.retention.check.interval.ms"),
                kafka
                    .retention_check_interval_ms
                    .unwrap_or(RETENTION_CHECK_INTERVAL_MS_DEFAULT),
                1,
                TIME_US_MAX / ms,
                "log.retention.check.interval.ms",
            ),
    }
}

fn validate_stop(v: &mut Validator, stop: Option<&RawStop>) -> Stop {
    match stop {
        None => Stop::Drained,
        Some(RawStop {
            at_us: Some(_),
            after_records_consumed: Some(_),
        }) => {
            v.error(
                "stop",
                "give either \"at_us\" or \"after_records_consumed\", not both",
            );
            Stop::Drained
        }
        Some(RawStop {
            at_us: Some(at_us), ..
        }) => Stop::AtTime {
            at_us: v.ranged("stop.at_us", *at_us, 1, TIME_US_MAX, "at_us"),
        },
        Some(RawStop {
            after_records_consumed: Some(count),
            ..
        }) => Stop::AfterRecordsConsumed {
            count: v.ranged(
                "stop.after_records_consumed",
                *count,
                1,
                EVENTS_MAX_MAX,
                "after_records_consumed",
            ),
        },
        Some(RawStop {
            at_us: None,
            after_records_consumed: None,
        }) => {
            v.error("stop", "give \"at_us\" or \"after_records_consumed\" (or leave \"stop\" out to run until drained)");
            Stop::Drained
        }
    }
}

fn validate_limits(v: &mut Validator, limits: &RawLimits) -> RunLimits {
    RunLimits {
        events_max: v.ranged(
            "limits.events_max",
            limits.events_max.unwrap_or(EVENTS_MAX_DEFAULT),
            1,
            EVENTS_MAX_MAX,
            "events_max",
        ),
        sim_time_us_max: v.ranged(
            "limits.sim_time_us_max",
            limits.sim_time_us_max.unwrap_or(SIM_TIME_US_MAX_DEFAULT),
            1,
            TIME_US_MAX,
            "sim_time_us_max",
        ),
        stored_records_max: v.ranged(
            "limits.stored_records_max",
            limits
                .stored_records_max
                .unwrap_or(STORED_RECORDS_MAX_DEFAULT),
            1,
            STORED_RECORDS_MAX_MAX,
            "stored_records_max",
        ),
    }
}

/// Validates one `produces` entry; the caller fills in the stream.
fn validate_produces(
    v: &mut Validator,
    path: &str,
    produce: &RawProduces,
    stop: Stop,
    keys: &mut KeyTable,
    key_total: &mut u64,
) -> Option<Production> {
    let value_size_bytes = v.ranged(
        &format!("{path}.value_size_bytes"),
        produce.value_size_bytes.unwrap_or(VALUE_SIZE_BYTES_DEFAULT),
        0,
        VALUE_SIZE_BYTES_MAX,
        "value_size_bytes",
    ) as u32;
    let batching = ProducerBatching {
        batch_size_bytes: v.ranged(
            &format!("{path}.kafka.\"batch.size\""),
            produce.kafka.batch_size.unwrap_or(BATCH_SIZE_DEFAULT),
            0,
            BATCH_SIZE_MAX,
            "batch.size",
        ) as u32,
        linger_us: 1_000
            * v.ranged(
                &format!("{path}.kafka.\"linger.ms\""),
                produce.kafka.linger_ms.unwrap_or(LINGER_MS_DEFAULT),
                0,
                TIME_US_MAX / 1_000,
                "linger.ms",
            ),
        sticky_partitioning_linger_us: 1_000
            * v.ranged(
                &format!("{path}.kafka.\"sticky.partitioning.linger.ms\""),
                produce
                    .kafka
                    .sticky_partitioning_linger_ms
                    .unwrap_or(STICKY_PARTITIONING_LINGER_MS_DEFAULT),
                0,
                STICKY_PARTITIONING_LINGER_MS_MAX,
                "sticky.partitioning.linger.ms",
            ),
    };
    let expiration_ms = produce.rabbitmq.expiration.map(|ms| {
        v.ranged(
            &format!("{path}.rabbitmq.expiration"),
            ms,
            0,
            u64::from(u32::MAX),
            "expiration",
        ) as u32
    });

    if let Some(records) = &produce.records {
        let extra: Vec<&str> = [
            ("interval_us", produce.interval_us.is_some()),
            ("rate_per_s", produce.rate_per_s.is_some()),
            ("arrivals", produce.arrivals.is_some()),
            ("count", produce.count.is_some()),
            ("produce_until_us", produce.produce_until_us.is_some()),
            ("start_us", produce.start_us.is_some()),
            ("keys", produce.keys.is_some()),
            ("key_prefix", produce.key_prefix.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, present)| present.then_some(name))
        .collect();
        if !extra.is_empty() {
            v.error(
                path,
                format!(
                    "\"records\" lists every record, so {} cannot be set too",
                    one_of(&extra)
                ),
            );
        }
        if records.is_empty() {
            v.error(
                format!("{path}.records"),
                "an explicit record list needs at least one record",
            );
        }
        let mut explicit = Vec::new();
        for (index, record) in records.iter().enumerate() {
            let at_us = v.ranged(
                &format!("{path}.records[{index}].at_us"),
                record.at_us,
                0,
                TIME_US_MAX,
                "at_us",
            );
            let key = record.key.as_deref().map(|text| keys.intern(text));
            let size = record.value_size_bytes.map(|size| {
                v.ranged(
                    &format!("{path}.records[{index}].value_size_bytes"),
                    size,
                    0,
                    VALUE_SIZE_BYTES_MAX,
                    "value_size_bytes",
                ) as u32
            });
            explicit.push(ExplicitRecord {
                at_us,
                key,
                value_size_bytes: size.unwrap_or(value_size_bytes),
            });
        }
        // Stable: records at one instant keep their file order.
        explicit.sort_by_key(|record| record.at_us);
        return Some(Production {
            stream: StreamId(0),
            schedule: Schedule::Explicit(explicit),
            keys: KeyChoice::Unkeyed,
            value_size_bytes,
            batching,
            partitioner: Partitioner::Murmur2,
            expiration_ms,
        });
    }

    let interval_us = match (produce.interval_us, produce.rate_per_s) {
        (Some(_), Some(_)) => {
            v.error(
                path,
                "give either \"interval_us\" or \"rate_per_s\", not both",
            );
            1
        }
        (Some(interval), None) => v.ranged(
            &format!("{path}.interval_us"),
            interval,
            1,
            TIME_US_MAX,
            "interval_us",
        ),
        (None, Some(rate)) => {
            if !rate.is_finite() || rate <= 0.0 || rate > RATE_PER_S_MAX {
                v.error(
                    format!("{path}.rate_per_s"),
                    format!(
                        "{rate} is out of range (expected more than 0 and at most {RATE_PER_S_MAX})"
                    ),
                );
                1
            } else {
                ((1_000_000.0 / rate).round() as u64).max(1)
            }
        }
        (None, None) => {
            v.error(path, "say how often to produce: \"interval_us\", \"rate_per_s\" or an explicit \"records\" list");
            1
        }
    };
    let poisson = match produce.arrivals.as_deref() {
        None | Some("fixed") => false,
        Some("poisson") => true,
        Some(other) => {
            v.error(
                format!("{path}.arrivals"),
                format!(
                    "unknown arrivals \"{other}\"{}",
                    hint_or_list(other, &["fixed", "poisson"])
                ),
            );
            false
        }
    };
    let start_us = v.ranged(
        &format!("{path}.start_us"),
        produce.start_us.unwrap_or(0),
        0,
        TIME_US_MAX,
        "start_us",
    );
    let count = produce.count.map(|count| {
        v.ranged(
            &format!("{path}.count"),
            count,
            1,
            u64::from(u32::MAX),
            "count",
        )
    });
    let produce_until_us = produce.produce_until_us.map(|until| {
        v.ranged(
            &format!("{path}.produce_until_us"),
            until,
            0,
            TIME_US_MAX,
            "produce_until_us",
        )
    });
    if count.is_none() && produce_until_us.is_none() && stop == Stop::Drained {
        v.error(path, "this producer never stops: set \"count\" or \"produce_until_us\" (or a top-level \"stop\")");
    }

    let prefix = produce.key_prefix.as_deref().unwrap_or(KEY_PREFIX_DEFAULT);
    let mut key_range = |v: &mut Validator, key_path: String, count: u64| -> Vec<KeyId> {
        let count = v.ranged(&key_path, count, 1, KEY_COUNT_MAX, "the key count");
        *key_total += count;
        if *key_total > KEY_COUNT_MAX {
            v.error(
                key_path,
                format!("the scenario's producers use more than {KEY_COUNT_MAX} distinct keys"),
            );
            return vec![keys.intern(prefix)];
        }
        // One buffer for every key's text (a `format!` per key showed at start-up).
        let mut text = String::with_capacity(prefix.len() + 20);
        (0..count)
            .map(|index| {
                use std::fmt::Write as _;
                text.truncate(0);
                text.push_str(prefix);
                write!(text, "{index}").expect("writing to a String cannot fail");
                keys.intern(&text)
            })
            .collect()
    };
    let key_choice = match &produce.keys {
        None | Some(RawKeys::Unkeyed) => KeyChoice::Unkeyed,
        Some(RawKeys::Sequential(count)) => {
            KeyChoice::Sequential(key_range(v, format!("{path}.keys.sequential"), *count))
        }
        Some(RawKeys::Uniform(count)) => {
            KeyChoice::Uniform(key_range(v, format!("{path}.keys.uniform"), *count))
        }
        Some(RawKeys::Zipf(zipf)) => {
            let exponent_ppm = v.ppm(
                &format!("{path}.keys.zipf.exponent"),
                zipf.exponent.unwrap_or(ZIPF_EXPONENT_DEFAULT),
                0.0,
                10.0,
            );
            let ids = key_range(v, format!("{path}.keys.zipf.count"), zipf.count);
            KeyChoice::Zipf {
                keys: ids,
                exponent_ppm: exponent_ppm as u32,
            }
        }
        Some(RawKeys::Fixed(list)) => {
            if list.is_empty() {
                v.error(
                    format!("{path}.keys.fixed"),
                    "a fixed key list needs at least one key",
                );
                KeyChoice::Unkeyed
            } else {
                KeyChoice::Sequential(list.iter().map(|text| keys.intern(text)).collect())
            }
        }
    };
    Some(Production {
        stream: StreamId(0),
        schedule: Schedule::Periodic {
            interval_us,
            poisson,
            start_us,
            count,
            produce_until_us,
        },
        keys: key_choice,
        value_size_bytes,
        batching,
        partitioner: Partitioner::Murmur2,
        expiration_ms,
    })
}

fn validate_consumes(
    v: &mut Validator,
    path: &str,
    consume: &RawConsumes,
    (stream, group): (StreamId, GroupId),
    exchange_type: ExchangeType,
    instance_count: u32,
) -> Consumption {
    let ms = 1_000;
    let poll_interval_us = ms
        * v.ranged(
            &format!("{path}.poll_interval_ms"),
            consume.poll_interval_ms.unwrap_or(POLL_INTERVAL_MS_DEFAULT),
            1,
            TIME_US_MAX / ms,
            "poll_interval_ms",
        );
    let processing = match consume.processing_time_us {
        None => ProcessingTime::Fixed { time_us: 0 },
        Some(RawProcessing::Fixed(time_us)) => ProcessingTime::Fixed {
            time_us: v.ranged(
                &format!("{path}.processing_time_us.fixed"),
                time_us,
                0,
                TIME_US_MAX,
                "processing time",
            ),
        },
        Some(RawProcessing::Uniform([min, max])) => {
            if min > max {
                v.error(
                    format!("{path}.processing_time_us.uniform"),
                    format!("the minimum {min} is more than the maximum {max}"),
                );
            }
            let max = v.ranged(
                &format!("{path}.processing_time_us.uniform[1]"),
                max,
                0,
                TIME_US_MAX,
                "processing time",
            );
            ProcessingTime::Uniform {
                time_us_min: min.min(max),
                time_us_max: max,
            }
        }
        Some(RawProcessing::ExponentialMean(mean)) => ProcessingTime::Exponential {
            time_us_mean: v.ranged(
                &format!("{path}.processing_time_us.exponential_mean"),
                mean,
                1,
                TIME_US_MAX / 16,
                "the mean processing time",
            ),
        },
    };
    let commit = match consume.commit.as_deref() {
        None | Some("after_processing") => CommitMode::AfterProcessing,
        Some("before_processing") => CommitMode::BeforeProcessing,
        Some(other) => {
            v.error(
                format!("{path}.commit"),
                format!(
                    "unknown commit mode \"{other}\"{}",
                    hint_or_list(other, &["after_processing", "before_processing"])
                ),
            );
            CommitMode::AfterProcessing
        }
    };
    let kafka = &consume.kafka;
    let kafka_path = format!("{path}.kafka");
    let max_poll_records = v.ranged(
        &format!("{kafka_path}.\"max.poll.records\""),
        kafka.max_poll_records.unwrap_or(MAX_POLL_RECORDS_DEFAULT),
        1,
        MAX_POLL_RECORDS_MAX,
        "max.poll.records",
    ) as u32;
    let auto_commit_interval_us = ms
        * v.ranged(
            &format!("{kafka_path}.\"auto.commit.interval.ms\""),
            kafka
                .auto_commit_interval_ms
                .unwrap_or(AUTO_COMMIT_INTERVAL_MS_DEFAULT),
            1,
            TIME_US_MAX / ms,
            "auto.commit.interval.ms",
        );
    let session_timeout_us = ms
        * v.ranged(
            &format!("{kafka_path}.\"session.timeout.ms\""),
            kafka
                .session_timeout_ms
                .unwrap_or(SESSION_TIMEOUT_MS_DEFAULT),
            1,
            TIME_US_MAX / ms,
            "session.timeout.ms",
        );
    let heartbeat_interval_us = ms
        * v.ranged(
            &format!("{kafka_path}.\"heartbeat.interval.ms\""),
            kafka
                .heartbeat_interval_ms
                .unwrap_or(HEARTBEAT_INTERVAL_MS_DEFAULT),
            1,
            TIME_US_MAX / ms,
            "heartbeat.interval.ms",
        );
    if heartbeat_interval_us >= session_timeout_us {
        // Kafka's consumer refuses this too: a member would expire between two heartbeats.
        v.error(
            format!("{kafka_path}.\"heartbeat.interval.ms\""),
            format!(
                "{} must be lower than session.timeout.ms ({})",
                heartbeat_interval_us / ms,
                session_timeout_us / ms
            ),
        );
    }
    let (assignment_strategy, protocol) = validate_strategies(
        v,
        &format!("{kafka_path}.\"partition.assignment.strategy\""),
        kafka.partition_assignment_strategy.as_ref(),
    );
    let start_us = v.ranged(
        &format!("{path}.start_us"),
        consume.start_us.unwrap_or(0),
        0,
        TIME_US_MAX,
        "start_us",
    );
    let offset_reset = match kafka.auto_offset_reset.as_deref() {
        None | Some("latest") => OffsetReset::Latest,
        Some("earliest") => OffsetReset::Earliest,
        Some(other) => {
            v.error(
                format!("{kafka_path}.\"auto.offset.reset\""),
                format!(
                    "unknown auto.offset.reset \"{other}\"{}",
                    hint_or_list(other, &["earliest", "latest"])
                ),
            );
            OffsetReset::Latest
        }
    };
    let queue = queue::consumer(
        v,
        path,
        &consume.rabbitmq,
        exchange_type,
        instance_count,
        start_us,
    );
    Consumption {
        assignment_strategy,
        protocol,
        stream,
        group,
        start_us,
        offset_reset,
        queue,
        poll_interval_us,
        max_poll_records,
        processing,
        commit,
        auto_commit: kafka.enable_auto_commit.unwrap_or(true),
        auto_commit_interval_us,
        session_timeout_us,
        heartbeat_interval_us,
    }
}

/// `partition.assignment.strategy` → (the assignor the group runs, the rebalance protocol).
/// Matches Kafka's `ConsumerCoordinator`: the group runs the first assignor (all eventlab members
/// share one list), and the protocol is the highest one every listed assignor supports.
fn validate_strategies(
    v: &mut Validator,
    path: &str,
    list: Option<&NameList>,
) -> (Strategy, RebalanceProtocol) {
    let names: Vec<String> = match list {
        None => ASSIGNMENT_STRATEGY_DEFAULT
            .iter()
            .map(|name| name.to_string())
            .collect(),
        Some(NameList(names)) => names.clone(),
    };
    if names.is_empty() || names.iter().all(|name| name.is_empty()) {
        v.error(
            path,
            "list at least one assignor (Kafka's default is [\"range\", \"cooperative-sticky\"])",
        );
        return (Strategy::Range, RebalanceProtocol::Eager);
    }
    let known: Vec<&str> = Strategy::ALL.iter().map(|s| s.name()).collect();
    let single = matches!(list, Some(NameList(names)) if names.len() == 1);
    let mut strategies = Vec::new();
    for (index, name) in names.iter().enumerate() {
        match Strategy::from_config_name(name) {
            Some(strategy) => strategies.push(strategy),
            None => {
                let at = if single {
                    path.to_string()
                } else {
                    format!("{path}[{index}]")
                };
                v.error(
                    at,
                    format!(
                        "unknown assignment strategy \"{name}\"{}",
                        hint_or_list(name, &known)
                    ),
                );
            }
        }
    }
    let Some(&first) = strategies.first() else {
        return (Strategy::Range, RebalanceProtocol::Eager);
    };
    let protocol = if strategies.iter().all(|s| s.supports_cooperative()) {
        RebalanceProtocol::Cooperative
    } else {
        RebalanceProtocol::Eager
    };
    (first, protocol)
}

fn validate_faults(v: &mut Validator, raw: &[RawFault], instances: &[Instance]) -> Vec<Fault> {
    let names: Vec<&str> = instances.iter().map(|i| i.name.as_str()).collect();
    let mut faults = Vec::new();
    // The index in the file of each validated fault, for messages about it.
    let mut positions = Vec::new();
    for (index, fault) in raw.iter().enumerate() {
        let path = format!("faults[{index}]");
        let Some(instance) = instances
            .iter()
            .find(|i| i.name == fault.instance)
            .map(|i| i.id)
        else {
            v.error(
                format!("{path}.instance"),
                format!(
                    "unknown instance \"{}\"{}",
                    fault.instance,
                    did_you_mean(&fault.instance, names.iter().copied())
                ),
            );
            continue;
        };
        let unwanted = |v: &mut Validator, fields: &[(&str, bool)]| {
            for (name, present) in fields {
                if *present {
                    v.error(
                        format!("{path}.{name}"),
                        format!("\"{name}\" does not apply to a \"{}\" fault", fault.action),
                    );
                }
            }
        };
        match fault.action.as_str() {
            "crash" | "restart" => {
                unwanted(
                    v,
                    &[
                        ("from_us", fault.from_us.is_some()),
                        ("until_us", fault.until_us.is_some()),
                        ("factor", fault.factor.is_some()),
                    ],
                );
                let Some(at_us) = fault.at_us else {
                    v.error(
                        &path,
                        format!("a \"{}\" fault needs \"at_us\"", fault.action),
                    );
                    continue;
                };
                let at_us = v.ranged(&format!("{path}.at_us"), at_us, 0, TIME_US_MAX, "at_us");
                faults.push(if fault.action == "crash" {
                    Fault::Crash { instance, at_us }
                } else {
                    Fault::Restart { instance, at_us }
                });
                positions.push(index);
            }
            "slow" => {
                unwanted(v, &[("at_us", fault.at_us.is_some())]);
                let (Some(from_us), Some(until_us), Some(factor)) =
                    (fault.from_us, fault.until_us, fault.factor)
                else {
                    v.error(
                        &path,
                        "a \"slow\" fault needs \"from_us\", \"until_us\" and \"factor\"",
                    );
                    continue;
                };
                if from_us >= until_us {
                    v.error(
                        format!("{path}.until_us"),
                        format!("{until_us} is not after from_us ({from_us})"),
                    );
                }
                let factor_ppm = v.ppm(&format!("{path}.factor"), factor, 0.0, SLOW_FACTOR_MAX);
                faults.push(Fault::Slow {
                    instance,
                    from_us,
                    until_us: until_us.min(TIME_US_MAX),
                    factor_ppm,
                });
                positions.push(index);
            }
            other => {
                v.error(
                    format!("{path}.action"),
                    format!(
                        "unknown fault action \"{other}\"{}",
                        hint_or_list(other, &["crash", "restart", "slow"])
                    ),
                );
            }
        }
    }
    // Each instance must alternate crash, restart, crash… in time order.
    let mut timeline: Vec<(u64, usize, &Fault)> = faults
        .iter()
        .enumerate()
        .filter_map(|(index, fault)| match fault {
            Fault::Crash { at_us, .. } | Fault::Restart { at_us, .. } => {
                Some((*at_us, index, fault))
            }
            Fault::Slow { .. } => None,
        })
        .collect();
    timeline.sort_by_key(|&(at_us, index, _)| (at_us, index));
    let mut down: BTreeSet<InstanceId> = BTreeSet::new();
    let mut problems: Vec<(usize, String)> = Vec::new();
    for (at_us, index, fault) in timeline {
        match fault {
            Fault::Crash { instance, .. } if !down.insert(*instance) => {
                problems.push((
                    positions[index],
                    format!(
                        "\"{}\" is already down at {at_us} us",
                        instances[instance.index()].name
                    ),
                ));
            }
            Fault::Restart { instance, .. } if !down.remove(instance) => {
                problems.push((
                    positions[index],
                    format!(
                        "\"{}\" is not down at {at_us} us, so it cannot restart",
                        instances[instance.index()].name
                    ),
                ));
            }
            _ => {}
        }
    }
    problems.sort();
    for (index, problem) in problems {
        v.error(format!("faults[{index}]"), problem);
    }
    faults
}

/// The admin timeline: every `create_partitions` must grow its stream at its time.
fn validate_admin(
    v: &mut Validator,
    raw: &[RawAdmin],
    streams: &mut [Stream],
    resolve_stream: &mut impl FnMut(&mut Validator, String, &str) -> Option<StreamId>,
) {
    const ACTIONS: [&str; 1] = ["create_partitions"];
    // Problems of each entry, by file index, so that they come out in document order although
    // the growth check runs in time order.
    let mut problems: Vec<(usize, Vec<ScenarioError>)> = Vec::new();
    let origin = v.origin;
    // (at_us, file index, stream, count), checked in time order below.
    let mut creations: Vec<(u64, usize, StreamId, u32)> = Vec::new();
    for (index, admin) in raw.iter().enumerate() {
        let path = format!("admin[{index}]");
        let mut entry = Validator {
            origin,
            errors: Vec::new(),
        };
        let v = &mut entry;
        if !ACTIONS.contains(&admin.action.as_str()) {
            v.error(
                format!("{path}.action"),
                format!(
                    "unknown admin action \"{}\"{}",
                    admin.action,
                    hint_or_list(&admin.action, &ACTIONS)
                ),
            );
            problems.push((index, std::mem::take(&mut entry.errors)));
            continue;
        }
        let (Some(at_us), Some(stream_name), Some(count)) =
            (admin.at_us, admin.stream.as_deref(), admin.partition_count)
        else {
            v.error(
                &path,
                "a \"create_partitions\" action needs \"at_us\", \"stream\" and \"partition_count\"",
            );
            problems.push((index, std::mem::take(&mut entry.errors)));
            continue;
        };
        let at_us = v.ranged(&format!("{path}.at_us"), at_us, 0, TIME_US_MAX, "at_us");
        let stream = resolve_stream(v, format!("{path}.stream"), stream_name);
        let count = v.ranged(
            &format!("{path}.partition_count"),
            count,
            1,
            PARTITION_COUNT_MAX,
            "partition_count",
        ) as u32;
        if let Some(stream) = stream {
            creations.push((at_us, index, stream, count));
        }
        problems.push((index, std::mem::take(&mut entry.errors)));
    }
    creations.sort_by_key(|&(at_us, index, _, _)| (at_us, index));
    for (at_us, index, stream_id, count) in creations {
        let stream = &mut streams[stream_id.index()];
        let current = stream.partition_count_max();
        if count <= current {
            // Kafka: INVALID_PARTITIONS, "Topic currently has 3 partitions, which is higher than
            // the requested 2."
            problems.push((
                index,
                vec![ScenarioError {
                    origin: origin.to_string(),
                    location: format!("admin[{index}].partition_count"),
                    problem: format!(
                    "stream \"{}\" has {current} partitions at {at_us} us; CreatePartitions can only add partitions, so ask for more than {current}",
                        stream.name
                    ),
                }],
            ));
            continue;
        }
        stream.partitions_created.push(PartitionsCreated {
            at_us,
            partition_count: count,
        });
    }
    // A stable sort keeps each entry's own problems in the order they were found.
    problems.sort_by_key(|(index, _)| *index);
    v.errors
        .extend(problems.into_iter().flat_map(|(_, errors)| errors));
}

fn validate_expects(
    v: &mut Validator,
    raw: &[RawExpect],
    resolve_stream: &mut impl FnMut(&mut Validator, String, &str) -> Option<StreamId>,
) -> Vec<Expect> {
    const CHECKS: [&str; 4] = ["no_loss", "no_duplicates", "per_key_order", "max_lag_below"];
    let mut expects = Vec::new();
    for (index, expect) in raw.iter().enumerate() {
        let path = format!("expect[{index}]");
        if !CHECKS.contains(&expect.check.as_str()) {
            v.error(
                format!("{path}.check"),
                format!(
                    "unknown check \"{}\"{}",
                    expect.check,
                    hint_or_list(&expect.check, &CHECKS)
                ),
            );
            continue;
        }
        let stream = resolve_stream(v, format!("{path}.stream"), &expect.stream);
        let needs_value = expect.check == "max_lag_below";
        match (needs_value, expect.value) {
            (true, None) => v.error(&path, "\"max_lag_below\" needs a \"value\" (records)"),
            (false, Some(_)) => v.error(
                format!("{path}.value"),
                format!("\"{}\" takes no \"value\"", expect.check),
            ),
            _ => {}
        }
        let Some(stream) = stream else { continue };
        expects.push(match expect.check.as_str() {
            "no_loss" => Expect::NoLoss { stream },
            "no_duplicates" => Expect::NoDuplicates { stream },
            "per_key_order" => Expect::PerKeyOrder { stream },
            _ => Expect::MaxLagBelow {
                stream,
                value: expect.value.unwrap_or(0),
            },
        });
    }
    expects
}

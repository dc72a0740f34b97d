//! Validation of one `services[].produces[]` entry: the stream and partitioner, the schedule
//! (a rate or an explicit record list), the keys, value sizes and the producer's `kafka` and
//! `rabbitmq` settings. The value template and tombstones are `topology`'s.

use super::streams::partitioner;
use super::validator::{Declaration, StreamNames, Validator};
use crate::model::Partitioner;
use crate::model::{
    ExplicitRecord, KeyChoice, KeyId, KeyTable, ProducerBatching, Production, Schedule, Stop,
    Stream, StreamId,
};
use crate::scenario::choice::Choices;
use crate::scenario::defaults::{self, TIME_US_MAX};
use crate::scenario::error::one_of;
use crate::scenario::raw::{RawKeys, RawProduces, RawRecord};
use crate::value::Value;

/// `arrivals`: whether the gaps are Poisson (exponential) rather than fixed.
const ARRIVALS: Choices<'static, bool> = Choices {
    noun: "arrivals",
    table: &[("fixed", false), ("poisson", true)],
};

/// What one producer shares with the others while the walk goes through them.
pub(super) struct Producing<'m> {
    pub(super) streams: &'m [Stream],
    pub(super) names: &'m StreamNames<'m>,
    pub(super) stop: Stop,
    pub(super) keys: &'m mut KeyTable,
    /// Distinct generated keys so far, against the scenario-wide ceiling.
    pub(super) key_total: &'m mut u64,
}

/// Validates the `produces` entry at `path`; `None` when its stream is unknown.
pub(super) fn produces(
    v: &mut Validator,
    path: &str,
    raw: &RawProduces,
    shared: &mut Producing,
) -> Option<Production> {
    let stream = shared
        .names
        .resolve(v, format!("{path}.stream"), &raw.stream, Declaration::Last);
    let own_partitioner = raw
        .partitioner
        .as_deref()
        .map(|name| partitioner(v, &format!("{path}.partitioner"), Some(name)));
    let production = production(v, path, raw, shared);
    let stream = stream?;
    let declared = &shared.streams[stream.index()];
    let largest = production.largest_record_bytes(&*shared.keys);
    let max = declared.log.max_message_bytes;
    if largest > max {
        v.error(
            format!("{path}.value_size_bytes"),
            format!(
                "records of up to {largest} bytes (key + value) are larger than stream \"{}\" accepts (max.message.bytes = {max})",
                raw.stream
            ),
        );
    }
    Some(Production {
        stream,
        partitioner: own_partitioner.unwrap_or(declared.partitioner),
        ..production
    })
}

/// Everything but the stream and partitioner, which the caller fills in.
fn production(
    v: &mut Validator,
    path: &str,
    raw: &RawProduces,
    shared: &mut Producing,
) -> Production {
    let value_size_bytes = v.setting(
        &format!("{path}.value_size_bytes"),
        raw.value_size_bytes,
        &defaults::VALUE_SIZE,
        "value_size_bytes",
    ) as u32;
    let batching = batching(v, path, raw);
    let expiration = &defaults::EXPIRATION;
    let expiration_ms = raw.rabbitmq.expiration.map(|ms| {
        v.ranged(
            &format!("{path}.rabbitmq.expiration"),
            ms,
            expiration.min(),
            expiration.max(),
            "expiration",
        ) as u32
    });
    let (schedule, keys) = match &raw.records {
        Some(records) => (
            explicit(v, path, raw, records, value_size_bytes, shared.keys),
            KeyChoice::Unkeyed,
        ),
        None => {
            let schedule = periodic(v, path, raw, shared.stop);
            (schedule, key_choice(v, path, raw, shared))
        }
    };
    Production {
        stream: StreamId(0),
        schedule,
        keys,
        value_size_bytes,
        batching,
        partitioner: Partitioner::Murmur2,
        expiration_ms,
    }
}

/// The record accumulator when a `kafka` block gives nothing: every setting's default.
pub(super) fn default_batching() -> ProducerBatching {
    ProducerBatching {
        batch_size_bytes: defaults::BATCH_SIZE.count() as u32,
        linger_us: 1_000 * defaults::LINGER_MS.count(),
        sticky_partitioning_linger_us: 1_000 * defaults::STICKY_LINGER_MS.count(),
    }
}

/// The producer's `kafka` block: the record accumulator and the sticky partitioner.
fn batching(v: &mut Validator, path: &str, raw: &RawProduces) -> ProducerBatching {
    let field = |name: &str| format!("{path}.kafka.\"{name}\"");
    ProducerBatching {
        batch_size_bytes: v.setting(
            &field("batch.size"),
            raw.kafka.batch_size,
            &defaults::BATCH_SIZE,
            "batch.size",
        ) as u32,
        linger_us: v.setting_ms(
            &field("linger.ms"),
            raw.kafka.linger_ms,
            &defaults::LINGER_MS,
            "linger.ms",
        ),
        sticky_partitioning_linger_us: v.setting_ms(
            &field("sticky.partitioning.linger.ms"),
            raw.kafka.sticky_partitioning_linger_ms,
            &defaults::STICKY_LINGER_MS,
            "sticky.partitioning.linger.ms",
        ),
    }
}

/// An explicit `records` list: every record with its time, key and size.
fn explicit(
    v: &mut Validator,
    path: &str,
    raw: &RawProduces,
    records: &[RawRecord],
    value_size_bytes: u32,
    keys: &mut KeyTable,
) -> Schedule {
    let extra: Vec<&str> = [
        ("interval_us", raw.interval_us.is_some()),
        ("rate_per_s", raw.rate_per_s.is_some()),
        ("arrivals", raw.arrivals.is_some()),
        ("count", raw.count.is_some()),
        ("produce_until_us", raw.produce_until_us.is_some()),
        ("start_us", raw.start_us.is_some()),
        ("keys", raw.keys.is_some()),
        ("key_prefix", raw.key_prefix.is_some()),
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
    let size = &defaults::VALUE_SIZE;
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
        let own_size = record.value_size_bytes.map(|bytes| {
            v.ranged(
                &format!("{path}.records[{index}].value_size_bytes"),
                bytes,
                size.min(),
                size.max(),
                "value_size_bytes",
            ) as u32
        });
        let value_path = format!("{path}.records[{index}].value");
        let value = record
            .value
            .as_ref()
            .and_then(|given| record_value(v, &value_path, given));
        // A null value has no bytes (Kafka's null value).
        let null = value == Some(Value::Null);
        explicit.push(ExplicitRecord {
            at_us,
            key,
            value_size_bytes: if null {
                0
            } else {
                own_size.unwrap_or(value_size_bytes)
            },
            value,
        });
    }
    // Stable: records at one instant keep their file order.
    explicit.sort_by_key(|record| record.at_us);
    Schedule::Explicit(explicit)
}

/// An explicit record's value, as eventlab's values go: objects, strings, whole numbers,
/// booleans and null.
fn record_value(v: &mut Validator, path: &str, given: &serde_json::Value) -> Option<Value> {
    let value = match given {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(flag) => Value::Bool(*flag),
        serde_json::Value::String(text) => Value::Str(text.clone()),
        serde_json::Value::Number(number) => match number.as_i64() {
            Some(whole) => Value::Int(whole),
            None => {
                v.error(
                    path,
                    format!("{number} is not a whole number (values hold whole numbers)"),
                );
                return None;
            }
        },
        serde_json::Value::Array(_) => {
            v.error(
                path,
                "a value is an object, string, whole number, boolean or null, not a list",
            );
            return None;
        }
        serde_json::Value::Object(fields) => {
            let mut object = std::collections::BTreeMap::new();
            for (name, field) in fields {
                object.insert(
                    name.clone(),
                    record_value(v, &format!("{path}.{name}"), field)?,
                );
            }
            Value::Object(object)
        }
    };
    Some(value)
}

/// A rate-driven schedule: interval or rate, arrivals, start and end.
fn periodic(v: &mut Validator, path: &str, raw: &RawProduces, stop: Stop) -> Schedule {
    let interval_us = interval_us(v, path, raw);
    let poisson = v.choose(
        format!("{path}.arrivals"),
        raw.arrivals.as_deref(),
        &ARRIVALS,
        defaults::ARRIVALS.name(),
    );
    let start_us = v.setting(
        &format!("{path}.start_us"),
        raw.start_us,
        &defaults::PRODUCE_START,
        "start_us",
    );
    let count_setting = &defaults::PRODUCE_COUNT;
    let count = raw.count.map(|count| {
        v.ranged(
            &format!("{path}.count"),
            count,
            count_setting.min(),
            count_setting.max(),
            "count",
        )
    });
    let produce_until_us = raw.produce_until_us.map(|until| {
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
    Schedule::Periodic {
        interval_us,
        poisson,
        start_us,
        count,
        produce_until_us,
    }
}

/// The time between records, from `interval_us` or `rate_per_s` (exactly one of them).
fn interval_us(v: &mut Validator, path: &str, raw: &RawProduces) -> u64 {
    match (raw.interval_us, raw.rate_per_s) {
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
            let rate_max = defaults::RATE.decimal_max();
            if !rate.is_finite() || rate <= 0.0 || rate > rate_max {
                v.error(
                    format!("{path}.rate_per_s"),
                    format!("{rate} is out of range (expected more than 0 and at most {rate_max})"),
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
    }
}

/// The generated keys: none, a range of `<prefix><index>` keys drawn in some order, or a fixed
/// list.
fn key_choice(
    v: &mut Validator,
    path: &str,
    raw: &RawProduces,
    shared: &mut Producing,
) -> KeyChoice {
    let prefix = raw
        .key_prefix
        .as_deref()
        .unwrap_or(defaults::KEY_PREFIX.name());
    match &raw.keys {
        None | Some(RawKeys::Unkeyed) => KeyChoice::Unkeyed,
        Some(RawKeys::Sequential(count)) => KeyChoice::Sequential(key_range(
            v,
            format!("{path}.keys.sequential"),
            *count,
            prefix,
            shared,
        )),
        Some(RawKeys::Uniform(count)) => KeyChoice::Uniform(key_range(
            v,
            format!("{path}.keys.uniform"),
            *count,
            prefix,
            shared,
        )),
        Some(RawKeys::Zipf(zipf)) => {
            let exponent = &defaults::ZIPF_EXPONENT;
            let exponent_ppm = v.ppm(
                &format!("{path}.keys.zipf.exponent"),
                zipf.exponent.unwrap_or(exponent.decimal()),
                0.0,
                exponent.decimal_max(),
            );
            let keys = key_range(
                v,
                format!("{path}.keys.zipf.count"),
                zipf.count,
                prefix,
                shared,
            );
            KeyChoice::Zipf {
                keys,
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
                KeyChoice::Sequential(list.iter().map(|text| shared.keys.intern(text)).collect())
            }
        }
    }
}

/// `count` keys `<prefix>0`, `<prefix>1`, …, within the per-producer and scenario-wide ceilings.
fn key_range(
    v: &mut Validator,
    key_path: String,
    count: u64,
    prefix: &str,
    shared: &mut Producing,
) -> Vec<KeyId> {
    let setting = &defaults::KEY_COUNT;
    let count = v.ranged(
        &key_path,
        count,
        setting.min(),
        setting.max(),
        "the key count",
    );
    *shared.key_total += count;
    if *shared.key_total > setting.max() {
        v.error(
            key_path,
            format!(
                "the scenario's producers use more than {} distinct keys",
                setting.max()
            ),
        );
        return vec![shared.keys.intern(prefix)];
    }
    // One buffer for every key's text (a `format!` per key showed at start-up).
    let mut text = String::with_capacity(prefix.len() + 20);
    (0..count)
        .map(|index| {
            use std::fmt::Write as _;
            text.truncate(0);
            text.push_str(prefix);
            write!(text, "{index}").expect("writing to a String cannot fail");
            shared.keys.intern(&text)
        })
        .collect()
}

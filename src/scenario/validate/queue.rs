//! Validation of the queue-carrier settings: the `rabbitmq` blocks of streams, producers and
//! consumers, and consumer scripts. Defaults are RabbitMQ 3.13's where RabbitMQ has the setting
//! (see `scenario::defaults`).

use super::validator::{Validator, to_ppm};
use crate::model::{
    ConsumerScript, Decision, ExchangeType, Overflow, QueueArgs, QueueConsumer, ScriptStep,
    StreamId,
};
use crate::scenario::choice::Choices;
use crate::scenario::defaults::{self, TIME_US_MAX};
use crate::scenario::error::did_you_mean;
use crate::scenario::raw::{RawConsumerRabbitmq, RawScript, RawStreamRabbitmq};

const EXCHANGE_TYPES: Choices<'static, ExchangeType> = Choices {
    noun: "exchange type",
    table: &[
        ("fanout", ExchangeType::Fanout),
        ("direct", ExchangeType::Direct),
        ("topic", ExchangeType::Topic),
    ],
};

const OVERFLOWS: Choices<'static, Overflow> = Choices {
    noun: "overflow",
    table: &[
        ("drop-head", Overflow::DropHead),
        ("reject-publish", Overflow::RejectPublish),
        ("reject-publish-dlx", Overflow::RejectPublishDlx),
    ],
};

const DECISIONS: Choices<'static, Decision> = Choices {
    noun: "decision",
    table: &[
        ("ack", Decision::Ack),
        ("nack", Decision::Nack { requeue: false }),
        ("nack_requeue", Decision::Nack { requeue: true }),
        ("reject", Decision::Reject { requeue: false }),
        ("reject_requeue", Decision::Reject { requeue: true }),
        ("hold", Decision::Hold),
    ],
};

/// A scripted decision; an unknown one is an error and counts as the default (`ack`).
fn decision(v: &mut Validator, path: &str, name: &str) -> Decision {
    v.choose(path, Some(name), &DECISIONS, defaults::SCRIPT_THEN.name())
}

/// The stream's `rabbitmq` block. `streams` lists every declared stream name in order and
/// `on_queue` whether each is carried by the queue.
pub(super) fn stream_args(
    v: &mut Validator,
    path: &str,
    raw: &RawStreamRabbitmq,
    (streams, on_queue): (&[&str], &[bool]),
    me: usize,
) -> QueueArgs {
    let path = format!("{path}.rabbitmq");
    let exchange_type = v.choose(
        format!("{path}.exchange_type"),
        raw.exchange_type.as_deref(),
        &EXCHANGE_TYPES,
        defaults::EXCHANGE_TYPE.name(),
    );
    let ttl = &defaults::MESSAGE_TTL;
    let message_ttl_us = raw.x_message_ttl.map(|ms| {
        1_000
            * v.ranged(
                &format!("{path}.\"x-message-ttl\""),
                ms,
                ttl.min(),
                ttl.max(),
                "x-message-ttl",
            )
    });
    let length = &defaults::MAX_LENGTH;
    let max_length = raw.x_max_length.map(|count| {
        v.ranged(
            &format!("{path}.\"x-max-length\""),
            count,
            length.min(),
            length.max(),
            "x-max-length",
        )
    });
    let overflow = v.choose(
        format!("{path}.\"x-overflow\""),
        raw.x_overflow.as_deref(),
        &OVERFLOWS,
        defaults::OVERFLOW.name(),
    );
    let dead_letter_exchange =
        raw.x_dead_letter_exchange.as_deref().and_then(|name| {
            match streams.iter().position(|stream| *stream == name) {
                Some(index) if index == me => {
                    v.error(
                        format!("{path}.\"x-dead-letter-exchange\""),
                        format!("stream \"{name}\" cannot be its own dead-letter exchange"),
                    );
                    None
                }
                Some(index) if on_queue[me] && !on_queue[index] => {
                    v.error(
                        format!("{path}.\"x-dead-letter-exchange\""),
                        format!(
                            "stream \"{name}\" is carried by the log, but dead letters of a queue go to an exchange on the queue (give \"{name}\" \"carrier\": \"queue\")"
                        ),
                    );
                    None
                }
                Some(index) => Some(StreamId(index as u32)),
                None => {
                    v.error(
                        format!("{path}.\"x-dead-letter-exchange\""),
                        format!(
                            "unknown stream \"{name}\"{}",
                            did_you_mean(name, streams.iter().copied())
                        ),
                    );
                    None
                }
            }
        });
    if raw.x_dead_letter_routing_key.is_some() && raw.x_dead_letter_exchange.is_none() {
        v.error(
            format!("{path}.\"x-dead-letter-routing-key\""),
            "\"x-dead-letter-routing-key\" needs \"x-dead-letter-exchange\"",
        );
    }
    QueueArgs {
        exchange_type,
        message_ttl_us,
        max_length,
        overflow,
        dead_letter_exchange,
        dead_letter_routing_key: raw.x_dead_letter_routing_key.clone(),
    }
}

/// The consumer's `rabbitmq` block. `exchange_type` is the consumed stream's.
pub(super) fn consumer(
    v: &mut Validator,
    path: &str,
    raw: &RawConsumerRabbitmq,
    exchange_type: ExchangeType,
    instance_count: u32,
    start_us: u64,
) -> QueueConsumer {
    let path = format!("{path}.rabbitmq");
    let prefetch_count = v.setting(
        &format!("{path}.prefetch_count"),
        raw.prefetch_count,
        &defaults::PREFETCH_COUNT,
        "prefetch_count",
    ) as u32;
    let concurrency = v.setting(
        &format!("{path}.concurrency"),
        raw.concurrency,
        &defaults::CONCURRENCY,
        "concurrency",
    ) as u32;
    let binding_keys = match (&raw.binding_keys, exchange_type) {
        (Some(keys), ExchangeType::Fanout) => {
            v.error(
                format!("{path}.binding_keys"),
                "a fanout exchange ignores binding keys (set the stream's rabbitmq.exchange_type to \"direct\" or \"topic\")",
            );
            keys.clone()
        }
        (Some(keys), _) => {
            if keys.is_empty() {
                v.error(
                    format!("{path}.binding_keys"),
                    "give at least one binding key",
                );
            }
            keys.clone()
        }
        // The table's `binding_keys` row: every routing key on a topic exchange, the empty one
        // on the others.
        (None, ExchangeType::Topic) => vec!["#".to_string()],
        (None, _) => vec![String::new()],
    };
    let nack = &defaults::NACK_PROBABILITY;
    let nack_ppm = match raw.nack_probability {
        None => to_ppm(nack.decimal()) as u32,
        // Exactly 0 (or -0, as `tombstone_ratio` takes it) switches nacks off; anything else
        // must be a probability above 0.
        Some(0.0) => 0,
        Some(p) => v.ppm(
            &format!("{path}.nack_probability"),
            p,
            0.0,
            nack.decimal_max(),
        ) as u32,
    };
    let auto_ack = raw.auto_ack.unwrap_or(defaults::AUTO_ACK.flag());
    if auto_ack && nack_ppm > 0 {
        v.error(
            format!("{path}.nack_probability"),
            "an auto-ack consumer cannot nack: the broker forgot each message when it sent it (set auto_ack to false)",
        );
    }
    let mut scripts: Vec<ConsumerScript> = Vec::new();
    for (index, raw_script) in raw.script.iter().enumerate() {
        let path = format!("{path}.script[{index}]");
        if raw_script.instance >= u64::from(instance_count) {
            v.error(
                format!("{path}.instance"),
                format!(
                    "the service has {instance_count} instances (0..{}), so there is no instance {}",
                    instance_count.saturating_sub(1),
                    raw_script.instance
                ),
            );
            continue;
        }
        if scripts
            .iter()
            .any(|other| u64::from(other.instance_index) == raw_script.instance)
        {
            v.error(
                format!("{path}.instance"),
                format!("instance {} already has a script", raw_script.instance),
            );
            continue;
        }
        scripts.push(script(v, &path, raw_script, auto_ack, start_us));
    }
    QueueConsumer {
        prefetch_count,
        auto_ack,
        concurrency,
        binding_keys,
        nack_ppm,
        nack_requeue: raw.nack_requeue.unwrap_or(defaults::NACK_REQUEUE.flag()),
        scripts,
    }
}

/// One consumer script, for an instance that has none yet.
fn script(
    v: &mut Validator,
    path: &str,
    script: &RawScript,
    auto_ack: bool,
    start_us: u64,
) -> ConsumerScript {
    let (steps, then) = decisions(v, path, script);
    if auto_ack
        && (then != Decision::Ack || steps.iter().any(|step| step.decision != Decision::Ack))
    {
        v.error(
            path,
            "with auto_ack every delivery counts as acknowledged when sent, so a script cannot nack, reject or hold (set auto_ack to false)",
        );
    }
    let subscribe = script
        .subscribe
        .unwrap_or(defaults::SCRIPT_SUBSCRIBE.flag());
    if !subscribe && script.subscribe_at_us.is_some() {
        v.error(
            format!("{path}.subscribe_at_us"),
            "\"subscribe_at_us\" does not apply when \"subscribe\" is false",
        );
    }
    let mut get_at_us = Vec::new();
    for (get_index, &at_us) in script.get_at_us.iter().enumerate() {
        get_at_us.push(v.ranged(
            &format!("{path}.get_at_us[{get_index}]"),
            at_us,
            0,
            TIME_US_MAX,
            "get_at_us",
        ));
    }
    get_at_us.sort_unstable();
    if !subscribe && get_at_us.is_empty() {
        v.error(
            path,
            "a consumer that does not subscribe needs \"get_at_us\" times to pull messages",
        );
    }
    let prefetch = &defaults::PREFETCH_COUNT;
    ConsumerScript {
        instance_index: script.instance as u32,
        subscribe,
        subscribe_at_us: script.subscribe_at_us.map_or(start_us, |at| {
            v.ranged(
                &format!("{path}.subscribe_at_us"),
                at,
                0,
                TIME_US_MAX,
                "subscribe_at_us",
            )
        }),
        prefetch_count: script.prefetch_count.map(|count| {
            v.ranged(
                &format!("{path}.prefetch_count"),
                count,
                prefetch.min(),
                prefetch.max(),
                "prefetch_count",
            ) as u32
        }),
        steps,
        then,
        close_at_us: script.close_at_us.map(|at| {
            v.ranged(
                &format!("{path}.close_at_us"),
                at,
                0,
                TIME_US_MAX,
                "close_at_us",
            )
        }),
        close_after_deliveries: script.close_after_deliveries.map(|count| {
            v.ranged(
                &format!("{path}.close_after_deliveries"),
                count,
                1,
                u64::from(u32::MAX),
                "close_after_deliveries",
            )
        }),
        get_at_us,
    }
}

/// A script's decisions: one per scripted delivery, then the one for every later delivery.
fn decisions(v: &mut Validator, path: &str, script: &RawScript) -> (Vec<ScriptStep>, Decision) {
    let steps_max = defaults::SCRIPT_STEPS.max();
    if script.deliveries.len() as u64 > steps_max {
        v.error(
            format!("{path}.deliveries"),
            format!("more than {steps_max} scripted deliveries"),
        );
    }
    let steps: Vec<ScriptStep> = script
        .deliveries
        .iter()
        .enumerate()
        .map(|(step_index, step)| ScriptStep {
            processing_time_us: step.processing_time_us.map(|time_us| {
                v.ranged(
                    &format!("{path}.deliveries[{step_index}].processing_time_us"),
                    time_us,
                    0,
                    TIME_US_MAX,
                    "processing time",
                )
            }),
            decision: decision(
                v,
                &format!("{path}.deliveries[{step_index}].decision"),
                &step.decision,
            ),
        })
        .collect();
    let then = match &script.then {
        None => DECISIONS.known(defaults::SCRIPT_THEN.name()),
        Some(name) => decision(v, &format!("{path}.then"), name),
    };
    (steps, then)
}

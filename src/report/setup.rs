//! The resolved parameters of a run, one line each with units, printed at the top of every
//! report: what the scenario said plus every default that filled a gap.

use crate::model::{CommitMode, KeyChoice, ProcessingTime, Scenario, Schedule, Stop};
use crate::sim::clock::format_duration_us as format_us;

pub fn describe(model: &Scenario) -> Vec<String> {
    let mut lines = Vec::new();
    for stream in &model.streams {
        if stream.carrier == crate::model::Carrier::Queue {
            lines.push(queue_stream(model, stream));
        } else {
            lines.push(log_stream(stream));
        }
    }
    for service in &model.services {
        lines.push(service_line(service));
        for production in &service.produces {
            lines.push(produces(model, production));
        }
        for consumption in &service.consumes {
            if model.stream(consumption.stream).carrier == crate::model::Carrier::Queue {
                lines.push(queue_consumer(model, consumption));
            } else {
                lines.push(log_consumer(model, consumption));
            }
        }
    }
    lines.push(stop_and_limits(model));
    lines
}

/// A log-carried stream: partitions, partitioner, retention and partitions created later.
fn log_stream(stream: &crate::model::Stream) -> String {
    let retention = match stream.log.retention_us {
        Some(us) => format!("retention {}", format_us(us)),
        None => "kept forever".to_string(),
    };
    let mut line = format!(
        "stream \"{}\": {}, {}, {} partitioner, {retention}",
        stream.name,
        stream.carrier.name(),
        super::words::count(u64::from(stream.partition_count), "partition"),
        stream.partitioner.name()
    );
    for created in &stream.partitions_created {
        line.push_str(&format!(
            ", grows to {} partitions at {}",
            created.partition_count,
            format_us(created.at_us)
        ));
    }
    line
}

/// A service: its instance count and link latency.
fn service_line(service: &crate::model::Service) -> String {
    let link = if service.link.jitter_us == 0 {
        format_us(service.link.latency_us)
    } else {
        format!(
            "{} + up to {} jitter",
            format_us(service.link.latency_us),
            format_us(service.link.jitter_us)
        )
    };
    let instances = if service.instance_count == 1 {
        "1 instance".to_string()
    } else {
        format!("{} instances", service.instance_count)
    };
    format!("service \"{}\": {instances}, link {link}", service.name)
}

/// One `produces` entry: schedule, keys, value size, and the carrier's client settings.
fn produces(model: &Scenario, production: &crate::model::Production) -> String {
    let stream = model.stream(production.stream);
    // Scripted records carry their own keys (the schedule says whether they are keyed).
    let keys = match production.schedule {
        Schedule::Explicit(_) => String::new(),
        _ => format!(", {}", keys(&production.keys)),
    };
    let mut line = format!(
        "  produces to \"{}\": {}{keys}, {} byte values",
        stream.name,
        schedule(&production.schedule),
        production.value_size_bytes
    );
    if production.partitioner != stream.partitioner {
        line.push_str(&format!(", {} partitioner", production.partitioner.name()));
    }
    if stream.carrier == crate::model::Carrier::Queue {
        if let Some(expiration_ms) = production.expiration_ms {
            line.push_str(&format!(", expiration {expiration_ms} ms"));
        }
    } else {
        line.push_str(&format!(
            ", batch.size {} bytes, linger.ms {}",
            production.batching.batch_size_bytes,
            production.batching.linger_us / 1_000
        ));
    }
    line
}

/// One log-carried `consumes` entry: polling, processing, commits, group membership timing.
fn log_consumer(model: &Scenario, consumption: &crate::model::Consumption) -> String {
    let commit = match (consumption.commit, consumption.auto_commit) {
        (CommitMode::AfterProcessing, true) => {
            format!(
                "commits processed offsets every {}",
                format_us(consumption.auto_commit_interval_us)
            )
        }
        (CommitMode::BeforeProcessing, true) => {
            format!(
                "commits fetched offsets every {}",
                format_us(consumption.auto_commit_interval_us)
            )
        }
        (CommitMode::AfterProcessing, false) => {
            "commits processed offsets after each batch".to_string()
        }
        (CommitMode::BeforeProcessing, false) => {
            "commits fetched offsets after each batch".to_string()
        }
    };
    let mut line = format!(
        "  consumes \"{}\" as group \"{}\": polls every {}, max.poll.records {}, processing {}, {commit}, session timeout {}, heartbeat every {}, max.poll.interval {}",
        model.stream(consumption.stream).name,
        model.group(consumption.group).name,
        format_us(consumption.poll_interval_us),
        consumption.max_poll_records,
        processing(consumption.processing),
        format_us(consumption.session_timeout_us),
        format_us(consumption.heartbeat_interval_us),
        format_us(consumption.max_poll_interval_us)
    );
    if let Some(id) = &consumption.group_instance_id {
        line.push_str(&format!(", static members \"{id}-<index>\""));
    }
    if consumption.start_us > 0 {
        let reset = match consumption.offset_reset {
            crate::model::OffsetReset::Earliest => "earliest",
            crate::model::OffsetReset::Latest => "latest",
            crate::model::OffsetReset::None => "none",
        };
        line.push_str(&format!(
            ", joins at {} (auto.offset.reset {reset})",
            format_us(consumption.start_us)
        ));
    }
    line
}

fn stop_and_limits(model: &Scenario) -> String {
    let stop = match model.stop {
        Stop::Drained => "when drained".to_string(),
        Stop::AtTime { at_us } => format!("at {}", format_us(at_us)),
        Stop::AfterRecordsConsumed { count } => format!("after {count} records consumed"),
    };
    format!(
        "stop {stop}; limits: events_max {}, sim_time_us_max {} ({}), stored_records_max {}",
        model.limits.events_max,
        model.limits.sim_time_us_max,
        format_us(model.limits.sim_time_us_max),
        model.limits.stored_records_max
    )
}

/// A queue-carried stream: its exchange and the arguments every queue bound to it gets.
fn queue_stream(model: &Scenario, stream: &crate::model::Stream) -> String {
    let args = &stream.rabbitmq;
    let mut line = format!(
        "stream \"{}\": queue, {} exchange",
        stream.name,
        args.exchange_type.name()
    );
    if let Some(ttl) = args.message_ttl_us {
        line.push_str(&format!(", x-message-ttl {}", format_us(ttl)));
    }
    if let Some(max) = args.max_length {
        line.push_str(&format!(", x-max-length {max} ({})", args.overflow.name()));
    }
    if let Some(dlx) = args.dead_letter_exchange {
        line.push_str(&format!(", dead letters to \"{}\"", model.stream(dlx).name));
    }
    line
}

fn queue_consumer(model: &Scenario, consumption: &crate::model::Consumption) -> String {
    let queue = &consumption.queue;
    let prefetch = if queue.prefetch_count == 0 {
        "unlimited".to_string()
    } else {
        queue.prefetch_count.to_string()
    };
    let acks = if queue.auto_ack {
        "auto-ack"
    } else {
        "manual acks"
    };
    let stream = &model.stream(consumption.stream).name;
    let mut line = format!(
        "  consumes \"{stream}\" from queue \"{}\": prefetch {prefetch}, {acks}, {} at a time, processing {}",
        crate::model::queue_name(stream, &model.group(consumption.group).name),
        queue.concurrency,
        processing(consumption.processing)
    );
    if queue.nack_ppm > 0 {
        let requeue = if queue.nack_requeue {
            "with requeue"
        } else {
            "without requeue"
        };
        line.push_str(&format!(
            ", nacks {} % {requeue}",
            super::words::decimal(u64::from(queue.nack_ppm), 10_000)
        ));
    }
    if !queue.scripts.is_empty() {
        line.push_str(&format!(", {} scripted consumers", queue.scripts.len()));
    }
    if consumption.start_us > 0 {
        line.push_str(&format!(", from {}", format_us(consumption.start_us)));
    }
    line
}

fn schedule(schedule: &Schedule) -> String {
    match schedule {
        Schedule::Periodic {
            interval_us,
            poisson,
            start_us,
            count,
            produce_until_us,
        } => {
            let mut text = if *poisson {
                format!(
                    "a record every {} on average (poisson)",
                    format_us(*interval_us)
                )
            } else {
                format!("a record every {}", format_us(*interval_us))
            };
            if *start_us > 0 {
                text.push_str(&format!(" from {}", format_us(*start_us)));
            }
            if let Some(count) = count {
                text.push_str(&format!(", {count} per instance"));
            }
            if let Some(until) = produce_until_us {
                text.push_str(&format!(" until {}", format_us(*until)));
            }
            text
        }
        Schedule::Explicit(records) => {
            let keyed = records.iter().filter(|record| record.key.is_some()).count();
            let what = match keyed {
                0 => "unkeyed",
                n if n == records.len() => "keyed",
                _ => "partly keyed",
            };
            format!("{} scripted {what} records", records.len())
        }
    }
}

fn keys(keys: &KeyChoice) -> String {
    match keys {
        KeyChoice::Unkeyed => "unkeyed (sticky partitioner)".to_string(),
        KeyChoice::Sequential(ids) => format!("keys in turn over {}", ids.len()),
        KeyChoice::Uniform(ids) => format!("uniform keys over {}", ids.len()),
        KeyChoice::Zipf { keys, exponent_ppm } => {
            format!(
                "zipf keys over {} (exponent {}.{:06})",
                keys.len(),
                exponent_ppm / 1_000_000,
                exponent_ppm % 1_000_000
            )
        }
    }
}

fn processing(time: ProcessingTime) -> String {
    match time {
        ProcessingTime::Fixed { time_us } => format_us(time_us),
        ProcessingTime::Uniform {
            time_us_min,
            time_us_max,
        } => {
            format!(
                "uniform {}..{}",
                format_us(time_us_min),
                format_us(time_us_max)
            )
        }
        ProcessingTime::Exponential { time_us_mean } => {
            format!("exponential, mean {}", format_us(time_us_mean))
        }
    }
}

//! The JSON Lines trace writer: one header line, then one line per trace event:
//! `{"time_us":…,"actor":"…","kind":"…", fields…}`. Names, not ids; message ids as
//! `instance/seq`. Written by hand with fixed key order (fast, and independent of serde_json's
//! map features).

use std::io::{self, Write};

use crate::model::{MessageId, Scenario};
use crate::sim::{ActorId, SimTime};

use super::{TRACE_FORMAT_VERSION, TraceEvent};

pub struct TraceWriter<W: Write> {
    out: W,
    /// Quoted, escaped JSON strings, rendered once: actors by actor id, and the names of
    /// streams, groups and instances by index.
    actor_names: Vec<Vec<u8>>,
    stream_names: Vec<Vec<u8>>,
    group_names: Vec<Vec<u8>>,
    instance_names: Vec<Vec<u8>>,
    queue_names: Vec<Vec<u8>>,
    line: Vec<u8>,
    window_us: (u64, u64),
    /// The run's keys (a pipeline's `rekey` makes keys during the run).
    keys: std::rc::Rc<crate::model::RunKeys>,
    error: Option<io::Error>,
}

impl<W: Write> TraceWriter<W> {
    /// `window_us` keeps only events with `from <= time_us <= to`.
    pub fn new(
        model: &Scenario,
        actor_names: Vec<String>,
        mut out: W,
        window_us: Option<(u64, u64)>,
        keys: std::rc::Rc<crate::model::RunKeys>,
    ) -> io::Result<Self> {
        let mut header = String::from("{\"trace_format\":");
        header.push_str(&TRACE_FORMAT_VERSION.to_string());
        header.push_str(",\"scenario\":");
        push_json_string(&mut header, &model.name);
        header.push_str(&format!(",\"seed\":{}}}\n", model.seed));
        out.write_all(header.as_bytes())?;
        let window_us = window_us.unwrap_or((0, u64::MAX));
        let quoted = |name: &str| {
            let mut bytes = Vec::new();
            push_str(&mut bytes, name);
            bytes
        };
        Ok(TraceWriter {
            keys,
            out,
            actor_names: actor_names.iter().map(|name| quoted(name)).collect(),
            stream_names: model
                .streams
                .iter()
                .map(|stream| quoted(&stream.name))
                .collect(),
            group_names: model
                .groups
                .iter()
                .map(|group| quoted(&group.name))
                .collect(),
            instance_names: model
                .instances
                .iter()
                .map(|instance| quoted(&instance.name))
                .collect(),
            queue_names: model
                .queue_layout
                .queues
                .iter()
                .map(|queue| quoted(&queue.name))
                .collect(),
            line: Vec::with_capacity(256),
            window_us,
            error: None,
        })
    }

    /// The first write error, if any; writing stops after it.
    pub fn finish(mut self) -> io::Result<()> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        self.out.flush()
    }

    pub fn write(&mut self, at: SimTime, actor: ActorId, event: &TraceEvent) {
        if self.error.is_some() || at.as_us() < self.window_us.0 || at.as_us() > self.window_us.1 {
            return;
        }
        self.line.clear();
        let line = &mut self.line;
        line.extend_from_slice(b"{\"time_us\":");
        push_u64(line, at.as_us());
        line.extend_from_slice(b",\"actor\":");
        line.extend_from_slice(&self.actor_names[actor.index()]);
        line.extend_from_slice(b",\"kind\":\"");
        line.extend_from_slice(event.kind().as_bytes());
        line.push(b'"');
        let field_u64 = |line: &mut Vec<u8>, name: &str, value: u64| {
            line.extend_from_slice(b",\"");
            line.extend_from_slice(name.as_bytes());
            line.extend_from_slice(b"\":");
            push_u64(line, value);
        };
        let field_str = |line: &mut Vec<u8>, name: &str, value: &str| {
            line.extend_from_slice(b",\"");
            line.extend_from_slice(name.as_bytes());
            line.extend_from_slice(b"\":");
            push_str(line, value);
        };
        // A pre-quoted name: `,"<field>":"<name>"`.
        let field_quoted = |line: &mut Vec<u8>, name: &str, quoted: &[u8]| {
            line.extend_from_slice(b",\"");
            line.extend_from_slice(name.as_bytes());
            line.extend_from_slice(b"\":");
            line.extend_from_slice(quoted);
        };
        let field_bool = |line: &mut Vec<u8>, name: &str, value: bool| {
            line.extend_from_slice(b",\"");
            line.extend_from_slice(name.as_bytes());
            line.extend_from_slice(if value { b"\":true" } else { b"\":false" });
        };
        let instance_names = &self.instance_names;
        let field_msg = |line: &mut Vec<u8>, msg: MessageId| {
            line.extend_from_slice(b",\"msg\":");
            let quoted = &instance_names[msg.producer.index()];
            line.extend_from_slice(&quoted[..quoted.len() - 1]);
            line.push(b'/');
            push_u64(line, u64::from(msg.seq));
            line.push(b'"');
        };
        let keys = &self.keys;
        let field_partitions = |line: &mut Vec<u8>, partitions: &[crate::model::PartitionId]| {
            line.extend_from_slice(b",\"partitions\":[");
            for (index, partition) in partitions.iter().enumerate() {
                if index > 0 {
                    line.push(b',');
                }
                push_u64(line, u64::from(partition.0));
            }
            line.push(b']');
        };
        let field_key = |line: &mut Vec<u8>, key: Option<crate::model::KeyId>| match key {
            Some(key) => field_str(line, "key", &keys.text(key)),
            None => line.extend_from_slice(b",\"key\":null"),
        };
        match event {
            TraceEvent::Produced {
                stream,
                partition,
                msg,
                key,
                value_size_bytes,
            } => {
                field_quoted(line, "stream", &self.stream_names[stream.index()]);
                field_u64(line, "partition", u64::from(partition.0));
                field_msg(line, *msg);
                field_key(line, *key);
                field_u64(line, "value_size_bytes", u64::from(*value_size_bytes));
            }
            TraceEvent::ProducerFinished {
                stream,
                instance,
                count,
            }
            | TraceEvent::ProducerBufferLost {
                stream,
                instance,
                count,
            } => {
                field_quoted(line, "stream", &self.stream_names[stream.index()]);
                field_quoted(line, "instance", &self.instance_names[instance.index()]);
                field_u64(line, "count", *count);
            }
            TraceEvent::PartitionsCreated {
                stream,
                partition_count,
            } => {
                field_quoted(line, "stream", &self.stream_names[stream.index()]);
                field_u64(line, "partition_count", u64::from(*partition_count));
            }
            TraceEvent::Appended {
                stream,
                partition,
                offset,
                msg,
            } => {
                field_quoted(line, "stream", &self.stream_names[stream.index()]);
                field_u64(line, "partition", u64::from(partition.0));
                field_u64(line, "offset", offset.0);
                field_msg(line, *msg);
            }
            TraceEvent::SegmentsDeleted {
                stream,
                partition,
                records,
                log_start_offset,
            } => {
                field_quoted(line, "stream", &self.stream_names[stream.index()]);
                field_u64(line, "partition", u64::from(partition.0));
                field_u64(line, "records", *records);
                field_u64(line, "log_start_offset", log_start_offset.0);
            }
            // The actor of fetched and consumed lines is the consuming instance itself.
            TraceEvent::Fetched {
                group,
                instance: _,
                partition,
                first_offset,
                count,
            } => {
                field_quoted(line, "group", &self.group_names[group.index()]);
                field_u64(line, "partition", u64::from(partition.0));
                field_u64(line, "first_offset", first_offset.0);
                field_u64(line, "count", u64::from(*count));
            }
            TraceEvent::Consumed {
                group,
                instance: _,
                partition,
                offset,
                msg,
                key,
                sent_at,
            } => {
                field_quoted(line, "group", &self.group_names[group.index()]);
                field_u64(line, "partition", u64::from(partition.0));
                field_u64(line, "offset", offset.0);
                field_msg(line, *msg);
                field_key(line, *key);
                field_u64(
                    line,
                    "latency_us",
                    at.as_us().saturating_sub(sent_at.as_us()),
                );
            }
            TraceEvent::Committed {
                group,
                partition,
                offset,
            } => {
                field_quoted(line, "group", &self.group_names[group.index()]);
                field_u64(line, "partition", u64::from(partition.0));
                field_u64(line, "offset", offset.0);
            }
            TraceEvent::RebalanceStarted { group, generation } => {
                field_quoted(line, "group", &self.group_names[group.index()]);
                field_u64(line, "generation", u64::from(*generation));
            }
            TraceEvent::Assigned {
                group,
                generation,
                instance,
                partitions,
            } => {
                field_quoted(line, "group", &self.group_names[group.index()]);
                field_u64(line, "generation", u64::from(*generation));
                field_quoted(line, "instance", &self.instance_names[instance.index()]);
                field_partitions(line, partitions);
            }
            TraceEvent::Revoked {
                group,
                instance,
                partitions,
            } => {
                field_quoted(line, "group", &self.group_names[group.index()]);
                field_quoted(line, "instance", &self.instance_names[instance.index()]);
                field_partitions(line, partitions);
            }
            TraceEvent::MemberExpired { group, instance } => {
                field_quoted(line, "group", &self.group_names[group.index()]);
                field_quoted(line, "instance", &self.instance_names[instance.index()]);
            }
            TraceEvent::Crashed { instance }
            | TraceEvent::Restarted { instance }
            | TraceEvent::SlowEnded { instance } => {
                field_quoted(line, "instance", &self.instance_names[instance.index()]);
            }
            TraceEvent::SlowStarted {
                instance,
                factor_ppm,
            } => {
                field_quoted(line, "instance", &self.instance_names[instance.index()]);
                field_u64(line, "factor_ppm", *factor_ppm);
            }
            TraceEvent::OffsetReset {
                group,
                partition,
                offset,
            } => {
                field_quoted(line, "group", &self.group_names[group.index()]);
                field_u64(line, "partition", u64::from(partition.0));
                field_u64(line, "offset", offset.0);
            }
            TraceEvent::QueueDeclared { queue } => {
                field_quoted(line, "queue", &self.queue_names[queue.index()]);
            }
            TraceEvent::Routed {
                stream,
                msg,
                queues,
            } => {
                field_quoted(line, "stream", &self.stream_names[stream.index()]);
                field_msg(line, *msg);
                field_u64(line, "queues", u64::from(*queues));
            }
            TraceEvent::Enqueued {
                queue,
                msg,
                position,
            } => {
                field_quoted(line, "queue", &self.queue_names[queue.index()]);
                field_msg(line, *msg);
                field_u64(line, "position", *position);
            }
            TraceEvent::PublishRejected {
                queue,
                msg,
                dead_lettered,
            } => {
                field_quoted(line, "queue", &self.queue_names[queue.index()]);
                field_msg(line, *msg);
                field_bool(line, "dead_lettered", *dead_lettered);
            }
            TraceEvent::Delivered {
                queue,
                instance,
                msg,
                redelivered,
                auto_ack,
                get,
            } => {
                field_quoted(line, "queue", &self.queue_names[queue.index()]);
                field_quoted(line, "instance", &self.instance_names[instance.index()]);
                field_msg(line, *msg);
                field_bool(line, "redelivered", *redelivered);
                field_bool(line, "auto_ack", *auto_ack);
                field_bool(line, "get", *get);
            }
            TraceEvent::Acked {
                queue,
                instance,
                msg,
            } => {
                field_quoted(line, "queue", &self.queue_names[queue.index()]);
                field_quoted(line, "instance", &self.instance_names[instance.index()]);
                field_msg(line, *msg);
            }
            TraceEvent::Nacked {
                queue,
                instance,
                msg,
                requeue,
                reject,
            } => {
                field_quoted(line, "queue", &self.queue_names[queue.index()]);
                field_quoted(line, "instance", &self.instance_names[instance.index()]);
                field_msg(line, *msg);
                field_bool(line, "requeue", *requeue);
                field_bool(line, "reject", *reject);
            }
            TraceEvent::DeadLettered {
                queue,
                msg,
                reason,
                to_queues,
            } => {
                field_quoted(line, "queue", &self.queue_names[queue.index()]);
                field_msg(line, *msg);
                field_str(line, "reason", reason.name());
                field_u64(line, "to_queues", u64::from(*to_queues));
            }
            TraceEvent::Dropped { queue, msg, reason } => {
                field_quoted(line, "queue", &self.queue_names[queue.index()]);
                field_msg(line, *msg);
                field_str(line, "reason", reason.name());
            }
            TraceEvent::ChannelClosed {
                queue,
                instance,
                requeued,
            } => {
                field_quoted(line, "queue", &self.queue_names[queue.index()]);
                field_quoted(line, "instance", &self.instance_names[instance.index()]);
                field_u64(line, "requeued", u64::from(*requeued));
            }
            TraceEvent::LeftInQueue {
                queue,
                msg,
                redelivered,
                unacked,
                death,
            } => {
                field_quoted(line, "queue", &self.queue_names[queue.index()]);
                field_msg(line, *msg);
                field_bool(line, "redelivered", *redelivered);
                field_bool(line, "unacked", *unacked);
                if let Some((reason, from, count)) = death {
                    field_str(line, "death_reason", reason.name());
                    field_quoted(line, "death_queue", &self.queue_names[from.index()]);
                    field_u64(line, "death_count", u64::from(*count));
                }
            }
            TraceEvent::Decided {
                group,
                instance: _,
                msg,
                decision,
            } => {
                field_quoted(line, "group", &self.group_names[group.index()]);
                field_msg(line, *msg);
                field_str(line, "decision", decision.name());
            }
            TraceEvent::Processed {
                group,
                instance: _,
                msg,
                key,
                sent_at,
                redelivered,
            } => {
                field_quoted(line, "group", &self.group_names[group.index()]);
                field_msg(line, *msg);
                field_key(line, *key);
                field_bool(line, "redelivered", *redelivered);
                field_u64(
                    line,
                    "latency_us",
                    at.as_us().saturating_sub(sent_at.as_us()),
                );
            }
            TraceEvent::DeliveryLost {
                group,
                instance: _,
                msg,
            } => {
                field_quoted(line, "group", &self.group_names[group.index()]);
                field_msg(line, *msg);
            }
            TraceEvent::ConsumerFinished { group, instance: _ } => {
                field_quoted(line, "group", &self.group_names[group.index()]);
            }
        }
        line.extend_from_slice(b"}\n");
        if let Err(error) = self.out.write_all(&self.line) {
            self.error = Some(error);
        }
    }
}

fn push_u64(line: &mut Vec<u8>, value: u64) {
    let mut buffer = itoa::Buffer::new();
    line.extend_from_slice(buffer.format(value).as_bytes());
}

fn push_str(line: &mut Vec<u8>, value: &str) {
    line.push(b'"');
    escape_into(line, value);
    line.push(b'"');
}

/// JSON string escaping (RFC 8259): quotes, backslashes and control characters.
fn escape_into(line: &mut Vec<u8>, value: &str) {
    let needs_escape = |byte: u8| byte < 0x20 || byte == b'"' || byte == b'\\';
    if !value.bytes().any(needs_escape) {
        line.extend_from_slice(value.as_bytes());
        return;
    }
    for &byte in value.as_bytes() {
        match byte {
            b'"' => line.extend_from_slice(b"\\\""),
            b'\\' => line.extend_from_slice(b"\\\\"),
            b'\n' => line.extend_from_slice(b"\\n"),
            b'\r' => line.extend_from_slice(b"\\r"),
            b'\t' => line.extend_from_slice(b"\\t"),
            0..=0x1f => line.extend_from_slice(format!("\\u{byte:04x}").as_bytes()),
            _ => line.push(byte),
        }
    }
}

fn push_json_string(out: &mut String, value: &str) {
    let mut bytes = Vec::new();
    push_str(&mut bytes, value);
    out.push_str(&String::from_utf8(bytes).expect("escaping keeps UTF-8 intact"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_handles_quotes_and_control_characters() {
        let mut out = Vec::new();
        push_str(&mut out, "a\"b\\c\n\u{1}한");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"a\\\"b\\\\c\\n\\u0001한\""
        );
    }
}

//! The JSON Lines trace writer: one header line, then one line per trace event:
//! `{"time_us":…,"actor":"…","kind":"…", fields…}`. Names, not ids; message ids as
//! `instance/seq`. Written by hand with fixed key order (fast, and independent of serde_json's
//! map features).

use std::io::{self, Write};

use crate::model::{
    GroupId, InstanceId, KeyId, MessageId, PartitionId, QueueId, Scenario, StreamId,
};
use crate::sim::{ActorId, SimTime};

use super::{TRACE_FORMAT_VERSION, TraceEvent};

pub struct TraceWriter<W: Write> {
    out: W,
    names: Names,
    line: Vec<u8>,
    window_us: (u64, u64),
    error: Option<io::Error>,
}

/// Quoted, escaped JSON strings, rendered once: actors by actor id, and the names of streams,
/// groups, instances and queues by index; and the run's keys (a pipeline's `rekey` makes keys
/// during the run).
struct Names {
    actors: Vec<Vec<u8>>,
    streams: Vec<Vec<u8>>,
    groups: Vec<Vec<u8>>,
    instances: Vec<Vec<u8>>,
    queues: Vec<Vec<u8>>,
    keys: std::rc::Rc<crate::model::RunKeys>,
    /// The texts of the schema events' reasons (`with_reasons`).
    reasons: std::rc::Rc<super::Reasons>,
}

/// One line being written: `,"<field>":<value>` appenders over the line's bytes.
struct Line<'a> {
    bytes: &'a mut Vec<u8>,
    names: &'a Names,
}

impl Line<'_> {
    fn name(&mut self, name: &str) {
        self.bytes.extend_from_slice(b",\"");
        self.bytes.extend_from_slice(name.as_bytes());
        self.bytes.extend_from_slice(b"\":");
    }

    fn u64(&mut self, name: &str, value: u64) {
        self.name(name);
        push_u64(self.bytes, value);
    }

    fn str(&mut self, name: &str, value: &str) {
        self.name(name);
        push_str(self.bytes, value);
    }

    fn reason(&mut self, reason: super::ReasonId) {
        let text = self.names.reasons.text(reason);
        self.str("reason", &text);
    }

    fn bool(&mut self, name: &str, value: bool) {
        self.bytes.extend_from_slice(b",\"");
        self.bytes.extend_from_slice(name.as_bytes());
        self.bytes
            .extend_from_slice(if value { b"\":true" } else { b"\":false" });
    }

    /// A pre-quoted name: `,"<field>":"<name>"`.
    fn quoted(&mut self, name: &str, quoted: &[u8]) {
        self.name(name);
        self.bytes.extend_from_slice(quoted);
    }

    fn stream(&mut self, stream: StreamId) {
        self.quoted("stream", &self.names.streams[stream.index()]);
    }

    fn group(&mut self, group: GroupId) {
        self.quoted("group", &self.names.groups[group.index()]);
    }

    fn instance(&mut self, instance: InstanceId) {
        self.quoted("instance", &self.names.instances[instance.index()]);
    }

    fn queue(&mut self, queue: QueueId) {
        self.quoted("queue", &self.names.queues[queue.index()]);
    }

    fn partition(&mut self, partition: PartitionId) {
        self.u64("partition", u64::from(partition.0));
    }

    /// `,"msg":"<instance>/<seq>"`.
    fn msg(&mut self, msg: MessageId) {
        self.bytes.extend_from_slice(b",\"msg\":");
        let quoted = &self.names.instances[msg.producer.index()];
        self.bytes.extend_from_slice(&quoted[..quoted.len() - 1]);
        self.bytes.push(b'/');
        push_u64(self.bytes, u64::from(msg.seq));
        self.bytes.push(b'"');
    }

    fn key(&mut self, key: Option<KeyId>) {
        match key {
            Some(key) => {
                let names = self.names;
                self.str("key", &names.keys.text(key));
            }
            None => self.bytes.extend_from_slice(b",\"key\":null"),
        }
    }

    fn partitions(&mut self, partitions: &[PartitionId]) {
        self.bytes.extend_from_slice(b",\"partitions\":[");
        for (index, partition) in partitions.iter().enumerate() {
            if index > 0 {
                self.bytes.push(b',');
            }
            push_u64(self.bytes, u64::from(partition.0));
        }
        self.bytes.push(b']');
    }

    /// Time from send to this event, for consumed and processed records.
    fn latency(&mut self, at: SimTime, sent_at: SimTime) {
        self.u64("latency_us", at.as_us().saturating_sub(sent_at.as_us()));
    }
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
        let names = Names {
            keys,
            reasons: std::rc::Rc::default(),
            actors: actor_names.iter().map(|name| quoted(name)).collect(),
            streams: model
                .streams
                .iter()
                .map(|stream| quoted(&stream.name))
                .collect(),
            groups: model
                .groups
                .iter()
                .map(|group| quoted(&group.name))
                .collect(),
            instances: model
                .instances
                .iter()
                .map(|instance| quoted(&instance.name))
                .collect(),
            queues: model
                .queue_layout
                .queues
                .iter()
                .map(|queue| quoted(&queue.name))
                .collect(),
        };
        Ok(TraceWriter {
            out,
            names,
            line: Vec::with_capacity(256),
            window_us,
            error: None,
        })
    }

    /// Where the schema events' reasons are interned (the run's schema checks fill it).
    pub fn with_reasons(mut self, reasons: &std::rc::Rc<super::Reasons>) -> Self {
        self.names.reasons = std::rc::Rc::clone(reasons);
        self
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
        let bytes = &mut self.line;
        bytes.extend_from_slice(b"{\"time_us\":");
        push_u64(bytes, at.as_us());
        bytes.extend_from_slice(b",\"actor\":");
        bytes.extend_from_slice(&self.names.actors[actor.index()]);
        bytes.extend_from_slice(b",\"kind\":\"");
        bytes.extend_from_slice(event.kind().as_bytes());
        bytes.push(b'"');
        let mut line = Line {
            bytes,
            names: &self.names,
        };
        log_fields(&mut line, at, event);
        line.bytes.extend_from_slice(b"}\n");
        if let Err(error) = self.out.write_all(&self.line) {
            self.error = Some(error);
        }
    }
}

/// The fields of the producers', the log's, the consumer groups' and the faults' events; the
/// queue's go to `queue_fields`.
fn log_fields(line: &mut Line<'_>, at: SimTime, event: &TraceEvent) {
    match *event {
        TraceEvent::Produced {
            stream,
            partition,
            msg,
            key,
            value_size_bytes,
        } => {
            line.stream(stream);
            line.partition(partition);
            line.msg(msg);
            line.key(key);
            line.u64("value_size_bytes", u64::from(value_size_bytes));
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
            line.stream(stream);
            line.instance(instance);
            line.u64("count", count);
        }
        TraceEvent::PartitionsCreated {
            stream,
            partition_count,
        } => {
            line.stream(stream);
            line.u64("partition_count", u64::from(partition_count));
        }
        TraceEvent::Appended {
            stream,
            partition,
            offset,
            msg,
        } => {
            line.stream(stream);
            line.partition(partition);
            line.u64("offset", offset.0);
            line.msg(msg);
        }
        TraceEvent::SegmentsDeleted {
            stream,
            partition,
            records,
            log_start_offset,
        } => {
            line.stream(stream);
            line.partition(partition);
            line.u64("records", records);
            line.u64("log_start_offset", log_start_offset.0);
        }
        TraceEvent::SchemaRegistered { .. }
        | TraceEvent::SchemaRefused { .. }
        | TraceEvent::ProduceRejected { .. }
        | TraceEvent::DecodeFailed { .. } => schema_fields(line, event),
        _ => cleaner_fields(line, at, event),
    }
}

/// The fields of the log cleaner's and the compacted logs' events.
fn cleaner_fields(line: &mut Line<'_>, at: SimTime, event: &TraceEvent) {
    match *event {
        TraceEvent::CleanerPass {
            stream,
            partition,
            first_dirty_offset,
            end_offset,
            removed,
            tombstones_removed,
        } => {
            line.stream(stream);
            line.partition(partition);
            line.u64("first_dirty_offset", first_dirty_offset.0);
            line.u64("end_offset", end_offset.0);
            line.u64("removed", removed);
            line.u64("tombstones_removed", tombstones_removed);
        }
        TraceEvent::RecordRejected {
            stream,
            partition,
            msg,
        } => {
            line.stream(stream);
            line.partition(partition);
            line.msg(msg);
        }
        TraceEvent::LogEnd {
            stream,
            partition,
            log_start_offset,
            log_end_offset,
            dirty_ratio_ppm,
        } => {
            line.stream(stream);
            line.partition(partition);
            line.u64("log_start_offset", log_start_offset.0);
            line.u64("log_end_offset", log_end_offset.0);
            line.u64("dirty_ratio_ppm", dirty_ratio_ppm);
        }
        TraceEvent::TableRestored {
            table,
            stream,
            read,
            without_compaction,
            instance,
        } => {
            line.instance(instance);
            line.u64("table", u64::from(table));
            line.stream(stream);
            line.u64("read", read);
            line.u64("without_compaction", without_compaction);
        }
        TraceEvent::LogSegmentListed {
            stream,
            partition,
            base_offset,
        } => {
            line.stream(stream);
            line.partition(partition);
            line.u64("base_offset", base_offset.0);
        }
        TraceEvent::LogRecordListed {
            stream,
            partition,
            offset,
            msg,
            key,
            readable,
        } => {
            line.stream(stream);
            line.partition(partition);
            line.u64("offset", offset.0);
            line.msg(msg);
            line.key(key);
            line.bool("readable", readable);
        }
        _ => group_fields(line, at, event),
    }
}

/// The fields of the schema events: registrations, rejected sends, failed decodes.
fn schema_fields(line: &mut Line<'_>, event: &TraceEvent) {
    match *event {
        TraceEvent::SchemaRegistered {
            stream,
            instance,
            version,
            id,
        } => {
            line.stream(stream);
            line.instance(instance);
            line.u64("version", u64::from(version));
            line.u64("id", u64::from(id));
        }
        TraceEvent::SchemaRefused {
            stream,
            instance,
            reason,
        } => {
            line.stream(stream);
            line.instance(instance);
            line.reason(reason);
        }
        TraceEvent::ProduceRejected {
            stream,
            instance,
            msg,
            reason,
        } => {
            line.stream(stream);
            line.instance(instance);
            line.msg(msg);
            line.reason(reason);
        }
        TraceEvent::DecodeFailed {
            group,
            instance,
            position,
            msg,
            reason,
        } => {
            line.group(group);
            line.instance(instance);
            if let Some((partition, offset)) = position {
                line.partition(partition);
                line.u64("offset", offset.0);
            }
            line.msg(msg);
            line.reason(reason);
        }
        _ => unreachable!("{} is not a schema event", event.kind()),
    }
}

/// The fields of the consumer groups' and the faults' events.
fn group_fields(line: &mut Line<'_>, at: SimTime, event: &TraceEvent) {
    match *event {
        // The actor of fetched and consumed lines is the consuming instance itself.
        TraceEvent::Fetched {
            group,
            partition,
            first_offset,
            count,
            ..
        } => {
            line.group(group);
            line.partition(partition);
            line.u64("first_offset", first_offset.0);
            line.u64("count", u64::from(count));
        }
        TraceEvent::Consumed {
            group,
            partition,
            offset,
            msg,
            key,
            sent_at,
            ..
        } => {
            line.group(group);
            line.partition(partition);
            line.u64("offset", offset.0);
            line.msg(msg);
            line.key(key);
            line.latency(at, sent_at);
        }
        TraceEvent::Committed {
            group,
            partition,
            offset,
        }
        | TraceEvent::OffsetReset {
            group,
            partition,
            offset,
        } => {
            line.group(group);
            line.partition(partition);
            line.u64("offset", offset.0);
        }
        TraceEvent::RebalanceStarted {
            group,
            generation,
            cause,
        } => {
            line.group(group);
            line.u64("generation", u64::from(generation));
            line.str("cause", cause.name());
        }
        TraceEvent::Assigned {
            group,
            generation,
            instance,
            ref partitions,
        } => {
            line.group(group);
            line.u64("generation", u64::from(generation));
            line.instance(instance);
            line.partitions(partitions);
        }
        TraceEvent::Revoked {
            group,
            instance,
            ref partitions,
        } => {
            line.group(group);
            line.instance(instance);
            line.partitions(partitions);
        }
        TraceEvent::Crashed { instance }
        | TraceEvent::Restarted { instance }
        | TraceEvent::SlowEnded { instance } => line.instance(instance),
        TraceEvent::SlowStarted {
            instance,
            factor_ppm,
        } => {
            line.instance(instance);
            line.u64("factor_ppm", factor_ppm);
        }
        _ => member_fields(line, at, event),
    }
}

/// The fields of a member's leaving: expired, left, evicted by its poll timer, failed commits.
fn member_fields(line: &mut Line<'_>, at: SimTime, event: &TraceEvent) {
    match *event {
        TraceEvent::MemberExpired { group, instance }
        | TraceEvent::MemberLeft { group, instance }
        | TraceEvent::JoinTimedOut { group, instance }
        | TraceEvent::StaticMemberReturned { group, instance } => {
            line.group(group);
            line.instance(instance);
        }
        TraceEvent::PollTimeoutExpired {
            group,
            instance,
            since_poll_us,
        } => {
            line.group(group);
            line.instance(instance);
            line.u64("since_poll_us", since_poll_us);
        }
        TraceEvent::OffsetsResetByAdmin {
            group,
            partition,
            offset,
            mode,
        } => {
            line.group(group);
            line.partition(partition);
            line.u64("offset", offset.0);
            line.str("mode", mode);
        }
        TraceEvent::ResetNotConsulted {
            group,
            partition,
            committed,
        } => {
            line.group(group);
            line.partition(partition);
            line.u64("committed", committed.0);
        }
        TraceEvent::CommittedOnClose {
            group,
            instance,
            partition,
            offset,
        }
        | TraceEvent::Sought {
            group,
            instance,
            partition,
            offset,
        } => {
            line.group(group);
            line.instance(instance);
            line.partition(partition);
            line.u64("offset", offset.0);
        }
        TraceEvent::NoOffsetForPartition { group, partition } => {
            line.group(group);
            line.partition(partition);
        }
        TraceEvent::ResetRefused {
            group,
            members,
            mode,
        } => {
            line.group(group);
            line.u64("members", u64::from(members));
            line.str("mode", mode);
        }
        TraceEvent::CommitFailed {
            group,
            instance,
            partitions,
        } => {
            line.group(group);
            line.instance(instance);
            line.u64("partitions", u64::from(partitions));
        }
        TraceEvent::CommitRejected {
            group,
            instance,
            generation,
            partition,
            offset,
        } => {
            line.group(group);
            line.instance(instance);
            line.u64("generation", u64::from(generation));
            line.partition(partition);
            line.u64("offset", offset.0);
        }
        _ => queue_fields(line, at, event),
    }
}

/// The fields of the queue broker's events.
fn queue_fields(line: &mut Line<'_>, at: SimTime, event: &TraceEvent) {
    match *event {
        TraceEvent::QueueDeclared { queue } => line.queue(queue),
        TraceEvent::Routed {
            stream,
            msg,
            queues,
        } => {
            line.stream(stream);
            line.msg(msg);
            line.u64("queues", u64::from(queues));
        }
        TraceEvent::Enqueued {
            queue,
            msg,
            position,
        } => {
            line.queue(queue);
            line.msg(msg);
            line.u64("position", position);
        }
        TraceEvent::PublishRejected {
            queue,
            msg,
            dead_lettered,
        } => {
            line.queue(queue);
            line.msg(msg);
            line.bool("dead_lettered", dead_lettered);
        }
        TraceEvent::Delivered {
            queue,
            instance,
            msg,
            redelivered,
            auto_ack,
            get,
        } => {
            line.queue(queue);
            line.instance(instance);
            line.msg(msg);
            line.bool("redelivered", redelivered);
            line.bool("auto_ack", auto_ack);
            line.bool("get", get);
        }
        TraceEvent::Acked {
            queue,
            instance,
            msg,
        } => {
            line.queue(queue);
            line.instance(instance);
            line.msg(msg);
        }
        TraceEvent::Nacked {
            queue,
            instance,
            msg,
            requeue,
            reject,
        } => {
            line.queue(queue);
            line.instance(instance);
            line.msg(msg);
            line.bool("requeue", requeue);
            line.bool("reject", reject);
        }
        _ => queue_end_fields(line, at, event),
    }
}

/// The fields of the queue's dead letters, closed channels and leftovers, and of the queue
/// consumers' decisions.
fn queue_end_fields(line: &mut Line<'_>, at: SimTime, event: &TraceEvent) {
    match *event {
        TraceEvent::DeadLettered {
            queue,
            msg,
            reason,
            to_queues,
        } => {
            line.queue(queue);
            line.msg(msg);
            line.str("reason", reason.name());
            line.u64("to_queues", u64::from(to_queues));
        }
        TraceEvent::Dropped { queue, msg, reason } => {
            line.queue(queue);
            line.msg(msg);
            line.str("reason", reason.name());
        }
        TraceEvent::ChannelClosed {
            queue,
            instance,
            requeued,
        } => {
            line.queue(queue);
            line.instance(instance);
            line.u64("requeued", u64::from(requeued));
        }
        TraceEvent::LeftInQueue {
            queue,
            msg,
            redelivered,
            unacked,
            death,
        } => {
            line.queue(queue);
            line.msg(msg);
            line.bool("redelivered", redelivered);
            line.bool("unacked", unacked);
            if let Some((reason, from, count)) = death {
                line.str("death_reason", reason.name());
                line.quoted("death_queue", &line.names.queues[from.index()]);
                line.u64("death_count", u64::from(count));
            }
        }
        _ => consumer_fields(line, at, event),
    }
}

/// The fields of the queue consumers' events.
fn consumer_fields(line: &mut Line<'_>, at: SimTime, event: &TraceEvent) {
    match *event {
        TraceEvent::Decided {
            group,
            msg,
            decision,
            ..
        } => {
            line.group(group);
            line.msg(msg);
            line.str("decision", decision.name());
        }
        TraceEvent::Processed {
            group,
            msg,
            key,
            sent_at,
            redelivered,
            ..
        } => {
            line.group(group);
            line.msg(msg);
            line.key(key);
            line.bool("redelivered", redelivered);
            line.latency(at, sent_at);
        }
        TraceEvent::DeliveryLost { group, msg, .. } => {
            line.group(group);
            line.msg(msg);
        }
        TraceEvent::ConsumerFinished { group, .. } => line.group(group),
        // Written by an earlier function of the chain; listed so that a new variant fails to
        // compile here until some function writes its fields.
        TraceEvent::Acked { .. }
        | TraceEvent::Appended { .. }
        | TraceEvent::Assigned { .. }
        | TraceEvent::ChannelClosed { .. }
        | TraceEvent::Committed { .. }
        | TraceEvent::Consumed { .. }
        | TraceEvent::Crashed { .. }
        | TraceEvent::DecodeFailed { .. }
        | TraceEvent::ProduceRejected { .. }
        | TraceEvent::SchemaRefused { .. }
        | TraceEvent::SchemaRegistered { .. }
        | TraceEvent::DeadLettered { .. }
        | TraceEvent::Delivered { .. }
        | TraceEvent::Dropped { .. }
        | TraceEvent::Enqueued { .. }
        | TraceEvent::Fetched { .. }
        | TraceEvent::LeftInQueue { .. }
        | TraceEvent::MemberExpired { .. }
        | TraceEvent::MemberLeft { .. }
        | TraceEvent::JoinTimedOut { .. }
        | TraceEvent::StaticMemberReturned { .. }
        | TraceEvent::ResetNotConsulted { .. }
        | TraceEvent::NoOffsetForPartition { .. }
        | TraceEvent::CommittedOnClose { .. }
        | TraceEvent::Sought { .. }
        | TraceEvent::PollTimeoutExpired { .. }
        | TraceEvent::CommitFailed { .. }
        | TraceEvent::CommitRejected { .. }
        | TraceEvent::OffsetsResetByAdmin { .. }
        | TraceEvent::ResetRefused { .. }
        | TraceEvent::Nacked { .. }
        | TraceEvent::OffsetReset { .. }
        | TraceEvent::PartitionsCreated { .. }
        | TraceEvent::Produced { .. }
        | TraceEvent::ProducerBufferLost { .. }
        | TraceEvent::ProducerFinished { .. }
        | TraceEvent::PublishRejected { .. }
        | TraceEvent::QueueDeclared { .. }
        | TraceEvent::RebalanceStarted { .. }
        | TraceEvent::Restarted { .. }
        | TraceEvent::Revoked { .. }
        | TraceEvent::Routed { .. }
        | TraceEvent::SegmentsDeleted { .. }
        | TraceEvent::CleanerPass { .. }
        | TraceEvent::RecordRejected { .. }
        | TraceEvent::LogEnd { .. }
        | TraceEvent::LogSegmentListed { .. }
        | TraceEvent::LogRecordListed { .. }
        | TraceEvent::TableRestored { .. }
        | TraceEvent::SlowEnded { .. }
        | TraceEvent::SlowStarted { .. } => {
            unreachable!("{} fields are written before the chain's end", event.kind())
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

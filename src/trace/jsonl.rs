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
    /// Whole lines not yet handed to `out`: written to `out` in blocks of about `BLOCK` bytes,
    /// so the per-line cost is only the formatting.
    lines: Vec<u8>,
    window_us: (u64, u64),
    error: Option<io::Error>,
    kinds: KindCache,
}

/// The events' kinds as `Rendered` blocks, found by the address and length of the
/// `&'static str` that `TraceEvent::kind` returns (the length too: one string may be a prefix of
/// another at the same address): a direct-mapped cache filled on first use (a miss renders the
/// kind again), so writing a kind costs a few moves, not a `memcpy` call. What is written never
/// depends on the cache, only how fast.
struct KindCache {
    slots: Vec<Option<((usize, usize), Rendered)>>,
}

impl KindCache {
    const SLOTS: usize = 64;

    fn new() -> Self {
        KindCache {
            slots: (0..Self::SLOTS).map(|_| None).collect(),
        }
    }

    #[inline(always)]
    fn push(&mut self, bytes: &mut Vec<u8>, kind: &'static str) {
        let key = (kind.as_ptr() as usize, kind.len());
        let slot = &mut self.slots[(key.0 ^ (key.0 >> 6) ^ key.1) % Self::SLOTS];
        match slot {
            Some((cached, rendered)) if *cached == key => rendered.push(bytes, 0),
            _ => {
                let rendered = Rendered::new(kind);
                rendered.push(bytes, 0);
                *slot = Some((key, rendered));
            }
        }
    }
}

/// Quoted, escaped JSON strings, rendered once: actors by actor id, and the names of streams,
/// groups, instances and queues by index; and the run's keys (a pipeline's `rekey` makes keys
/// during the run).
struct Names {
    actors: Vec<Rendered>,
    streams: Vec<Rendered>,
    groups: Vec<Rendered>,
    instances: Vec<Rendered>,
    queues: Vec<Rendered>,
    /// The scenario's own keys, by key id; keys made during the run are escaped as they come.
    base_keys: Vec<Rendered>,
    keys: std::rc::Rc<crate::model::RunKeys>,
    /// The texts of the schema events' reasons (`with_reasons`).
    reasons: std::rc::Rc<super::Reasons>,
}

/// The size of the blocks the writer hands to its output: as large as the `BufWriter` the CLI
/// wraps a trace file in, so that a `BufWriter` with an empty buffer passes every block straight
/// to the file instead of copying it once more.
const BLOCK: usize = 1 << 20;

/// How many bytes of a rendered name are copied as one fixed-size block.
const SHORT: usize = 32;

/// A quoted, escaped JSON string rendered once. Up to `SHORT` bytes it is also kept in a
/// zero-padded block of fixed size: appending it copies the whole block (a few moves, where a
/// slice of run-time length costs a `memcpy` call) and then cuts the line back to its length.
struct Rendered {
    block: [u8; SHORT],
    text: Box<[u8]>,
}

impl Rendered {
    fn new(name: &str) -> Self {
        let mut text = Vec::new();
        push_str(&mut text, name);
        let mut block = [0; SHORT];
        if text.len() <= SHORT {
            block[..text.len()].copy_from_slice(&text);
        }
        Rendered {
            block,
            text: text.into_boxed_slice(),
        }
    }

    /// Appends the string, without its last `drop_last` bytes.
    #[inline(always)]
    fn push(&self, bytes: &mut Vec<u8>, drop_last: usize) {
        let len = self.text.len() - drop_last;
        if self.text.len() <= SHORT {
            let at = bytes.len();
            bytes.extend_from_slice(&self.block);
            bytes.truncate(at + len);
        } else {
            bytes.extend_from_slice(&self.text[..len]);
        }
    }
}

/// One line being written: `,"<field>":<value>` appenders over the line's bytes.
struct Line<'a> {
    bytes: &'a mut Vec<u8>,
    names: &'a Names,
}

impl Line<'_> {
    #[inline(always)]
    fn name(&mut self, name: &str) {
        self.bytes.extend_from_slice(b",\"");
        self.bytes.extend_from_slice(name.as_bytes());
        self.bytes.extend_from_slice(b"\":");
    }

    #[inline(always)]
    fn u64(&mut self, name: &str, value: u64) {
        self.name(name);
        push_u64(self.bytes, value);
    }

    #[inline(always)]
    fn str(&mut self, name: &str, value: &str) {
        self.name(name);
        push_str(self.bytes, value);
    }

    fn reason(&mut self, reason: super::ReasonId) {
        let text = self.names.reasons.text(reason);
        self.str("reason", &text);
    }

    #[inline(always)]
    fn bool(&mut self, name: &str, value: bool) {
        self.bytes.extend_from_slice(b",\"");
        self.bytes.extend_from_slice(name.as_bytes());
        self.bytes
            .extend_from_slice(if value { b"\":true" } else { b"\":false" });
    }

    /// A pre-quoted name: `,"<field>":"<name>"`.
    #[inline(always)]
    fn quoted(&mut self, name: &str, quoted: &Rendered) {
        self.name(name);
        quoted.push(self.bytes, 0);
    }

    #[inline(always)]
    fn stream(&mut self, stream: StreamId) {
        self.quoted("stream", &self.names.streams[stream.index()]);
    }

    #[inline(always)]
    fn group(&mut self, group: GroupId) {
        self.quoted("group", &self.names.groups[group.index()]);
    }

    #[inline(always)]
    fn instance(&mut self, instance: InstanceId) {
        self.quoted("instance", &self.names.instances[instance.index()]);
    }

    #[inline(always)]
    fn queue(&mut self, queue: QueueId) {
        self.quoted("queue", &self.names.queues[queue.index()]);
    }

    #[inline(always)]
    fn partition(&mut self, partition: PartitionId) {
        self.u64("partition", u64::from(partition.0));
    }

    /// `,"msg":"<instance>/<seq>"`.
    #[inline(always)]
    fn msg(&mut self, msg: MessageId) {
        self.bytes.extend_from_slice(b",\"msg\":");
        self.names.instances[msg.producer.index()].push(self.bytes, 1);
        self.bytes.push(b'/');
        push_u64(self.bytes, u64::from(msg.seq));
        self.bytes.push(b'"');
    }

    #[inline(always)]
    fn key(&mut self, key: Option<KeyId>) {
        match key {
            Some(key) => match self.names.base_keys.get(key.index()) {
                Some(rendered) => self.quoted("key", rendered),
                None => {
                    let names = self.names;
                    self.str("key", &names.keys.text(key));
                }
            },
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
        let quoted = Rendered::new;
        let base_keys = (0..)
            .map(KeyId::from_index)
            .take_while(|&key| keys.is_base(key))
            .map(|key| quoted(&keys.text(key)))
            .collect();
        let names = Names {
            base_keys,
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
            lines: Vec::with_capacity(BLOCK + 4096),
            window_us,
            error: None,
            kinds: KindCache::new(),
        })
    }

    /// Where the schema events' reasons are interned (the run's schema checks fill it).
    pub fn with_reasons(mut self, reasons: &std::rc::Rc<super::Reasons>) -> Self {
        self.names.reasons = std::rc::Rc::clone(reasons);
        self
    }

    /// The first write error, if any; writing stops after it.
    pub fn finish(mut self) -> io::Result<()> {
        self.hand_over();
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        self.out.flush()
    }

    /// Hands the buffered lines to the output; keeps the first error.
    fn hand_over(&mut self) {
        if self.error.is_none()
            && let Err(error) = self.out.write_all(&self.lines)
        {
            self.error = Some(error);
        }
        self.lines.clear();
    }

    pub fn write(&mut self, at: SimTime, actor: ActorId, event: &TraceEvent) {
        if self.error.is_some() || at.as_us() < self.window_us.0 || at.as_us() > self.window_us.1 {
            return;
        }
        let bytes = &mut self.lines;
        bytes.extend_from_slice(b"{\"time_us\":");
        push_u64(bytes, at.as_us());
        bytes.extend_from_slice(b",\"actor\":");
        self.names.actors[actor.index()].push(bytes, 0);
        bytes.extend_from_slice(b",\"kind\":");
        self.kinds.push(bytes, event.kind());
        let mut line = Line {
            bytes,
            names: &self.names,
        };
        log_fields(&mut line, at, event);
        line.bytes.extend_from_slice(b"}\n");
        if self.lines.len() >= BLOCK {
            self.hand_over();
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
        | TraceEvent::SchemaRequested { .. }
        | TraceEvent::SchemaFetched { .. }
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
        TraceEvent::SchemaRequested {
            group,
            instance,
            id,
        } => {
            line.group(group);
            line.instance(instance);
            line.u64("id", u64::from(id));
        }
        TraceEvent::SchemaFetched {
            group,
            instance,
            id,
            latency_us,
        } => {
            line.group(group);
            line.instance(instance);
            line.u64("id", u64::from(id));
            line.u64("latency_us", latency_us);
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
        | TraceEvent::SchemaRequested { .. }
        | TraceEvent::SchemaFetched { .. }
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

/// Appends `value` in decimal, two digits at a time. The line first grows by a fixed 20 bytes
/// (a few moves, where a slice of run-time length costs a `memcpy` call), the digits are written
/// in place, and the line is cut back to their count. (Digits written to a stack buffer and then
/// copied would be read back before their stores retire: a store-forwarding stall per number.)
#[inline(always)]
fn push_u64(line: &mut Vec<u8>, value: u64) {
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    let count = value.checked_ilog10().map_or(1, |log| log as usize + 1);
    let at = line.len();
    line.extend_from_slice(&[0; 20]);
    let digits = &mut line[at..at + count];
    let mut end = count;
    let mut rest = value;
    while rest >= 100 {
        let pair = (rest % 100) as usize * 2;
        rest /= 100;
        digits[end - 2..end].copy_from_slice(&PAIRS[pair..pair + 2]);
        end -= 2;
    }
    if rest >= 10 {
        let pair = rest as usize * 2;
        digits[end - 2..end].copy_from_slice(&PAIRS[pair..pair + 2]);
    } else {
        digits[end - 1] = b'0' + rest as u8;
    }
    line.truncate(at + count);
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

    #[test]
    fn integers_are_written_as_rust_formats_them() {
        let mut values = vec![0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 65_535, u64::MAX];
        values.extend((0..64).map(|shift| 1u64 << shift));
        values.extend((1..20).map(|power| 10u64.pow(power) - 1));
        for value in values {
            let mut out = b"x".to_vec();
            push_u64(&mut out, value);
            assert_eq!(out, format!("x{value}").into_bytes(), "{value}");
        }
    }

    #[test]
    fn kinds_sharing_an_address_are_told_apart_by_length() {
        let both: &'static str = "fetched_more";
        let mut cache = KindCache::new();
        let mut out = Vec::new();
        for kind in [&both[..7], both, &both[..7], "produced", both] {
            cache.push(&mut out, kind);
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"fetched\"\"fetched_more\"\"fetched\"\"produced\"\"fetched_more\""
        );
    }

    #[test]
    fn rendered_names_short_and_long_keep_their_bytes() {
        for name in [
            "",
            "a",
            "producer-0",
            &"n".repeat(30),
            &"n".repeat(31),
            &"long".repeat(20),
        ] {
            let rendered = Rendered::new(name);
            let mut out = b"x".to_vec();
            rendered.push(&mut out, 0);
            assert_eq!(out, format!("x\"{name}\"").into_bytes());
            let mut out = Vec::new();
            rendered.push(&mut out, 1);
            assert_eq!(out, format!("\"{name}").into_bytes());
        }
    }
}

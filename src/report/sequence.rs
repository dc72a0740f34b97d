//! The sequence diagram of a run (Mermaid `sequenceDiagram`): producers, partitions or
//! exchanges and queues, and consumer instances as participants; sends, appends, fetches,
//! deliveries, acks, nacks, redeliveries and commits as messages; crashes and rebalances as
//! notes. It draws the steps `collect::pictures` kept and says what it left out; it is not a
//! trace viewer (the JSON Lines trace has every event).
//!
//! Follows Mermaid's sequence syntax (mermaid.js.org/syntax/sequenceDiagram.html): participant
//! ids are eventlab's own ASCII ids (`pr0`, `pa0_1`, `ex0`, `qu0`, `in2`), user names only ever
//! appear as aliases and message text, where the characters Mermaid would read as syntax
//! (`;` ends a statement, `#` starts an entity, `:` separates a message) become entity codes.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::words::time_us as format_us;
use crate::collect::pictures::{Pictures, Step};
use crate::model::{DeathReason, GroupId, InstanceId, KeyId, MessageId, Scenario, StreamId};
use crate::trace::TraceEvent;

use super::build::message_name;

/// A participant, in the order the diagram declares them (producers left, consumers right).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Participant {
    Producer(InstanceId),
    Partition(StreamId, u32),
    Exchange(StreamId),
    Queue(u32),
    Consumer(InstanceId),
}

impl Participant {
    fn id(self) -> String {
        match self {
            Participant::Producer(instance) => format!("pr{}", instance.0),
            Participant::Partition(stream, partition) => format!("pa{}_{partition}", stream.0),
            Participant::Exchange(stream) => format!("ex{}", stream.0),
            Participant::Queue(queue) => format!("qu{queue}"),
            Participant::Consumer(instance) => format!("in{}", instance.0),
        }
    }

    fn alias(self, model: &Scenario) -> String {
        match self {
            Participant::Producer(instance) | Participant::Consumer(instance) => {
                model.instance(instance).name.clone()
            }
            Participant::Partition(stream, partition) => {
                format!("{} partition {partition}", model.stream(stream).name)
            }
            Participant::Exchange(stream) => format!("exchange {}", model.stream(stream).name),
            Participant::Queue(queue) => {
                format!("queue {}", model.queue_layout.queues[queue as usize].name)
            }
        }
    }
}

/// One line of the diagram: an arrow between two participants or a note over one or two.
enum Line {
    Arrow {
        from: Participant,
        to: Participant,
        arrow: &'static str,
        text: String,
    },
    Note {
        over: Participant,
        to: Option<Participant>,
        text: String,
    },
}

/// The diagram's Mermaid text.
pub fn render(model: &Scenario, pictures: &Pictures) -> String {
    let lines: Vec<(u64, Line)> = pictures
        .steps
        .iter()
        .filter_map(|step| line_of(model, step).map(|line| (step.at.0, line)))
        .collect();
    let mut participants = BTreeSet::new();
    for (_, line) in &lines {
        match line {
            Line::Arrow { from, to, .. } => {
                participants.insert(*from);
                participants.insert(*to);
            }
            Line::Note { over, to, .. } => {
                participants.insert(*over);
                participants.extend(*to);
            }
        }
    }
    let mut out = String::from("sequenceDiagram\n");
    if lines.is_empty() {
        // Mermaid needs at least one statement; an empty window still draws.
        out.push_str("    participant none as nothing happened in this window\n");
        return out;
    }
    for participant in &participants {
        let _ = writeln!(
            out,
            "    participant {} as {}",
            participant.id(),
            alias(&participant.alias(model))
        );
    }
    for (at, line) in &lines {
        let when = format_us(*at);
        match line {
            Line::Arrow {
                from,
                to,
                arrow,
                text: what,
            } => {
                let _ = writeln!(
                    out,
                    "    {}{arrow}{}: {}",
                    from.id(),
                    to.id(),
                    text(&format!("{when} {what}"))
                );
            }
            Line::Note {
                over,
                to,
                text: what,
            } => {
                let span = match to {
                    Some(to) if to != over => format!("{},{}", over.id(), to.id()),
                    _ => over.id(),
                };
                let _ = writeln!(
                    out,
                    "    Note over {span}: {}",
                    text(&format!("{when} {what}"))
                );
            }
        }
    }
    out
}

/// What the diagram shows and what it left out, in one sentence for the report.
pub fn describe(model: &Scenario, pictures: &Pictures, keys: &dyn Fn(KeyId) -> String) -> String {
    let options = &pictures.options;
    let mut what = match (options.window_us, options.follow) {
        (Some((from, to)), Some(key)) => format!(
            "The messages of key \"{}\" between {} and {}",
            keys(key),
            format_us(from),
            format_us(to)
        ),
        (Some((from, to)), None) => format!(
            "Every message between {} and {}",
            format_us(from),
            format_us(to)
        ),
        (None, Some(key)) => format!("The messages of key \"{}\"", keys(key)),
        (None, None) => "The run from its start".to_string(),
    };
    let _ = write!(
        what,
        ", at most {} steps (sends, appends, fetches, deliveries, acks, nacks, commits, and crashes and rebalances as notes)",
        options.messages_max
    );
    match pictures.first_left_out {
        Some(first) => {
            let _ = write!(
                what,
                ": {} drawn; {} more from {} on are left out (choose another part with `--window FROM..TO` or `--follow KEY`, or draw more with `--max-messages N`).",
                pictures.steps.len(),
                pictures.steps_left_out,
                format_us(first.0)
            );
        }
        None => {
            let _ = write!(what, ": all {} drawn.", pictures.steps.len());
        }
    }
    if options.follow.is_none() {
        what.push_str(
            " Each record's processing is left out (fetches and commits show it); `--follow KEY` draws it.",
        );
    }
    let _ = model;
    what
}

fn arrow(from: Participant, to: Participant, arrow: &'static str, text: String) -> Option<Line> {
    Some(Line::Arrow {
        from,
        to,
        arrow,
        text,
    })
}

fn note(over: Participant, text: String) -> Option<Line> {
    Some(Line::Note {
        over,
        to: None,
        text,
    })
}

/// The line a step draws, or none for a step this diagram has no picture for.
fn line_of(model: &Scenario, step: &Step) -> Option<Line> {
    log_line(model, step)
        .or_else(|| queue_line(model, step))
        .or_else(|| queue_note_line(model, step))
        .or_else(|| note_line(model, step))
}

/// Sends, appends, fetches, processing and commits on the log.
fn log_line(model: &Scenario, step: &Step) -> Option<Line> {
    let msg = |msg: MessageId| message_name(model, msg);
    match step.event {
        TraceEvent::Produced {
            stream,
            partition,
            msg: id,
            key,
            ..
        } => {
            let producer = Participant::Producer(id.producer);
            let keyed = match key {
                Some(key) => format!(" key {}", key_text(model, key)),
                None => String::new(),
            };
            match model.stream(stream).carrier {
                crate::model::Carrier::Queue => arrow(
                    producer,
                    Participant::Exchange(stream),
                    "->>",
                    format!("publish {}{keyed}", msg(id)),
                ),
                _ => arrow(
                    producer,
                    Participant::Partition(stream, partition.0),
                    "->>",
                    format!("send {}{keyed}", msg(id)),
                ),
            }
        }
        TraceEvent::Appended {
            stream,
            partition,
            offset,
            msg: id,
        } => {
            let here = Participant::Partition(stream, partition.0);
            arrow(
                here,
                here,
                "->>",
                format!("append {} at offset {offset}", msg(id)),
            )
        }
        TraceEvent::Fetched {
            group,
            instance,
            partition,
            first_offset,
            count,
        } => arrow(
            Participant::Partition(model.group(group).stream, partition.0),
            Participant::Consumer(instance),
            "-->>",
            format!(
                "fetch {} from offset {first_offset}",
                super::words::count(u64::from(count), "record")
            ),
        ),
        TraceEvent::Consumed {
            instance,
            offset,
            msg: id,
            ..
        } => {
            let here = Participant::Consumer(instance);
            arrow(
                here,
                here,
                "->>",
                format!("process {} (offset {offset})", msg(id)),
            )
        }
        TraceEvent::Committed {
            group,
            partition,
            offset,
        } => {
            let part = Participant::Partition(model.group(group).stream, partition.0);
            let what = format!(
                "commit offset {offset} for group {}",
                model.group(group).name
            );
            match step.owner {
                Some(owner) => arrow(Participant::Consumer(owner), part, "->>", what),
                None => note(part, what),
            }
        }
        _ => None,
    }
}

/// Publishes, routes, deliveries, acks, nacks and deaths on the queue.
fn queue_line(model: &Scenario, step: &Step) -> Option<Line> {
    let msg = |msg: MessageId| message_name(model, msg);
    let queue = |queue: crate::model::QueueId| Participant::Queue(queue.0);
    match step.event {
        TraceEvent::Enqueued {
            queue: q, msg: id, ..
        } => {
            let stream = model.queue_layout.queues[q.index()].stream;
            arrow(
                Participant::Exchange(stream),
                queue(q),
                "->>",
                format!("route {}", msg(id)),
            )
        }
        TraceEvent::PublishRejected {
            queue: q, msg: id, ..
        } => {
            let stream = model.queue_layout.queues[q.index()].stream;
            arrow(
                Participant::Exchange(stream),
                queue(q),
                "-x",
                format!("{} rejected: queue at x-max-length", msg(id)),
            )
        }
        TraceEvent::Delivered {
            queue: q,
            instance,
            msg: id,
            redelivered,
            get,
            ..
        } => {
            let verb = if get { "get-ok" } else { "deliver" };
            let flag = if redelivered { " (redelivered)" } else { "" };
            arrow(
                queue(q),
                Participant::Consumer(instance),
                "->>",
                format!("{verb} {}{flag}", msg(id)),
            )
        }
        TraceEvent::Acked {
            queue: q,
            instance,
            msg: id,
        } => arrow(
            Participant::Consumer(instance),
            queue(q),
            "-->>",
            format!("ack {}", msg(id)),
        ),
        TraceEvent::Nacked {
            queue: q,
            instance,
            msg: id,
            requeue,
            reject,
        } => {
            let verb = if reject { "reject" } else { "nack" };
            let requeue = if requeue { "requeue" } else { "no requeue" };
            arrow(
                Participant::Consumer(instance),
                queue(q),
                "--x",
                format!("{verb} {} ({requeue})", msg(id)),
            )
        }
        _ => None,
    }
}

/// Deaths, losses and closed channels on the queue, as notes.
fn queue_note_line(model: &Scenario, step: &Step) -> Option<Line> {
    let msg = |msg: MessageId| message_name(model, msg);
    let queue = |queue: crate::model::QueueId| Participant::Queue(queue.0);
    match step.event {
        TraceEvent::DeadLettered {
            queue: q,
            msg: id,
            reason,
            ..
        } => note(
            queue(q),
            format!("{} dead-lettered ({})", msg(id), death(reason)),
        ),
        TraceEvent::Dropped {
            queue: q,
            msg: id,
            reason,
        } => note(
            queue(q),
            format!(
                "{} dropped ({}, no dead-letter exchange)",
                msg(id),
                death(reason)
            ),
        ),
        TraceEvent::DeliveryLost {
            instance, msg: id, ..
        } => note(
            Participant::Consumer(instance),
            format!(
                "{} lost: auto-acked, not processed when the process died",
                msg(id)
            ),
        ),
        TraceEvent::ChannelClosed {
            queue: q,
            instance,
            requeued,
        } => Some(Line::Note {
            over: Participant::Consumer(instance),
            to: Some(queue(q)),
            text: format!(
                "channel closed: {} requeued",
                super::words::count(u64::from(requeued), "unacked message")
            ),
        }),
        _ => None,
    }
}

/// Crashes, restarts, rebalances and partitions created, as notes.
fn note_line(model: &Scenario, step: &Step) -> Option<Line> {
    match step.event {
        TraceEvent::Crashed { instance } => note(Participant::Consumer(instance), "crashed".into())
            .map(|line| producer_side(model, instance, line)),
        TraceEvent::Restarted { instance } => {
            note(Participant::Consumer(instance), "restarted".into())
                .map(|line| producer_side(model, instance, line))
        }
        TraceEvent::MemberExpired { group, instance } => note(
            Participant::Consumer(instance),
            format!(
                "session timeout: removed from group {}",
                model.group(group).name
            ),
        ),
        TraceEvent::RebalanceStarted {
            group, generation, ..
        } => group_note(model, group, format!("rebalance: generation {generation}")),
        TraceEvent::Assigned {
            group,
            generation,
            instance,
            ref partitions,
        } => note(
            Participant::Consumer(instance),
            format!(
                "assigned {} in generation {generation}",
                partition_list(model, group, partitions)
            ),
        ),
        TraceEvent::Revoked {
            group,
            instance,
            ref partitions,
        } => note(
            Participant::Consumer(instance),
            format!("revoked {}", partition_list(model, group, partitions)),
        ),
        TraceEvent::PartitionsCreated {
            stream,
            partition_count,
        } => note(
            Participant::Partition(stream, 0),
            format!(
                "{} grows to {partition_count} partitions",
                model.stream(stream).name
            ),
        ),
        _ => None,
    }
}

/// A crash or restart of an instance that only produces is drawn on its producer side.
fn producer_side(model: &Scenario, instance: InstanceId, line: Line) -> Line {
    let service = model.service(model.instance(instance).service);
    let consumes = model.groups.iter().any(|group| group.service == service.id);
    match (line, consumes) {
        (Line::Note { text, to, .. }, false) => Line::Note {
            over: Participant::Producer(instance),
            to,
            text,
        },
        (line, _) => line,
    }
}

/// A note over the span of a group's instances.
fn group_note(model: &Scenario, group: GroupId, text: String) -> Option<Line> {
    let service = model.group(group).service;
    let mut instances = model
        .instances
        .iter()
        .filter(|instance| instance.service == service);
    let first = instances.next()?;
    let last = instances.next_back().unwrap_or(first);
    Some(Line::Note {
        over: Participant::Consumer(first.id),
        to: Some(Participant::Consumer(last.id)),
        text: format!("group {}: {text}", model.group(group).name),
    })
}

fn partition_list(
    model: &Scenario,
    group: GroupId,
    partitions: &[crate::model::PartitionId],
) -> String {
    let stream = &model.stream(model.group(group).stream).name;
    if partitions.is_empty() {
        return "no partition".to_string();
    }
    let numbers: Vec<String> = partitions.iter().map(|p| p.0.to_string()).collect();
    format!("{stream} {}", numbers.join(", "))
}

fn death(reason: DeathReason) -> &'static str {
    reason.name()
}

/// A key's text, or its number for a key a pipeline made during the run.
pub fn key_text(model: &Scenario, key: KeyId) -> String {
    if key.index() < model.keys.len() {
        model.keys.text(key).to_string()
    } else {
        format!("#{}", key.index())
    }
}

/// Text for a message or a note: the characters Mermaid's sequence grammar reads as syntax
/// there (`;` ends a statement, `#` starts an entity code, `%%` a comment), or HTML as markup,
/// become entity codes; line breaks become spaces.
pub fn text(label: &str) -> String {
    encode(label, false)
}

/// Text for a participant alias, where `-`, `>`, `+`, `:` and `,` are syntax too.
pub fn alias(label: &str) -> String {
    encode(label, true)
}

fn encode(label: &str, alias: bool) -> String {
    let mut out = String::with_capacity(label.len());
    for c in label.chars() {
        match c {
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            '"' => out.push_str("#quot;"),
            '%' => out.push_str("#37;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            '{' => out.push_str("#123;"),
            '}' => out.push_str("#125;"),
            ':' if alias => out.push_str("#58;"),
            ',' if alias => out.push_str("#44;"),
            '-' if alias => out.push_str("#45;"),
            '+' if alias => out.push_str("#43;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_in_names_becomes_entity_codes() {
        assert_eq!(text("a;b#c:d"), "a#59;b#35;c:d");
        assert_eq!(alias("a;b#c:d"), "a#59;b#35;c#58;d");
        assert_eq!(alias("x-->y"), "x#45;#45;#gt;y");
        assert_eq!(text("end"), "end");
        assert_eq!(text("주문 🛒"), "주문 🛒");
    }
}

//! The `compare` report: the same workload on the log and on the queue, side by side. Typed
//! structs, rendered as text (aligned table), JSON (stable key order) or Markdown (a table per
//! stream plus a learner's explanation of each difference).

use std::fmt::Write;

use serde::Serialize;

use super::compare_causes::{self as causes, CauseFigures, CauseSettings};
use super::words::time_us as format_us;

#[derive(Clone, Debug, Serialize)]
pub struct CompareReport {
    pub eventlab_version: String,
    pub scenario: String,
    pub seed: u64,
    pub reproduce: String,
    pub log: RunSummary,
    pub queue: RunSummary,
    pub streams: Vec<StreamComparison>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RunSummary {
    pub stop: String,
    pub limit: Option<String>,
    pub ended_at_us: u64,
    pub events: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct StreamComparison {
    pub stream: String,
    /// Records produced in the log run.
    pub produced: u64,
    /// Records produced in the queue run (differs from `produced` only for a stream a pipeline
    /// writes).
    pub queue_produced: u64,
    /// A service's pipeline writes this stream (`emit` or a table's changelog): its records
    /// follow from what each broker delivered, so the two runs may differ.
    pub written_by_pipeline: bool,
    /// Both runs produced the identical sequence (producer, message id, key, send time).
    pub produced_identical: bool,
    /// Storage at the end: the log keeps every record it appended…
    pub log_records_held: u64,
    /// …the queue only what is not yet acknowledged (ready + unacked, dead letters included).
    pub queue_messages_held: u64,
    pub groups: Vec<GroupComparison>,
}

#[derive(Clone, Debug, Serialize)]
pub struct GroupComparison {
    pub group: String,
    pub service: String,
    pub log: GroupSide,
    pub queue: GroupSide,
    /// The settings the explanations' causes depend on.
    pub settings: CauseSettings,
}

/// One group's findings in one run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupSide {
    /// Members the coordinator removed after `session.timeout.ms` without a heartbeat (log
    /// only): while it waits, a crashed member's partitions have no live owner.
    pub members_expired: u64,
    /// Distinct records processed.
    pub delivered: u64,
    /// Every processing, repeats included.
    pub processed: u64,
    pub lost: u64,
    pub first_lost: Option<String>,
    pub duplicated: u64,
    pub first_duplicate: Option<String>,
    pub key_order_inversions: u64,
    pub first_inversion: Option<String>,
    /// Queue: deliveries with `redelivered=true`. Log: records processed again (duplicates).
    pub redeliveries: u64,
    pub dead_lettered: u64,
    pub latency_p50_us: u64,
    pub latency_p99_us: u64,
    pub latency_max_us: u64,
    /// Log: peak lag (records). Queue: peak ready depth (messages).
    pub peak_backlog: u64,
    /// Not processed by the end (log: past the group's position; queue: left in its queue).
    pub left_unconsumed: u64,
    /// For a late group: records produced before it started, and how many it processed.
    pub replay_history: Option<u64>,
    pub replayed: Option<u64>,
    /// What happened in this run that explains a difference (crashes, nacks, reasons).
    pub causes: CauseFigures,
}

pub fn render_json(report: &CompareReport) -> String {
    super::json::pretty(report)
}

/// The rows of the side-by-side table: (label, log value, queue value).
fn rows(group: &GroupComparison) -> Vec<(&'static str, String, String)> {
    let (l, q) = (&group.log, &group.queue);
    let with_first = |count: u64, first: &Option<String>| match first {
        Some(first) if count > 0 => format!("{count} (first {first})"),
        _ => count.to_string(),
    };
    let replay = |side: &GroupSide| match (side.replay_history, side.replayed) {
        (Some(history), Some(replayed)) => format!("{replayed} of {history}"),
        _ => "-".to_string(),
    };
    vec![
        (
            "delivered (distinct)",
            l.delivered.to_string(),
            q.delivered.to_string(),
        ),
        (
            "lost",
            with_first(l.lost, &l.first_lost),
            with_first(q.lost, &q.first_lost),
        ),
        (
            "duplicated",
            with_first(l.duplicated, &l.first_duplicate),
            with_first(q.duplicated, &q.first_duplicate),
        ),
        (
            "per-key order inversions",
            with_first(l.key_order_inversions, &l.first_inversion),
            with_first(q.key_order_inversions, &q.first_inversion),
        ),
        (
            "redeliveries",
            l.redeliveries.to_string(),
            q.redeliveries.to_string(),
        ),
        (
            "dead-lettered",
            l.dead_lettered.to_string(),
            q.dead_lettered.to_string(),
        ),
        (
            "latency p50",
            format_us(l.latency_p50_us),
            format_us(q.latency_p50_us),
        ),
        (
            "latency p99",
            format_us(l.latency_p99_us),
            format_us(q.latency_p99_us),
        ),
        (
            "latency max",
            format_us(l.latency_max_us),
            format_us(q.latency_max_us),
        ),
        (
            "peak lag / peak queue depth",
            l.peak_backlog.to_string(),
            q.peak_backlog.to_string(),
        ),
        (
            "unconsumed at end",
            l.left_unconsumed.to_string(),
            q.left_unconsumed.to_string(),
        ),
        ("late start: replayed history", replay(l), replay(q)),
    ]
}

fn header(out: &mut String, report: &CompareReport) {
    let _ = writeln!(
        out,
        "eventlab {} — compare \"{}\", seed {}",
        report.eventlab_version, report.scenario, report.seed
    );
    let _ = writeln!(out, "reproduce with: {}", report.reproduce);
}

pub fn render_text(report: &CompareReport) -> String {
    let mut out = String::new();
    header(&mut out, report);
    let _ = writeln!(
        out,
        "log run: {} at {} ({} events); queue run: {} at {} ({} events)",
        report.log.stop,
        format_us(report.log.ended_at_us),
        report.log.events,
        report.queue.stop,
        format_us(report.queue.ended_at_us),
        report.queue.events
    );
    for stream in &report.streams {
        let _ = writeln!(out);
        if stream.written_by_pipeline {
            let _ = writeln!(
                out,
                "stream \"{}\": produced log {} / queue {} (written by a pipeline from what each \
                 broker delivered{})",
                stream.stream,
                stream.produced,
                stream.queue_produced,
                if stream.produced_identical {
                    "; identical sequence in both runs"
                } else {
                    ""
                }
            );
        } else {
            let _ = writeln!(
                out,
                "stream \"{}\": produced {} ({})",
                stream.stream,
                stream.produced,
                if stream.produced_identical {
                    "identical sequence in both runs"
                } else {
                    "DIFFERENT sequences: a bug in eventlab"
                }
            );
        }
        let _ = writeln!(
            out,
            "  held at the end: log {} records, queue {} messages",
            stream.log_records_held, stream.queue_messages_held
        );
        for group in &stream.groups {
            let _ = writeln!(
                out,
                "  group \"{}\" (service \"{}\")",
                group.group, group.service
            );
            let rows = rows(group);
            let width = rows
                .iter()
                .map(|(label, ..)| label.len())
                .max()
                .unwrap_or(0);
            let log_width = rows
                .iter()
                .map(|(_, log, _)| log.chars().count())
                .max()
                .unwrap_or(0)
                .max(3);
            let _ = writeln!(out, "    {:width$}  {:>log_width$}  queue", "", "log");
            for (label, log, queue) in rows {
                let _ = writeln!(out, "    {label:width$}  {log:>log_width$}  {queue}");
            }
        }
    }
    out
}

pub fn render_markdown(report: &CompareReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Log vs queue: \"{}\" (seed {})\n",
        report.scenario, report.seed
    );
    let _ = writeln!(out, "Reproduce with `{}`.\n", report.reproduce);
    let _ = writeln!(
        out,
        "Both runs produce the identical messages at the identical times, take the same \
         processing time per message and suffer the same faults. Only the broker differs: a \
         **log** (one immutable ledger per partition, read at offsets, kept after reading) or a \
         **queue** (each message handed to one competing consumer and deleted once \
         acknowledged).\n"
    );
    for stream in &report.streams {
        let _ = writeln!(out, "## Stream `{}`\n", stream.stream);
        if stream.written_by_pipeline {
            let _ = writeln!(
                out,
                "A pipeline writes this stream from what it was delivered: {} messages in the \
                 log run, {} in the queue run{}. At the end the log still holds {} records; the \
                 queue holds {} messages.\n",
                stream.produced,
                stream.queue_produced,
                if stream.produced_identical {
                    ", the identical sequence in both"
                } else {
                    " (what the pipeline was delivered differs, so what it writes does too)"
                },
                stream.log_records_held,
                stream.queue_messages_held
            );
        } else {
            let _ = writeln!(
                out,
                "{} messages produced{}. At the end the log still holds {} records; the queue \
                 holds {} messages.\n",
                stream.produced,
                if stream.produced_identical {
                    ", the identical sequence in both runs"
                } else {
                    " (the two runs produced different sequences: this is a bug in eventlab)"
                },
                stream.log_records_held,
                stream.queue_messages_held
            );
        }
        for group in &stream.groups {
            let _ = writeln!(
                out,
                "### Group `{}` (service `{}`)\n",
                group.group, group.service
            );
            let _ = writeln!(out, "| | log | queue |\n|---|---:|---:|");
            for (label, log, queue) in rows(group) {
                let _ = writeln!(out, "| {label} | {log} | {queue} |");
            }
            let _ = writeln!(out);
            let notes = explain(stream, group);
            if notes.is_empty() {
                let _ = writeln!(
                    out,
                    "No difference that matters here: with this workload both brokers deliver \
                     every message once, in order.\n"
                );
            } else {
                let _ = writeln!(out, "What differs, and why:\n");
                for note in notes {
                    let _ = writeln!(out, "- {note}");
                }
                let _ = writeln!(out);
            }
        }
        if stream.groups.is_empty() {
            let _ = writeln!(out, "No service consumes this stream.\n");
        }
    }
    out
}

/// "1 message", "2 messages".
fn plural(count: u64, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// A learner's explanation of each difference between the two sides.
fn explain(stream: &StreamComparison, group: &GroupComparison) -> Vec<String> {
    let mut notes = Vec::new();
    order_notes(group, &mut notes);
    delivery_notes(group, &mut notes);
    holding_notes(stream, group, &mut notes);
    notes
}

/// Per-key order: why the queue's competing consumers break it and the log's partitions keep it.
fn order_notes(group: &GroupComparison, notes: &mut Vec<String>) {
    let (l, q) = (&group.log, &group.queue);
    if q.key_order_inversions > l.key_order_inversions {
        let in_flight = match group.settings.prefetch_count {
            0 => "with no prefetch limit here".to_string(),
            prefetch => format!("up to the prefetch count, {prefetch} here, each"),
        };
        let requeue = if q.redeliveries > 0 {
            ", and a requeued message came back after later ones were done"
        } else {
            ""
        };
        notes.push(format!(
            "**Order.** The queue completed {} after a later message with the same key \
             (first: `{}`). Its consumers compete for one queue: messages of one key are in \
             flight at several consumers at once ({in_flight}) and finish at different \
             speeds{requeue}, so a later message of a key can be completed before an earlier one. The \
             log gives each partition to exactly one member of the group, which reads it in \
             offset order, and a key always lands in the same partition, so per-key order holds \
             ({} inversions).",
            plural(q.key_order_inversions, "message"),
            q.first_inversion.as_deref().unwrap_or("?"),
            l.key_order_inversions
        ));
    } else if l.key_order_inversions > q.key_order_inversions {
        notes.push(format!(
            "**Order.** The log saw {} per-key inversions (first: `{}`), the queue {}: on the \
             log {}.",
            l.key_order_inversions,
            l.first_inversion.as_deref().unwrap_or("?"),
            q.key_order_inversions,
            causes::log_reorder(&l.causes)
        ));
    }
}

/// Redelivery, dead letters, loss and duplicates: what each broker did with a message that
/// was not processed once, and the cause this run had (`compare_causes`).
fn delivery_notes(group: &GroupComparison, notes: &mut Vec<String>) {
    let (l, q, settings) = (&group.log, &group.queue, group.settings);
    if q.redeliveries > 0 {
        notes.push(format!(
            "**Redelivery.** The queue delivered {} again with `redelivered=true` because {}. \
             A requeued message goes back to its original position and is delivered again — \
             often to another consumer, after later messages were already processed, which is \
             one more way a queue breaks order. {}",
            plural(q.redeliveries, "message"),
            causes::queue_redelivery(&q.causes),
            causes::log_reprocessing(&l.causes, l.duplicated)
        ));
    }
    if q.dead_lettered > 0 {
        notes.push(format!(
            "**Dead letters.** {} left the queue for its dead-letter exchange: {}; each carries \
             an `x-death` record with the reason. The log has no such path: records stay in \
             the log, and a consumer that cannot handle one must skip it or park it in another \
             topic itself.",
            plural(q.dead_lettered, "message"),
            causes::death_reasons(&q.causes.dead_lettered)
        ));
    }
    if l.lost != q.lost {
        let side = |lost: u64, first_lost: &Option<String>, noun: &str, cause: String| {
            if lost == 0 {
                "lost nothing".to_string()
            } else {
                format!("lost {}{}: {cause}", plural(lost, noun), first(first_lost))
            }
        };
        notes.push(format!(
            "**Loss.** On the log the group {}; on the queue it {}.",
            side(
                l.lost,
                &l.first_lost,
                "record",
                causes::log_loss(&l.causes, settings)
            ),
            side(
                q.lost,
                &q.first_lost,
                "message",
                causes::queue_loss(&q.causes, settings)
            )
        ));
    }
    if l.duplicated != q.duplicated {
        let queue = if q.duplicated == 0 && q.redeliveries == 0 {
            "The queue processed nothing twice: it redelivered nothing.".to_string()
        } else if q.duplicated == 0 {
            "The queue processed nothing twice: every message it redelivered had not been \
             processed before."
                .to_string()
        } else if q.causes.crashes > 0 {
            format!(
                "The queue processed {} twice: they were processed but not yet acknowledged \
                 when {} closed the consumer's connection, so the broker requeued them.",
                plural(q.duplicated, "message"),
                super::words::count(q.causes.crashes, "crash")
            )
        } else {
            format!(
                "The queue processed {} twice: they were processed and then nacked or left \
                 unacknowledged on a closed channel, so the broker requeued them.",
                plural(q.duplicated, "message")
            )
        };
        let log = causes::log_reprocessing(&l.causes, l.duplicated);
        notes.push(format!("**Duplicates.** {log} {queue}"));
    }
}

/// " (first `x`)", or nothing.
fn first(name: &Option<String>) -> String {
    name.as_deref()
        .map(|name| format!(" (first `{name}`)"))
        .unwrap_or_default()
}

/// Replay, backlog, storage and latency: what each broker keeps, and for how long.
fn holding_notes(stream: &StreamComparison, group: &GroupComparison, notes: &mut Vec<String>) {
    let (l, q) = (&group.log, &group.queue);
    if let (Some(history), Some(log_replayed), Some(queue_replayed)) =
        (l.replay_history, l.replayed, q.replayed)
    {
        notes.push(format!(
            "**Replay.** This service started late; {history} messages had been produced \
             before. On the log it read {log_replayed} of them: the log keeps every record, \
             and a new group starts where `auto.offset.reset` says (earliest: offset 0). On the \
             queue it got {queue_replayed}: its queue only exists from the moment it is declared \
             and bound, and the other services' queues deleted each message once acknowledged. \
             Replaying history needs a log."
        ));
    }
    if l.peak_backlog != q.peak_backlog {
        notes.push(format!(
            "**Backlog.** Peak lag on the log was {} records (appended but not yet committed by \
             the group); peak depth of the queue was {} (ready, not yet delivered). They \
             measure different things: a queue's depth counts only what waits for a consumer, \
             while lag also counts what a consumer has fetched and not committed.",
            l.peak_backlog,
            plural(q.peak_backlog, "message")
        ));
    }
    if stream.log_records_held != stream.queue_messages_held {
        notes.push(format!(
            "**Storage.** At the end the log still holds {} records — reading does not delete, \
             retention does — while the queue holds {} messages: an acknowledged message is \
             gone.",
            stream.log_records_held, stream.queue_messages_held
        ));
    }
    if l.latency_p99_us > q.latency_p99_us && l.members_expired > 0 {
        notes.push(format!(
            "**Latency.** p99 end-to-end latency: log {}, queue {}. The log's tail is the session \
             timeout: a crashed member's partitions wait, unread, until the coordinator has heard \
             nothing for `session.timeout.ms`, removes it ({} expired) and rebalances; the queue \
             requeues a dead consumer's unacked messages as soon as its connection closes.",
            format_us(l.latency_p99_us),
            format_us(q.latency_p99_us),
            super::words::count(l.members_expired, "member")
        ));
    } else if q.latency_p99_us > l.latency_p99_us && q.redeliveries > 0 {
        notes.push(format!(
            "**Latency.** p99 end-to-end latency: log {}, queue {}. The queue's tail is its \
             redeliveries: a message waits again after {}.",
            format_us(l.latency_p99_us),
            format_us(q.latency_p99_us),
            causes::queue_redelivery(&q.causes)
        ));
    } else if let Some(tail) =
        causes::queue_tail(group.settings).filter(|_| q.latency_p99_us > l.latency_p99_us)
    {
        notes.push(format!(
            "**Latency.** p99 end-to-end latency: log {}, queue {}. The queue's tail is the \
             prefetch: {tail}.",
            format_us(l.latency_p99_us),
            format_us(q.latency_p99_us)
        ));
    } else if l.latency_p99_us != q.latency_p99_us {
        notes.push(format!(
            "**Latency.** p99 end-to-end latency: log {}, queue {}. The log consumer polls (every \
             `poll_interval_ms`) and processes its batch one record at a time; the queue pushes \
             each message as soon as a consumer has prefetch credit.",
            format_us(l.latency_p99_us),
            format_us(q.latency_p99_us)
        ));
    }
}

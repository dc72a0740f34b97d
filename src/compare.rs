//! `eventlab compare`: one workload, both semantics.
//!
//! Runs the scenario twice with the same seed: once with every stream on the log, once with
//! every stream on the queue. Producers are open loop and message ids are (instance, sequence
//! number), so both runs produce the identical sequence (producer, message id, key, send time);
//! processing times are keyed by (seed, group, message id) and faults come from the same
//! timeline, so they match too. Only the broker differs. Queue-only settings (nacks, scripts,
//! TTL, max length, dead lettering) act in the queue run only: the log has no per-message
//! acknowledgement, so a log consumer processes each record once and moves on.

use std::io::Sink;

use crate::model::{Carrier, CommitMode, QueueLayout, Scenario};
use crate::report::compare::{CompareReport, GroupSide, StreamComparison};
use crate::report::compare_causes::{CauseFigures, CauseSettings};
use crate::report::{GroupReport, RunReport};
use crate::sim::StopReason;
use crate::simulate::{Run, RunOptions, simulate};

/// Both runs of a comparison.
pub struct Comparison {
    pub log: Run,
    pub queue: Run,
    pub report: CompareReport,
}

/// The scenario with every stream on `carrier`.
pub fn with_carrier(model: &Scenario, carrier: Carrier) -> Scenario {
    let mut model = model.clone();
    for stream in &mut model.streams {
        stream.carrier = carrier;
    }
    model.queue_layout = QueueLayout::new(&model.streams, &model.services, &model.groups);
    model
}

/// Runs both and builds the side-by-side report.
pub fn compare(model: &Scenario, reproduce: &str) -> Comparison {
    let run = |carrier: Carrier| {
        let options = RunOptions {
            until: None,
            reproduce: reproduce.to_string(),
            trace_window_us: None,
            logs: false,
            pictures: None,
        };
        simulate(&with_carrier(model, carrier), &options, None::<Sink>)
            .expect("no trace is written, so there is no I/O to fail")
    };
    let log = run(Carrier::Log);
    let queue = run(Carrier::Queue);
    let report = build(model, reproduce, &log, &queue);
    Comparison { log, queue, report }
}

/// Whether a run ended on its own (not at a limit).
pub fn completed(run: &Run) -> bool {
    !matches!(run.stop, StopReason::Limit { .. })
}

fn side(group: &GroupReport, run: &Run) -> GroupSide {
    let queue = group.queue.as_ref();
    let members_expired = members_expired(group, run);
    GroupSide {
        members_expired,
        delivered: group.consumed_distinct,
        processed: group.consumed,
        lost: group.checks.lost,
        first_lost: group.checks.first_lost.clone(),
        duplicated: group.checks.duplicated,
        first_duplicate: group.checks.first_duplicate.clone(),
        key_order_inversions: group.checks.key_order_inversions,
        first_inversion: group.checks.first_inversion.clone(),
        redeliveries: queue.map_or(group.checks.duplicated, |queue| queue.redeliveries),
        dead_lettered: queue.map_or(0, |queue| queue.dead_lettered),
        latency_p50_us: group.latency_us.p50,
        latency_p99_us: group.latency_us.p99,
        latency_max_us: group.latency_us.max,
        peak_backlog: queue.map_or(group.lag_max, |queue| queue.depth_max),
        left_unconsumed: group.unconsumed,
        replay_history: group.replay.as_ref().map(|replay| replay.history),
        replayed: group.replay.as_ref().map(|replay| replay.replayed),
        causes: cause_figures(group, run),
    }
}

/// Members of `group` the coordinator removed after their session timed out.
fn members_expired(group: &GroupReport, run: &Run) -> u64 {
    run.report
        .timeline
        .iter()
        .filter(|entry| {
            entry.kind == "member_expired" && entry.group.as_deref() == Some(group.group.as_str())
        })
        .count() as u64
}

/// The figures `compare`'s explanations decide their causes from: crashes of the group's
/// instances (from the timeline), evictions and failed commits (log), nacks, requeues and the
/// dead-letter and drop reasons of the group's queue (queue).
fn cause_figures(group: &GroupReport, run: &Run) -> CauseFigures {
    let crashes =
        run.report
            .timeline
            .iter()
            .filter(|entry| {
                entry.kind == "crashed"
                    && entry.instance.as_deref().is_some_and(|instance| {
                        group.instances.iter().any(|i| i.instance == instance)
                    })
            })
            .count() as u64;
    let queue = run
        .report
        .queues
        .iter()
        .find(|queue| queue.group.as_deref() == Some(group.group.as_str()));
    CauseFigures {
        crashes,
        sessions_expired: members_expired(group, run),
        poll_timeouts: group.poll_timeouts,
        commits_failed: group.commits_failed,
        nacked: queue.map_or(0, |queue| queue.nacked),
        requeued: queue.map_or(0, |queue| queue.requeued),
        dead_lettered: queue.map(|q| q.dead_lettered.clone()).unwrap_or_default(),
        dropped: queue.map(|q| q.dropped.clone()).unwrap_or_default(),
    }
}

/// The group's settings the causes depend on.
fn cause_settings(model: &Scenario, group_name: &str) -> CauseSettings {
    model
        .groups
        .iter()
        .find(|group| group.name == group_name)
        .map(|group| &model.service(group.service).consumes[group.consumption])
        .map(|consumption| CauseSettings {
            auto_ack: consumption.queue.auto_ack,
            prefetch_count: consumption.queue.prefetch_count,
            commit_before_processing: consumption.commit == CommitMode::BeforeProcessing,
        })
        .unwrap_or_default()
}

fn build(model: &Scenario, reproduce: &str, log: &Run, queue: &Run) -> CompareReport {
    let streams = model
        .streams
        .iter()
        .enumerate()
        .map(|(index, stream)| {
            let log_stream = &log.report.streams[index];
            let queue_stream = &queue.report.streams[index];
            let queues_held: u64 = queue
                .report
                .queues
                .iter()
                .filter(|q| q.stream == stream.name)
                .map(|q| q.ready_end + q.unacked_end)
                .sum();
            StreamComparison {
                stream: stream.name.clone(),
                produced: log_stream.produced,
                queue_produced: queue_stream.produced,
                written_by_pipeline: model.topology.written_by_pipeline(stream.id),
                produced_identical: log.report.produced_digest.get(index)
                    == queue.report.produced_digest.get(index)
                    && log_stream.produced == queue_stream.produced,
                log_records_held: log_stream.appended,
                queue_messages_held: queues_held,
                groups: log_stream
                    .groups
                    .iter()
                    .zip(&queue_stream.groups)
                    .map(
                        |(log_group, queue_group)| crate::report::compare::GroupComparison {
                            group: log_group.group.clone(),
                            service: log_group.service.clone(),
                            log: side(log_group, log),
                            queue: side(queue_group, queue),
                            settings: cause_settings(model, &log_group.group),
                        },
                    )
                    .collect(),
            }
        })
        .collect();
    CompareReport {
        eventlab_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: model.name.clone(),
        seed: model.seed,
        reproduce: reproduce.to_string(),
        log: summary(&log.report),
        queue: summary(&queue.report),
        streams,
    }
}

fn summary(report: &RunReport) -> crate::report::compare::RunSummary {
    crate::report::compare::RunSummary {
        stop: report.outcome.stop.clone(),
        limit: report.outcome.limit.clone(),
        ended_at_us: report.outcome.ended_at_us,
        events: report.outcome.events,
    }
}

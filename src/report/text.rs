//! The text report for people: times as `12.345 ms`, aligned tables, findings spelled out.

use std::fmt::Write;

use super::words::time_us as format_us;

use super::{ExpectOutcome, GroupReport, QueueReport, RunReport, StreamReport};

/// The report, every line within 80 columns (longer ones wrapped; `--format json` keeps every
/// list whole).
pub fn render(report: &RunReport) -> String {
    super::words::wrap_long_lines(&render_unwrapped(report), 80)
}

fn render_unwrapped(report: &RunReport) -> String {
    let mut out = String::new();
    render_outcome(&mut out, report);
    super::timeline::render_text(&mut out, report);
    for stream in &report.streams {
        render_stream(&mut out, stream);
        render_cleaner(&mut out, stream, &report.cleaner_passes);
        for group in &stream.groups {
            render_group(&mut out, group);
        }
    }
    super::tables::render_text(&report.pipelines, &report.tables, &mut out);
    super::schemas::render_text(&report.schemas, &mut out);
    for restore in &report.table_restores {
        let _ = writeln!(
            out,
            "table {} of {} restored by {} at {} from changelog \"{}\": read {} records ({} without compaction)",
            restore.table,
            restore.service,
            restore.instance,
            format_us(restore.at_us),
            restore.changelog,
            restore.read,
            restore.without_compaction
        );
    }
    for queue in &report.queues {
        render_queue(&mut out, queue);
    }
    super::deployment::render_text(report.deployment.as_ref(), &mut out);
    render_expectations(&mut out, &report.expect);
    out
}

/// Who ran what, with which setup, and how the run ended.
fn render_outcome(out: &mut String, report: &RunReport) {
    let o = &report.outcome;
    let _ = writeln!(
        out,
        "eventlab {} — scenario \"{}\", seed {}",
        report.eventlab_version, report.scenario, report.seed
    );
    let _ = writeln!(out, "reproduce with: {}", report.reproduce);
    let _ = writeln!(out);
    let _ = writeln!(out, "setup:");
    for line in &report.setup {
        let _ = writeln!(out, "  {line}");
    }
    let _ = writeln!(out);
    let ended = match (o.stop.as_str(), &o.limit) {
        ("drained", _) => "drained: producers finished and every group caught up".to_string(),
        ("records_consumed", _) => "the requested number of records was consumed".to_string(),
        ("stop_time", _) => "reached the stop time".to_string(),
        ("agenda_empty", _) => "nothing left to happen".to_string(),
        (_, Some(limit)) => format!("stopped at {limit} = {}", o.limit_value.unwrap_or(0)),
        (other, None) => other.to_string(),
    };
    let _ = writeln!(out, "run ended at {} ({ended})", format_us(o.ended_at_us));
    if let Some(last) = o.last_consumed_at_us {
        let _ = writeln!(out, "last record consumed at {}", format_us(last));
    }
    let _ = writeln!(
        out,
        "{} events, {} messages sent, {} dropped at crashed instances",
        o.events, o.messages_sent, o.messages_dropped
    );
    let f = &report.faults;
    if f.crashes + f.restarts + f.slow_periods + f.members_expired > 0 {
        let _ = writeln!(
            out,
            "faults: {}, {}, {}, {} expired by the coordinator",
            super::words::count(f.crashes, "crash"),
            super::words::count(f.restarts, "restart"),
            super::words::count(f.slow_periods, "slow period"),
            super::words::count(f.members_expired, "member")
        );
    }
}

/// A stream's header and counts.
fn render_stream(out: &mut String, stream: &StreamReport) {
    let _ = writeln!(out);
    match &stream.exchange_type {
        Some(exchange_type) => {
            let _ = writeln!(
                out,
                "stream \"{}\" (queue, {exchange_type} exchange)",
                stream.name
            );
        }
        None => {
            let _ = writeln!(
                out,
                "stream \"{}\" ({}, {}, {} partitioner)",
                stream.name,
                stream.carrier,
                super::words::count(stream.partitions.len() as u64, "partition"),
                stream.partitioner
            );
        }
    }
    let _ = writeln!(
        out,
        "  produced {}, appended {}, in flight {}",
        stream.produced, stream.appended, stream.in_flight
    );
    if stream.lost_in_producer > 0 {
        let _ = writeln!(
            out,
            "  lost in producer buffers at crashes: {} (waiting for linger.ms, never sent)",
            stream.lost_in_producer
        );
    }
    if !stream.producers.is_empty() {
        let producers: Vec<String> = stream
            .producers
            .iter()
            .map(|p| match &p.partitioner {
                None => format!("{} {}", p.instance, p.produced),
                Some(partitioner) => {
                    format!("{} {} ({partitioner})", p.instance, p.produced)
                }
            })
            .collect();
        let _ = writeln!(out, "  producers: {}", producers.join(", "));
    }
    if stream.dead_letters_received > 0 {
        let _ = writeln!(
            out,
            "  dead letters received from other queues {}",
            stream.dead_letters_received
        );
    }
    if let Some(unroutable) = stream.unroutable {
        let _ = writeln!(out, "  unroutable (matched no queue) {unroutable}");
    } else {
        let sizes: Vec<String> = stream
            .partitions
            .iter()
            .map(|p| p.appended.to_string())
            .collect();
        let _ = writeln!(out, "  records per partition: {}", sizes.join(" / "));
    }
    if stream.deleted_by_retention > 0 {
        let starts: Vec<String> = stream
            .partitions
            .iter()
            .map(|p| p.log_start_offset.to_string())
            .collect();
        let _ = writeln!(
            out,
            "  retention deleted {} records; log start offsets: {}",
            stream.deleted_by_retention,
            starts.join(" / ")
        );
    }
    for created in &stream.partitions_created {
        let _ = writeln!(
            out,
            "  partitions created at {}: now {} partitions (Kafka CreatePartitions)",
            format_us(created.at_us),
            created.partition_count
        );
    }
    if let Some(keys) = &stream.keys_moved {
        let why = if stream.partitions_created.is_empty() {
            "the producers' partitioners disagree"
        } else {
            "their records after the change went elsewhere"
        };
        let _ = writeln!(
            out,
            "  keys on more than one partition: {} of {} keys ({why})",
            keys.moved, keys.keys
        );
    }
}

/// Admin offset resets and poll-timeout evictions of a group, when it had any.
fn render_membership(out: &mut String, group: &GroupReport) {
    for reset in &group.admin_resets {
        let outcome = if reset.done {
            "committed offsets moved; the group resumes from them".to_string()
        } else {
            let members = match reset.members {
                1 => "1 member".to_string(),
                count => format!("{count} members"),
            };
            format!("refused: {members} in the group (stop it first)")
        };
        let _ = writeln!(
            out,
            "    reset-offsets {} at {}: {outcome}",
            reset.mode,
            format_us(reset.at_us)
        );
    }
    if group.reset_not_consulted > 0 {
        let _ = writeln!(
            out,
            "    auto.offset.reset not consulted for {} partitions: the group formed again and resumed from its committed offsets",
            group.reset_not_consulted
        );
    }
    if group.no_offset_partitions > 0 {
        let _ = writeln!(
            out,
            "    auto.offset.reset=none: no committed offset for {} partitions, so poll() throws NoOffsetForPartitionException and nobody reads them",
            group.no_offset_partitions
        );
    }
    if group.static_returns > 0 {
        let _ = writeln!(
            out,
            "    static members back within their session, no rebalance: {}",
            group.static_returns
        );
    }
    if group.poll_timeouts > 0 {
        let _ = writeln!(
            out,
            "    poll timeouts {} (a member went max.poll.interval.ms without polling, left the group and its partitions moved), commits failed {}",
            group.poll_timeouts, group.commits_failed
        );
    }
}

/// A compacted stream: one line per cleaner pass, then what the cleaner and the key rule did.
fn render_cleaner(out: &mut String, stream: &StreamReport, passes: &[super::CleanerPassReport]) {
    let Some(policy) = &stream.cleanup_policy else {
        return;
    };
    for pass in passes.iter().filter(|pass| pass.stream == stream.name) {
        let _ = writeln!(
            out,
            "  cleaner at {}: partition {} offsets {}..{} dirty, removed {} records ({} tombstones)",
            format_us(pass.at_us),
            pass.partition,
            pass.first_dirty_offset,
            pass.end_offset,
            pass.removed,
            pass.tombstones_removed
        );
    }
    let ratios: Vec<String> = stream
        .partitions
        .iter()
        .map(|p| p.dirty_ratio.map_or("-".to_string(), |r| format!("{r:.2}")))
        .collect();
    let _ = writeln!(
        out,
        "  cleanup.policy {policy}: cleaner removed {} records; dirty ratio at the end: {}",
        stream.removed_by_cleaner.unwrap_or(0),
        ratios.join(" / ")
    );
    if let Some(rejected) = stream.rejected_unkeyed.filter(|&count| count > 0) {
        let _ = writeln!(
            out,
            "  refused {rejected} records without a key (a compacted stream needs keys)"
        );
    }
}

/// The rebalances shown in the text, at most; JSON lists them all (up to 1,000).
const REBALANCE_LINES_MAX: usize = 12;

/// One line per rebalance: its cause, the group's pause, partitions moved, who paused.
fn render_rebalances(out: &mut String, group: &GroupReport) {
    for rebalance in group.rebalance_list.iter().take(REBALANCE_LINES_MAX) {
        let pause = match rebalance.pause_us {
            Some(0) => "no pause".to_string(),
            Some(pause_us) => format!("paused {}", format_us(pause_us)),
            None => "not resumed by the end".to_string(),
        };
        let members: Vec<String> = rebalance
            .paused_members
            .iter()
            .filter_map(|member| {
                let pause_us = member.pause_us?;
                Some(format!("{} {}", member.instance, format_us(pause_us)))
            })
            .collect();
        let members = if members.is_empty() {
            String::new()
        } else {
            format!(" (revoked: {})", members.join(", "))
        };
        let _ = writeln!(
            out,
            "    rebalance to generation {} at {} ({}): {pause}, {} moved{members}",
            rebalance.generation,
            format_us(rebalance.started_at_us),
            rebalance.cause,
            match rebalance.partitions_moved {
                1 => "1 partition".to_string(),
                count => format!("{count} partitions"),
            },
        );
    }
    let more = group
        .rebalance_list
        .len()
        .saturating_sub(REBALANCE_LINES_MAX);
    if more > 0 {
        let _ = writeln!(out, "    … {more} more rebalances (see --format json)");
    }
}

/// One group of a stream: consumption, lag or queue depth, latency, checks.
fn render_group(out: &mut String, group: &GroupReport) {
    match &group.assignment {
        None => {
            let _ = writeln!(
                out,
                "  group \"{}\" (service \"{}\")",
                group.group, group.service
            );
        }
        Some(assignment) => {
            let _ = writeln!(
                out,
                "  group \"{}\" (service \"{}\", {} assignor, {} rebalancing)",
                group.group, group.service, assignment.strategy, assignment.protocol
            );
        }
    }
    let _ = writeln!(
        out,
        "    consumed {} ({} distinct), unconsumed at end {}, rebalances {}",
        group.consumed, group.consumed_distinct, group.unconsumed, group.rebalances
    );
    render_rebalances(out, group);
    render_membership(out, group);
    if let Some(queue) = &group.queue {
        let _ = writeln!(
            out,
            "    queue \"{}\": peak depth {}, redeliveries {}, dead-lettered {}",
            queue.queue, queue.depth_max, queue.redeliveries, queue.dead_lettered
        );
    } else {
        // Lag counts from the committed offsets, so records consumed since the last
        // commit still count: say so, or "lag 3, unconsumed 0" puzzles a learner.
        let uncommitted = group.lag_end.saturating_sub(group.unconsumed);
        let note = if uncommitted > 0 {
            format!(" ({uncommitted} consumed but not yet committed)")
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "    lag at end {}{note}, max lag {} records",
            group.lag_end, group.lag_max
        );
    }
    let l = &group.latency_us;
    if l.count > 0 {
        let _ = writeln!(
            out,
            "    end-to-end latency: p50 {}, p90 {}, p99 {}, max {}",
            format_us(l.p50),
            format_us(l.p90),
            format_us(l.p99),
            format_us(l.max)
        );
    }
    let per_instance: Vec<String> = group
        .instances
        .iter()
        .map(|i| format!("{} {}", i.instance, i.consumed))
        .collect();
    let _ = writeln!(out, "    per instance: {}", per_instance.join(", "));
    if group.queue.is_none() {
        render_partitions(out, group);
    }
    let c = &group.checks;
    // A dead-lettered message was not lost by the broker, but this group never processed it:
    // "0 lost" alone would hide that.
    let dead = match &group.queue {
        Some(queue) if queue.dead_lettered > 0 => {
            format!(" ({} dead-lettered, not processed)", queue.dead_lettered)
        }
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "    checks: {} lost{}{dead}, {} duplicated{}, {} key-order inversions{}",
        c.lost,
        first(&c.first_lost),
        c.duplicated,
        first(&c.first_duplicate),
        c.key_order_inversions,
        first(&c.first_inversion)
    );
    if let Some(skipped) = c.compacted_away.filter(|&count| count > 0) {
        let _ = writeln!(
            out,
            "    skipped {skipped} offsets the cleaner had removed (compaction, not loss)"
        );
    }
    render_publish_order(out, group);
}

/// Publish-order inversions: a log group's across partitions (when not 0), a queue group's always.
fn render_publish_order(out: &mut String, group: &GroupReport) {
    let c = &group.checks;
    if let Some(inversions) = c.publish_order_inversions.filter(|&n| n > 0) {
        let _ = writeln!(
            out,
            "    publish-order inversions {inversions} across partitions{}",
            first(&c.first_publish_order_inversion)
        );
    }
    if let Some(queue) = &group.queue {
        let _ = writeln!(
            out,
            "    publish-order inversions {}{}",
            queue.publish_order_inversions,
            first(&queue.first_publish_order_inversion)
        );
    }
}

/// A log group's partitions: consumed and committed, largest lag, owners over the run.
fn render_partitions(out: &mut String, group: &GroupReport) {
    let per_partition: Vec<String> = group
        .partitions
        .iter()
        .map(|p| format!("{}:{}@{}", p.partition, p.consumed, p.committed_offset))
        .collect();
    let _ = writeln!(
        out,
        "    per partition (consumed@committed): {}",
        per_partition.join(" ")
    );
    let lag_max: Vec<String> = group
        .partitions
        .iter()
        .map(|p| format!("{}:{}", p.partition, p.lag_max))
        .collect();
    let _ = writeln!(out, "    max lag per partition: {}", lag_max.join(" "));
    for partition in &group.partitions {
        let head = format!("    partition {} owners: ", partition.partition);
        out.push_str(&super::words::wrap(
            &super::timeline::owners_text(&partition.owners),
            80,
            &head,
            8,
        ));
    }
}

fn render_expectations(out: &mut String, expectations: &[ExpectOutcome]) {
    if !expectations.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "expectations:");
        for expect in expectations {
            let mark = match (expect.passed, expect.not_evaluated) {
                (_, true) => "n/a ",
                (true, false) => "ok  ",
                (false, false) => "FAIL",
            };
            let _ = writeln!(
                out,
                "  {mark} {} on \"{}\": {}",
                expect.check, expect.stream, expect.detail
            );
        }
    }
}

/// How many deliveries per consumer, and leftover messages, the text report spells out.
const TEXT_LIST_MAX: usize = 20;

fn render_queue(out: &mut String, queue: &QueueReport) {
    let _ = writeln!(out);
    let owner = match &queue.group {
        Some(group) => format!("group \"{group}\""),
        None => "dead-letter holding queue".to_string(),
    };
    let _ = writeln!(
        out,
        "queue \"{}\" (exchange \"{}\", {owner})",
        queue.name, queue.stream
    );
    let _ = writeln!(
        out,
        "  enqueued {}, deliveries {} ({} redelivered), acked {}, nacked {}, requeued {}",
        queue.enqueued,
        queue.deliveries,
        queue.redeliveries,
        queue.acked,
        queue.nacked,
        queue.requeued
    );
    let d = &queue.dead_lettered;
    let x = &queue.dropped;
    if d.rejected
        + d.expired
        + d.maxlen
        + x.rejected
        + x.expired
        + x.maxlen
        + queue.publish_rejected
        > 0
    {
        let _ = writeln!(
            out,
            "  dead-lettered: {} rejected, {} expired, {} maxlen; dropped: {} rejected, {} expired, {} maxlen; publishes refused {}",
            d.rejected,
            d.expired,
            d.maxlen,
            x.rejected,
            x.expired,
            x.maxlen,
            queue.publish_rejected
        );
    }
    let _ = writeln!(
        out,
        "  peak depth {}, at end {} ready + {} unacked",
        queue.depth_max, queue.ready_end, queue.unacked_end
    );
    render_consumers(out, queue);
    render_left(out, queue);
}

/// Each consumer's first deliveries, in order.
fn render_consumers(out: &mut String, queue: &QueueReport) {
    for consumer in &queue.consumers {
        let shown: Vec<String> = consumer
            .deliveries
            .iter()
            .take(TEXT_LIST_MAX)
            .map(|delivery| {
                let mut text = delivery.msg.clone();
                if delivery.redelivered {
                    text.push_str(" (redelivered)");
                }
                if delivery.get {
                    text.push_str(" (get)");
                }
                text
            })
            .collect();
        let more = consumer.deliveries_total.saturating_sub(shown.len() as u64);
        let tail = if more > 0 {
            format!(", … {more} more")
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {} received: {}{tail}",
            consumer.instance,
            shown.join(", ")
        );
    }
}

/// What was left in the queue at the end, head first.
fn render_left(out: &mut String, queue: &QueueReport) {
    if queue.left_total > 0 {
        let shown: Vec<String> = queue
            .left
            .iter()
            .take(TEXT_LIST_MAX)
            .map(|left| {
                let mut text = left.msg.clone();
                if let Some(death) = &left.death {
                    text.push_str(&format!(
                        " ({} in \"{}\", x-death count {})",
                        death.reason, death.queue, death.count
                    ));
                } else if left.unacked {
                    text.push_str(" (unacked)");
                }
                text
            })
            .collect();
        let more = queue.left_total.saturating_sub(shown.len() as u64);
        let tail = if more > 0 {
            format!(", … {more} more")
        } else {
            String::new()
        };
        let _ = writeln!(out, "  left in queue: {}{tail}", shown.join(", "));
    }
}

fn first(name: &Option<String>) -> String {
    match name {
        Some(name) => format!(" (first: {name})"),
        None => String::new(),
    }
}

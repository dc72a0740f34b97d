//! The queue section of a run report: each queue's figures from `collect::queues`, with
//! instances, queues and messages named.

use crate::collect::queues::{self as figures, QueueCollector};
use crate::model::Scenario;
use crate::sim::SimTime;

use super::build::message_name;
use super::{
    DeathCounts, DeathEntry, DeliveryEntry, LeftMessage, QueueConsumerReport, QueueReport,
};

fn death_counts(counts: figures::DeathCounts) -> DeathCounts {
    DeathCounts {
        rejected: counts.rejected,
        expired: counts.expired,
        maxlen: counts.maxlen,
    }
}

/// Each consumer's deliveries in order (the first `LIST_MAX`).
fn consumer_reports(model: &Scenario, stats: &figures::QueueStats) -> Vec<QueueConsumerReport> {
    stats
        .consumers
        .iter()
        .filter_map(|track| {
            Some(QueueConsumerReport {
                instance: model.instance(track.instance?).name.clone(),
                deliveries_total: track.total,
                deliveries: track
                    .deliveries
                    .iter()
                    .map(|&(msg, redelivered, get)| DeliveryEntry {
                        msg: message_name(model, msg),
                        redelivered,
                        get,
                    })
                    .collect(),
            })
        })
        .collect()
}

/// What is left in the queue at the end, head first (the first `LIST_MAX`).
fn left_messages(
    model: &Scenario,
    collector: &QueueCollector,
    stats: &figures::QueueStats,
) -> Vec<LeftMessage> {
    stats
        .left
        .iter()
        .map(|&(msg, redelivered, unacked, death)| LeftMessage {
            msg: message_name(model, msg),
            redelivered,
            unacked,
            death: death.map(|(reason, queue, count)| DeathEntry {
                reason: reason.name().to_string(),
                queue: collector.layout.queue(queue).name.clone(),
                count,
            }),
        })
        .collect()
}

/// One report per queue, in the queue layout's order.
pub fn reports(model: &Scenario, collector: &QueueCollector) -> Vec<QueueReport> {
    collector
        .layout
        .queues
        .iter()
        .zip(&collector.queues)
        .map(|(decl, stats)| QueueReport {
            name: decl.name.clone(),
            stream: model.stream(decl.stream).name.clone(),
            group: decl.group.map(|group| model.group(group).name.clone()),
            declared_at_us: stats.declared_at.map(SimTime::as_us),
            enqueued: stats.enqueued,
            deliveries: stats.deliveries,
            redeliveries: stats.redeliveries,
            acked: stats.acked,
            nacked: stats.nacked,
            requeued: stats.requeued,
            dead_lettered: death_counts(stats.dead_lettered),
            dropped: death_counts(stats.dropped),
            publish_rejected: stats.publish_rejected,
            depth_max: stats.depth_max,
            ready_end: stats.ready,
            unacked_end: stats.unacked,
            consumers: consumer_reports(model, stats),
            left_total: stats.left_total,
            left: left_messages(model, collector, stats),
        })
        .collect()
}

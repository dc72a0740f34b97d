//! The causes `compare` names for a difference between its two runs, decided from each run's
//! figures (crashes of the group's instances, evictions, nacks, requeues, dead-letter and drop
//! reasons) and the group's settings (auto-ack, prefetch, commit placement): each function
//! returns the phrase for the cause that actually happened, not a list of what could have. It
//! neither gathers the figures (`crate::compare` does) nor lays out the report
//! (`report::compare` does).

use serde::Serialize;

use super::DeathCounts;
use super::words::count;

/// What happened to one group in one run, beyond the checkers' counts: the figures a cause is
/// decided from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CauseFigures {
    /// Crashes of the group's service instances (the faults timeline's `crashed`).
    pub crashes: u64,
    /// Log: members the coordinator removed after `session.timeout.ms` without a heartbeat.
    pub sessions_expired: u64,
    /// Log: members evicted for exceeding `max.poll.interval.ms` (KIP-62).
    pub poll_timeouts: u64,
    /// Log: offset commits the coordinator rejected (the member was no longer in the group).
    pub commits_failed: u64,
    /// Queue: deliveries the consumers nacked or rejected.
    pub nacked: u64,
    /// Queue: messages put back by a nack/reject with requeue or a closed channel.
    pub requeued: u64,
    /// Queue: dead-lettered, by x-death reason.
    pub dead_lettered: DeathCounts,
    /// Queue: dropped (no dead-letter exchange), by reason.
    pub dropped: DeathCounts,
}

/// The group's settings a cause depends on (the same in both runs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CauseSettings {
    /// Queue: `basic.consume` with `no-ack`.
    pub auto_ack: bool,
    /// Queue: `basic.qos` prefetch_count (0: unlimited).
    pub prefetch_count: u32,
    /// Log: offsets are committed before the records are processed.
    pub commit_before_processing: bool,
}

/// Why the queue redelivered: the nacks and the crashes this run had.
pub fn queue_redelivery(q: &CauseFigures) -> String {
    let mut causes = Vec::new();
    let requeued_by_nack = q
        .nacked
        .saturating_sub(q.dead_lettered.rejected + q.dropped.rejected);
    if requeued_by_nack > 0 {
        causes.push(format!(
            "the consumers nacked or rejected {} with `requeue=true`",
            count(requeued_by_nack, "delivery")
        ));
    }
    if q.crashes > 0 {
        causes.push(format!(
            "{} closed the connection of a consumer holding unacknowledged messages, which the \
             broker requeued at once",
            count(q.crashes, "crash")
        ));
    }
    if causes.is_empty() {
        causes.push(
            "a consumer closed its channel while it held unacknowledged messages, which the \
             broker requeued"
                .to_string(),
        );
    }
    causes.join(", and ")
}

/// Why the log processed records again, or why it did not.
pub fn log_reprocessing(l: &CauseFigures, duplicated: u64) -> String {
    if duplicated == 0 {
        return "The log processed nothing twice: it has no per-message acknowledgement, no nack \
                and no requeue, so a record is read again only when a group goes back to an \
                older committed offset (after a crash or an eviction), and none did here."
            .to_string();
    }
    let mut causes = Vec::new();
    if l.crashes > 0 {
        causes.push(format!(
            "after {} the partitions' new owner resumed from the last committed offset, so what \
             had been processed since that commit was processed again",
            count(l.crashes, "crash")
        ));
    }
    if l.sessions_expired > l.crashes {
        causes.push(format!(
            "the coordinator heard no heartbeat for `session.timeout.ms` and removed {} (a \
             network partition or a pause, not only a crash), and the partitions' new owners \
             resumed from the last committed offsets, so what had been processed past them was \
             processed again",
            count(l.sessions_expired, "member")
        ));
    }
    if l.poll_timeouts > 0 {
        causes.push(format!(
            "{} evicted for exceeding `max.poll.interval.ms` could not commit ({} rejected), so \
             the partitions' new owners read those records again",
            count(l.poll_timeouts, "member"),
            count(l.commits_failed, "commit")
        ));
    }
    if causes.is_empty() {
        causes.push(
            "a rebalance moved partitions before their records' offsets were committed, so the \
             new owners read them again"
                .to_string(),
        );
    }
    format!(
        "The log processed {} again: {}.",
        count(duplicated, "record"),
        causes.join("; and ")
    )
}

/// Why a log group broke per-key order: the partition moves this run had.
pub fn log_reorder(l: &CauseFigures) -> String {
    if l.crashes > 0 {
        format!(
            "{} moved partitions to another member, which re-read them from the last commit \
             while later records of their keys had been processed",
            count(l.crashes, "crash")
        )
    } else if l.poll_timeouts > 0 {
        format!(
            "{} evicted for exceeding `max.poll.interval.ms` kept processing its batch while \
             its partitions' new owner read the same keys",
            count(l.poll_timeouts, "member")
        )
    } else {
        "a rebalance or a producer's partitioner moved a key between partitions".to_string()
    }
}

/// The dead-letter reasons that occurred, e.g. "3 rejected without requeue and 2 expired by
/// TTL (`x-message-ttl`)".
pub fn death_reasons(counts: &DeathCounts) -> String {
    let mut reasons = Vec::new();
    if counts.rejected > 0 {
        reasons.push(format!("{} rejected without requeue", counts.rejected));
    }
    if counts.expired > 0 {
        reasons.push(format!(
            "{} expired by TTL (`x-message-ttl`)",
            counts.expired
        ));
    }
    if counts.maxlen > 0 {
        reasons.push(format!(
            "{} pushed out of the head by `x-max-length` (overflow `drop-head`)",
            counts.maxlen
        ));
    }
    join_and(reasons)
}

/// Why the queue lost messages in this run (call it when it did).
pub fn queue_loss(q: &CauseFigures, settings: CauseSettings) -> String {
    let mut causes = Vec::new();
    if settings.auto_ack && q.crashes > 0 {
        causes.push(format!(
            "its consumers use auto-ack, so the broker forgot each message the moment it sent \
             it, and {} lost what the dead consumer held",
            count(q.crashes, "crash")
        ));
    }
    let dropped = q.dropped.rejected + q.dropped.expired + q.dropped.maxlen;
    if dropped > 0 {
        causes.push(format!(
            "the queue has no dead-letter exchange, so {} went nowhere",
            death_reasons(&q.dropped)
        ));
    }
    if causes.is_empty() {
        causes.push("messages were dropped".to_string());
    }
    causes.join("; ")
}

/// Why the log lost records in this run (call it when it did).
pub fn log_loss(l: &CauseFigures, settings: CauseSettings) -> String {
    if settings.commit_before_processing && l.crashes > 0 {
        format!(
            "the group commits offsets before processing, and after {} the new owner resumed \
             past records that were committed but never processed (at-most-once)",
            count(l.crashes, "crash")
        )
    } else {
        "the group's committed offset passed records it never processed (retention deleted \
         them first, or a reset skipped them)"
            .to_string()
    }
}

/// The queue's latency tail when no crash or redelivery explains it: the prefetch, when it lets
/// one consumer hold several messages.
pub fn queue_tail(settings: CauseSettings) -> Option<String> {
    match settings.prefetch_count {
        1 => None,
        0 => Some(
            "the prefetch is unlimited (`prefetch_count` 0): the broker pushes every ready \
             message to a consumer at once, and what a slow consumer holds waits for it while \
             the others are idle"
                .to_string(),
        ),
        prefetch => Some(format!(
            "with `prefetch_count` {prefetch} a consumer holds up to {prefetch} unacknowledged \
             messages: what a slow consumer holds waits for it, and no other consumer may take \
             them"
        )),
    }
}

/// "a", "a and b", "a, b and c".
fn join_and(mut items: Vec<String>) -> String {
    match items.len() {
        0 => String::new(),
        1 => items.remove(0),
        _ => {
            let last = items.pop().expect("two or more");
            format!("{} and {last}", items.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deaths(rejected: u64, expired: u64, maxlen: u64) -> DeathCounts {
        DeathCounts {
            rejected,
            expired,
            maxlen,
        }
    }

    #[test]
    fn a_redelivery_names_the_nacks_or_the_crash_that_caused_it() {
        let nacks = CauseFigures {
            nacked: 5,
            requeued: 3,
            dead_lettered: deaths(2, 0, 0),
            ..CauseFigures::default()
        };
        let text = queue_redelivery(&nacks);
        assert!(text.contains("nacked or rejected 3 deliveries"), "{text}");
        assert!(!text.contains("crash"), "{text}");
        let crash = CauseFigures {
            crashes: 1,
            requeued: 4,
            ..CauseFigures::default()
        };
        let text = queue_redelivery(&crash);
        assert!(text.starts_with("1 crash closed"), "{text}");
        assert!(!text.contains("nacked"), "{text}");
    }

    #[test]
    fn log_reprocessing_names_the_crash_or_the_eviction() {
        let crash = CauseFigures {
            crashes: 1,
            ..CauseFigures::default()
        };
        let text = log_reprocessing(&crash, 12);
        assert!(text.starts_with("The log processed 12 records again: after 1 crash"));
        let evicted = CauseFigures {
            poll_timeouts: 1,
            commits_failed: 2,
            ..CauseFigures::default()
        };
        let text = log_reprocessing(&evicted, 3);
        assert!(text.contains("1 member evicted for exceeding `max.poll.interval.ms`"));
        assert!(!text.contains("crash"), "{text}");
        assert!(log_reprocessing(&crash, 0).starts_with("The log processed nothing twice"));
        let cut_off = CauseFigures {
            sessions_expired: 2,
            ..CauseFigures::default()
        };
        let text = log_reprocessing(&cut_off, 9);
        assert!(text.contains("removed 2 members"), "{text}");
        assert!(!text.contains("rebalance moved"), "{text}");
    }

    #[test]
    fn death_reasons_list_only_what_happened() {
        assert_eq!(
            death_reasons(&deaths(0, 4, 0)),
            "4 expired by TTL (`x-message-ttl`)"
        );
        assert_eq!(
            death_reasons(&deaths(1, 2, 3)),
            "1 rejected without requeue, 2 expired by TTL (`x-message-ttl`) and 3 pushed out of \
             the head by `x-max-length` (overflow `drop-head`)"
        );
    }

    #[test]
    fn loss_is_blamed_on_auto_ack_only_when_an_auto_ack_consumer_crashed() {
        let figures = CauseFigures {
            crashes: 1,
            ..CauseFigures::default()
        };
        let auto_ack = CauseSettings {
            auto_ack: true,
            ..CauseSettings::default()
        };
        assert!(queue_loss(&figures, auto_ack).contains("auto-ack"));
        let dropped = CauseFigures {
            dropped: deaths(0, 3, 0),
            ..CauseFigures::default()
        };
        let text = queue_loss(&dropped, auto_ack);
        assert!(!text.contains("auto-ack"), "{text}");
        assert!(text.contains("3 expired by TTL"), "{text}");
        let before = CauseSettings {
            commit_before_processing: true,
            ..CauseSettings::default()
        };
        assert!(log_loss(&figures, before).contains("commits offsets before processing"));
        assert!(!log_loss(&figures, CauseSettings::default()).contains("before processing"));
    }

    #[test]
    fn the_queue_tail_names_the_prefetch_unless_it_is_one() {
        let with = |prefetch_count| CauseSettings {
            prefetch_count,
            ..CauseSettings::default()
        };
        assert_eq!(queue_tail(with(1)), None);
        assert!(
            queue_tail(with(0))
                .expect("unlimited")
                .contains("unlimited")
        );
        assert!(queue_tail(with(50)).expect("50").contains("up to 50"));
    }
}

//! Dead lettering, after RabbitMQ's "Dead Letter Exchanges" guide.
//!
//! A message is dead-lettered when it is rejected or nacked with `requeue=false`, when its TTL
//! expires, or when it is dropped or refused for `x-max-length` (`drop-head`,
//! `reject-publish-dlx`). If its queue has `x-dead-letter-exchange`, it is republished there
//! with `x-dead-letter-routing-key` (or its own routing key) and gains an `x-death` entry per
//! (queue, reason) with a count, most recent first; otherwise it is dropped. Its per-message
//! `expiration` is removed. A message that would be dead-lettered into a queue it already died
//! in, with no rejection anywhere in its history, is dropped instead (the guide's cycle rule).

use crate::model::{DeathReason, QueueId};

/// One x-death entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct XDeath {
    pub queue: QueueId,
    pub reason: DeathReason,
    pub count: u32,
}

/// The x-death headers of every dead-lettered message; a message refers to its list by index.
#[derive(Debug, Default)]
pub struct DeathTable {
    lists: Vec<Vec<XDeath>>,
}

impl DeathTable {
    /// Records one more death of the message (whose handle is `death`, 0 for none yet) and
    /// returns its handle.
    pub fn record(&mut self, death: u32, queue: QueueId, reason: DeathReason) -> u32 {
        let handle = if death == 0 {
            self.lists.push(Vec::new());
            self.lists.len() as u32
        } else {
            death
        };
        let list = &mut self.lists[handle as usize - 1];
        match list
            .iter()
            .position(|entry| entry.queue == queue && entry.reason == reason)
        {
            Some(index) => {
                let mut entry = list.remove(index);
                entry.count += 1;
                list.insert(0, entry);
            }
            None => list.insert(
                0,
                XDeath {
                    queue,
                    reason,
                    count: 1,
                },
            ),
        }
        handle
    }

    /// The most recent x-death entry.
    pub fn latest(&self, death: u32) -> Option<XDeath> {
        if death == 0 {
            return None;
        }
        self.lists[death as usize - 1].first().copied()
    }

    /// Dead-lettering into `target` would close a cycle with no rejection in it.
    pub fn cycles(&self, death: u32, target: QueueId) -> bool {
        if death == 0 {
            return false;
        }
        let list = &self.lists[death as usize - 1];
        list.iter().any(|entry| entry.queue == target)
            && list
                .iter()
                .all(|entry| entry.reason != DeathReason::Rejected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x_death_counts_per_queue_and_reason_most_recent_first() {
        let mut table = DeathTable::default();
        let handle = table.record(0, QueueId(0), DeathReason::Expired);
        let handle = table.record(handle, QueueId(1), DeathReason::Rejected);
        let handle = table.record(handle, QueueId(0), DeathReason::Expired);
        assert_eq!(
            table.latest(handle),
            Some(XDeath {
                queue: QueueId(0),
                reason: DeathReason::Expired,
                count: 2
            })
        );
        assert!(
            !table.cycles(handle, QueueId(0)),
            "a rejection breaks the cycle"
        );
        let expired_only = table.record(0, QueueId(2), DeathReason::Expired);
        assert!(table.cycles(expired_only, QueueId(2)));
        assert!(!table.cycles(expired_only, QueueId(3)));
    }
}

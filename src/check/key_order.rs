//! Per-key order: within one group, the first deliveries of one producer's records with one key
//! must follow the order in which they were produced. Duplicates are counted by the delivery
//! checker and ignored here. State: per key, the last first-delivered sequence number of each
//! producer that used the key: with up to `DENSE_PRODUCERS_MAX` instances a dense table, one
//! slot per (key, instance), key-major (no search, and the producers' current keys share cache
//! lines); otherwise a short list per key (few producers share a key).

use crate::model::{KeyId, MessageId};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyOrderFindings {
    /// Records first delivered after a later record of the same key and producer.
    pub inversions: u64,
    pub first_inversion: Option<MessageId>,
}

/// Up to this many instances, the dense table (at most 64 bytes per key).
pub const DENSE_PRODUCERS_MAX: usize = 16;

#[derive(Clone, Debug)]
pub struct KeyOrderChecker {
    /// Dense: `dense[key * producers + producer]` = the last sequence number + 1 (0: none).
    dense: Vec<u32>,
    /// Instances per key in `dense`; 0 when the lists are used.
    producers: usize,
    last: Vec<Vec<MessageId>>,
    pub findings: KeyOrderFindings,
}

impl KeyOrderChecker {
    /// For `key_count` keys and messages from instances `0..instance_count`.
    pub fn new(key_count: usize, instance_count: usize) -> Self {
        let dense = (1..=DENSE_PRODUCERS_MAX).contains(&instance_count);
        KeyOrderChecker {
            dense: if dense {
                vec![0; key_count * instance_count]
            } else {
                Vec::new()
            },
            producers: if dense { instance_count } else { 0 },
            last: if dense {
                Vec::new()
            } else {
                vec![Vec::new(); key_count]
            },
            findings: KeyOrderFindings::default(),
        }
    }

    /// Makes room for a key a pipeline made during the run.
    #[cold]
    fn grow(&mut self, index: usize) {
        if self.producers > 0 {
            self.dense.resize((index + 1) * self.producers, 0);
        } else {
            self.last.resize_with(index + 1, Vec::new);
        }
    }

    #[inline]
    fn inversion(&mut self, msg: MessageId) {
        self.findings.inversions += 1;
        self.findings.first_inversion.get_or_insert(msg);
    }

    /// Call for first deliveries only.
    pub fn on_first_delivery(&mut self, key: Option<KeyId>, msg: MessageId) {
        let Some(key) = key else { return };
        if self.producers > 0 {
            debug_assert!(msg.producer.index() < self.producers);
            let at = key.index() * self.producers + msg.producer.index();
            if at >= self.dense.len() {
                self.grow(key.index());
            }
            let last = self.dense[at];
            // `seq + 1` fits: an instance's sequence numbers stop below u32::MAX.
            if last > 0 && last - 1 > msg.seq {
                self.inversion(msg);
            } else {
                self.dense[at] = msg.seq + 1;
            }
            return;
        }
        if key.index() >= self.last.len() {
            self.grow(key.index());
        }
        let last = &mut self.last[key.index()];
        match last
            .iter_mut()
            .find(|previous| previous.producer == msg.producer)
        {
            Some(previous) if previous.seq > msg.seq => self.inversion(msg),
            Some(previous) => *previous = msg,
            None => last.push(msg),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::InstanceId;

    fn msg(producer: u32, seq: u32) -> MessageId {
        MessageId {
            producer: InstanceId(producer),
            seq,
        }
    }

    #[test]
    fn a_later_record_first_makes_an_inversion() {
        for instances in [2, DENSE_PRODUCERS_MAX + 1] {
            a_later_record_first_makes_an_inversion_with(instances);
        }
    }

    fn a_later_record_first_makes_an_inversion_with(instances: usize) {
        let mut checker = KeyOrderChecker::new(1, instances);
        let key = Some(KeyId::from_index(0));
        checker.on_first_delivery(key, msg(0, 2));
        checker.on_first_delivery(key, msg(0, 1));
        assert_eq!(checker.findings.inversions, 1);
        assert_eq!(checker.findings.first_inversion, Some(msg(0, 1)));
    }

    #[test]
    fn records_of_different_producers_are_not_ordered() {
        for instances in [2, DENSE_PRODUCERS_MAX + 1] {
            records_of_different_producers_are_not_ordered_with(instances);
        }
    }

    fn records_of_different_producers_are_not_ordered_with(instances: usize) {
        let mut checker = KeyOrderChecker::new(1, instances);
        let key = Some(KeyId::from_index(0));
        checker.on_first_delivery(key, msg(1, 9));
        checker.on_first_delivery(key, msg(0, 1));
        checker.on_first_delivery(None, msg(0, 0));
        assert_eq!(checker.findings.inversions, 0);
        checker.on_first_delivery(key, msg(1, 5));
        assert_eq!(checker.findings.first_inversion, Some(msg(1, 5)));
    }
}

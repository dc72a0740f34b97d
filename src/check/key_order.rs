//! Per-key order: within one group, the first deliveries of one producer's records with one key
//! must follow the order in which they were produced. Duplicates are counted by the delivery
//! checker and ignored here. State: per key, the last first-delivered sequence number of each
//! producer that used the key (a short list: few producers share a key).

use crate::model::{KeyId, MessageId};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyOrderFindings {
    /// Records first delivered after a later record of the same key and producer.
    pub inversions: u64,
    pub first_inversion: Option<MessageId>,
}

#[derive(Clone, Debug)]
pub struct KeyOrderChecker {
    last: Vec<Vec<MessageId>>,
    pub findings: KeyOrderFindings,
}

impl KeyOrderChecker {
    pub fn new(key_count: usize) -> Self {
        KeyOrderChecker {
            last: vec![Vec::new(); key_count],
            findings: KeyOrderFindings::default(),
        }
    }

    /// Makes room for a key a pipeline made during the run.
    #[cold]
    fn grow(&mut self, index: usize) {
        self.last.resize_with(index + 1, Vec::new);
    }

    /// Call for first deliveries only.
    pub fn on_first_delivery(&mut self, key: Option<KeyId>, msg: MessageId) {
        let Some(key) = key else { return };
        if key.index() >= self.last.len() {
            self.grow(key.index());
        }
        let last = &mut self.last[key.index()];
        match last
            .iter_mut()
            .find(|previous| previous.producer == msg.producer)
        {
            Some(previous) if previous.seq > msg.seq => {
                self.findings.inversions += 1;
                self.findings.first_inversion.get_or_insert(msg);
            }
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
        let mut checker = KeyOrderChecker::new(1);
        let key = Some(KeyId::from_index(0));
        checker.on_first_delivery(key, msg(0, 2));
        checker.on_first_delivery(key, msg(0, 1));
        assert_eq!(checker.findings.inversions, 1);
        assert_eq!(checker.findings.first_inversion, Some(msg(0, 1)));
    }

    #[test]
    fn records_of_different_producers_are_not_ordered() {
        let mut checker = KeyOrderChecker::new(1);
        let key = Some(KeyId::from_index(0));
        checker.on_first_delivery(key, msg(1, 9));
        checker.on_first_delivery(key, msg(0, 1));
        checker.on_first_delivery(None, msg(0, 0));
        assert_eq!(checker.findings.inversions, 0);
        checker.on_first_delivery(key, msg(1, 5));
        assert_eq!(checker.findings.first_inversion, Some(msg(1, 5)));
    }
}

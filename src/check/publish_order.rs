//! Publish order within one queue (the queue's analogue of per-partition order): the first
//! completions of one producer's messages should follow the order it published them. A record
//! completed after a later one of the same producer is an inversion. State: per producer, the
//! highest sequence number completed so far.

use crate::model::MessageId;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PublishOrderFindings {
    pub inversions: u64,
    pub first_inversion: Option<MessageId>,
}

#[derive(Clone, Debug, Default)]
pub struct PublishOrderChecker {
    /// Indexed by producer instance.
    highest: Vec<Option<u32>>,
    pub findings: PublishOrderFindings,
}

impl PublishOrderChecker {
    /// Call for first completions only.
    pub fn on_first_completion(&mut self, msg: MessageId) {
        let producer = msg.producer.index();
        if self.highest.len() <= producer {
            self.highest.resize(producer + 1, None);
        }
        match self.highest[producer] {
            Some(highest) if highest > msg.seq => {
                self.findings.inversions += 1;
                self.findings.first_inversion.get_or_insert(msg);
            }
            _ => self.highest[producer] = Some(msg.seq),
        }
    }
}

//! Publish order: the first completions of one producer's messages, in the order it published
//! them. A record completed after a later one of the same producer is an inversion. In a queue it
//! is the analogue of per-partition order; in a log group it shows that a topic is ordered only
//! per partition (Kafka guarantees order within a partition, none across partitions), so a
//! multi-partition stream shows inversions while per-key order holds. State: per producer, the
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
    fn a_message_completed_after_a_later_one_of_its_producer_is_an_inversion() {
        let mut checker = PublishOrderChecker::default();
        checker.on_first_completion(msg(0, 0));
        checker.on_first_completion(msg(0, 2));
        checker.on_first_completion(msg(1, 0));
        assert_eq!(checker.findings.inversions, 0);
        checker.on_first_completion(msg(0, 1));
        assert_eq!(checker.findings.inversions, 1);
        assert_eq!(checker.findings.first_inversion, Some(msg(0, 1)));
        checker.on_first_completion(msg(0, 3));
        assert_eq!(checker.findings.inversions, 1);
    }
}

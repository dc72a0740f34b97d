//! Checker orchestration: feeds each consumer group's `check::*` checkers from trace events —
//! `DeliveryChecker`, `KeyOrderChecker` and `PublishOrderChecker` for log-carried groups (there
//! it shows order across partitions); `SeenSet`, `KeyOrderChecker` and `PublishOrderChecker` for
//! queue-carried ones — and keeps the queue's
//! loss and duplicate counts. The checkers judge; this file only routes events to them. It
//! counts nothing else (see `metrics`) and words no finding (`report` does).

use crate::check::{Consumption, DeliveryChecker, KeyOrderChecker, PublishOrderChecker, SeenSet};
use crate::model::{GroupId, KeyId, MessageId, Offset, PartitionId, Scenario};

/// One consumer group's checkers and the queue-side findings.
pub struct GroupCheckers {
    pub delivery: DeliveryChecker,
    pub key_order: KeyOrderChecker,
    /// Queue-carried groups: completions by message id, per producer instance.
    pub seen: Vec<SeenSet>,
    pub publish_order: PublishOrderChecker,
    pub queue_duplicated: u64,
    pub queue_first_duplicate: Option<MessageId>,
    pub queue_lost: u64,
    pub queue_first_lost: Option<MessageId>,
}

/// Every group's checkers, by `GroupId` index.
pub struct Checks {
    pub groups: Vec<GroupCheckers>,
}

impl GroupCheckers {
    /// A log-carried group consumed `offset` of `partition`: the delivery checker's verdict,
    /// and on a first delivery the key-order and publish-order checks.
    #[inline(always)]
    pub fn consumed(
        &mut self,
        partition: PartitionId,
        offset: Offset,
        msg: MessageId,
        key: Option<KeyId>,
    ) -> Consumption {
        let consumption = self.delivery.on_consumed(partition, offset, msg);
        if consumption != Consumption::Again {
            self.key_order.on_first_delivery(key, msg);
            self.publish_order.on_first_completion(msg);
        }
        consumption
    }

    /// A queue-carried group finished `msg`: true when it is the first time (then the order
    /// checks see it), false for a duplicate.
    #[inline(always)]
    pub fn processed(&mut self, msg: MessageId, key: Option<KeyId>) -> bool {
        let producer = msg.producer.index();
        if self.seen.len() <= producer {
            self.seen.resize_with(producer + 1, SeenSet::default);
        }
        if self.seen[producer].insert(u64::from(msg.seq)) {
            self.key_order.on_first_delivery(key, msg);
            self.publish_order.on_first_completion(msg);
            true
        } else {
            self.queue_duplicated += 1;
            self.queue_first_duplicate.get_or_insert(msg);
            false
        }
    }

    /// A queue-carried message was lost (an auto-ack delivery to a dead consumer, or dropped).
    #[inline]
    pub fn lost(&mut self, msg: MessageId) {
        self.queue_lost += 1;
        self.queue_first_lost.get_or_insert(msg);
    }
}

impl Checks {
    pub fn new(model: &Scenario) -> Self {
        let groups = model
            .groups
            .iter()
            .map(|group| GroupCheckers {
                delivery: {
                    let stream = model.stream(group.stream);
                    let checker = DeliveryChecker::new(stream.partition_count_max());
                    if stream.log.cleanup.compact {
                        checker.compacted()
                    } else {
                        checker
                    }
                },
                key_order: KeyOrderChecker::new(model.keys.len(), model.instances.len()),
                seen: Vec::new(),
                publish_order: PublishOrderChecker::default(),
                queue_duplicated: 0,
                queue_first_duplicate: None,
                queue_lost: 0,
                queue_first_lost: None,
            })
            .collect();
        Checks { groups }
    }

    #[inline(always)]
    pub fn group(&mut self, group: GroupId) -> &mut GroupCheckers {
        &mut self.groups[group.index()]
    }

    /// Where `group` has consumed `partition` up to, without gaps.
    #[inline(always)]
    pub fn frontier(&self, group: GroupId, partition: PartitionId) -> u64 {
        self.groups[group.index()].delivery.frontier(partition).0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::InstanceId;

    fn checkers() -> GroupCheckers {
        GroupCheckers {
            delivery: DeliveryChecker::new(1),
            key_order: KeyOrderChecker::new(1, 2),
            seen: Vec::new(),
            publish_order: PublishOrderChecker::default(),
            queue_duplicated: 0,
            queue_first_duplicate: None,
            queue_lost: 0,
            queue_first_lost: None,
        }
    }

    fn msg(producer: u32, seq: u32) -> MessageId {
        MessageId {
            producer: InstanceId(producer),
            seq,
        }
    }

    #[test]
    fn a_redelivered_offset_is_a_duplicate_and_skips_the_key_order_check() {
        let mut group = checkers();
        let key = Some(KeyId::from_index(0));
        let partition = PartitionId(0);
        assert_eq!(
            group.consumed(partition, Offset(0), msg(0, 0), key),
            Consumption::First
        );
        assert_eq!(
            group.consumed(partition, Offset(1), msg(0, 1), key),
            Consumption::First
        );
        // Offset 0 again: had the key-order checker seen it, it would count an inversion.
        assert_eq!(
            group.consumed(partition, Offset(0), msg(0, 0), key),
            Consumption::Again
        );
        assert_eq!(group.delivery.findings.duplicated, 1);
        assert_eq!(group.key_order.findings.inversions, 0);
    }

    #[test]
    fn a_log_group_reading_partitions_out_of_publish_order_counts_publish_order_inversions() {
        let mut group = GroupCheckers {
            delivery: DeliveryChecker::new(2),
            ..checkers()
        };
        // Seq 0 and 2 went to partition 0, seq 1 to partition 1, which is read last: each key
        // keeps its order, the producer's order across partitions does not hold.
        let (a, b) = (Some(KeyId::from_index(0)), Some(KeyId::from_index(0)));
        group.consumed(PartitionId(0), Offset(0), msg(0, 0), a);
        group.consumed(PartitionId(0), Offset(1), msg(0, 2), a);
        group.consumed(PartitionId(1), Offset(0), msg(0, 1), b);
        assert_eq!(group.publish_order.findings.inversions, 1);
        assert_eq!(
            group.publish_order.findings.first_inversion,
            Some(msg(0, 1))
        );
        // A redelivery is not a first delivery, so it is not counted again.
        group.consumed(PartitionId(1), Offset(0), msg(0, 1), b);
        assert_eq!(group.publish_order.findings.inversions, 1);
    }

    #[test]
    fn a_queue_message_processed_twice_counts_once_as_a_duplicate_with_its_id() {
        let mut group = checkers();
        assert!(group.processed(msg(1, 0), None));
        assert!(group.processed(msg(1, 1), None));
        assert!(!group.processed(msg(1, 0), None));
        assert!(!group.processed(msg(1, 1), None));
        assert_eq!(group.queue_duplicated, 2);
        assert_eq!(group.queue_first_duplicate, Some(msg(1, 0)));
        // A later message completed before an earlier one of the same producer breaks publish
        // order; completions in order do not.
        assert_eq!(group.publish_order.findings.inversions, 0);
        assert!(group.processed(msg(1, 3), None));
        assert!(group.processed(msg(1, 2), None));
        assert_eq!(group.publish_order.findings.inversions, 1);
    }
}

//! Checker orchestration: feeds each consumer group's `check::*` checkers from trace events —
//! `DeliveryChecker` and `KeyOrderChecker` for log-carried groups; `SeenSet`,
//! `KeyOrderChecker` and `PublishOrderChecker` for queue-carried ones — and keeps the queue's
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
    /// and on a first delivery the key-order check.
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
                delivery: DeliveryChecker::new(model.stream(group.stream).partition_count_max()),
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

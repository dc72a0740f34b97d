//! Competing consumers of one queue: channels, prefetch credit, round-robin.
//!
//! Follows `rabbit_queue_consumers:deliver/6` (RabbitMQ 3.13): consumers wait in a ring; a
//! delivery goes to the consumer at the front, which then moves to the back of the ring. A
//! consumer found at the front without credit (its unacked count reached its `basic.qos`
//! prefetch_count) is taken out of the ring ("blocked") and the next one is tried; when an ack,
//! nack or reject gives a blocked consumer credit back, it rejoins at the back (`unblock`
//! joins the unblocked consumers after the active ones). A consumer that ran out of credit but
//! got it back before its turn came never left the ring and keeps its place. So round-robin
//! continues after the consumer served last and skips consumers without credit. Prefetch 0
//! means unlimited; auto-ack consumers are never limited (prefetch does not apply to them).

use std::collections::VecDeque;

use crate::model::InstanceId;
use crate::sim::ActorId;

use super::queue_state::QueuedMessage;

/// One instance's channel on one queue.
#[derive(Debug)]
pub struct Channel {
    pub instance: InstanceId,
    pub actor: ActorId,
    /// Has an active `basic.consume`.
    pub subscribed: bool,
    pub prefetch_count: u32,
    pub auto_ack: bool,
    /// Delivered and not yet acked, by delivery tag (ascending).
    pub unacked: VecDeque<(u64, QueuedMessage)>,
    next_tag: u64,
    in_ring: bool,
}

impl Channel {
    #[inline]
    pub fn has_credit(&self) -> bool {
        self.auto_ack
            || self.prefetch_count == 0
            || self.unacked.len() < self.prefetch_count as usize
    }

    /// The next delivery tag (tags start at 1 on each channel, as in AMQP).
    pub fn next_tag(&mut self) -> u64 {
        self.next_tag += 1;
        self.next_tag
    }
}

#[derive(Debug, Default)]
pub struct Consumers {
    /// Opened in order and never removed (a closed channel stays, unsubscribed).
    pub channels: Vec<Channel>,
    ring: VecDeque<usize>,
    /// Channel index + 1 by `ActorId` (0: none): every ack looks its channel up, and a search
    /// over the channels mispredicted on most of them.
    by_actor: Vec<u32>,
}

impl Consumers {
    #[inline]
    pub fn channel_of(&self, actor: ActorId) -> Option<usize> {
        match self.by_actor.get(actor.index()) {
            Some(&index) if index > 0 => Some(index as usize - 1),
            _ => None,
        }
    }

    /// The instance's channel, opened if it has none.
    pub fn open(&mut self, instance: InstanceId, actor: ActorId) -> usize {
        if let Some(index) = self.channel_of(actor) {
            return index;
        }
        self.channels.push(Channel {
            instance,
            actor,
            subscribed: false,
            prefetch_count: 0,
            auto_ack: false,
            unacked: VecDeque::new(),
            next_tag: 0,
            in_ring: false,
        });
        if self.by_actor.len() <= actor.index() {
            self.by_actor.resize(actor.index() + 1, 0);
        }
        self.by_actor[actor.index()] = self.channels.len() as u32;
        self.channels.len() - 1
    }

    /// `basic.consume`: the consumer joins the back of the ring.
    pub fn subscribe(&mut self, index: usize, prefetch_count: u32, auto_ack: bool) {
        let channel = &mut self.channels[index];
        channel.subscribed = true;
        channel.prefetch_count = prefetch_count;
        channel.auto_ack = auto_ack;
        self.credit_returned(index);
    }

    /// The consumer to deliver to next, if any has credit. Consumers met without credit leave
    /// the ring.
    #[inline]
    pub fn next_with_credit(&mut self) -> Option<usize> {
        while let Some(index) = self.ring.pop_front() {
            let channel = &mut self.channels[index];
            if channel.subscribed && channel.has_credit() {
                return Some(index);
            }
            channel.in_ring = false;
        }
        None
    }

    /// After a delivery to `index` (taken by `next_with_credit`): back of the ring, credit or
    /// not (RabbitMQ notices a missing credit only when the consumer's turn comes).
    pub fn delivered(&mut self, index: usize) {
        self.ring.push_back(index);
    }

    /// An ack, nack or reject freed credit: a blocked consumer rejoins the back of the ring.
    pub fn credit_returned(&mut self, index: usize) {
        let channel = &mut self.channels[index];
        if channel.subscribed && !channel.in_ring && channel.has_credit() {
            channel.in_ring = true;
            self.ring.push_back(index);
        }
    }

    /// Removes the unacked delivery `tag` of channel `index`.
    pub fn take_unacked(&mut self, index: usize, tag: u64) -> Option<QueuedMessage> {
        let unacked = &mut self.channels[index].unacked;
        // Acks mostly come in delivery order: look at the front first.
        if unacked.front().is_some_and(|&(t, _)| t == tag) {
            return unacked.pop_front().map(|(_, message)| message);
        }
        let position = unacked.iter().position(|&(t, _)| t == tag)?;
        unacked.remove(position).map(|(_, message)| message)
    }

    /// The channel closes: it leaves the ring and hands back its unacked messages in delivery
    /// order.
    pub fn close(&mut self, index: usize) -> Vec<QueuedMessage> {
        let channel = &mut self.channels[index];
        channel.subscribed = false;
        if channel.in_ring {
            channel.in_ring = false;
            self.ring.retain(|&other| other != index);
        }
        channel
            .unacked
            .drain(..)
            .map(|(_, message)| message)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn consumers(n: u32, prefetch: u32) -> Consumers {
        let mut consumers = Consumers::default();
        for i in 0..n {
            let index = consumers.open(InstanceId(i), ActorId(i + 1));
            consumers.subscribe(index, prefetch, false);
        }
        consumers
    }

    fn deliver(consumers: &mut Consumers) -> Option<usize> {
        let index = consumers.next_with_credit()?;
        let tag = consumers.channels[index].next_tag();
        let message = QueuedMessage {
            record: crate::protocol::Record {
                id: crate::model::MessageId {
                    producer: InstanceId(9),
                    seq: tag as u32,
                },
                key: None,
                value_size_bytes: 0,
                sent_at: crate::sim::SimTime::ZERO,
                schema_id: 0,
            },
            position: 0,
            redelivered: false,
            expires_at_us: u64::MAX,
            death: 0,
        };
        consumers.channels[index].unacked.push_back((tag, message));
        consumers.delivered(index);
        Some(index)
    }

    #[test]
    fn round_robin_skips_consumers_without_credit_and_resumes_after_the_last_served() {
        let mut consumers = consumers(3, 1);
        assert_eq!(deliver(&mut consumers), Some(0));
        assert_eq!(deliver(&mut consumers), Some(1));
        assert_eq!(deliver(&mut consumers), Some(2));
        assert_eq!(deliver(&mut consumers), None, "no credit left");
        // Consumer 1 acks first: it is the only one with credit.
        consumers.take_unacked(1, 1);
        consumers.credit_returned(1);
        consumers.take_unacked(0, 1);
        consumers.credit_returned(0);
        assert_eq!(deliver(&mut consumers), Some(1));
        assert_eq!(deliver(&mut consumers), Some(0));
    }
}

//! One queue's ready messages, in queue order.
//!
//! Every message gets a position when it enters the queue and keeps it. Delivery always takes
//! the head (the lowest position). A requeued message (nack/reject with `requeue=true`, or its
//! channel closed) goes back to its original position, as RabbitMQ documents for classic
//! queues ("requeued messages go back to their original position in the queue where
//! possible"; `rabbit_variable_queue:requeue` merges by sequence id). Because delivery only
//! ever takes the head, every unacked message sits before every ready one, so requeued
//! messages live in a small min-heap that is always ahead of the FIFO of never-delivered ones.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use crate::protocol::Record;

/// A message in a queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueuedMessage {
    pub record: Record,
    /// Its place in this queue, for good.
    pub position: u64,
    /// Delivered before (RabbitMQ's `redelivered` flag).
    pub redelivered: bool,
    /// When its TTL runs out, in µs (`u64::MAX`: never).
    pub expires_at_us: u64,
    /// Index + 1 of its x-death record in the broker's `DeathTable` (0: never dead-lettered).
    pub death: u32,
}

/// Orders requeued messages by position, lowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ByPosition(QueuedMessage);

impl PartialOrd for ByPosition {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for ByPosition {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.position.cmp(&other.0.position)
    }
}

#[derive(Debug, Default)]
pub struct QueueState {
    /// Never delivered, in position order.
    fresh: VecDeque<QueuedMessage>,
    /// Requeued, lowest position first; always ahead of `fresh`.
    requeued: BinaryHeap<Reverse<ByPosition>>,
    next_position: u64,
    pub declared: bool,
}

impl QueueState {
    /// Ready messages.
    pub fn len(&self) -> usize {
        self.fresh.len() + self.requeued.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends a new message at the tail and returns its position.
    pub fn push(&mut self, mut message: QueuedMessage) -> u64 {
        message.position = self.next_position;
        self.next_position += 1;
        self.fresh.push_back(message);
        message.position
    }

    /// Puts a delivered message back at its original position.
    pub fn requeue(&mut self, message: QueuedMessage) {
        debug_assert!(
            self.fresh
                .front()
                .is_none_or(|head| head.position > message.position),
            "a delivered message sits before every never-delivered one"
        );
        self.requeued.push(Reverse(ByPosition(message)));
    }

    pub fn head(&self) -> Option<&QueuedMessage> {
        match self.requeued.peek() {
            Some(Reverse(ByPosition(message))) => Some(message),
            None => self.fresh.front(),
        }
    }

    pub fn pop(&mut self) -> Option<QueuedMessage> {
        match self.requeued.pop() {
            Some(Reverse(ByPosition(message))) => Some(message),
            None => self.fresh.pop_front(),
        }
    }

    /// Every ready message, head first (for the end-of-run report).
    pub fn in_order(&self) -> Vec<QueuedMessage> {
        let mut requeued: Vec<QueuedMessage> = self
            .requeued
            .iter()
            .map(|Reverse(ByPosition(m))| *m)
            .collect();
        requeued.sort_by_key(|message| message.position);
        requeued.extend(self.fresh.iter().copied());
        requeued
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{InstanceId, MessageId};
    use crate::sim::SimTime;

    fn message(seq: u32) -> QueuedMessage {
        QueuedMessage {
            record: Record {
                id: MessageId {
                    producer: InstanceId(0),
                    seq,
                },
                key: None,
                value_size_bytes: 0,
                sent_at: SimTime::ZERO,
                schema_id: 0,
            },
            position: 0,
            redelivered: false,
            expires_at_us: u64::MAX,
            death: 0,
        }
    }

    #[test]
    fn a_requeued_message_returns_ahead_of_later_ones() {
        let mut queue = QueueState::default();
        for seq in 0..4 {
            queue.push(message(seq));
        }
        let first = queue.pop().unwrap();
        let second = queue.pop().unwrap();
        queue.requeue(second);
        queue.requeue(first);
        let order: Vec<u32> = std::iter::from_fn(|| queue.pop())
            .map(|m| m.record.id.seq)
            .collect();
        assert_eq!(order, [0, 1, 2, 3]);
    }
}

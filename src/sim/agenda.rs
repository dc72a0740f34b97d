//! The agenda: pending events ordered by `(time, sequence number)`.
//!
//! `seq` is one counter bumped on every schedule, so two events at the same instant run in the
//! order they were scheduled — never by actor id, address or hash. This is the classic
//! discrete-event "future event list"; it is not called a queue because `queue` means the
//! message broker in eventlab.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::clock::SimTime;

/// The insertion sequence number that breaks ties between events at the same instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SeqNo(pub u64);

/// A heap entry packed in 128 bits: time (64) | sequence number (40) | slab slot (24). Comparing
/// the integers compares `(at, seq)`, since `seq` is unique; 16-byte entries keep sifting cheap
/// while the payloads wait in a slab.
const SLOT_BITS: u32 = 24;
const SEQ_BITS: u32 = 40;
/// The most events that may be pending at once.
pub const PENDING_MAX: usize = 1 << SLOT_BITS;

/// Pending events in `(at, seq)` order.
pub struct Agenda<T> {
    heap: BinaryHeap<Reverse<u128>>,
    items: Vec<Option<T>>,
    free_slots: Vec<u32>,
    next_seq: u64,
    len_max: usize,
}

impl<T> Default for Agenda<T> {
    fn default() -> Self {
        Agenda {
            heap: BinaryHeap::with_capacity(1024),
            items: Vec::with_capacity(1024),
            free_slots: Vec::with_capacity(1024),
            next_seq: 0,
            len_max: 0,
        }
    }
}

impl<T> Agenda<T> {
    pub fn schedule(&mut self, at: SimTime, item: T) -> SeqNo {
        let seq = SeqNo(self.next_seq);
        self.next_seq += 1;
        assert!(
            seq.0 < 1 << SEQ_BITS,
            "more than 2^40 events scheduled; events_max is far lower"
        );
        let slot = match self.free_slots.pop() {
            Some(slot) => {
                debug_assert!(self.items[slot as usize].is_none());
                self.items[slot as usize] = Some(item);
                slot
            }
            None => {
                self.items.push(Some(item));
                assert!(
                    self.items.len() <= PENDING_MAX,
                    "more than {PENDING_MAX} events pending at once"
                );
                (self.items.len() - 1) as u32
            }
        };
        let key = (u128::from(at.0) << 64) | (u128::from(seq.0) << SLOT_BITS) | u128::from(slot);
        self.heap.push(Reverse(key));
        self.len_max = self.len_max.max(self.heap.len());
        seq
    }

    pub fn pop(&mut self) -> Option<(SimTime, SeqNo, T)> {
        let Reverse(key) = self.heap.pop()?;
        let slot = (key as u32) & ((1 << SLOT_BITS) - 1);
        let seq = SeqNo(((key as u64) >> SLOT_BITS) & ((1 << SEQ_BITS) - 1));
        let at = SimTime((key >> 64) as u64);
        let item = self.items[slot as usize]
            .take()
            .expect("every heap entry owns its slot");
        self.free_slots.push(slot);
        Some((at, seq, item))
    }

    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap
            .peek()
            .map(|Reverse(key)| SimTime((key >> 64) as u64))
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// The most events that were pending at once.
    pub fn len_max(&self) -> usize {
        self.len_max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_at_one_instant_pop_in_scheduling_order() {
        let mut agenda = Agenda::default();
        agenda.schedule(SimTime(5), "b");
        agenda.schedule(SimTime(1), "a");
        agenda.schedule(SimTime(5), "c");
        agenda.schedule(SimTime(5), "d");
        let order: Vec<&str> =
            std::iter::from_fn(|| agenda.pop().map(|(_, _, item)| item)).collect();
        assert_eq!(order, ["a", "b", "c", "d"]);
    }
}

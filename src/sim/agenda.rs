//! The agenda: pending events ordered by `(time, sequence number)`.
//!
//! `seq` is one counter bumped on every schedule, so two events at the same instant run in the
//! order they were scheduled — never by actor id, address or hash. This is the classic
//! discrete-event "future event list"; it is not called a queue because `queue` means the
//! message broker in eventlab.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::clock::SimTime;

/// The insertion sequence number that breaks ties between events at the same instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SeqNo(pub u64);

struct Entry<T> {
    at: SimTime,
    seq: SeqNo,
    item: T,
}

impl<T> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl<T> Eq for Entry<T> {}
impl<T> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Entry<T> {
    // `BinaryHeap` is a max-heap: reverse, so the smallest `(at, seq)` pops first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// Pending events in `(at, seq)` order.
pub struct Agenda<T> {
    heap: BinaryHeap<Entry<T>>,
    next_seq: u64,
    len_max: usize,
}

impl<T> Default for Agenda<T> {
    fn default() -> Self {
        Agenda { heap: BinaryHeap::with_capacity(1024), next_seq: 0, len_max: 0 }
    }
}

impl<T> Agenda<T> {
    pub fn schedule(&mut self, at: SimTime, item: T) -> SeqNo {
        let seq = SeqNo(self.next_seq);
        self.next_seq += 1;
        self.heap.push(Entry { at, seq, item });
        self.len_max = self.len_max.max(self.heap.len());
        seq
    }

    pub fn pop(&mut self) -> Option<(SimTime, SeqNo, T)> {
        self.heap.pop().map(|entry| (entry.at, entry.seq, entry.item))
    }

    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|entry| entry.at)
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
        let order: Vec<&str> = std::iter::from_fn(|| agenda.pop().map(|(_, _, item)| item)).collect();
        assert_eq!(order, ["a", "b", "c", "d"]);
    }
}

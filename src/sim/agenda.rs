//! The agenda: pending events ordered by `(time, sequence number)`.
//!
//! `seq` is one counter bumped on every schedule, so two events at the same instant run in the
//! order they were scheduled — never by actor id, address or hash. This is the classic
//! discrete-event "future event list"; it is not called a queue because `queue` means the
//! message broker in eventlab.
//!
//! Layout: a calendar of `WHEEL` one-microsecond buckets covers the near future
//! `[base, base + WHEEL)`; each bucket is a FIFO of payloads in scheduling order (so it needs
//! no stored sequence number), and a bitmap finds the next non-empty bucket. Events further
//! ahead wait in a binary heap of packed `(time, seq)` keys and move into their bucket as soon as
//! the calendar reaches them — before anything else can be scheduled there, so a bucket stays in
//! `seq` order. Most simulated events are a few microseconds to milliseconds ahead, so pops and
//! schedules are O(1) where a heap of every event paid O(log n) with costly sifts.
//!
//! A bucket is only a (head, tail) pair of indices into one shared slab of nodes, each holding
//! a payload and the index of the next node in its bucket; freed nodes are reused last-freed
//! first. So the memory the calendar touches is about the number of pending events, not the
//! calendar's span: the per-bucket FIFOs this replaced were one allocation each, and cycling
//! through 4,096 of them missed the cache on most schedules and pops.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::clock::SimTime;

/// The insertion sequence number that breaks ties between events at the same instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SeqNo(pub u64);

/// Far-future keys are packed in 128 bits: time (64) | sequence number (64). Comparing the
/// integers compares `(at, seq)`, and `seq` is unique.
/// The most events that may be pending at once (a ceiling that keeps memory bounded, and node
/// indices in a `u32`).
pub const PENDING_MAX: usize = 1 << 24;

/// A far-future event, ordered by its key alone.
struct FarEntry<T> {
    key: u128,
    item: T,
}

impl<T> PartialEq for FarEntry<T> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<T> Eq for FarEntry<T> {}
impl<T> PartialOrd for FarEntry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for FarEntry<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key.cmp(&other.key)
    }
}

const WHEEL_BITS: u32 = 12;
/// The calendar's span in µs (one bucket per µs).
const WHEEL: u64 = 1 << WHEEL_BITS;
const WHEEL_MASK: u64 = WHEEL - 1;
const WORDS: usize = (WHEEL / 64) as usize;
/// No node: the end of a bucket's list, or of the free list.
const NIL: u32 = u32::MAX;

/// A payload type's stand-in for "nothing here": what a free node holds.
///
/// Free nodes hold a vacant payload instead of an `Option<T>`: taking a payload out of an
/// `Option` copies it from behind the option's tag, at an offset the payload's own fields do
/// not line up with, and the handler's first reads of the copy then stall store-to-load
/// forwarding (a measured cost on every event). A payload copied whole has no such offset.
pub trait Vacant {
    fn vacant() -> Self;
}

/// One pending near event: its payload (vacant while the node is free) and the next node of
/// its bucket (or of the free list).
struct Node<T> {
    item: T,
    next: u32,
}

/// A bucket's FIFO: first and last node (`NIL` when empty).
#[derive(Clone, Copy)]
struct Bucket {
    head: u32,
    tail: u32,
}

const EMPTY: Bucket = Bucket {
    head: NIL,
    tail: NIL,
};

/// Pending events in `(at, seq)` order.
pub struct Agenda<T> {
    /// `buckets[t & WHEEL_MASK]` holds the events at time `t`, for `t` in `[base, base + WHEEL)`,
    /// in scheduling order.
    buckets: Box<[Bucket]>,
    nodes: Vec<Node<T>>,
    /// The most recently freed node, the head of the free list.
    free: u32,
    /// Bit `i` set: bucket `i` is not empty.
    occupied: [u64; WORDS],
    /// The calendar's first time: no event is earlier.
    base: u64,
    near_len: usize,
    far: BinaryHeap<Reverse<FarEntry<T>>>,
    next_seq: u64,
}

impl<T: Vacant> Default for Agenda<T> {
    fn default() -> Self {
        Agenda {
            buckets: vec![EMPTY; WHEEL as usize].into_boxed_slice(),
            nodes: Vec::new(),
            free: NIL,
            occupied: [0; WORDS],
            base: 0,
            near_len: 0,
            far: BinaryHeap::new(),
            next_seq: 0,
        }
    }
}

impl<T: Vacant> Agenda<T> {
    /// Schedules `item` at `at`, which must not be before the last popped event's time.
    #[inline(always)]
    pub fn schedule(&mut self, at: SimTime, item: T) -> SeqNo {
        // The node held a vacant payload: nothing to drop (which the compiler cannot know).
        self.schedule_with(at, |slot| std::mem::forget(std::mem::replace(slot, item)))
    }

    /// Schedules at `at` the payload `fill` writes over a vacant one, in place in its node:
    /// filling in the fields of a payload that already has the right shape copies a
    /// just-built value once instead of twice (see [`Vacant`]).
    #[inline(always)]
    pub fn schedule_with(&mut self, at: SimTime, fill: impl FnOnce(&mut T)) -> SeqNo {
        assert!(
            at.0 >= self.base,
            "the agenda never schedules into the past"
        );
        let seq = SeqNo(self.next_seq);
        self.next_seq += 1;
        if at.0 - self.base < WHEEL {
            let node_index = self.free_node();
            fill(&mut self.nodes[node_index as usize].item);
            self.link_near(at.0, node_index);
        } else {
            let mut item = T::vacant();
            fill(&mut item);
            self.push_far(at.0, seq, item);
        }
        seq
    }

    #[inline(never)]
    fn push_far(&mut self, at: u64, seq: SeqNo, item: T) {
        let key = (u128::from(at) << 64) | u128::from(seq.0);
        self.far.push(Reverse(FarEntry { key, item }));
    }

    /// Removes the next event and its time.
    pub fn pop(&mut self) -> Option<(SimTime, T)> {
        let at = self.peek_time()?;
        Some((
            at,
            self.pop_with(at, |item| std::mem::replace(item, T::vacant())),
        ))
    }

    /// Removes the next event, whose time `peek_time` just returned as `at`: `take` takes
    /// what it needs out of the payload in its node and must leave a vacant payload behind.
    /// Reading fields where they lie, rather than copying the whole payload out, lets each
    /// read match the store that wrote it (see [`Vacant`]).
    #[inline]
    pub fn pop_with<R>(&mut self, at: SimTime, take: impl FnOnce(&mut T) -> R) -> R {
        if at.0 != self.base {
            self.advance_to(at.0);
        }
        let index = (at.0 & WHEEL_MASK) as usize;
        let bucket = &mut self.buckets[index];
        let node_index = bucket.head;
        let node = &mut self.nodes[node_index as usize];
        let item = take(&mut node.item);
        bucket.head = node.next;
        if bucket.head == NIL {
            bucket.tail = NIL;
            self.occupied[index / 64] &= !(1 << (index % 64));
        }
        node.next = self.free;
        self.free = node_index;
        self.near_len -= 1;
        item
    }

    /// The time of the next event, without removing it.
    #[inline]
    pub fn peek_time(&self) -> Option<SimTime> {
        let current = (self.base & WHEEL_MASK) as usize;
        if self.near_len > 0 && self.buckets[current].head != NIL {
            return Some(SimTime(self.base));
        }
        match self.next_near_offset() {
            Some(offset) => Some(SimTime(self.base + offset)),
            None => self
                .far
                .peek()
                .map(|Reverse(entry)| SimTime((entry.key >> 64) as u64)),
        }
    }

    pub fn len(&self) -> usize {
        self.near_len + self.far.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline(always)]
    fn push_near(&mut self, at: u64, item: T) {
        let node_index = self.free_node();
        // The node held a vacant payload: nothing to drop (which the compiler cannot know).
        std::mem::forget(std::mem::replace(
            &mut self.nodes[node_index as usize].item,
            item,
        ));
        self.link_near(at, node_index);
    }

    /// Appends the filled node `node_index` to the bucket of time `at`.
    #[inline(always)]
    fn link_near(&mut self, at: u64, node_index: u32) {
        self.nodes[node_index as usize].next = NIL;
        let index = (at & WHEEL_MASK) as usize;
        let bucket = &mut self.buckets[index];
        if bucket.tail == NIL {
            bucket.head = node_index;
            self.occupied[index / 64] |= 1 << (index % 64);
        } else {
            self.nodes[bucket.tail as usize].next = node_index;
        }
        bucket.tail = node_index;
        self.near_len += 1;
    }

    /// Takes a node off the free list, holding a vacant payload.
    #[inline(always)]
    fn free_node(&mut self) -> u32 {
        if self.free == NIL {
            return self.new_node();
        }
        let node_index = self.free;
        self.free = self.nodes[node_index as usize].next;
        node_index
    }

    /// A node at the end of the slab (the slab grows only until the most pending events).
    #[cold]
    #[inline(never)]
    fn new_node(&mut self) -> u32 {
        let node_index = u32::try_from(self.nodes.len()).expect("PENDING_MAX fits u32");
        self.nodes.push(Node {
            item: T::vacant(),
            next: NIL,
        });
        node_index
    }

    /// Moves the calendar to start at `base` and pulls in the far events it now covers, in
    /// `(time, seq)` order, before anything else can be scheduled at their times.
    #[inline(never)]
    fn advance_to(&mut self, base: u64) {
        debug_assert!(base >= self.base);
        self.base = base;
        while let Some(Reverse(entry)) = self.far.peek() {
            let at = (entry.key >> 64) as u64;
            if at - base >= WHEEL {
                break;
            }
            let Reverse(FarEntry { item, .. }) = self.far.pop().expect("peeked above");
            self.push_near(at, item);
        }
    }

    /// How far after `base` the first non-empty bucket is, if any.
    #[inline]
    fn next_near_offset(&self) -> Option<u64> {
        if self.near_len == 0 {
            return None;
        }
        let start = (self.base & WHEEL_MASK) as usize;
        let (word, bit) = (start / 64, start % 64);
        let first = self.occupied[word] & (!0u64 << bit);
        if first != 0 {
            return Some((word * 64 + first.trailing_zeros() as usize - start) as u64);
        }
        for step in 1..=WORDS {
            let index = (word + step) % WORDS;
            let bits = if step == WORDS {
                self.occupied[index] & ((1u64 << bit) - 1)
            } else {
                self.occupied[index]
            };
            if bits != 0 {
                let bucket = index * 64 + bits.trailing_zeros() as usize;
                return Some((bucket as u64 + WHEEL - start as u64) & WHEEL_MASK);
            }
        }
        unreachable!("near_len counts events in occupied buckets")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Vacant for &str {
        fn vacant() -> Self {
            ""
        }
    }

    impl Vacant for u64 {
        fn vacant() -> Self {
            u64::MAX
        }
    }

    #[test]
    fn events_at_one_instant_pop_in_scheduling_order() {
        let mut agenda = Agenda::default();
        agenda.schedule(SimTime(5), "b");
        agenda.schedule(SimTime(1), "a");
        agenda.schedule(SimTime(5), "c");
        agenda.schedule(SimTime(5), "d");
        let order: Vec<&str> = std::iter::from_fn(|| agenda.pop().map(|(_, item)| item)).collect();
        assert_eq!(order, ["a", "b", "c", "d"]);
    }

    #[test]
    fn far_events_join_their_instant_ahead_of_later_schedules() {
        let mut agenda = Agenda::default();
        let far = 3 * WHEEL + 7;
        agenda.schedule(SimTime(far), "far first");
        agenda.schedule(SimTime(far - WHEEL + 1), "near the far one");
        let (at, item) = agenda.pop().expect("one event");
        assert_eq!((at, item), (SimTime(far - WHEEL + 1), "near the far one"));
        // Now `far` is inside the calendar: a new event at the same time goes after it.
        agenda.schedule(SimTime(far), "far second");
        let order: Vec<&str> = std::iter::from_fn(|| agenda.pop().map(|(_, item)| item)).collect();
        assert_eq!(order, ["far first", "far second"]);
    }

    /// The agenda pops exactly in `(time, seq)` order, whatever mix of near and far
    /// schedules, zero delays and wrap-arounds it sees (checked against a plain sort).
    #[test]
    fn pops_in_time_then_scheduling_order_on_random_workloads() {
        let mut rng = crate::sim::rng::RngStream::new(7, 7);
        for _ in 0..40 {
            let mut agenda = Agenda::default();
            let mut expected: Vec<(u64, u64)> = Vec::new();
            let mut popped: Vec<(u64, u64)> = Vec::new();
            let mut now = 0;
            for _ in 0..2_000 {
                if rng.below(3) > 0 || agenda.is_empty() {
                    let delay = match rng.below(4) {
                        0 => 0,
                        1 => rng.below(64),
                        2 => rng.below(WHEEL * 2),
                        _ => rng.below(WHEEL * 40),
                    };
                    // The payload is the sequence number the agenda handed out.
                    let seq = agenda.next_seq;
                    // Both ways in: a whole payload, or one filled in over a vacant one.
                    let returned = if rng.below(2) == 0 {
                        agenda.schedule(SimTime(now + delay), seq)
                    } else {
                        agenda.schedule_with(SimTime(now + delay), |slot| {
                            assert_eq!(*slot, u64::MAX, "a free node holds a vacant payload");
                            *slot = seq;
                        })
                    };
                    assert_eq!(returned.0, seq);
                    expected.push((now + delay, seq));
                } else {
                    let (at, seq) = agenda.pop().expect("not empty");
                    now = at.0;
                    popped.push((at.0, seq));
                }
            }
            while let Some((at, seq)) = agenda.pop() {
                popped.push((at.0, seq));
            }
            // Every pop is the smallest (time, seq) among events scheduled before it.
            let mut sorted = popped.clone();
            sorted.sort();
            assert_eq!(popped.len(), expected.len());
            let mut all = expected.clone();
            all.sort();
            assert_eq!(sorted, all);
            assert!(
                popped.windows(2).all(|pair| pair[0].0 <= pair[1].0),
                "time never goes back"
            );
            for pair in popped.windows(2) {
                if pair[0].0 == pair[1].0 {
                    assert!(pair[0].1 < pair[1].1, "ties pop in scheduling order");
                }
            }
        }
    }
}

//! The network between actors: addresses, the agenda's items, and the links a send crosses.
//!
//! Links are FIFO like TCP: a message from A to B arrives at
//! `max(send + latency + jitter, previous arrival on A→B)`. Every actor sits behind an access
//! link ([`LinkConfig`]); a message crosses the sender's and the receiver's, so its latency is
//! the sum of both and its jitter is drawn from the sender's jitter stream.
//!
//! Link faults (`LinkFault`) change a send while they are on: a network partition between two
//! sets of actors holds every message sent across it until it heals (TCP retransmits until the
//! path is back: nothing is lost, nothing reordered), a delay spike adds latency, and a loss
//! costs a lost transmission TCP's retransmission timeouts.
//!
//! This is what both the kernel and an actor's `Ctx` need (a handler's sends go straight onto
//! the wire), so it sits below both. It is not the run loop (`kernel.rs`) and holds no actors.

use super::agenda::{Agenda, Vacant};
use super::clock::SimTime;
use super::rng::RngStream;

/// An actor's index in the kernel. Stable for the whole run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActorId(pub u32);

impl ActorId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A timer handle, unique across the run, used to cancel it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimerId(pub u64);

/// An actor's access link: fixed latency plus uniform jitter in `0..=jitter_us`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkConfig {
    pub latency_us: u64,
    pub jitter_us: u64,
}

pub(super) enum Item<M> {
    Deliver {
        to: ActorId,
        from: ActorId,
        msg: M,
    },
    Timer {
        actor: ActorId,
        id: TimerId,
        tag: u32,
        incarnation: u32,
    },
    Fault {
        to: ActorId,
        msg: M,
    },
    Crash(ActorId),
    Restart(ActorId),
}

/// No actor has this id: the mark of a vacant payload.
const NOBODY: ActorId = ActorId(u32::MAX);

/// A free agenda node holds a delivery to nobody, so that a send fills in the fields of a
/// payload of the right shape (copying its message once) instead of building a whole item
/// and copying that. (A node freed by a delivery keeps its addresses, and only its message is
/// made vacant: a delivery of a vacant message is as good.)
impl<M: Vacant> Vacant for Item<M> {
    #[inline(always)]
    fn vacant() -> Self {
        Item::Deliver {
            to: NOBODY,
            from: NOBODY,
            msg: M::vacant(),
        }
    }
}

/// An actor's side of the network: its access link and what crossing it needs.
pub(super) struct Link {
    pub(super) config: LinkConfig,
    pub(super) jitter: RngStream,
    /// Last arrival time per destination, indexed by the destination's `ActorId`.
    pub(super) last_arrival: Vec<SimTime>,
}

/// What a link fault does to a message sent while it is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkEffect {
    /// Held until the partition heals, then sent with the link's own latency.
    Partition,
    /// Arrives this much later.
    Delay { extra_us: u64 },
    /// Each transmission is lost with probability `ppm` / 1e6 and sent again after the
    /// retransmission timeout, doubled after each further loss (TCP's backoff): a loss shows
    /// as latency, and, as the link is FIFO, it holds back what follows it (head-of-line).
    Loss { ppm: u32, retransmit_us: u64 },
}

/// A fault on every link between two sets of actors, both ways, for sends at
/// `from <= now < until`.
#[derive(Clone, Debug)]
pub struct LinkFault {
    pub sides: [Vec<ActorId>; 2],
    pub from: SimTime,
    pub until: SimTime,
    pub effect: LinkEffect,
    /// The draws of a `Loss` (its own stream, so a loss shifts no other draw).
    pub rng: RngStream,
}

impl LinkFault {
    fn crosses(&self, a: ActorId, b: ActorId) -> bool {
        let [left, right] = &self.sides;
        (left.contains(&a) && right.contains(&b)) || (left.contains(&b) && right.contains(&a))
    }

    /// Where a message sent at `now` from `from` to `to`, due at `arrival`, arrives.
    fn apply(&mut self, now: SimTime, from: ActorId, to: ActorId, arrival: SimTime) -> SimTime {
        if now < self.from || now >= self.until || !self.crosses(from, to) {
            return arrival;
        }
        match self.effect {
            LinkEffect::Partition => arrival.plus_us(self.until.0 - now.0),
            LinkEffect::Delay { extra_us } => arrival.plus_us(extra_us),
            LinkEffect::Loss { ppm, retransmit_us } => {
                let mut wait_us = 0u64;
                let mut timeout_us = retransmit_us;
                // At most 15 retransmissions (Linux's tcp_retries2); then it goes through.
                for _ in 0..15 {
                    if !self.rng.chance_ppm(ppm) {
                        break;
                    }
                    wait_us = wait_us.saturating_add(timeout_us);
                    timeout_us = timeout_us.saturating_mul(2);
                }
                arrival.plus_us(wait_us)
            }
        }
    }
}

/// The agenda and the links: what a handler's sends go through. A send is scheduled as the
/// handler makes it (its timers wait for the handler to return), which gives the same
/// sequence numbers as scheduling every send after the handler: nothing else is scheduled
/// in between.
pub(super) struct Wire<M> {
    pub(super) agenda: Agenda<Item<M>>,
    pub(super) links: Vec<Link>,
    pub(super) messages_sent: u64,
    /// The scenario's link faults (empty in most runs: one branch per send).
    pub(super) link_faults: Vec<LinkFault>,
}

impl<M: Vacant> Wire<M> {
    #[cold]
    #[inline(never)]
    fn faulted(&mut self, now: SimTime, from: ActorId, to: ActorId, arrival: SimTime) -> SimTime {
        self.link_faults.iter_mut().fold(arrival, |arrival, fault| {
            fault.apply(now, from, to, arrival)
        })
    }

    #[inline(always)]
    pub(super) fn send(&mut self, now: SimTime, from: ActorId, to: ActorId, msg: M) {
        self.messages_sent += 1;
        let receiver_link = self.links[to.index()].config;
        let sender = &mut self.links[from.index()];
        let latency_us = sender.config.latency_us + receiver_link.latency_us;
        let jitter_max_us = sender.config.jitter_us + receiver_link.jitter_us;
        let jitter_us = if jitter_max_us == 0 {
            0
        } else {
            sender.jitter.between(0, jitter_max_us)
        };
        let mut arrival = now.plus_us(latency_us + jitter_us);
        if !self.link_faults.is_empty() {
            arrival = self.faulted(now, from, to, arrival);
        }
        let sender = &mut self.links[from.index()];
        if sender.last_arrival.len() <= to.index() {
            sender.last_arrival.resize(to.index() + 1, SimTime::ZERO);
        }
        // FIFO per link, like TCP: never overtake the previous message on the same link.
        arrival = arrival.max(sender.last_arrival[to.index()]);
        sender.last_arrival[to.index()] = arrival;
        self.agenda.schedule_with(arrival, |item| match item {
            Item::Deliver {
                to: slot_to,
                from: slot_from,
                msg: slot_msg,
            } => {
                *slot_to = to;
                *slot_from = from;
                // A vacant message: nothing to drop (which the compiler cannot know).
                std::mem::forget(std::mem::replace(slot_msg, msg));
            }
            // Not reached: a free node holds a vacant delivery, with nothing to drop.
            other => std::mem::forget(std::mem::replace(other, Item::Deliver { to, from, msg })),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(effect: LinkEffect) -> LinkFault {
        LinkFault {
            sides: [vec![ActorId(1)], vec![ActorId(0), ActorId(3)]],
            from: SimTime(1_000),
            until: SimTime(5_000),
            effect,
            rng: RngStream::new(1, 2),
        }
    }

    #[test]
    fn a_partition_holds_what_crosses_it_until_it_heals_both_ways() {
        let mut partition = fault(LinkEffect::Partition);
        let (a, b, c) = (ActorId(1), ActorId(0), ActorId(2));
        // Sent at 2 ms, due at 2.1 ms: arrives 0.1 ms after the heal at 5 ms.
        assert_eq!(
            partition.apply(SimTime(2_000), a, b, SimTime(2_100)),
            SimTime(5_100)
        );
        assert_eq!(
            partition.apply(SimTime(2_000), b, a, SimTime(2_100)),
            SimTime(5_100)
        );
        // Not across the cut, or sent before or after it: untouched.
        assert_eq!(
            partition.apply(SimTime(2_000), a, c, SimTime(2_100)),
            SimTime(2_100)
        );
        assert_eq!(
            partition.apply(SimTime(999), a, b, SimTime(1_100)),
            SimTime(1_100)
        );
        assert_eq!(
            partition.apply(SimTime(5_000), a, b, SimTime(5_100)),
            SimTime(5_100)
        );
    }

    #[test]
    fn a_delay_spike_adds_its_latency_while_it_lasts() {
        let mut delay = fault(LinkEffect::Delay { extra_us: 700 });
        let (a, b) = (ActorId(3), ActorId(1));
        assert_eq!(
            delay.apply(SimTime(4_999), a, b, SimTime(5_100)),
            SimTime(5_800)
        );
        assert_eq!(
            delay.apply(SimTime(5_000), a, b, SimTime(5_100)),
            SimTime(5_100)
        );
    }

    #[test]
    fn a_lost_transmission_arrives_after_the_retransmission_timeouts() {
        let effect = LinkEffect::Loss {
            ppm: 500_000,
            retransmit_us: 200,
        };
        let mut loss = fault(effect);
        let (a, b) = (ActorId(1), ActorId(0));
        let waits: Vec<u64> = (0..200)
            .map(|_| loss.apply(SimTime(2_000), a, b, SimTime(2_100)).0 - 2_100)
            .collect();
        // Every wait is a sum of doubling timeouts: 0, 200, 600, 1400, ...
        assert!(
            waits
                .iter()
                .all(|w| w % 200 == 0 && (w / 200 + 1).is_power_of_two()),
            "{waits:?}"
        );
        let lost = waits.iter().filter(|w| **w > 0).count();
        assert!((70..130).contains(&lost), "about half are lost: {lost}");
        let mut certain = fault(LinkEffect::Loss {
            ppm: 1_000_000,
            retransmit_us: 1,
        });
        let at = certain.apply(SimTime(2_000), a, b, SimTime(0));
        assert_eq!(at, SimTime((1 << 15) - 1), "15 retransmissions at most");
    }
}

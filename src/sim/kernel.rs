//! The run loop: pops the agenda, calls actors, applies their commands, enforces limits.
//!
//! The links a send crosses are in `wire.rs`; the handler's view, `Ctx`, in `actor.rs`.

use super::actor::{Actor, Ctx, Outbox, Sink};
use super::agenda::{Agenda, Vacant};
use super::clock::SimTime;
use super::rng::RngStream;
use super::wire::{ActorId, Item, Link, LinkConfig, LinkFault, TimerId, Wire};

/// Hard limits of one run. Hitting one ends the run with [`StopReason::Limit`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub events_max: u64,
    pub sim_time_us_max: u64,
}

/// Why a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The sink said the run is complete (e.g. drained, or N records consumed).
    Done,
    /// The requested stop time was reached.
    StopTime,
    /// Nothing was left to happen.
    AgendaEmpty,
    /// A limit was hit: `limit` names the scenario field that raises it.
    Limit { limit: &'static str, value: u64 },
}

struct Slot<A> {
    actor: A,
    up: bool,
    /// Bumped on crash, so timers set by an earlier life never fire.
    incarnation: u32,
    /// This actor's cancelled timers that have not come due yet (a short list: cancellation is
    /// rare, so the common timer pays only an emptiness check).
    cancelled: Vec<TimerId>,
}

/// Counters about the kernel itself, for reports and benches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KernelStats {
    /// Events popped and handled (cancelled and stale timers excluded).
    pub events: u64,
    pub messages_sent: u64,
    /// Messages that arrived at a crashed actor.
    pub messages_dropped: u64,
}

/// The run loop over actors of type `A`: one type (for eventlab an enum of the actor kinds), so
/// handlers — and, through `Ctx<.., S>`, the sink's `on_event` — are called directly, without
/// a virtual call per event or per trace event.
pub struct Kernel<M, E, A> {
    now: SimTime,
    wire: Wire<M>,
    slots: Vec<Slot<A>>,
    next_timer_id: u64,
    outbox: Outbox<M>,
    limits: Limits,
    stop_at: Option<SimTime>,
    stats: KernelStats,
    _event: std::marker::PhantomData<E>,
}

impl<M: Vacant, E, A: Actor<Msg = M, Event = E>> Kernel<M, E, A> {
    pub fn new(limits: Limits, stop_at: Option<SimTime>) -> Self {
        Kernel {
            now: SimTime::ZERO,
            wire: Wire {
                agenda: Agenda::default(),
                links: Vec::new(),
                messages_sent: 0,
                link_faults: Vec::new(),
            },
            slots: Vec::new(),
            next_timer_id: 0,
            outbox: Outbox::default(),
            limits,
            stop_at,
            stats: KernelStats::default(),
            _event: std::marker::PhantomData,
        }
    }

    /// Adds an actor; ids are handed out in order from 0. `jitter` is its link-jitter stream.
    pub fn add_actor(&mut self, actor: A, link: LinkConfig, jitter: RngStream) -> ActorId {
        let id = ActorId(u32::try_from(self.slots.len()).expect("actor count fits u32"));
        self.slots.push(Slot {
            actor,
            up: false,
            incarnation: 0,
            cancelled: Vec::new(),
        });
        self.wire.links.push(Link {
            config: link,
            jitter,
            last_arrival: Vec::new(),
        });
        id
    }

    /// Schedules a fault-timeline input for `to` (delivered without link latency).
    pub fn schedule_fault(&mut self, at: SimTime, to: ActorId, msg: M) {
        self.wire.agenda.schedule(at, Item::Fault { to, msg });
    }

    /// Adds a fault on the links between two sets of actors (see `LinkFault`).
    pub fn add_link_fault(&mut self, fault: LinkFault) {
        self.wire.link_faults.push(fault);
    }

    pub fn schedule_crash(&mut self, at: SimTime, actor: ActorId) {
        self.wire.agenda.schedule(at, Item::Crash(actor));
    }

    pub fn schedule_restart(&mut self, at: SimTime, actor: ActorId) {
        self.wire.agenda.schedule(at, Item::Restart(actor));
    }

    pub fn now(&self) -> SimTime {
        self.now
    }

    pub fn stats(&self) -> KernelStats {
        KernelStats {
            messages_sent: self.wire.messages_sent,
            ..self.stats
        }
    }

    /// Starts every actor (in id order) at time zero, then runs until a stop condition.
    pub fn run<S: Sink<E>>(&mut self, sink: &mut S) -> StopReason {
        self.start_all(sink);
        loop {
            if sink.wants_stop() {
                return StopReason::Done;
            }
            let Some(next_at) = self.wire.agenda.peek_time() else {
                return StopReason::AgendaEmpty;
            };
            if let Some(stop_at) = self.stop_at
                && next_at > stop_at
            {
                self.now = stop_at;
                return StopReason::StopTime;
            }
            if next_at.as_us() > self.limits.sim_time_us_max {
                return StopReason::Limit {
                    limit: "limits.sim_time_us_max",
                    value: self.limits.sim_time_us_max,
                };
            }
            // A handler schedules at most a few thousand events, so this headroom keeps the
            // agenda's packed entries in range.
            if self.wire.agenda.len() >= super::agenda::PENDING_MAX - 65_536 {
                return StopReason::Limit {
                    limit: "pending_events",
                    value: (super::agenda::PENDING_MAX - 65_536) as u64,
                };
            }
            if self.stats.events >= self.limits.events_max {
                return StopReason::Limit {
                    limit: "limits.events_max",
                    value: self.limits.events_max,
                };
            }
            // A delivery's fields are read where they lie in the node (its message taken out,
            // leaving the vacant delivery a free node holds); other items are copied whole.
            let popped = self.wire.agenda.pop_with(next_at, |item| match item {
                Item::Deliver { to, from, msg } => {
                    Ok((*to, *from, std::mem::replace(msg, M::vacant())))
                }
                other => Err(std::mem::replace(other, Item::vacant())),
            });
            debug_assert!(next_at >= self.now, "the clock never goes backwards");
            self.now = next_at;
            let halt = match popped {
                Ok((to, from, msg)) => self.deliver(to, from, msg, sink),
                Err(item) => self.handle(item, sink),
            };
            if let Some(halt) = halt {
                return halt;
            }
        }
    }

    /// After `run`: every actor that is up reports its final state (`Actor::on_end`); only
    /// the trace events it emits count.
    pub fn finish<S: Sink<E>>(&mut self, sink: &mut S) {
        for index in 0..self.slots.len() {
            if !self.slots[index].up {
                continue;
            }
            let actor = ActorId(index as u32);
            let mut outbox = std::mem::take(&mut self.outbox);
            {
                // Not live: sends recorded here are dropped.
                let mut ctx = Ctx::new(
                    self.now,
                    actor,
                    false,
                    &mut self.next_timer_id,
                    &mut self.wire,
                    &mut outbox,
                    sink,
                );
                self.slots[index].actor.on_end(&mut ctx);
            }
            outbox.timers.clear();
            outbox.cancels.clear();
            outbox.halt = None;
            self.outbox = outbox;
        }
    }

    /// A message arrives at `to` (and is dropped if `to` is down).
    #[inline(always)]
    fn deliver<S: Sink<E>>(
        &mut self,
        to: ActorId,
        from: ActorId,
        msg: M,
        sink: &mut S,
    ) -> Option<StopReason> {
        if !self.slots[to.index()].up {
            self.stats.messages_dropped += 1;
            return None;
        }
        self.stats.events += 1;
        self.with_ctx(to, sink, |actor, ctx| actor.on_msg(ctx, from, msg))
    }

    /// Starts every actor, in id order (out of line: `with_ctx` is inlined where it is called,
    /// and only the per-event calls are worth the code).
    #[inline(never)]
    fn start_all<S: Sink<E>>(&mut self, sink: &mut S) {
        for index in 0..self.slots.len() {
            let actor = ActorId(index as u32);
            self.slots[index].up = true;
            self.with_ctx(actor, sink, |slot, ctx| slot.on_start(ctx));
        }
    }

    fn handle<S: Sink<E>>(&mut self, item: Item<M>, sink: &mut S) -> Option<StopReason> {
        match item {
            Item::Deliver { to, from, msg } => self.deliver(to, from, msg, sink),
            Item::Timer {
                actor,
                id,
                tag,
                incarnation,
            } => {
                let slot = &mut self.slots[actor.index()];
                if let Some(index) = slot.cancelled.iter().position(|&cancelled| cancelled == id) {
                    slot.cancelled.swap_remove(index);
                    return None;
                }
                if !slot.up || slot.incarnation != incarnation {
                    return None;
                }
                self.stats.events += 1;
                self.with_ctx(actor, sink, |actor, ctx| actor.on_timer(ctx, id, tag))
            }
            rare => self.handle_rare(rare, sink),
        }
    }

    /// Faults, crashes and restarts: out of line, like `start_all`.
    #[cold]
    #[inline(never)]
    fn handle_rare<S: Sink<E>>(&mut self, item: Item<M>, sink: &mut S) -> Option<StopReason> {
        match item {
            Item::Deliver { .. } | Item::Timer { .. } => {
                unreachable!("deliveries and timers are handled in `handle`")
            }
            Item::Fault { to, msg } => {
                self.stats.events += 1;
                if !self.slots[to.index()].up {
                    return None;
                }
                self.with_ctx(to, sink, |actor, ctx| actor.on_fault(ctx, msg))
            }
            Item::Crash(actor) => {
                self.stats.events += 1;
                let slot = &mut self.slots[actor.index()];
                if !slot.up {
                    return None;
                }
                slot.up = false;
                slot.incarnation += 1;
                self.with_ctx(actor, sink, |actor, ctx| actor.on_crash(ctx))
            }
            Item::Restart(actor) => {
                self.stats.events += 1;
                let slot = &mut self.slots[actor.index()];
                if slot.up {
                    return None;
                }
                slot.up = true;
                self.with_ctx(actor, sink, |actor, ctx| actor.on_start(ctx))
            }
        }
    }

    /// Runs one handler with a fresh context, then applies its outbox.
    #[inline(always)] // Per event: the call and its spills showed in the profile.
    fn with_ctx<S: Sink<E>>(
        &mut self,
        actor: ActorId,
        sink: &mut S,
        handler: impl FnOnce(&mut A, &mut Ctx<'_, M, E, S>),
    ) -> Option<StopReason> {
        // The outbox stays in place (fields are borrowed apart): taking and restoring the whole
        // struct cost a drop of its empty vectors per event. Trace events go to the sink and
        // sends to the agenda as the handler makes them; a crashed actor's sends are dropped.
        let live = self.slots[actor.index()].up;
        {
            let mut ctx = Ctx::new(
                self.now,
                actor,
                live,
                &mut self.next_timer_id,
                &mut self.wire,
                &mut self.outbox,
                sink,
            );
            handler(&mut self.slots[actor.index()].actor, &mut ctx);
        }
        let slot = &mut self.slots[actor.index()];
        if !self.outbox.cancels.is_empty() {
            slot.cancelled.append(&mut self.outbox.cancels);
        }
        if slot.up {
            let incarnation = slot.incarnation;
            for (id, at, tag) in self.outbox.timers.drain(..) {
                self.wire.agenda.schedule(
                    at,
                    Item::Timer {
                        actor,
                        id,
                        tag,
                        incarnation,
                    },
                );
            }
        } else {
            // A crashed actor's last words: only its trace events count.
            self.outbox.timers.clear();
        }
        self.outbox
            .halt
            .take()
            .map(|(limit, value)| StopReason::Limit { limit, value })
    }
}

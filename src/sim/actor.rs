//! Actors and the context through which they act.
//!
//! An actor owns its state and never touches the world: a handler gets its input and a [`Ctx`]
//! that only *records* commands (send, set or cancel a timer). The kernel applies them after the
//! handler returns. Trace events are the exception: they go to the run's sinks as they are
//! emitted, which the sinks cannot tell from receiving them right after the handler (they see
//! nothing else in between). Modelled on stateright's `Actor` and `Out`.
//!
//! `Ctx` is generic over the sink type `S` and the `Actor` methods over `S` (so `Actor` is not
//! object-safe: the kernel holds one actor type, an enum for a run): an emitted event reaches
//! the sink by a direct, inlinable call, not through a `dyn Sink`.

use super::clock::SimTime;
use super::wire::{ActorId, TimerId, Wire};

/// Receives every trace event the actors emit, in order, and may end the run.
pub trait Sink<E> {
    fn on_event(&mut self, at: SimTime, actor: ActorId, event: &E);
    /// Checked after every handled event.
    fn wants_stop(&self) -> bool {
        false
    }
}

/// What handlers asked for, by kind, in the order each kind was recorded. The kernel applies a
/// handler's outbox after it returns: cancellations first, then new timers, then a halt. By
/// then its trace events have reached the sinks and its sends the agenda, in the order made
/// (so at one instant a handler's messages are scheduled before its timers). Typed lists
/// instead of one command enum keep the hot path small.
pub struct Outbox<M> {
    _msg: std::marker::PhantomData<M>,
    pub(super) timers: Vec<(TimerId, SimTime, u32)>,
    pub(super) cancels: Vec<TimerId>,
    /// Stop the run because a scenario limit was reached: (limit field, its value).
    pub(super) halt: Option<(&'static str, u64)>,
}

impl<M> Default for Outbox<M> {
    fn default() -> Self {
        Outbox {
            _msg: std::marker::PhantomData,
            timers: Vec::new(),
            cancels: Vec::new(),
            halt: None,
        }
    }
}

/// The handler's view of the world: the time, its own id, a command recorder, the wire its
/// sends go out on, and the run's sinks for its trace events.
pub struct Ctx<'k, M, E, S> {
    now: SimTime,
    me: ActorId,
    /// False for a crashed actor's last words and for `on_end`: sends are dropped.
    live: bool,
    next_timer_id: &'k mut u64,
    wire: &'k mut Wire<M>,
    outbox: &'k mut Outbox<M>,
    sink: &'k mut S,
    _event: std::marker::PhantomData<E>,
}

impl<'k, M: super::agenda::Vacant, E, S: Sink<E>> Ctx<'k, M, E, S> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        now: SimTime,
        me: ActorId,
        live: bool,
        next_timer_id: &'k mut u64,
        wire: &'k mut Wire<M>,
        outbox: &'k mut Outbox<M>,
        sink: &'k mut S,
    ) -> Self {
        Ctx {
            now,
            me,
            live,
            next_timer_id,
            wire,
            outbox,
            sink,
            _event: std::marker::PhantomData,
        }
    }

    #[inline]
    pub fn now(&self) -> SimTime {
        self.now
    }

    pub fn me(&self) -> ActorId {
        self.me
    }

    /// Sends `msg` over the link from this actor to `to`; it arrives after the link's latency.
    #[inline]
    pub fn send(&mut self, to: ActorId, msg: M) {
        if self.live {
            self.wire.send(self.now, self.me, to, msg);
        }
    }

    /// Fires `on_timer(tag)` after `delay_us`. The returned id cancels it.
    #[inline]
    pub fn set_timer(&mut self, delay_us: u64, tag: u32) -> TimerId {
        let id = TimerId(*self.next_timer_id);
        *self.next_timer_id += 1;
        self.outbox
            .timers
            .push((id, self.now.plus_us(delay_us), tag));
        id
    }

    /// A cancelled timer never fires and is not counted as an event.
    pub fn cancel_timer(&mut self, id: TimerId) {
        self.outbox.cancels.push(id);
    }

    /// Hands a trace event to the run's sinks, stamped with the current time and this actor.
    #[inline(always)] // With the sink's handling inlined, each emit site keeps only its event's arm.
    pub fn emit(&mut self, event: E) {
        self.sink.on_event(self.now, self.me, &event);
    }

    /// Ends the run: `limit` is the scenario field that bounds what was reached.
    pub fn halt(&mut self, limit: &'static str, value: u64) {
        self.outbox.halt.get_or_insert((limit, value));
    }
}

/// A simulated process: a broker, a producer instance, a consumer instance.
pub trait Actor {
    /// Vacant: what a free agenda node holds (see `agenda::Vacant`).
    type Msg: super::agenda::Vacant;
    type Event;

    /// Called once at time zero, and again after each restart.
    fn on_start<S: Sink<Self::Event>>(&mut self, ctx: &mut Ctx<'_, Self::Msg, Self::Event, S>);

    fn on_msg<S: Sink<Self::Event>>(
        &mut self,
        ctx: &mut Ctx<'_, Self::Msg, Self::Event, S>,
        from: ActorId,
        msg: Self::Msg,
    );

    fn on_timer<S: Sink<Self::Event>>(
        &mut self,
        ctx: &mut Ctx<'_, Self::Msg, Self::Event, S>,
        id: TimerId,
        tag: u32,
    );

    /// The process dies: volatile state is lost. Sends and timers recorded here are discarded;
    /// emitted trace events are kept. Timers set before the crash never fire.
    fn on_crash<S: Sink<Self::Event>>(&mut self, ctx: &mut Ctx<'_, Self::Msg, Self::Event, S>);

    /// A fault-timeline input that is not a crash or restart (e.g. a slow-consumer period).
    fn on_fault<S: Sink<Self::Event>>(
        &mut self,
        ctx: &mut Ctx<'_, Self::Msg, Self::Event, S>,
        fault: Self::Msg,
    ) {
        let me = ctx.me();
        self.on_msg(ctx, me, fault);
    }

    /// The run has ended: the actor may report its final state as trace events (e.g. what is
    /// left in a queue). Sends and timers recorded here are discarded.
    fn on_end<S: Sink<Self::Event>>(&mut self, _ctx: &mut Ctx<'_, Self::Msg, Self::Event, S>) {}
}

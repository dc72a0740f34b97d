//! Actors and the context through which they act.
//!
//! An actor owns its state and never touches the world: a handler gets its input and a [`Ctx`]
//! that only *records* commands (send, set or cancel a timer, emit a trace event). The kernel
//! applies them after the handler returns. Modelled on stateright's `Actor` and `Out`.

use super::clock::SimTime;

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

/// What a handler asked for. A closed set: the kernel applies each in order.
pub enum Command<M, E> {
    Send { to: ActorId, msg: M },
    SetTimer { id: TimerId, at: SimTime, tag: u32 },
    CancelTimer(TimerId),
    Emit(E),
    /// Stop the run because a scenario limit was reached.
    Halt { limit: &'static str, value: u64 },
}

/// The handler's view of the world: the time, its own id, and a command recorder.
pub struct Ctx<'k, M, E> {
    now: SimTime,
    me: ActorId,
    next_timer_id: &'k mut u64,
    commands: &'k mut Vec<Command<M, E>>,
}

impl<'k, M, E> Ctx<'k, M, E> {
    pub(super) fn new(
        now: SimTime,
        me: ActorId,
        next_timer_id: &'k mut u64,
        commands: &'k mut Vec<Command<M, E>>,
    ) -> Self {
        Ctx { now, me, next_timer_id, commands }
    }

    pub fn now(&self) -> SimTime {
        self.now
    }

    pub fn me(&self) -> ActorId {
        self.me
    }

    /// Sends `msg` over the link from this actor to `to`; it arrives after the link's latency.
    pub fn send(&mut self, to: ActorId, msg: M) {
        self.commands.push(Command::Send { to, msg });
    }

    /// Fires `on_timer(tag)` after `delay_us`. The returned id cancels it.
    pub fn set_timer(&mut self, delay_us: u64, tag: u32) -> TimerId {
        let id = TimerId(*self.next_timer_id);
        *self.next_timer_id += 1;
        self.commands.push(Command::SetTimer { id, at: self.now.plus_us(delay_us), tag });
        id
    }

    /// A cancelled timer never fires and is not counted as an event.
    pub fn cancel_timer(&mut self, id: TimerId) {
        self.commands.push(Command::CancelTimer(id));
    }

    /// Hands a trace event to the run's sinks, stamped with the current time and this actor.
    pub fn emit(&mut self, event: E) {
        self.commands.push(Command::Emit(event));
    }

    /// Ends the run: `limit` is the scenario field that bounds what was reached.
    pub fn halt(&mut self, limit: &'static str, value: u64) {
        self.commands.push(Command::Halt { limit, value });
    }
}

/// A simulated process: a broker, a producer instance, a consumer instance.
pub trait Actor {
    type Msg;
    type Event;

    /// Called once at time zero, and again after each restart.
    fn on_start(&mut self, ctx: &mut Ctx<'_, Self::Msg, Self::Event>);

    fn on_msg(&mut self, ctx: &mut Ctx<'_, Self::Msg, Self::Event>, from: ActorId, msg: Self::Msg);

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self::Msg, Self::Event>, id: TimerId, tag: u32);

    /// The process dies: volatile state is lost. Sends and timers recorded here are discarded;
    /// emitted trace events are kept. Timers set before the crash never fire.
    fn on_crash(&mut self, ctx: &mut Ctx<'_, Self::Msg, Self::Event>);

    /// A fault-timeline input that is not a crash or restart (e.g. a slow-consumer period).
    fn on_fault(&mut self, ctx: &mut Ctx<'_, Self::Msg, Self::Event>, fault: Self::Msg) {
        self.on_msg(ctx, ctx_me(ctx), fault);
    }
}

fn ctx_me<M, E>(ctx: &Ctx<'_, M, E>) -> ActorId {
    ctx.me
}

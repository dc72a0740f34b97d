//! `RegistryActor`: the schema registry as a process of the run. Producers register their
//! schema by a message that crosses their link (Confluent's `POST /subjects/{subject}/versions`
//! with `auto.register.schemas`), and the registry answers with the id or the refusal.
//! Consumers fetch a writer schema they have not cached by its id (`GET /schemas/ids/{id}`),
//! and the registry answers with it.
//!
//! What it is not: the place where the compatibility rules run. Every registration of a
//! scenario is requested at a time the file states (a producer's start or a `schema_upgrades`
//! entry), so the registry's decisions (versions, ids, refusals) are taken when the scenario is
//! validated, in the order of those times (`model::schemas`); the actor answers with them. The
//! run shows what the registry costs: the round trip, during which the producer holds its
//! sends.

use crate::protocol::Msg;
use crate::sim::{Actor, ActorId, Ctx, TimerId};
use crate::trace::{TraceEvent, TraceSink};

type RegistryCtx<'k, S> = Ctx<'k, Msg, TraceEvent, S>;

/// The run's schema registry; it answers each registration and each fetch at once (no
/// processing time).
#[derive(Debug, Default)]
pub struct RegistryActor;

impl Actor for RegistryActor {
    type Msg = Msg;
    type Event = TraceEvent;

    fn on_start<S: TraceSink>(&mut self, _ctx: &mut RegistryCtx<S>) {}

    fn on_msg<S: TraceSink>(&mut self, ctx: &mut RegistryCtx<S>, from: ActorId, msg: Msg) {
        match msg {
            Msg::SchemaRegister { production, step } => {
                ctx.send(from, Msg::SchemaAnswer { production, step });
            }
            Msg::SchemaFetch {
                id,
                consumer,
                queue,
                asked_at,
            } => {
                let answer = Msg::SchemaFetched {
                    id,
                    consumer,
                    queue,
                    asked_at,
                };
                ctx.send(from, answer);
            }
            other => debug_assert!(false, "the schema registry never receives {other:?}"),
        }
    }

    fn on_timer<S: TraceSink>(&mut self, _ctx: &mut RegistryCtx<S>, _id: TimerId, _tag: u32) {}

    fn on_crash<S: TraceSink>(&mut self, _ctx: &mut RegistryCtx<S>) {
        // Registry faults are not modelled; validation only lets instances crash.
    }
}

//! `SchemaCache`: a consumer's deserializer's cache of writer schemas by id, and its fetches.
//!
//! A record of a run with schemas carries its writer schema's id (Confluent's wire format).
//! A consumer that meets an id it has not cached asks the registry for the schema, as
//! Confluent's `KafkaAvroDeserializer` does through `CachedSchemaRegistryClient.getSchemaById`
//! (`GET /schemas/ids/{id}`): a request and an answer crossing the instance's link. The
//! deserializer blocks meanwhile, so the consumer decodes nothing until the answer: the record
//! and the ones after it wait. The cache lives in the process, so a restart loses it.
//!
//! What it is not: the decoding itself (`SchemaRun::check_consume`), nor the registry's
//! contents (the registry knows every id it gave, so a fetch never fails).

use crate::model::{GroupId, InstanceId};
use crate::protocol::Msg;
use crate::sim::{ActorId, Ctx, SimTime};
use crate::trace::{TraceEvent, TraceSink};

type InstanceCtx<'k, S> = Ctx<'k, Msg, TraceEvent, S>;

/// The schema ids one consumer role has fetched, and the fetch under way.
#[derive(Debug, Default)]
pub struct SchemaCache {
    /// The registry actor; set in runs with schemas (the only runs whose records carry ids).
    registry: Option<ActorId>,
    /// The ids fetched since the instance (re)started, in the order they were fetched.
    known: Vec<u32>,
    /// The fetch under way: the id asked for and when.
    waiting: Option<(u32, SimTime)>,
}

impl SchemaCache {
    /// A cache that fetches from `registry`.
    pub fn new(registry: ActorId) -> Self {
        SchemaCache {
            registry: Some(registry),
            ..SchemaCache::default()
        }
    }

    /// Whether the schema with id `id` is cached.
    #[inline]
    pub fn ready(&self, id: u32) -> bool {
        self.known.contains(&id)
    }

    /// Asks the registry for schema `id` unless a fetch is under way; the caller holds its
    /// decoding until [`SchemaCache::answered`] says the answer came. `consumer` is the role's
    /// index in its instance (`queue`: a queue consumer's), which the answer carries back.
    #[cold]
    #[inline(never)]
    pub fn fetch<S: TraceSink>(
        &mut self,
        ctx: &mut InstanceCtx<S>,
        group: GroupId,
        instance: InstanceId,
        id: u32,
        consumer: u32,
        queue: bool,
    ) {
        if self.waiting.is_some() {
            return;
        }
        let registry = self
            .registry
            .expect("only runs with schemas carry schema ids, and they have a registry");
        let asked_at = ctx.now();
        self.waiting = Some((id, asked_at));
        ctx.emit(TraceEvent::SchemaRequested {
            group,
            instance,
            id,
        });
        let consumer = u16::try_from(consumer).expect("an instance runs fewer than 65,536 roles");
        ctx.send(
            registry,
            Msg::SchemaFetch {
                id,
                consumer,
                queue,
                asked_at,
            },
        );
    }

    /// The registry's answer with schema `id` to the fetch sent at `asked_at`: caches it and
    /// traces it, and says whether the caller may go on decoding. An answer to a fetch from
    /// before a restart is not this process's: it is ignored.
    #[cold]
    #[inline(never)]
    pub fn answered<S: TraceSink>(
        &mut self,
        ctx: &mut InstanceCtx<S>,
        group: GroupId,
        instance: InstanceId,
        id: u32,
        asked_at: SimTime,
    ) -> bool {
        if self.waiting != Some((id, asked_at)) {
            return false;
        }
        self.waiting = None;
        self.known.push(id);
        ctx.emit(TraceEvent::SchemaFetched {
            group,
            instance,
            id,
            latency_us: ctx.now().as_us() - asked_at.as_us(),
        });
        true
    }

    /// The process died: its cache and its fetch under way are gone.
    pub fn crash(&mut self) {
        self.known.clear();
        self.waiting = None;
    }

    /// The ids cached now, in the order they were fetched.
    pub fn known(&self) -> &[u32] {
        &self.known
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crash_forgets_the_cache() {
        let mut cache = SchemaCache::new(ActorId(3));
        cache.known.push(7);
        cache.waiting = Some((8, SimTime(5)));
        assert!(cache.ready(7));
        cache.crash();
        assert!(!cache.ready(7));
        assert_eq!(cache.waiting, None);
        assert!(cache.known().is_empty());
    }
}

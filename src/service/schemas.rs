//! `SchemaRun`: the schema checks of a run, shared by every instance: the producer's
//! serializer (validation against the producer's schema version, or the registry's refusal of
//! it) and the consumer's deserializer (Avro schema resolution of the writer's version with the
//! reader's schema).
//!
//! A record's value is its producer's template draw, made with the same seeded draw the
//! pipelines make (`pipeline::Dataflow`), so a check sees the value a flow would. Only records
//! from `produces` entries are checked; what a pipeline emits carries no schema. A null value (a
//! tombstone) is not serialized by Avro serializers and is never checked. Where a consumer
//! cannot decode a record it skips it, as Spring Kafka's `ErrorHandlingDeserializer` or a
//! `DeserializationExceptionHandler` that continues does; a plain Java consumer would instead
//! stop at the record on every poll.

use std::rc::Rc;

use crate::model::schemas::Writes;
use crate::model::{GroupId, InstanceId, Scenario, StreamId};
use crate::pipeline::generate_value;
use crate::protocol::Record;
use crate::schema::Datum;
use crate::schema::resolve::resolve;
use crate::sim::SimTime;
use crate::sim::rng::{self, RngStream};
use crate::trace::{ReasonId, Reasons, TraceEvent};
use crate::value::Value;

pub struct SchemaRun {
    model: Scenario,
    reasons: Rc<Reasons>,
}

impl SchemaRun {
    /// `None` when no stream has a schema. Reasons are interned in `reasons`.
    pub fn new(model: &Scenario, reasons: &Rc<Reasons>) -> Option<Rc<SchemaRun>> {
        (!model.schemas.is_empty()).then(|| {
            Rc::new(SchemaRun {
                model: model.clone(),
                reasons: Rc::clone(reasons),
            })
        })
    }

    /// The value the producer's template draws for `record` (an empty object without one).
    fn value(&self, stream: StreamId, production: usize, record: &Record) -> Value {
        let model = &self.model;
        let instance = model.instance(record.id.producer);
        let Some(template) = &model.topology.services[instance.service.index()].values[production]
        else {
            return Value::object();
        };
        let purpose = format!("{}/values", model.stream(stream).name);
        let seed = rng::keyed_u64(
            model.seed,
            rng::stream_id("instance", &instance.name, &purpose),
            u64::from(record.id.seq),
        );
        let mut draws = RngStream::new(seed, 0);
        let key_text = record.key.map(|key| model.keys.text(key).to_string());
        generate_value(
            template,
            key_text.as_deref(),
            u64::from(record.id.seq) + 1,
            &mut draws,
        )
    }

    /// The registration steps of `instance`'s production `production`: `(from_us, step)`.
    pub fn registrations(&self, instance: InstanceId, production: usize) -> Vec<(u64, usize)> {
        let service = self.model.instance(instance).service;
        match self.model.schemas.writer(service, production) {
            Some(plan) => plan
                .steps
                .iter()
                .enumerate()
                .map(|(step, at)| (at.from_us, step))
                .collect(),
            None => Vec::new(),
        }
    }

    /// The trace event of a registration: the registry's answer to step `step`.
    pub fn registration(&self, instance: InstanceId, production: usize, step: usize) -> TraceEvent {
        let service = self.model.instance(instance).service;
        let plan = self
            .model
            .schemas
            .writer(service, production)
            .expect("a registration has a plan");
        let subject = self
            .model
            .schemas
            .subject(plan.stream)
            .expect("a writer plan's stream has a subject");
        match &plan.steps[step].writes {
            Writes::Version(version) => TraceEvent::SchemaRegistered {
                stream: plan.stream,
                instance,
                version: subject.versions[*version].version,
                id: subject.versions[*version].id,
            },
            Writes::Refused(refusal) => {
                let refusal = &subject.refusals[*refusal];
                let first = &refusal.incompatibilities[0];
                TraceEvent::SchemaRefused {
                    stream: plan.stream,
                    instance,
                    reason: self.reasons.intern(format!(
                        "subject {} ({}) refuses the new schema: {} against version {}",
                        subject.name, subject.compatibility, first.incompatibility, first.version
                    )),
                }
            }
        }
    }

    /// The schema id a record of `instance`'s production `production` sent at `now` carries:
    /// the id the registry gave the version in effect, or 0 (no schema, or a refused one).
    pub fn writer_id(&self, instance: InstanceId, production: usize, now: SimTime) -> u32 {
        let service = self.model.instance(instance).service;
        let Some(plan) = self.model.schemas.writer(service, production) else {
            return 0;
        };
        let subject = self
            .model
            .schemas
            .subject(plan.stream)
            .expect("a writer plan's stream has a subject");
        match plan.at(now.as_us()) {
            Writes::Version(version) => subject.versions[*version].id,
            Writes::Refused(_) => 0,
        }
    }

    /// Why the producer's serializer fails on `record` at `now`, or `None` when it is sent.
    pub fn check_produce(
        &self,
        instance: InstanceId,
        production: usize,
        record: &Record,
        now: SimTime,
    ) -> Option<ReasonId> {
        let service = self.model.instance(instance).service;
        let plan = self.model.schemas.writer(service, production)?;
        let subject = self
            .model
            .schemas
            .subject(plan.stream)
            .expect("a writer plan's stream has a subject");
        let version = match plan.at(now.as_us()) {
            Writes::Refused(refusal) => {
                let refusal = &subject.refusals[*refusal];
                let first = &refusal.incompatibilities[0];
                return Some(self.reasons.intern(format!(
                    "the registry refused the schema at {} us ({} of subject {}): {} against version {}",
                    refusal.at_us,
                    subject.compatibility,
                    subject.name,
                    first.incompatibility,
                    first.version
                )));
            }
            Writes::Version(version) => &subject.versions[*version],
        };
        let value = self.value(plan.stream, production, record);
        if value == Value::Null {
            return None;
        }
        match Datum::from_value(&version.schema, version.schema.root(), &value) {
            Ok(_) => None,
            Err(error) => Some(self.reasons.intern(format!(
                "the value does not match {} version {} (id {}): {error}",
                subject.name, version.version, version.id
            ))),
        }
    }

    /// Why `group`'s deserializer fails on `record` at `now`, or `None` when it decodes.
    pub fn check_consume(&self, group: GroupId, record: &Record, now: SimTime) -> Option<ReasonId> {
        let reader = self.model.schemas.reader(group)?;
        let producer = self.model.instance(record.id.producer);
        let (production, plan) = self
            .model
            .service(producer.service)
            .produces
            .iter()
            .enumerate()
            .filter(|(_, production)| production.stream == reader.stream)
            .find_map(|(index, _)| {
                Some((index, self.model.schemas.writer(producer.service, index)?))
            })?;
        let subject = self
            .model
            .schemas
            .subject(plan.stream)
            .expect("a writer plan's stream has a subject");
        // The writer schema is the one the record's id names (Confluent's deserializer reads
        // the id from the wire format and looks the schema up by it).
        let written = subject
            .versions
            .iter()
            .find(|version| version.id == record.schema_id)?;
        let value = self.value(plan.stream, production, record);
        if value == Value::Null {
            return None;
        }
        let datum = Datum::from_value(&written.schema, written.schema.root(), &value).ok()?;
        let reader_schema = reader.at(now.as_us());
        match resolve(
            &written.schema,
            written.schema.root(),
            reader_schema,
            reader_schema.root(),
            &datum,
        ) {
            Ok(_) => None,
            Err(error) => Some(self.reasons.intern(format!(
                "cannot read {} version {} (id {}) with the reader schema: {error}",
                subject.name, written.version, written.id
            ))),
        }
    }
}

//! Schemas in a scenario: each stream's `schema` and `compatibility`, the producers' and
//! consumers' `schema` and `schema_upgrades`, and the registry's answers to the producers'
//! registrations, replayed in time order into `model::schemas::SchemaPlan` (why there, and not
//! in an actor, is in that module's `//!`).
//!
//! Schema paths must have been inlined by the caller (the CLI reads `.avsc` files relative to
//! the scenario file); a path that reaches validation is an error that says so.

use std::sync::Arc;

use super::validator::Validator;
use crate::model::schemas::{
    ReaderPlan, Refusal, SchemaPlan, Subject, SubjectVersion, WriterPlan, WriterStep, Writes,
};
use crate::model::{Consumption, Service, StreamId};
use crate::scenario::defaults;
use crate::scenario::error::hint_or_list;
use crate::scenario::raw::{RawConsumes, RawScenario, RawSchemaUpgrade};
use crate::schema::{CompatibilityMode, Schema, check_with_history, parse_schema_value};

/// Whether a schema value names a file rather than being a schema: a string ending in `.avsc`
/// or holding a `/` (a bare type name such as `"string"` is a schema).
pub fn is_schema_path(json: &serde_json::Value) -> bool {
    json.as_str()
        .is_some_and(|text| text.ends_with(".avsc") || text.contains('/'))
}

fn schema(v: &mut Validator, json: &serde_json::Value, path: &str) -> Option<Arc<Schema>> {
    if let Some(file) = json.as_str().filter(|_| is_schema_path(json)) {
        v.error(
            path,
            format!("\"{file}\" is a schema file, which only a scenario read from a file can name (inline the schema)"),
        );
        return None;
    }
    match parse_schema_value(json, path) {
        Ok(schema) => Some(Arc::new(schema)),
        Err(error) => {
            let location = if error.path.is_empty() {
                path.to_string()
            } else {
                error.path
            };
            v.error(location, error.message);
            None
        }
    }
}

/// A stream's schema and compatibility level (checked with the stream's other fields).
pub(super) fn stream(
    v: &mut Validator,
    raw: &RawScenario,
    index: usize,
) -> Option<(Arc<Schema>, CompatibilityMode)> {
    let stream = &raw.streams[index];
    let path = format!("streams[{index}]");
    let names: Vec<&str> = CompatibilityMode::ALL
        .iter()
        .map(|mode| mode.name())
        .collect();
    let given = stream.compatibility.as_deref();
    let mode = match CompatibilityMode::from_name(given.unwrap_or(defaults::COMPATIBILITY.name())) {
        Some(mode) => mode,
        None => {
            let name = given.unwrap_or_default();
            v.error(
                format!("{path}.compatibility"),
                format!("unknown level \"{name}\"{}", hint_or_list(name, &names)),
            );
            CompatibilityMode::Backward
        }
    };
    match &stream.schema {
        Some(json) => Some((schema(v, json, &format!("{path}.schema"))?, mode)),
        None => {
            if given.is_some() {
                v.error(
                    format!("{path}.compatibility"),
                    "a compatibility level needs the stream's \"schema\"",
                );
            }
            None
        }
    }
}

/// One registration: when, by which production, which schema; `order` breaks ties.
struct Registration {
    at_us: u64,
    order: usize,
    stream: StreamId,
    /// `(service index, production index)`; `None` for a stream's first version.
    production: Option<(usize, usize)>,
    schema: Arc<Schema>,
}

fn upgrades(
    v: &mut Validator,
    raw: &[RawSchemaUpgrade],
    path: &str,
    has_schema: bool,
) -> Vec<(u64, Arc<Schema>)> {
    if !has_schema && !raw.is_empty() {
        v.error(path, "schema upgrades need the stream's \"schema\"");
        return Vec::new();
    }
    if raw.len() > 255 {
        v.error(path, "at most 255 schema upgrades");
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut last_us = 0;
    for (position, upgrade) in raw.iter().enumerate() {
        let upgrade_path = format!("{path}[{position}]");
        if upgrade.at_us < last_us {
            v.error(
                format!("{upgrade_path}.at_us"),
                "schema upgrades must be in time order",
            );
        }
        last_us = upgrade.at_us;
        if let Some(schema) = schema(v, &upgrade.schema, &format!("{upgrade_path}.schema")) {
            found.push((upgrade.at_us, schema));
        }
    }
    found
}

/// The plan: subjects with the registry's answers, writers' and readers' schemas over time.
pub(super) fn plan(
    v: &mut Validator,
    raw: &RawScenario,
    stream_schemas: &[Option<(Arc<Schema>, CompatibilityMode)>],
    services: &[Service],
) -> SchemaPlan {
    if stream_schemas.iter().all(Option::is_none)
        && raw.services.iter().all(|service| {
            service
                .produces
                .iter()
                .all(|p| p.schema_upgrades.is_empty())
                && service
                    .consumes
                    .iter()
                    .all(|c| c.schema.is_none() && c.schema_upgrades.is_empty())
        })
    {
        return SchemaPlan::default();
    }
    let mut registrations = Vec::new();
    for (index, stream_schema) in stream_schemas.iter().enumerate() {
        if let Some((schema, _)) = stream_schema {
            let stream = StreamId(index as u32);
            registrations.push(Registration {
                at_us: 0,
                order: index,
                stream,
                production: None,
                schema: Arc::clone(schema),
            });
        }
    }
    let mut readers = Vec::new();
    for (service_index, service) in services.iter().enumerate() {
        let raw_service = &raw.services[service_index];
        for (production_index, production) in service.produces.iter().enumerate() {
            let has_schema = stream_schemas[production.stream.index()].is_some();
            let path =
                format!("services[{service_index}].produces[{production_index}].schema_upgrades");
            for (at_us, schema) in upgrades(
                v,
                &raw_service.produces[production_index].schema_upgrades,
                &path,
                has_schema,
            ) {
                let order = registrations.len();
                let production = Some((service_index, production_index));
                registrations.push(Registration {
                    at_us,
                    order,
                    stream: production_stream(production, services),
                    production,
                    schema,
                });
            }
        }
        for (consumption_index, consumption) in service.consumes.iter().enumerate() {
            let raw_consumes = &raw_service.consumes[consumption_index];
            let path = format!("services[{service_index}].consumes[{consumption_index}]");
            readers.extend(reader_plan(
                v,
                raw_consumes,
                &path,
                consumption,
                stream_schemas,
            ));
        }
    }
    registrations.sort_by_key(|registration| (registration.at_us, registration.order));
    let (subjects, writers) = register(raw, stream_schemas, services, &registrations);
    SchemaPlan {
        subjects,
        writers,
        readers,
    }
}

/// A consumer group's reader schemas: its own `schema` or the stream's, then its upgrades.
fn reader_plan(
    v: &mut Validator,
    raw_consumes: &RawConsumes,
    path: &str,
    consumption: &Consumption,
    stream_schemas: &[Option<(Arc<Schema>, CompatibilityMode)>],
) -> Option<ReaderPlan> {
    let stream_schema = stream_schemas[consumption.stream.index()]
        .as_ref()
        .map(|(schema, _)| Arc::clone(schema));
    let base = match &raw_consumes.schema {
        Some(json) if stream_schema.is_some() => schema(v, json, &format!("{path}.schema")),
        Some(_) => {
            v.error(
                format!("{path}.schema"),
                "a reader schema needs the stream's \"schema\"",
            );
            None
        }
        None => stream_schema.clone(),
    };
    let later = upgrades(
        v,
        &raw_consumes.schema_upgrades,
        &format!("{path}.schema_upgrades"),
        stream_schema.is_some(),
    );
    let mut steps = vec![(0, base?)];
    steps.extend(later);
    Some(ReaderPlan {
        group: consumption.group,
        stream: consumption.stream,
        steps,
    })
}

fn production_stream(production: Option<(usize, usize)>, services: &[Service]) -> StreamId {
    let (service, index) = production.expect("an upgrade belongs to a production");
    services[service].produces[index].stream
}

/// A plan per production on a stream with a subject, writing version 1 from the start.
fn writer_plans(services: &[Service], subjects: &[Option<Subject>]) -> Vec<WriterPlan> {
    let mut writers: Vec<WriterPlan> = Vec::new();
    for (service_index, service) in services.iter().enumerate() {
        for (production_index, production) in service.produces.iter().enumerate() {
            if subjects[production.stream.index()].is_some() {
                writers.push(WriterPlan {
                    service: crate::model::ServiceId(service_index as u32),
                    production: production_index,
                    stream: production.stream,
                    steps: vec![WriterStep {
                        from_us: 0,
                        writes: Writes::Version(0),
                    }],
                });
            }
        }
    }
    writers
}

/// Replays the registrations against a registry, as Confluent's answers them: a schema already
/// in the subject gets its version back; a new one is checked against the history under the
/// subject's level and becomes the next version with the next registry-wide id, or is refused.
fn register(
    raw: &RawScenario,
    stream_schemas: &[Option<(Arc<Schema>, CompatibilityMode)>],
    services: &[Service],
    registrations: &[Registration],
) -> (Vec<Option<Subject>>, Vec<WriterPlan>) {
    let mut subjects: Vec<Option<Subject>> = stream_schemas
        .iter()
        .enumerate()
        .map(|(index, stream_schema)| {
            stream_schema.as_ref().map(|(_, mode)| Subject {
                name: format!("{}-value", raw.streams[index].name),
                compatibility: *mode,
                versions: Vec::new(),
                refusals: Vec::new(),
            })
        })
        .collect();
    let mut writers = writer_plans(services, &subjects);
    let mut next_id = 1;
    for registration in registrations {
        let subject = subjects[registration.stream.index()]
            .as_mut()
            .expect("a registration's stream has a subject");
        // A stream's first version is registered by its first producer (at its start; the
        // stream's name when nobody produces to it).
        let first_producer = || {
            services
                .iter()
                .find(|service| {
                    service
                        .produces
                        .iter()
                        .any(|production| production.stream == registration.stream)
                })
                .map_or_else(
                    || raw.streams[registration.stream.index()].name.clone(),
                    |service| service.name.clone(),
                )
        };
        let by = registration
            .production
            .map_or_else(first_producer, |(service, _)| {
                services[service].name.clone()
            });
        let writes = match subject
            .versions
            .iter()
            .position(|version| *version.schema == *registration.schema)
        {
            Some(existing) => Writes::Version(existing),
            None => {
                let history: Vec<Schema> = subject
                    .versions
                    .iter()
                    .map(|version| (*version.schema).clone())
                    .collect();
                let found =
                    check_with_history(subject.compatibility, &registration.schema, &history);
                if found.is_empty() {
                    subject.versions.push(SubjectVersion {
                        version: subject.versions.len() as u32 + 1,
                        id: next_id,
                        schema: Arc::clone(&registration.schema),
                        registered_at_us: registration.at_us,
                        registered_by: by,
                    });
                    next_id += 1;
                    Writes::Version(subject.versions.len() - 1)
                } else {
                    subject.refusals.push(Refusal {
                        at_us: registration.at_us,
                        service: by,
                        incompatibilities: found,
                    });
                    Writes::Refused(subject.refusals.len() - 1)
                }
            }
        };
        if let Some((service, production)) = registration.production {
            let plan = writers
                .iter_mut()
                .find(|plan| plan.service.index() == service && plan.production == production)
                .expect("every production on a stream with a subject has a plan");
            plan.steps.push(WriterStep {
                from_us: registration.at_us,
                writes,
            });
        }
    }
    (subjects, writers)
}

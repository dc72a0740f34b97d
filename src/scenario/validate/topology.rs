//! Validation of the topology fields: event kinds, domains, tables, APIs, pipelines, value
//! templates, external systems and the single-writer principle. Builds `model::Topology`.
//!
//! Runs after the rest of `validate` with the resolved streams and services; its errors are
//! merged into document order by `sort_in_document_order`.

use std::collections::{BTreeMap, BTreeSet};

use super::error::{ScenarioError, did_you_mean, hint_or_list};
use super::raw::*;
use super::validate::Validator;
use crate::model::topology::*;
use crate::model::{Service, ServiceId, Stream, StreamId};
use crate::value::Value;

const TOMBSTONE_RATIO_MAX: f64 = 1.0;

pub(super) fn validate_topology(
    v: &mut Validator,
    raw: &RawScenario,
    streams: &[Stream],
    services: &[Service],
) -> Topology {
    let stream_ids: BTreeMap<&str, StreamId> = streams
        .iter()
        .rev()
        .map(|s| (s.name.as_str(), s.id))
        .collect();
    let stream_names: Vec<&str> = streams.iter().map(|s| s.name.as_str()).collect();
    let resolve = |v: &mut Validator, path: String, name: &str| -> Option<StreamId> {
        let id = stream_ids.get(name).copied();
        if id.is_none() {
            v.error(
                path,
                format!(
                    "unknown stream \"{name}\"{}",
                    did_you_mean(name, stream_names.iter().copied())
                ),
            );
        }
        id
    };

    let single_writer = match raw.single_writer.as_deref() {
        None | Some("error") => SingleWriter::Error,
        Some("warn") => SingleWriter::Warn,
        Some(other) => {
            v.error(
                "single_writer",
                format!(
                    "unknown setting \"{other}\"{}",
                    hint_or_list(other, &["error", "warn"])
                ),
            );
            SingleWriter::Error
        }
    };

    // Streams: event kinds.
    let mut stream_topology = Vec::new();
    for (index, stream) in raw.streams.iter().enumerate() {
        let path = format!("streams[{index}]");
        let kind = match (stream.kind.as_deref(), &stream.entity) {
            (None, None) => None,
            (Some("entity"), Some(entity)) if !entity.trim().is_empty() => {
                Some(EventKind::Entity {
                    entity: entity.clone(),
                })
            }
            (Some("entity"), _) => {
                v.error(
                    format!("{path}.entity"),
                    "an entity stream needs \"entity\": the name of the entity whose primary key keys it (e.g. \"User\")",
                );
                None
            }
            (Some(kind @ ("keyed" | "unkeyed")), Some(_)) => {
                v.error(
                    format!("{path}.entity"),
                    format!("only an entity stream names an entity, and this one is \"{kind}\" (set \"kind\": \"entity\")"),
                );
                None
            }
            (None, Some(_)) => {
                v.error(
                    format!("{path}.entity"),
                    "\"entity\" needs \"kind\": \"entity\"",
                );
                None
            }
            (Some("keyed"), None) => Some(EventKind::Keyed),
            (Some("unkeyed"), None) => Some(EventKind::Unkeyed),
            (Some(other), _) => {
                v.error(
                    format!("{path}.kind"),
                    format!(
                        "unknown event kind \"{other}\"{}",
                        hint_or_list(other, &["entity", "keyed", "unkeyed"])
                    ),
                );
                None
            }
        };
        stream_topology.push(StreamTopology {
            description: stream.description.clone(),
            kind,
        });
    }
    let kind_of = |id: StreamId| {
        stream_topology
            .get(id.index())
            .and_then(|s| s.kind.as_ref())
    };

    // Writers of each stream, in document order: (writer, path).
    let mut writers: BTreeMap<StreamId, Vec<(Writer, String)>> = BTreeMap::new();
    let mut add_writer = |stream: StreamId, writer: Writer, path: String| {
        let list = writers.entry(stream).or_default();
        if !list.iter().any(|(known, _)| *known == writer) {
            list.push((writer, path));
        }
    };

    let mut service_topology = Vec::new();
    for (service_index, raw_service) in raw.services.iter().enumerate() {
        let path = format!("services[{service_index}]");
        let service_id = ServiceId(service_index as u32);
        let domain = match &raw_service.domain {
            Some(domain) if domain.trim().is_empty() => {
                v.error(format!("{path}.domain"), "a domain needs a name");
                None
            }
            other => other.clone(),
        };

        // Tables.
        let mut tables: Vec<Table> = Vec::new();
        for (index, table) in raw_service.tables.iter().enumerate() {
            let table_path = format!("{path}.tables[{index}]");
            if table.name.trim().is_empty() {
                v.error(format!("{table_path}.name"), "a table needs a name");
            } else if tables.iter().any(|t| t.name == table.name) {
                v.error(
                    format!("{table_path}.name"),
                    format!(
                        "service \"{}\" already has a table \"{}\"",
                        raw_service.name, table.name
                    ),
                );
            }
            let changelog = table
                .changelog_stream
                .as_deref()
                .and_then(|name| resolve(v, format!("{table_path}.changelog_stream"), name));
            if let Some(stream) = changelog {
                add_writer(
                    stream,
                    Writer::Service(service_id),
                    format!("{table_path}.changelog_stream"),
                );
            }
            tables.push(Table {
                name: table.name.clone(),
                changelog,
            });
        }
        let table_names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
        let resolve_table = |v: &mut Validator, path: String, name: &str| -> Option<usize> {
            let found = tables.iter().position(|t| t.name == name);
            if found.is_none() {
                let known = if table_names.is_empty() {
                    format!(
                        " (service \"{}\" declares no tables: add one to its \"tables\")",
                        raw_service.name
                    )
                } else {
                    hint_or_list(name, &table_names)
                };
                v.error(
                    path,
                    format!(
                        "service \"{}\" has no table \"{name}\"{known}",
                        raw_service.name
                    ),
                );
            }
            found
        };

        // APIs.
        let mut apis: Vec<Api> = Vec::new();
        for (index, api) in raw_service.apis.iter().enumerate() {
            let api_path = format!("{path}.apis[{index}]");
            if api.name.trim().is_empty() {
                v.error(format!("{api_path}.name"), "an API needs a name");
            } else if apis.iter().any(|a| a.name == api.name) {
                v.error(
                    format!("{api_path}.name"),
                    format!(
                        "service \"{}\" already has an API \"{}\"",
                        raw_service.name, api.name
                    ),
                );
            }
            if let Some(table) = resolve_table(v, format!("{api_path}.table"), &api.table) {
                apis.push(Api {
                    name: api.name.clone(),
                    table,
                });
            }
        }

        // Produces: writers, key kinds, value templates.
        let mut values = Vec::new();
        for (index, produce) in raw_service.produces.iter().enumerate() {
            let produce_path = format!("{path}.produces[{index}]");
            let stream = stream_ids.get(produce.stream.as_str()).copied();
            if let Some(stream) = stream {
                add_writer(
                    stream,
                    Writer::Service(service_id),
                    format!("{produce_path}.stream"),
                );
            }
            let keyed = match (&produce.records, &produce.keys) {
                (Some(records), _) => records.iter().all(|r| r.key.is_some()),
                (None, None) | (None, Some(RawKeys::Unkeyed)) => false,
                (None, Some(_)) => true,
            };
            let unkeyed = match (&produce.records, &produce.keys) {
                (Some(records), _) => records.iter().all(|r| r.key.is_none()),
                (None, None) | (None, Some(RawKeys::Unkeyed)) => true,
                (None, Some(_)) => false,
            };
            if let Some(stream) = stream {
                let name = &produce.stream;
                match kind_of(stream) {
                    Some(EventKind::Entity { entity }) if !keyed => v.error(
                        format!("{produce_path}.keys"),
                        format!("stream \"{name}\" carries {entity} entity events, keyed by the {entity}'s primary key, so every record needs a key (set \"keys\")"),
                    ),
                    Some(EventKind::Keyed) if !keyed => v.error(
                        format!("{produce_path}.keys"),
                        format!("stream \"{name}\" is declared \"keyed\", so every record needs a key (set \"keys\")"),
                    ),
                    Some(EventKind::Unkeyed) if !unkeyed => v.error(
                        format!("{produce_path}.keys"),
                        format!("stream \"{name}\" is declared \"unkeyed\", so its records carry no key (remove the keys, or declare the stream \"keyed\")"),
                    ),
                    _ => {}
                }
            }
            let tombstone_ppm = match produce.tombstone_ratio {
                None => 0,
                Some(0.0) => 0,
                Some(ratio) => {
                    let ppm = v.ppm(
                        &format!("{produce_path}.tombstone_ratio"),
                        ratio,
                        0.0,
                        TOMBSTONE_RATIO_MAX,
                    ) as u32;
                    if !keyed {
                        v.error(
                            format!("{produce_path}.tombstone_ratio"),
                            "a tombstone deletes a key, so tombstones need keyed records (set \"keys\")",
                        );
                    }
                    ppm
                }
            };
            let template = produce.value.as_ref().map(|fields| {
                let mut generators = Vec::new();
                for (field, generator) in fields {
                    let field_path = format!("{produce_path}.value.{field}");
                    let generator = match generator {
                        RawGenerator::Key => {
                            if !keyed {
                                v.error(
                                    &field_path,
                                    "\"key\" copies the record's key, but these records have none (set \"keys\")",
                                );
                            }
                            Generator::Key
                        }
                        RawGenerator::Counter => Generator::Counter,
                        RawGenerator::Const(scalar) => Generator::Const(scalar_value(scalar)),
                        RawGenerator::IntRange([min, max]) => {
                            if min > max {
                                v.error(
                                    format!("{field_path}.int_range"),
                                    format!("the minimum {min} is more than the maximum {max}"),
                                );
                            }
                            Generator::IntRange(*min, *max)
                        }
                        RawGenerator::OneOf(choices) => {
                            if choices.is_empty() {
                                v.error(
                                    format!("{field_path}.one_of"),
                                    "\"one_of\" needs at least one value",
                                );
                            }
                            Generator::OneOf(choices.iter().map(scalar_value).collect())
                        }
                    };
                    generators.push((field.clone(), generator));
                }
                ValueTemplate {
                    fields: generators,
                    tombstone_ppm,
                }
            });
            if template.is_none() && tombstone_ppm > 0 {
                values.push(Some(ValueTemplate {
                    fields: Vec::new(),
                    tombstone_ppm,
                }));
            } else {
                values.push(template);
            }
        }

        // Consumes: pipelines and outputs.
        let mut flows = Vec::new();
        for (index, consume) in raw_service.consumes.iter().enumerate() {
            let consume_path = format!("{path}.consumes[{index}]");
            let mut steps = Vec::new();
            let mut rekeyed = false;
            for (step_index, raw_step) in consume.pipeline.iter().enumerate() {
                let step_path = format!("{consume_path}.pipeline[{step_index}]");
                if let Some(step) = validate_step(v, &step_path, raw_step, &resolve_table) {
                    rekeyed |= matches!(step.operator, Operator::Rekey { .. });
                    steps.push(step);
                }
            }
            let mut emit = Vec::new();
            for (emit_index, name) in consume.emit.iter().enumerate() {
                let emit_path = format!("{consume_path}.emit[{emit_index}]");
                if let Some(stream) = resolve(v, emit_path.clone(), name) {
                    if emit.contains(&stream) {
                        v.error(
                            emit_path,
                            format!("stream \"{name}\" is listed twice in \"emit\""),
                        );
                        continue;
                    }
                    add_writer(stream, Writer::Service(service_id), emit_path);
                    emit.push(stream);
                }
            }
            let materialize = consume
                .materialize
                .as_deref()
                .and_then(|name| resolve_table(v, format!("{consume_path}.materialize"), name));
            if let Some(stream) = stream_ids.get(consume.stream.as_str()).copied() {
                if materialize.is_some() && !rekeyed && kind_of(stream) == Some(&EventKind::Unkeyed)
                {
                    v.error(
                        format!("{consume_path}.materialize"),
                        format!("a table is keyed, but stream \"{}\" is unkeyed (add a \"rekey\" step to the pipeline first)", consume.stream),
                    );
                }
                flows.push(Flow {
                    stream,
                    steps,
                    emit,
                    materialize,
                });
            }
        }

        service_topology.push(ServiceTopology {
            description: raw_service.description.clone(),
            domain,
            tables,
            apis,
            flows,
            values,
        });
    }

    // External systems.
    let mut externals: Vec<External> = Vec::new();
    let service_names: BTreeSet<&str> = services.iter().map(|s| s.name.as_str()).collect();
    for (index, external) in raw.external_systems.iter().enumerate() {
        let path = format!("external_systems[{index}]");
        if external.name.trim().is_empty() {
            v.error(format!("{path}.name"), "an external system needs a name");
        } else if externals.iter().any(|e| e.name == external.name) {
            v.error(
                format!("{path}.name"),
                format!("external system \"{}\" is declared twice", external.name),
            );
        } else if service_names.contains(external.name.as_str()) {
            v.error(
                format!("{path}.name"),
                format!(
                    "\"{}\" is already a service (an external system is outside the scenario's services)",
                    external.name
                ),
            );
        }
        let mut writes = Vec::new();
        for (i, name) in external.writes.iter().enumerate() {
            if let Some(stream) = resolve(v, format!("{path}.writes[{i}]"), name) {
                add_writer(
                    stream,
                    Writer::External(index),
                    format!("{path}.writes[{i}]"),
                );
                writes.push(stream);
            }
        }
        let mut reads = Vec::new();
        for (i, name) in external.reads.iter().enumerate() {
            if let Some(stream) = resolve(v, format!("{path}.reads[{i}]"), name) {
                reads.push(stream);
            }
        }
        externals.push(External {
            name: external.name.clone(),
            description: external.description.clone(),
            writes,
            reads,
        });
    }

    // The single-writer principle.
    let writer_name = |writer: Writer| match writer {
        Writer::Service(id) => format!("service \"{}\"", raw.services[id.index()].name),
        Writer::External(index) => {
            format!("external system \"{}\"", raw.external_systems[index].name)
        }
    };
    let mut writer_conflicts = Vec::new();
    for (stream, list) in &writers {
        if list.len() < 2 {
            continue;
        }
        if single_writer == SingleWriter::Error {
            let (first, first_path) = &list[0];
            for (writer, path) in &list[1..] {
                v.error(
                    path,
                    format!(
                        "stream \"{}\" already has a writer, {} ({first_path}), so {} would be a second one: each stream has exactly one producing service (the single-writer principle; set \"single_writer\": \"warn\" to run anyway and see the conflicting updates)",
                        streams[stream.index()].name,
                        writer_name(*first),
                        writer_name(*writer),
                    ),
                );
            }
        }
        writer_conflicts.push(WriterConflict {
            stream: *stream,
            writers: list.iter().map(|(writer, _)| *writer).collect(),
        });
    }

    Topology {
        single_writer,
        streams: stream_topology,
        services: service_topology,
        externals,
        writer_conflicts,
    }
}

fn scalar_value(scalar: &RawScalar) -> Value {
    match scalar {
        RawScalar::Null => Value::Null,
        RawScalar::Bool(flag) => Value::Bool(*flag),
        RawScalar::Int(number) => Value::Int(*number),
        RawScalar::Str(text) => Value::Str(text.clone()),
    }
}

fn validate_step(
    v: &mut Validator,
    path: &str,
    step: &RawStep,
    resolve_table: &impl Fn(&mut Validator, String, &str) -> Option<usize>,
) -> Option<Step> {
    let given: Vec<&str> = [
        ("filter", step.filter.is_some()),
        ("map", step.map.is_some()),
        ("rekey", step.rekey.is_some()),
        ("join", step.join.is_some()),
        ("aggregate", step.aggregate.is_some()),
    ]
    .iter()
    .filter(|(_, present)| *present)
    .map(|(name, _)| *name)
    .collect();
    if given.is_empty() {
        v.error(
            path,
            "a step needs an operator: \"filter\", \"map\", \"rekey\", \"join\" or \"aggregate\"",
        );
        return None;
    }
    if given.len() > 1 {
        v.error(
            path,
            format!(
                "a step has one operator, not \"{}\" and \"{}\" (make them two steps)",
                given[0], given[1]
            ),
        );
        return None;
    }
    if let Some(label) = &step.label
        && label.trim().is_empty()
    {
        v.error(
            format!("{path}.label"),
            "a label cannot be empty (leave it out to show the operator)",
        );
    }
    let operator = if let Some(filter) = &step.filter {
        let (value, negate) = match (&filter.equals, &filter.not_equals) {
            (Some(value), None) => (scalar_value(value), false),
            (None, Some(value)) => (scalar_value(value), true),
            _ => {
                v.error(
                    format!("{path}.filter"),
                    "give either \"equals\" or \"not_equals\"",
                );
                return None;
            }
        };
        if filter.field.is_empty() {
            v.error(format!("{path}.filter.field"), "a field needs a name");
        }
        Operator::Filter {
            field: filter.field.clone(),
            value,
            negate,
        }
    } else if let Some(map) = &step.map {
        if map.set.is_empty() && map.drop.is_empty() && map.rename.is_empty() {
            v.error(
                format!("{path}.map"),
                "a map needs \"set\", \"drop\" or \"rename\"",
            );
        }
        for (from, to) in &map.rename {
            if to.is_empty() {
                v.error(
                    format!("{path}.map.rename.{from}"),
                    "the new field name is empty",
                );
            }
        }
        Operator::Map {
            set: map
                .set
                .iter()
                .map(|(name, value)| (name.clone(), scalar_value(value)))
                .collect(),
            drop: map.drop.clone(),
            rename: map
                .rename
                .iter()
                .map(|(from, to)| (from.clone(), to.clone()))
                .collect(),
        }
    } else if let Some(rekey) = &step.rekey {
        if rekey.field.is_empty() {
            v.error(format!("{path}.rekey.field"), "a field needs a name");
        }
        Operator::Rekey {
            field: rekey.field.clone(),
        }
    } else if let Some(join) = &step.join {
        let left = match join.kind.as_deref() {
            None | Some("inner") => false,
            Some("left") => true,
            Some(other) => {
                v.error(
                    format!("{path}.join.kind"),
                    format!(
                        "unknown join kind \"{other}\"{}",
                        hint_or_list(other, &["inner", "left"])
                    ),
                );
                false
            }
        };
        if join.into.is_empty() {
            v.error(format!("{path}.join.as"), "a field needs a name");
        }
        let table = resolve_table(v, format!("{path}.join.table"), &join.table)?;
        Operator::Join {
            table,
            into: join.into.clone(),
            left,
        }
    } else {
        let aggregate = step.aggregate.as_ref()?;
        let op = match (aggregate.op.as_str(), &aggregate.field) {
            ("count", None) => AggregateOp::Count,
            ("count", Some(_)) => {
                v.error(
                    format!("{path}.aggregate.field"),
                    "\"count\" counts records and takes no \"field\"",
                );
                AggregateOp::Count
            }
            ("sum", Some(field)) => AggregateOp::Sum {
                field: field.clone(),
            },
            ("sum", None) => {
                v.error(
                    format!("{path}.aggregate"),
                    "\"sum\" needs a \"field\" to add up",
                );
                return None;
            }
            (other, _) => {
                v.error(
                    format!("{path}.aggregate.op"),
                    format!(
                        "unknown aggregate \"{other}\"{}",
                        hint_or_list(other, &["count", "sum"])
                    ),
                );
                return None;
            }
        };
        let into = aggregate.into.clone().unwrap_or_else(|| match op {
            AggregateOp::Count => "count".to_string(),
            AggregateOp::Sum { .. } => "sum".to_string(),
        });
        Operator::Aggregate { op, into }
    };
    Some(Step {
        label: step.label.clone(),
        operator,
    })
}

/// Stable-sorts errors by their top-level section in file order and then by the first array
/// index, so topology errors (found last) sit among the others in document order.
pub(super) fn sort_in_document_order(errors: &mut [ScenarioError]) {
    const SECTIONS: [&str; 11] = [
        "name",
        "stop",
        "limits",
        "single_writer",
        "streams",
        "services",
        "faults",
        "admin",
        "expect",
        "external_systems",
        "",
    ];
    errors.sort_by_key(|error| {
        let location = error.location.as_str();
        let section_end = location.find(['.', '[']).unwrap_or(location.len());
        let section = &location[..section_end];
        let rank = SECTIONS
            .iter()
            .position(|s| *s == section)
            .unwrap_or(SECTIONS.len());
        let index = location[section_end..]
            .strip_prefix('[')
            .and_then(|rest| rest.split(']').next())
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(0);
        (rank, index)
    });
}

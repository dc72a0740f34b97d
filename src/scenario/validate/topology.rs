//! Validation of the topology fields: event kinds, domains, tables, APIs, pipelines, value
//! templates, external systems and the single-writer principle. Builds `model::Topology`.
//!
//! The walk calls it section by section, right after the other checks of the same entry: a
//! stream's event kind after the stream, a service's topology after its producers and consumers,
//! then the external systems. It is not the rest of validation: stream and service names are
//! resolved by the walk, and a `produces` or `consumes` entry's other fields are checked there.

use std::collections::{BTreeMap, BTreeSet};

use super::validator::{Declaration, StreamNames, Validator, to_ppm};
use crate::model::topology::*;
use crate::model::{Service, ServiceId, StreamId};
use crate::scenario::choice::Choices;
use crate::scenario::defaults;
use crate::scenario::error::hint_or_list;
use crate::scenario::raw::*;
use crate::value::Value;

const SINGLE_WRITER: Choices<'static, SingleWriter> = Choices {
    noun: "setting",
    table: &[("error", SingleWriter::Error), ("warn", SingleWriter::Warn)],
};

/// The event kinds a stream may declare (`entity` also needs `"entity"`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Entity,
    Keyed,
    Unkeyed,
}

const KINDS: Choices<'static, Kind> = Choices {
    noun: "event kind",
    table: &[
        ("entity", Kind::Entity),
        ("keyed", Kind::Keyed),
        ("unkeyed", Kind::Unkeyed),
    ],
};

/// `join.kind`: whether the join is a left join.
const JOIN_KINDS: Choices<'static, bool> = Choices {
    noun: "join kind",
    table: &[("inner", false), ("left", true)],
};

#[derive(Clone, Copy)]
enum AggregateName {
    Count,
    Sum,
}

const AGGREGATES: Choices<'static, AggregateName> = Choices {
    noun: "aggregate",
    table: &[("count", AggregateName::Count), ("sum", AggregateName::Sum)],
};

/// The `single_writer` setting.
pub(super) fn single_writer(v: &mut Validator, raw: Option<&str>) -> SingleWriter {
    v.choose(
        "single_writer",
        raw,
        &SINGLE_WRITER,
        defaults::SINGLE_WRITER.name(),
    )
}

/// The writers of each stream, in document order, with the path where each was first seen.
#[derive(Default)]
struct Writers(BTreeMap<StreamId, Vec<(Writer, String)>>);

impl Writers {
    fn add(&mut self, stream: StreamId, writer: Writer, path: String) {
        let list = self.0.entry(stream).or_default();
        if !list.iter().any(|(known, _)| *known == writer) {
            list.push((writer, path));
        }
    }
}

/// The topology as the walk builds it, entry by entry.
pub(super) struct TopologyWalk<'r> {
    raw: &'r RawScenario,
    single_writer: SingleWriter,
    streams: Vec<StreamTopology>,
    services: Vec<ServiceTopology>,
    externals: Vec<External>,
    writers: Writers,
}

impl<'r> TopologyWalk<'r> {
    pub(super) fn new(raw: &'r RawScenario, single_writer: SingleWriter) -> Self {
        TopologyWalk {
            raw,
            single_writer,
            streams: Vec::new(),
            services: Vec::new(),
            externals: Vec::new(),
            writers: Writers::default(),
        }
    }

    /// `streams[index]`'s event kind.
    pub(super) fn stream(&mut self, v: &mut Validator, index: usize) {
        let stream = &self.raw.streams[index];
        let kind = event_kind(v, &format!("streams[{index}]"), stream);
        self.streams.push(StreamTopology {
            description: stream.description.clone(),
            kind,
        });
    }

    fn kind_of(&self, id: StreamId) -> Option<&EventKind> {
        self.streams.get(id.index()).and_then(|s| s.kind.as_ref())
    }

    /// `services[index]`'s topology fields, then its single-writer problems.
    pub(super) fn service(&mut self, v: &mut Validator, index: usize, names: &StreamNames) {
        let raw_service = &self.raw.services[index];
        let path = format!("services[{index}]");
        let writer = Writer::Service(ServiceId(index as u32));
        let domain = match &raw_service.domain {
            Some(domain) if domain.trim().is_empty() => {
                v.error(format!("{path}.domain"), "a domain needs a name");
                None
            }
            other => other.clone(),
        };
        let tables = self.tables(v, &path, raw_service, names, writer);
        let service = ServiceTables {
            name: &raw_service.name,
            tables: &tables,
        };
        let apis = apis(v, &path, raw_service, &service);
        let values = self.values(v, &path, raw_service, names, writer);
        let flows = self.flows(v, &path, raw_service, names, writer, &service);
        self.services.push(ServiceTopology {
            description: raw_service.description.clone(),
            domain,
            tables,
            apis,
            flows,
            values,
        });
        self.second_writer_problems(v, writer);
    }

    fn tables(
        &mut self,
        v: &mut Validator,
        path: &str,
        raw_service: &RawService,
        names: &StreamNames,
        writer: Writer,
    ) -> Vec<Table> {
        let mut tables: Vec<Table> = Vec::new();
        for (index, table) in raw_service.tables.iter().enumerate() {
            let table_path = format!("{path}.tables[{index}]");
            let earlier = tables.iter().map(|t| t.name.as_str());
            check_local_name(
                v,
                &table_path,
                &table.name,
                earlier,
                &raw_service.name,
                "a table",
            );
            let changelog_path = format!("{table_path}.changelog_stream");
            let changelog = table.changelog_stream.as_deref().and_then(|name| {
                names.resolve(v, changelog_path.clone(), name, Declaration::First)
            });
            if let Some(stream) = changelog {
                self.writers.add(stream, writer, changelog_path);
            }
            if table.restore_from_changelog && table.changelog_stream.is_none() {
                v.error(
                    format!("{path}.tables[{index}].restore_from_changelog"),
                    "a table restores from its changelog, so it needs \"changelog_stream\"",
                );
            }
            tables.push(Table {
                name: table.name.clone(),
                changelog,
                restore_from_changelog: table.restore_from_changelog,
            });
        }
        tables
    }

    /// Per `produces` entry: the writer, the key rules of the stream's kind, the value template.
    fn values(
        &mut self,
        v: &mut Validator,
        path: &str,
        raw_service: &RawService,
        names: &StreamNames,
        writer: Writer,
    ) -> Vec<Option<ValueTemplate>> {
        let mut values = Vec::new();
        for (index, produce) in raw_service.produces.iter().enumerate() {
            let produce_path = format!("{path}.produces[{index}]");
            let keys = Keys::of(produce);
            if let Some(stream) = names.find(&produce.stream, Declaration::First) {
                self.writers
                    .add(stream, writer, format!("{produce_path}.stream"));
                key_rules(
                    v,
                    &produce_path,
                    &produce.stream,
                    self.kind_of(stream),
                    keys,
                );
            }
            values.push(value_template(v, &produce_path, produce, keys));
            let gives_values = produce
                .records
                .iter()
                .flatten()
                .any(|record| record.value.is_some());
            let shared = raw_service
                .produces
                .iter()
                .filter(|other| other.stream == produce.stream)
                .count()
                > 1;
            if gives_values && shared {
                // A record's value is found by its place in the list, which holds only while
                // the list is the service's one producer on the stream.
                v.error(
                    format!("{produce_path}.records"),
                    format!(
                        "records with a \"value\" need this to be the service's only \"produces\" entry for stream \"{}\"",
                        produce.stream
                    ),
                );
            }
        }
        values
    }

    /// Per `consumes` entry: the pipeline, `emit` (writers) and `materialize`.
    fn flows(
        &mut self,
        v: &mut Validator,
        path: &str,
        raw_service: &RawService,
        names: &StreamNames,
        writer: Writer,
        service: &ServiceTables,
    ) -> Vec<Flow> {
        let mut flows = Vec::new();
        for (index, consume) in raw_service.consumes.iter().enumerate() {
            let consume_path = format!("{path}.consumes[{index}]");
            let mut steps = Vec::new();
            let mut rekeyed = false;
            for (step_index, raw_step) in consume.pipeline.iter().enumerate() {
                let step_path = format!("{consume_path}.pipeline[{step_index}]");
                if let Some(step) = validate_step(v, &step_path, raw_step, service) {
                    rekeyed |= matches!(step.operator, Operator::Rekey { .. });
                    steps.push(step);
                }
            }
            let mut emit = Vec::new();
            for (emit_index, name) in consume.emit.iter().enumerate() {
                let emit_path = format!("{consume_path}.emit[{emit_index}]");
                if let Some(stream) = names.resolve(v, emit_path.clone(), name, Declaration::First)
                {
                    if emit.contains(&stream) {
                        v.error(
                            emit_path,
                            format!("stream \"{name}\" is listed twice in \"emit\""),
                        );
                        continue;
                    }
                    self.writers.add(stream, writer, emit_path);
                    emit.push(stream);
                }
            }
            let materialize = consume
                .materialize
                .as_deref()
                .and_then(|name| service.resolve(v, format!("{consume_path}.materialize"), name));
            if let Some(stream) = names.find(&consume.stream, Declaration::First) {
                if materialize.is_some()
                    && !rekeyed
                    && self.kind_of(stream) == Some(&EventKind::Unkeyed)
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
        flows
    }

    /// `external_systems[index]`: name, the streams it writes (a writer) and reads.
    pub(super) fn external(
        &mut self,
        v: &mut Validator,
        index: usize,
        names: &StreamNames,
        services: &[Service],
    ) {
        let external = &self.raw.external_systems[index];
        let path = format!("external_systems[{index}]");
        let service_names: BTreeSet<&str> = services.iter().map(|s| s.name.as_str()).collect();
        if external.name.trim().is_empty() {
            v.error(format!("{path}.name"), "an external system needs a name");
        } else if self.externals.iter().any(|e| e.name == external.name) {
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
        let writer = Writer::External(index);
        let mut writes = Vec::new();
        for (i, name) in external.writes.iter().enumerate() {
            let write_path = format!("{path}.writes[{i}]");
            if let Some(stream) = names.resolve(v, write_path.clone(), name, Declaration::First) {
                self.writers.add(stream, writer, write_path);
                writes.push(stream);
            }
        }
        let mut reads = Vec::new();
        for (i, name) in external.reads.iter().enumerate() {
            let read_path = format!("{path}.reads[{i}]");
            if let Some(stream) = names.resolve(v, read_path, name, Declaration::First) {
                reads.push(stream);
            }
        }
        self.externals.push(External {
            name: external.name.clone(),
            description: external.description.clone(),
            writes,
            reads,
        });
        self.second_writer_problems(v, writer);
    }

    /// The single-writer principle: `writer` is a second writer of every stream it writes that
    /// an earlier entry already writes. Each problem is reported where `writer` first wrote the
    /// stream, in stream order, once the entry's own problems are out.
    fn second_writer_problems(&self, v: &mut Validator, writer: Writer) {
        if self.single_writer != SingleWriter::Error {
            return;
        }
        for (stream, list) in &self.writers.0 {
            let Some((_, path)) = list[1..].iter().find(|(known, _)| *known == writer) else {
                continue;
            };
            let (first, first_path) = &list[0];
            v.error(
                path,
                format!(
                    "stream \"{}\" already has a writer, {} ({first_path}), so {} would be a second one: each stream has exactly one producing service (the single-writer principle; set \"single_writer\": \"warn\" to run anyway and see the conflicting updates)",
                    self.raw.streams[stream.index()].name,
                    self.writer_name(*first),
                    self.writer_name(writer),
                ),
            );
        }
    }

    fn writer_name(&self, writer: Writer) -> String {
        match writer {
            Writer::Service(id) => format!("service \"{}\"", self.raw.services[id.index()].name),
            Writer::External(index) => format!(
                "external system \"{}\"",
                self.raw.external_systems[index].name
            ),
        }
    }

    /// The topology, with every stream that has two or more writers.
    pub(super) fn finish(self) -> Topology {
        let writer_conflicts = self
            .writers
            .0
            .into_iter()
            .filter(|(_, list)| list.len() >= 2)
            .map(|(stream, list)| WriterConflict {
                stream,
                writers: list.into_iter().map(|(writer, _)| writer).collect(),
            })
            .collect();
        Topology {
            single_writer: self.single_writer,
            streams: self.streams,
            services: self.services,
            externals: self.externals,
            writer_conflicts,
        }
    }
}

/// A stream's `kind` and `entity`.
fn event_kind(v: &mut Validator, path: &str, stream: &RawStream) -> Option<EventKind> {
    let kind = match stream.kind.as_deref() {
        None => None,
        Some(name) => Some(v.choose_required(format!("{path}.kind"), name, &KINDS)?),
    };
    match (kind, &stream.entity) {
        (None, None) => None,
        (Some(Kind::Entity), Some(entity)) if !entity.trim().is_empty() => {
            Some(EventKind::Entity {
                entity: entity.clone(),
            })
        }
        (Some(Kind::Entity), _) => {
            v.error(
                format!("{path}.entity"),
                "an entity stream needs \"entity\": the name of the entity whose primary key keys it (e.g. \"User\")",
            );
            None
        }
        (Some(Kind::Keyed | Kind::Unkeyed), Some(_)) => {
            v.error(
                format!("{path}.entity"),
                format!("only an entity stream names an entity, and this one is \"{}\" (set \"kind\": \"entity\")", stream.kind.as_deref().unwrap_or_default()),
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
        (Some(Kind::Keyed), None) => Some(EventKind::Keyed),
        (Some(Kind::Unkeyed), None) => Some(EventKind::Unkeyed),
    }
}

/// Whether a producer's records all carry a key, or all carry none (an explicit list may mix).
#[derive(Clone, Copy)]
struct Keys {
    keyed: bool,
    unkeyed: bool,
}

impl Keys {
    fn of(produce: &RawProduces) -> Keys {
        match (&produce.records, &produce.keys) {
            (Some(records), _) => Keys {
                keyed: records.iter().all(|r| r.key.is_some()),
                unkeyed: records.iter().all(|r| r.key.is_none()),
            },
            (None, None) | (None, Some(RawKeys::Unkeyed)) => Keys {
                keyed: false,
                unkeyed: true,
            },
            (None, Some(_)) => Keys {
                keyed: true,
                unkeyed: false,
            },
        }
    }
}

/// A producer's keys against the declared kind of the stream it writes.
fn key_rules(v: &mut Validator, path: &str, name: &str, kind: Option<&EventKind>, keys: Keys) {
    let path = format!("{path}.keys");
    match kind {
        Some(EventKind::Entity { entity }) if !keys.keyed => v.error(
            path,
            format!("stream \"{name}\" carries {entity} entity events, keyed by the {entity}'s primary key, so every record needs a key (set \"keys\")"),
        ),
        Some(EventKind::Keyed) if !keys.keyed => v.error(
            path,
            format!("stream \"{name}\" is declared \"keyed\", so every record needs a key (set \"keys\")"),
        ),
        Some(EventKind::Unkeyed) if !keys.unkeyed => v.error(
            path,
            format!("stream \"{name}\" is declared \"unkeyed\", so its records carry no key (remove the keys, or declare the stream \"keyed\")"),
        ),
        _ => {}
    }
}

/// A producer's `tombstone_ratio` and `value` template.
fn value_template(
    v: &mut Validator,
    path: &str,
    produce: &RawProduces,
    keys: Keys,
) -> Option<ValueTemplate> {
    let ratio = &defaults::TOMBSTONE_RATIO;
    let tombstone_ppm = match produce.tombstone_ratio {
        None => to_ppm(ratio.decimal()) as u32,
        Some(0.0) => 0,
        Some(given) => {
            let ppm = v.ppm(
                &format!("{path}.tombstone_ratio"),
                given,
                0.0,
                ratio.decimal_max(),
            ) as u32;
            if !keys.keyed {
                v.error(
                    format!("{path}.tombstone_ratio"),
                    "a tombstone deletes a key, so tombstones need keyed records (set \"keys\")",
                );
            }
            ppm
        }
    };
    let template = produce.value.as_ref().map(|fields| ValueTemplate {
        fields: fields
            .iter()
            .map(|(field, generator)| {
                let field_path = format!("{path}.value.{field}");
                (
                    field.clone(),
                    value_generator(v, &field_path, generator, keys),
                )
            })
            .collect(),
        tombstone_ppm,
    });
    if template.is_none() && tombstone_ppm > 0 {
        Some(ValueTemplate {
            fields: Vec::new(),
            tombstone_ppm,
        })
    } else {
        template
    }
}

fn value_generator(
    v: &mut Validator,
    field_path: &str,
    generator: &RawGenerator,
    keys: Keys,
) -> Generator {
    match generator {
        RawGenerator::Key => {
            if !keys.keyed {
                v.error(
                    field_path,
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
    }
}

/// A service's declared tables, for `apis`, `join` and `materialize` to name.
struct ServiceTables<'s> {
    name: &'s str,
    tables: &'s [Table],
}

impl ServiceTables<'_> {
    /// The table's index, or an error at `path` naming the service's tables.
    fn resolve(&self, v: &mut Validator, path: String, name: &str) -> Option<usize> {
        let found = self.tables.iter().position(|t| t.name == name);
        if found.is_none() {
            let table_names: Vec<&str> = self.tables.iter().map(|t| t.name.as_str()).collect();
            let known = if table_names.is_empty() {
                format!(
                    " (service \"{}\" declares no tables: add one to its \"tables\")",
                    self.name
                )
            } else {
                hint_or_list(name, &table_names)
            };
            v.error(
                path,
                format!("service \"{}\" has no table \"{name}\"{known}", self.name),
            );
        }
        found
    }
}

fn apis(
    v: &mut Validator,
    path: &str,
    raw_service: &RawService,
    service: &ServiceTables,
) -> Vec<Api> {
    let mut apis: Vec<Api> = Vec::new();
    for (index, api) in raw_service.apis.iter().enumerate() {
        let api_path = format!("{path}.apis[{index}]");
        let earlier = apis.iter().map(|a| a.name.as_str());
        check_local_name(
            v,
            &api_path,
            &api.name,
            earlier,
            &raw_service.name,
            "an API",
        );
        if let Some(table) = service.resolve(v, format!("{api_path}.table"), &api.table) {
            apis.push(Api {
                name: api.name.clone(),
                table,
            });
        }
    }
    apis
}

/// The `name` of a service's table or API (`what`: "a table", "an API"): given, and not the
/// name of an `earlier` one of the same service.
fn check_local_name<'a>(
    v: &mut Validator,
    entry_path: &str,
    name: &str,
    mut earlier: impl Iterator<Item = &'a str>,
    service: &str,
    what: &str,
) {
    if name.trim().is_empty() {
        v.error(format!("{entry_path}.name"), format!("{what} needs a name"));
    } else if earlier.any(|other| other == name) {
        v.error(
            format!("{entry_path}.name"),
            format!("service \"{service}\" already has {what} \"{name}\""),
        );
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

/// One pipeline step: exactly one operator, checked by its own function.
fn validate_step(
    v: &mut Validator,
    path: &str,
    step: &RawStep,
    service: &ServiceTables,
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
        filter_step(v, path, filter)?
    } else if let Some(map) = &step.map {
        map_step(v, path, map)
    } else if let Some(rekey) = &step.rekey {
        if rekey.field.is_empty() {
            v.error(format!("{path}.rekey.field"), "a field needs a name");
        }
        Operator::Rekey {
            field: rekey.field.clone(),
        }
    } else if let Some(join) = &step.join {
        join_step(v, path, join, service)?
    } else {
        aggregate_step(v, path, step.aggregate.as_ref()?)?
    };
    Some(Step {
        label: step.label.clone(),
        operator,
    })
}

fn filter_step(v: &mut Validator, path: &str, filter: &RawFilter) -> Option<Operator> {
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
    Some(Operator::Filter {
        field: filter.field.clone(),
        value,
        negate,
    })
}

fn map_step(v: &mut Validator, path: &str, map: &RawMap) -> Operator {
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
}

fn join_step(
    v: &mut Validator,
    path: &str,
    join: &RawJoin,
    service: &ServiceTables,
) -> Option<Operator> {
    let left = v.choose(
        format!("{path}.join.kind"),
        join.kind.as_deref(),
        &JOIN_KINDS,
        defaults::JOIN_KIND.name(),
    );
    if join.into.is_empty() {
        v.error(format!("{path}.join.as"), "a field needs a name");
    }
    let table = service.resolve(v, format!("{path}.join.table"), &join.table)?;
    Some(Operator::Join {
        table,
        into: join.into.clone(),
        left,
    })
}

fn aggregate_step(v: &mut Validator, path: &str, aggregate: &RawAggregate) -> Option<Operator> {
    let name = v.choose_required(format!("{path}.aggregate.op"), &aggregate.op, &AGGREGATES)?;
    let op = match (name, &aggregate.field) {
        (AggregateName::Count, None) => AggregateOp::Count,
        (AggregateName::Count, Some(_)) => {
            v.error(
                format!("{path}.aggregate.field"),
                "\"count\" counts records and takes no \"field\"",
            );
            AggregateOp::Count
        }
        (AggregateName::Sum, Some(field)) => AggregateOp::Sum {
            field: field.clone(),
        },
        (AggregateName::Sum, None) => {
            v.error(
                format!("{path}.aggregate"),
                "\"sum\" needs a \"field\" to add up",
            );
            return None;
        }
    };
    // The output field defaults to the operation's name.
    let into = aggregate
        .into
        .clone()
        .unwrap_or_else(|| aggregate.op.clone());
    Some(Operator::Aggregate { op, into })
}

//! Runs the services' pipelines over the run's trace: a sink that sees each record as its
//! consumer finishes processing it (`TraceEvent::Consumed`, in virtual-time order), gives it its
//! value, passes it through the flow's operators and applies the result to the service's table.
//!
//! Values are a pure function of (seed, producing instance, stream, message id, key): the
//! producer's template drawn with a ChaCha stream seeded by a keyed draw on the message id. So a
//! record's value needs no storage and no bytes in `protocol::Record` (its `MessageId` is the
//! value handle), and the log, the consumer and the checker all see the same value.
//!
//! Modelled: a service's tables are one store per service, shared by its instances (like a
//! service's own database; Kafka Streams would shard them by partition and restore them from a
//! changelog after a rebalance). Re-delivered records are applied again (idempotent for
//! tables, counted twice by `aggregate`, as at-least-once does). Not modelled yet: records a
//! pipeline `emit`s are counted, not appended to the log, so nothing downstream receives them.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::generate::generate_value;
use super::operator::{Flowing, run_steps};
use super::table::{Table, check_table_against_stream};
use crate::model::topology::{Flow, Operator, ValueTemplate};
use crate::model::{GroupId, KeyId, MessageId, Scenario, ServiceId, StreamId};
use crate::report::tables::*;
use crate::sim::rng::{self, RngStream};
use crate::trace::TraceEvent;
use crate::value::Value;

#[derive(Default, Clone, Copy)]
struct FlowCounts {
    records_in: u64,
    dropped: u64,
    out: u64,
}

#[derive(Default)]
struct TableState {
    changes: u64,
    last_writer: BTreeMap<String, ServiceId>,
    /// key → (writer changes, writers in first-write order).
    conflicts: BTreeMap<String, (u64, Vec<ServiceId>)>,
}

pub struct PipelineSink<'m> {
    model: &'m Scenario,
    /// By `GroupId`, then `InstanceId`: the template of that instance's records on the group's
    /// stream, filled on first use (`None` inside: no template).
    templates: Vec<Vec<Option<Option<&'m ValueTemplate>>>>,
    /// By `GroupId`: the group's flow and service, when the flow does something (operators or
    /// outputs).
    flows: Vec<Option<(&'m Flow, ServiceId)>>,
    /// Some table is checked against a stream (so `Produced` and `Appended` matter).
    any_tracked: bool,
    counts: Vec<FlowCounts>,
    /// By `GroupId`: each aggregate step's running totals.
    totals: Vec<Vec<BTreeMap<String, i64>>>,
    /// By `ServiceId`, then table index.
    tables: Vec<Vec<Table>>,
    states: Vec<Vec<TableState>>,
    /// By `StreamId`: a table is checked against this stream's log.
    tracked: Vec<bool>,
    pending: BTreeMap<MessageId, Option<KeyId>>,
    latest: Vec<BTreeMap<String, Value>>,
}

impl<'m> PipelineSink<'m> {
    /// `None` when the scenario declares no pipelines, outputs or tables: nothing to run.
    pub fn new(model: &'m Scenario) -> Option<Self> {
        let topology = &model.topology;
        let flows: Vec<Option<(&'m Flow, ServiceId)>> = model
            .groups
            .iter()
            .map(|group| {
                topology
                    .services
                    .get(group.service.index())
                    .and_then(|s| s.flows.get(group.consumption))
                    .filter(|flow| {
                        !flow.steps.is_empty()
                            || !flow.emit.is_empty()
                            || flow.materialize.is_some()
                    })
                    .map(|flow| (flow, group.service))
            })
            .collect();
        let any_tables = topology.services.iter().any(|s| !s.tables.is_empty());
        if flows.iter().all(Option::is_none) && !any_tables {
            return None;
        }
        let mut tracked = vec![false; model.streams.len()];
        for (service, extra) in topology.services.iter().enumerate() {
            for index in 0..extra.tables.len() {
                if let Some(stream) = direct_source(model, ServiceId(service as u32), index) {
                    tracked[stream.index()] = true;
                }
            }
        }
        Some(PipelineSink {
            model,
            counts: vec![FlowCounts::default(); flows.len()],
            totals: vec![Vec::new(); flows.len()],
            templates: vec![Vec::new(); flows.len()],
            any_tracked: tracked.iter().any(|&t| t),
            flows,
            tables: topology
                .services
                .iter()
                .map(|s| s.tables.iter().map(|_| Table::default()).collect())
                .collect(),
            states: topology
                .services
                .iter()
                .map(|s| s.tables.iter().map(|_| TableState::default()).collect())
                .collect(),
            tracked,
            pending: BTreeMap::new(),
            latest: vec![BTreeMap::new(); model.streams.len()],
        })
    }

    #[inline]
    pub fn on_event(&mut self, event: &TraceEvent) {
        match *event {
            TraceEvent::Consumed {
                group, msg, key, ..
            } => {
                if let Some((flow, service)) = self.flows[group.index()] {
                    self.consume(group, flow, service, msg, key);
                }
            }
            TraceEvent::Produced { .. } | TraceEvent::Appended { .. } if self.any_tracked => {
                self.track(event)
            }
            _ => {}
        }
    }

    /// Keeps the latest value per key of the streams some table is checked against.
    fn track(&mut self, event: &TraceEvent) {
        match *event {
            TraceEvent::Produced {
                stream, msg, key, ..
            } if self.tracked[stream.index()] => {
                self.pending.insert(msg, key);
            }
            TraceEvent::Appended { stream, msg, .. } if self.tracked[stream.index()] => {
                if let Some(Some(key)) = self.pending.remove(&msg) {
                    let value = value_of(self.model, stream, msg, Some(key));
                    let text = self.model.keys.text(key).to_string();
                    let latest = &mut self.latest[stream.index()];
                    if value == Value::Null {
                        latest.remove(&text);
                    } else {
                        latest.insert(text, value);
                    }
                }
            }
            _ => {}
        }
    }

    fn consume(
        &mut self,
        group: GroupId,
        flow: &'m Flow,
        service: ServiceId,
        msg: MessageId,
        key: Option<KeyId>,
    ) {
        let model = self.model;
        let counts = &mut self.counts[group.index()];
        counts.records_in += 1;
        if flow.steps.is_empty() && flow.materialize.is_none() {
            // Emit only: every record goes out as it came in; its value is not needed.
            counts.out += 1;
            return;
        }
        let cache = &mut self.templates[group.index()];
        if cache.is_empty() {
            cache.resize(model.instances.len(), None);
        }
        let template = *cache[msg.producer.index()]
            .get_or_insert_with(|| template_of(model, flow.stream, msg.producer));
        let value = match template {
            Some(template) => value_from(model, template, flow.stream, msg, key),
            None => Value::object(),
        };
        // The key's text is only read by joins, aggregates and tables: skip the lookup (a
        // likely cache miss in a big key table) when nothing reads it.
        let needs_key = flow.materialize.is_some()
            || flow.steps.iter().any(|step| {
                matches!(
                    step.operator,
                    Operator::Join { .. } | Operator::Aggregate { .. }
                )
            });
        let mut output = Flowing {
            key: key
                .filter(|_| needs_key)
                .map(|key| Cow::Borrowed(model.keys.text(key))),
            value,
        };
        if !run_steps(
            &flow.steps,
            &mut output,
            &self.tables[service.index()],
            &mut self.totals[group.index()],
        ) {
            counts.dropped += 1;
            return;
        }
        counts.out += 1;
        if let (Some(index), Some(key)) = (flow.materialize, output.key.as_deref()) {
            let writer = model.instance(msg.producer).service;
            let state = &mut self.states[service.index()][index];
            if self.tables[service.index()][index]
                .apply(key, output.value)
                .is_some()
            {
                state.changes += 1;
                let previous = state.last_writer.insert(key.to_string(), writer);
                if let Some(previous) = previous
                    && previous != writer
                {
                    let entry = state
                        .conflicts
                        .entry(key.to_string())
                        .or_insert_with(|| (0, vec![previous]));
                    entry.0 += 1;
                    if !entry.1.contains(&writer) {
                        entry.1.push(writer);
                    }
                }
            }
        }
    }

    /// The pipeline and table reports, in declaration order.
    pub fn finish(self) -> (Vec<PipelineReport>, Vec<TableReport>) {
        let model = self.model;
        let mut pipelines = Vec::new();
        for group in &model.groups {
            let Some((flow, _)) = self.flows[group.id.index()] else {
                continue;
            };
            let extra = &model.topology.services[group.service.index()];
            let counts = self.counts[group.id.index()];
            pipelines.push(PipelineReport {
                service: model.service(group.service).name.clone(),
                stream: model.stream(flow.stream).name.clone(),
                records_in: counts.records_in,
                records_dropped: counts.dropped,
                records_out: counts.out,
                emit: flow
                    .emit
                    .iter()
                    .map(|&s| model.stream(s).name.clone())
                    .collect(),
                materialize: flow.materialize.map(|t| extra.tables[t].name.clone()),
            });
        }
        let mut tables = Vec::new();
        for (service_index, (states, service_tables)) in
            self.states.into_iter().zip(self.tables).enumerate()
        {
            let service = ServiceId(service_index as u32);
            let extra = &model.topology.services[service_index];
            for (index, (state, table)) in states.into_iter().zip(service_tables).enumerate() {
                let check = direct_source(model, service, index).map(|stream| {
                    let latest = &self.latest[stream.index()];
                    let mismatches = check_table_against_stream(
                        &table,
                        latest.iter().map(|(k, v)| (Some(k.as_str()), v)),
                    );
                    TableCheck {
                        stream: model.stream(stream).name.clone(),
                        matches: mismatches.is_empty(),
                        mismatch_count: mismatches.len() as u64,
                        mismatches: mismatches
                            .into_iter()
                            .take(10)
                            .map(|m| TableMismatchReport {
                                key: m.key,
                                expected: m.expected,
                                found: m.found,
                            })
                            .collect(),
                    }
                });
                tables.push(TableReport {
                    service: model.service(service).name.clone(),
                    table: extra.tables[index].name.clone(),
                    changes: state.changes,
                    changelog_stream: extra.tables[index]
                        .changelog
                        .map(|s| model.stream(s).name.clone()),
                    conflicting_updates: state
                        .conflicts
                        .into_iter()
                        .map(|(key, (writer_changes, writers))| ConflictingUpdate {
                            key,
                            writer_changes,
                            writers: writers
                                .into_iter()
                                .map(|w| model.service(w).name.clone())
                                .collect(),
                        })
                        .collect(),
                    check,
                    rows: table
                        .rows()
                        .map(|(key, value)| TableRow {
                            key: key.to_string(),
                            value: value.clone(),
                        })
                        .collect(),
                });
            }
        }
        (pipelines, tables)
    }
}

/// The stream a table is filled from with no operators in between, when that is its only
/// input.
fn direct_source(model: &Scenario, service: ServiceId, table: usize) -> Option<StreamId> {
    let flows: Vec<_> = model.topology.services[service.index()]
        .flows
        .iter()
        .filter(|flow| flow.materialize == Some(table))
        .collect();
    match flows.as_slice() {
        [flow] if flow.steps.is_empty() => Some(flow.stream),
        _ => None,
    }
}

/// The value template of `instance`'s records on `stream` (`None`: values are modelled by
/// size only, and read as an empty object).
fn template_of(
    model: &Scenario,
    stream: StreamId,
    instance: crate::model::InstanceId,
) -> Option<&ValueTemplate> {
    let service = model.instance(instance).service;
    model
        .service(service)
        .produces
        .iter()
        .zip(&model.topology.services[service.index()].values)
        .find(|(production, _)| production.stream == stream)
        .and_then(|(_, template)| template.as_ref())
}

/// The value of record `msg` on `stream`: its producer's template, drawn with a ChaCha stream
/// seeded by a keyed draw on (seed, instance, stream, message id). A record whose producer has
/// no template is an empty object.
pub fn value_of(model: &Scenario, stream: StreamId, msg: MessageId, key: Option<KeyId>) -> Value {
    match template_of(model, stream, msg.producer) {
        Some(template) => value_from(model, template, stream, msg, key),
        None => Value::object(),
    }
}

#[inline(never)] // Cold next to the rest of `consume`; keeps its frame small.
fn value_from(
    model: &Scenario,
    template: &ValueTemplate,
    stream: StreamId,
    msg: MessageId,
    key: Option<KeyId>,
) -> Value {
    let instance = model.instance(msg.producer);
    let purpose = format!("{}/values", model.stream(stream).name);
    let seed = rng::keyed_u64(
        model.seed,
        rng::stream_id("instance", &instance.name, &purpose),
        u64::from(msg.seq),
    );
    let mut draws = RngStream::new(seed, 0);
    let key_text = key.map(|key| model.keys.text(key));
    generate_value(template, key_text, u64::from(msg.seq) + 1, &mut draws)
}

//! What the pipelines of one run share: the services' state stores (tables and aggregate
//! totals), the run's keys (a `rekey` makes keys no scenario lists) and the values of records a
//! pipeline emits. Service instances run their flows through it as they finish processing a
//! record, and emit what comes out; after the run it reports pipelines and tables.
//!
//! Values: a produced record's value is a pure function of (seed, producing instance, stream,
//! message id, key), its producer's template drawn with a ChaCha stream seeded by a keyed draw
//! on the message id, so it needs no storage and no bytes in `protocol::Record`. A record a
//! pipeline emits carries a computed value instead: it is written here, under (stream, message
//! id), when the record is produced, and read when a consumer processes it — the payload the
//! 24-byte `Record` leaves out (brokers never read values). Only streams whose values someone
//! reads (a flow with operators or a table, or a table–stream check) keep them.
//!
//! Modelled: a service's tables are one store per service, shared by its instances (the
//! service's own database; Kafka Streams would shard them by partition and restore them from a
//! changelog after a rebalance). Re-delivered records are applied again (idempotent for tables,
//! counted twice by `aggregate`, as at-least-once does). Shared through `Rc<RefCell<…>>`: one
//! thread, and a handler borrows it only for the length of one record.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::generate::generate_value;
use super::operator::{Flowing, run_steps};
use super::table::Table;
use crate::model::topology::{Flow, Operator, ValueTemplate};
use crate::model::{Group, GroupId, KeyId, MessageId, RunKeys, Scenario, ServiceId, StreamId};
use crate::protocol::Record;
use crate::sim::rng::{self, RngStream};
use crate::value::Value;

#[derive(Default, Clone, Copy)]
pub(super) struct FlowCounts {
    pub records_in: u64,
    pub dropped: u64,
    pub out: u64,
}

#[derive(Default)]
pub(super) struct TableState {
    pub changes: u64,
    pub last_writer: BTreeMap<String, ServiceId>,
    /// key → (writer changes, writers in first-write order).
    pub conflicts: BTreeMap<String, (u64, Vec<ServiceId>)>,
}

/// One record a flow sends on: to an `emit` stream, or a table change to its changelog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Emission {
    pub stream: StreamId,
    pub key: Option<KeyId>,
    /// `None` when nobody reads this stream's values (they are then not computed).
    pub value: Option<Value>,
    pub value_size_bytes: u32,
}

/// A group's flow, when it does something, with what running it needs (copied out of the
/// model so that the per-record path follows no chain of lookups).
struct FlowPlan {
    service: ServiceId,
    flow: Flow,
    /// Operators or a table read the value.
    needs_value: bool,
    /// Joins, aggregates and tables read the key's text.
    needs_key: bool,
    /// A `rekey` step gives records a new key.
    rekeys: bool,
    /// By `InstanceId`: the instance's records on the flow's stream have an empty object for a
    /// value (no template, and no pipeline writes the stream). Kept in the plan so that the
    /// per-record path reads one place instead of two tables (a measured cost per record).
    empty_value: Vec<bool>,
}

pub(super) struct State {
    pub counts: Vec<FlowCounts>,
    /// By `GroupId`: each aggregate step's running totals.
    pub totals: Vec<Vec<BTreeMap<String, i64>>>,
    /// By `ServiceId`, then table index.
    pub tables: Vec<Vec<Table>>,
    pub table_states: Vec<Vec<TableState>>,
    /// Emitted records' values, for streams whose values are read.
    values: BTreeMap<(StreamId, MessageId), Value>,
}

pub struct Dataflow {
    /// The run's scenario (owned: actors outlive no borrow).
    pub model: Scenario,
    pub keys: Rc<RunKeys>,
    /// By `GroupId`.
    plans: Vec<Option<FlowPlan>>,
    /// By `StreamId`, then `InstanceId`: the index of the instance's value template for the
    /// stream among its service's `values` (`None`: no template, the value is an empty object).
    templates: Vec<Vec<Option<u32>>>,
    /// By `ServiceId`, then table index: the stream the table is filled from straight (see
    /// `direct_source`), which the table–stream check replays.
    pub(super) sources: Vec<Vec<Option<StreamId>>>,
    /// By `StreamId`: some reader needs the values of this stream's records.
    values_read: Vec<bool>,
    /// By `StreamId`: a pipeline writes this stream (only then can a value be stored).
    written: Vec<bool>,
    /// The values explicit records give, by (stream, producing instance), in sequence order
    /// (None: that record takes its template's value).
    explicit: BTreeMap<(StreamId, crate::model::InstanceId), Vec<Option<Value>>>,
    pub(super) state: RefCell<State>,
}

/// The plan of a group's flow, or None when the group has no flow or its flow does nothing
/// declarative (no steps, no emits, no table).
fn flow_plan(model: &Scenario, group: &Group) -> Option<FlowPlan> {
    let flow = model
        .topology
        .services
        .get(group.service.index())?
        .flows
        .get(group.consumption)?;
    let has_operator = |f: fn(&Operator) -> bool| flow.steps.iter().any(|step| f(&step.operator));
    (!flow.steps.is_empty() || !flow.emit.is_empty() || flow.materialize.is_some()).then(|| {
        FlowPlan {
            service: group.service,
            flow: flow.clone(),
            needs_value: !flow.steps.is_empty() || flow.materialize.is_some(),
            needs_key: flow.materialize.is_some()
                || has_operator(|op| {
                    matches!(op, Operator::Join { .. } | Operator::Aggregate { .. })
                }),
            rekeys: has_operator(|op| matches!(op, Operator::Rekey { .. })),
            empty_value: Vec::new(),
        }
    })
}

/// By stream, then instance: the index of the instance's `produces` entry that writes the
/// stream with a value template, if any.
fn value_templates(model: &Scenario) -> Vec<Vec<Option<u32>>> {
    model
        .streams
        .iter()
        .map(|stream| {
            model
                .instances
                .iter()
                .map(|instance| {
                    let service = instance.service.index();
                    model.services[service]
                        .produces
                        .iter()
                        .zip(&model.topology.services[service].values)
                        .position(|(production, template)| {
                            production.stream == stream.id && template.is_some()
                        })
                        .map(|index| index as u32)
                })
                .collect()
        })
        .collect()
}

impl Dataflow {
    /// `None` when the scenario declares no pipelines, outputs or tables: nothing to run.
    pub fn new(model: &Scenario) -> Option<Self> {
        let topology = &model.topology;
        let explicit = explicit_values(model);
        let mut plans: Vec<Option<FlowPlan>> = model
            .groups
            .iter()
            .map(|group| flow_plan(model, group))
            .collect();
        let any_tables = topology.services.iter().any(|s| !s.tables.is_empty());
        // A compacted stream whose records may be tombstones needs the values too: the
        // cleaner asks which records are null.
        let compacted_values = !explicit.is_empty()
            || model.streams.iter().any(|stream| {
                stream.log.cleanup.compact
                    && topology.services.iter().any(|service| {
                        service
                            .values
                            .iter()
                            .flatten()
                            .any(|template| template.tombstone_ppm > 0)
                    })
            });
        if plans.iter().all(Option::is_none) && !any_tables && !compacted_values {
            return None;
        }
        let mut values_read = vec![false; model.streams.len()];
        for (group, plan) in model.groups.iter().zip(&plans) {
            if plan.as_ref().is_some_and(|plan| plan.needs_value) {
                values_read[group.stream.index()] = true;
            }
        }
        let sources: Vec<Vec<Option<StreamId>>> = (0..topology.services.len())
            .map(|service| {
                (0..topology.services[service].tables.len())
                    .map(|table| direct_source(model, ServiceId(service as u32), table))
                    .collect()
            })
            .collect();
        for &stream in sources.iter().flatten().flatten() {
            values_read[stream.index()] = true;
        }
        let written: Vec<bool> = model
            .streams
            .iter()
            .map(|stream| topology.written_by_pipeline(stream.id))
            .collect();
        let templates = value_templates(model);
        for plan in plans.iter_mut().flatten() {
            let stream = plan.flow.stream.index();
            let given = |instance: usize| {
                explicit.contains_key(&(
                    StreamId(stream as u32),
                    crate::model::InstanceId(instance as u32),
                ))
            };
            plan.empty_value = templates[stream]
                .iter()
                .enumerate()
                .map(|(instance, template)| {
                    template.is_none() && !written[stream] && !given(instance)
                })
                .collect();
        }
        Some(Dataflow {
            state: RefCell::new(State {
                counts: vec![FlowCounts::default(); plans.len()],
                totals: vec![Vec::new(); plans.len()],
                tables: topology
                    .services
                    .iter()
                    .map(|s| s.tables.iter().map(|_| Table::default()).collect())
                    .collect(),
                table_states: topology
                    .services
                    .iter()
                    .map(|s| s.tables.iter().map(|_| TableState::default()).collect())
                    .collect(),
                values: BTreeMap::new(),
            }),
            model: model.clone(),
            keys: Rc::new(RunKeys::new(&model.keys)),
            plans,
            templates,
            sources,
            values_read,
            written,
            explicit,
        })
    }

    /// Whether records consumed by `group` go through a flow.
    pub fn has_flow(&self, group: GroupId) -> bool {
        self.plans[group.index()].is_some()
    }

    /// Whether the values of `stream`'s records are read by someone.
    pub fn values_read(&self, stream: StreamId) -> bool {
        self.values_read[stream.index()]
    }

    /// Stores the value of a record a pipeline emitted.
    pub fn put_value(&self, stream: StreamId, msg: MessageId, value: Value) {
        self.state.borrow_mut().values.insert((stream, msg), value);
    }

    /// Rebuilds table `table` of `service` from its changelog's records, in order (a restore
    /// after a restart): the table is emptied, then every record is applied (a null value
    /// deletes its key).
    pub fn restore_table(
        &self,
        service: ServiceId,
        table: usize,
        stream: StreamId,
        records: &[Record],
    ) {
        let mut state = self.state.borrow_mut();
        let mut rebuilt = Table::default();
        for record in records {
            let Some(key) = record.key else { continue };
            let value = self.value_with(&state, stream, record.id, record.key);
            rebuilt.apply(&self.keys.text(key), value);
        }
        state.tables[service.index()][table] = rebuilt;
    }

    /// Whether `record` on `stream` is a tombstone (its value is null), for the log cleaner. A
    /// pipeline's null has no bytes; a producer's comes from its template's draw.
    pub fn is_tombstone(&self, stream: StreamId, record: &Record) -> bool {
        if self.written[stream.index()] && record.value_size_bytes == 0 {
            return true;
        }
        self.value_of(stream, record.id, record.key) == Value::Null
    }

    /// The value of record `msg` on `stream`: what its pipeline emitted, else its producer's
    /// template draw, else (no template) an empty object.
    pub fn value_of(&self, stream: StreamId, msg: MessageId, key: Option<KeyId>) -> Value {
        self.value_with(&self.state.borrow(), stream, msg, key)
    }

    #[inline(never)] // Cold next to the rest of `run`; keeps its frame small.
    fn value_from(
        &self,
        template: &ValueTemplate,
        stream: StreamId,
        msg: MessageId,
        key: Option<KeyId>,
    ) -> Value {
        let model = &self.model;
        let instance = model.instance(msg.producer);
        let purpose = format!("{}/values", model.stream(stream).name);
        let seed = rng::keyed_u64(
            model.seed,
            rng::stream_id("instance", &instance.name, &purpose),
            u64::from(msg.seq),
        );
        let mut draws = RngStream::new(seed, 0);
        let key_text = key.map(|key| self.keys.text(key));
        generate_value(
            template,
            key_text.as_deref(),
            u64::from(msg.seq) + 1,
            &mut draws,
        )
    }

    /// Runs `record`, just processed by a member of `group`, through the group's flow: counts
    /// it, applies the operators, updates the table. Returns what the flow sends on, in order:
    /// one record per `emit` stream, then the table change for the changelog (appended to
    /// `out`).
    pub fn run(&self, group: GroupId, record: &Record, out: &mut Vec<Emission>) {
        let Some(plan) = &self.plans[group.index()] else {
            return;
        };
        let flow: &Flow = &plan.flow;
        let mut state = self.state.borrow_mut();
        let state = &mut *state;
        state.counts[group.index()].records_in += 1;
        if !plan.needs_value {
            // Emit only: every record goes out as it came in.
            state.counts[group.index()].out += 1;
            for &stream in &flow.emit {
                let value = self
                    .values_read(stream)
                    .then(|| self.value_with(state, flow.stream, record.id, record.key));
                out.push(Emission {
                    stream,
                    key: record.key,
                    value,
                    value_size_bytes: record.value_size_bytes,
                });
            }
            return;
        }
        let key_text = record
            .key
            .filter(|_| plan.needs_key)
            .map(|key| self.keys.text(key));
        // The value is written into its place in `output`: built apart and moved in, its
        // just-written bytes were read back at once, which stalls store-to-load forwarding
        // (a third of this function's time on a pass-through pipeline).
        let mut output = Flowing {
            key: key_text,
            value: Value::Null,
        };
        output.value = if plan.empty_value[record.id.producer.index()] {
            Value::object()
        } else {
            self.value_with(state, flow.stream, record.id, record.key)
        };
        if !run_steps(
            &flow.steps,
            &mut output,
            &state.tables[plan.service.index()],
            &mut state.totals[group.index()],
        ) {
            state.counts[group.index()].dropped += 1;
            output.value.discard();
            return;
        }
        state.counts[group.index()].out += 1;
        if flow.emit.is_empty() && flow.materialize.is_none() {
            // No outputs: the counts are all the record leaves.
            output.value.discard();
            return;
        }
        self.send_on(plan, state, record, output, out);
    }

    /// The outputs of a record that came out of its flow's steps: one emission per `emit`
    /// stream, the table update, and the change for the table's changelog. Out of line: the
    /// per-record path above stays small.
    #[inline(never)]
    fn send_on(
        &self,
        plan: &FlowPlan,
        state: &mut State,
        record: &Record,
        mut output: Flowing<'_>,
        out: &mut Vec<Emission>,
    ) {
        let model = &self.model;
        let flow: &Flow = &plan.flow;
        let out_key = if plan.rekeys {
            output.key.as_deref().map(|text| self.keys.intern(text))
        } else {
            record.key
        };
        // Unchanged by operators: the record keeps its size; otherwise its value as JSON.
        let size = if flow.steps.is_empty() || flow.emit.is_empty() {
            record.value_size_bytes
        } else {
            json_size(&output.value)
        };
        for &stream in &flow.emit {
            out.push(Emission {
                stream,
                key: out_key,
                value: self.values_read(stream).then(|| output.value.clone()),
                value_size_bytes: size,
            });
        }
        let Some(index) = flow.materialize else {
            output.value.discard();
            return;
        };
        if let Some(key) = output.key.as_deref() {
            let writer = model.instance(record.id.producer).service;
            let table_state = &mut state.table_states[plan.service.index()][index];
            if let Some((_, changed)) =
                state.tables[plan.service.index()][index].apply(key, output.value)
            {
                table_state.changes += 1;
                let previous = table_state.last_writer.insert(key.to_string(), writer);
                if let Some(previous) = previous
                    && previous != writer
                {
                    let entry = table_state
                        .conflicts
                        .entry(key.to_string())
                        .or_insert_with(|| (0, vec![previous]));
                    entry.0 += 1;
                    if !entry.1.contains(&writer) {
                        entry.1.push(writer);
                    }
                }
                if let Some(changelog) =
                    model.topology.services[plan.service.index()].tables[index].changelog
                {
                    let key = out_key.unwrap_or_else(|| self.keys.intern(key));
                    out.push(Emission {
                        stream: changelog,
                        key: Some(key),
                        value_size_bytes: if changed == Value::Null {
                            0
                        } else {
                            json_size(&changed)
                        },
                        value: Some(changed),
                    });
                }
            }
        }
    }

    /// `value_of` with the state already borrowed.
    fn value_with(
        &self,
        state: &State,
        stream: StreamId,
        msg: MessageId,
        key: Option<KeyId>,
    ) -> Value {
        if self.written[stream.index()]
            && let Some(value) = state.values.get(&(stream, msg))
        {
            return value.clone();
        }
        if !self.explicit.is_empty()
            && let Some(values) = self.explicit.get(&(stream, msg.producer))
            && let Some(Some(value)) = values.get(msg.seq as usize)
        {
            return value.clone();
        }
        match self.templates[stream.index()][msg.producer.index()] {
            Some(index) => {
                let service = self.model.instance(msg.producer).service;
                let template = self.model.topology.services[service.index()].values[index as usize]
                    .as_ref()
                    .expect("only productions with a template are indexed");
                self.value_from(template, stream, msg, key)
            }
            None => Value::object(),
        }
    }
}

/// The values of explicit records that give one, by (stream, instance). A service's instances
/// each send its list; with one `produces` entry on a stream, a record's sequence number is its
/// place in the list.
fn explicit_values(
    model: &Scenario,
) -> BTreeMap<(StreamId, crate::model::InstanceId), Vec<Option<Value>>> {
    let mut explicit = BTreeMap::new();
    for instance in &model.instances {
        for production in &model.service(instance.service).produces {
            let crate::model::Schedule::Explicit(records) = &production.schedule else {
                continue;
            };
            if records.iter().all(|record| record.value.is_none()) {
                continue;
            }
            let values = records.iter().map(|record| record.value.clone()).collect();
            explicit.insert((production.stream, instance.id), values);
        }
    }
    explicit
}

/// The length of `value` as compact JSON: the size of a record a pipeline made.
fn json_size(value: &Value) -> u32 {
    u32::try_from(value.to_json().len()).unwrap_or(u32::MAX)
}

/// The stream a table is filled from with no operators in between, when that is its only
/// input.
pub(super) fn direct_source(
    model: &Scenario,
    service: ServiceId,
    table: usize,
) -> Option<StreamId> {
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

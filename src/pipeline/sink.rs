//! The pipelines' part of the report: a trace sink that keeps the latest value per key of every
//! stream a table is checked against (table–stream duality), and, after the run, the pipeline
//! and table reports from the run's `Dataflow` (the instances ran the flows).

use std::collections::BTreeMap;
use std::rc::Rc;

use super::dataflow::Dataflow;
use super::table::check_table_against_stream;
use crate::model::{KeyId, MessageId, ServiceId, StreamId};
use crate::report::tables::*;
use crate::trace::TraceEvent;
use crate::value::Value;

pub struct PipelineSink {
    dataflow: Rc<Dataflow>,
    /// By `StreamId`: a table is checked against this stream's log.
    tracked: Vec<bool>,
    any_tracked: bool,
    /// Produced records of tracked streams not yet appended: their keys.
    pending: BTreeMap<(StreamId, MessageId), Option<KeyId>>,
    /// By `StreamId`: the latest value per key, in log order.
    latest: Vec<BTreeMap<String, Value>>,
}

impl PipelineSink {
    pub fn new(dataflow: Rc<Dataflow>) -> Self {
        let mut tracked = vec![false; dataflow.model.streams.len()];
        for &stream in dataflow.sources.iter().flatten().flatten() {
            tracked[stream.index()] = true;
        }
        PipelineSink {
            any_tracked: tracked.iter().any(|&t| t),
            latest: vec![BTreeMap::new(); dataflow.model.streams.len()],
            tracked,
            pending: BTreeMap::new(),
            dataflow,
        }
    }

    /// Whether some table is checked against a stream, so trace events matter.
    pub fn tracks(&self) -> bool {
        self.any_tracked
    }

    #[inline]
    pub fn on_event(&mut self, event: &TraceEvent) {
        if self.any_tracked {
            self.track(event);
        }
    }

    /// Keeps the latest value per key of the streams some table is checked against.
    fn track(&mut self, event: &TraceEvent) {
        match *event {
            TraceEvent::Produced {
                stream, msg, key, ..
            } if self.tracked[stream.index()] => {
                self.pending.insert((stream, msg), key);
            }
            // The stream's order: appended to the log, or routed by the queue's exchange.
            TraceEvent::Appended { stream, msg, .. } | TraceEvent::Routed { stream, msg, .. }
                if self.tracked[stream.index()] =>
            {
                if let Some(Some(key)) = self.pending.remove(&(stream, msg)) {
                    let value = self.dataflow.value_of(stream, msg, Some(key));
                    let text = self.dataflow.keys.text(key).into_owned();
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

    /// The pipeline and table reports, in declaration order.
    pub fn finish(self) -> (Vec<PipelineReport>, Vec<TableReport>) {
        let dataflow = &self.dataflow;
        let model = &dataflow.model;
        let state = dataflow.state.borrow();
        let mut pipelines = Vec::new();
        for group in &model.groups {
            if !dataflow.has_flow(group.id) {
                continue;
            }
            let extra = &model.topology.services[group.service.index()];
            let flow = &extra.flows[group.consumption];
            let counts = state.counts[group.id.index()];
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
            state.table_states.iter().zip(&state.tables).enumerate()
        {
            let service = ServiceId(service_index as u32);
            let extra = &model.topology.services[service_index];
            for (index, (table_state, table)) in states.iter().zip(service_tables).enumerate() {
                let check = dataflow.sources[service_index][index].map(|stream| {
                    let latest = &self.latest[stream.index()];
                    let mismatches = check_table_against_stream(
                        table,
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
                    changes: table_state.changes,
                    changelog_stream: extra.tables[index]
                        .changelog
                        .map(|s| model.stream(s).name.clone()),
                    conflicting_updates: table_state
                        .conflicts
                        .iter()
                        .map(|(key, (writer_changes, writers))| ConflictingUpdate {
                            key: key.clone(),
                            writer_changes: *writer_changes,
                            writers: writers
                                .iter()
                                .map(|&w| model.service(w).name.clone())
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

//! The pipelines' figures: a trace sink that keeps the latest value per key of every stream a
//! table is checked against (table–stream duality), and, after the run, each flow's counts and
//! each table's contents and check from the run's `Dataflow` (the instances ran the flows).
//! Plain figures by id: `report::tables` names them and builds its reports.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::dataflow::Dataflow;
use super::table::{TableMismatch, check_table_against_stream};
use crate::model::{GroupId, KeyId, MessageId, ServiceId, StreamId};
use crate::trace::TraceEvent;
use crate::value::Value;

/// How many mismatching keys a table check keeps (the count covers them all).
const MISMATCHES_KEPT: usize = 10;

/// One flow's record counts.
#[derive(Clone, Copy, Debug)]
pub struct FlowFigures {
    /// The group whose flow it is (the model has its service, stream and outputs).
    pub group: GroupId,
    pub records_in: u64,
    pub records_dropped: u64,
    pub records_out: u64,
}

/// A table checked against the stream it is filled from straight.
#[derive(Clone, Debug)]
pub struct TableCheckFigures {
    pub stream: StreamId,
    /// The first `MISMATCHES_KEPT` keys that differ, in key order.
    pub mismatches: Vec<TableMismatch>,
    pub mismatch_count: u64,
}

/// One table at the end of the run.
#[derive(Clone, Debug)]
pub struct TableFigures {
    pub service: ServiceId,
    /// The table's index in its service's tables.
    pub table: usize,
    pub changes: u64,
    /// Per key whose writer changed: how often, and the writers in first-write order.
    pub conflicts: Vec<(String, u64, Vec<ServiceId>)>,
    pub check: Option<TableCheckFigures>,
    /// Final contents in key order.
    pub rows: Vec<(String, Value)>,
}

/// What the run's pipelines did, in declaration order.
#[derive(Clone, Debug, Default)]
pub struct PipelineFigures {
    pub flows: Vec<FlowFigures>,
    pub tables: Vec<TableFigures>,
}

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

    /// Each flow's counts and each table's figures, in declaration order.
    pub fn finish(self) -> PipelineFigures {
        let dataflow = &self.dataflow;
        let model = &dataflow.model;
        let state = dataflow.state.borrow();
        let flows = model
            .groups
            .iter()
            .filter(|group| dataflow.has_flow(group.id))
            .map(|group| {
                let counts = state.counts[group.id.index()];
                FlowFigures {
                    group: group.id,
                    records_in: counts.records_in,
                    records_dropped: counts.dropped,
                    records_out: counts.out,
                }
            })
            .collect();
        let mut tables = Vec::new();
        for (service_index, (states, service_tables)) in
            state.table_states.iter().zip(&state.tables).enumerate()
        {
            for (index, (table_state, table)) in states.iter().zip(service_tables).enumerate() {
                let check =
                    dataflow.sources[service_index][index].map(|stream| self.check(stream, table));
                tables.push(TableFigures {
                    service: ServiceId(service_index as u32),
                    table: index,
                    changes: table_state.changes,
                    conflicts: table_state
                        .conflicts
                        .iter()
                        .map(|(key, (writer_changes, writers))| {
                            (key.clone(), *writer_changes, writers.clone())
                        })
                        .collect(),
                    check,
                    rows: table
                        .rows()
                        .map(|(key, value)| (key.to_string(), value.clone()))
                        .collect(),
                });
            }
        }
        PipelineFigures { flows, tables }
    }

    /// `table` against the latest value per key of `stream`, as the run appended it.
    fn check(&self, stream: StreamId, table: &super::Table) -> TableCheckFigures {
        let latest = &self.latest[stream.index()];
        let mismatches =
            check_table_against_stream(table, latest.iter().map(|(k, v)| (Some(k.as_str()), v)));
        TableCheckFigures {
            stream,
            mismatch_count: mismatches.len() as u64,
            mismatches: mismatches.into_iter().take(MISMATCHES_KEPT).collect(),
        }
    }
}

//! The validated business topology: what each stream carries, the domains services belong to,
//! their tables (state stores), APIs, pipelines and value templates, and external systems.
//!
//! Indexed like the rest of the model: `streams[i]` describes `StreamId(i)`, `services[i]`
//! describes `ServiceId(i)`. `topology::graph` turns this and the services' produces/consumes
//! into a petgraph graph.

use super::{ServiceId, StreamId};
use crate::value::Value;

/// The single-writer principle: one producing service per stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SingleWriter {
    /// A second writer is a validation error (the default).
    Error,
    /// Run anyway and show what goes wrong.
    Warn,
}

#[derive(Clone, Debug)]
pub struct Topology {
    pub single_writer: SingleWriter,
    /// By `StreamId`.
    pub streams: Vec<StreamTopology>,
    /// By `ServiceId`.
    pub services: Vec<ServiceTopology>,
    pub externals: Vec<External>,
    /// Streams with more than one writer (only possible with `single_writer: "warn"`).
    pub writer_conflicts: Vec<WriterConflict>,
}

impl Topology {
    /// Whether a service's pipeline writes `stream` (an `emit` target or a table's changelog):
    /// its records follow from what the pipeline was delivered.
    pub fn written_by_pipeline(&self, stream: StreamId) -> bool {
        self.services.iter().any(|service| {
            service.flows.iter().any(|flow| flow.emit.contains(&stream))
                || service
                    .tables
                    .iter()
                    .any(|table| table.changelog == Some(stream))
        })
    }
}

impl Default for Topology {
    fn default() -> Self {
        Topology {
            single_writer: SingleWriter::Error,
            streams: Vec::new(),
            services: Vec::new(),
            externals: Vec::new(),
            writer_conflicts: Vec::new(),
        }
    }
}

/// The kind of event a stream carries (study notes: "키, 값 모두 있는 이벤트", "키 없는 이벤트",
/// "키 있는 이벤트", "엔티티 이벤트").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// Keyed by an entity's primary key; the value is the entity's full latest state; a null
    /// value (tombstone) deletes it.
    Entity {
        entity: String,
    },
    /// Keyed only for partition locality: the key is not an entity's primary key.
    Keyed,
    Unkeyed,
}

impl EventKind {
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Entity { .. } => "entity",
            EventKind::Keyed => "keyed",
            EventKind::Unkeyed => "unkeyed",
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct StreamTopology {
    pub description: String,
    /// `None`: not declared.
    pub kind: Option<EventKind>,
}

#[derive(Clone, Debug, Default)]
pub struct ServiceTopology {
    pub description: String,
    pub domain: Option<String>,
    pub tables: Vec<Table>,
    pub apis: Vec<Api>,
    /// One per entry of the service's `consumes`, in the same order.
    pub flows: Vec<Flow>,
    /// One per entry of the service's `produces`, in the same order.
    pub values: Vec<Option<ValueTemplate>>,
}

/// A key → latest value table kept by one service.
#[derive(Clone, Debug)]
pub struct Table {
    pub name: String,
    pub changelog: Option<StreamId>,
    /// Rebuilt from the changelog when an instance of the service restarts.
    pub restore_from_changelog: bool,
}

/// An API served from a table of its service.
#[derive(Clone, Debug)]
pub struct Api {
    pub name: String,
    /// Index into the service's `tables`.
    pub table: usize,
}

/// What a service does with one consumed stream: operators, then outputs.
#[derive(Clone, Debug)]
pub struct Flow {
    pub stream: StreamId,
    pub steps: Vec<Step>,
    pub emit: Vec<StreamId>,
    /// Index into the service's `tables`.
    pub materialize: Option<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub label: Option<String>,
    pub operator: Operator,
}

impl Step {
    /// The label drawn for the step: its own, else the operator's summary.
    pub fn display(&self, tables: &[Table]) -> String {
        match &self.label {
            Some(label) => label.clone(),
            None => self.operator.summary(tables),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operator {
    /// Keep records whose `field` equals `value` (`negate`: differs from it).
    Filter {
        field: String,
        value: Value,
        negate: bool,
    },
    /// Set, then drop, then rename fields.
    Map {
        set: Vec<(String, Value)>,
        drop: Vec<String>,
        rename: Vec<(String, String)>,
    },
    /// The new key is the text of `field` (records without it are dropped).
    Rekey { field: String },
    /// Stream–table join by key: the table's value goes into `into`.
    Join {
        table: usize,
        into: String,
        left: bool,
    },
    /// Running count or sum per key, written to `into`.
    Aggregate { op: AggregateOp, into: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AggregateOp {
    Count,
    Sum { field: String },
}

impl Operator {
    pub fn name(&self) -> &'static str {
        match self {
            Operator::Filter { .. } => "filter",
            Operator::Map { .. } => "map",
            Operator::Rekey { .. } => "rekey",
            Operator::Join { .. } => "join",
            Operator::Aggregate { .. } => "aggregate",
        }
    }

    /// A one-line description, e.g. `filter status = "paid"`.
    pub fn summary(&self, tables: &[Table]) -> String {
        match self {
            Operator::Filter {
                field,
                value,
                negate,
            } => format!(
                "filter {field} {} {}",
                if *negate { "≠" } else { "=" },
                value.to_json()
            ),
            Operator::Map { set, drop, rename } => {
                let mut parts = Vec::new();
                if !set.is_empty() {
                    let names: Vec<&str> = set.iter().map(|(name, _)| name.as_str()).collect();
                    parts.push(format!("set {}", names.join(", ")));
                }
                if !drop.is_empty() {
                    parts.push(format!("drop {}", drop.join(", ")));
                }
                for (from, to) in rename {
                    parts.push(format!("rename {from} → {to}"));
                }
                format!("map: {}", parts.join("; "))
            }
            Operator::Rekey { field } => format!("rekey by {field}"),
            Operator::Join { table, into, left } => format!(
                "{}join {} as {into}",
                if *left { "left " } else { "" },
                tables.get(*table).map_or("?", |t| t.name.as_str())
            ),
            Operator::Aggregate { op, into } => match op {
                AggregateOp::Count => format!("count per key → {into}"),
                AggregateOp::Sum { field } => format!("sum {field} per key → {into}"),
            },
        }
    }
}

/// How a producer builds each record's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueTemplate {
    /// In field-name order.
    pub fields: Vec<(String, Generator)>,
    /// Share of records sent as tombstones (null value), in parts per million.
    pub tombstone_ppm: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Generator {
    /// The record's key text.
    Key,
    /// 1, 2, 3... per producer instance.
    Counter,
    Const(Value),
    /// Uniform, inclusive.
    IntRange(i64, i64),
    OneOf(Vec<Value>),
}

/// A system outside the simulation that writes or reads streams.
#[derive(Clone, Debug)]
pub struct External {
    pub name: String,
    pub description: String,
    pub writes: Vec<StreamId>,
    pub reads: Vec<StreamId>,
}

/// Who writes a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Writer {
    Service(ServiceId),
    External(usize),
}

/// A stream with two or more writers.
#[derive(Clone, Debug)]
pub struct WriterConflict {
    pub stream: StreamId,
    /// In document order.
    pub writers: Vec<Writer>,
}

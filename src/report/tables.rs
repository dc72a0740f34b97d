//! What the services' pipelines did in a run: each flow's record counts and each table's final
//! contents, with the table–stream duality check. Built from the `pipeline::PipelineFigures`
//! that `pipeline::PipelineSink` returns after the run, with every id named.

use serde::Serialize;

use crate::model::Scenario;
use crate::pipeline::{FlowFigures, PipelineFigures, TableCheckFigures, TableFigures};
use crate::value::Value;

#[derive(Clone, Debug, Serialize)]
pub struct PipelineReport {
    pub service: String,
    pub stream: String,
    /// Records that went in (every consumed record, re-deliveries included).
    pub records_in: u64,
    /// Records a step dropped (filter, an inner join miss, a rekey without the field...).
    pub records_dropped: u64,
    /// Records that came out of the last step.
    pub records_out: u64,
    /// Streams the output is emitted to: each record that comes out is produced to every one
    /// of them by the consuming instance.
    pub emit: Vec<String>,
    pub materialize: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TableReport {
    pub service: String,
    pub table: String,
    /// Puts and deletes applied (changes only: writing the same value again is not a change).
    pub changes: u64,
    /// The changelog stream every change is published to, if any.
    pub changelog_stream: Option<String>,
    /// Keys whose latest value was last written by a different producing service than the
    /// value before it: two writers racing on one entity (single-writer principle broken).
    pub conflicting_updates: Vec<ConflictingUpdate>,
    /// Table–stream duality: for a table filled straight from one stream, whether it equals the
    /// latest value per key of that stream's log. `None` when a pipeline sits in between.
    pub check: Option<TableCheck>,
    /// Final contents in key order.
    pub rows: Vec<TableRow>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TableRow {
    pub key: String,
    pub value: Value,
}

#[derive(Clone, Debug, Serialize)]
pub struct ConflictingUpdate {
    pub key: String,
    /// How many times the writer of this key's value changed.
    pub writer_changes: u64,
    /// The services that wrote it, in first-write order.
    pub writers: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TableCheck {
    pub stream: String,
    /// What the table is compared with, in words: for a compacted stream, the compacted log
    /// (latest value per key, tombstones absent); else the stream's latest value per key.
    pub against: String,
    pub matches: bool,
    /// Keys that differ (at most 10), with the stream's latest value and the table's.
    pub mismatches: Vec<TableMismatchReport>,
    pub mismatch_count: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct TableMismatchReport {
    pub key: String,
    pub expected: Option<Value>,
    pub found: Option<Value>,
}

/// The pipeline and table reports, in declaration order.
pub fn reports(
    model: &Scenario,
    figures: PipelineFigures,
) -> (Vec<PipelineReport>, Vec<TableReport>) {
    let pipelines = figures
        .flows
        .iter()
        .map(|flow| pipeline_report(model, flow))
        .collect();
    let tables = figures
        .tables
        .into_iter()
        .map(|table| table_report(model, table))
        .collect();
    (pipelines, tables)
}

fn pipeline_report(model: &Scenario, figures: &FlowFigures) -> PipelineReport {
    let group = model.group(figures.group);
    let extra = &model.topology.services[group.service.index()];
    let flow = &extra.flows[group.consumption];
    PipelineReport {
        service: model.service(group.service).name.clone(),
        stream: model.stream(flow.stream).name.clone(),
        records_in: figures.records_in,
        records_dropped: figures.records_dropped,
        records_out: figures.records_out,
        emit: flow
            .emit
            .iter()
            .map(|&s| model.stream(s).name.clone())
            .collect(),
        materialize: flow.materialize.map(|t| extra.tables[t].name.clone()),
    }
}

/// What a table filled from `stream` is checked against, in words. A compacted stream's log
/// keeps, once cleaned, exactly the latest record per key and drops tombstones after
/// `delete.retention.ms`, so the latest value per key is what the compacted log holds; with
/// `compact,delete`, retention may also have deleted old keys' records since.
fn check_against(stream: &crate::model::Stream) -> String {
    let policy = stream.log.cleanup;
    match (policy.compact, policy.delete) {
        (true, false) => format!(
            "the compacted log of stream {}, latest value per key with tombstones absent",
            stream.name
        ),
        (true, true) => format!(
            "the compacted log of stream {} before retention, latest value per key with tombstones absent",
            stream.name
        ),
        _ => format!("the latest value per key of stream {}", stream.name),
    }
}

fn table_check(model: &Scenario, figures: TableCheckFigures) -> TableCheck {
    let stream = model.stream(figures.stream);
    TableCheck {
        stream: stream.name.clone(),
        against: check_against(stream),
        matches: figures.mismatch_count == 0,
        mismatch_count: figures.mismatch_count,
        mismatches: figures
            .mismatches
            .into_iter()
            .map(|m| TableMismatchReport {
                key: m.key,
                expected: m.expected,
                found: m.found,
            })
            .collect(),
    }
}

fn table_report(model: &Scenario, figures: TableFigures) -> TableReport {
    let table = &model.topology.services[figures.service.index()].tables[figures.table];
    TableReport {
        service: model.service(figures.service).name.clone(),
        table: table.name.clone(),
        changes: figures.changes,
        changelog_stream: table.changelog.map(|s| model.stream(s).name.clone()),
        conflicting_updates: figures
            .conflicts
            .into_iter()
            .map(|(key, writer_changes, writers)| ConflictingUpdate {
                key,
                writer_changes,
                writers: writers
                    .iter()
                    .map(|&w| model.service(w).name.clone())
                    .collect(),
            })
            .collect(),
        check: figures.check.map(|check| table_check(model, check)),
        rows: figures
            .rows
            .into_iter()
            .map(|(key, value)| TableRow { key, value })
            .collect(),
    }
}

/// The text report's pipeline and table sections (nothing when the run had none).
pub fn render_text(pipelines: &[PipelineReport], tables: &[TableReport], out: &mut String) {
    use std::fmt::Write as _;
    if !pipelines.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "pipelines:");
        for p in pipelines {
            let mut outputs: Vec<String> = p.emit.iter().map(|s| format!("→ {s}")).collect();
            if let Some(table) = &p.materialize {
                outputs.push(format!("→ table {table}"));
            }
            let outputs = if outputs.is_empty() {
                String::new()
            } else {
                format!(" {}", outputs.join(" "))
            };
            let _ = writeln!(
                out,
                "  {} reading {}: {} in, {} dropped, {} out{outputs}",
                p.service, p.stream, p.records_in, p.records_dropped, p.records_out,
            );
        }
    }
    for t in tables {
        let _ = writeln!(out);
        let changelog = t
            .changelog_stream
            .as_ref()
            .map(|s| format!(", changelog {s}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "table {} of {}: {} rows, {} changes{changelog}",
            t.table,
            t.service,
            t.rows.len(),
            t.changes
        );
        if let Some(check) = &t.check {
            if check.matches {
                let _ = writeln!(
                    out,
                    "  check: equals {} (table-stream duality holds)",
                    check.against
                );
            } else {
                let first = &check.mismatches[0];
                let _ = writeln!(
                    out,
                    "  check: DIFFERS from {} at {} keys (first: {}: stream has {}, table has {})",
                    check.against,
                    check.mismatch_count,
                    first.key,
                    first
                        .expected
                        .as_ref()
                        .map_or("nothing".to_string(), |v| v.to_json()),
                    first
                        .found
                        .as_ref()
                        .map_or("nothing".to_string(), |v| v.to_json()),
                );
            }
        }
        for conflict in &t.conflicting_updates {
            let _ = writeln!(
                out,
                "  conflict: key {} changed writer {} time{} between {}",
                conflict.key,
                conflict.writer_changes,
                if conflict.writer_changes == 1 {
                    ""
                } else {
                    "s"
                },
                conflict.writers.join(" and ")
            );
        }
        const SHOWN: usize = 20;
        for row in t.rows.iter().take(SHOWN) {
            let _ = writeln!(out, "  {} = {}", row.key, row.value.to_json());
        }
        if t.rows.len() > SHOWN {
            let _ = writeln!(
                out,
                "  ... {} more rows (see --format json)",
                t.rows.len() - SHOWN
            );
        }
    }
}

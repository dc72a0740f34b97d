//! eventlab's integration tests, as one test crate: one binary to link instead of one per file.
//!
//! Each module is one area, tested through the library boundary or the binary. Fixtures live in
//! `tests/fixtures/`, snapshots in the top-level `snapshots/`.

mod common;

mod assign_cli;
mod assignment_runs;
mod avro_compat;
mod avro_schemas;
mod cli_errors;
mod compaction;
mod compare;
mod conservation;
mod emission;
mod entry_point;
mod explore;
mod faults;
mod group_rules;
mod help_cli;
mod kafka_cli;
mod lessons;
mod mutation;
mod perf_reference;
mod producer_batching;
mod queue_rules;
mod queue_smoke;
mod scenarios;
mod schema_fetch;
mod tidy;
mod topology;

//! eventlab: a deterministic simulation and teaching lab for event-driven microservices.
//!
//! Data flows one way: scenario text → `scenario` (parse, validate) → `model::Scenario` →
//! `simulate` (kernel + brokers + services) → trace events → `collect` (feeding `check`) →
//! `report`.
//! Only `cli` touches files, stdout and the environment.

pub mod bundled;
pub mod check;
pub mod cli;
pub mod collect;
pub mod compare;
pub mod explore;
pub mod lessons;
pub mod log;
pub mod model;
pub mod pipeline;
pub mod protocol;
pub mod queue;
pub mod report;
pub mod run;
pub mod scenario;
pub mod schema;
pub mod service;
pub mod sim;
pub mod simulate;
pub mod topology;
pub mod trace;
pub mod value;

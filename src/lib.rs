//! eventlab: a deterministic simulation and teaching lab for event-driven microservices.
//!
//! Data flows one way: scenario text → `scenario` (parse, validate) → `model::Scenario` →
//! `simulate` (kernel + brokers + services) → trace events → `check` and `report`.
//! Only `cli` touches files, stdout and the environment.

pub mod scenario;
pub mod model;
pub mod sim;
pub mod protocol;
pub mod log;
pub mod service;
pub mod trace;
pub mod check;
pub mod report;
pub mod simulate;
pub mod bundled;
pub mod cli;

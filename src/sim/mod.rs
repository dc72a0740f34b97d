//! The simulation kernel: virtual time, the agenda, actors and seeded randomness.
//!
//! The kernel is generic over the message and trace-event types: it knows nothing about
//! partitions, offsets or acks. `crate::simulate` wires brokers and services into it.
//! Invariant: nothing in `sim` reads a clock, a file or the environment.

pub mod actor;
pub mod agenda;
pub mod clock;
pub mod kernel;
pub mod rng;
pub mod wire;

pub use actor::{Actor, Ctx, Sink};
pub use agenda::Vacant;
pub use clock::SimTime;
pub use kernel::{Kernel, KernelStats, Limits, StopReason};
pub use wire::{ActorId, LinkConfig, LinkEffect, LinkFault, TimerId};

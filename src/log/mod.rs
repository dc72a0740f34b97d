//! The event-log broker (Kafka-like): partitioned append-only logs, offsets, consumer groups.
//!
//! First cut: records are appended at dense offsets and never deleted; consumer groups split
//! partitions like Kafka's `RangeAssignor`; positions and committed offsets are per group; lag
//! is log end offset − committed offset.

pub mod assignor;
pub mod broker;
pub mod cleaner;
pub mod group;
pub mod partition_log;
pub mod partitioner;
pub mod segment;
pub mod start_offsets;

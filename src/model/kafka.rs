//! The Kafka client vocabulary the scenario names: the producer's key partitioner and the
//! consumer group's assignment strategy, with their configuration names.
//!
//! Plain enums shared by validation, the brokers, the services and the reports. The hashing
//! behind a partitioner is in `log::partitioner` and the assignors in `log::assignor` (both
//! later stages, which add `impl` blocks to these types); nothing here computes a placement.

use std::fmt;

/// A key-hashing partitioner of a real Kafka client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Partitioner {
    /// Java client default (`BuiltInPartitioner.partitionForKey`): `toPositive(murmur2(key)) % n`.
    Murmur2,
    /// FNV-1a 32-bit: `fnv1a32(key) % n` (librdkafka `fnv1a`).
    Fnv1a32,
    /// librdkafka default `consistent_random`: `crc32(key) % n` for non-empty keys.
    ConsistentRandom,
}

impl Partitioner {
    /// Every partitioner, in declaration order.
    pub const ALL: [Partitioner; 3] = [
        Partitioner::Murmur2,
        Partitioner::Fnv1a32,
        Partitioner::ConsistentRandom,
    ];

    /// The configuration name (`"murmur2"`, `"fnv1a32"`, `"consistent_random"`).
    pub fn name(self) -> &'static str {
        match self {
            Partitioner::Murmur2 => "murmur2",
            Partitioner::Fnv1a32 => "fnv1a32",
            Partitioner::ConsistentRandom => "consistent_random",
        }
    }
}

/// `partition.assignment.strategy` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strategy {
    Range,
    RoundRobin,
    Sticky,
    CooperativeSticky,
}

impl Strategy {
    /// Every strategy in declaration order.
    pub const ALL: [Strategy; 4] = [
        Strategy::Range,
        Strategy::RoundRobin,
        Strategy::Sticky,
        Strategy::CooperativeSticky,
    ];

    /// Kafka's assignor `name()`.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Range => "range",
            Strategy::RoundRobin => "roundrobin",
            Strategy::Sticky => "sticky",
            Strategy::CooperativeSticky => "cooperative-sticky",
        }
    }
}

impl Strategy {
    /// Kafka's fully qualified assignor class name, as written in
    /// `partition.assignment.strategy`.
    pub fn class_name(self) -> &'static str {
        match self {
            Strategy::Range => "org.apache.kafka.clients.consumer.RangeAssignor",
            Strategy::RoundRobin => "org.apache.kafka.clients.consumer.RoundRobinAssignor",
            Strategy::Sticky => "org.apache.kafka.clients.consumer.StickyAssignor",
            Strategy::CooperativeSticky => {
                "org.apache.kafka.clients.consumer.CooperativeStickyAssignor"
            }
        }
    }

    /// A strategy by its `name()` or its Kafka class name (short or fully qualified), the forms
    /// `partition.assignment.strategy` accepts in eventlab.
    pub fn from_config_name(name: &str) -> Option<Strategy> {
        Strategy::ALL.into_iter().find(|strategy| {
            let class = strategy.class_name();
            let short_class = class.rsplit('.').next().unwrap_or(class);
            name == strategy.name() || name == class || name == short_class
        })
    }

    /// Whether the assignor supports Kafka's COOPERATIVE rebalance protocol
    /// (`ConsumerPartitionAssignor.supportedProtocols`): only `CooperativeStickyAssignor` does;
    /// the others support EAGER only.
    pub fn supports_cooperative(self) -> bool {
        self == Strategy::CooperativeSticky
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

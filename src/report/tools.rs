//! Reports of the one-shot tools `eventlab partition` and `eventlab assign`: typed structs and
//! their text and JSON renderings (strings; the CLI prints them).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::log::assignor::GroupAssignment;
use crate::log::partitioner::murmur2;
use crate::model::{Partitioner, Strategy};

/// Where one key goes. Serializes as `{"key", "murmur2", "partition"}` for Kafka's partitioner
/// (the signed 32-bit hash, as Java's `Utils.murmur2` returns it) and as
/// `{"key", "hash", "partition"}` (unsigned 32-bit) for the others.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyPlacement {
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub murmur2: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash: Option<u32>,
    pub partition: u32,
}

/// Places every key (its UTF-8 bytes, as Kafka's `StringSerializer` sends them).
pub fn place_keys(
    partitioner: Partitioner,
    partition_count: u32,
    keys: &[String],
) -> Vec<KeyPlacement> {
    keys.iter()
        .map(|key| {
            let bytes = key.as_bytes();
            let (murmur, hash) = match partitioner {
                Partitioner::Murmur2 => (Some(murmur2(bytes)), None),
                other => (None, Some(other.hash(bytes))),
            };
            KeyPlacement {
                key: key.clone(),
                murmur2: murmur,
                hash,
                partition: partitioner.partition_for_key(bytes, partition_count),
            }
        })
        .collect()
}

/// `KEY<TAB>PARTITION` per key.
pub fn placements_text(placements: &[KeyPlacement]) -> String {
    let mut out = String::new();
    for placement in placements {
        out.push_str(&format!("{}\t{}\n", placement.key, placement.partition));
    }
    out
}

pub fn placements_json(placements: &[KeyPlacement]) -> String {
    super::json::pretty(placements)
}

/// The result of one `eventlab assign`: every member, sorted by id, with its partitions sorted
/// by topic then number (`topic-N`, Kafka's `TopicPartition.toString`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AssignReport {
    pub assignment: BTreeMap<String, Vec<String>>,
    /// `cooperative-sticky` only: per member (every member present), the partitions it owned
    /// and must give up this round before anyone else gets them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoking: Option<BTreeMap<String, Vec<String>>>,
}

impl AssignReport {
    pub fn new(strategy: Strategy, result: &GroupAssignment) -> Self {
        let names = |partitions: &[crate::log::assignor::TopicPartition]| {
            partitions.iter().map(ToString::to_string).collect()
        };
        let assignment: BTreeMap<String, Vec<String>> = result
            .assignment
            .iter()
            .map(|(member, partitions)| (member.clone(), names(partitions)))
            .collect();
        let revoking = (strategy == Strategy::CooperativeSticky).then(|| {
            assignment
                .keys()
                .map(|member| {
                    let revoked = result
                        .revoking
                        .get(member)
                        .map(|partitions| names(partitions))
                        .unwrap_or_default();
                    (member.clone(), revoked)
                })
                .collect()
        });
        AssignReport {
            assignment,
            revoking,
        }
    }

    /// `member: t-p, t-p` per member; for cooperative-sticky, then `member revokes: t-p` for
    /// each member that must give partitions up.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for (member, partitions) in &self.assignment {
            out.push_str(&line(member, partitions));
        }
        for (member, partitions) in self.revoking.iter().flatten() {
            if !partitions.is_empty() {
                out.push_str(&line(&format!("{member} revokes"), partitions));
            }
        }
        out
    }

    pub fn json(&self) -> String {
        super::json::pretty(self)
    }
}

fn line(label: &str, partitions: &[String]) -> String {
    if partitions.is_empty() {
        format!("{label}:\n")
    } else {
        format!("{label}: {}\n", partitions.join(", "))
    }
}

//! A consumer group's coordinator state: members, generation, assignment, committed offsets.
//!
//! The protocol is Kafka's classic *eager* rebalance, simplified: when a member joins or its
//! session expires, the coordinator asks every live member to stop, commit and re-join; when all
//! have re-joined it bumps the generation and hands out a new assignment with the committed
//! offset of each partition. Offsets committed with the current generation are accepted, also
//! while a rebalance is under way (as Kafka does before the generation changes).
//! Partitions are split like Kafka's `RangeAssignor` for one topic: members sorted by member id
//! (here the instance name), the first `n % m` members get one partition more.

use std::collections::BTreeSet;

use crate::model::{InstanceId, Offset, PartitionId};
use crate::sim::{ActorId, TimerId};

#[derive(Debug)]
pub struct Member {
    pub instance: InstanceId,
    pub name: String,
    pub actor: ActorId,
    pub alive: bool,
    pub session_timer: Option<TimerId>,
}

#[derive(Debug)]
pub struct GroupState {
    pub members: Vec<Member>,
    pub generation: u32,
    pub rebalancing: bool,
    /// Members asked to re-join that have not yet.
    pub awaiting: BTreeSet<usize>,
    pub committed: Vec<Offset>,
    pub partition_count: u32,
}

impl GroupState {
    pub fn new(members: Vec<Member>, partition_count: u32) -> Self {
        GroupState {
            members,
            generation: 1,
            rebalancing: false,
            awaiting: BTreeSet::new(),
            committed: vec![Offset(0); partition_count as usize],
            partition_count,
        }
    }

    pub fn member_of(&self, actor: ActorId) -> Option<usize> {
        self.members.iter().position(|member| member.actor == actor)
    }

    /// The current split of partitions over live members: `(member index, partitions)`, members
    /// in member-id order. Matches Kafka's `RangeAssignor` for a single topic.
    pub fn assignment(&self) -> Vec<(usize, Vec<PartitionId>)> {
        let mut live: Vec<usize> = (0..self.members.len())
            .filter(|&index| self.members[index].alive)
            .collect();
        live.sort_by(|&a, &b| self.members[a].name.cmp(&self.members[b].name));
        range_split(self.partition_count, live.len())
            .into_iter()
            .zip(live)
            .map(|(partitions, member)| (member, partitions))
            .collect()
    }
}

/// Kafka's range split of `partition_count` partitions over `member_count` sorted members.
pub fn range_split(partition_count: u32, member_count: usize) -> Vec<Vec<PartitionId>> {
    if member_count == 0 {
        return Vec::new();
    }
    let members = member_count as u32;
    let per_member = partition_count / members;
    let with_extra = partition_count % members;
    (0..members)
        .map(|index| {
            let start = per_member * index + index.min(with_extra);
            let length = per_member + u32::from(index < with_extra);
            (start..start + length).map(PartitionId).collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(partitions: &[PartitionId]) -> Vec<u32> {
        partitions.iter().map(|p| p.0).collect()
    }

    #[test]
    fn range_split_gives_the_first_members_the_extra_partitions() {
        let split = range_split(8, 3);
        assert_eq!(
            split.iter().map(|p| ids(p)).collect::<Vec<_>>(),
            vec![vec![0, 1, 2], vec![3, 4, 5], vec![6, 7]]
        );
    }

    #[test]
    fn range_split_with_more_members_than_partitions_leaves_some_idle() {
        let split = range_split(2, 3);
        assert_eq!(
            split.iter().map(|p| ids(p)).collect::<Vec<_>>(),
            vec![vec![0], vec![1], vec![]]
        );
    }
}

//! A consumer group's coordinator state: members, generation, assignment, committed offsets.
//!
//! The protocol is Kafka's classic group protocol (not KIP-848), simplified: when a member joins
//! or its session expires, the coordinator asks every live member to re-join; when all have
//! re-joined it bumps the generation and hands out a new assignment with the committed offset of
//! each partition. Offsets committed with the current generation are accepted, also while a
//! rebalance is under way (as Kafka does before the generation changes).
//!
//! The assignment is computed by `log::assignor` with the group's
//! `partition.assignment.strategy`, from the members' subscriptions: member id = the instance
//! name (Kafka appends a UUID to `client.id`; eventlab's names are unique already), one topic
//! (the stream), and the owned partitions and generation each member sent in its JoinGroup. In
//! Kafka the group *leader* (a consumer) runs the assignor; here the coordinator runs the same
//! code, which gives the same result. With the eager protocol members give everything up before
//! re-joining; with the cooperative protocol they keep their partitions, `cooperative-sticky`
//! withholds the ones that change owner, and their owners re-join after giving them up.
//!
//! Static members (KIP-345, `group.instance.id`) keep their slot while their session lasts: a
//! static member that restarts and joins again before it expires gets its last assignment back
//! in the current generation, and nobody else rebalances (`LogBroker::on_join_group`).

use std::collections::{BTreeMap, BTreeSet};

use crate::log::assignor::{Subscription, TopicPartition, assign};
use crate::model::Strategy;
use crate::model::{InstanceId, Offset, PartitionId};
use crate::sim::{ActorId, TimerId};

#[derive(Debug)]
pub struct Member {
    pub instance: InstanceId,
    pub name: String,
    pub actor: ActorId,
    pub alive: bool,
    pub session_timer: Option<TimerId>,
    /// The owned partitions and their generation from the member's last JoinGroup.
    pub owned: Vec<PartitionId>,
    pub owned_generation: Option<u32>,
    /// What the coordinator last assigned it (a static member that restarts gets it back).
    pub assigned: Vec<PartitionId>,
    /// KIP-345: the member has a `group.instance.id`.
    pub is_static: bool,
}

#[derive(Debug)]
pub struct GroupState {
    pub members: Vec<Member>,
    pub generation: u32,
    pub rebalancing: bool,
    /// The rebalance's deadline: the coordinator waits for re-joins up to the rebalance
    /// timeout (the members' `max.poll.interval.ms`), then goes on without the missing ones.
    pub rebalance_timer: Option<TimerId>,
    /// Members asked to re-join that have not yet.
    pub awaiting: BTreeSet<usize>,
    /// Committed offsets, one per partition (so also the partition count).
    pub committed: Vec<Offset>,
    /// Whether the group ever committed an offset for the partition (an admin reset counts).
    pub has_committed: Vec<bool>,
    /// `auto.offset.reset=none` found no committed offset: the partition is not read.
    pub no_offset: Vec<bool>,
    /// No member was left: the next assignment forms the group again, and
    /// `auto.offset.reset` is consulted (`log::start_offsets`).
    pub forming: bool,
    /// The stream's name: the one topic every member subscribes to.
    pub topic: String,
    pub strategy: Strategy,
}

impl GroupState {
    pub fn new(
        members: Vec<Member>,
        topic: String,
        partition_count: u32,
        strategy: Strategy,
    ) -> Self {
        GroupState {
            members,
            generation: 1,
            rebalancing: false,
            rebalance_timer: None,
            awaiting: BTreeSet::new(),
            committed: vec![Offset(0); partition_count as usize],
            has_committed: vec![false; partition_count as usize],
            no_offset: vec![false; partition_count as usize],
            forming: true,
            topic,
            strategy,
        }
    }

    /// The topic grew (Kafka's CreatePartitions): new partitions start with no committed offset,
    /// which eventlab reads from offset 0 (`auto.offset.reset=earliest`).
    pub fn grow(&mut self, partition_count: u32) {
        if partition_count as usize > self.committed.len() {
            self.committed.resize(partition_count as usize, Offset(0));
            self.has_committed.resize(partition_count as usize, false);
            self.no_offset.resize(partition_count as usize, false);
        }
    }

    pub fn member_of(&self, actor: ActorId) -> Option<usize> {
        self.members.iter().position(|member| member.actor == actor)
    }

    /// The assignment for the live members: `(member index, partitions)`, members in member-id
    /// order, each member's partitions ascending. Runs the group's assignor (see the module doc).
    pub fn assignment(&self) -> Vec<(usize, Vec<PartitionId>)> {
        let live: Vec<usize> = (0..self.members.len())
            .filter(|&index| self.members[index].alive)
            .collect();
        let subscriptions: Vec<Subscription> = live
            .iter()
            .map(|&index| {
                let member = &self.members[index];
                Subscription::new(member.name.clone(), &[self.topic.as_str()]).with_owned(
                    member
                        .owned
                        .iter()
                        .map(|p| TopicPartition::new(self.topic.clone(), p.0))
                        .collect(),
                    member
                        .owned_generation
                        .map(|g| i32::try_from(g).unwrap_or(i32::MAX)),
                )
            })
            .collect();
        let partitions_per_topic: BTreeMap<String, u32> =
            [(self.topic.clone(), self.committed.len() as u32)].into();
        let result = assign(self.strategy, &partitions_per_topic, &subscriptions)
            .expect("instance names are unique, so member ids are");
        let mut by_name: Vec<usize> = live;
        by_name.sort_by(|&a, &b| self.members[a].name.cmp(&self.members[b].name));
        by_name
            .into_iter()
            .map(|index| {
                let partitions = result.assignment[&self.members[index].name]
                    .iter()
                    .map(|tp| PartitionId(tp.partition))
                    .collect();
                (index, partitions)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(index: u32, name: &str, owned: &[u32]) -> Member {
        Member {
            instance: InstanceId(index),
            name: name.to_string(),
            actor: ActorId(index + 1),
            alive: true,
            session_timer: None,
            owned: owned.iter().map(|&p| PartitionId(p)).collect(),
            owned_generation: Some(1),
            assigned: Vec::new(),
            is_static: false,
        }
    }

    fn ids(assignment: &[(usize, Vec<PartitionId>)]) -> Vec<(usize, Vec<u32>)> {
        assignment
            .iter()
            .map(|(m, ps)| (*m, ps.iter().map(|p| p.0).collect()))
            .collect()
    }

    #[test]
    fn range_gives_the_first_members_by_name_the_extra_partitions() {
        let members = vec![
            member(0, "svc-1", &[]),
            member(1, "svc-0", &[]),
            member(2, "svc-2", &[]),
        ];
        let group = GroupState::new(members, "orders".into(), 8, Strategy::Range);
        assert_eq!(
            ids(&group.assignment()),
            vec![(1, vec![0, 1, 2]), (0, vec![3, 4, 5]), (2, vec![6, 7])]
        );
    }

    #[test]
    fn sticky_keeps_owned_partitions_where_range_moves_them() {
        // svc-1 owned everything; svc-0 joins. Range hands svc-0 the low half regardless.
        let members = vec![member(0, "svc-0", &[]), member(1, "svc-1", &[0, 1, 2, 3])];
        let range = GroupState::new(members, "orders".into(), 4, Strategy::Range);
        assert_eq!(
            ids(&range.assignment()),
            vec![(0, vec![0, 1]), (1, vec![2, 3])]
        );
        let mut sticky = range;
        sticky.strategy = Strategy::Sticky;
        let result = ids(&sticky.assignment());
        // svc-1 keeps two of its partitions, and gives two up: balance within 1, fewest moves.
        assert_eq!(result[0].1.len(), 2);
        assert_eq!(result[1].1.len(), 2);
    }
}

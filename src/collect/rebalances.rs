//! Per-rebalance figures of the log's consumer groups: why each rebalance started, how long the
//! group paused, how many partitions changed owner, and each member's own pause.
//!
//! A rebalance opens at `RebalanceStarted` (towards generation g) and gathers, until the next
//! one opens: the members' revocations, the assignment of generation g, and each assigned
//! member's first fetch after it. The group's **pause** runs from the first revocation to the
//! last such first fetch (0 when nobody revoked anything: a cooperative round where nothing
//! moved); a member's pause runs from its own revocation to its first fetch after the new
//! assignment. A partition **moved** when the assignment gives it to an owner other than its
//! last one (a partition the cooperative protocol withholds in its first round moves in the
//! follow-up). These are plain figures by id; `report` names and words them. Not a checker:
//! it judges nothing. The list keeps the first `LIST_MAX` rebalances per group.

use std::collections::BTreeMap;

use crate::model::{GroupId, InstanceId, PartitionId, Scenario};
use crate::protocol::RebalanceCause;
use crate::sim::SimTime;

/// The most rebalances kept per group (a rebalance storm keeps its count, not every entry).
pub const LIST_MAX: usize = 1_000;

/// How many of the latest rebalances a first fetch may still complete: a cooperative round is
/// often followed by the next before every member has fetched.
const OPEN_MAX: usize = 4;

/// One rebalance of one group.
#[derive(Clone, Debug)]
pub struct Rebalance {
    pub generation: u32,
    pub started_at: SimTime,
    pub cause: RebalanceCause,
    /// When the coordinator sent generation `generation`'s assignment (None: it never came).
    pub assigned_at: Option<SimTime>,
    /// Where the group's pause starts: the first revocation before the assignment, or for a
    /// cooperative follow-up the previous round's first revocation after its assignment.
    pub pause_from: Option<SimTime>,
    /// The first revocation after the assignment (the cooperative protocol's), which the
    /// follow-up round's pause starts from.
    revoked_after_assignment: Option<SimTime>,
    /// The last first fetch of a member assigned partitions in the new generation.
    pub last_first_fetch_at: Option<SimTime>,
    pub partitions_moved: u32,
    /// Per member left holding nothing by a revocation: when, and its first fetch after the
    /// new assignment.
    pub members: BTreeMap<InstanceId, MemberPause>,
    /// Members assigned partitions in the new generation that have not fetched since.
    awaiting_fetch: Vec<InstanceId>,
}

#[derive(Clone, Copy, Debug)]
pub struct MemberPause {
    pub revoked_at: SimTime,
    pub first_fetch_at: Option<SimTime>,
}

impl Rebalance {
    /// From the pause's start to the last member's first fetch in the new generation; 0 when
    /// nothing stopped; None when the group had not resumed by the end of the run.
    pub fn pause_us(&self) -> Option<u64> {
        match (self.pause_from, self.last_first_fetch_at) {
            (None, _) => Some(0),
            (Some(from), Some(to)) if self.awaiting_fetch.is_empty() => {
                Some(to.as_us().saturating_sub(from.as_us()))
            }
            _ => None,
        }
    }
}

/// Per group: its rebalances, and each partition's last owner.
pub struct Rebalances {
    groups: Vec<GroupRebalances>,
}

struct GroupRebalances {
    list: Vec<Rebalance>,
    /// Rebalances beyond `LIST_MAX`, counted only.
    dropped: u64,
    /// Each partition's last assigned owner (a revocation leaves it: moves count from it).
    owners: Vec<Option<InstanceId>>,
    /// Each partition's current holder (a revocation clears it).
    held_by: Vec<Option<InstanceId>>,
    /// Whether one of the last `OPEN_MAX` rebalances still waits for first fetches.
    awaiting: bool,
}

impl GroupRebalances {
    fn new(partition_count: usize) -> Self {
        GroupRebalances {
            list: Vec::new(),
            dropped: 0,
            owners: vec![None; partition_count],
            held_by: vec![None; partition_count],
            awaiting: false,
        }
    }

    /// The rebalance under way, unless the list is full.
    fn open(&mut self) -> Option<&mut Rebalance> {
        if self.dropped > 0 {
            return None;
        }
        self.list.last_mut()
    }
}

impl Rebalances {
    pub fn new(model: &Scenario) -> Self {
        Rebalances {
            groups: model
                .groups
                .iter()
                .map(|group| {
                    GroupRebalances::new(model.stream(group.stream).partition_count_max() as usize)
                })
                .collect(),
        }
    }

    /// The group's rebalances, in order (the first `LIST_MAX`).
    pub fn of(&self, group: GroupId) -> &[Rebalance] {
        &self.groups[group.index()].list
    }

    pub fn started(&mut self, at: SimTime, group: GroupId, generation: u32, cause: RebalanceCause) {
        let state = &mut self.groups[group.index()];
        if state.list.len() >= LIST_MAX {
            state.dropped += 1;
            return;
        }
        // A cooperative follow-up hands over what the previous round's members revoked after
        // its assignment: the pause of those partitions starts there.
        let handed_over = match (cause, state.list.last()) {
            (RebalanceCause::Rejoin, Some(previous)) => previous.revoked_after_assignment,
            _ => None,
        };
        state.list.push(Rebalance {
            generation,
            started_at: at,
            cause,
            assigned_at: None,
            pause_from: handed_over,
            revoked_after_assignment: None,
            last_first_fetch_at: None,
            partitions_moved: 0,
            members: BTreeMap::new(),
            awaiting_fetch: Vec::new(),
        });
    }

    pub fn revoked(
        &mut self,
        at: SimTime,
        group: GroupId,
        instance: InstanceId,
        partitions: &[PartitionId],
    ) {
        let state = &mut self.groups[group.index()];
        for partition in partitions {
            if state.held_by[partition.index()] == Some(instance) {
                state.held_by[partition.index()] = None;
            }
        }
        let holds_nothing = !state.held_by.contains(&Some(instance));
        let Some(open) = state.open() else {
            return;
        };
        if open.assigned_at.is_none() {
            open.pause_from.get_or_insert(at);
        } else {
            open.revoked_after_assignment.get_or_insert(at);
        }
        if holds_nothing {
            open.members.entry(instance).or_insert(MemberPause {
                revoked_at: at,
                first_fetch_at: None,
            });
        }
    }

    /// An assignment of `generation` (the initial one, generation 1, sets the owners only).
    pub fn assigned(
        &mut self,
        at: SimTime,
        group: GroupId,
        generation: u32,
        instance: InstanceId,
        partitions: &[PartitionId],
    ) {
        let state = &mut self.groups[group.index()];
        let mut moved = 0;
        for partition in partitions {
            let owner = &mut state.owners[partition.index()];
            if *owner != Some(instance) {
                moved += u32::from(owner.is_some());
                *owner = Some(instance);
            }
            state.held_by[partition.index()] = Some(instance);
        }
        // One generation's assignment goes out at one instant; a later one of the same
        // generation is a static member's return (KIP-345), which is no rebalance.
        let Some(open) = state.open().filter(|open| {
            open.generation == generation && open.assigned_at.is_none_or(|sent| sent == at)
        }) else {
            return;
        };
        open.assigned_at = Some(at);
        open.partitions_moved += moved;
        if !partitions.is_empty() {
            open.awaiting_fetch.push(instance);
            state.awaiting = true;
        }
    }

    /// A fetch came back to `instance`: its first after the new assignment ends its pause.
    #[inline(always)]
    pub fn fetched(&mut self, at: SimTime, group: GroupId, instance: InstanceId) {
        if self.groups[group.index()].awaiting {
            self.first_fetch(at, group, instance);
        }
    }

    #[cold]
    fn first_fetch(&mut self, at: SimTime, group: GroupId, instance: InstanceId) {
        let state = &mut self.groups[group.index()];
        let open_from = state.list.len().saturating_sub(OPEN_MAX);
        let mut still_awaiting = false;
        for open in &mut state.list[open_from..] {
            if let Some(position) = open.awaiting_fetch.iter().position(|&i| i == instance) {
                open.awaiting_fetch.swap_remove(position);
                open.last_first_fetch_at = Some(at);
                if let Some(member) = open.members.get_mut(&instance) {
                    member.first_fetch_at.get_or_insert(at);
                }
            }
            still_awaiting |= !open.awaiting_fetch.is_empty();
        }
        state.awaiting = still_awaiting;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(us: u64) -> SimTime {
        SimTime(us)
    }

    #[test]
    fn an_eager_rebalance_pauses_from_the_first_revocation_to_the_last_first_fetch() {
        let (group, a, b) = (GroupId(0), InstanceId(0), InstanceId(1));
        let mut rebalances = Rebalances {
            groups: vec![GroupRebalances::new(2)],
        };
        rebalances.assigned(at(0), group, 1, a, &[PartitionId(0), PartitionId(1)]);
        rebalances.started(at(10), group, 2, RebalanceCause::Join);
        rebalances.revoked(at(12), group, a, &[PartitionId(0), PartitionId(1)]);
        rebalances.assigned(at(20), group, 2, a, &[PartitionId(0)]);
        rebalances.assigned(at(20), group, 2, b, &[PartitionId(1)]);
        rebalances.fetched(at(25), group, a);
        rebalances.fetched(at(27), group, a);
        assert_eq!(
            rebalances.of(group)[0].pause_us(),
            None,
            "b has not fetched yet"
        );
        rebalances.fetched(at(31), group, b);
        let rebalance = &rebalances.of(group)[0];
        assert_eq!(rebalance.pause_us(), Some(19));
        assert_eq!(rebalance.partitions_moved, 1);
        assert_eq!(rebalance.members[&a].first_fetch_at, Some(at(25)));
    }
}

//! `org.apache.kafka.clients.consumer.CooperativeStickyAssignor` (Kafka 3.9).
//!
//! Runs the sticky algorithm (`AbstractStickyAssignor`, generation and owned partitions taken from
//! the subscription as in `memberData` for protocol v2+), then `adjustAssignment`: every partition
//! that is transferring ownership is withheld from its new owner for this round, so that the old
//! owner can revoke it first; a follow-up rebalance hands it over. The transferring set comes from
//! the constrained builder (`partitionsTransferringOwnership`) or, after the general builder,
//! from `computePartitionsTransferringOwnership` (newly added to some member ∩ revoked from some
//! member).

use std::collections::{BTreeMap, BTreeSet};

use super::sticky::{self, StickyOutcome, remove_first};
use super::{AssignError, Prepared, Tp};

/// Adjusted per-member assignment.
pub(super) fn assign(prep: &Prepared) -> Result<Vec<Vec<Tp>>, AssignError> {
    assign_with_outcome(prep).map(|(assignment, _)| assignment)
}

/// Adjusted assignment plus the raw sticky outcome (its `transferring` is what Kafka's tests read
/// as `assignor.partitionsTransferringOwnership`).
pub(super) fn assign_with_outcome(
    prep: &Prepared,
) -> Result<(Vec<Vec<Tp>>, StickyOutcome), AssignError> {
    let outcome = sticky::assign(prep)?;
    let mut assignment = outcome.assignment.clone();
    let transferring = match &outcome.transferring {
        Some(t) => t.clone(),
        None => compute_transferring(prep, &assignment),
    };
    for (tp, member) in transferring {
        if let Some(list) = assignment.get_mut(member) {
            remove_first(list, tp);
        }
    }
    Ok((assignment, outcome))
}

/// `computePartitionsTransferringOwnership`.
fn compute_transferring(prep: &Prepared, assignment: &[Vec<Tp>]) -> BTreeMap<Tp, usize> {
    let mut added: BTreeMap<Tp, usize> = BTreeMap::new();
    let mut revoked: BTreeSet<Tp> = BTreeSet::new();
    for (m, assigned) in assignment.iter().enumerate() {
        let owned: BTreeSet<Tp> = prep.owned[m].iter().copied().collect();
        let assigned_set: BTreeSet<Tp> = assigned.iter().copied().collect();
        for &tp in assigned {
            if !owned.contains(&tp) {
                added.insert(tp, m);
            }
        }
        revoked.extend(owned.difference(&assigned_set).copied());
    }
    added.retain(|tp, _| revoked.contains(tp));
    added
}

#[cfg(test)]
mod tests {
    //! Ports of `CooperativeStickyAssignorTest` (its inherited `AbstractStickyAssignorTest` tests
    //! run in sticky.rs for both assignors).
    use super::super::sticky::harness::*;
    use super::super::test_util::*;
    use super::super::*;

    const TOPIC: &str = "topic";
    const T1: &str = "topic1";
    const C1: &str = "consumer1";
    const C2: &str = "consumer2";
    const C3: &str = "consumer3";

    // CooperativeStickyAssignorTest.testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithEqualPartitionsPerConsumer
    #[test]
    fn test_all_consumers_have_owned_partition_invalidated_when_claimed_by_multiple_consumers_in_same_generation_with_equal_partitions_per_consumer()
     {
        let p = ppt(&[(TOPIC, 3)]);
        let mut h = Harness::new(Strategy::CooperativeSticky);
        h.put(v2(
            C1,
            &[TOPIC],
            vec![tp(TOPIC, 0), tp(TOPIC, 1)],
            GENERATION_ID,
        ));
        h.put(v2(
            C2,
            &[TOPIC],
            vec![tp(TOPIC, 0), tp(TOPIC, 2)],
            GENERATION_ID,
        ));
        h.put(v2(C3, &[TOPIC], vec![], GENERATION_ID));
        let mut r = h.run(&p);
        assert_eq!(r.get(C1), vec![tp(TOPIC, 1)]);
        assert_eq!(r.get(C2), vec![tp(TOPIC, 2)]);
        // topic-0 counts as owned until both claimants revoked it.
        assert!(r.get(C3).is_empty());
        h.verify(&p, &mut r);
        assert!(is_fully_balanced(&r.a));
    }

    // CooperativeStickyAssignorTest.testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithUnequalPartitionsPerConsumer
    #[test]
    fn test_all_consumers_have_owned_partition_invalidated_when_claimed_by_multiple_consumers_in_same_generation_with_unequal_partitions_per_consumer()
     {
        let p = ppt(&[(TOPIC, 4)]);
        let mut h = Harness::new(Strategy::CooperativeSticky);
        h.put(v2(
            C1,
            &[TOPIC],
            vec![tp(TOPIC, 0), tp(TOPIC, 1)],
            GENERATION_ID,
        ));
        h.put(v2(
            C2,
            &[TOPIC],
            vec![tp(TOPIC, 0), tp(TOPIC, 2)],
            GENERATION_ID,
        ));
        h.put(v2(C3, &[TOPIC], vec![], GENERATION_ID));
        let mut r = h.run(&p);
        assert_eq!(r.get(C1), vec![tp(TOPIC, 1), tp(TOPIC, 3)]);
        assert_eq!(r.get(C2), vec![tp(TOPIC, 2)]);
        assert!(r.get(C3).is_empty());
        h.verify(&p, &mut r);
        assert!(is_fully_balanced(&r.a));
    }

    // CooperativeStickyAssignorTest.testAssignorWithOldVersionSubscriptions (V1: owned partitions
    // in the subscription, generation in user data; here both are Subscription fields)
    #[test]
    fn test_assignor_with_old_version_subscriptions() {
        let p = ppt(&[(T1, 3)]);
        let mut h = Harness::new(Strategy::CooperativeSticky);
        h.put(v2(C1, &[T1], vec![tp(T1, 0)], GENERATION_ID));
        h.put(v2(C2, &[T1], vec![tp(T1, 1)], GENERATION_ID));
        h.put(v2(C3, &[T1], vec![], GENERATION_ID));
        let mut r = h.run(&p);
        assert_eq!(r.get(C1), vec![tp(T1, 0)]);
        assert_eq!(r.get(C2), vec![tp(T1, 1)]);
        assert_eq!(r.get(C3), vec![tp(T1, 2)]);
        h.verify(&p, &mut r);
        assert!(is_fully_balanced(&r.a));
    }

    // Public-API check of the revoking list: a partition moving c1 -> c2 is withheld from c2 and
    // listed as revoking for c1; the follow-up rebalance hands it over.
    #[test]
    fn revoking_list_and_follow_up_rebalance() {
        let p = ppt(&[(TOPIC, 2)]);
        let subs = vec![
            Subscription::new(C1, &[TOPIC]).with_owned(vec![tp(TOPIC, 0), tp(TOPIC, 1)], Some(1)),
            Subscription::new(C2, &[TOPIC]),
        ];
        let r = assign(Strategy::CooperativeSticky, &p, &subs).expect("valid");
        assert_eq!(r.assignment[C1], vec![tp(TOPIC, 0)]);
        assert!(r.assignment[C2].is_empty());
        assert_eq!(r.revoking[C1], vec![tp(TOPIC, 1)]);
        assert!(!r.revoking.contains_key(C2));
        let subs = vec![
            Subscription::new(C1, &[TOPIC]).with_owned(vec![tp(TOPIC, 0)], Some(2)),
            Subscription::new(C2, &[TOPIC]).with_owned(vec![], Some(2)),
        ];
        let r = assign(Strategy::CooperativeSticky, &p, &subs).expect("valid");
        assert_eq!(r.assignment[C2], vec![tp(TOPIC, 1)]);
        assert!(r.revoking.is_empty());
    }
}

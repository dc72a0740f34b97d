//! Loss and duplicates per (group, partition), from consumed offsets.
//!
//! A group's frontier in a partition is one past the highest offset it has consumed. A record
//! below the frontier is a duplicate (consumed again, e.g. after a crash rewound to the last
//! committed offset); a record above it skips the records in between, which no member of the
//! group will ever read, because positions only move forward from a committed offset (they are
//! lost, e.g. after committing before processing). Records at or past the frontier when the run
//! ends are in flight, not lost.
//!
//! On a compacted stream the cleaner removes records, keeping their offsets, and a fetch from a
//! removed offset returns the next surviving record: a gap there is what compaction removed
//! (`compacted_away`), not a loss. The checker then judges delivery against the compacted log.

use crate::model::{MessageId, Offset, PartitionId};

use super::Consumption;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeliveryFindings {
    pub duplicated: u64,
    pub first_duplicate: Option<MessageId>,
    pub lost: u64,
    /// The first skipped record, as (partition, offset): it was never delivered, so it is named
    /// by its place in the log.
    pub first_lost: Option<(PartitionId, Offset)>,
    /// On a compacted stream: offsets skipped because the cleaner had removed them.
    pub compacted_away: u64,
}

#[derive(Clone, Debug)]
pub struct DeliveryChecker {
    frontier: Vec<Offset>,
    /// The stream is compacted: gaps are the cleaner's.
    compacted: bool,
    pub findings: DeliveryFindings,
}

impl DeliveryChecker {
    pub fn new(partition_count: u32) -> Self {
        DeliveryChecker {
            frontier: vec![Offset(0); partition_count as usize],
            compacted: false,
            findings: DeliveryFindings::default(),
        }
    }

    /// A checker for a compacted stream, whose gaps are records the cleaner removed.
    pub fn compacted(mut self) -> Self {
        self.compacted = true;
        self
    }

    pub fn frontier(&self, partition: PartitionId) -> Offset {
        self.frontier[partition.index()]
    }

    /// The group starts reading `partition` at `offset` (`auto.offset.reset`). For a group that
    /// has not read the partition yet, records before it are not the group's to read, so they are
    /// neither lost nor unconsumed. For a group that had read it (its members died before any
    /// commit and the group formed again, resetting to `latest`), the records it jumps over were
    /// the group's and no member will read them: they are lost.
    pub fn start_at(&mut self, partition: PartitionId, offset: Offset) {
        let frontier = &mut self.frontier[partition.index()];
        if frontier.0 > 0 && offset > *frontier && !self.compacted {
            self.findings.lost += offset.0 - frontier.0;
            self.findings
                .first_lost
                .get_or_insert((partition, *frontier));
        }
        *frontier = (*frontier).max(offset);
    }

    pub fn on_consumed(
        &mut self,
        partition: PartitionId,
        offset: Offset,
        msg: MessageId,
    ) -> Consumption {
        let frontier = &mut self.frontier[partition.index()];
        if offset < *frontier {
            self.findings.duplicated += 1;
            self.findings.first_duplicate.get_or_insert(msg);
            return Consumption::Again;
        }
        let skipped = offset.0 - frontier.0;
        if skipped > 0 && self.compacted {
            self.findings.compacted_away += skipped;
            *frontier = Offset(offset.0 + 1);
            return Consumption::First;
        }
        if skipped > 0 {
            self.findings.lost += skipped;
            self.findings
                .first_lost
                .get_or_insert((partition, *frontier));
        }
        *frontier = Offset(offset.0 + 1);
        if skipped == 0 {
            Consumption::First
        } else {
            Consumption::AfterGap { skipped }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::InstanceId;

    fn msg(seq: u32) -> MessageId {
        MessageId {
            producer: InstanceId(0),
            seq,
        }
    }

    #[test]
    fn a_reset_past_what_the_group_had_read_loses_the_records_between() {
        let mut checker = DeliveryChecker::new(1);
        // A late group starting at the end: the records before are not its to read.
        checker.start_at(PartitionId(0), Offset(5));
        assert_eq!(checker.findings.lost, 0);
        checker.on_consumed(PartitionId(0), Offset(5), msg(5));
        // Its members died before committing; it formed again and reset to `latest` at 9.
        checker.start_at(PartitionId(0), Offset(9));
        assert_eq!(checker.findings.lost, 3);
        assert_eq!(
            checker.findings.first_lost,
            Some((PartitionId(0), Offset(6)))
        );
    }

    #[test]
    fn rereading_below_the_frontier_counts_duplicates() {
        let mut checker = DeliveryChecker::new(1);
        for offset in 0..5 {
            assert_eq!(
                checker.on_consumed(PartitionId(0), Offset(offset), msg(offset as u32)),
                Consumption::First
            );
        }
        assert_eq!(
            checker.on_consumed(PartitionId(0), Offset(3), msg(3)),
            Consumption::Again
        );
        assert_eq!(checker.findings.duplicated, 1);
        assert_eq!(checker.findings.first_duplicate, Some(msg(3)));
        assert_eq!(checker.findings.lost, 0);
    }

    #[test]
    fn on_a_compacted_stream_gaps_are_what_the_cleaner_removed() {
        let mut checker = DeliveryChecker::new(1).compacted();
        checker.on_consumed(PartitionId(0), Offset(0), msg(0));
        assert_eq!(
            checker.on_consumed(PartitionId(0), Offset(4), msg(4)),
            Consumption::First
        );
        assert_eq!(checker.findings.lost, 0);
        assert_eq!(checker.findings.compacted_away, 3);
    }

    #[test]
    fn skipping_ahead_counts_the_skipped_records_as_lost() {
        let mut checker = DeliveryChecker::new(2);
        checker.on_consumed(PartitionId(1), Offset(0), msg(0));
        assert_eq!(
            checker.on_consumed(PartitionId(1), Offset(4), msg(4)),
            Consumption::AfterGap { skipped: 3 }
        );
        assert_eq!(checker.findings.lost, 3);
        assert_eq!(
            checker.findings.first_lost,
            Some((PartitionId(1), Offset(1)))
        );
        assert_eq!(checker.frontier(PartitionId(1)), Offset(5));
    }
}

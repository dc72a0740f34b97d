//! Checkers, fed by `collect::checks`, that find what went wrong in the *modelled* system
//! (records lost, delivered twice, out of order) and report it as data, with the first
//! offending record so a learner can find it in the trace. Their state is bounded by the
//! number of partitions and keys, never by the length of the run.

pub mod delivery;
pub mod key_order;
pub mod publish_order;
pub mod seen;

pub use delivery::{DeliveryChecker, DeliveryFindings};
pub use key_order::{KeyOrderChecker, KeyOrderFindings};
pub use publish_order::{PublishOrderChecker, PublishOrderFindings};
pub use seen::SeenSet;

/// How a consumed record relates to what its group had consumed before.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Consumption {
    /// The next record of the partition, seen for the first time.
    First,
    /// Seen for the first time, but records before it were skipped (lost).
    AfterGap { skipped: u64 },
    /// Consumed before by this group: a duplicate.
    Again,
}

//! String choices of a scenario file (`"carrier": "queue"`, `"action": "crash"`): one table of
//! `(name, value)` pairs per setting, from which the lookup, the did-you-mean and the list of
//! valid names all come, so they cannot disagree.
//!
//! It is not validation: it reports nothing by itself. `Choices::unknown` words the problem and
//! the caller decides where it goes.

use super::error::hint_or_list;
use crate::model::Strategy;
use crate::model::{CleanupPolicy, Partitioner};

/// The valid names of one setting, in the order messages list them, and the value each means.
pub struct Choices<'t, T> {
    /// What the setting is called in messages: `unknown <noun> "x"`.
    pub noun: &'static str,
    pub table: &'t [(&'static str, T)],
}

impl<T: Copy> Choices<'_, T> {
    /// The value `name` means, if it is one of the table's names.
    pub fn find(&self, name: &str) -> Option<T> {
        self.table
            .iter()
            .find(|(known, _)| *known == name)
            .map(|&(_, value)| value)
    }

    /// The value of a name the program itself wrote (a default); a missing one is a bug.
    pub fn known(&self, name: &str) -> T {
        self.find(name)
            .expect("a default is one of its setting's choices")
    }

    /// Every valid name, in table order.
    pub fn names(&self) -> Vec<&'static str> {
        self.table.iter().map(|&(name, _)| name).collect()
    }

    /// The problem for an unknown name: `unknown <noun> "x" (did you mean "y"?)`, or the list of
    /// valid names when none is near.
    pub fn unknown(&self, name: &str) -> String {
        format!(
            "unknown {} \"{name}\"{}",
            self.noun,
            hint_or_list(name, &self.names())
        )
    }
}

/// Kafka's assignors by their `partition.assignment.strategy` names, in `Strategy::ALL` order.
/// (`Strategy::from_config_name` also takes Kafka's class names.)
pub fn strategies() -> Vec<(&'static str, Strategy)> {
    Strategy::ALL.iter().map(|&s| (s.name(), s)).collect()
}

/// The partitioners by their scenario names, in `Partitioner::ALL` order.
pub fn partitioners() -> Vec<(&'static str, Partitioner)> {
    Partitioner::ALL.iter().map(|&p| (p.name(), p)).collect()
}

/// Kafka's `cleanup.policy` values, as a topic config takes them (a comma-separated list).
pub const CLEANUP_POLICIES: Choices<'static, CleanupPolicy> = Choices {
    noun: "cleanup.policy",
    table: &[
        ("delete", CleanupPolicy::DELETE),
        ("compact", CleanupPolicy::COMPACT),
        ("compact,delete", CleanupPolicy::COMPACT_DELETE),
        ("delete,compact", CleanupPolicy::COMPACT_DELETE),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    const FRUITS: Choices<'static, u8> = Choices {
        noun: "fruit",
        table: &[("apple", 1), ("pear", 2), ("plum", 3)],
    };

    #[test]
    fn a_listed_name_means_its_value() {
        assert_eq!(FRUITS.find("pear"), Some(2));
        assert_eq!(FRUITS.find("Pear"), None);
        assert_eq!(FRUITS.known("plum"), 3);
    }

    #[test]
    fn an_unknown_name_gets_the_nearest_or_the_list() {
        assert_eq!(
            FRUITS.unknown("appel"),
            "unknown fruit \"appel\" (did you mean \"apple\"?)"
        );
        assert_eq!(
            FRUITS.unknown("banana"),
            "unknown fruit \"banana\" (expected \"apple\", \"pear\" or \"plum\")"
        );
    }
}

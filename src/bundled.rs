//! Scenarios bundled into the binary, so `eventlab run hello-log` works after `cargo install`.

macro_rules! bundled {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../scenarios/", $name, ".json")))),*]
    };
}

/// (name, JSON text) of every bundled scenario, in lesson order.
pub const SCENARIOS: &[(&str, &str)] = bundled![
    "hello-log",
    "groups-fan-out",
    "crash-duplicates",
    "commit-before-processing",
    "auto-commit-crash",
    "slow-consumer-lag",
    "more-consumers-than-partitions",
    "rebalance-eager-vs-cooperative",
    "static-membership-restart",
    "slow-consumer-evicted",
    "reset-ignored-once-committed",
    "replay-by-resetting-offsets",
    "retention-deletes-unread",
    "cross-partition-order",
    "unkeyed-sticky",
    "mixed-clients-split-keys",
    "adding-partitions-moves-keys",
    "notes-microservice-topology",
    "notes-business-topology",
    "entity-events-and-tables",
    "entity-key-changes",
    "compaction-keeps-latest",
    "lazy-compaction",
    "tombstones-and-delete-retention",
    "table-restored-from-changelog",
    "rekey-for-join",
    "single-writer-violation",
    "ecommerce",
    "queue-vs-log-orders",
    "requeue-reorders",
    "replay-needs-a-log",
    "unroutable-before-bind",
    "dead-letters",
    "prefetch-and-slow-consumers",
    "auto-ack-loses-on-crash",
    "consumer-crash-at-least-once",
    "slow-consumer-backpressure",
    "network-partition-queue-vs-log",
    "schema-rolling-upgrade",
    "schema-breaking-change",
    "schema-registry-refuses",
    "containers-vs-vms",
];

pub fn find(name: &str) -> Option<&'static str> {
    SCENARIOS
        .iter()
        .find(|(bundled, _)| *bundled == name)
        .map(|(_, text)| *text)
}

pub fn names() -> impl Iterator<Item = &'static str> {
    SCENARIOS.iter().map(|(name, _)| *name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_file_in_scenarios_is_bundled() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .expect("scenarios/ exists")
            .map(|entry| {
                entry
                    .expect("readable")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|name| name.ends_with(".json"))
            .map(|name| name.trim_end_matches(".json").to_string())
            .collect();
        files.sort();
        let mut bundled: Vec<String> = super::names().map(str::to_string).collect();
        bundled.sort();
        assert_eq!(files, bundled);
    }
}

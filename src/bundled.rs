//! Scenarios bundled into the binary, so `eventlab run hello-log` works after `cargo install`.

/// (name, JSON text) of every bundled scenario, in lesson order.
pub const SCENARIOS: &[(&str, &str)] = &[
    ("hello-log", include_str!("../scenarios/hello-log.json")),
    (
        "crash-duplicates",
        include_str!("../scenarios/crash-duplicates.json"),
    ),
    (
        "commit-before-processing",
        include_str!("../scenarios/commit-before-processing.json"),
    ),
    (
        "slow-consumer-lag",
        include_str!("../scenarios/slow-consumer-lag.json"),
    ),
    (
        "unkeyed-sticky",
        include_str!("../scenarios/unkeyed-sticky.json"),
    ),
    (
        "mixed-clients-split-keys",
        include_str!("../scenarios/mixed-clients-split-keys.json"),
    ),
    (
        "adding-partitions-moves-keys",
        include_str!("../scenarios/adding-partitions-moves-keys.json"),
    ),
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

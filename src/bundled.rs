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
        "queue-vs-log-orders",
        include_str!("../scenarios/queue-vs-log-orders.json"),
    ),
    (
        "requeue-reorders",
        include_str!("../scenarios/requeue-reorders.json"),
    ),
    (
        "replay-needs-a-log",
        include_str!("../scenarios/replay-needs-a-log.json"),
    ),
    (
        "dead-letters",
        include_str!("../scenarios/dead-letters.json"),
    ),
    (
        "prefetch-and-slow-consumers",
        include_str!("../scenarios/prefetch-and-slow-consumers.json"),
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

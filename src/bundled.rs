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
        "notes-microservice-topology",
        include_str!("../scenarios/notes-microservice-topology.json"),
    ),
    (
        "notes-business-topology",
        include_str!("../scenarios/notes-business-topology.json"),
    ),
    (
        "entity-events-and-tables",
        include_str!("../scenarios/entity-events-and-tables.json"),
    ),
    (
        "rekey-for-join",
        include_str!("../scenarios/rekey-for-join.json"),
    ),
    (
        "single-writer-violation",
        include_str!("../scenarios/single-writer-violation.json"),
    ),
    ("ecommerce", include_str!("../scenarios/ecommerce.json")),
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

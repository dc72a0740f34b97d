//! Generated topologies of any size, for the diagram bench and the Mermaid-limit tests.

use std::collections::BTreeSet;

/// A generated topology for benches and tests: `services` services in `domains` domains, `streams` streams, each
/// service writing some streams and reading others.
pub fn generated_scenario(services: usize, streams: usize, domains: usize) -> String {
    let stream_list: Vec<String> = (0..streams)
        .map(|i| format!("{{ \"name\": \"stream-{i}\" }}"))
        .collect();
    let per_service = streams / services;
    let service_list: Vec<String> = (0..services)
        .map(|s| {
            let produces: Vec<String> = (0..per_service)
                .map(|k| {
                    format!(
                        "{{ \"stream\": \"stream-{}\", \"interval_us\": 1000, \"count\": 1 }}",
                        s * per_service + k
                    )
                })
                .collect();
            let reads = [(s * per_service + streams / 2) % streams, (s * 7 + 3) % streams];
            let consumes: Vec<String> = reads
                .iter()
                .collect::<BTreeSet<_>>()
                .iter()
                .map(|r| format!("{{ \"stream\": \"stream-{r}\" }}"))
                .collect();
            format!(
                "{{ \"name\": \"service-{s}\", \"domain\": \"domain-{}\", \"produces\": [{}], \"consumes\": [{}] }}",
                s % domains,
                produces.join(","),
                consumes.join(",")
            )
        })
        .collect();
    format!(
        "{{ \"name\": \"generated\", \"streams\": [{}], \"services\": [{}] }}",
        stream_list.join(","),
        service_list.join(",")
    )
}

//! `eventlab diagram` on a generated 500-service, 2,000-stream topology (issue 6: under 1 s):
//! parse and validate the scenario, build the petgraph graph, run the analyses and render
//! Mermaid (collapsed into domains, as it is over Mermaid's limits), DOT and JSON.
//! Under `cargo test --benches` the topology is cut to 50 services and 200 streams.

use criterion::{Criterion, criterion_group, criterion_main};
use eventlab::cli::topology::{DiagramFormat, diagram_text};

fn bench(c: &mut Criterion) {
    let full = std::env::args().any(|arg| arg == "--bench");
    let (services, streams) = if full { (500, 2_000) } else { (50, 200) };
    let text = eventlab::topology::generated::generated_scenario(services, streams, 12);
    let mut group = c.benchmark_group("diagram");
    group.sample_size(10);
    for (format, name) in [
        (DiagramFormat::Mermaid, "mermaid"),
        (DiagramFormat::Dot, "dot"),
        (DiagramFormat::Json, "json"),
    ] {
        group.bench_function(
            format!("{services} services, {streams} streams, {name}"),
            |b| {
                b.iter(|| {
                    let model = eventlab::scenario::parse_and_validate(&text, "generated.json")
                        .expect("the generated scenario is valid");
                    diagram_text(&model, None, format).expect("business view")
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

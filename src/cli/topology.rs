//! `eventlab diagram` and `eventlab impact`: the topology commands.

use clap::ValueEnum;

use super::{Failure, print};
use crate::model::Scenario;
use crate::scenario::did_you_mean;
use crate::topology::{self, TopologyGraph};

#[derive(Debug, clap::Args)]
pub struct DiagramArgs {
    /// A scenario file, or the name of a bundled scenario (see `eventlab scenarios`).
    pub scenario: String,
    /// Draw this service's internal pipeline (the streams it reads → its operators → the
    /// streams it writes, its tables and APIs) instead of the business topology.
    #[arg(long, value_name = "NAME")]
    pub service: Option<String>,
    /// `mermaid` (a `graph TB` flowchart; over Mermaid's default limits of 50,000 characters or
    /// 500 edges, services are collapsed into their domains), `dot` (Graphviz, always the full
    /// graph), `json` (the full graph for tools) or `markdown` (Mermaid in a fenced block, with
    /// the findings).
    #[arg(long, value_enum, default_value_t = DiagramFormat::Mermaid)]
    pub format: DiagramFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiagramFormat {
    Mermaid,
    Dot,
    Json,
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct ImpactArgs {
    /// A scenario file, or the name of a bundled scenario.
    pub scenario: String,
    /// The stream whose downstream dependents to list.
    pub stream: String,
    /// `text` for people, `json` for tools.
    #[arg(long, value_enum, default_value_t = super::Format::Text)]
    pub format: super::Format,
}

/// The diagram text for a model, as `eventlab diagram` prints it.
pub fn diagram_text(
    model: &Scenario,
    service: Option<&str>,
    format: DiagramFormat,
) -> Result<String, String> {
    let graph = TopologyGraph::build(model);
    let diagram = match service {
        None => topology::business_diagram(model, &graph),
        Some(name) => {
            let Some(found) = model.services.iter().find(|s| s.name == name) else {
                return Err(format!(
                    "--service: scenario \"{}\" has no service \"{name}\"{}",
                    model.name,
                    did_you_mean(name, model.services.iter().map(|s| s.name.as_str()))
                ));
            };
            topology::service_diagram(model, found.id)
        }
    };
    let mermaid = || {
        topology::mermaid::render_within_limits(&diagram, || {
            topology::diagram::collapsed_business_diagram(model, &graph)
        })
    };
    Ok(match format {
        DiagramFormat::Mermaid => mermaid(),
        DiagramFormat::Dot => topology::dot::render(&diagram),
        DiagramFormat::Json => topology::json::render(&diagram),
        DiagramFormat::Markdown => topology::markdown::render(&diagram, &mermaid()),
    })
}

pub(super) fn diagram(args: &DiagramArgs) -> Result<u8, Failure> {
    let model = super::load_model(&args.scenario, None)?;
    let text =
        diagram_text(&model, args.service.as_deref(), args.format).map_err(Failure::usage)?;
    print(&text)?;
    Ok(0)
}

pub(super) fn impact(args: &ImpactArgs) -> Result<u8, Failure> {
    let model = super::load_model(&args.scenario, None)?;
    let Some(stream) = model.streams.iter().find(|s| s.name == args.stream) else {
        return Err(Failure::usage(format!(
            "{}: no stream \"{}\" in scenario \"{}\"{}",
            args.scenario,
            args.stream,
            model.name,
            did_you_mean(&args.stream, model.streams.iter().map(|s| s.name.as_str()))
        )));
    };
    let graph = TopologyGraph::build(&model);
    let impact = topology::impact(&model, &graph, stream.id);
    let text = match args.format {
        super::Format::Text => impact.to_text(),
        super::Format::Json => crate::report::json::pretty(&impact),
    };
    print(&text)?;
    Ok(0)
}

/// Warnings `validate` prints for a valid scenario: broken single-writer principle (allowed by
/// `single_writer: "warn"`).
pub(super) fn validation_warnings(model: &Scenario, origin: &str) -> String {
    let mut out = String::new();
    for conflict in &model.topology.writer_conflicts {
        let writers: Vec<String> = conflict
            .writers
            .iter()
            .map(|&writer| topology::checks::writer_name(model, writer))
            .collect();
        out.push_str(&format!(
            "{origin}: warning: stream \"{}\" has {} writers: {} (single_writer is \"warn\": the run goes ahead and their updates race)\n",
            model.stream(conflict.stream).name,
            writers.len(),
            writers.join(" and ")
        ));
    }
    out
}

//! A diagram as data, before any syntax: nodes with eventlab's own stable ids, labels and
//! shapes, edges with their relation, and subgraphs. Two views: the business topology (every
//! service, stream, table, API and external system; one subgraph per domain) and one service's
//! pipeline (sources → operators → sinks and stores). Renderers (`mermaid`, `dot`, `json`,
//! `markdown`) only turn this into text.
//!
//! Ids are ASCII, made from the node kind and declaration indices (`st3`, `sv0`, `tb2_0`), so
//! they are stable when names change and safe in every syntax; labels carry the names.

use std::collections::BTreeMap;

use serde::Serialize;

use super::checks::{Findings, findings};
use super::graph::{Edge, Node, TopologyGraph};
use crate::model::topology::{Flow, ServiceTopology};
use crate::model::{Scenario, Schedule, ServiceId, StreamId};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    Service,
    Stream,
    Table,
    Api,
    External,
    /// A pipeline operator.
    Step,
    /// A service's record generator (its `produces` entry).
    Producer,
    /// A domain collapsed into one node.
    Domain,
    /// A stream carried by the queue: its exchange and the queues bound to it.
    Queue,
}

impl Shape {
    pub const ALL: [Shape; 9] = [
        Shape::Service,
        Shape::Stream,
        Shape::Table,
        Shape::Api,
        Shape::External,
        Shape::Step,
        Shape::Producer,
        Shape::Domain,
        Shape::Queue,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Shape::Service => "service",
            Shape::Stream => "stream",
            Shape::Table => "table",
            Shape::Api => "api",
            Shape::External => "external",
            Shape::Step => "step",
            Shape::Producer => "producer",
            Shape::Domain => "domain",
            Shape::Queue => "queue",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct DiagramNode {
    pub id: String,
    pub kind: Shape,
    pub label: String,
    /// Index into `subgraphs`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subgraph: Option<usize>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DiagramEdge {
    /// Indices into `nodes`.
    pub from: usize,
    pub to: usize,
    /// `produces`, `consumes`, `materializes`, `serves`, `publishes`, `join`, `flows`, ...
    pub relation: String,
    /// Whether renderers print the relation on the edge.
    #[serde(skip)]
    pub labelled: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Subgraph {
    pub id: String,
    pub label: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Diagram {
    /// `business` or `service`.
    pub view: &'static str,
    pub scenario: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    pub nodes: Vec<DiagramNode>,
    pub edges: Vec<DiagramEdge>,
    pub subgraphs: Vec<Subgraph>,
    /// For the business view: every stream with its event kind, writers and readers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub streams: Vec<StreamSummary>,
    /// For the business view: what the analyses found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub findings: Option<Findings>,
}

#[derive(Clone, Debug, Serialize)]
pub struct StreamSummary {
    pub name: String,
    /// `entity`, `keyed`, `unkeyed`, or `null` when not declared.
    pub kind: Option<&'static str>,
    /// For entity streams, the entity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    pub partitions: u32,
    /// `service "x"` / `external system "y"` / `table "t" of service "x"`.
    pub writers: Vec<String>,
    pub readers: Vec<String>,
}

impl Diagram {
    fn new(view: &'static str, model: &Scenario) -> Diagram {
        Diagram {
            view,
            scenario: model.name.clone(),
            service: None,
            nodes: Vec::new(),
            edges: Vec::new(),
            subgraphs: Vec::new(),
            streams: Vec::new(),
            findings: None,
        }
    }

    fn node(&mut self, id: String, kind: Shape, label: &str, subgraph: Option<usize>) -> usize {
        self.nodes.push(DiagramNode {
            id,
            kind,
            label: label.to_string(),
            subgraph,
        });
        self.nodes.len() - 1
    }

    fn edge(&mut self, from: usize, to: usize, relation: &str, labelled: bool) {
        if self
            .edges
            .iter()
            .any(|e| e.from == from && e.to == to && e.relation == relation)
        {
            return;
        }
        self.edges.push(DiagramEdge {
            from,
            to,
            relation: relation.to_string(),
            labelled,
        });
    }
}

/// The business topology: every node of the graph, one subgraph per domain, edges labelled
/// with their relation.
pub fn business_diagram(model: &Scenario, graph: &TopologyGraph) -> Diagram {
    let mut diagram = Diagram::new("business", model);
    let mut domains: BTreeMap<&str, usize> = BTreeMap::new();
    let mut domain_of_service: Vec<Option<usize>> = Vec::new();
    for service in &model.services {
        let domain = model.topology.services[service.id.index()]
            .domain
            .as_deref();
        domain_of_service.push(domain.map(|name| {
            let next = diagram.subgraphs.len();
            *domains.entry(name).or_insert_with(|| {
                diagram.subgraphs.push(Subgraph {
                    id: format!("dom{next}"),
                    label: name.to_string(),
                });
                next
            })
        }));
    }
    let mut index_of = vec![0usize; graph.graph.node_count()];
    for node in graph.graph.node_indices() {
        let (id, shape, subgraph) = match graph.graph[node] {
            Node::Stream(id) if model.stream(id).carrier == crate::model::Carrier::Queue => {
                (format!("st{}", id.0), Shape::Queue, None)
            }
            Node::Stream(id) => (format!("st{}", id.0), Shape::Stream, None),
            Node::Service(id) => (
                format!("sv{}", id.0),
                Shape::Service,
                domain_of_service[id.index()],
            ),
            Node::Table(service, index) => (
                format!("tb{}_{index}", service.0),
                Shape::Table,
                domain_of_service[service.index()],
            ),
            Node::Api(service, index) => (
                format!("api{}_{index}", service.0),
                Shape::Api,
                domain_of_service[service.index()],
            ),
            Node::External(index) => (format!("ex{index}"), Shape::External, None),
        };
        let label = match (shape, graph.graph[node]) {
            (Shape::Queue, Node::Stream(stream)) => queue_label(model, stream),
            _ => graph.name(model, node).to_string(),
        };
        index_of[node.index()] = diagram.node(id, shape, &label, subgraph);
    }
    // Edges in insertion (declaration) order.
    let edges: Vec<(usize, usize, Edge)> = graph
        .graph
        .edge_indices()
        .filter_map(|edge| {
            let (from, to) = graph.graph.edge_endpoints(edge)?;
            Some((from.index(), to.index(), graph.graph[edge]))
        })
        .collect();
    for (from, to, edge) in edges {
        diagram.edge(index_of[from], index_of[to], edge.name(), true);
    }
    diagram.streams = stream_summaries(model, graph);
    diagram.findings = Some(findings(model, graph));
    diagram
}

/// A queue-carried stream as the queue broker has it: `orders: exchange → queue orders.billing`.
fn queue_label(model: &Scenario, stream: crate::model::StreamId) -> String {
    let queues: Vec<&str> = model.queue_layout.bound[stream.index()]
        .iter()
        .map(|queue| model.queue_layout.queues[queue.index()].name.as_str())
        .collect();
    let name = &model.stream(stream).name;
    match queues.as_slice() {
        [] => format!("{name}: exchange, no queue bound"),
        [one] => format!("{name}: exchange → queue {one}"),
        _ => format!("{name}: exchange → queues {}", queues.join(", ")),
    }
}

fn stream_summaries(model: &Scenario, graph: &TopologyGraph) -> Vec<StreamSummary> {
    use crate::model::topology::EventKind;
    let describe = |node| match graph.graph[node] {
        Node::Table(service, _) => format!(
            "table \"{}\" of service \"{}\"",
            graph.name(model, node),
            model.service(service).name
        ),
        _ => super::checks::describe(model, graph, node),
    };
    model
        .streams
        .iter()
        .map(|stream| {
            let node = graph.streams[stream.id.index()];
            let kind = model.topology.streams[stream.id.index()].kind.as_ref();
            StreamSummary {
                name: stream.name.clone(),
                kind: kind.map(EventKind::name),
                entity: match kind {
                    Some(EventKind::Entity { entity }) => Some(entity.clone()),
                    _ => None,
                },
                partitions: stream.partition_count,
                writers: graph.predecessors(node).into_iter().map(describe).collect(),
                readers: graph.successors(node).into_iter().map(describe).collect(),
            }
        })
        .collect()
}

/// The business topology with each domain's services, tables and APIs collapsed into one node
/// and streams folded into domain-to-domain edges (labelled with how many streams they carry).
/// For diagrams too big for Mermaid's default limits.
pub fn collapsed_business_diagram(model: &Scenario, graph: &TopologyGraph) -> Diagram {
    let mut diagram = Diagram::new("business", model);
    let mut group_of: BTreeMap<ServiceId, usize> = BTreeMap::new();
    let mut groups: BTreeMap<String, usize> = BTreeMap::new();
    for service in &model.services {
        let label = match &model.topology.services[service.id.index()].domain {
            Some(domain) => domain.clone(),
            None => "(services without a domain)".to_string(),
        };
        let next = diagram.nodes.len();
        let index = *groups.entry(label.clone()).or_insert_with(|| {
            diagram.nodes.push(DiagramNode {
                id: format!("dom{next}"),
                kind: Shape::Domain,
                label,
                subgraph: None,
            });
            next
        });
        group_of.insert(service.id, index);
    }
    let mut external_node = BTreeMap::new();
    for (index, external) in model.topology.externals.iter().enumerate() {
        external_node.insert(
            index,
            diagram.node(format!("ex{index}"), Shape::External, &external.name, None),
        );
    }
    let owner = |node: Node| -> Option<usize> {
        match node {
            Node::Service(id) | Node::Table(id, _) | Node::Api(id, _) => group_of.get(&id).copied(),
            Node::External(index) => external_node.get(&index).copied(),
            Node::Stream(_) => None,
        }
    };
    // For each stream: its writers' groups → its readers' groups.
    let mut counts: BTreeMap<(usize, usize), u32> = BTreeMap::new();
    for &stream in &graph.streams {
        let writers: Vec<usize> = graph
            .predecessors(stream)
            .into_iter()
            .filter_map(|n| owner(graph.graph[n]))
            .collect();
        let readers: Vec<usize> = graph
            .successors(stream)
            .into_iter()
            .filter_map(|n| owner(graph.graph[n]))
            .collect();
        let mut pairs: Vec<(usize, usize)> = writers
            .iter()
            .flat_map(|&w| readers.iter().map(move |&r| (w, r)))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        for pair in pairs {
            *counts.entry(pair).or_insert(0) += 1;
        }
    }
    for ((from, to), count) in counts {
        let relation = if count == 1 {
            "1 stream".to_string()
        } else {
            format!("{count} streams")
        };
        diagram.edge(from, to, &relation, true);
    }
    // No findings: only Mermaid draws this view, and Markdown lists the full view's.
    diagram
}

/// One service's internals: the streams it reads (outside), its operators, the streams it
/// writes, its tables and APIs (inside a subgraph named after the service).
pub fn service_diagram(model: &Scenario, service: ServiceId) -> Diagram {
    let mut diagram = Diagram::new("service", model);
    let svc = model.service(service);
    let extra = &model.topology.services[service.index()];
    diagram.service = Some(svc.name.clone());
    diagram.subgraphs.push(Subgraph {
        id: "svc".to_string(),
        label: svc.name.clone(),
    });
    let mut nodes = ServiceNodes {
        model,
        extra,
        streams: BTreeMap::new(),
        tables: BTreeMap::new(),
    };

    // Sources first (outside), in consumes order.
    for (index, flow) in extra.flows.iter().enumerate() {
        nodes.streams.entry(flow.stream).or_insert_with(|| {
            diagram.node(
                format!("in{index}"),
                Shape::Stream,
                &model.stream(flow.stream).name,
                None,
            )
        });
    }
    let sources: Vec<usize> = extra
        .flows
        .iter()
        .map(|f| nodes.streams[&f.stream])
        .collect();
    for (flow_index, flow) in extra.flows.iter().enumerate() {
        flow_nodes(
            &mut diagram,
            &mut nodes,
            flow_index,
            flow,
            sources[flow_index],
        );
    }
    for (index, production) in svc.produces.iter().enumerate() {
        let node = diagram.node(
            format!("prod{index}"),
            Shape::Producer,
            &producer_label(&production.schedule),
            INSIDE,
        );
        let stream = nodes.sink(&mut diagram, production.stream);
        diagram.edge(node, stream, "produces", false);
    }
    for (index, stored) in extra.tables.iter().enumerate() {
        if let Some(stream) = stored.changelog {
            let store = nodes.table(&mut diagram, index);
            let node = nodes.sink(&mut diagram, stream);
            diagram.edge(store, node, "changelog", true);
        }
    }
    for (index, api) in extra.apis.iter().enumerate() {
        let store = nodes.table(&mut diagram, api.table);
        let node = diagram.node(format!("api{index}"), Shape::Api, &api.name, INSIDE);
        diagram.edge(store, node, "serves", true);
    }
    diagram
}

/// The service's own subgraph in a service view.
const INSIDE: Option<usize> = Some(0);

/// The stream and table nodes of a service view, each made the first time it is needed.
struct ServiceNodes<'m> {
    model: &'m Scenario,
    extra: &'m ServiceTopology,
    streams: BTreeMap<StreamId, usize>,
    tables: BTreeMap<usize, usize>,
}

impl ServiceNodes<'_> {
    /// A stream the service writes (inside its subgraph, unless it also reads it).
    fn sink(&mut self, diagram: &mut Diagram, stream: StreamId) -> usize {
        *self.streams.entry(stream).or_insert_with(|| {
            diagram.node(
                format!("out{}", stream.0),
                Shape::Stream,
                &self.model.stream(stream).name,
                INSIDE,
            )
        })
    }

    fn table(&mut self, diagram: &mut Diagram, index: usize) -> usize {
        *self.tables.entry(index).or_insert_with(|| {
            diagram.node(
                format!("tb{index}"),
                Shape::Table,
                &self.extra.tables[index].name,
                INSIDE,
            )
        })
    }
}

/// One flow of a service view: its operator steps from the source, then what it emits and
/// the table it materializes.
fn flow_nodes(
    diagram: &mut Diagram,
    nodes: &mut ServiceNodes,
    flow_index: usize,
    flow: &Flow,
    source: usize,
) {
    let mut last = source;
    for (step_index, step) in flow.steps.iter().enumerate() {
        let node = diagram.node(
            format!("step{flow_index}_{step_index}"),
            Shape::Step,
            &step.display(&nodes.extra.tables),
            INSIDE,
        );
        let relation = if last == source { "consumes" } else { "then" };
        diagram.edge(last, node, relation, false);
        if let crate::model::topology::Operator::Join { table: joined, .. } = step.operator {
            let store = nodes.table(diagram, joined);
            diagram.edge(store, node, "join", true);
        }
        last = node;
    }
    if flow.steps.is_empty() && flow.emit.is_empty() && flow.materialize.is_none() {
        // Nothing declarative: the service just processes each record.
        let node = diagram.node(
            format!("step{flow_index}_0"),
            Shape::Step,
            "process each record",
            INSIDE,
        );
        diagram.edge(last, node, "consumes", false);
    }
    for &stream in &flow.emit {
        let node = nodes.sink(diagram, stream);
        diagram.edge(last, node, "emits", false);
    }
    if let Some(index) = flow.materialize {
        let node = nodes.table(diagram, index);
        diagram.edge(last, node, "materializes", false);
    }
}

fn producer_label(schedule: &Schedule) -> String {
    match schedule {
        Schedule::Periodic {
            interval_us,
            poisson,
            ..
        } => {
            let every = human_us(*interval_us);
            if *poisson {
                format!("produce: every {every} on average")
            } else {
                format!("produce: every {every}")
            }
        }
        Schedule::Explicit(records) => format!(
            "produce: {} scripted record{}",
            records.len(),
            if records.len() == 1 { "" } else { "s" }
        ),
    }
}

fn human_us(us: u64) -> String {
    if us >= 1_000_000 && us.is_multiple_of(1_000_000) {
        format!("{} s", us / 1_000_000)
    } else if us >= 1_000 && us.is_multiple_of(1_000) {
        format!("{} ms", us / 1_000)
    } else {
        format!("{us} µs")
    }
}

//! Analyses of the topology graph: streams with no producer or no consumer, cycles, writer
//! conflicts, and the downstream impact of a stream.
//!
//! Cycles come from petgraph's `kosaraju_scc` (iterative depth-first searches, no recursion),
//! then a breadth-first search inside each component finds one concrete cycle to show. Every
//! list is in declaration order.

use std::collections::{BTreeMap, VecDeque};

use petgraph::graph::NodeIndex;
use serde::Serialize;

use super::graph::{Edge, Node, TopologyGraph};
use crate::model::Scenario;
use crate::model::topology::Writer;

#[derive(Clone, Debug, Default, Serialize)]
pub struct Findings {
    /// Streams nothing writes.
    pub no_producer: Vec<String>,
    /// Streams nothing reads.
    pub no_consumer: Vec<String>,
    /// Each cycle as the node names along it, first node repeated at the end.
    pub cycles: Vec<Vec<String>>,
    /// Streams with more than one writer (only with `single_writer: "warn"`).
    pub writer_conflicts: Vec<WriterConflictFinding>,
}

#[derive(Clone, Debug, Serialize)]
pub struct WriterConflictFinding {
    pub stream: String,
    /// `service "x"` / `external system "y"`, in document order.
    pub writers: Vec<String>,
}

impl Findings {
    pub fn is_empty(&self) -> bool {
        self.no_producer.is_empty()
            && self.no_consumer.is_empty()
            && self.cycles.is_empty()
            && self.writer_conflicts.is_empty()
    }

    /// One sentence per finding.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for conflict in &self.writer_conflicts {
            lines.push(format!(
                "stream \"{}\" has {} writers: {} (the single-writer principle is broken; their updates to one key race)",
                conflict.stream,
                conflict.writers.len(),
                conflict.writers.join(", ")
            ));
        }
        for stream in &self.no_producer {
            lines.push(format!("stream \"{stream}\" has no producer"));
        }
        for stream in &self.no_consumer {
            lines.push(format!("stream \"{stream}\" has no consumer"));
        }
        for cycle in &self.cycles {
            lines.push(format!("cycle: {}", cycle.join(" → ")));
        }
        lines
    }
}

pub fn writer_name(model: &Scenario, writer: Writer) -> String {
    match writer {
        Writer::Service(id) => format!("service \"{}\"", model.service(id).name),
        Writer::External(index) => {
            format!(
                "external system \"{}\"",
                model.topology.externals[index].name
            )
        }
    }
}

pub fn findings(model: &Scenario, graph: &TopologyGraph) -> Findings {
    let mut found = Findings::default();
    for &node in &graph.streams {
        let name = graph.name(model, node).to_string();
        if graph.predecessors(node).is_empty() {
            found.no_producer.push(name.clone());
        }
        // A dead-letter stream nobody consumes keeps its letters in a holding queue: that is
        // its purpose, not a missing consumer.
        let receives_dead_letters = graph
            .graph
            .edges_directed(node, petgraph::Direction::Incoming)
            .any(|edge| *edge.weight() == Edge::DeadLetters);
        if graph.successors(node).is_empty() && !receives_dead_letters {
            found.no_consumer.push(name);
        }
    }
    let mut components = petgraph::algo::kosaraju_scc(&graph.graph);
    for component in &mut components {
        component.sort_unstable();
    }
    components.sort_unstable();
    for component in components {
        let start = component[0];
        let cyclic = component.len() > 1 || graph.graph.find_edge(start, start).is_some();
        if !cyclic {
            continue;
        }
        let path = shortest_cycle(graph, start, &component);
        found.cycles.push(
            path.iter()
                .map(|&node| describe(model, graph, node))
                .collect(),
        );
    }
    for conflict in &model.topology.writer_conflicts {
        found.writer_conflicts.push(WriterConflictFinding {
            stream: model.stream(conflict.stream).name.clone(),
            writers: conflict
                .writers
                .iter()
                .map(|&writer| writer_name(model, writer))
                .collect(),
        });
    }
    found
}

/// `service "x"`, `stream "y"`...
pub fn describe(model: &Scenario, graph: &TopologyGraph, node: NodeIndex) -> String {
    let kind = match graph.graph[node] {
        Node::External(_) => "external system",
        other => other.kind(),
    };
    format!("{kind} \"{}\"", graph.name(model, node))
}

/// The shortest cycle through `start` within its strongly connected `component` (BFS, so no
/// recursion), as nodes with `start` at both ends.
fn shortest_cycle(
    graph: &TopologyGraph,
    start: NodeIndex,
    component: &[NodeIndex],
) -> Vec<NodeIndex> {
    let mut parent: BTreeMap<NodeIndex, NodeIndex> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for next in graph.successors(node) {
            if next == start {
                let mut chain = vec![node];
                while let Some(&previous) = parent.get(chain.last().expect("not empty")) {
                    chain.push(previous);
                }
                // chain: node, its parent, ..., start. Walk it back from start.
                chain.reverse();
                chain.push(start);
                return chain;
            }
            if component.binary_search(&next).is_ok()
                && !parent.contains_key(&next)
                && next != start
            {
                parent.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    vec![start, start]
}

/// What depends on a stream, nearest first.
#[derive(Clone, Debug, Serialize)]
pub struct Impact {
    pub stream: String,
    pub dependents: Vec<Dependent>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Dependent {
    /// Hops from the stream.
    pub depth: u32,
    /// `service`, `stream`, `table`, `api` or `external`.
    pub kind: &'static str,
    pub name: String,
    /// The service owning a table or API.
    pub owner: Option<String>,
    /// How it depends on the node one hop nearer, e.g. `reads stream "orders"`.
    pub via: String,
}

/// Every node downstream of `stream`, by distance then declaration order (BFS).
pub fn impact(model: &Scenario, graph: &TopologyGraph, stream: crate::model::StreamId) -> Impact {
    let start = graph.streams[stream.index()];
    let mut depth: BTreeMap<NodeIndex, u32> = BTreeMap::from([(start, 0)]);
    let mut frontier = vec![start];
    let mut dependents = Vec::new();
    let mut level = 0;
    while !frontier.is_empty() {
        level += 1;
        let mut reached: BTreeMap<NodeIndex, NodeIndex> = BTreeMap::new();
        for &node in &frontier {
            for next in graph.successors(node) {
                if !depth.contains_key(&next) {
                    reached.entry(next).or_insert(node);
                }
            }
        }
        for (&node, &via) in &reached {
            depth.insert(node, level);
            let relation = match graph.graph.find_edge(via, node).map(|e| graph.graph[e]) {
                Some(Edge::Consumes) => "reads",
                Some(Edge::Produces) => "written by",
                Some(Edge::Materializes) => "kept by",
                Some(Edge::Serves) => "served from",
                Some(Edge::Publishes) => "changelog of",
                Some(Edge::DeadLetters) => "dead letters of",
                None => "after",
            };
            let owner = match graph.graph[node] {
                Node::Table(service, _) | Node::Api(service, _) => {
                    Some(model.service(service).name.clone())
                }
                _ => None,
            };
            dependents.push(Dependent {
                depth: level,
                kind: graph.graph[node].kind(),
                name: graph.name(model, node).to_string(),
                owner,
                via: format!("{relation} {}", describe(model, graph, via)),
            });
        }
        frontier = reached.into_keys().collect();
    }
    Impact {
        stream: model.stream(stream).name.clone(),
        dependents,
    }
}

impl Impact {
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "Downstream of stream \"{}\": {} dependent{}\n",
            self.stream,
            self.dependents.len(),
            if self.dependents.len() == 1 { "" } else { "s" }
        );
        for dependent in &self.dependents {
            let owner = dependent
                .owner
                .as_ref()
                .map(|owner| format!(" of service \"{owner}\""))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {:>2}  {:<8} {}{owner}  ({})\n",
                dependent.depth, dependent.kind, dependent.name, dependent.via
            ));
        }
        out
    }
}

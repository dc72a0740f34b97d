//! The business topology as a `petgraph::Graph`: nodes for services, streams, APIs, state
//! stores (tables) and external systems; edges for produces, consumes, materializes, serves
//! (API ← store) and publishes (a table's changelog stream).
//!
//! Built add-only, in declared order: streams, then each service followed by its tables and
//! APIs, then external systems. So `NodeIndex` order is declaration order, and every analysis
//! that sorts by it is deterministic. Side maps go from model ids to node indices.

use std::collections::BTreeMap;

use petgraph::graph::{DiGraph, NodeIndex};

use crate::model::{Scenario, Service, ServiceId, StreamId};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Node {
    Stream(StreamId),
    Service(ServiceId),
    /// A table of a service (index into its `tables`).
    Table(ServiceId, usize),
    /// An API of a service (index into its `apis`).
    Api(ServiceId, usize),
    External(usize),
}

impl Node {
    pub fn kind(self) -> &'static str {
        match self {
            Node::Stream(_) => "stream",
            Node::Service(_) => "service",
            Node::Table(..) => "table",
            Node::Api(..) => "api",
            Node::External(_) => "external",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Edge {
    /// Service or external system → stream.
    Produces,
    /// Stream → service or external system.
    Consumes,
    /// Service → its table.
    Materializes,
    /// Table → API.
    Serves,
    /// Table → its changelog stream.
    Publishes,
    /// Queue-carried stream → the stream its queues dead-letter to (`x-dead-letter-exchange`).
    DeadLetters,
}

impl Edge {
    pub fn name(self) -> &'static str {
        match self {
            Edge::Produces => "produces",
            Edge::Consumes => "consumes",
            Edge::Materializes => "materializes",
            Edge::Serves => "serves",
            Edge::Publishes => "publishes",
            Edge::DeadLetters => "dead-letters",
        }
    }
}

pub struct TopologyGraph {
    pub graph: DiGraph<Node, Edge>,
    pub streams: Vec<NodeIndex>,
    pub services: Vec<NodeIndex>,
    pub tables: BTreeMap<(ServiceId, usize), NodeIndex>,
    pub apis: BTreeMap<(ServiceId, usize), NodeIndex>,
    pub externals: Vec<NodeIndex>,
}

impl TopologyGraph {
    pub fn build(model: &Scenario) -> TopologyGraph {
        let mut built = TopologyGraph::with_nodes(model);
        // Edges, each once, in declared order.
        for service in &model.services {
            built.add_service_edges(model, service);
        }
        built.add_external_edges(model);
        built.add_dead_letter_edges(model);
        built
    }

    /// Each queue-carried stream to the stream its queues dead-letter to.
    fn add_dead_letter_edges(&mut self, model: &Scenario) {
        for stream in &model.streams {
            if let Some(target) = stream.rabbitmq.dead_letter_exchange {
                self.add(
                    self.streams[stream.id.index()],
                    self.streams[target.index()],
                    Edge::DeadLetters,
                );
            }
        }
    }

    /// Every node and no edge, in declared order: streams, then each service with its tables
    /// and APIs, then external systems.
    fn with_nodes(model: &Scenario) -> TopologyGraph {
        let topology = &model.topology;
        let mut graph = DiGraph::new();
        let streams: Vec<NodeIndex> = model
            .streams
            .iter()
            .map(|stream| graph.add_node(Node::Stream(stream.id)))
            .collect();
        let mut services = Vec::new();
        let mut tables = BTreeMap::new();
        let mut apis = BTreeMap::new();
        for service in &model.services {
            services.push(graph.add_node(Node::Service(service.id)));
            if let Some(extra) = topology.services.get(service.id.index()) {
                for index in 0..extra.tables.len() {
                    tables.insert(
                        (service.id, index),
                        graph.add_node(Node::Table(service.id, index)),
                    );
                }
                for index in 0..extra.apis.len() {
                    apis.insert(
                        (service.id, index),
                        graph.add_node(Node::Api(service.id, index)),
                    );
                }
            }
        }
        let externals: Vec<NodeIndex> = (0..topology.externals.len())
            .map(|index| graph.add_node(Node::External(index)))
            .collect();
        TopologyGraph {
            graph,
            streams,
            services,
            tables,
            apis,
            externals,
        }
    }

    /// Adds the edge unless the two nodes are already joined that way round.
    fn add(&mut self, from: NodeIndex, to: NodeIndex, edge: Edge) {
        if self.graph.find_edge(from, to).is_none() {
            self.graph.add_edge(from, to, edge);
        }
    }

    /// A service's edges: what it consumes and produces, what its flows emit and materialize,
    /// its tables' changelogs and the tables its APIs serve.
    fn add_service_edges(&mut self, model: &Scenario, service: &Service) {
        let node = self.services[service.id.index()];
        for consumption in &service.consumes {
            self.add(
                self.streams[consumption.stream.index()],
                node,
                Edge::Consumes,
            );
        }
        for production in &service.produces {
            self.add(
                node,
                self.streams[production.stream.index()],
                Edge::Produces,
            );
        }
        let Some(extra) = model.topology.services.get(service.id.index()) else {
            return;
        };
        for flow in &extra.flows {
            for stream in &flow.emit {
                self.add(node, self.streams[stream.index()], Edge::Produces);
            }
            if let Some(table) = flow.materialize {
                self.add(node, self.tables[&(service.id, table)], Edge::Materializes);
            }
        }
        for (index, table) in extra.tables.iter().enumerate() {
            if let Some(stream) = table.changelog {
                let from = self.tables[&(service.id, index)];
                self.add(from, self.streams[stream.index()], Edge::Publishes);
            }
        }
        for (index, api) in extra.apis.iter().enumerate() {
            let from = self.tables[&(service.id, api.table)];
            self.add(from, self.apis[&(service.id, index)], Edge::Serves);
        }
    }

    /// What the external systems write and read.
    fn add_external_edges(&mut self, model: &Scenario) {
        for (index, external) in model.topology.externals.iter().enumerate() {
            let node = self.externals[index];
            for stream in &external.writes {
                self.add(node, self.streams[stream.index()], Edge::Produces);
            }
            for stream in &external.reads {
                self.add(self.streams[stream.index()], node, Edge::Consumes);
            }
        }
    }

    /// The display name of a node.
    pub fn name<'a>(&self, model: &'a Scenario, node: NodeIndex) -> &'a str {
        match self.graph[node] {
            Node::Stream(id) => &model.stream(id).name,
            Node::Service(id) => &model.service(id).name,
            Node::Table(service, index) => {
                &model.topology.services[service.index()].tables[index].name
            }
            Node::Api(service, index) => &model.topology.services[service.index()].apis[index].name,
            Node::External(index) => &model.topology.externals[index].name,
        }
    }

    /// Outgoing neighbours in node (declaration) order.
    pub fn successors(&self, node: NodeIndex) -> Vec<NodeIndex> {
        let mut next: Vec<NodeIndex> = self.graph.neighbors(node).collect();
        next.sort_unstable();
        next
    }

    /// Incoming neighbours in node (declaration) order.
    pub fn predecessors(&self, node: NodeIndex) -> Vec<NodeIndex> {
        let mut previous: Vec<NodeIndex> = self
            .graph
            .neighbors_directed(node, petgraph::Direction::Incoming)
            .collect();
        previous.sort_unstable();
        previous
    }
}

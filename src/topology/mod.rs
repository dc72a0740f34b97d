//! The business topology as a petgraph graph, its analyses, and its diagrams.
//!
//! `graph.rs` builds the graph from the model (add-only, in declared order); `checks.rs` finds
//! streams without a consumer or producer, cycles and downstream impact; `diagram.rs` is the
//! diagram as data (nodes with our own stable ids, edges, subgraphs) for both views — the
//! business topology and one service's pipeline —, and `mermaid.rs`, `dot.rs`, `json.rs`,
//! `markdown.rs` render it.

pub mod checks;
pub mod diagram;
pub mod dot;
pub mod generated;
pub mod graph;
pub mod json;
pub mod markdown;
pub mod mermaid;

pub use checks::{Findings, Impact, findings, impact};
pub use diagram::{Diagram, business_diagram, service_diagram};
pub use graph::{Edge, Node, TopologyGraph};

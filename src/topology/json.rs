//! The diagram as JSON: the full graph (nodes with ids, kinds, labels and subgraphs; edges by
//! node index with their relation; findings), for tools. Typed structs, stable key order.

use super::diagram::Diagram;

pub fn render(diagram: &Diagram) -> String {
    let mut text =
        serde_json::to_string_pretty(diagram).expect("a diagram of plain data always serializes");
    text.push('\n');
    text
}

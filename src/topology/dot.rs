//! Graphviz DOT: always the full graph (no size limits), domains as `cluster_` subgraphs.
//!
//! Strings are DOT double-quoted strings (graphviz.org/doc/info/lang.html): `"` and `\` are
//! escaped with a backslash (so `\n`, `\l` in a name stay literal), line breaks become spaces.

use std::fmt::Write as _;

use super::diagram::{Diagram, Shape};

pub fn render(diagram: &Diagram) -> String {
    let mut out = format!("digraph {} {{\n", quote(&diagram.scenario));
    out.push_str("  rankdir=TB;\n  node [fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n");
    for (index, subgraph) in diagram.subgraphs.iter().enumerate() {
        let _ = writeln!(out, "  subgraph cluster_{} {{", subgraph.id);
        let _ = writeln!(out, "    label={};", quote(&subgraph.label));
        for node in diagram.nodes.iter().filter(|n| n.subgraph == Some(index)) {
            let _ = writeln!(out, "    {}", node_text(&node.id, node.kind, &node.label));
        }
        out.push_str("  }\n");
    }
    for node in diagram.nodes.iter().filter(|n| n.subgraph.is_none()) {
        let _ = writeln!(out, "  {}", node_text(&node.id, node.kind, &node.label));
    }
    for edge in &diagram.edges {
        let from = &diagram.nodes[edge.from].id;
        let to = &diagram.nodes[edge.to].id;
        let style = if edge.relation == "join" {
            ", style=dashed"
        } else {
            ""
        };
        if edge.labelled {
            let _ = writeln!(
                out,
                "  {from} -> {to} [label={}{style}];",
                quote(&edge.relation)
            );
        } else if style.is_empty() {
            let _ = writeln!(out, "  {from} -> {to};");
        } else {
            let _ = writeln!(out, "  {from} -> {to} [style=dashed];");
        }
    }
    out.push_str("}\n");
    out
}

fn node_text(id: &str, shape: Shape, label: &str) -> String {
    let attributes = match shape {
        Shape::Service => "shape=box, style=\"rounded,filled\", fillcolor=\"#dbeafe\"",
        Shape::Stream => "shape=cds, style=filled, fillcolor=\"#fef3c7\"",
        Shape::Table => "shape=cylinder, style=filled, fillcolor=\"#dcfce7\"",
        Shape::Api => "shape=hexagon, style=filled, fillcolor=\"#f3e8ff\"",
        Shape::External => "shape=parallelogram, style=dashed",
        Shape::Step => "shape=box",
        Shape::Producer => "shape=oval, style=filled, fillcolor=\"#e0f2fe\"",
        Shape::Domain => "shape=box3d, style=filled, fillcolor=\"#dbeafe\"",
        Shape::Queue => "shape=trapezium, style=filled, fillcolor=\"#ffedd5\"",
    };
    format!("{id} [label={}, {attributes}];", quote(label))
}

/// A DOT double-quoted string.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_and_backslashes_are_escaped() {
        assert_eq!(super::quote(r#"a "b" \n"#), r#""a \"b\" \\n""#);
    }
}

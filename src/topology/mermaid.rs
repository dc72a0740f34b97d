//! Mermaid flowcharts (`graph TB`), as the study notes draw them.
//!
//! Follows Mermaid's flowchart syntax (mermaid.js.org/syntax/flowchart.html): every label is a
//! quoted string (`id["..."]`), and characters that would break it or be read as markup become
//! Mermaid entity codes (`#quot;`, `#35;`...), decoded back when the diagram is drawn. Node ids
//! are eventlab's own (`st0`, `sv1`), never user text, so a name like `end` or `o--x` is only
//! ever a label. Comments are `%%` lines with fixed text.
//!
//! Mermaid refuses diagrams over its default `maxTextSize` (50,000 characters, counted as
//! JavaScript string length) or `maxEdges` (500), and a diagram cannot raise them on GitHub.
//! Above either, the business view is drawn with services collapsed into their domains, and a
//! comment says so; DOT and JSON always carry the full graph.

use std::fmt::Write as _;

use super::diagram::{Diagram, Shape};

/// Mermaid's default `maxTextSize`.
pub const MAX_TEXT_SIZE: usize = 50_000;
/// Mermaid's default `maxEdges`.
pub const MAX_EDGES: usize = 500;

/// Renders a diagram; if it is over Mermaid's limits, renders `collapsed()` instead with a
/// comment saying what was collapsed, and if even that is over, keeps the first edges.
pub fn render_within_limits(full: &Diagram, collapsed: impl FnOnce() -> Diagram) -> String {
    let text = render(full, &[]);
    if within_limits(&text, full.edges.len()) {
        return text;
    }
    let note = format!(
        "eventlab: the full topology ({} nodes, {} edges, {} characters) is over Mermaid's default limits (maxTextSize {MAX_TEXT_SIZE}, maxEdges {MAX_EDGES}), so services are collapsed into their domains and streams into edges between domains; eventlab diagram --format dot or --format json carries the full graph",
        full.nodes.len(),
        full.edges.len(),
        js_length(&text)
    );
    let mut small = collapsed();
    let mut notes = vec![note];
    if small.edges.len() > MAX_EDGES {
        notes.push(format!(
            "eventlab: only the first {MAX_EDGES} of {} domain-to-domain edges are drawn",
            small.edges.len()
        ));
        small.edges.truncate(MAX_EDGES);
    }
    render(&small, &notes)
}

fn within_limits(text: &str, edges: usize) -> bool {
    js_length(text) <= MAX_TEXT_SIZE && edges <= MAX_EDGES
}

/// Length as JavaScript counts it (UTF-16 code units), which is what `maxTextSize` limits.
pub fn js_length(text: &str) -> usize {
    text.encode_utf16().count()
}

/// The diagram as Mermaid text, with `notes` as `%%` comments after the header.
pub fn render(diagram: &Diagram, notes: &[String]) -> String {
    let mut out = String::from("graph TB\n");
    let _ = writeln!(
        out,
        "%% eventlab: {} view, {}, {}",
        diagram.view,
        plural(diagram.nodes.len(), "node"),
        plural(diagram.edges.len(), "edge")
    );
    for note in notes {
        let _ = writeln!(out, "%% {}", comment_text(note));
    }
    for (index, subgraph) in diagram.subgraphs.iter().enumerate() {
        let _ = writeln!(
            out,
            "  subgraph {} [{}]",
            subgraph.id,
            quote(&subgraph.label)
        );
        for node in diagram.nodes.iter().filter(|n| n.subgraph == Some(index)) {
            let _ = writeln!(out, "    {}", node_text(&node.id, node.kind, &node.label));
        }
        out.push_str("  end\n");
    }
    for node in diagram.nodes.iter().filter(|n| n.subgraph.is_none()) {
        let _ = writeln!(out, "  {}", node_text(&node.id, node.kind, &node.label));
    }
    for edge in &diagram.edges {
        let from = &diagram.nodes[edge.from].id;
        let to = &diagram.nodes[edge.to].id;
        let arrow = if edge.relation == "join" {
            "-.->"
        } else {
            "-->"
        };
        if edge.labelled {
            let _ = writeln!(out, "  {from} {arrow}|{}| {to}", quote(&edge.relation));
        } else {
            let _ = writeln!(out, "  {from} {arrow} {to}");
        }
    }
    for shape in Shape::ALL {
        let ids: Vec<&str> = diagram
            .nodes
            .iter()
            .filter(|n| n.kind == shape)
            .map(|n| n.id.as_str())
            .collect();
        if ids.is_empty() {
            continue;
        }
        let _ = writeln!(out, "  classDef {} {}", shape.name(), style(shape));
        let _ = writeln!(out, "  class {} {}", ids.join(","), shape.name());
    }
    out
}

fn plural(count: usize, what: &str) -> String {
    if count == 1 {
        format!("1 {what}")
    } else {
        format!("{count} {what}s")
    }
}

fn node_text(id: &str, shape: Shape, label: &str) -> String {
    let label = quote(label);
    match shape {
        Shape::Service => format!("{id}({label})"),
        Shape::Stream => format!("{id}>{label}]"),
        Shape::Table => format!("{id}[({label})]"),
        Shape::Api => format!("{id}{{{{{label}}}}}"),
        Shape::External => format!("{id}[/{label}/]"),
        Shape::Step => format!("{id}[{label}]"),
        Shape::Producer => format!("{id}([{label}])"),
        Shape::Domain => format!("{id}[[{label}]]"),
        Shape::Queue => format!("{id}[\\{label}/]"),
    }
}

fn style(shape: Shape) -> &'static str {
    match shape {
        Shape::Service => "fill:#dbeafe,stroke:#1d4ed8,color:#0f172a",
        Shape::Stream => "fill:#fef3c7,stroke:#b45309,color:#0f172a",
        Shape::Table => "fill:#dcfce7,stroke:#15803d,color:#0f172a",
        Shape::Api => "fill:#f3e8ff,stroke:#7e22ce,color:#0f172a",
        Shape::External => "fill:#f1f5f9,stroke:#475569,color:#0f172a,stroke-dasharray:4 3",
        Shape::Step => "fill:#ffffff,stroke:#334155,color:#0f172a",
        Shape::Producer => "fill:#e0f2fe,stroke:#0369a1,color:#0f172a",
        Shape::Domain => "fill:#dbeafe,stroke:#1e3a8a,color:#0f172a",
        Shape::Queue => "fill:#ffedd5,stroke:#c2410c,color:#0f172a",
    }
}

/// A label as a Mermaid quoted string: `"` and the characters Mermaid or HTML would read as
/// markup become entity codes; line breaks become spaces.
pub fn quote(label: &str) -> String {
    let mut out = String::with_capacity(label.len() + 2);
    out.push('"');
    for c in label.chars() {
        match c {
            '#' => out.push_str("#35;"),
            '"' => out.push_str("#quot;"),
            '%' => out.push_str("#37;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Comment text on one line, without anything Mermaid could read as a directive.
fn comment_text(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\r' | '{' | '}' | '%' => ' ',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_labels_become_entity_codes() {
        assert_eq!(quote(r#"a "b" #c"#), "\"a #quot;b#quot; #35;c\"");
        assert_eq!(
            quote("%%{init}%% <b>&`x`"),
            "\"#37;#37;{init}#37;#37; #lt;b#gt;#amp;#96;x#96;\""
        );
        assert_eq!(quote("two\nlines"), "\"two lines\"");
        assert_eq!(quote("end"), "\"end\"");
        assert_eq!(quote("주문 🛒 [|;]"), "\"주문 🛒 [|;]\"");
    }

    #[test]
    fn length_counts_utf16_units_as_javascript_does() {
        assert_eq!(js_length("abc"), 3);
        assert_eq!(js_length("주문"), 2);
        assert_eq!(js_length("🛒"), 2);
    }
}

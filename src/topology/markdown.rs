//! Markdown: a heading, the Mermaid diagram in a fenced block (GitHub draws it), and the
//! findings as a list.

use super::diagram::Diagram;

/// `mermaid` is the already rendered (and, for big topologies, collapsed) Mermaid text.
pub fn render(diagram: &Diagram, mermaid: &str) -> String {
    let title = match &diagram.service {
        Some(service) => format!(
            "Service `{}` in `{}`",
            code(service),
            code(&diagram.scenario)
        ),
        None => format!("Business topology of `{}`", code(&diagram.scenario)),
    };
    let mut out = format!("## {title}\n\n```mermaid\n{mermaid}```\n");
    if let Some(findings) = &diagram.findings {
        out.push_str("\n### Findings\n\n");
        let lines = findings.lines();
        if lines.is_empty() {
            out.push_str("Every stream has a producer and a consumer; no cycles.\n");
        }
        for line in lines {
            out.push_str(&format!("- {}\n", line.replace('\n', " ")));
        }
    }
    out
}

/// Text for inline code: backticks would end the span, so they become `'`.
fn code(text: &str) -> String {
    text.replace(['`', '\n'], "'")
}

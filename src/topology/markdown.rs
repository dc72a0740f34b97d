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
    if !diagram.streams.is_empty() {
        out.push_str("\n### Streams\n\n| stream | kind | partitions | written by | read by |\n|---|---|---|---|---|\n");
        for stream in &diagram.streams {
            let kind = match (stream.kind, &stream.entity) {
                (Some(kind), Some(entity)) => format!("{kind} ({})", cell(entity)),
                (Some(kind), None) => kind.to_string(),
                (None, _) => "not declared".to_string(),
            };
            let list = |items: &[String]| {
                if items.is_empty() {
                    "—".to_string()
                } else {
                    cell(&items.join(", "))
                }
            };
            out.push_str(&format!(
                "| {} | {kind} | {} | {} | {} |\n",
                cell(&stream.name),
                stream.partitions,
                list(&stream.writers),
                list(&stream.readers)
            ));
        }
    }
    if let Some(findings) = &diagram.findings {
        out.push_str("\n### Findings\n\n");
        let lines = findings.lines();
        if lines.is_empty() {
            out.push_str("Every stream has a producer and a consumer; no cycles.\n");
        }
        for line in lines {
            out.push_str(&format!("- {}\n", cell(&line)));
        }
    }
    out
}

/// Text for a table cell, shown literally: `|` would end the cell and a line break the row;
/// HTML and Markdown punctuation are escaped so a name never turns into markup.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text for inline code: backticks would end the span, so they become `'`.
fn code(text: &str) -> String {
    text.replace(['`', '\n'], "'")
}

//! Partition ownership over a run: a Mermaid `gantt` per group on the log (one section per
//! member, one bar per partition it owned, labelled with the generation) and, for every format's
//! facts, each partition's owners with their times. Built from `collect::pictures`'
//! `Ownership` intervals, which start with the coordinator's generation-1 assignment. It draws
//! and words; it gathers nothing.
//!
//! Follows Mermaid's gantt syntax (mermaid.js.org/syntax/gantt.html) with `dateFormat x`
//! (milliseconds since the epoch, so virtual time 0 is the epoch): task and section names
//! cannot hold `:`, `;` or `#`, which become entity codes.

use std::fmt::Write as _;

use crate::collect::pictures::{Ownership, Pictures};
use crate::model::{GroupId, Scenario};

use super::words;

/// The gantt of one group.
pub fn gantt(model: &Scenario, pictures: &Pictures, group: GroupId, ended_at_us: u64) -> String {
    let stream = &model.stream(model.group(group).stream).name;
    let mut out = String::from("gantt\n");
    let _ = writeln!(
        out,
        "    title {}",
        name(&format!(
            "Partition ownership in group {} (virtual time)",
            model.group(group).name
        ))
    );
    out.push_str("    dateFormat x\n    axisFormat %M:%S.%L\n");
    let service = model.group(group).service;
    for instance in model.instances.iter().filter(|i| i.service == service) {
        let owned: Vec<&Ownership> = pictures
            .ownership
            .iter()
            .filter(|o| o.group == group && o.instance == instance.id)
            .collect();
        let _ = writeln!(out, "    section {}", name(&instance.name));
        if owned.is_empty() {
            // A section needs a task; an idle member's is a zero-length milestone.
            let _ = writeln!(out, "    owns nothing : milestone, 0, 0");
            continue;
        }
        for ownership in owned {
            let from_ms = ownership.from.0 / 1_000;
            let to_ms = (ownership.to.map_or(ended_at_us, |to| to.0) / 1_000).max(from_ms + 1);
            let _ = writeln!(
                out,
                "    {} : {from_ms}, {to_ms}",
                name(&format!(
                    "{stream} {} gen {}",
                    ownership.partition.0, ownership.generation
                ))
            );
        }
    }
    out
}

/// The owners of each partition of a group, for the report's table: `billing-0 (gen 1, 0 to
/// 6.001 s)`.
pub fn owners(model: &Scenario, pictures: &Pictures, group: GroupId, partition: u32) -> String {
    let spans: Vec<String> = pictures
        .ownership
        .iter()
        .filter(|o| o.group == group && o.partition.0 == partition)
        .map(|o| {
            let until = match o.to {
                Some(to) => words::time_us(to.0),
                None => "end".to_string(),
            };
            format!(
                "{} (gen {}, {} to {until})",
                model.instance(o.instance).name,
                o.generation,
                words::time_us(o.from.0)
            )
        })
        .collect();
    if spans.is_empty() {
        "nobody".to_string()
    } else {
        spans.join("; ")
    }
}

/// A gantt name: `:`, `;` and `#` become entity codes, markup too.
fn name(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            ':' => out.push_str("#58;"),
            '%' => out.push_str("#37;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '"' => out.push_str("#quot;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

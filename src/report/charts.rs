//! Charts of a run (Mermaid `xychart-beta`), each with its numbers as a Markdown table
//! beneath: lag per partition over virtual time for each group on the log, queue depth (ready
//! and unacked) over time for each queue, and the end-to-end latency histogram of each group.
//! The series come downsampled from `collect::pictures` (at most `SERIES_POINTS_MAX` points,
//! each the largest value in its stretch of time), and every chart says so. It draws; it
//! gathers nothing.
//!
//! Follows Mermaid's xychart syntax (mermaid.js.org/syntax/xyChart.html): quoted title and
//! axis titles (entity codes for `"` and markup), a category x axis of quoted labels, and one
//! `line` or `bar` of integers per series. Mermaid draws no legend for lines, so the table
//! beneath names each.

use std::fmt::Write as _;

use crate::collect::pictures::{LATENCY_BUCKETS, Pictures, SERIES_POINTS_MAX, Series};
use crate::model::{GroupId, Scenario};
use crate::topology::mermaid::quote;

use super::words;

/// One chart: its file name in `--out-dir`, a heading, the Mermaid text and the table.
pub struct Chart {
    pub file: String,
    pub heading: String,
    pub mermaid: String,
    pub table: String,
}

/// How the series were downsampled, in one sentence.
pub fn downsampling(pictures: &Pictures, ended_at_us: u64) -> String {
    let points = point_count(pictures, ended_at_us);
    format!(
        "Each point covers {} of virtual time and shows the largest value in it ({}; a run longer than {SERIES_POINTS_MAX} points merges neighbouring points and doubles the width, so long runs are downsampled, never cut).",
        words::time_us(pictures.width_us),
        words::count(points as u64, "point")
    )
}

fn point_count(pictures: &Pictures, ended_at_us: u64) -> usize {
    ((ended_at_us / pictures.width_us) as usize + 1).min(SERIES_POINTS_MAX)
}

/// The x axis: each point's start time.
fn x_labels(pictures: &Pictures, points: usize) -> Vec<String> {
    (0..points)
        .map(|index| words::time_us(index as u64 * pictures.width_us))
        .collect()
}

/// A file name part from a user's name: ASCII letters, digits and `-`, the rest `_`.
pub fn file_part(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' => c,
            _ => '_',
        })
        .collect()
}

/// The chart of several series over time, and the table of their values.
fn line_chart(
    title: &str,
    y_title: &str,
    labels: &[String],
    series: &[(String, Vec<u64>)],
) -> (String, String) {
    let top = series
        .iter()
        .flat_map(|(_, values)| values.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let mut mermaid = String::from("xychart-beta\n");
    let _ = writeln!(mermaid, "    title {}", quote(title));
    let quoted: Vec<String> = labels.iter().map(|label| quote(label)).collect();
    let _ = writeln!(
        mermaid,
        "    x-axis {} [{}]",
        quote("virtual time"),
        quoted.join(", ")
    );
    let _ = writeln!(mermaid, "    y-axis {} 0 --> {top}", quote(y_title));
    for (_, values) in series {
        let numbers: Vec<String> = values.iter().map(u64::to_string).collect();
        let _ = writeln!(mermaid, "    line [{}]", numbers.join(", "));
    }
    let mut table = String::from("| from |");
    for (name, _) in series {
        let _ = write!(table, " {} |", words::cell(name));
    }
    table.push_str("\n|---:|");
    for _ in series {
        table.push_str("---:|");
    }
    table.push('\n');
    for (index, label) in labels.iter().enumerate() {
        let _ = write!(table, "| {label} |");
        for (_, values) in series {
            let _ = write!(table, " {} |", values[index]);
        }
        table.push('\n');
    }
    (mermaid, table)
}

fn values(series: &Series, points: usize) -> Vec<u64> {
    let mut values = series.maxima(0);
    let last = values.last().copied().unwrap_or(0);
    values.resize(points, last);
    values.truncate(points);
    values
}

/// One lag chart per group on the log.
pub fn lag_charts(model: &Scenario, pictures: &Pictures, ended_at_us: u64) -> Vec<Chart> {
    let points = point_count(pictures, ended_at_us);
    let labels = x_labels(pictures, points);
    let on_log: Vec<GroupId> = model
        .groups
        .iter()
        .filter(|group| !pictures.lag[group.id.index()].is_empty())
        .map(|group| group.id)
        .collect();
    on_log
        .iter()
        .map(|&group| {
            let name = &model.group(group).name;
            let series: Vec<(String, Vec<u64>)> = pictures.lag[group.index()]
                .iter()
                .enumerate()
                .map(|(partition, series)| {
                    (format!("partition {partition}"), values(series, points))
                })
                .collect();
            let title = format!("Lag of group {name} per partition");
            let (mermaid, table) =
                line_chart(&title, "records behind the log end", &labels, &series);
            Chart {
                file: numbered("lag", name, on_log.len()),
                heading: title,
                mermaid,
                table,
            }
        })
        .collect()
}

/// One depth chart per queue: ready and unacked messages.
pub fn depth_charts(model: &Scenario, pictures: &Pictures, ended_at_us: u64) -> Vec<Chart> {
    let points = point_count(pictures, ended_at_us);
    let labels = x_labels(pictures, points);
    let queues = &model.queue_layout.queues;
    queues
        .iter()
        .map(|queue| {
            let series = vec![
                (
                    "ready".to_string(),
                    values(&pictures.ready[queue.id.index()], points),
                ),
                (
                    "unacked".to_string(),
                    values(&pictures.unacked[queue.id.index()], points),
                ),
            ];
            let title = format!("Depth of queue {}", queue.name);
            let (mermaid, table) = line_chart(&title, "messages", &labels, &series);
            Chart {
                file: numbered("depth", &queue.name, queues.len()),
                heading: title,
                mermaid,
                table,
            }
        })
        .collect()
}

/// One latency histogram per group that processed something.
pub fn latency_charts(model: &Scenario, pictures: &Pictures) -> Vec<Chart> {
    let busy: Vec<GroupId> = model
        .groups
        .iter()
        .filter(|group| pictures.latency[group.id.index()].iter().any(|&n| n > 0))
        .map(|group| group.id)
        .collect();
    busy.iter()
        .map(|&group| {
            let counts = &pictures.latency[group.index()];
            let first = counts.iter().position(|&n| n > 0).unwrap_or(0);
            let last = counts.iter().rposition(|&n| n > 0).unwrap_or(0);
            let labels: Vec<String> = (first..=last).map(bucket_label).collect();
            let name = &model.group(group).name;
            let title = format!("End-to-end latency of group {name}");
            let mut mermaid = String::from("xychart-beta\n");
            let _ = writeln!(mermaid, "    title {}", quote(&title));
            let quoted: Vec<String> = labels.iter().map(|label| quote(label)).collect();
            let _ = writeln!(
                mermaid,
                "    x-axis {} [{}]",
                quote("send to processed"),
                quoted.join(", ")
            );
            let top = counts.iter().copied().max().unwrap_or(0).max(1);
            let _ = writeln!(mermaid, "    y-axis {} 0 --> {top}", quote("records"));
            let numbers: Vec<String> = counts[first..=last].iter().map(u64::to_string).collect();
            let _ = writeln!(mermaid, "    bar [{}]", numbers.join(", "));
            let mut table = String::from("| latency | records |\n|---|---:|\n");
            for (label, count) in labels.iter().zip(&counts[first..=last]) {
                let _ = writeln!(table, "| {label} | {count} |");
            }
            Chart {
                file: numbered("latency", name, busy.len()),
                heading: title,
                mermaid,
                table,
            }
        })
        .collect()
}

/// A latency bucket's range: `< 1 ms`, `1–2 ms`, …, `≥ 4194 s` for the last.
fn bucket_label(bucket: usize) -> String {
    if bucket == 0 {
        return "< 1 ms".to_string();
    }
    let low_us = 1_000u64 << (bucket - 1);
    if bucket == LATENCY_BUCKETS - 1 {
        return format!(">= {}", words::time_us(low_us));
    }
    let high_us = low_us * 2;
    format!("{} to {}", words::time_us(low_us), words::time_us(high_us))
}

/// `kind.mmd` when there is one of its kind, else `kind-NAME.mmd`.
pub fn numbered(kind: &str, name: &str, of: usize) -> String {
    if of == 1 {
        format!("{kind}.mmd")
    } else {
        format!("{kind}-{}.mmd", file_part(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_buckets_are_labelled_by_their_range() {
        assert_eq!(bucket_label(0), "< 1 ms");
        assert_eq!(bucket_label(1), "1 ms to 2 ms");
        assert_eq!(bucket_label(11), "1.024 s to 2.048 s");
        assert_eq!(bucket_label(LATENCY_BUCKETS - 1), ">= 4194.304 s");
    }

    #[test]
    fn file_names_keep_only_safe_characters() {
        assert_eq!(numbered("lag", "billing", 1), "lag.mmd");
        assert_eq!(numbered("lag", "주문 #1", 2), "lag-____1.mmd");
    }
}

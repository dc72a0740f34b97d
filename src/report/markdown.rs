//! The Markdown report of a run (`eventlab run --format markdown`), for people, rendered by
//! GitHub: the lesson's text first, then the summary and streams tables, the business topology,
//! the timeline of crashes, restarts and rebalances, partition ownership (gantt and table), a
//! sequence diagram, charts of lag, queue depth and latency with their numbers beneath, the
//! findings, and the setup. `render` also returns every diagram on its own, under the fixed
//! file name `--out-dir` writes it to. It renders a `RunReport` and `collect::pictures`; it
//! runs nothing.

use std::fmt::Write as _;

use crate::collect::pictures::{Incident, Pictures};
use crate::model::{Carrier, GroupId, KeyId, Scenario};
use crate::topology::{self, TopologyGraph};

use super::charts::{self, Chart};
use super::evidence::Evidence;
use super::words::{cell, inline};
use super::{RunReport, words};

/// A Markdown report and its diagrams: (file name, Mermaid text), in page order.
#[derive(Clone, Debug)]
pub struct MarkdownReport {
    pub page: String,
    pub diagrams: Vec<(String, String)>,
}

/// The lesson of a scenario's description: the first sentence says what it teaches, the rest
/// what to look at and why.
pub fn lesson_parts(description: &str) -> (&str, &str) {
    let text = description.trim();
    let end = text
        .char_indices()
        .find(|&(index, c)| {
            matches!(c, '.' | '!' | '?')
                && text[index + c.len_utf8()..]
                    .chars()
                    .next()
                    .is_none_or(char::is_whitespace)
        })
        .map(|(index, c)| index + c.len_utf8());
    match end {
        Some(end) => (text[..end].trim(), text[end..].trim()),
        None => (text, ""),
    }
}

/// Renders the page and its diagrams; `evidence` holds the trace lines of the findings (none
/// when the caller kept no trace).
pub fn render(
    model: &Scenario,
    report: &RunReport,
    pictures: &Pictures,
    evidence: &[Evidence],
) -> MarkdownReport {
    let mut page = String::new();
    let mut diagrams = Vec::new();
    let ended = report.outcome.ended_at_us;
    let _ = writeln!(page, "# Scenario \"{}\"\n", inline(&report.scenario));
    let _ = writeln!(
        page,
        "eventlab {}, seed {} · reproduce with `{}`\n",
        report.eventlab_version, report.seed, report.reproduce
    );
    render_lesson(&mut page, &model.description);
    render_summary(&mut page, report);
    render_streams(&mut page, model, report);

    let graph = TopologyGraph::build(model);
    let topology_text =
        topology::mermaid::render_within_limits(&topology::business_diagram(model, &graph), || {
            topology::diagram::collapsed_business_diagram(model, &graph)
        });
    page.push_str("## Topology\n\n");
    push_diagram(&mut page, &mut diagrams, "topology.mmd", topology_text);

    render_timeline(&mut page, model, pictures);
    render_ownership(&mut page, &mut diagrams, model, report, pictures, ended);

    page.push_str("## Sequence\n\n");
    let keys = |key: KeyId| super::sequence::key_text(model, key);
    let _ = writeln!(
        page,
        "{}\n",
        super::sequence::describe(model, pictures, &keys)
    );
    push_diagram(
        &mut page,
        &mut diagrams,
        "sequence.mmd",
        super::sequence::render(model, pictures),
    );

    render_charts(&mut page, &mut diagrams, model, pictures, ended);
    render_findings(&mut page, report);
    render_evidence(&mut page, evidence);
    page.push_str("## Setup\n\n```text\n");
    for line in &report.setup {
        let _ = writeln!(page, "{line}");
    }
    page.push_str("```\n");
    MarkdownReport { page, diagrams }
}

fn push_diagram(
    page: &mut String,
    diagrams: &mut Vec<(String, String)>,
    file: &str,
    mermaid: String,
) {
    let mut file = file.to_string();
    if diagrams.iter().any(|(taken, _)| *taken == file) {
        // Two names that only differ outside ASCII: number the later one.
        file = format!("{}-{}.mmd", file.trim_end_matches(".mmd"), diagrams.len());
    }
    let _ = writeln!(page, "```mermaid\n{}```\n", mermaid);
    diagrams.push((file, mermaid));
}

fn render_lesson(page: &mut String, description: &str) {
    let (teaches, look) = lesson_parts(description);
    page.push_str("## Lesson\n\n");
    let _ = writeln!(page, "**What it teaches:** {}\n", inline(teaches));
    if !look.is_empty() {
        let _ = writeln!(page, "**What to look for:** {}\n", inline(look));
    }
}

fn render_summary(page: &mut String, report: &RunReport) {
    let o = &report.outcome;
    page.push_str("## Summary\n\n| | |\n|---|---|\n");
    let ended = match (o.stop.as_str(), &o.limit) {
        ("drained", _) => "drained: producers finished and every group caught up".to_string(),
        ("records_consumed", _) => "the requested number of records was consumed".to_string(),
        ("stop_time", _) => "reached the stop time".to_string(),
        ("agenda_empty", _) => "nothing left to happen".to_string(),
        (_, Some(limit)) => format!(
            "stopped at {limit} = {} (run incomplete)",
            o.limit_value.unwrap_or(0)
        ),
        (other, None) => other.to_string(),
    };
    let _ = writeln!(
        page,
        "| run ended | at {} ({ended}) |",
        words::time_us(o.ended_at_us)
    );
    if let Some(last) = o.last_consumed_at_us {
        let _ = writeln!(
            page,
            "| last record consumed | at {} |",
            words::time_us(last)
        );
    }
    let _ = writeln!(
        page,
        "| events | {}, {} sent, {} dropped at crashed instances |",
        o.events,
        words::count(o.messages_sent, "message"),
        o.messages_dropped
    );
    let f = &report.faults;
    let _ = writeln!(
        page,
        "| faults | {}, {}, {}, {} expired by the coordinator |",
        words::count(f.crashes, "crash"),
        words::count(f.restarts, "restart"),
        words::count(f.slow_periods, "slow period"),
        words::count(f.members_expired, "member")
    );
    for stream in &report.streams {
        for group in &stream.groups {
            let c = &group.checks;
            let mut findings = format!(
                "{} lost, {} duplicated, {}",
                c.lost,
                c.duplicated,
                words::count(c.key_order_inversions, "key-order inversion")
            );
            if let Some(queue) = &group.queue
                && queue.dead_lettered > 0
            {
                let _ = write!(findings, ", {} dead-lettered", queue.dead_lettered);
            }
            let _ = writeln!(
                page,
                "| group {} on {} | consumed {} ({} distinct), lag at end {}, max lag {}; {findings} |",
                cell(&group.group),
                cell(&stream.name),
                group.consumed,
                group.consumed_distinct,
                group.lag_end,
                group.lag_max
            );
        }
    }
    let failed = report.expect.iter().filter(|e| !e.passed).count() as u64;
    if !report.expect.is_empty() {
        let _ = writeln!(
            page,
            "| expectations | {} met, {} failed |",
            report.expect.len() as u64 - failed,
            failed
        );
    }
    page.push('\n');
}

fn render_streams(page: &mut String, model: &Scenario, report: &RunReport) {
    page.push_str("## Streams\n\n| stream | carrier | layout | produced | appended or routed | producers | consumers |\n|---|---|---|---:|---:|---|---|\n");
    for (stream, modelled) in report.streams.iter().zip(&model.streams) {
        let layout = match modelled.carrier {
            Carrier::Queue => {
                let queues: Vec<&str> = model.queue_layout.bound[modelled.id.index()]
                    .iter()
                    .map(|queue| model.queue_layout.queues[queue.index()].name.as_str())
                    .collect();
                format!(
                    "{} exchange → {}",
                    stream.exchange_type.as_deref().unwrap_or("direct"),
                    match queues.is_empty() {
                        true => "no queue".to_string(),
                        false => queues.join(", "),
                    }
                )
            }
            _ => format!(
                "{}, {} partitioner",
                words::count(stream.partitions.len() as u64, "partition"),
                stream.partitioner
            ),
        };
        let producers: Vec<String> = stream
            .producers
            .iter()
            .map(|p| format!("{} {}", p.instance, p.produced))
            .collect();
        let dead_letters_from: Vec<&str> = model
            .streams
            .iter()
            .filter(|s| s.rabbitmq.dead_letter_exchange == Some(modelled.id))
            .map(|s| s.name.as_str())
            .collect();
        let mut sources = producers.join(", ");
        if !dead_letters_from.is_empty() {
            if !sources.is_empty() {
                sources.push_str("; ");
            }
            let _ = write!(sources, "dead letters of {}", dead_letters_from.join(", "));
        }
        let consumers: Vec<&str> = stream.groups.iter().map(|g| g.group.as_str()).collect();
        let appended = match stream.unroutable {
            Some(unroutable) => format!(
                "{} ({} unroutable)",
                stream.appended.max(stream.produced),
                unroutable
            ),
            None => stream.appended.to_string(),
        };
        let _ = writeln!(
            page,
            "| {} | {} | {} | {} | {} | {} | {} |",
            cell(&stream.name),
            stream.carrier,
            cell(&layout),
            stream.produced,
            appended,
            cell(or_none(&sources)),
            cell(or_none(&consumers.join(", ")))
        );
    }
    page.push('\n');
}

fn or_none(text: &str) -> &str {
    if text.is_empty() { "none" } else { text }
}

/// Crashes, restarts, expiries and rebalances in time order, starting with generation 1.
fn render_timeline(page: &mut String, model: &Scenario, pictures: &Pictures) {
    page.push_str("## Timeline\n\n| time | what happened |\n|---:|---|\n");
    for (at, incident) in &pictures.incidents {
        let what = match incident {
            Incident::Crashed(instance) => format!("{} crashed", model.instance(*instance).name),
            Incident::Restarted(instance) => {
                format!("{} restarted", model.instance(*instance).name)
            }
            Incident::MemberExpired(group, instance) => format!(
                "group {}: the coordinator removed {} (no heartbeat for session.timeout.ms)",
                model.group(*group).name,
                model.instance(*instance).name
            ),
            Incident::RebalanceStarted(group, generation) => format!(
                "group {}: rebalance to generation {generation} started",
                model.group(*group).name
            ),
            Incident::Assigned(group, generation, instance, partitions) => {
                let list: Vec<String> = partitions.iter().map(|p| p.0.to_string()).collect();
                format!(
                    "group {}: {} gets {} in generation {generation}",
                    model.group(*group).name,
                    model.instance(*instance).name,
                    match list.is_empty() {
                        true => "no partition".to_string(),
                        false => format!(
                            "{} {}",
                            words::noun_for(list.len() as u64, "partition"),
                            list.join(", ")
                        ),
                    }
                )
            }
        };
        let _ = writeln!(page, "| {} | {} |", words::time_us(at.0), cell(&what));
    }
    page.push('\n');
}

fn render_ownership(
    page: &mut String,
    diagrams: &mut Vec<(String, String)>,
    model: &Scenario,
    report: &RunReport,
    pictures: &Pictures,
    ended: u64,
) {
    let on_log: Vec<GroupId> = model
        .groups
        .iter()
        .filter(|group| !pictures.lag[group.id.index()].is_empty())
        .map(|group| group.id)
        .collect();
    if on_log.is_empty() {
        return;
    }
    page.push_str("## Partition ownership\n\n");
    for &group in &on_log {
        let name = &model.group(group).name;
        let _ = writeln!(page, "### Group {}\n", inline(name));
        let gantt = super::ownership::gantt(model, pictures, group, ended);
        push_diagram(
            page,
            diagrams,
            &charts::numbered("ownership", name, on_log.len()),
            gantt,
        );
        let figures = report
            .streams
            .iter()
            .flat_map(|stream| &stream.groups)
            .find(|g| g.group == *name);
        page.push_str(
            "| partition | owners over the run | max lag | lag at end |\n|---:|---|---:|---:|\n",
        );
        for (partition, max) in pictures.lag_max[group.index()].iter().enumerate() {
            let lag_end = figures
                .and_then(|g| {
                    g.partitions
                        .iter()
                        .find(|p| p.partition as usize == partition)
                })
                .map_or(0, |p| p.lag_end);
            let _ = writeln!(
                page,
                "| {partition} | {} | {max} | {lag_end} |",
                cell(&super::ownership::owners(
                    model,
                    pictures,
                    group,
                    partition as u32
                ))
            );
        }
        page.push('\n');
        if let Some(figures) = figures
            && report.outcome.stop == "drained"
            && figures.lag_end > 0
        {
            let _ = writeln!(
                page,
                "The run ended drained, yet the committed offsets trail the log end by {}: the group had them, but no commit covered them: at the end of a drained run each consumer closes as Kafka's `close()` does, which commits only when auto-commit is on.\n",
                words::count(figures.lag_end, "record")
            );
        }
    }
}

fn render_charts(
    page: &mut String,
    diagrams: &mut Vec<(String, String)>,
    model: &Scenario,
    pictures: &Pictures,
    ended: u64,
) {
    let lag = charts::lag_charts(model, pictures, ended);
    let depth = charts::depth_charts(model, pictures, ended);
    let latency = charts::latency_charts(model, pictures);
    if lag.is_empty() && depth.is_empty() && latency.is_empty() {
        return;
    }
    page.push_str("## Charts\n\n");
    if !lag.is_empty() || !depth.is_empty() {
        let _ = writeln!(page, "{}\n", charts::downsampling(pictures, ended));
    }
    for chart in lag.into_iter().chain(depth).chain(latency) {
        push_chart(page, diagrams, chart);
    }
}

fn push_chart(page: &mut String, diagrams: &mut Vec<(String, String)>, chart: Chart) {
    let _ = writeln!(page, "### {}\n", inline(&chart.heading));
    push_diagram(page, diagrams, &chart.file, chart.mermaid);
    let _ = writeln!(page, "{}", chart.table);
}

/// Each finding's trace lines, as the trace file has them.
fn render_evidence(page: &mut String, evidence: &[Evidence]) {
    for found in evidence {
        let _ = writeln!(
            page,
            "Trace lines of the {} (lines with `{}`):

```json",
            inline(&found.finding),
            found.pattern.replace('`', "'")
        );
        for line in &found.lines {
            let _ = writeln!(page, "{line}");
        }
        page.push_str(
            "```

",
        );
        if found.more > 0 {
            let _ = writeln!(
                page,
                "… and {} (run with `--trace FILE` to see them all).
",
                words::count(found.more, "more line")
            );
        }
    }
}

fn render_findings(page: &mut String, report: &RunReport) {
    page.push_str("## Findings\n\n");
    let mut any = false;
    for stream in &report.streams {
        for group in &stream.groups {
            let c = &group.checks;
            let mut line = |text: String| {
                any = true;
                let _ = writeln!(page, "- group {}: {}", inline(&group.group), inline(&text));
            };
            if c.lost > 0 {
                line(format!(
                    "{} lost (first: {})",
                    words::count(c.lost, "record"),
                    c.first_lost.as_deref().unwrap_or("?")
                ));
            }
            if c.duplicated > 0 {
                line(format!(
                    "{} processed more than once (first: {})",
                    words::count(c.duplicated, "record"),
                    c.first_duplicate.as_deref().unwrap_or("?")
                ));
            }
            if c.key_order_inversions > 0 {
                line(format!(
                    "{} (first: {})",
                    words::count(c.key_order_inversions, "key-order inversion"),
                    c.first_inversion.as_deref().unwrap_or("?")
                ));
            }
            if let Some(inversions) = c.publish_order_inversions.filter(|&n| n > 0) {
                line(format!(
                    "{} (a record first consumed after a later one of the same producer, read \
                     from another partition: a topic is ordered per partition only; first: {})",
                    words::count(inversions, "publish-order inversion"),
                    c.first_publish_order_inversion.as_deref().unwrap_or("?")
                ));
            }
            if let Some(queue) = &group.queue {
                if queue.dead_lettered > 0 {
                    line(format!(
                        "{} left queue {} for its dead-letter exchange",
                        words::count(queue.dead_lettered, "message"),
                        queue.queue
                    ));
                }
                if queue.publish_order_inversions > 0 {
                    line(format!(
                        "{} (a message completed after a later one of the same producer; first: {})",
                        words::count(queue.publish_order_inversions, "publish-order inversion"),
                        queue
                            .first_publish_order_inversion
                            .as_deref()
                            .unwrap_or("?")
                    ));
                }
            }
        }
    }
    for expect in &report.expect {
        any = true;
        let verdict = if expect.passed { "ok" } else { "FAILED" };
        let _ = writeln!(
            page,
            "- expectation {} on {}: {verdict}, {}",
            inline(&expect.check),
            inline(&expect.stream),
            inline(&expect.detail)
        );
    }
    if !any {
        page.push_str("No checker found loss, duplicates or reordering, and the scenario states no expectations.\n");
    }
    page.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_sentence_is_what_a_lesson_teaches() {
        assert_eq!(
            lesson_parts("Keys keep order. Look at p1: it lags."),
            ("Keys keep order.", "Look at p1: it lags.")
        );
        assert_eq!(lesson_parts("v1.2 is out"), ("v1.2 is out", ""));
    }
}

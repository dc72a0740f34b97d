//! Topology diagrams and analyses: the study notes' two pictures rebuilt, Mermaid's limits,
//! findings and impact (the bundled scenarios' diagram snapshots are in `scenarios.rs`).

use std::collections::{BTreeMap, BTreeSet};

use eventlab::cli::topology::{DiagramFormat, diagram_text};
use eventlab::run::{RunOptions, run_scenario};
use eventlab::topology::{self, TopologyGraph};

use crate::common::load;

// ---------------------------------------------------------------------------------------------
// The study notes' two pictures.

/// A Mermaid flowchart reduced to what the notes and eventlab must agree on: node labels,
/// edges between labels, and which labels each subgraph (by its label) holds.
#[derive(Debug, PartialEq, Eq)]
struct Picture {
    nodes: BTreeSet<String>,
    edges: BTreeSet<(String, String)>,
    subgraphs: BTreeMap<String, BTreeSet<String>>,
}

/// Reads the subset of flowchart syntax both sides use: `graph TB`, `subgraph` ... `end`,
/// node definitions with any bracket shape and optionally quoted labels, `A --> B --> C` chains
/// with optional `|label|`s, `%%` comments, `classDef` / `class` lines.
fn parse_mermaid(text: &str) -> Picture {
    let mut labels: BTreeMap<String, String> = BTreeMap::new();
    let mut edges_by_id: Vec<(String, String)> = Vec::new();
    let mut membership: Vec<(String, String)> = Vec::new();
    let mut open: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if line.is_empty()
            || line.starts_with("%%")
            || line.starts_with("graph ")
            || line.starts_with("classDef ")
            || line.starts_with("class ")
        {
            continue;
        }
        if let Some(rest) = line.strip_prefix("subgraph ") {
            let label = match rest.find('[') {
                Some(at) => unquote(rest[at + 1..].trim_end_matches(']')),
                None => rest.trim().to_string(),
            };
            open = Some(label);
            continue;
        }
        if line == "end" {
            open = None;
            continue;
        }
        // Split a chain on arrows, dropping edge labels.
        let mut parts: Vec<String> = Vec::new();
        let mut rest = line.to_string();
        loop {
            let arrow = ["-.->", "-->"]
                .iter()
                .filter_map(|a| rest.find(a).map(|at| (at, a.len())))
                .min();
            let Some((at, len)) = arrow else {
                parts.push(rest.trim().to_string());
                break;
            };
            parts.push(rest[..at].trim().to_string());
            let mut after = rest[at + len..].trim_start().to_string();
            if let Some(stripped) = after.strip_prefix('|') {
                let close = stripped.find('|').expect("closed edge label");
                after = stripped[close + 1..].trim_start().to_string();
            }
            rest = after;
        }
        let ids: Vec<String> = parts
            .iter()
            .map(|part| {
                let id_end = part
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(part.len());
                let id = part[..id_end].to_string();
                let shape = &part[id_end..];
                if !shape.is_empty() {
                    labels.insert(id.clone(), shape_label(shape));
                }
                if let Some(subgraph) = &open {
                    membership.push((subgraph.clone(), id.clone()));
                }
                id
            })
            .collect();
        for pair in ids.windows(2) {
            edges_by_id.push((pair[0].clone(), pair[1].clone()));
        }
    }
    let label = |id: &String| labels.get(id).cloned().unwrap_or_else(|| id.clone());
    let mut subgraphs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (subgraph, id) in &membership {
        subgraphs
            .entry(subgraph.clone())
            .or_default()
            .insert(label(id));
    }
    Picture {
        nodes: labels.values().cloned().collect(),
        edges: edges_by_id
            .iter()
            .map(|(a, b)| (label(a), label(b)))
            .collect(),
        subgraphs,
    }
}

/// The label inside a shape such as `[x]`, `>"x"]`, `[("x")]`, `{{"x"}}`.
fn shape_label(shape: &str) -> String {
    let inner = shape.trim_matches(|c| "[](){}>/".contains(c));
    unquote(inner)
}

fn unquote(text: &str) -> String {
    text.trim()
        .trim_matches('"')
        .replace("#quot;", "\"")
        .replace("#35;", "#")
}

/// The ```mermaid blocks of a text, in order (lines trimmed).
fn mermaid_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut block: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        match (&mut block, trimmed) {
            (None, "```mermaid") => block = Some(String::new()),
            (Some(_), "```") => blocks.push(block.take().expect("open block")),
            (Some(open), _) => {
                open.push_str(trimmed);
                open.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// The study notes' two pictures, from the copy in `tests/fixtures` (users have no
/// `../shared`; the next test keeps the copy true to the notes).
fn notes_mermaid_blocks() -> Vec<String> {
    mermaid_blocks(include_str!("../fixtures/study-notes-mermaid.md"))
}

/// The fixture is the notes' pictures, verbatim. Checked where `../shared/seed` exists; CI sets
/// `EVENTLAB_REQUIRE_SHARED=1` so that a missing `../shared` fails instead of passing quietly.
#[test]
fn the_fixture_holds_the_study_notes_pictures_verbatim() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/seed");
    let Ok(entries) = std::fs::read_dir(dir) else {
        assert!(
            std::env::var_os("EVENTLAB_REQUIRE_SHARED").is_none(),
            "EVENTLAB_REQUIRE_SHARED is set but {dir} is missing"
        );
        return;
    };
    let mut files: Vec<_> = entries
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    files.sort();
    let mut blocks = Vec::new();
    for file in files {
        blocks.extend(mermaid_blocks(
            &std::fs::read_to_string(&file).expect("readable notes"),
        ));
    }
    assert_eq!(blocks, notes_mermaid_blocks());
}

#[test]
fn the_study_notes_pictures_match_eventlabs_diagrams() {
    let blocks = notes_mermaid_blocks();
    assert_eq!(blocks.len(), 2, "the notes hold two Mermaid pictures");
    let notes_microservice = parse_mermaid(&blocks[0]);
    let notes_business = parse_mermaid(&blocks[1]);

    let micro = load("notes-microservice-topology");
    let ours = diagram_text(
        &micro,
        Some("마이크로서비스 토폴로지"),
        DiagramFormat::Mermaid,
    )
    .expect("the service exists");
    assert_eq!(parse_mermaid(&ours), notes_microservice, "{ours}");

    let business = load("notes-business-topology");
    let ours = diagram_text(&business, None, DiagramFormat::Mermaid).expect("business view");
    assert_eq!(parse_mermaid(&ours), notes_business, "{ours}");

    // The comparison sees something: labels, edges and the subgraph are all there.
    assert_eq!(notes_microservice.nodes.len(), 5);
    assert_eq!(notes_microservice.edges.len(), 4);
    assert_eq!(
        notes_microservice.subgraphs["마이크로서비스 토폴로지"],
        BTreeSet::from(["필터 혹은 변환 및 조인", "출력 스트림", "저장소"].map(String::from))
    );
    assert_eq!(notes_business.nodes.len(), 6);
    assert_eq!(notes_business.edges.len(), 5);
}

// ---------------------------------------------------------------------------------------------
// Analyses.

#[test]
fn findings_name_dangling_streams_and_cycles() {
    let model = load("notes-business-topology");
    let graph = TopologyGraph::build(&model);
    let found = topology::findings(&model, &graph);
    assert_eq!(found.no_producer, vec!["이벤트 스트림 A"]);
    assert_eq!(found.no_consumer, vec!["이벤트 스트림 C"]);
    assert!(found.cycles.is_empty());

    let model = load("ecommerce");
    let graph = TopologyGraph::build(&model);
    let found = topology::findings(&model, &graph);
    assert_eq!(
        found.lines(),
        vec![
            "cycle: stream \"orders\" → service \"payment-service\" → stream \"payments\" → service \"order-service\" → stream \"orders\""
        ]
    );
}

#[test]
fn a_service_reading_what_it_writes_is_a_cycle_of_two() {
    let text = r#"{ "name": "loop", "streams": [{ "name": "s" }],
      "services": [{ "name": "echo", "consumes": [{ "stream": "s", "emit": ["s"] }] }] }"#;
    let model = eventlab::scenario::parse_and_validate(text, "loop.json").unwrap();
    let graph = TopologyGraph::build(&model);
    assert_eq!(
        topology::findings(&model, &graph).cycles,
        vec![vec!["stream \"s\"", "service \"echo\"", "stream \"s\""]]
    );
}

#[test]
fn impact_lists_dependents_nearest_first_in_declared_order() {
    let model = load("notes-business-topology");
    let graph = TopologyGraph::build(&model);
    let stream = model.streams[1].id;
    let impact = topology::impact(&model, &graph, stream);
    assert_eq!(
        impact.to_text(),
        "Downstream of stream \"이벤트 스트림 B\": 3 dependents\n   1  service  마이크로서비스 2  (reads stream \"이벤트 스트림 B\")\n   1  service  마이크로서비스 3  (reads stream \"이벤트 스트림 B\")\n   2  stream   이벤트 스트림 C  (written by service \"마이크로서비스 3\")\n"
    );
}

// ---------------------------------------------------------------------------------------------
// Mermaid's limits.

#[test]
fn above_mermaids_limits_services_collapse_into_domains_and_dot_json_keep_everything() {
    let text = topology::generated::generated_scenario(500, 2000, 12);
    let model = eventlab::scenario::parse_and_validate(&text, "generated.json").unwrap();
    let mermaid = diagram_text(&model, None, DiagramFormat::Mermaid).unwrap();
    assert!(
        topology::mermaid::js_length(&mermaid) <= topology::mermaid::MAX_TEXT_SIZE,
        "{} characters",
        mermaid.len()
    );
    let edges = mermaid.lines().filter(|l| l.contains("-->")).count();
    assert!(edges <= topology::mermaid::MAX_EDGES, "{edges} edges");
    assert!(mermaid.contains("%% eventlab: the full topology (2500 nodes, 3000 edges"));
    assert!(mermaid.contains("services are collapsed into their domains"));
    assert!(mermaid.contains("dom0[[\"domain-0\"]]"));
    assert!(!mermaid.contains("service-0"));

    let dot = diagram_text(&model, None, DiagramFormat::Dot).unwrap();
    assert_eq!(dot.lines().filter(|l| l.contains(" -> ")).count(), 3000);
    let json = diagram_text(&model, None, DiagramFormat::Json).unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed["nodes"].as_array().unwrap().len(), 2500);
    assert_eq!(parsed["edges"].as_array().unwrap().len(), 3000);
}

#[test]
fn below_the_limits_nothing_is_collapsed() {
    let text = topology::generated::generated_scenario(20, 40, 3);
    let model = eventlab::scenario::parse_and_validate(&text, "generated.json").unwrap();
    let mermaid = diagram_text(&model, None, DiagramFormat::Mermaid).unwrap();
    assert!(!mermaid.contains("collapsed"));
    assert!(mermaid.contains("sv19(\"service-19\")"));
}

// ---------------------------------------------------------------------------------------------
// Pipelines and tables in a run.

fn run_json(name: &str) -> serde_json::Value {
    let text = eventlab::bundled::find(name).expect("bundled scenario");
    let run = run_scenario(text, name, RunOptions::default()).expect("bundled scenarios are valid");
    serde_json::from_str(&run.json()).expect("the JSON report parses")
}

#[test]
fn run_json_includes_each_tables_final_contents_and_its_check() {
    let report = run_json("entity-events-and-tables");
    let tables = report["tables"].as_array().unwrap();
    assert_eq!(tables.len(), 2);
    for table in tables {
        assert_eq!(table["table"], "users");
        assert_eq!(table["check"]["stream"], "users");
        assert_eq!(table["check"]["matches"], true);
        let rows = table["rows"].as_array().unwrap();
        // 8 users, some deleted by tombstones: fewer rows than keys, each a full User.
        assert!(!rows.is_empty() && rows.len() < 8, "{rows:?}");
        for row in rows {
            assert_eq!(row["value"]["user_id"], row["key"]);
            assert!(row["value"]["version"].as_i64().unwrap() >= 1);
        }
    }
    assert_eq!(tables[0]["rows"], tables[1]["rows"], "both copies agree");
    assert_eq!(tables[1]["changelog_stream"], "support-users-changelog");
}

#[test]
fn scenarios_without_pipelines_or_tables_report_none() {
    let report = run_json("hello-log");
    assert!(report.get("tables").is_none());
    assert!(report.get("pipelines").is_none());
}

#[test]
fn two_writers_show_up_as_conflicting_updates_in_the_consuming_table() {
    let report = run_json("single-writer-violation");
    let table = &report["tables"][0];
    let conflicts = table["conflicting_updates"].as_array().unwrap();
    assert!(!conflicts.is_empty());
    for conflict in conflicts {
        let writers = conflict["writers"].as_array().unwrap();
        assert_eq!(writers.len(), 2);
        assert!(conflict["writer_changes"].as_u64().unwrap() >= 1);
    }
    // The stream itself is the mess: the table is still its latest value per key.
    assert_eq!(table["check"]["matches"], true);
}

#[test]
fn a_join_without_rekey_matches_nothing_and_with_rekey_matches_everything() {
    let report = run_json("rekey-for-join");
    let pipelines = report["pipelines"].as_array().unwrap();
    let find = |service: &str, stream: &str| {
        pipelines
            .iter()
            .find(|p| p["service"] == service && p["stream"] == stream)
            .unwrap()
            .clone()
    };
    let rekeyed = find("enrichment", "orders");
    assert_eq!(rekeyed["records_in"], 30);
    assert_eq!(rekeyed["records_out"], 30);
    let naive = find("naive-enrichment", "orders");
    assert_eq!(naive["records_in"], 30);
    assert_eq!(naive["records_dropped"], 30);
}

#[test]
fn a_table_that_lags_its_stream_fails_the_duality_check_with_the_keys_named() {
    // Support processes each record in 5 ms while users change every 1 ms; the run stops at
    // 30 ms, so support's copy is behind the log.
    let text = r#"{
      "name": "lagging-copy",
      "stop": { "at_us": 30000 },
      "streams": [{ "name": "users", "kind": "entity", "entity": "User" }],
      "services": [
        { "name": "accounts", "produces": [{ "stream": "users", "interval_us": 1000, "count": 25,
          "keys": { "sequential": 5 }, "key_prefix": "user-", "value": { "version": "counter" } }] },
        { "name": "support", "tables": [{ "name": "users" }],
          "consumes": [{ "stream": "users", "materialize": "users", "processing_time_us": { "fixed": 5000 } }] }
      ]
    }"#;
    let run = run_scenario(text, "lagging.json", RunOptions::default()).expect("valid");
    let table = &run.report.tables[0];
    let check = table.check.as_ref().expect("filled straight from users");
    assert!(!check.matches);
    assert_eq!(
        check.mismatch_count, 5,
        "every user has moved on: {check:?}"
    );
    let first = &check.mismatches[0];
    assert_eq!(first.key, "user-0");
    assert!(first.expected.is_some());
    assert_ne!(first.expected, first.found);
    let text = run.text();
    assert!(
        text.contains("check: DIFFERS from the latest value per key of stream users at 5 keys"),
        "{text}"
    );
}

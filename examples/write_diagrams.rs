//! Writes every diagram eventlab draws for the bundled scenarios and the hostile-names fixtures
//! (business view and every service view, Mermaid and Markdown; and the Markdown report of each
//! run with every diagram `--out-dir` writes, under `NAME.report/`) into a directory, for CI to
//! check with the real Mermaid parser: `cargo run --example write_diagrams -- DIR`.

use std::path::PathBuf;

use eventlab::cli::topology::{DiagramFormat, diagram_text};

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).expect("usage: write_diagrams DIR"));
    std::fs::create_dir_all(&dir).expect("create the output directory");
    let mut scenarios: Vec<(String, String)> = eventlab::bundled::SCENARIOS
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect();
    scenarios.push((
        "hostile-names".to_string(),
        include_str!("../tests/fixtures/hostile-names.json").to_string(),
    ));
    scenarios.push((
        "hostile-sequence".to_string(),
        include_str!("../tests/fixtures/hostile-sequence.json").to_string(),
    ));
    // The 1,000,000-record reference run's report too (its size and caps are a slow test).
    scenarios.push((
        "perf-log-1".to_string(),
        include_str!("../benches/perf-log-1.json").to_string(),
    ));
    let mut reports = 0;
    for (name, text) in &scenarios {
        reports += write_report(&dir, name, text);
    }
    let generated = eventlab::topology::generated::generated_scenario(500, 2000, 12);
    // The scenario itself too, to time `eventlab diagram` on it.
    std::fs::write(dir.join("generated-500-services.json"), &generated)
        .expect("write the generated scenario");
    scenarios.push(("generated-500-services".to_string(), generated));
    let mut written = 0;
    scenarios.retain(|(name, _)| name != "perf-log-1");
    for (name, text) in &scenarios {
        let model = eventlab::scenario::parse_and_validate(text, name).expect("valid scenario");
        let mut views: Vec<Option<&str>> = vec![None];
        // The generated topology is there for its (collapsed) business view.
        if !name.starts_with("generated") {
            views.extend(model.services.iter().map(|s| Some(s.name.as_str())));
        }
        for (index, view) in views.iter().enumerate() {
            for (format, extension) in [
                (DiagramFormat::Mermaid, "mmd"),
                (DiagramFormat::Markdown, "md"),
            ] {
                let text = diagram_text(&model, *view, format).expect("known service");
                let file = dir.join(format!("{name}.{index}.{extension}"));
                std::fs::write(&file, text).expect("write a diagram");
                written += 1;
            }
        }
    }
    println!(
        "wrote {written} diagrams and {reports} report files to {}",
        dir.display()
    );
}

/// The Markdown report of a run, as `eventlab run NAME --format markdown --out-dir
/// DIR/NAME.report` writes it (followed keys too, for the hostile names); returns the files.
fn write_report(dir: &std::path::Path, name: &str, text: &str) -> usize {
    let mut written = 0;
    let mut runs = vec![(format!("{name}.report"), None)];
    if name.starts_with("hostile") {
        let model = eventlab::scenario::parse_and_validate(text, name).expect("valid scenario");
        if !model.keys.is_empty() {
            let key = model
                .keys
                .text(eventlab::model::KeyId::from_index(0))
                .to_string();
            runs.push((
                format!("{name}.follow.report"),
                Some(model.keys.get(&key).expect("a key")),
            ));
        }
    }
    for (folder, follow) in runs {
        let options = eventlab::run::RunOptions {
            pictures: Some(eventlab::collect::pictures::PictureOptions {
                follow,
                ..Default::default()
            }),
            ..Default::default()
        };
        let run = eventlab::run::run_scenario(text, name, options).expect("valid scenario");
        let markdown = run.markdown.expect("pictures were asked for");
        let out = dir.join(folder);
        std::fs::create_dir_all(&out).expect("create the report directory");
        std::fs::write(out.join("report.md"), &markdown.page).expect("write the report");
        for (file, diagram) in &markdown.diagrams {
            std::fs::write(out.join(file), diagram).expect("write a diagram");
        }
        written += 1 + markdown.diagrams.len();
    }
    written
}

//! Writes every diagram eventlab draws for the bundled scenarios and the hostile-names fixture
//! (business view and every service view, Mermaid and Markdown) into a directory, for CI to
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
    let generated = eventlab::topology::generated::generated_scenario(500, 2000, 12);
    // The scenario itself too, to time `eventlab diagram` on it.
    std::fs::write(dir.join("generated-500-services.json"), &generated)
        .expect("write the generated scenario");
    scenarios.push(("generated-500-services".to_string(), generated));
    let mut written = 0;
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
    println!("wrote {written} diagrams to {}", dir.display());
}

//! The lessons from the binary: `docs/lessons/` is current, and `lessons`, `explain` and `show`
//! print what a learner needs after `cargo install`.

use crate::common::eventlab_in;

/// Every page `eventlab lessons --write-docs docs/lessons` writes equals the committed one, and
/// docs/lessons holds no other page.
#[test]
fn every_lesson_page_in_docs_lessons_is_current() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/lessons");
    let pages = eventlab::lessons::pages();
    let mut stale = Vec::new();
    for (file, text) in &pages {
        let committed = std::fs::read_to_string(format!("{dir}/{file}")).unwrap_or_default();
        if committed != *text {
            stale.push(file.clone());
        }
    }
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .expect("docs/lessons exists")
        .map(|entry| {
            entry
                .expect("readable")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    on_disk.sort();
    let mut expected: Vec<String> = pages.iter().map(|(file, _)| file.clone()).collect();
    expected.sort();
    assert_eq!(
        on_disk, expected,
        "docs/lessons has pages no lesson writes, or misses some"
    );
    assert!(
        stale.is_empty(),
        "stale lesson pages {stale:?}: run `cargo run -- lessons --write-docs docs/lessons`"
    );
}

#[test]
fn lessons_lists_every_bundled_scenario_in_order_within_80_columns() {
    let output = eventlab_in(&crate::common::scratch_dir("lessons-list"))
        .arg("lessons")
        .output()
        .expect("eventlab runs");
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    let mut at = 0;
    for name in eventlab::bundled::names() {
        let found = text[at..]
            .find(name)
            .unwrap_or_else(|| panic!("{name} missing or out of order"));
        at += found + name.len();
    }
    for line in text.lines() {
        assert!(line.chars().count() <= 80, "over 80 columns: {line}");
    }
}

#[test]
fn show_prints_the_bundled_scenario_exactly() {
    let output = eventlab_in(&crate::common::scratch_dir("lessons-show"))
        .args(["show", "hello-log"])
        .output()
        .expect("eventlab runs");
    assert!(output.status.success());
    assert_eq!(
        output.stdout,
        eventlab::bundled::find("hello-log")
            .expect("bundled")
            .as_bytes()
    );
}

#[test]
fn explain_prints_the_lesson_and_an_unknown_name_is_a_usage_error() {
    let dir = crate::common::scratch_dir("lessons-explain");
    let output = eventlab_in(&dir)
        .args(["explain", "crash-duplicates"])
        .output()
        .expect("eventlab runs");
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(text.starts_with("Lesson 3 of "), "{text}");
    assert!(text.contains("What to look for:"), "{text}");
    let output = eventlab_in(&dir)
        .args(["explain", "hello-lo"])
        .output()
        .expect("eventlab runs");
    assert_eq!(output.status.code(), Some(2));
    let error = String::from_utf8(output.stderr).expect("UTF-8");
    assert!(error.contains("did you mean \"hello-log\""), "{error}");
}

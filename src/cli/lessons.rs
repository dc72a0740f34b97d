//! `eventlab lessons`, `eventlab explain NAME` and `eventlab show NAME`: the bundled lessons
//! from the binary alone, and `lessons --write-docs DIR`, which writes `docs/lessons/`.

use std::path::Path;

use crate::lessons;
use crate::scenario::did_you_mean;

use super::{Failure, print};

pub const LESSONS_HELP: &str = "\
Examples:
  eventlab lessons                             the lessons in order, with what each teaches
  eventlab lessons --write-docs docs/lessons   write one Markdown page per lesson and an index";

pub const EXPLAIN_HELP: &str = "\
Examples:
  eventlab explain hello-log       what hello-log teaches and what to look for in its report
  eventlab explain crash-duplicates";

pub const SHOW_HELP: &str = "\
Examples:
  eventlab show hello-log                  print the scenario file
  eventlab show hello-log > mine.json      copy it, change it, then: eventlab run mine.json";

#[derive(Debug, clap::Args)]
pub struct LessonsArgs {
    /// Write docs/lessons-style pages into DIR instead: README.md (the index and the coverage of
    /// the curriculum's confusions) and NAME.md per lesson (the lesson and its Markdown report).
    #[arg(long, value_name = "DIR")]
    pub write_docs: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct NameArgs {
    /// A bundled scenario's name (see `eventlab lessons`).
    pub name: String,
}

pub(super) fn list(args: &LessonsArgs) -> Result<u8, Failure> {
    let Some(dir) = &args.write_docs else {
        print(&lessons::list_text())?;
        return Ok(0);
    };
    let dir = Path::new(dir);
    std::fs::create_dir_all(dir)
        .map_err(|error| Failure::usage(format!("{}: cannot create: {error}", dir.display())))?;
    for (file, text) in lessons::pages() {
        let path = dir.join(&file);
        std::fs::write(&path, text).map_err(|error| {
            Failure::usage(format!("{}: cannot write: {error}", path.display()))
        })?;
    }
    Ok(0)
}

fn lesson(name: &str) -> Result<lessons::Lesson, Failure> {
    lessons::find(name).ok_or_else(|| {
        Failure::usage(format!(
            "{name}: no bundled scenario of that name{} (eventlab lessons lists them)",
            did_you_mean(name, crate::bundled::names())
        ))
    })
}

pub(super) fn explain(args: &NameArgs) -> Result<u8, Failure> {
    print(&lessons::explain_text(&lesson(&args.name)?))?;
    Ok(0)
}

pub(super) fn show(args: &NameArgs) -> Result<u8, Failure> {
    print(lesson(&args.name)?.text)?;
    Ok(0)
}

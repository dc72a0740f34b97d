//! The options of `eventlab run` that draw pictures (`--window`, `--follow`, `--max-messages`,
//! `--out-dir`), and writing the Markdown report's diagrams into a directory.

use std::path::Path;

use crate::collect::pictures::{MESSAGES_MAX_DEFAULT, PictureOptions};
use crate::model::Scenario;
use crate::report::markdown::MarkdownReport;

use super::{Failure, parse_window_us};

#[derive(Debug, clap::Args)]
pub struct PictureArgs {
    /// The Markdown report's sequence diagram shows this window of virtual time, `FROM..TO`
    /// (e.g. `5s..7s`); without it, the run from its start.
    #[arg(long, value_parser = parse_window_us, value_name = "FROM..TO")]
    pub window: Option<(u64, u64)>,
    /// The sequence diagram follows one key's messages (sends, appends, processing, commits of
    /// their partitions, deliveries, acks), with crashes and rebalances as notes.
    #[arg(long, value_name = "KEY")]
    pub follow: Option<String>,
    /// The most steps the sequence diagram draws; the report says how many it left out.
    #[arg(long, value_name = "N", default_value_t = MESSAGES_MAX_DEFAULT as u64,
          value_parser = clap::value_parser!(u64).range(1..=5000))]
    pub max_messages: u64,
    /// Also write the Markdown report as DIR/report.md and each diagram as its own file
    /// (topology.mmd, sequence.mmd, ownership.mmd, lag.mmd, depth.mmd, latency.mmd; one per
    /// group or queue, named after it, when there are several).
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<String>,
}

impl PictureArgs {
    /// Whether any option asks for the pictures besides `--format markdown`.
    pub fn wanted(&self) -> bool {
        self.out_dir.is_some()
    }

    pub(super) fn options(&self, model: &Scenario) -> Result<PictureOptions, Failure> {
        let follow = match &self.follow {
            None => None,
            Some(key) => match model.keys.get(key) {
                Some(id) => Some(id),
                None => {
                    return Err(Failure::usage(format!(
                        "--follow: scenario \"{}\" produces no record with key \"{key}\"{}",
                        model.name,
                        if model.keys.is_empty() {
                            " (its records have no keys)".to_string()
                        } else {
                            crate::scenario::did_you_mean(
                                key,
                                (0..model.keys.len()).map(|index| {
                                    model.keys.text(crate::model::KeyId::from_index(index))
                                }),
                            )
                        }
                    )));
                }
            },
        };
        Ok(PictureOptions {
            window_us: self.window,
            follow,
            messages_max: self.max_messages as usize,
        })
    }
}

/// Writes `report.md` and every diagram into `dir` (created if missing), with fixed names.
pub(super) fn write_out_dir(dir: &str, report: &MarkdownReport) -> Result<(), Failure> {
    let dir = Path::new(dir);
    let failed = |what: &Path, error: std::io::Error| {
        Failure::usage(format!("{}: cannot write: {error}", what.display()))
    };
    std::fs::create_dir_all(dir).map_err(|error| failed(dir, error))?;
    let page = dir.join("report.md");
    std::fs::write(&page, &report.page).map_err(|error| failed(&page, error))?;
    for (name, text) in &report.diagrams {
        let file = dir.join(name);
        std::fs::write(&file, text).map_err(|error| failed(&file, error))?;
    }
    Ok(())
}

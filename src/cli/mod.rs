//! The command line: clap types, subcommands and exit codes. The only code that touches files,
//! stdout, stderr and the environment.
//!
//! Exit codes: 0 the run completed (checker findings are data); 1 a limit was hit or an
//! `expect` failed; 2 usage or scenario error; 3 an internal invariant broke.

mod compare;
mod duration;

use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::bundled;
use crate::scenario::{self, did_you_mean};
use crate::sim::{SimTime, StopReason};
use crate::simulate::{RunOptions, simulate};

pub use duration::{parse_duration_us, parse_window_us};

const EXAMPLES: &str = "\
Examples:
  eventlab run hello-log                      run a bundled scenario
  eventlab run hello-log --seed 7 --format json
  eventlab run my-shop.json --until 30s --trace trace.jsonl
  eventlab run hello-log --trace t.jsonl --trace-window 10ms..25ms
  eventlab compare queue-vs-log-orders --format markdown
  eventlab validate scenarios/*.json
  eventlab scenarios                          list the bundled scenarios

Exit codes: 0 run completed (findings are data), 1 a limit was hit or an expect failed,
2 usage or scenario error, 3 internal error (with the command that reproduces it).";

/// A deterministic simulation lab for event-driven microservices: the same scenario and seed
/// give the same bytes, on every machine.
#[derive(Debug, Parser)]
#[command(name = "eventlab", version, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario and print its report.
    #[command(after_help = EXAMPLES)]
    Run(RunArgs),
    /// Check scenario files and report every problem (exit 2 if any).
    Validate {
        /// Scenario files or bundled scenario names.
        #[arg(required = true)]
        scenarios: Vec<String>,
    },
    /// List the bundled scenarios and what each teaches.
    Scenarios,
    /// Run a scenario on the log and on the queue and compare them side by side.
    Compare(compare::CompareArgs),
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// A scenario file, or the name of a bundled scenario (see `eventlab scenarios`).
    pub scenario: String,
    /// The seed for every random draw; overrides the scenario's `seed`.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Stop at this virtual time at the latest: an integer with a unit (us, ms, s, m, h, d),
    /// e.g. `30s`.
    #[arg(long, value_parser = parse_duration_us, value_name = "DURATION")]
    pub until: Option<u64>,
    /// Report format: `text` for people, `json` for tools (raw microseconds, stable key order).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the JSON Lines trace here: a header line (trace format, scenario, seed), then one
    /// line per event with `time_us`, `actor`, `kind` and its fields.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<String>,
    /// Only trace events in this window of virtual time, `FROM..TO` (e.g. `10ms..25ms`).
    #[arg(long, value_parser = parse_window_us, value_name = "FROM..TO", requires = "trace")]
    pub trace_window: Option<(u64, u64)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() { 2 } else { 0 };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Run(args) => run(&args),
        Command::Validate { scenarios } => validate(&scenarios),
        Command::Scenarios => list_scenarios(),
        Command::Compare(args) => compare::run(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(Failure::BrokenPipe) => ExitCode::SUCCESS,
        Err(Failure::Message { code, message }) => {
            let mut stderr = io::stderr().lock();
            let _ = writeln!(stderr, "eventlab: {message}");
            ExitCode::from(code)
        }
    }
}

enum Failure {
    /// Stdout was closed (e.g. `| head`): exit quietly.
    BrokenPipe,
    Message {
        code: u8,
        message: String,
    },
}

impl Failure {
    fn usage(message: impl Into<String>) -> Failure {
        Failure::Message {
            code: 2,
            message: message.into(),
        }
    }
}

fn print(text: &str) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Err(Failure::BrokenPipe),
        Err(error) => Err(Failure::Message {
            code: 2,
            message: format!("cannot write the report: {error}"),
        }),
    }
}

/// Reads a scenario argument: a file if one exists, else a bundled scenario's name.
fn load(argument: &str) -> Result<(String, String), Failure> {
    let path = Path::new(argument);
    if path.is_file() {
        let text = std::fs::read_to_string(path)
            .map_err(|error| Failure::usage(format!("{argument}: cannot read: {error}")))?;
        return Ok((argument.to_string(), text));
    }
    if let Some(text) = bundled::find(argument) {
        return Ok((argument.to_string(), text.to_string()));
    }
    Err(Failure::usage(format!(
        "{argument}: no such file or bundled scenario{}",
        did_you_mean(argument, bundled::names()),
    )))
}

fn scenario_errors(errors: &[scenario::ScenarioError]) -> Failure {
    let lines: Vec<String> = errors.iter().map(|error| error.to_string()).collect();
    Failure::Message {
        code: 2,
        message: lines.join("\neventlab: "),
    }
}

fn run(args: &RunArgs) -> Result<u8, Failure> {
    let (origin, text) = load(&args.scenario)?;
    let mut model =
        scenario::parse_and_validate(&text, &origin).map_err(|errors| scenario_errors(&errors))?;
    if let Some(seed) = args.seed {
        model.seed = seed;
    }
    let mut reproduce = format!("eventlab run {} --seed {}", args.scenario, model.seed);
    if let Some(until) = args.until {
        reproduce.push_str(&format!(" --until {until}us"));
    }
    let options = RunOptions {
        until: args.until.map(SimTime),
        reproduce: reproduce.clone(),
        trace_window_us: args.trace_window,
    };

    let trace_file = match &args.trace {
        Some(path) => Some(BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(path).map_err(|error| {
                Failure::usage(format!("{path}: cannot create the trace file: {error}"))
            })?,
        )),
        None => None,
    };
    let trace = trace_file;

    // A panic is a broken invariant in eventlab, never the user's fault: report how to reproduce.
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        simulate(&model, &options, trace)
    }));
    std::panic::set_hook(previous_hook);
    let run = match outcome {
        Ok(Ok(run)) => run,
        Ok(Err(error)) => return Err(Failure::usage(format!("cannot write the trace: {error}"))),
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".to_string());
            return Err(Failure::Message {
                code: 3,
                message: format!("internal error: {what}\nreproduce with: {reproduce}"),
            });
        }
    };

    let rendered = match args.format {
        Format::Text => crate::report::text::render(&run.report),
        Format::Json => crate::report::json::render(&run.report),
    };
    print(&rendered)?;
    if let StopReason::Limit { limit, value } = run.stop {
        let message = match limit.strip_prefix("limits.") {
            Some(name) => {
                format!("run stopped at {name} = {value} (raise \"{limit}\" in the scenario)")
            }
            None => format!(
                "run stopped: more than {value} events pending at once, eventlab's fixed ceiling (lower the rates or the latencies)"
            ),
        };
        return Err(Failure::Message { code: 1, message });
    }
    if !run.report.expectations_met() {
        let failed: Vec<String> = run
            .report
            .expect
            .iter()
            .filter(|expect| !expect.passed)
            .map(|expect| {
                format!(
                    "expect {} on \"{}\" failed: {}",
                    expect.check, expect.stream, expect.detail
                )
            })
            .collect();
        return Err(Failure::Message {
            code: 1,
            message: failed.join("\neventlab: "),
        });
    }
    Ok(0)
}

fn validate(arguments: &[String]) -> Result<u8, Failure> {
    let mut all_errors = Vec::new();
    let mut report = String::new();
    for argument in arguments {
        let (origin, text) = match load(argument) {
            Ok(loaded) => loaded,
            Err(Failure::Message { message, .. }) => {
                all_errors.push(message);
                continue;
            }
            Err(other) => return Err(other),
        };
        match scenario::parse_and_validate(&text, &origin) {
            Ok(model) => report.push_str(&format!(
                "{origin}: ok ({} streams, {} services)\n",
                model.streams.len(),
                model.services.len()
            )),
            Err(errors) => all_errors.extend(errors.iter().map(|error| error.to_string())),
        }
    }
    print(&report)?;
    if all_errors.is_empty() {
        Ok(0)
    } else {
        Err(Failure::usage(all_errors.join("\neventlab: ")))
    }
}

fn list_scenarios() -> Result<u8, Failure> {
    let mut out = String::new();
    for (name, text) in bundled::SCENARIOS {
        let description = scenario::parse(text, name)
            .map(|raw| raw.description)
            .unwrap_or_default();
        let first_sentence = description
            .split(". ")
            .next()
            .unwrap_or("")
            .trim_end_matches('.');
        out.push_str(&format!("{name:<28} {first_sentence}\n"));
    }
    print(&out)?;
    Ok(0)
}

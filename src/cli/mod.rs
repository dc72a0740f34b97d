//! The command line: clap types, subcommands and exit codes. The only code that touches files,
//! stdout, stderr and the environment.
//!
//! Exit codes: 0 the run completed (checker findings are data); 1 a limit was hit or an
//! `expect` failed; 2 usage or scenario error; 3 an internal invariant broke.

mod avro;
mod compare;
mod counterexample;
mod duration;
mod explore;
pub mod lessons;
pub mod pictures;
mod shell;
pub mod topology;

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
  eventlab validate mine.json other.json
  eventlab scenarios                          list the bundled scenarios
  eventlab lessons                            the lessons in order; explain NAME, show NAME
  eventlab run hello-log --format markdown --out-dir hello   report page and diagrams
  eventlab partition --partitions 6 order-1 order-2
  eventlab partition --partitions 6 --partitioner consistent_random order-1
  eventlab assign group.json --format json     run Kafka's assignor on a group
  eventlab diagram hello-log                  draw the topology as a Mermaid flowchart
  eventlab impact hello-log orders            what depends on the orders stream
  eventlab schema                             the scenario format as JSON Schema
  eventlab compat --reader v2.avsc --writer v1.avsc   can v2 read what v1 wrote?
  eventlab codegen order.avsc                 Rust types for an Avro schema
  eventlab explore my-shop.json --seeds 0..1000   which seeds break an expectation

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
    #[command(after_help = VALIDATE_HELP)]
    Validate {
        /// Scenario files or bundled scenario names.
        #[arg(required = true)]
        scenarios: Vec<String>,
    },
    /// List the bundled scenarios and what each teaches.
    #[command(after_help = SCENARIOS_HELP)]
    Scenarios,
    /// Draw a scenario's topology: the business view (services, streams, tables, APIs,
    /// external systems, one subgraph per domain), or one service's pipeline with --service.
    #[command(after_help = DIAGRAM_EXAMPLES)]
    Diagram(topology::DiagramArgs),
    /// List every service, stream, table and API downstream of a stream, nearest first.
    #[command(after_help = IMPACT_HELP)]
    Impact(topology::ImpactArgs),
    /// Print the partition each key goes to, exactly as a Kafka client computes it.
    #[command(after_help = PARTITION_HELP)]
    Partition(PartitionArgs),
    /// Run one of Kafka's consumer-group assignors on a group described in a JSON file.
    #[command(after_help = ASSIGN_HELP)]
    Assign(AssignArgs),
    /// Run a scenario on the log and on the queue and compare them side by side.
    #[command(after_help = COMPARE_HELP)]
    Compare(compare::CompareArgs),
    /// Print the JSON Schema of scenario files, for editors and other tools.
    #[command(after_help = SCHEMA_HELP)]
    Schema,
    /// Check Avro schema compatibility: a reader against a writer, or a candidate version
    /// against a subject's history under a Schema Registry mode.
    #[command(after_help = avro::COMPAT_HELP)]
    Compat(avro::CompatArgs),
    /// Print Rust types (serde structs and enums) generated from an Avro schema file.
    #[command(after_help = avro::CODEGEN_HELP)]
    Codegen(avro::CodegenArgs),
    /// Run a scenario over a range of seeds, in parallel, and summarize which seeds broke which
    /// expectation, with the smallest failing seed and the command that replays it.
    #[command(after_help = explore::EXPLORE_HELP)]
    Explore(explore::ExploreArgs),
    /// Combine the JSON summaries of `explore --shard I/N` runs into the whole range's summary.
    #[command(after_help = explore::MERGE_HELP)]
    ExploreMerge(explore::MergeArgs),
    /// List the bundled lessons in order with what each teaches (or write docs/lessons).
    #[command(after_help = lessons::LESSONS_HELP)]
    Lessons(lessons::LessonsArgs),
    /// Print a bundled lesson's text: what it teaches and what to look for.
    #[command(after_help = lessons::EXPLAIN_HELP)]
    Explain(lessons::NameArgs),
    /// Print a bundled scenario's JSON, to copy and change.
    #[command(after_help = lessons::SHOW_HELP)]
    Show(lessons::NameArgs),
    /// Print a shell completion script.
    #[command(after_help = shell::COMPLETIONS_HELP)]
    Completions(shell::CompletionsArgs),
    /// Print the man page (roff).
    #[command(after_help = shell::MAN_HELP)]
    Man,
}

const VALIDATE_HELP: &str = "\
Examples:
  eventlab validate hello-log                 a bundled scenario
  eventlab validate mine.json other.json      every problem of every file, then exit 2 if any";

const SCENARIOS_HELP: &str = "\
Examples:
  eventlab scenarios                          name and first sentence of each bundled scenario
  eventlab lessons                            the same in lesson order, numbered";

const IMPACT_HELP: &str = "\
Examples:
  eventlab impact ecommerce orders            what depends on the orders stream
  eventlab impact ecommerce users --format json";

const COMPARE_HELP: &str = "\
Examples:
  eventlab compare queue-vs-log-orders        the same workload on the log and on the queue
  eventlab compare dead-letters --format markdown > compare.md";

const SCHEMA_HELP: &str = "\
Every field of a scenario file with its type and description, as JSON Schema (draft 2020-12).
eventlab checks each file against it before reading it, and reports every shape problem
(unknown field, wrong type, missing field) at once. A scenario that starts with
  \"$schema\": \"../docs/scenario.schema.json\"
gets completion and checking in editors that read JSON Schema; the bundled scenarios do,
and docs/scenario.schema.json is this output.

Examples:
  eventlab schema > scenario.schema.json";

const PARTITION_HELP: &str = "\
Partitioners:
  murmur2            Kafka's Java producer (BuiltInPartitioner.partitionForKey):
                     toPositive(murmur2(key)) % partitions
  consistent_random  librdkafka's default (confluent-kafka-go, -python, -dotnet, node-rdkafka):
                     crc32(key) % partitions; an empty key goes to a random partition
  fnv1a32            FNV-1a 32-bit: fnv1a32(key) % partitions

Keys are hashed as their UTF-8 bytes (Kafka's StringSerializer).
Output: KEY<TAB>PARTITION per key; with --format json an array of
{\"key\", \"murmur2\" (signed 32-bit, as Java returns it), \"partition\"}, or \"hash\" (unsigned)
instead of \"murmur2\" for the other partitioners.

Examples:
  eventlab partition --partitions 10 a b c
  eventlab partition --partitions 3 --format json order-42";

const ASSIGN_HELP: &str = "\
FILE:
  {\"strategy\": \"range\",
   \"topics\": {\"topic1\": 3, \"topic2\": 2},
   \"members\": [{\"id\": \"consumer1\", \"instance_id\": null, \"topics\": [\"topic1\"],
                \"owned\": [\"topic1-0\"], \"generation\": 1}]}
  strategy: range, roundrobin, sticky or cooperative-sticky (or the Kafka class name).
  instance_id (group.instance.id), owned and generation are optional.

Output: one `member: topic-N, ...` line per member, sorted by member id; cooperative-sticky
adds `member revokes: ...` lines for partitions that change owner, which nobody gets until the
next rebalance. With --format json: {\"assignment\": {member: [...]}} plus \"revoking\" for
cooperative-sticky.

Examples:
  eventlab assign group.json
  eventlab assign group.json --format json";

#[derive(Debug, clap::Args)]
pub struct PartitionArgs {
    /// The topic's partition count.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub partitions: u32,
    /// The client's partitioner: murmur2 (Kafka's Java client), consistent_random (librdkafka's
    /// default) or fnv1a32.
    #[arg(long, default_value = scenario::defaults::PARTITIONER.name(), value_name = "NAME")]
    pub partitioner: String,
    /// Output format: `text` (KEY<TAB>PARTITION lines) or `json`.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// The record keys.
    #[arg(required = true, value_name = "KEY")]
    pub keys: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct AssignArgs {
    /// The group file (see below).
    pub file: String,
    /// Output format: `text` (`member: t-p, ...` lines) or `json`.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

const DIAGRAM_EXAMPLES: &str = "\
Examples:
  eventlab diagram ecommerce                         Mermaid flowchart of the business topology
  eventlab diagram ecommerce --format markdown       the same in a Markdown page, with findings
  eventlab diagram ecommerce --service shipping-service   one service's pipeline
  eventlab diagram ecommerce --format dot | dot -Tsvg > ecommerce.svg
  eventlab impact ecommerce orders                   what depends on the orders stream";

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
    /// Report format: `text` for people, `json` for tools (raw microseconds, stable key order),
    /// `markdown` for a page with the lesson, tables and Mermaid diagrams (renders on GitHub).
    #[arg(long, value_enum, default_value_t = RunFormat::Text)]
    pub format: RunFormat,
    /// Write the JSON Lines trace here: a header line (trace format, scenario, seed), then one
    /// line per event with `time_us`, `actor`, `kind` and its fields.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<String>,
    /// Only trace events in this window of virtual time, `FROM..TO` (e.g. `10ms..25ms`).
    #[arg(long, value_parser = parse_window_us, value_name = "FROM..TO", requires = "trace")]
    pub trace_window: Option<(u64, u64)>,
    /// List every log partition's segments and records (offset, key, value; tombstones with a
    /// null value) in the JSON report, as they stand when the run ends (with `--until`, then).
    #[arg(long)]
    pub logs: bool,
    #[command(flatten)]
    pub pictures: pictures::PictureArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RunFormat {
    Text,
    Json,
    Markdown,
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
        Command::Partition(args) => partition(&args),
        Command::Assign(args) => assign(&args),
        Command::Diagram(args) => topology::diagram(&args),
        Command::Impact(args) => topology::impact(&args),
        Command::Compare(args) => compare::run(&args),
        Command::Schema => print(&scenario::scenario_schema_text()).map(|()| 0),
        Command::Compat(args) => avro::compat(&args),
        Command::Codegen(args) => avro::codegen(&args),
        Command::Explore(args) => explore::run(&args),
        Command::ExploreMerge(args) => explore::merge(&args),
        Command::Lessons(args) => lessons::list(&args),
        Command::Explain(args) => lessons::explain(&args),
        Command::Show(args) => lessons::show(&args),
        Command::Completions(args) => shell::completions(&args),
        Command::Man => shell::man(),
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
        let text = avro::inline_schema_files(&text, path)?;
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

/// Reads, parses and validates a scenario (a path or a bundled name); `seed` overrides its
/// own.
fn load_model(argument: &str, seed: Option<u64>) -> Result<crate::model::Scenario, Failure> {
    let (origin, text) = load(argument)?;
    let mut model =
        scenario::parse_and_validate(&text, &origin).map_err(|errors| scenario_errors(&errors))?;
    if let Some(seed) = seed {
        model.seed = seed;
    }
    Ok(model)
}

fn run(args: &RunArgs) -> Result<u8, Failure> {
    let model = load_model(&args.scenario, args.seed)?;
    let mut reproduce = format!("eventlab run {} --seed {}", args.scenario, model.seed);
    if let Some(until) = args.until {
        reproduce.push_str(&format!(" --until {until}us"));
    }
    let options = RunOptions {
        until: args.until.map(SimTime),
        reproduce: reproduce.clone(),
        trace_window_us: args.trace_window,
        logs: args.logs,
        pictures: match args.format == RunFormat::Markdown || args.pictures.wanted() {
            true => Some(args.pictures.options(&model)?),
            false => None,
        },
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

    let run = match catch_internal_error(&reproduce, || simulate(&model, &options, trace))? {
        Ok(run) => run,
        Err(error) => return Err(Failure::usage(format!("cannot write the trace: {error}"))),
    };

    let markdown = run.pictures.as_ref().map(|pictures| {
        let evidence = crate::run::evidence(&model, &run.report, args.until.map(SimTime));
        crate::report::markdown::render(&model, &run.report, pictures, &evidence)
    });
    if let (Some(dir), Some(markdown)) = (&args.pictures.out_dir, &markdown) {
        pictures::write_out_dir(dir, markdown)?;
    }
    let rendered = match (args.format, markdown) {
        (RunFormat::Text, _) => crate::report::text::render(&run.report),
        (RunFormat::Json, _) => crate::report::json::render(&run.report),
        (RunFormat::Markdown, Some(markdown)) => markdown.page,
        (RunFormat::Markdown, None) => unreachable!("markdown runs gather pictures"),
    };
    print(&rendered)?;
    if let StopReason::Limit { limit, value } = run.stop {
        return Err(Failure::Message {
            code: 1,
            message: limit_message("run", limit, value),
        });
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
        let first = run.report.expect.iter().find(|expect| !expect.passed);
        let shown = first
            .map(|expect| counterexample_text(&model, &options, &expect.detail))
            .unwrap_or_default();
        return Err(Failure::Message {
            code: 1,
            message: format!(
                "{}{shown}\neventlab: replay with: {}",
                failed.join("\neventlab: "),
                run.report.reproduce
            ),
        });
    }
    Ok(0)
}

/// The first counterexample's trace lines, from the same run made again with its trace kept
/// (the run is deterministic, so it is the same run); empty when the detail names no message.
fn counterexample_text(
    model: &crate::model::Scenario,
    options: &RunOptions,
    detail: &str,
) -> String {
    let options = RunOptions {
        trace_window_us: None,
        ..options.clone()
    };
    let mut trace = Vec::new();
    if simulate(model, &options, Some(&mut trace)).is_err() {
        return String::new();
    }
    let trace = String::from_utf8_lossy(&trace);
    let Some((message, lines)) = counterexample::lines(&trace, detail) else {
        return String::new();
    };
    let mut text = format!("\neventlab: counterexample {message}, in the trace:");
    for line in lines {
        text.push_str("\n  ");
        text.push_str(line);
    }
    text
}

/// Why a run (`run`, or "the log run" of a compare) stopped at a limit, and what the learner
/// can do: raise a scenario limit, or stay under the fixed pending-events ceiling.
fn limit_message(run: &str, limit: &str, value: u64) -> String {
    match limit.strip_prefix("limits.") {
        Some(name) => {
            format!("{run} stopped at {name} = {value} (raise \"{limit}\" in the scenario)")
        }
        None => format!(
            "{run} stopped: more than {value} events pending at once, eventlab's fixed ceiling (lower the rates or the latencies)"
        ),
    }
}

/// Runs `work`; a panic is a broken invariant in eventlab, never the user's fault, so it becomes
/// exit 3 with the command that reproduces it (and no panic message on stderr).
fn catch_internal_error<T>(reproduce: &str, work: impl FnOnce() -> T) -> Result<T, Failure> {
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
    std::panic::set_hook(previous_hook);
    outcome.map_err(|panic| {
        let what = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "unknown panic".to_string());
        Failure::Message {
            code: 3,
            message: format!("internal error: {what}\nreproduce with: {reproduce}"),
        }
    })
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
            Ok(model) => {
                report.push_str(&format!(
                    "{origin}: ok ({} streams, {} services)\n",
                    model.streams.len(),
                    model.services.len()
                ));
                report.push_str(&topology::validation_warnings(&model, &origin));
            }
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

fn partition(args: &PartitionArgs) -> Result<u8, Failure> {
    use crate::model::Partitioner;
    let table = scenario::choice::partitioners();
    let choices = scenario::choice::Choices {
        noun: "partitioner",
        table: &table,
    };
    let Some(partitioner) = choices.find(&args.partitioner) else {
        return Err(Failure::usage(format!(
            "--partitioner: {}",
            choices.unknown(&args.partitioner)
        )));
    };
    if partitioner == Partitioner::ConsistentRandom && args.keys.iter().any(String::is_empty) {
        return Err(Failure::usage(
            "an empty key has no fixed partition with consistent_random (librdkafka picks a random one)",
        ));
    }
    let placements = crate::report::tools::place_keys(partitioner, args.partitions, &args.keys);
    print(&match args.format {
        Format::Text => crate::report::tools::placements_text(&placements),
        Format::Json => crate::report::tools::placements_json(&placements),
    })?;
    Ok(0)
}

fn assign(args: &AssignArgs) -> Result<u8, Failure> {
    let text = std::fs::read_to_string(&args.file)
        .map_err(|error| Failure::usage(format!("{}: cannot read: {error}", args.file)))?;
    let output = assign_output(&text, &args.file, args.format).map_err(Failure::usage)?;
    print(&output)?;
    Ok(0)
}

/// `eventlab assign` without the file and the terminal: the group file's text in, the report
/// (or every problem, one per line, without the `eventlab: ` prefix) out.
pub fn assign_output(text: &str, origin: &str, format: Format) -> Result<String, String> {
    let group = scenario::assign_file::parse_and_validate(text, origin).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        lines.join("\neventlab: ")
    })?;
    let result = crate::log::assignor::assign(
        group.strategy,
        &group.partitions_per_topic,
        &group.subscriptions,
    )
    .map_err(|error| format!("{origin}: {error}"))?;
    let report = crate::report::tools::AssignReport::new(group.strategy, &result);
    Ok(match format {
        Format::Text => report.text(),
        Format::Json => report.json(),
    })
}

//! `eventlab compat` and `eventlab codegen`: Avro schema files in, a verdict or Rust types out.
//!
//! `compat --reader R --writer W` asks Avro's question (can R read what W wrote?);
//! `compat --mode MODE --history V1 V2 ... --candidate VN` asks Confluent Schema Registry's
//! (would the registry accept VN as the next version?). Exit 0: compatible; 1: not; 2: a bad
//! file or bad flags. Each incompatibility is printed with Avro Java's type name, a JSON pointer
//! into the reading schema, and Java's message.

use super::{Failure, Format, print};
use crate::schema::compat::VersionIncompatibility;
use crate::schema::{
    CompatibilityMode, Incompatibility, Schema, check_reader_writer, check_with_history,
};

pub const COMPAT_HELP: &str = "\
Two forms:
  eventlab compat --reader R.avsc --writer W.avsc
      can a consumer reading with R decode every record written with W?
      (Avro Java's SchemaCompatibility.checkReaderWriterCompatibility)
  eventlab compat --mode MODE --history v1.avsc v2.avsc ... --candidate v3.avsc
      would Confluent Schema Registry register v3 after v1, v2 under MODE?
      MODE: NONE, BACKWARD (the new schema reads the latest version's data; the registry's
      default), BACKWARD_TRANSITIVE (reads every version's data), FORWARD (the latest version
      reads the new schema's data), FORWARD_TRANSITIVE, FULL (both), FULL_TRANSITIVE.

Output: `compatible` or `incompatible`, then one line per incompatibility:
  TYPE at LOCATION: MESSAGE
with Avro's types (READER_FIELD_MISSING_DEFAULT_VALUE, TYPE_MISMATCH, MISSING_ENUM_SYMBOLS,
MISSING_UNION_BRANCH, NAME_MISMATCH, FIXED_SIZE_MISMATCH) and LOCATION a JSON pointer into the
reading schema. --format json: {\"compatible\": bool, \"incompatibilities\": [{\"type\",
\"location\", \"message\"}]}; the history form adds \"version\" (1 = the first file) and
\"reader\" (\"new\": the candidate reading that version's data, \"old\": the version reading the
candidate's).

Exit codes: 0 compatible, 1 incompatible, 2 a bad schema file or bad flags.

Examples: (the two echo lines write two versions of a schema to try it on)
  echo '{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"qty\",\"type\":\"int\"}]}' > v1.avsc
  echo '{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"qty\",\"type\":\"long\"}]}' > v2.avsc
  eventlab compat --reader v2.avsc --writer v1.avsc     compatible: int is promoted to long
  eventlab compat --reader v1.avsc --writer v2.avsc     incompatible: a long does not fit an int
  eventlab compat --mode FULL --history v1.avsc --candidate v2.avsc --format json";

/// The `codegen` subcommand's help after the options.
pub const CODEGEN_HELP: &str = "\
Structs and enums derive serde's Serialize and Deserialize; a union with null is an Option,
other unions are enums in Avro's JSON encoding; a recursive record is boxed.

Examples:
  echo '{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}' > order.avsc
  eventlab codegen order.avsc > order.rs";

#[derive(Debug, clap::Args)]
pub struct CompatArgs {
    /// The schema a consumer reads with.
    #[arg(long, value_name = "FILE", requires = "writer", conflicts_with_all = ["mode", "history", "candidate"])]
    pub reader: Option<String>,
    /// The schema the data was written with.
    #[arg(long, value_name = "FILE", requires = "reader")]
    pub writer: Option<String>,
    /// The subject's compatibility mode (Confluent's names, e.g. BACKWARD).
    #[arg(long, value_name = "MODE", requires_all = ["history", "candidate"])]
    pub mode: Option<String>,
    /// The registered versions, oldest first.
    #[arg(long, value_name = "FILE", num_args = 1.., requires = "mode")]
    pub history: Vec<String>,
    /// The schema to register next.
    #[arg(long, value_name = "FILE", requires = "mode")]
    pub candidate: Option<String>,
    /// `text` or `json`.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, clap::Args)]
pub struct CodegenArgs {
    /// The `.avsc` schema file.
    pub schema: String,
}

fn read_schema(path: &str) -> Result<Schema, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| Failure::usage(format!("{path}: cannot read: {error}")))?;
    crate::schema::parse_schema(&text).map_err(|error| Failure::usage(format!("{path}: {error}")))
}

pub fn compat(args: &CompatArgs) -> Result<u8, Failure> {
    let (compatible, rendered) = match (&args.reader, &args.writer, &args.mode, &args.candidate) {
        (Some(reader), Some(writer), None, None) => {
            let found = check_reader_writer(&read_schema(reader)?, &read_schema(writer)?);
            (found.is_empty(), render_pair(&found, args.format))
        }
        (None, None, Some(mode), Some(candidate)) => {
            let mode = CompatibilityMode::from_name(mode).ok_or_else(|| {
                let names: Vec<&str> = CompatibilityMode::ALL
                    .iter()
                    .map(|mode| mode.name())
                    .collect();
                Failure::usage(format!(
                    "--mode: unknown mode \"{mode}\" (expected one of {})",
                    names.join(", ")
                ))
            })?;
            let history = args
                .history
                .iter()
                .map(|path| read_schema(path))
                .collect::<Result<Vec<_>, _>>()?;
            let found = check_with_history(mode, &read_schema(candidate)?, &history);
            (
                found.is_empty(),
                render_history(mode, &found, &args.history, args.format),
            )
        }
        _ => {
            return Err(Failure::usage(
                "compat: give --reader and --writer, or --mode, --history and --candidate (see eventlab compat --help)",
            ));
        }
    };
    print(&rendered)?;
    Ok(if compatible { 0 } else { 1 })
}

pub fn codegen(args: &CodegenArgs) -> Result<u8, Failure> {
    let schema = read_schema(&args.schema)?;
    let origin = std::path::Path::new(&args.schema).file_name().map_or_else(
        || args.schema.clone(),
        |name| name.to_string_lossy().into_owned(),
    );
    print(&crate::schema::codegen::generate(&schema, &origin))?;
    Ok(0)
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

fn incompatibility_json(item: &Incompatibility, extra: &str) -> String {
    format!(
        "{{\"type\": {}, \"location\": {}, \"message\": {}{extra}}}",
        json_string(item.kind.java_name()),
        json_string(&item.location),
        json_string(&item.message)
    )
}

fn render_json(compatible: bool, items: &[String]) -> String {
    if items.is_empty() {
        return format!("{{\"compatible\": {compatible}, \"incompatibilities\": []}}\n");
    }
    format!(
        "{{\"compatible\": {compatible}, \"incompatibilities\": [\n  {}\n]}}\n",
        items.join(",\n  ")
    )
}

/// The pair form's output.
pub fn render_pair(found: &[Incompatibility], format: Format) -> String {
    match format {
        Format::Json => {
            let items: Vec<String> = found
                .iter()
                .map(|item| incompatibility_json(item, ""))
                .collect();
            render_json(found.is_empty(), &items)
        }
        Format::Text if found.is_empty() => {
            "compatible: the reader schema can read every record written with the writer schema\n"
                .to_string()
        }
        Format::Text => {
            let mut out = format!(
                "incompatible: the reader schema cannot read every record written with the writer schema ({} {})\n",
                found.len(),
                if found.len() == 1 {
                    "incompatibility"
                } else {
                    "incompatibilities"
                }
            );
            for item in found {
                out.push_str(&format!("{item}\n"));
            }
            out
        }
    }
}

/// The history form's output; `paths` name the versions.
pub fn render_history(
    mode: CompatibilityMode,
    found: &[VersionIncompatibility],
    paths: &[String],
    format: Format,
) -> String {
    match format {
        Format::Json => {
            let items: Vec<String> = found
                .iter()
                .map(|item| {
                    let extra = format!(
                        ", \"version\": {}, \"reader\": \"{}\"",
                        item.version,
                        item.reader.name()
                    );
                    incompatibility_json(&item.incompatibility, &extra)
                })
                .collect();
            render_json(found.is_empty(), &items)
        }
        Format::Text if found.is_empty() => {
            format!(
                "compatible: {mode} accepts the candidate after {} registered version(s)\n",
                paths.len()
            )
        }
        Format::Text => {
            let mut versions: Vec<u32> = found.iter().map(|item| item.version).collect();
            versions.dedup();
            let named: Vec<String> = versions
                .iter()
                .map(|version| format!("version {version} ({})", paths[*version as usize - 1]))
                .collect();
            let mut out = format!(
                "incompatible: {mode} refuses the candidate; it fails against {}\n",
                named.join(", ")
            );
            for item in found {
                let direction = match item.reader {
                    crate::schema::compat::Reader::New => "the candidate reading its data",
                    crate::schema::compat::Reader::Old => "it reading the candidate's data",
                };
                out.push_str(&format!(
                    "version {} ({direction}): {}\n",
                    item.version, item.incompatibility
                ));
            }
            out
        }
    }
}

/// Puts the `.avsc` files a scenario file names (`streams[].schema`, `consumes[].schema`,
/// `schema_upgrades[].schema`; a string ending in `.avsc` or holding a `/`) into its text,
/// read relative to the scenario's directory, so validation sees only inline schemas. The text
/// comes back unchanged when it names no file (or is not JSON: validation reports that).
pub(super) fn inline_schema_files(
    text: &str,
    scenario_path: &std::path::Path,
) -> Result<String, Failure> {
    let Ok(mut document) = serde_json::from_str::<serde_json::Value>(text) else {
        return Ok(text.to_string());
    };
    let dir = scenario_path
        .parent()
        .unwrap_or_else(|| std::path::Path::new(""));
    let mut slots: Vec<&mut serde_json::Value> = Vec::new();
    collect_schema_slots(&mut document, &mut slots);
    let mut changed = false;
    for slot in slots {
        if !crate::scenario::schema_is_path(slot) {
            continue;
        }
        let name = slot.as_str().expect("a path is a string").to_string();
        let file = dir.join(&name);
        let schema_text = std::fs::read_to_string(&file)
            .map_err(|error| Failure::usage(format!("{}: cannot read: {error}", file.display())))?;
        let schema: serde_json::Value = serde_json::from_str(&schema_text).map_err(|error| {
            Failure::usage(format!(
                "{}: line {}, column {}: not JSON",
                file.display(),
                error.line(),
                error.column()
            ))
        })?;
        *slot = schema;
        changed = true;
    }
    if !changed {
        return Ok(text.to_string());
    }
    Ok(serde_json::to_string_pretty(&document).expect("a JSON value serializes"))
}

/// Every place a scenario may hold a schema, in document order.
fn collect_schema_slots<'a>(
    document: &'a mut serde_json::Value,
    slots: &mut Vec<&'a mut serde_json::Value>,
) {
    let Some(object) = document.as_object_mut() else {
        return;
    };
    let mut streams = None;
    let mut services = None;
    for (key, value) in object.iter_mut() {
        match key.as_str() {
            "streams" => streams = value.as_array_mut(),
            "services" => services = value.as_array_mut(),
            _ => {}
        }
    }
    for stream in streams.into_iter().flatten() {
        if let Some(schema) = stream.get_mut("schema") {
            slots.push(schema);
        }
    }
    for service in services.into_iter().flatten() {
        let Some(service) = service.as_object_mut() else {
            continue;
        };
        for (key, entries) in service.iter_mut() {
            if key != "produces" && key != "consumes" {
                continue;
            }
            for entry in entries.as_array_mut().into_iter().flatten() {
                let Some(fields) = entry.as_object_mut() else {
                    continue;
                };
                let mut own = None;
                let mut later = None;
                for (field, value) in fields.iter_mut() {
                    match field.as_str() {
                        "schema" => own = Some(value),
                        "schema_upgrades" => later = Some(value),
                        _ => {}
                    }
                }
                if let Some(own) = own {
                    slots.push(own);
                }
                if let Some(list) = later.and_then(serde_json::Value::as_array_mut) {
                    for upgrade in list {
                        if let Some(schema) = upgrade.get_mut("schema") {
                            slots.push(schema);
                        }
                    }
                }
            }
        }
    }
}

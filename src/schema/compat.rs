//! Schema compatibility: can a reader schema read every datum written with a writer schema, and
//! does a new schema version pass a subject's compatibility mode.
//!
//! `check_reader_writer` is Avro Java's `SchemaCompatibility.checkReaderWriterCompatibility`
//! (1.11, `ReaderWriterCompatibilityChecker`) line by line: the same walk, the same six
//! incompatibility types and messages (`reader type: INT not compatible with writer type:
//! STRING`), the same locations — a JSON pointer into the reader schema built from the tokens
//! `fields`, the field position, `type`, `items`, `values`, `symbols`, `size`, `name` and union
//! branch positions — including Java's quirks: a union's branches are checked with a fresh
//! location (so an incompatibility inside one reports a location from that branch's root), and a
//! reader/writer node pair is memoized, which both ends recursion (a pair in progress counts as
//! compatible) and means a named type checked twice reports its problems where it was first met.
//! Named types match on their unqualified name or a reader alias naming the writer's full name
//! (`schemaNameEquals`); an enum reader with a default reads any writer symbol; a reader field
//! missing from the writer needs a default, or an enum type with an enum default.
//!
//! `check_with_history` is Confluent Schema Registry's `CompatibilityChecker`: `BACKWARD` (the
//! new schema reads the latest version's data), `FORWARD` (the latest reads the new schema's
//! data), `FULL` (both, forward first, as `mutualReadStrategy`), their `_TRANSITIVE` forms
//! (against every version, newest first) and `NONE`. Confluent stops at the first version that
//! fails; this check goes on and names every failing version, newest first, so its first entry is
//! the version Confluent names and the verdict is the same.

use std::collections::BTreeMap;
use std::fmt;

use super::{Kind, NodeId, Schema, Type};

/// Avro Java's `SchemaCompatibility.SchemaIncompatibilityType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum IncompatibilityType {
    NameMismatch,
    FixedSizeMismatch,
    MissingEnumSymbols,
    ReaderFieldMissingDefaultValue,
    TypeMismatch,
    MissingUnionBranch,
}

impl IncompatibilityType {
    pub fn java_name(self) -> &'static str {
        match self {
            IncompatibilityType::NameMismatch => "NAME_MISMATCH",
            IncompatibilityType::FixedSizeMismatch => "FIXED_SIZE_MISMATCH",
            IncompatibilityType::MissingEnumSymbols => "MISSING_ENUM_SYMBOLS",
            IncompatibilityType::ReaderFieldMissingDefaultValue => {
                "READER_FIELD_MISSING_DEFAULT_VALUE"
            }
            IncompatibilityType::TypeMismatch => "TYPE_MISMATCH",
            IncompatibilityType::MissingUnionBranch => "MISSING_UNION_BRANCH",
        }
    }
}

impl fmt::Display for IncompatibilityType {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.java_name())
    }
}

/// One reason a reader cannot read a writer's data (Java's `Incompatibility`, without the
/// schema fragments).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incompatibility {
    pub kind: IncompatibilityType,
    /// A JSON pointer into the reader schema (`/fields/1/type`; `/` for the root).
    pub location: String,
    pub message: String,
}

impl fmt::Display for Incompatibility {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{} at {}: {}",
            self.kind, self.location, self.message
        )
    }
}

/// Every incompatibility of reading `writer`'s data with `reader`, in Java's order; empty when
/// the reader can read everything the writer writes.
pub fn check_reader_writer(reader: &Schema, writer: &Schema) -> Vec<Incompatibility> {
    let mut checker = Checker {
        reader,
        writer,
        memo: BTreeMap::new(),
    };
    checker.compatibility_from_root(reader.root(), writer.root())
}

#[derive(Clone)]
enum Memo {
    InProgress,
    Done(Vec<Incompatibility>),
}

struct Checker<'a> {
    reader: &'a Schema,
    writer: &'a Schema,
    memo: BTreeMap<(NodeId, NodeId), Memo>,
}

/// Java's `getLocation`: the tokens after the root, `/`-joined, with `~` and `/` escaped.
fn pointer(location: &[String]) -> String {
    let escaped: Vec<String> = location
        .iter()
        .skip(1)
        .map(|token| token.replace('~', "~0").replace('/', "~1"))
        .collect();
    format!("/{}", escaped.join("/"))
}

impl Checker<'_> {
    /// Java's two-argument `getCompatibility(reader, writer)`: a fresh location.
    fn compatibility_from_root(&mut self, reader: NodeId, writer: NodeId) -> Vec<Incompatibility> {
        let mut location = Vec::new();
        self.compatibility(String::new(), reader, writer, &mut location)
    }

    fn compatibility(
        &mut self,
        token: String,
        reader: NodeId,
        writer: NodeId,
        location: &mut Vec<String>,
    ) -> Vec<Incompatibility> {
        location.push(token);
        let result = match self.memo.get(&(reader, writer)) {
            // Break the recursion: schemas are compatible unless proven incompatible.
            Some(Memo::InProgress) => Vec::new(),
            Some(Memo::Done(result)) => result.clone(),
            None => {
                self.memo.insert((reader, writer), Memo::InProgress);
                let result = self.calculate(reader, writer, location);
                self.memo
                    .insert((reader, writer), Memo::Done(result.clone()));
                result
            }
        };
        location.pop();
        result
    }

    fn incompatible(
        kind: IncompatibilityType,
        message: String,
        location: &[String],
    ) -> Vec<Incompatibility> {
        vec![Incompatibility {
            kind,
            location: pointer(location),
            message,
        }]
    }

    fn type_mismatch(
        &self,
        reader: NodeId,
        writer: NodeId,
        location: &[String],
    ) -> Vec<Incompatibility> {
        let message = format!(
            "reader type: {} not compatible with writer type: {}",
            self.reader.kind(reader).type_of().java_name(),
            self.writer.kind(writer).type_of().java_name()
        );
        Self::incompatible(IncompatibilityType::TypeMismatch, message, location)
    }

    fn calculate(
        &mut self,
        reader: NodeId,
        writer: NodeId,
        location: &mut Vec<String>,
    ) -> Vec<Incompatibility> {
        let reader_kind = self.reader.kind(reader);
        let writer_kind = self.writer.kind(writer);
        let reader_type = reader_kind.type_of();
        let writer_type = writer_kind.type_of();
        if reader_type == writer_type {
            return self.calculate_same_type(reader, writer, location);
        }
        // Reader compatible with all branches of a writer union is compatible.
        if let Kind::Union { branches } = writer_kind {
            let mut result = Vec::new();
            for (position, branch) in branches.clone().into_iter().enumerate() {
                result.extend(self.compatibility(position.to_string(), reader, branch, location));
            }
            return result;
        }
        let promoted = match reader_type {
            Type::Long => writer_type == Type::Int,
            Type::Float => matches!(writer_type, Type::Int | Type::Long),
            Type::Double => matches!(writer_type, Type::Int | Type::Long | Type::Float),
            Type::Bytes => writer_type == Type::String,
            Type::String => writer_type == Type::Bytes,
            _ => false,
        };
        if promoted {
            return Vec::new();
        }
        if let Kind::Union { branches } = reader_kind {
            for branch in branches.clone() {
                if self.compatibility_from_root(branch, writer).is_empty() {
                    return Vec::new();
                }
            }
            // No branch in the reader union has been found compatible with the writer schema.
            let message = format!(
                "reader union lacking writer type: {}",
                writer_type.java_name()
            );
            return Self::incompatible(IncompatibilityType::MissingUnionBranch, message, location);
        }
        self.type_mismatch(reader, writer, location)
    }

    fn calculate_same_type(
        &mut self,
        reader: NodeId,
        writer: NodeId,
        location: &mut Vec<String>,
    ) -> Vec<Incompatibility> {
        match (self.reader.kind(reader), self.writer.kind(writer)) {
            (
                Kind::Array {
                    items: reader_items,
                },
                Kind::Array {
                    items: writer_items,
                },
            ) => {
                let (reader_items, writer_items) = (*reader_items, *writer_items);
                self.compatibility("items".to_string(), reader_items, writer_items, location)
            }
            (
                Kind::Map {
                    values: reader_values,
                },
                Kind::Map {
                    values: writer_values,
                },
            ) => {
                let (reader_values, writer_values) = (*reader_values, *writer_values);
                self.compatibility("values".to_string(), reader_values, writer_values, location)
            }
            (Kind::Fixed(reader_fixed), Kind::Fixed(writer_fixed)) => {
                let mut result = self.check_names(reader, writer, location);
                location.push("size".to_string());
                if reader_fixed.size != writer_fixed.size {
                    let message = format!(
                        "expected: {}, found: {}",
                        writer_fixed.size, reader_fixed.size
                    );
                    result.extend(Self::incompatible(
                        IncompatibilityType::FixedSizeMismatch,
                        message,
                        location,
                    ));
                }
                location.pop();
                result
            }
            (Kind::Enum(_), Kind::Enum(_)) => {
                let mut result = self.check_names(reader, writer, location);
                result.extend(self.check_enum_symbols(reader, writer, location));
                result
            }
            (Kind::Record(_), Kind::Record(_)) => {
                let mut result = self.check_names(reader, writer, location);
                result.extend(self.check_record_fields(reader, writer, location));
                result
            }
            (Kind::Union { .. }, Kind::Union { branches }) => {
                // Check that each individual branch of the writer union can be decoded.
                let mut result = Vec::new();
                for (position, branch) in branches.clone().into_iter().enumerate() {
                    location.push(position.to_string());
                    if !self.compatibility_from_root(reader, branch).is_empty() {
                        let message = format!(
                            "reader union lacking writer type: {}",
                            self.writer.kind(branch).type_of().java_name()
                        );
                        result.extend(Self::incompatible(
                            IncompatibilityType::MissingUnionBranch,
                            message,
                            location,
                        ));
                    }
                    location.pop();
                }
                result
            }
            // Primitives of one type are compatible.
            _ => Vec::new(),
        }
    }

    /// Java's `checkReaderEnumContainsAllWriterEnumSymbols`.
    fn check_enum_symbols(
        &self,
        reader: NodeId,
        writer: NodeId,
        location: &mut Vec<String>,
    ) -> Vec<Incompatibility> {
        let (Kind::Enum(reader_enum), Kind::Enum(writer_enum)) =
            (self.reader.kind(reader), self.writer.kind(writer))
        else {
            unreachable!("both are enums");
        };
        let mut result = Vec::new();
        location.push("symbols".to_string());
        // Java collects the missing symbols in a TreeSet: sorted, printed as `[A, B]`.
        let mut missing: Vec<&String> = writer_enum
            .symbols
            .iter()
            .filter(|symbol| !reader_enum.symbols.contains(symbol))
            .collect();
        missing.sort();
        missing.dedup();
        let reader_default_usable = reader_enum
            .default
            .as_ref()
            .is_some_and(|default| reader_enum.symbols.contains(default));
        if !missing.is_empty() && !reader_default_usable {
            let names: Vec<&str> = missing.iter().map(|symbol| symbol.as_str()).collect();
            let message = format!("[{}]", names.join(", "));
            result.extend(Self::incompatible(
                IncompatibilityType::MissingEnumSymbols,
                message,
                location,
            ));
        }
        location.pop();
        result
    }

    /// Java's `schemaNameEquals`: the unqualified names are equal, or a reader alias is the
    /// writer's full name.
    fn check_names(
        &self,
        reader: NodeId,
        writer: NodeId,
        location: &mut Vec<String>,
    ) -> Vec<Incompatibility> {
        let reader_kind = self.reader.kind(reader);
        let writer_name = self.writer.kind(writer).name().expect("a named type");
        let reader_name = reader_kind.name().expect("a named type");
        let writer_full_name = writer_name.full_name();
        let equal = reader_name.name == writer_name.name
            || reader_kind.aliases().contains(&writer_full_name);
        location.push("name".to_string());
        let result = if equal {
            Vec::new()
        } else {
            Self::incompatible(
                IncompatibilityType::NameMismatch,
                format!("expected: {writer_full_name}"),
                location,
            )
        };
        location.pop();
        result
    }

    fn check_record_fields(
        &mut self,
        reader: NodeId,
        writer: NodeId,
        location: &mut Vec<String>,
    ) -> Vec<Incompatibility> {
        let (Kind::Record(reader_record), Kind::Record(writer_record)) =
            (self.reader.kind(reader), self.writer.kind(writer))
        else {
            unreachable!("both are records");
        };
        let mut result = Vec::new();
        location.push("fields".to_string());
        for (position, reader_field) in reader_record.fields.iter().enumerate() {
            location.push(position.to_string());
            match lookup_writer_field(writer_record, reader_field) {
                Some(writer_field) => {
                    result.extend(self.compatibility(
                        "type".to_string(),
                        reader_field.schema,
                        writer_field,
                        location,
                    ));
                }
                None if reader_field.default.is_some() => {}
                None => {
                    let enum_default = match self.reader.kind(reader_field.schema) {
                        Kind::Enum(enumeration) => enumeration.default.is_some(),
                        _ => false,
                    };
                    if enum_default {
                        // Java checks the enum against the writer record itself here.
                        result.extend(self.compatibility(
                            "type".to_string(),
                            reader_field.schema,
                            writer,
                            location,
                        ));
                    } else {
                        result.extend(Self::incompatible(
                            IncompatibilityType::ReaderFieldMissingDefaultValue,
                            reader_field.name.clone(),
                            location,
                        ));
                    }
                }
            }
            location.pop();
        }
        location.pop();
        result
    }
}

/// Java's `lookupWriterField`: the writer field with the reader field's name, else one named by
/// a reader field alias. (Java throws when both match different fields; the first is taken.)
pub(crate) fn lookup_writer_field(
    writer: &super::Record,
    reader_field: &super::Field,
) -> Option<NodeId> {
    writer
        .fields
        .iter()
        .find(|field| field.name == reader_field.name)
        .or_else(|| {
            reader_field
                .aliases
                .iter()
                .find_map(|alias| writer.fields.iter().find(|field| &field.name == alias))
        })
        .map(|field| field.schema)
}

/// Confluent Schema Registry's compatibility levels (`CompatibilityLevel`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CompatibilityMode {
    None,
    Backward,
    BackwardTransitive,
    Forward,
    ForwardTransitive,
    Full,
    FullTransitive,
}

impl CompatibilityMode {
    pub const ALL: [CompatibilityMode; 7] = [
        CompatibilityMode::None,
        CompatibilityMode::Backward,
        CompatibilityMode::BackwardTransitive,
        CompatibilityMode::Forward,
        CompatibilityMode::ForwardTransitive,
        CompatibilityMode::Full,
        CompatibilityMode::FullTransitive,
    ];

    pub fn name(self) -> &'static str {
        match self {
            CompatibilityMode::None => "NONE",
            CompatibilityMode::Backward => "BACKWARD",
            CompatibilityMode::BackwardTransitive => "BACKWARD_TRANSITIVE",
            CompatibilityMode::Forward => "FORWARD",
            CompatibilityMode::ForwardTransitive => "FORWARD_TRANSITIVE",
            CompatibilityMode::Full => "FULL",
            CompatibilityMode::FullTransitive => "FULL_TRANSITIVE",
        }
    }

    pub fn from_name(name: &str) -> Option<CompatibilityMode> {
        CompatibilityMode::ALL
            .into_iter()
            .find(|mode| mode.name() == name)
    }

    fn transitive(self) -> bool {
        matches!(
            self,
            CompatibilityMode::BackwardTransitive
                | CompatibilityMode::ForwardTransitive
                | CompatibilityMode::FullTransitive
        )
    }

    /// Whether the new schema must read old data (backward) and old schemas new data (forward).
    fn directions(self) -> (bool, bool) {
        match self {
            CompatibilityMode::None => (false, false),
            CompatibilityMode::Backward | CompatibilityMode::BackwardTransitive => (true, false),
            CompatibilityMode::Forward | CompatibilityMode::ForwardTransitive => (false, true),
            CompatibilityMode::Full | CompatibilityMode::FullTransitive => (true, true),
        }
    }
}

impl fmt::Display for CompatibilityMode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// Which schema read which in a failed check against a version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reader {
    /// The new schema reading the version's data (the backward direction).
    New,
    /// The version reading the new schema's data (the forward direction).
    Old,
}

impl Reader {
    pub fn name(self) -> &'static str {
        match self {
            Reader::New => "new",
            Reader::Old => "old",
        }
    }
}

/// An incompatibility of a candidate with one version of the history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionIncompatibility {
    /// The version, counted from 1 in the history's order.
    pub version: u32,
    pub reader: Reader,
    pub incompatibility: Incompatibility,
}

/// The candidate against the history (oldest first) under a mode: every incompatibility with
/// each version the mode checks, newest version first, forward before backward (Confluent's
/// order). Empty: the registry accepts the candidate.
pub fn check_with_history(
    mode: CompatibilityMode,
    candidate: &Schema,
    history: &[Schema],
) -> Vec<VersionIncompatibility> {
    let (backward, forward) = mode.directions();
    let checked = if mode.transitive() {
        history.len()
    } else {
        history.len().min(1)
    };
    let mut result = Vec::new();
    for (position, previous) in history.iter().enumerate().rev().take(checked) {
        let version = u32::try_from(position + 1).expect("version count fits u32");
        let mut add = |reader: Reader, found: Vec<Incompatibility>| {
            result.extend(
                found
                    .into_iter()
                    .map(|incompatibility| VersionIncompatibility {
                        version,
                        reader,
                        incompatibility,
                    }),
            );
        };
        if forward {
            add(Reader::Old, check_reader_writer(previous, candidate));
        }
        if backward {
            add(Reader::New, check_reader_writer(candidate, previous));
        }
    }
    result
}

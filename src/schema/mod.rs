//! Avro schemas: the parsed form of a standard `.avsc` document, and what eventlab does with it.
//!
//! A [`Schema`] is an arena of [`Node`]s: every occurrence of a type in the text is a node of its
//! own, except that a reference to a named type (record, enum, fixed) points to the node that
//! defines it, as a Java `Schema` object is shared wherever its name is used. That sharing is what
//! makes recursive types (`"type": "List"` inside record `List`) finite, and it is the identity
//! Avro Java's `SchemaCompatibility` memoizes on.
//!
//! - `parse.rs`: `.avsc` JSON text (or an already parsed JSON value) to a [`Schema`], with errors
//!   that name the JSON path inside the schema (Avro Java's `Schema.Parser` rules).
//! - `compat.rs`: reader/writer compatibility, ported from Avro Java's `SchemaCompatibility`, and
//!   Confluent Schema Registry's compatibility modes over a version history.
//! - `datum.rs`: [`Datum`], an Avro value, and the check of a record value against a schema
//!   (validation on produce).
//! - `resolve.rs`: schema resolution per the Avro specification (a reader reads a writer's datum).
//! - `codegen.rs`: Rust types with serde derives for a schema (`eventlab codegen`).
//!
//! This module is not an Avro codec: eventlab simulates records, it never encodes them to bytes,
//! so the binary encoding, container files and fingerprints are out of scope. It does not use the
//! `apache-avro` crate: that crate's parse errors carry no JSON path, its compatibility checker
//! reports neither Avro Java's incompatibility types nor locations (and is known to differ from
//! Java's on unions and enum defaults), so the rules here are written out, each with the Java
//! method or specification section it follows.

pub mod codegen;
pub mod compat;
pub mod datum;
pub mod parse;
pub mod resolve;

use std::fmt;

pub use compat::{
    CompatibilityMode, Incompatibility, IncompatibilityType, VersionIncompatibility,
    check_reader_writer, check_with_history,
};
pub use datum::Datum;
pub use parse::{SchemaError, parse_schema, parse_schema_value};

/// The index of a node in its schema's arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub u32);

/// An Avro schema: its nodes and the root.
#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    nodes: Vec<Node>,
    root: NodeId,
}

/// One schema node: its kind and, for primitives, bytes and fixed, an optional logical type.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: Kind,
    /// A logical type the node carries; unknown or invalid ones are dropped at parse time, as the
    /// specification says ("implementations should ignore the logical type").
    pub logical: Option<Logical>,
}

/// The kinds of Avro schema, with what each holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Record(Record),
    Enum(Enum),
    Array { items: NodeId },
    Map { values: NodeId },
    Union { branches: Vec<NodeId> },
    Fixed(Fixed),
}

/// A full Avro name: `name` without dots and an optional namespace.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Name {
    pub name: String,
    pub namespace: Option<String>,
}

impl Name {
    /// `namespace.name`, or `name` without a namespace (Java's `Schema.getFullName`).
    pub fn full_name(&self) -> String {
        match &self.namespace {
            Some(namespace) if !namespace.is_empty() => format!("{namespace}.{}", self.name),
            _ => self.name.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub name: Name,
    /// Full names the record was known by before.
    pub aliases: Vec<String>,
    pub doc: Option<String>,
    pub fields: Vec<Field>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub name: String,
    pub aliases: Vec<String>,
    pub doc: Option<String>,
    pub schema: NodeId,
    /// The default, already checked against the field's schema.
    pub default: Option<Datum>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Enum {
    pub name: Name,
    pub aliases: Vec<String>,
    pub doc: Option<String>,
    pub symbols: Vec<String>,
    /// The symbol a reader uses for a writer's symbol it does not know.
    pub default: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Fixed {
    pub name: Name,
    pub aliases: Vec<String>,
    pub size: u32,
}

/// The logical types eventlab knows (Avro specification, "Logical Types").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Logical {
    Date,
    TimeMillis,
    TimeMicros,
    TimestampMillis,
    TimestampMicros,
    LocalTimestampMillis,
    LocalTimestampMicros,
    Uuid,
    Decimal { precision: u32, scale: u32 },
    Duration,
}

/// The type of a node as Avro Java's `Schema.Type` names it in messages (`RECORD`, `INT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Type {
    Record,
    Enum,
    Array,
    Map,
    Union,
    Fixed,
    String,
    Bytes,
    Int,
    Long,
    Float,
    Double,
    Boolean,
    Null,
}

impl Type {
    /// Java's enum constant name, used in compatibility messages.
    pub fn java_name(self) -> &'static str {
        match self {
            Type::Record => "RECORD",
            Type::Enum => "ENUM",
            Type::Array => "ARRAY",
            Type::Map => "MAP",
            Type::Union => "UNION",
            Type::Fixed => "FIXED",
            Type::String => "STRING",
            Type::Bytes => "BYTES",
            Type::Int => "INT",
            Type::Long => "LONG",
            Type::Float => "FLOAT",
            Type::Double => "DOUBLE",
            Type::Boolean => "BOOLEAN",
            Type::Null => "NULL",
        }
    }

    /// The name in schema text (`record`, `int`).
    pub fn avro_name(self) -> &'static str {
        match self {
            Type::Record => "record",
            Type::Enum => "enum",
            Type::Array => "array",
            Type::Map => "map",
            Type::Union => "union",
            Type::Fixed => "fixed",
            Type::String => "string",
            Type::Bytes => "bytes",
            Type::Int => "int",
            Type::Long => "long",
            Type::Float => "float",
            Type::Double => "double",
            Type::Boolean => "boolean",
            Type::Null => "null",
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.avro_name())
    }
}

impl Kind {
    pub fn type_of(&self) -> Type {
        match self {
            Kind::Null => Type::Null,
            Kind::Boolean => Type::Boolean,
            Kind::Int => Type::Int,
            Kind::Long => Type::Long,
            Kind::Float => Type::Float,
            Kind::Double => Type::Double,
            Kind::Bytes => Type::Bytes,
            Kind::String => Type::String,
            Kind::Record(_) => Type::Record,
            Kind::Enum(_) => Type::Enum,
            Kind::Array { .. } => Type::Array,
            Kind::Map { .. } => Type::Map,
            Kind::Union { .. } => Type::Union,
            Kind::Fixed(_) => Type::Fixed,
        }
    }

    /// The name of a named type (record, enum, fixed).
    pub fn name(&self) -> Option<&Name> {
        match self {
            Kind::Record(record) => Some(&record.name),
            Kind::Enum(enumeration) => Some(&enumeration.name),
            Kind::Fixed(fixed) => Some(&fixed.name),
            _ => None,
        }
    }

    /// The aliases of a named type, empty for the others.
    pub fn aliases(&self) -> &[String] {
        match self {
            Kind::Record(record) => &record.aliases,
            Kind::Enum(enumeration) => &enumeration.aliases,
            Kind::Fixed(fixed) => &fixed.aliases,
            _ => &[],
        }
    }
}

impl Schema {
    pub(crate) fn from_parts(nodes: Vec<Node>, root: NodeId) -> Schema {
        assert!(
            (root.0 as usize) < nodes.len(),
            "the root is one of the nodes"
        );
        Schema { nodes, root }
    }

    pub fn root(&self) -> NodeId {
        self.root
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0 as usize]
    }

    pub fn kind(&self, id: NodeId) -> &Kind {
        &self.node(id).kind
    }

    pub fn nodes(&self) -> impl Iterator<Item = (NodeId, &Node)> {
        self.nodes.iter().enumerate().map(|(index, node)| {
            (
                NodeId(u32::try_from(index).expect("node count fits u32")),
                node,
            )
        })
    }

    /// A short description of a node for messages: a named type's full name, else its type
    /// (`int`, `array`), as Avro Java's resolving decoder words its errors.
    pub fn describe(&self, id: NodeId) -> String {
        let kind = self.kind(id);
        match kind.name() {
            Some(name) => name.full_name(),
            None => kind.type_of().avro_name().to_string(),
        }
    }
}

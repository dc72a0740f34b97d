//! Schema resolution: reading a datum written with one schema through another, per the Avro
//! specification's "Schema Resolution" section, with Avro Java's error words
//! (`ResolvingGrammarGenerator` / `Resolver`: `Found Record1, expecting Record1, missing
//! required field field1`, `No match for C`, `Found int, expecting string`).
//!
//! - Records match on the unqualified name or a reader alias naming the writer's full name;
//!   writer fields the reader lacks are skipped; reader fields the writer lacks take the reader's
//!   default (or fail); fields match by name or reader field alias; the result is in the reader's
//!   field order.
//! - Enums: a writer symbol the reader lacks becomes the reader's enum default, else fails.
//! - Promotions: int to long, float or double; long to float or double; float to double; string
//!   to bytes and bytes to string.
//! - A writer union resolves the branch the datum was written with; a reader union takes its
//!   first branch of the writer's type (a named type by full name, then by unqualified name),
//!   else its first branch the writer's type promotes to.
//!
//! It decodes no bytes: a datum is already a value; what can fail is the same as in a real
//! decoder, and with the same message.

use super::datum::Datum;
use super::{Kind, NodeId, Schema, Type};

/// The datum as the reader sees it, or why it cannot be read.
pub fn resolve(
    writer: &Schema,
    writer_node: NodeId,
    reader: &Schema,
    reader_node: NodeId,
    datum: &Datum,
) -> Result<Datum, String> {
    Resolution { writer, reader }.resolve(writer_node, reader_node, datum)
}

struct Resolution<'a> {
    writer: &'a Schema,
    reader: &'a Schema,
}

/// The value a promotion gives, or `None` when the types do not promote.
#[allow(clippy::cast_precision_loss)]
fn promote(datum: &Datum, reader_type: Type) -> Option<Datum> {
    Some(match (datum, reader_type) {
        (Datum::Int(number), Type::Long) => Datum::Long(i64::from(*number)),
        (Datum::Int(number), Type::Float) => Datum::Float(*number as f32),
        (Datum::Int(number), Type::Double) => Datum::Double(f64::from(*number)),
        (Datum::Long(number), Type::Float) => Datum::Float(*number as f32),
        (Datum::Long(number), Type::Double) => Datum::Double(*number as f64),
        (Datum::Float(number), Type::Double) => Datum::Double(f64::from(*number)),
        (Datum::String(text), Type::Bytes) => Datum::Bytes(text.as_bytes().to_vec()),
        (Datum::Bytes(bytes), Type::String) => {
            Datum::String(String::from_utf8_lossy(bytes).into_owned())
        }
        _ => return None,
    })
}

fn promotes(writer_type: Type, reader_type: Type) -> bool {
    matches!(
        (writer_type, reader_type),
        (Type::Int, Type::Long | Type::Float | Type::Double)
            | (Type::Long, Type::Float | Type::Double)
            | (Type::Float, Type::Double)
            | (Type::String, Type::Bytes)
            | (Type::Bytes, Type::String)
    )
}

impl Resolution<'_> {
    fn mismatch(&self, writer_node: NodeId, reader_node: NodeId) -> String {
        format!(
            "Found {}, expecting {}",
            self.writer.describe(writer_node),
            self.reader.describe(reader_node)
        )
    }

    fn names_match(&self, writer_node: NodeId, reader_node: NodeId) -> bool {
        let writer_name = self.writer.kind(writer_node).name().expect("a named type");
        let reader_kind = self.reader.kind(reader_node);
        let reader_name = reader_kind.name().expect("a named type");
        reader_name.name == writer_name.name
            || reader_kind.aliases().contains(&writer_name.full_name())
    }

    fn resolve(
        &self,
        writer_node: NodeId,
        reader_node: NodeId,
        datum: &Datum,
    ) -> Result<Datum, String> {
        let writer_kind = self.writer.kind(writer_node);
        let reader_kind = self.reader.kind(reader_node);
        if let (Kind::Union { branches }, Datum::Union(position, inner)) = (writer_kind, datum) {
            let branch = branches[*position as usize];
            return self.resolve(branch, reader_node, inner);
        }
        if let (Kind::Union { branches }, false) =
            (reader_kind, matches!(writer_kind, Kind::Union { .. }))
        {
            let Some((position, branch)) = self.reader_branch(writer_node, branches) else {
                return Err(format!(
                    "Found {}, expecting union",
                    self.writer.describe(writer_node)
                ));
            };
            let resolved = self.resolve(writer_node, branch, datum)?;
            return Ok(Datum::Union(
                u32::try_from(position).expect("union size fits u32"),
                Box::new(resolved),
            ));
        }
        let writer_type = writer_kind.type_of();
        let reader_type = reader_kind.type_of();
        if writer_type != reader_type {
            return promote(datum, reader_type)
                .ok_or_else(|| self.mismatch(writer_node, reader_node));
        }
        match (writer_kind, reader_kind, datum) {
            (Kind::Record(_), Kind::Record(_), Datum::Record(_)) => {
                self.record(writer_node, reader_node, datum)
            }
            (Kind::Enum(_), Kind::Enum(reader_enum), Datum::Enum(symbol)) => {
                if !self.names_match(writer_node, reader_node) {
                    return Err(self.mismatch(writer_node, reader_node));
                }
                if reader_enum.symbols.contains(symbol) {
                    Ok(Datum::Enum(symbol.clone()))
                } else {
                    reader_enum
                        .default
                        .clone()
                        .map(Datum::Enum)
                        .ok_or_else(|| format!("No match for {symbol}"))
                }
            }
            (Kind::Fixed(writer_fixed), Kind::Fixed(reader_fixed), Datum::Fixed(bytes)) => {
                if !self.names_match(writer_node, reader_node)
                    || writer_fixed.size != reader_fixed.size
                {
                    return Err(self.mismatch(writer_node, reader_node));
                }
                Ok(Datum::Fixed(bytes.clone()))
            }
            (
                Kind::Array {
                    items: writer_items,
                },
                Kind::Array {
                    items: reader_items,
                },
                Datum::Array(elements),
            ) => {
                let resolved = elements
                    .iter()
                    .map(|element| self.resolve(*writer_items, *reader_items, element));
                Ok(Datum::Array(resolved.collect::<Result<_, _>>()?))
            }
            (
                Kind::Map {
                    values: writer_values,
                },
                Kind::Map {
                    values: reader_values,
                },
                Datum::Map(entries),
            ) => {
                let resolved = entries.iter().map(|(key, entry)| {
                    Ok((
                        key.clone(),
                        self.resolve(*writer_values, *reader_values, entry)?,
                    ))
                });
                Ok(Datum::Map(resolved.collect::<Result<_, String>>()?))
            }
            _ => Ok(datum.clone()),
        }
    }

    /// The reader union's branch for a writer type: the first of the same type (named types: by
    /// name), else the first the writer's type promotes to.
    fn reader_branch(&self, writer_node: NodeId, branches: &[NodeId]) -> Option<(usize, NodeId)> {
        let writer_kind = self.writer.kind(writer_node);
        let writer_type = writer_kind.type_of();
        let same_type = |branch: &NodeId| self.reader.kind(*branch).type_of() == writer_type;
        let exact = branches.iter().position(|branch| {
            same_type(branch)
                && (writer_kind.name().is_none()
                    || self.reader.kind(*branch).name().map(super::Name::full_name)
                        == writer_kind.name().map(super::Name::full_name))
        });
        let by_name = || {
            branches.iter().position(|branch| {
                same_type(branch)
                    && (writer_kind.name().is_none() || self.names_match(writer_node, *branch))
            })
        };
        let promoted = || {
            branches
                .iter()
                .position(|branch| promotes(writer_type, self.reader.kind(*branch).type_of()))
        };
        let position = exact.or_else(by_name).or_else(promoted)?;
        Some((position, branches[position]))
    }

    fn record(
        &self,
        writer_node: NodeId,
        reader_node: NodeId,
        datum: &Datum,
    ) -> Result<Datum, String> {
        if !self.names_match(writer_node, reader_node) {
            return Err(self.mismatch(writer_node, reader_node));
        }
        let (Kind::Record(writer_record), Kind::Record(reader_record), Datum::Record(values)) = (
            self.writer.kind(writer_node),
            self.reader.kind(reader_node),
            datum,
        ) else {
            unreachable!("the caller matched records");
        };
        let mut fields = Vec::with_capacity(reader_record.fields.len());
        for reader_field in &reader_record.fields {
            let writer_field = writer_record
                .fields
                .iter()
                .find(|field| field.name == reader_field.name)
                .or_else(|| {
                    reader_field.aliases.iter().find_map(|alias| {
                        writer_record
                            .fields
                            .iter()
                            .find(|field| &field.name == alias)
                    })
                });
            let value = match (writer_field, &reader_field.default) {
                (Some(writer_field), _) => {
                    let written = datum
                        .field(&writer_field.name)
                        .expect("a record datum has every field");
                    self.resolve(writer_field.schema, reader_field.schema, written)?
                }
                (None, Some(default)) => default.clone(),
                (None, None) => {
                    return Err(format!(
                        "Found {}, expecting {}, missing required field {}",
                        writer_record.name.full_name(),
                        reader_record.name.full_name(),
                        reader_field.name
                    ));
                }
            };
            fields.push((reader_field.name.clone(), value));
        }
        debug_assert_eq!(
            values.len(),
            writer_record.fields.len(),
            "a record datum has every writer field"
        );
        Ok(Datum::Record(fields))
    }
}

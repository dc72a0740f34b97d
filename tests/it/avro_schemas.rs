//! Avro schemas beyond compatibility: bad `.avsc` files with their exact messages, schema
//! resolution (each promotion, defaults, skipped fields, enum defaults, unions, aliases; Avro
//! Java's `TestSchemaCompatibility` decoding cases and `TestSchemaCompatibilityEnumDefaults`),
//! validation of produced values, and code generation.

use eventlab::schema::datum::Datum;
use eventlab::schema::resolve::resolve;
use eventlab::schema::{Schema, parse_schema};
use eventlab::value::Value;

fn s(text: &str) -> Schema {
    parse_schema(text).unwrap_or_else(|error| panic!("{text}: {error}"))
}

#[track_caller]
fn check_parse_err(text: &str, expected: &str) {
    let error = parse_schema(text).expect_err("the schema is invalid");
    assert_eq!(error.to_string(), expected);
}

#[test]
fn bad_avsc_files_have_exact_messages() {
    check_parse_err(
        "{\"type\": \"record\", \"name\": \"R\",\n \"fields\": [}",
        "line 2, column 13: expected value",
    );
    check_parse_err("{\"name\": \"R\"}", "missing \"type\"");
    check_parse_err(
        "42",
        "expected a type: a type name, an object with \"type\", or an array of types (a union)",
    );
    check_parse_err(
        r#"{"type": "record", "name": "Order", "fields": [{"name": "id", "type": "string"},
            {"name": "total", "type": "lnog"}]}"#,
        "fields[1].type: unknown type \"lnog\" (did you mean \"long\"?)",
    );
    check_parse_err(
        r#"{"type": "record", "name": "Order"}"#,
        "missing \"fields\"",
    );
    check_parse_err(
        r#"{"type": "record", "name": "9lives", "fields": []}"#,
        "name: \"9lives\" is not a valid Avro name (a letter or _, then letters, digits or _)",
    );
    check_parse_err(
        r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "a", "type": "long"}]}"#,
        "fields[1].name: field \"a\" appears twice in record \"R\"",
    );
    check_parse_err(
        r#"{"type": "record", "name": "R", "fields": [{"name": "a"}]}"#,
        "fields[0]: field \"a\" is missing \"type\"",
    );
    check_parse_err(
        r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int", "default": "zero"}]}"#,
        "fields[0].default: invalid default for field \"a\": expected int, found \"zero\"",
    );
    check_parse_err(
        r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": ["null", "string"], "default": "x"}]}"#,
        "fields[0].default: invalid default for field \"a\": expected null, found \"x\"",
    );
    check_parse_err(
        r#"{"type": "enum", "name": "Status", "symbols": ["NEW", "PAID", "NEW"]}"#,
        "symbols[2]: symbol \"NEW\" appears twice",
    );
    check_parse_err(
        r#"{"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"], "default": "LOST"}"#,
        "default: the enum default \"LOST\" is not one of its symbols",
    );
    check_parse_err(
        r#"{"type": "fixed", "name": "Hash", "size": -1}"#,
        "size: expected a whole number from 0 to 2147483647",
    );
    check_parse_err(
        r#"["null", ["int", "long"]]"#,
        "[1]: a union may not contain a union directly",
    );
    check_parse_err(
        r#"["string", "int", "string"]"#,
        "[2]: \"string\" appears twice in the union",
    );
    check_parse_err(
        r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": {"type": "enum", "name": "R", "symbols": []}}]}"#,
        "fields[0].type.name: type \"R\" is defined twice",
    );
    check_parse_err(r#"{"type": "array"}"#, "missing \"items\"");
    check_parse_err(
        r#"{"type": "record", "name": "int", "fields": []}"#,
        "name: a named type may not be called \"int\", a primitive",
    );
}

#[test]
fn names_namespaces_aliases_and_logical_types_parse() {
    let schema = s(
        r#"{"type": "record", "name": "Order", "namespace": "shop", "aliases": ["Purchase"], "fields": [
        {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
        {"name": "bad", "type": {"type": "bytes", "logicalType": "decimal", "precision": 2, "scale": 3}},
        {"name": "line", "type": {"type": "record", "name": "Line", "fields": [{"name": "sku", "type": "string"}]}},
        {"name": "lines", "type": {"type": "array", "items": "Line"}},
        {"name": "other", "type": "shop.Line"}]}"#,
    );
    let eventlab::schema::Kind::Record(record) = schema.kind(schema.root()) else {
        panic!("a record")
    };
    assert_eq!(record.name.full_name(), "shop.Order");
    assert_eq!(record.aliases, ["shop.Purchase"]);
    let logical: Vec<Option<eventlab::schema::Logical>> = record
        .fields
        .iter()
        .map(|field| schema.node(field.schema).logical.clone())
        .collect();
    use eventlab::schema::Logical;
    assert_eq!(
        logical[..5],
        [
            Some(Logical::Uuid),
            Some(Logical::Date),
            Some(Logical::TimestampMillis),
            Some(Logical::Decimal {
                precision: 9,
                scale: 2
            }),
            None, // A scale above the precision is invalid: ignored, as the specification says.
        ]
    );
    // The nested record takes the enclosing namespace, and both references find it.
    assert_eq!(schema.describe(record.fields[5].schema), "shop.Line");
    assert_eq!(record.fields[7].schema, record.fields[5].schema);
}

#[track_caller]
fn check_resolve(writer: &str, datum: Datum, reader: &str, expected: Result<Datum, &str>) {
    let (writer, reader) = (s(writer), s(reader));
    let found = resolve(&writer, writer.root(), &reader, reader.root(), &datum);
    assert_eq!(found, expected.map_err(str::to_string));
}

const ENUM1_AB: &str = r#"{"type": "enum", "name": "Enum1", "symbols": ["A", "B"]}"#;
const ENUM1_ABC: &str = r#"{"type": "enum", "name": "Enum1", "symbols": ["A", "B", "C"]}"#;
const ENUM1_BC: &str = r#"{"type": "enum", "name": "Enum1", "symbols": ["B", "C"]}"#;
const ENUM_AB_DEFAULT_A: &str =
    r#"{"type": "enum", "name": "Enum", "symbols": ["A", "B"], "default": "A"}"#;
const ENUM_ABC_DEFAULT_A: &str =
    r#"{"type": "enum", "name": "Enum", "symbols": ["A", "B", "C"], "default": "A"}"#;

#[test]
fn test_schema_compatibility_decoding_cases() {
    // TestSchemaCompatibility.DECODING_COMPATIBILITY_TEST_CASES: every promotion of int.
    check_resolve("\"int\"", Datum::Int(1), "\"int\"", Ok(Datum::Int(1)));
    check_resolve("\"int\"", Datum::Int(1), "\"long\"", Ok(Datum::Long(1)));
    check_resolve("\"int\"", Datum::Int(1), "\"float\"", Ok(Datum::Float(1.0)));
    check_resolve(
        "\"int\"",
        Datum::Int(1),
        "\"double\"",
        Ok(Datum::Double(1.0)),
    );
    // Accepted with a loss of precision: a float has a 24-bit mantissa.
    check_resolve(
        "\"int\"",
        Datum::Int((1 << 24) + 1),
        "\"float\"",
        Ok(Datum::Float(16_777_216.0)),
    );
    check_resolve(
        ENUM1_AB,
        Datum::Enum("A".into()),
        ENUM1_ABC,
        Ok(Datum::Enum("A".into())),
    );
    check_resolve(
        ENUM1_ABC,
        Datum::Enum("A".into()),
        ENUM1_AB,
        Ok(Datum::Enum("A".into())),
    );
    check_resolve(
        ENUM1_ABC,
        Datum::Enum("B".into()),
        ENUM1_BC,
        Ok(Datum::Enum("B".into())),
    );
    check_resolve(
        ENUM_ABC_DEFAULT_A,
        Datum::Enum("C".into()),
        ENUM_AB_DEFAULT_A,
        Ok(Datum::Enum("A".into())),
    );
    let the_string = Datum::Union(1, Box::new(Datum::String("the string".into())));
    check_resolve(
        r#"["int", "string"]"#,
        the_string.clone(),
        "\"string\"",
        Ok(Datum::String("the string".into())),
    );
    check_resolve(
        r#"["int", "string"]"#,
        the_string,
        r#"["string"]"#,
        Ok(Datum::Union(
            0,
            Box::new(Datum::String("the string".into())),
        )),
    );
}

#[test]
fn every_promotion_resolves_and_the_rest_fail() {
    check_resolve(
        "\"long\"",
        Datum::Long(-5),
        "\"float\"",
        Ok(Datum::Float(-5.0)),
    );
    check_resolve(
        "\"long\"",
        Datum::Long(1 << 40),
        "\"double\"",
        Ok(Datum::Double(1_099_511_627_776.0)),
    );
    check_resolve(
        "\"float\"",
        Datum::Float(0.5),
        "\"double\"",
        Ok(Datum::Double(0.5)),
    );
    check_resolve(
        "\"string\"",
        Datum::String("hé".into()),
        "\"bytes\"",
        Ok(Datum::Bytes("hé".as_bytes().to_vec())),
    );
    check_resolve(
        "\"bytes\"",
        Datum::Bytes(b"ok".to_vec()),
        "\"string\"",
        Ok(Datum::String("ok".into())),
    );
    check_resolve(
        "\"long\"",
        Datum::Long(1),
        "\"int\"",
        Err("Found long, expecting int"),
    );
    check_resolve(
        "\"double\"",
        Datum::Double(1.0),
        "\"float\"",
        Err("Found double, expecting float"),
    );
    check_resolve(
        "\"int\"",
        Datum::Int(1),
        "\"string\"",
        Err("Found int, expecting string"),
    );
    check_resolve(
        "\"int\"",
        Datum::Int(1),
        r#"["null", "string"]"#,
        Err("Found int, expecting union"),
    );
    // A reader union takes the first branch the writer's type promotes to.
    check_resolve(
        "\"int\"",
        Datum::Int(7),
        r#"["null", "string", "long"]"#,
        Ok(Datum::Union(2, Box::new(Datum::Long(7)))),
    );
}

const WRITER_V1: &str = r#"{"type": "record", "name": "Order", "fields": [
    {"name": "id", "type": "string"}, {"name": "qty", "type": "int"}, {"name": "note", "type": "string"}]}"#;

fn order_v1() -> Datum {
    Datum::Record(vec![
        ("id".into(), Datum::String("o-1".into())),
        ("qty".into(), Datum::Int(3)),
        ("note".into(), Datum::String("gift".into())),
    ])
}

#[test]
fn defaults_fill_missing_fields_and_unknown_fields_are_skipped() {
    let reader = r#"{"type": "record", "name": "Order", "fields": [
        {"name": "id", "type": "string"}, {"name": "qty", "type": "long"},
        {"name": "currency", "type": "string", "default": "EUR"},
        {"name": "coupon", "type": ["null", "string"], "default": null}]}"#;
    let expected = Datum::Record(vec![
        ("id".into(), Datum::String("o-1".into())),
        ("qty".into(), Datum::Long(3)),
        ("currency".into(), Datum::String("EUR".into())),
        ("coupon".into(), Datum::Union(0, Box::new(Datum::Null))),
    ]);
    check_resolve(WRITER_V1, order_v1(), reader, Ok(expected));
    let no_default = r#"{"type": "record", "name": "Order", "fields": [{"name": "currency", "type": "string"}]}"#;
    check_resolve(
        WRITER_V1,
        order_v1(),
        no_default,
        Err("Found Order, expecting Order, missing required field currency"),
    );
}

#[test]
fn aliases_rename_fields_and_records() {
    let reader = r#"{"type": "record", "name": "Purchase", "aliases": ["Order"], "fields": [
        {"name": "order_id", "type": "string", "aliases": ["id"]}]}"#;
    let expected = Datum::Record(vec![("order_id".into(), Datum::String("o-1".into()))]);
    check_resolve(WRITER_V1, order_v1(), reader, Ok(expected));
    let other = r#"{"type": "record", "name": "Purchase", "fields": []}"#;
    check_resolve(
        WRITER_V1,
        order_v1(),
        other,
        Err("Found Order, expecting Purchase"),
    );
}

#[test]
fn test_schema_compatibility_enum_defaults() {
    // TestSchemaCompatibilityEnumDefaults.
    let record = |field: &str, schema: &str, default: &str| {
        format!(
            r#"{{"type": "record", "name": "Record1", "fields": [{{"name": "{field}", "type": {schema}{default}}}]}}"#
        )
    };
    let enum2_ab = r#"{"type": "enum", "name": "Enum2", "symbols": ["A", "B"]}"#;
    let datum =
        |field: &str, symbol: &str| Datum::Record(vec![(field.into(), Datum::Enum(symbol.into()))]);
    // enumDefaultNotAppliedWhenWriterFieldMissing.
    check_resolve(
        &record("field2", enum2_ab, ""),
        datum("field2", "B"),
        &record("field1", ENUM_AB_DEFAULT_A, ""),
        Err("Found Record1, expecting Record1, missing required field field1"),
    );
    // enumDefaultAppliedWhenNoFieldDefaultDefined.
    check_resolve(
        &record("field1", ENUM_ABC_DEFAULT_A, ""),
        datum("field1", "C"),
        &record("field1", ENUM_AB_DEFAULT_A, ""),
        Ok(datum("field1", "A")),
    );
    // enumDefaultNotAppliedWhenCompatibleSymbolIsFound.
    check_resolve(
        &record("field1", ENUM_ABC_DEFAULT_A, ""),
        datum("field1", "B"),
        &record("field1", ENUM_AB_DEFAULT_A, ""),
        Ok(datum("field1", "B")),
    );
    // enumDefaultAppliedWhenFieldDefaultDefined.
    check_resolve(
        &record("field1", ENUM_ABC_DEFAULT_A, ""),
        datum("field1", "C"),
        &record("field1", ENUM_AB_DEFAULT_A, r#", "default": "B""#),
        Ok(datum("field1", "A")),
    );
    // fieldDefaultNotAppliedForUnknownSymbol.
    check_resolve(
        &record("field1", ENUM1_ABC, ""),
        datum("field1", "C"),
        &record("field1", ENUM1_AB, r#", "default": "A""#),
        Err("No match for C"),
    );
}

#[test]
fn produced_values_are_checked_against_the_schema() {
    let schema = s(r#"{"type": "record", "name": "Order", "fields": [
        {"name": "id", "type": "string"}, {"name": "qty", "type": "int"},
        {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}},
        {"name": "coupon", "type": ["null", "string"], "default": null}]}"#);
    let value = |pairs: &[(&str, Value)]| {
        Value::Object(
            pairs
                .iter()
                .map(|(key, value)| (key.to_string(), value.clone()))
                .collect(),
        )
    };
    let check = |value: &Value| {
        Datum::from_value(&schema, schema.root(), value).map_err(|error| error.to_string())
    };
    let good = value(&[
        ("id", Value::Str("o-1".into())),
        ("qty", Value::Int(2)),
        ("status", Value::Str("NEW".into())),
    ]);
    assert_eq!(
        check(&good),
        Ok(Datum::Record(vec![
            ("id".into(), Datum::String("o-1".into())),
            ("qty".into(), Datum::Int(2)),
            ("status".into(), Datum::Enum("NEW".into())),
            ("coupon".into(), Datum::Union(0, Box::new(Datum::Null))),
        ]))
    );
    let missing = value(&[
        ("id", Value::Str("o-1".into())),
        ("status", Value::Str("NEW".into())),
    ]);
    assert_eq!(
        check(&missing),
        Err("field \"qty\": missing, and the schema gives it no default".to_string())
    );
    let big = value(&[
        ("id", Value::Str("o".into())),
        ("qty", Value::Int(1 << 40)),
        ("status", Value::Str("NEW".into())),
    ]);
    assert_eq!(
        check(&big),
        Err("field \"qty\": expected int, found 1099511627776".to_string())
    );
    let symbol = value(&[
        ("id", Value::Str("o".into())),
        ("qty", Value::Int(1)),
        ("status", Value::Str("LOST".into())),
    ]);
    assert_eq!(
        check(&symbol),
        Err("field \"status\": expected Status, found \"LOST\"".to_string())
    );
    let extra = value(&[
        ("id", Value::Str("o".into())),
        ("qty", Value::Int(1)),
        ("status", Value::Str("NEW".into())),
        ("colour", Value::Str("red".into())),
    ]);
    assert_eq!(
        check(&extra),
        Err("field \"colour\": record \"Order\" has no such field".to_string())
    );
}

mod cli {
    use crate::common::{eventlab_in, scratch_dir, write};

    const V1: &str =
        r#"{"type":"record","name":"myrecord","fields":[{"type":"string","name":"f1"}]}"#;
    const V2: &str = r#"{"type":"record","name":"myrecord","fields":[{"type":"string","name":"f1"},
        {"type":"string","name":"f2","default":"foo"}]}"#;
    const V3: &str = r#"{"type":"record","name":"myrecord","fields":[{"type":"string","name":"f1"},
        {"type":"string","name":"f2"}]}"#;

    fn dir(test: &str) -> std::path::PathBuf {
        let dir = scratch_dir(test);
        write(&dir, "v1.avsc", V1);
        write(&dir, "v2.avsc", V2);
        write(&dir, "v3.avsc", V3);
        write(
            &dir,
            "bad.avsc",
            r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "strin"}]}"#,
        );
        dir
    }

    #[test]
    fn compat_pair_exits_0_when_the_reader_reads_the_writer() {
        eventlab_in(&dir("compat_pair_ok"))
            .args(["compat", "--reader", "v2.avsc", "--writer", "v1.avsc"])
            .assert()
            .code(0)
            .stdout("compatible: the reader schema can read every record written with the writer schema\n");
    }

    #[test]
    fn compat_pair_exits_1_with_each_incompatibility() {
        eventlab_in(&dir("compat_pair_bad"))
            .args(["compat", "--reader", "v3.avsc", "--writer", "v1.avsc", "--format", "json"])
            .assert()
            .code(1)
            .stdout(
                "{\"compatible\": false, \"incompatibilities\": [\n  {\"type\": \"READER_FIELD_MISSING_DEFAULT_VALUE\", \
                 \"location\": \"/fields/1\", \"message\": \"f2\"}\n]}\n",
            );
    }

    #[test]
    fn compat_history_names_the_version_it_fails_against() {
        let dir = dir("compat_history");
        eventlab_in(&dir)
            .args([
                "compat",
                "--mode",
                "BACKWARD",
                "--history",
                "v1.avsc",
                "v2.avsc",
                "--candidate",
                "v3.avsc",
            ])
            .assert()
            .code(0);
        eventlab_in(&dir)
            .args(["compat", "--mode", "BACKWARD_TRANSITIVE", "--history", "v1.avsc", "v2.avsc", "--candidate", "v3.avsc"])
            .assert()
            .code(1)
            .stdout(
                "incompatible: BACKWARD_TRANSITIVE refuses the candidate; it fails against version 1 (v1.avsc)\n\
                 version 1 (the candidate reading its data): READER_FIELD_MISSING_DEFAULT_VALUE at /fields/1: f2\n",
            );
        eventlab_in(&dir)
            .args(["compat", "--mode", "FORWARD_TRANSITIVE", "--history", "v3.avsc", "v2.avsc", "--candidate", "v1.avsc"])
            .args(["--format", "json"])
            .assert()
            .code(1)
            .stdout(
                "{\"compatible\": false, \"incompatibilities\": [\n  {\"type\": \"READER_FIELD_MISSING_DEFAULT_VALUE\", \
                 \"location\": \"/fields/1\", \"message\": \"f2\", \"version\": 1, \"reader\": \"old\"}\n]}\n",
            );
    }

    #[test]
    fn compat_exits_2_on_bad_input() {
        let dir = dir("compat_bad_input");
        eventlab_in(&dir)
            .args(["compat", "--reader", "bad.avsc", "--writer", "v1.avsc"])
            .assert()
            .code(2)
            .stdout("")
            .stderr("eventlab: bad.avsc: fields[0].type: unknown type \"strin\" (did you mean \"string\"?)\n");
        eventlab_in(&dir)
            .args(["compat", "--reader", "missing.avsc", "--writer", "v1.avsc"])
            .assert()
            .code(2);
        eventlab_in(&dir)
            .args(["compat", "--mode", "SIDEWAYS", "--history", "v1.avsc", "--candidate", "v2.avsc"])
            .assert()
            .code(2)
            .stderr(
                "eventlab: --mode: unknown mode \"SIDEWAYS\" (expected one of NONE, BACKWARD, BACKWARD_TRANSITIVE, \
                 FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE)\n",
            );
        eventlab_in(&dir)
            .args(["compat", "--reader", "v1.avsc"])
            .assert()
            .code(2);
    }

    #[test]
    fn a_scenario_file_names_schema_files_relative_to_itself() {
        let dir = dir("scenario_schema_files");
        std::fs::create_dir_all(dir.join("schemas")).expect("mkdir");
        write(&dir.join("schemas"), "v1.avsc", V1);
        write(&dir.join("schemas"), "v3.avsc", V3);
        let scenario = r#"{"name": "files", "streams": [{"name": "orders", "schema": "schemas/v1.avsc"}],
            "services": [{"name": "shop", "produces": [{"stream": "orders", "count": 4, "interval_us": 1000,
              "value": {"f1": "counter"}, "schema_upgrades": [{"at_us": 2500, "schema": "schemas/v3.avsc"}]}]}]}"#;
        write(
            &dir,
            "files.json",
            &scenario.replace("\"counter\"", "{\"const\": \"x\"}"),
        );
        eventlab_in(&dir)
            .args(["run", "files.json"])
            .assert()
            .code(0)
            .stdout(predicates::str::contains(
                "REFUSED at 2500 µs: shop's new schema breaks BACKWARD",
            ));
        write(
            &dir,
            "missing.json",
            &scenario.replace("schemas/v3.avsc", "schemas/v9.avsc"),
        );
        eventlab_in(&dir)
            .args(["validate", "missing.json"])
            .assert()
            .code(2)
            .stderr(predicates::str::contains("schemas/v9.avsc: cannot read:"));
    }

    #[test]
    fn codegen_prints_rust_types() {
        eventlab_in(&dir("codegen_cli"))
            .args(["codegen", "v2.avsc"])
            .assert()
            .code(0)
            .stdout(predicates::str::contains("pub struct Myrecord {"));
    }
}

/// The generated code of each fixture schema, compiled as part of this test crate: the files
/// are `eventlab codegen`'s output, checked in (`generated_code_matches_codegen` keeps them
/// equal to it), so a change that makes codegen emit code that does not compile fails the build.
/// Not every generated type is used here; the code is compiled whole all the same.
#[allow(dead_code)]
mod generated {
    pub mod order_v1 {
        include!("../fixtures/avro/order-v1.rs");
    }
    pub mod order_v2 {
        include!("../fixtures/avro/order-v2.rs");
    }
    pub mod every_type {
        include!("../fixtures/avro/every-type.rs");
    }
    pub mod edge_names {
        include!("../fixtures/avro/edge-names.rs");
    }
}

/// The generated code of every schema in the bundled scenarios, one module per schema: what
/// `bundled_generated_code` builds and `tests/fixtures/avro/bundled.rs` holds.
#[allow(dead_code)]
mod bundled_generated {
    include!("../fixtures/avro/bundled.rs");
}

/// Every schema a bundled scenario holds (stream schemas, reader schemas, upgrades), as
/// (scenario, JSON text), in document order, each distinct text once per scenario.
pub fn bundled_schema_texts() -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = Vec::new();
    for (name, text) in eventlab::bundled::SCENARIOS {
        let document: serde_json::Value =
            serde_json::from_str(text).expect("bundled scenarios are JSON");
        let mut schemas = Vec::new();
        for stream in document["streams"].as_array().into_iter().flatten() {
            schemas.extend(stream.get("schema").cloned());
        }
        for service in document["services"].as_array().into_iter().flatten() {
            for key in ["produces", "consumes"] {
                for entry in service[key].as_array().into_iter().flatten() {
                    schemas.extend(entry.get("schema").cloned());
                    for upgrade in entry["schema_upgrades"].as_array().into_iter().flatten() {
                        schemas.extend(upgrade.get("schema").cloned());
                    }
                }
            }
        }
        for schema in schemas {
            let text = schema.to_string();
            if !found
                .iter()
                .any(|(scenario, known)| scenario == name && *known == text)
            {
                found.push((name.to_string(), text));
            }
        }
    }
    found
}

fn bundled_generated_code() -> String {
    let mut out = String::from(
        "// The generated code of every schema in the bundled scenarios (eventlab codegen), one\n\
         // module each; tests/it/avro_schemas.rs keeps this file equal to it and compiles it.\n",
    );
    let mut count_per_scenario: Vec<(String, usize)> = Vec::new();
    for (scenario, text) in bundled_schema_texts() {
        let index = match count_per_scenario
            .iter_mut()
            .find(|(name, _)| *name == scenario)
        {
            Some(entry) => {
                entry.1 += 1;
                entry.1
            }
            None => {
                count_per_scenario.push((scenario.clone(), 1));
                1
            }
        };
        let module = format!("{}_{index}", scenario.replace('-', "_"));
        let code =
            eventlab::schema::codegen::generate(&s(&text), &format!("{scenario} (schema {index})"));
        out.push_str(&format!("\npub mod {module} {{\n"));
        for line in code.lines() {
            if line.is_empty() {
                out.push('\n');
            } else {
                out.push_str(&format!("    {line}\n"));
            }
        }
        out.push_str("}\n");
    }
    out
}

#[test]
fn the_bundled_schemas_generated_code_compiles() {
    let generated = bundled_generated_code();
    assert!(
        generated.contains("pub mod schema_rolling_upgrade_1"),
        "the bundled scenarios hold schemas"
    );
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/avro/bundled.rs"
    );
    if std::env::var_os("EVENTLAB_BLESS").is_some() {
        std::fs::write(path, &generated).expect("write generated code");
    }
    let checked_in = std::fs::read_to_string(path).expect("generated fixture");
    assert_eq!(
        generated, checked_in,
        "{path} is stale: run with EVENTLAB_BLESS=1 to rewrite it"
    );
    // A value of a generated type, to show the module is real code.
    let order = bundled_generated::schema_rolling_upgrade_2::Order {
        order_id: "o".to_string(),
        amount: 5,
        status: bundled_generated::schema_rolling_upgrade_2::Status::Paid,
        currency: "EUR".to_string(),
    };
    assert_eq!(
        serde_json::to_string(&order).expect("serialize"),
        r#"{"order_id":"o","amount":5,"status":"PAID","currency":"EUR"}"#
    );
}

const CODEGEN_FIXTURES: [&str; 4] = ["order-v1", "order-v2", "every-type", "edge-names"];

#[test]
fn generated_code_matches_codegen() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/avro");
    for name in CODEGEN_FIXTURES {
        let schema_text =
            std::fs::read_to_string(format!("{dir}/{name}.avsc")).expect("fixture schema");
        let generated =
            eventlab::schema::codegen::generate(&s(&schema_text), &format!("{name}.avsc"));
        let path = format!("{dir}/{name}.rs");
        if std::env::var_os("EVENTLAB_BLESS").is_some() {
            std::fs::write(&path, &generated).expect("write generated code");
        }
        let checked_in = std::fs::read_to_string(&path).expect("generated fixture");
        assert_eq!(
            generated, checked_in,
            "{path} is stale: run with EVENTLAB_BLESS=1 to rewrite it"
        );
    }
}

#[test]
fn codegen_names_types_of_one_name_in_two_namespaces_apart() {
    let schema = s(r#"{"type": "record", "name": "Outer", "fields": [
        {"name": "a", "type": {"type": "record", "name": "Inner", "namespace": "ns1", "fields": []}},
        {"name": "b", "type": {"type": "record", "name": "Inner", "namespace": "ns2", "fields": []}}]}"#);
    let code = eventlab::schema::codegen::generate(&schema, "two.avsc");
    assert!(
        code.contains("pub a: Ns1Inner,") && code.contains("pub b: Ns2Inner,"),
        "{code}"
    );
    assert!(
        code.contains("pub struct Ns1Inner {") && code.contains("pub struct Ns2Inner {"),
        "{code}"
    );
}

#[test]
fn codegen_keeps_enum_variants_and_field_names_valid_rust() {
    let schema = s(r#"{"type": "record", "name": "R", "fields": [
        {"name": "self", "type": {"type": "enum", "name": "E", "symbols": ["A_B", "A__B", "SELF"], "default": "A__B"},
         "default": "SELF"},
        {"name": "type", "type": "string"}]}"#);
    let code = eventlab::schema::codegen::generate(&schema, "edge.avsc");
    for expected in [
        "    AB,",
        "    AB1,",
        "    Self2,",
        "        E::AB1",
        "pub self_: E,",
        "    E::Self2",
        "pub r#type: String,",
    ] {
        assert!(code.contains(expected), "{expected} in:\n{code}");
    }
}

#[test]
fn codegen_snapshots() {
    crate::common::snapshot_settings().bind(|| {
        insta::glob!("../fixtures/avro", "*.avsc", |path| {
            let text = std::fs::read_to_string(path).expect("fixture schema");
            let name = path
                .file_name()
                .expect("a file")
                .to_string_lossy()
                .into_owned();
            insta::assert_snapshot!(
                "codegen",
                eventlab::schema::codegen::generate(&s(&text), &name)
            );
        });
    });
}

#[test]
fn generated_types_read_json_written_by_an_older_schema_as_avro_resolution_does() {
    use generated::{order_v1, order_v2};
    let old = order_v1::Order {
        order_id: "6f1c2a9e-0000-4000-8000-000000000001".to_string(),
        customer: "ada".to_string(),
        quantity: 2,
        status: order_v1::Status::Paid,
    };
    let json = serde_json::to_string(&old).expect("serialize");
    assert_eq!(
        json,
        r#"{"order_id":"6f1c2a9e-0000-4000-8000-000000000001","customer":"ada","quantity":2,"status":"PAID"}"#
    );
    let new: order_v2::Order = serde_json::from_str(&json).expect("v2 reads v1's JSON");
    assert_eq!(new.quantity, 2);
    assert_eq!(new.currency, "EUR", "the default fills the missing field");
    assert_eq!(new.coupon, None);
    let shipment: generated::every_type::Shipment = serde_json::from_str(
        r#"{"id": [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15], "created": 1, "day": 2, "price": [1, 0],
            "ratio": 0.5, "checksum": [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0], "blob": [1, 2],
            "carrier": {"int": 7}, "kind": "box",
            "route": {"from": "a", "to": "b", "next": {"from": "b", "to": "c", "next": null}},
            "history": [], "nothing": null}"#,
    )
    .expect("a shipment with only its required fields and an aliased one");
    assert_eq!(shipment.parcel_count, 1);
    assert_eq!(shipment.r#type, "box");
    assert_eq!(
        shipment.carrier,
        Some(generated::every_type::ShipmentCarrierUnion::Int(7))
    );
    assert!(shipment.route.next.is_some());
    let leg = generated::every_type::Leg {
        from: "a".into(),
        to: "b".into(),
        next: None,
    };
    assert_eq!(
        serde_json::to_string(&leg).expect("serialize"),
        r#"{"from":"a","to":"b","next":null}"#
    );
}

/// Schemas in runs, through the scenario boundary.
mod runs {
    use crate::common::{run_traced, trace_json};

    const V1: &str = r#"{"type": "record", "name": "Order", "fields": [
        {"name": "id", "type": "string"}, {"name": "qty", "type": "int"}]}"#;

    fn scenario(stream_extra: &str, produce_extra: &str, consume_extra: &str) -> String {
        format!(
            r#"{{"name": "schemas", "seed": 1,
              "streams": [{{"name": "orders", "schema": {V1}{stream_extra}}}],
              "services": [
                {{"name": "shop", "produces": [{{"stream": "orders", "count": 20, "interval_us": 1000,
                   "keys": {{"uniform": 4}}, "value": {{"id": "key", "qty": {{"int_range": [1, 3]}}}}{produce_extra}}}]}},
                {{"name": "books", "consumes": [{{"stream": "orders", "poll_interval_ms": 5{consume_extra}}}]}}]}}"#
        )
    }

    #[track_caller]
    fn check_validate_err(text: &str, expected: &str) {
        let errors =
            eventlab::scenario::parse_and_validate(text, "test.json").expect_err("invalid");
        let actual: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(actual.join("\n"), expected);
    }

    #[test]
    fn a_bad_inline_schema_names_its_path_in_the_scenario() {
        let text = scenario("", "", "").replace(r#""type": "int""#, r#""type": "Int""#);
        check_validate_err(
            &text,
            "test.json: streams[0].schema.fields[1].type: unknown type \"Int\" (did you mean \"int\"?)",
        );
        check_validate_err(
            &scenario(r#", "compatibility": "BACKWARDS""#, "", ""),
            "test.json: streams[0].compatibility: unknown level \"BACKWARDS\" (did you mean \"BACKWARD\"?)",
        );
        check_validate_err(
            &scenario(
                "",
                r#", "schema_upgrades": [{"at_us": 5, "schema": "order-v2.avsc"}]"#,
                "",
            ),
            "test.json: services[0].produces[0].schema_upgrades[0].schema: \"order-v2.avsc\" is a schema file, \
             which only a scenario read from a file can name (inline the schema)",
        );
    }

    #[test]
    fn every_value_is_checked_on_produce_and_invalid_ones_are_rejected_and_counted() {
        // The template's qty exceeds nothing, but its id is a key string and v1 wants an int
        // after the upgrade: the upgraded schema makes `id` an int.
        let v2 = V1.replace(
            r#""name": "id", "type": "string""#,
            r#""name": "id", "type": "int""#,
        );
        let produce = format!(r#", "schema_upgrades": [{{"at_us": 10000, "schema": {v2}}}]"#);
        let run = run_traced(
            &scenario(r#", "compatibility": "NONE""#, &produce, ""),
            "test.json",
        );
        let subject = &run.report.schemas[0];
        assert_eq!(subject.versions.len(), 2);
        // The registry answers v1 at 2 ms (the link's 1 ms each way), so records 0..=7 go
        // out from 2 ms to 9 ms with v1; the sends from 10 ms wait for v2's answer (12 ms)
        // and all twelve fail v2.
        assert_eq!(run.report.streams[0].produced, 8);
        assert_eq!(subject.rejected_on_produce.count, 12);
        assert_eq!(
            subject.rejected_on_produce.reasons[0].reason,
            "the value does not match orders-value version 2 (id 2): field \"id\": expected int, found \"key-1\""
                .replace("key-1", &subject_first_key(&run)),
        );
        let rejected: Vec<_> = trace_json(&run)
            .into_iter()
            .filter(|line| line["kind"] == "produce_rejected")
            .collect();
        assert_eq!(rejected.len(), 12, "each rejection is in the trace");
        assert_eq!(rejected[0]["stream"], "orders");
    }

    fn subject_first_key(run: &eventlab::run::ScenarioRun) -> String {
        let reason = &run.report.schemas[0].rejected_on_produce.reasons[0].reason;
        reason
            .rsplit("found \"")
            .next()
            .expect("a found value")
            .trim_end_matches('"')
            .to_string()
    }

    #[test]
    fn a_refused_registration_fails_every_later_send() {
        let v2 = V1.replace(
            r#"{"name": "qty", "type": "int"}"#,
            r#"{"name": "qty", "type": "int"}, {"name": "note", "type": "string"}"#,
        );
        let produce = format!(r#", "schema_upgrades": [{{"at_us": 10000, "schema": {v2}}}]"#);
        let run = run_traced(&scenario("", &produce, ""), "test.json");
        let subject = &run.report.schemas[0];
        assert_eq!(subject.versions.len(), 1);
        assert_eq!(subject.refused.len(), 1);
        let refusal = &subject.refused[0].incompatibilities[0];
        assert_eq!(
            (
                refusal.kind.as_str(),
                refusal.location.as_str(),
                refusal.message.as_str()
            ),
            ("READER_FIELD_MISSING_DEFAULT_VALUE", "/fields/2", "note")
        );
        // Sends from 10 ms wait for the answer, which refuses v2 at 12 ms: twelve fail.
        assert_eq!(subject.rejected_on_produce.count, 12);
        assert_eq!(run.report.streams[0].produced, 8);
        assert_eq!(subject.groups[0].decode_failures.count, 0);
        let registry: Vec<(u64, String)> = trace_json(&run)
            .into_iter()
            .filter(|line| line["kind"] == "schema_registered" || line["kind"] == "schema_refused")
            .map(|line| {
                (
                    line["time_us"].as_u64().expect("a time"),
                    line["kind"].as_str().expect("a kind").to_string(),
                )
            })
            .collect();
        assert_eq!(
            registry,
            [
                (2_000, "schema_registered".to_string()),
                (12_000, "schema_refused".to_string())
            ]
        );
    }

    /// The times of `kinds` in the run's trace, in order.
    fn times_of(run: &eventlab::run::ScenarioRun, kinds: &[&str]) -> Vec<(u64, String)> {
        trace_json(run)
            .into_iter()
            .filter(|line| kinds.iter().any(|kind| line["kind"] == *kind))
            .map(|line| {
                (
                    line["time_us"].as_u64().expect("a time"),
                    line["kind"].as_str().expect("a kind").to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn the_first_send_waits_for_the_registrys_answer_across_the_link() {
        // The producer's link takes 5 ms each way: the registration crosses it to the registry
        // and the answer crosses it back, so nothing is produced before 10 ms.
        let text = scenario("", "", "").replace(
            r#"{"name": "shop", "#,
            r#"{"name": "shop", "link": {"latency_us": 5000}, "#,
        );
        let run = run_traced(&text, "test.json");
        let times = times_of(&run, &["schema_registered", "produced"]);
        assert_eq!(
            times[..3],
            [
                (10_000, "schema_registered".to_string()),
                (10_000, "produced".to_string()),
                (11_000, "produced".to_string()),
            ]
        );
        assert_eq!(
            run.report.streams[0].produced, 20,
            "every held send goes out"
        );
        let line = trace_json(&run)
            .into_iter()
            .find(|line| line["kind"] == "schema_registered")
            .expect("a registration");
        assert_eq!((&line["version"], &line["id"]), (&1.into(), &1.into()));
    }

    #[test]
    fn an_upgrade_holds_the_sends_until_the_answer() {
        let v2 = V1.replace(
            r#"{"name": "qty", "type": "int"}"#,
            r#"{"name": "qty", "type": "int"}, {"name": "note", "type": ["null", "string"], "default": null}"#,
        );
        let produce = format!(r#", "schema_upgrades": [{{"at_us": 10000, "schema": {v2}}}]"#);
        let run = run_traced(&scenario("", &produce, ""), "test.json");
        let times = times_of(&run, &["schema_registered", "produced"]);
        let around: Vec<_> = times
            .iter()
            .filter(|(at, _)| (9_000..=13_000).contains(at))
            .cloned()
            .collect();
        assert_eq!(
            around,
            [
                (9_000, "produced".to_string()),
                (12_000, "schema_registered".to_string()),
                (12_000, "produced".to_string()),
                (13_000, "produced".to_string()),
            ]
        );
        assert_eq!(run.report.schemas[0].versions.len(), 2);
        assert_eq!(run.report.streams[0].produced, 20);
        assert_eq!(run.report.schemas[0].rejected_on_produce.count, 0);
    }

    #[test]
    fn a_run_with_the_registry_is_deterministic() {
        let produce = r#", "schema_upgrades": [{"at_us": 7000, "schema": {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "string"}]}}]"#;
        let text = scenario("", produce, "").replace(
            r#"{"name": "shop", "#,
            r#"{"name": "shop", "link": {"latency_us": 700, "jitter_us": 900}, "#,
        );
        let first = run_traced(&text, "test.json");
        let second = run_traced(&text, "test.json");
        assert_eq!(first.trace, second.trace);
        assert_eq!(first.json(), second.json());
    }

    #[test]
    fn a_reader_that_cannot_resolve_the_writer_counts_and_traces_each_failure() {
        let reader = r#"{"type": "record", "name": "Order", "fields": [
            {"name": "id", "type": "string"}, {"name": "qty", "type": "int"}, {"name": "paid", "type": "boolean"}]}"#;
        let consume = format!(r#", "schema_upgrades": [{{"at_us": 12000, "schema": {reader}}}]"#);
        let run = run_traced(&scenario("", "", &consume), "test.json");
        let group = &run.report.schemas[0].groups[0];
        let failed: Vec<_> = trace_json(&run)
            .into_iter()
            .filter(|line| line["kind"] == "decode_failed")
            .collect();
        assert!(
            group.decode_failures.count > 0,
            "records consumed after 12 ms fail"
        );
        assert_eq!(failed.len() as u64, group.decode_failures.count);
        assert_eq!(
            group.decode_failures.reasons[0].reason,
            "cannot read orders-value version 1 (id 1) with the reader schema: Found Order, expecting Order, missing required field paid"
        );
        assert_eq!(failed[0]["group"], "books");
        // Every record was still consumed (and skipped by the deserializer), none lost.
        assert_eq!(run.report.streams[0].groups[0].consumed, 20);
    }

    #[test]
    fn queue_consumers_decode_too() {
        let reader =
            r#"{"type": "record", "name": "Order", "fields": [{"name": "qty", "type": "string"}]}"#;
        let consume = format!(r#", "schema": {reader}"#);
        let text = scenario("", "", &consume).replace(
            r#"{"name": "orders","#,
            r#"{"name": "orders", "carrier": "queue","#,
        );
        let run = run_traced(&text, "test.json");
        let group = &run.report.schemas[0].groups[0];
        assert_eq!(group.decode_failures.count, 20);
        assert_eq!(
            group.decode_failures.reasons[0].reason,
            "cannot read orders-value version 1 (id 1) with the reader schema: Found int, expecting string"
        );
        let failed = trace_json(&run)
            .into_iter()
            .find(|line| line["kind"] == "decode_failed")
            .expect("traced");
        assert!(
            failed.get("partition").is_none(),
            "a queue message has no partition: {failed}"
        );
    }
}

//! Values from a producer's template: each field drawn from its generator with the caller's
//! seeded `RngStream` (one stream per producer instance and purpose), so values are
//! reproducible and independent of every other draw.

use std::collections::BTreeMap;

use crate::model::topology::{Generator, ValueTemplate};
use crate::sim::rng::RngStream;
use crate::value::Value;

/// The value of the `sequence`-th record (1-based) with key `key`. A tombstone draw comes first
/// (when the template has a tombstone ratio), then the fields in name order.
pub fn generate_value(
    template: &ValueTemplate,
    key: Option<&str>,
    sequence: u64,
    rng: &mut RngStream,
) -> Value {
    if template.tombstone_ppm > 0 && rng.chance_ppm(template.tombstone_ppm) {
        return Value::Null;
    }
    let mut fields = BTreeMap::new();
    for (name, generator) in &template.fields {
        let value = match generator {
            Generator::Key => key.map_or(Value::Null, |key| Value::Str(key.to_string())),
            Generator::Counter => Value::Int(i64::try_from(sequence).unwrap_or(i64::MAX)),
            Generator::Const(value) => value.clone(),
            Generator::IntRange(min, max) => {
                // Two's complement: the span fits a u64 even for i64::MIN..=i64::MAX.
                let span = max.wrapping_sub(*min) as u64;
                Value::Int(min.wrapping_add(rng.between(0, span) as i64))
            }
            Generator::OneOf(choices) => {
                if choices.is_empty() {
                    Value::Null
                } else {
                    choices[rng.below(choices.len() as u64) as usize].clone()
                }
            }
        };
        fields.insert(name.clone(), value);
    }
    Value::Object(fields)
}

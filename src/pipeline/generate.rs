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

#[cfg(test)]
mod tests {
    use super::*;

    fn template(fields: Vec<(&str, Generator)>, tombstone_ppm: u32) -> ValueTemplate {
        ValueTemplate {
            fields: fields
                .into_iter()
                .map(|(name, generator)| (name.to_string(), generator))
                .collect(),
            tombstone_ppm,
        }
    }

    #[test]
    fn fields_follow_their_generators_and_the_same_seed_gives_the_same_value() {
        let t = template(
            vec![
                ("id", Generator::Key),
                ("n", Generator::Counter),
                ("c", Generator::Const(Value::Bool(true))),
                ("r", Generator::IntRange(-2, 2)),
                (
                    "o",
                    Generator::OneOf(vec![Value::Str("a".into()), Value::Str("b".into())]),
                ),
            ],
            0,
        );
        for seq in 1..200 {
            let value = generate_value(&t, Some("user-1"), seq, &mut RngStream::new(seq, 9));
            assert_eq!(value.get("id"), Some(&Value::Str("user-1".into())));
            assert_eq!(value.get("n"), Some(&Value::Int(seq as i64)));
            assert_eq!(value.get("c"), Some(&Value::Bool(true)));
            let Some(Value::Int(r)) = value.get("r") else {
                panic!("int_range gives an integer")
            };
            assert!((-2..=2).contains(r));
            assert!(matches!(value.get("o"), Some(Value::Str(s)) if s == "a" || s == "b"));
            let again = generate_value(&t, Some("user-1"), seq, &mut RngStream::new(seq, 9));
            assert_eq!(value, again);
        }
    }

    #[test]
    fn the_full_i64_range_and_tombstone_ratios_work() {
        let t = template(vec![("r", Generator::IntRange(i64::MIN, i64::MAX))], 0);
        let value = generate_value(&t, None, 1, &mut RngStream::new(1, 1));
        assert!(matches!(value.get("r"), Some(Value::Int(_))));
        let always = template(vec![("k", Generator::Key)], 1_000_000);
        assert_eq!(
            generate_value(&always, Some("k"), 1, &mut RngStream::new(1, 1)),
            Value::Null
        );
        let tenth = template(vec![], 100_000);
        let tombstones = (0..10_000)
            .filter(|&seed| {
                generate_value(&tenth, Some("k"), 1, &mut RngStream::new(seed, 3)) == Value::Null
            })
            .count();
        assert!((800..1_200).contains(&tombstones), "{tombstones}");
    }
}

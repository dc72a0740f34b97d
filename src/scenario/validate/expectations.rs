//! Validation of `expect[]`: the checks a run must meet, each on a declared stream.

use super::validator::{Declaration, StreamNames, Validator};
use crate::model::Expect;
use crate::scenario::choice::Choices;
use crate::scenario::raw::RawExpect;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Check {
    NoLoss,
    NoDuplicates,
    PerKeyOrder,
    MaxLagBelow,
}

const CHECKS: Choices<'static, Check> = Choices {
    noun: "check",
    table: &[
        ("no_loss", Check::NoLoss),
        ("no_duplicates", Check::NoDuplicates),
        ("per_key_order", Check::PerKeyOrder),
        ("max_lag_below", Check::MaxLagBelow),
    ],
};

pub(super) fn expects(v: &mut Validator, raw: &[RawExpect], names: &StreamNames) -> Vec<Expect> {
    let mut expects = Vec::new();
    for (index, expect) in raw.iter().enumerate() {
        let path = format!("expect[{index}]");
        let Some(check) = v.choose_required(format!("{path}.check"), &expect.check, &CHECKS) else {
            continue;
        };
        let stream = names.resolve(
            v,
            format!("{path}.stream"),
            &expect.stream,
            Declaration::Last,
        );
        match (check == Check::MaxLagBelow, expect.value) {
            (true, None) => v.error(&path, "\"max_lag_below\" needs a \"value\" (records)"),
            (false, Some(_)) => v.error(
                format!("{path}.value"),
                format!("\"{}\" takes no \"value\"", expect.check),
            ),
            _ => {}
        }
        let Some(stream) = stream else { continue };
        expects.push(match check {
            Check::NoLoss => Expect::NoLoss { stream },
            Check::NoDuplicates => Expect::NoDuplicates { stream },
            Check::PerKeyOrder => Expect::PerKeyOrder { stream },
            Check::MaxLagBelow => Expect::MaxLagBelow {
                stream,
                value: expect.value.unwrap_or(0),
            },
        });
    }
    expects
}

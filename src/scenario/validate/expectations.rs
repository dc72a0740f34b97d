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
    MaxLatencyBelow,
    TableMatchesLog,
    NoLossAcked,
    EventuallyDrained,
}

const CHECKS: Choices<'static, Check> = Choices {
    noun: "check",
    table: &[
        ("no_loss", Check::NoLoss),
        ("no_duplicates", Check::NoDuplicates),
        ("per_key_order", Check::PerKeyOrder),
        ("max_lag_below", Check::MaxLagBelow),
        ("max_latency_below", Check::MaxLatencyBelow),
        ("table_matches_log", Check::TableMatchesLog),
        ("no_loss_acked", Check::NoLossAcked),
        ("eventually_drained", Check::EventuallyDrained),
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
        let unit = match check {
            Check::MaxLagBelow => Some("records"),
            Check::MaxLatencyBelow => Some("µs"),
            _ => None,
        };
        match (unit, expect.value) {
            (Some(unit), None) => v.error(
                &path,
                format!("\"{}\" needs a \"value\" ({unit})", expect.check),
            ),
            (None, Some(_)) => v.error(
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
            Check::MaxLatencyBelow => Expect::MaxLatencyBelow {
                stream,
                value_us: expect.value.unwrap_or(0),
            },
            Check::TableMatchesLog => Expect::TableMatchesLog { stream },
            Check::NoLossAcked => Expect::NoLossAcked { stream },
            Check::EventuallyDrained => Expect::EventuallyDrained { stream },
        });
    }
    expects
}

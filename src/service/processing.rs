//! A record's processing time: the one draw a log run and a queue run of the same workload must
//! share. Keyed by (seed, the group's "processing" stream, message id), never taken in
//! sequence, so it is the same whichever consumer processes the record, in whatever order.

use crate::model::ProcessingTime;
use crate::sim::rng;

/// The processing time of the record `message_key` (a `MessageId::as_u64`), scaled by the
/// instance's slow factor.
pub fn processing_time_us(
    processing: ProcessingTime,
    seed: u64,
    processing_stream: u64,
    message_key: u64,
    slow_factor_ppm: u64,
) -> u64 {
    let base = match processing {
        ProcessingTime::Fixed { time_us } => time_us,
        ProcessingTime::Uniform {
            time_us_min,
            time_us_max,
        } => {
            time_us_min
                + rng::keyed_below(
                    seed,
                    processing_stream,
                    message_key,
                    time_us_max - time_us_min + 1,
                )
        }
        ProcessingTime::Exponential { time_us_mean } => rng::exponential_us(
            time_us_mean,
            rng::keyed_u64(seed, processing_stream, message_key),
        ),
    };
    if slow_factor_ppm == 1_000_000 {
        base
    } else {
        let scaled = u128::from(base) * u128::from(slow_factor_ppm) / 1_000_000;
        u64::try_from(scaled).unwrap_or(u64::MAX)
    }
}

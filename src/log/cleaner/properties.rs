//! Property tests of the cleaner: over random logs (keys, tombstones, rolls, passes at random
//! times), a pass never reorders records, never changes an offset, always keeps each key's
//! latest record (a tombstone only until its horizon), and keeps the active segment whole.

use proptest::prelude::*;

use super::*;
use crate::log::partition_log::SegmentPolicy;
use crate::model::{InstanceId, KeyId, MessageId};

#[derive(Clone, Debug)]
enum Op {
    Append { key: usize, tombstone: bool },
    Roll,
    Clean { forced: bool },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (0usize..12, prop::bool::weighted(0.15))
            .prop_map(|(key, tombstone)| Op::Append { key, tombstone }),
        1 => Just(Op::Roll),
        2 => any::<bool>().prop_map(|forced| Op::Clean { forced }),
    ]
}

fn is_tombstone(record: &Record) -> bool {
    record.value_size_bytes == 0
}

/// Every stored record as (offset, message sequence), in log order.
fn contents(log: &PartitionLog) -> Vec<(u64, u32)> {
    log.segments()
        .iter()
        .flat_map(|s| (0..s.len()).map(move |i| (s.offset(i).0, s.record(i).id.seq)))
        .collect()
}

proptest! {
    #[test]
    fn compaction_keeps_order_offsets_latest_per_key_and_the_active_segment(
        ops in prop::collection::vec(op(), 1..120),
        segment_records in 1u64..8,
        delete_retention_us in 0u64..50,
    ) {
        let mut log = PartitionLog::new(SegmentPolicy {
            segment_bytes: u64::MAX,
            segment_us: u64::MAX,
            segment_records: Some(segment_records),
        });
        let config = CleanerConfig {
            min_cleanable_ratio_ppm: 500_000,
            min_lag_us: 0,
            max_lag_us: u64::MAX,
            delete_retention_us,
        };
        // What was appended: seq → (offset, key, tombstone).
        let mut appended: Vec<(u64, usize, bool)> = Vec::new();
        for (step, op) in ops.into_iter().enumerate() {
            let now = SimTime(step as u64 * 10);
            match op {
                Op::Append { key, tombstone } => {
                    let record = Record {
                        id: MessageId { producer: InstanceId(0), seq: appended.len() as u32 },
                        key: Some(KeyId::from_index(key)),
                        value_size_bytes: u32::from(!tombstone),
                        sent_at: now,
                        schema_id: 0,
                    };
                    let offset = log.append(record, 10, now);
                    appended.push((offset.0, key, tombstone));
                }
                Op::Roll => log.roll(now),
                Op::Clean { forced } => {
                    let before = contents(&log);
                    let active_before = {
                        let active = log.segments().last().expect("active segment");
                        active.records().to_vec()
                    };
                    let range = cleanable(&log, now, &config);
                    if !forced && !range.qualifies(config.min_cleanable_ratio_ppm) {
                        continue;
                    }
                    clean(&mut log, now, &config, |record| RecordFacts {
                        tombstone: is_tombstone(record),
                        bytes: 10,
                    });
                    let after = contents(&log);
                    // Order and offsets: a subsequence of what was there, offsets as appended.
                    let mut rest = before.iter();
                    for entry in &after {
                        prop_assert!(rest.any(|b| b == entry), "reordered or invented {entry:?}");
                        prop_assert_eq!(entry.0, appended[entry.1 as usize].0, "offset changed");
                    }
                    prop_assert!(after.windows(2).all(|w| w[0].0 < w[1].0));
                    // The active segment is untouched.
                    let active = log.segments().last().expect("active segment");
                    prop_assert_eq!(active.records(), &active_before[..]);
                    // Each key's latest record stays, unless it is a tombstone whose horizon
                    // has come.
                    for key in 0..12 {
                        let Some(&(_, seq)) = before
                            .iter()
                            .rev()
                            .find(|(_, seq)| appended[*seq as usize].1 == key)
                        else {
                            continue;
                        };
                        if !appended[seq as usize].2 {
                            prop_assert!(after.iter().any(|&(_, s)| s == seq), "latest of key {key} lost");
                        }
                    }
                }
            }
        }
    }
}

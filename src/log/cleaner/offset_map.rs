//! The cleaner's offset map: for each key of the dirty section, the offset of its latest
//! record.
//!
//! Kafka's `SkimpyOffsetMap` hashes keys into a fixed buffer (`log.cleaner.dedupe.buffer.size`)
//! and a pass that fills it cleans only part of the dirty section. eventlab's keys are already
//! small integers (`KeyId`), so the map is a vector indexed by key and never fills: every pass
//! takes the whole dirty section. It is not the cleaner; it only remembers offsets.

use crate::model::{KeyId, Offset};

/// No record of this key in the dirty section.
const NONE: u64 = u64::MAX;

#[derive(Debug, Default)]
pub struct OffsetMap {
    /// By key index: the latest offset, or `NONE`.
    latest: Vec<u64>,
    /// The last offset put (Kafka's `OffsetMap.latestOffset`), keyed or not.
    latest_offset: Option<Offset>,
    keys: usize,
}

impl OffsetMap {
    /// Records that the key `key` (if any) has a record at `offset`, the largest so far.
    #[inline]
    pub fn put(&mut self, key: Option<KeyId>, offset: Offset) {
        if let Some(key) = key {
            let index = key.index();
            if index >= self.latest.len() {
                self.latest.resize(index + 1, NONE);
            }
            if self.latest[index] == NONE {
                self.keys += 1;
            }
            self.latest[index] = offset.0;
        }
        self.latest_offset = Some(offset);
    }

    /// The latest offset of `key` in the dirty section.
    #[inline]
    pub fn get(&self, key: KeyId) -> Option<Offset> {
        match self.latest.get(key.index()) {
            Some(&offset) if offset != NONE => Some(Offset(offset)),
            _ => None,
        }
    }

    /// The last offset put, keyed or not (`None`: nothing was put).
    pub fn latest_offset(&self) -> Option<Offset> {
        self.latest_offset
    }

    /// How many distinct keys the map holds.
    pub fn keys(&self) -> usize {
        self.keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_latest_offset_per_key_and_the_last_offset_put() {
        let mut map = OffsetMap::default();
        let (a, b) = (KeyId::from_index(0), KeyId::from_index(5));
        map.put(Some(a), Offset(1));
        map.put(Some(b), Offset(2));
        map.put(Some(a), Offset(3));
        map.put(None, Offset(4));
        assert_eq!(map.get(a), Some(Offset(3)));
        assert_eq!(map.get(b), Some(Offset(2)));
        assert_eq!(map.get(KeyId::from_index(1)), None);
        assert_eq!(map.latest_offset(), Some(Offset(4)));
        assert_eq!(map.keys(), 2);
    }
}

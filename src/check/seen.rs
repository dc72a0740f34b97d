//! Which messages of one producer a group has already completed, by sequence number, with
//! bounded state: a watermark below which every sequence number was seen, and a bitset window
//! above it. Memory grows only with how far completions run ahead of the oldest missing one.

use std::collections::VecDeque;

#[derive(Clone, Debug, Default)]
pub struct SeenSet {
    /// Every sequence number below this was seen.
    watermark: u64,
    /// Bit i of word w: sequence number `watermark_base + 64·w + i` was seen.
    words: VecDeque<u64>,
    /// The sequence number of bit 0 of `words[0]` (a multiple of 64, ≤ watermark).
    base: u64,
}

impl SeenSet {
    /// Marks `seq` seen; returns false if it was seen before.
    pub fn insert(&mut self, seq: u64) -> bool {
        if seq < self.watermark {
            return false;
        }
        let offset = seq - self.base;
        let word = (offset / 64) as usize;
        let bit = 1u64 << (offset % 64);
        if self.words.len() <= word {
            self.words.resize(word + 1, 0);
        }
        if self.words[word] & bit != 0 {
            return false;
        }
        self.words[word] |= bit;
        self.advance();
        true
    }

    pub fn contains(&self, seq: u64) -> bool {
        if seq < self.watermark {
            return true;
        }
        let offset = seq - self.base;
        let word = (offset / 64) as usize;
        self.words
            .get(word)
            .is_some_and(|bits| bits & (1u64 << (offset % 64)) != 0)
    }

    fn advance(&mut self) {
        loop {
            let offset = self.watermark - self.base;
            let word = (offset / 64) as usize;
            let Some(&bits) = self.words.get(word) else {
                return;
            };
            let shifted = bits >> (offset % 64);
            let run = shifted.trailing_ones() as u64;
            self.watermark += run;
            if (offset % 64) + run < 64 {
                break;
            }
        }
        // Drop full words below the watermark.
        while self.watermark - self.base >= 64 && !self.words.is_empty() {
            self.words.pop_front();
            self.base += 64;
        }
    }

    /// Every sequence number below this was seen.
    pub fn watermark(&self) -> u64 {
        self.watermark
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_set_finds_repeats_in_any_order_and_stays_small() {
        let mut seen = SeenSet::default();
        for seq in (0..1000).rev() {
            assert!(seen.insert(seq));
        }
        assert_eq!(seen.watermark(), 1000);
        assert!(seen.words.len() <= 1);
        assert!(!seen.insert(999));
        assert!(!seen.insert(0));
        assert!(seen.insert(1200));
        assert!(seen.contains(1200));
        assert!(!seen.contains(1100));
        assert!(!seen.insert(1200));
        for seq in 1000..1200 {
            assert!(seen.insert(seq));
        }
        assert_eq!(seen.watermark(), 1201);
    }
}

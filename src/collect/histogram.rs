//! Exact latency percentiles with state bounded by the number of distinct values.

use std::collections::BTreeMap;

/// Values below this (about 1.05 s) are counted in a dense array, at most 8 MiB, grown only
/// as far as the largest value seen; the rest in an ordered map.
const DENSE_LIMIT_US: u64 = 1 << 20;

#[derive(Clone, Debug, Default)]
pub struct Histogram {
    dense: Vec<u64>,
    sparse: BTreeMap<u64, u64>,
    count: u64,
    max: u64,
}

/// Nearest-rank percentiles (p50, p90, p99) and the maximum, in µs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Percentiles {
    pub count: u64,
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub max: u64,
}

impl Histogram {
    pub fn record(&mut self, value: u64) {
        if value < DENSE_LIMIT_US {
            let index = value as usize;
            if self.dense.len() <= index {
                self.dense.resize(index + 1, 0);
            }
            self.dense[index] += 1;
        } else {
            *self.sparse.entry(value).or_insert(0) += 1;
        }
        self.count += 1;
        self.max = self.max.max(value);
    }

    /// The smallest value v such that at least `ceil(percent% of count)` values are ≤ v.
    pub fn percentile(&self, percent: u64) -> u64 {
        if self.count == 0 {
            return 0;
        }
        let rank = (percent * self.count).div_ceil(100).max(1);
        let mut seen = 0;
        let dense = self
            .dense
            .iter()
            .enumerate()
            .map(|(value, &count)| (value as u64, count));
        let sparse = self.sparse.iter().map(|(&value, &count)| (value, count));
        for (value, count) in dense.chain(sparse) {
            seen += count;
            if seen >= rank {
                return value;
            }
        }
        self.max
    }

    /// Every distinct value with its count, smallest first.
    pub fn counts(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        let dense = self
            .dense
            .iter()
            .enumerate()
            .filter(|(_, count)| **count > 0)
            .map(|(value, &count)| (value as u64, count));
        dense.chain(self.sparse.iter().map(|(&value, &count)| (value, count)))
    }

    pub fn percentiles(&self) -> Percentiles {
        Percentiles {
            count: self.count,
            p50: self.percentile(50),
            p90: self.percentile(90),
            p99: self.percentile(99),
            max: self.max,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles_on_one_to_a_hundred() {
        let mut histogram = Histogram::default();
        for value in (1..=100).rev() {
            histogram.record(value * 1_000);
        }
        let p = histogram.percentiles();
        assert_eq!(
            (p.count, p.p50, p.p90, p.p99, p.max),
            (100, 50_000, 90_000, 99_000, 100_000)
        );
    }

    #[test]
    fn small_counts_round_the_rank_up() {
        let mut histogram = Histogram::default();
        for value in [5, 1, 3] {
            histogram.record(value);
        }
        // Ranks: p50 → ceil(1.5) = 2nd value, p99 → 3rd.
        assert_eq!(histogram.percentile(50), 3);
        assert_eq!(histogram.percentile(99), 5);
        assert_eq!(Histogram::default().percentile(50), 0);
    }
}

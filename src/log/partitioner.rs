//! Key → partition functions of real Kafka clients, bit-exact.
//!
//! * [`murmur2`] and [`to_positive`] follow `org.apache.kafka.common.utils.Utils.murmur2` /
//!   `Utils.toPositive` of the Apache Kafka 3.9 Java client, and
//!   [`Partitioner::Murmur2`] follows `BuiltInPartitioner.partitionForKey`
//!   (`toPositive(murmur2(key)) % numPartitions`), the Java producer's default for keyed records.
//! * [`Partitioner::ConsistentRandom`] follows librdkafka's `consistent_random` partitioner
//!   (`rd_kafka_msg_partitioner_consistent_random` in `src/rdkafka_msg.c`): `rd_crc32(key) %
//!   partition_cnt`, where `rd_crc32` is the standard IEEE / zlib CRC-32 ([`crc32`]). librdkafka
//!   picks a *random* partition when the key is empty (a null key has length 0 there too); this
//!   module has no randomness, so callers must route unkeyed / empty-key records themselves (for
//!   example with [`StickyPartitioner`] or their own seeded RNG).
//! * [`Partitioner::Fnv1a32`] is the 32-bit FNV-1a hash modulo the partition count, the same
//!   arithmetic as librdkafka's `fnv1a` partitioner (`rd_fnv1a(key) % partition_cnt`).
//! * [`StickyPartitioner`] models KIP-794's `BuiltInPartitioner` for unkeyed records with adaptive
//!   partitioning disabled (no partition load statistics).
//!
//! A partition count of 0 has no valid answer; Kafka would throw `ArithmeticException` (`% 0`).
//! Because these signatures return a bare `u32`, such calls return partition 0 instead of
//! panicking; callers are expected to validate topics before producing to them.

use crate::model::Partitioner;

/// Seed used by Kafka's `Utils.murmur2`.
const MURMUR2_SEED: u32 = 0x9747_b28c;
/// Mixing constant `m` of MurmurHash2.
const MURMUR2_M: u32 = 0x5bd1_e995;
/// Mixing shift `r` of MurmurHash2.
const MURMUR2_R: u32 = 24;

/// 32-bit MurmurHash2 exactly as Kafka's `Utils.murmur2(byte[])` computes it.
///
/// Java works on signed `int`s with wrapping multiplication and `>>>` (logical shift); doing the
/// arithmetic on `u32` with wrapping operations and reinterpreting the result gives identical bits.
pub fn murmur2(data: &[u8]) -> i32 {
    // Java array lengths are `int`; the seed is XOR-ed with the (truncated) length.
    let length = data.len();
    let mut h: u32 = MURMUR2_SEED ^ (length as u32);

    let mut chunks = data.chunks_exact(4);
    for chunk in &mut chunks {
        let mut k = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        k = k.wrapping_mul(MURMUR2_M);
        k ^= k >> MURMUR2_R;
        k = k.wrapping_mul(MURMUR2_M);
        h = h.wrapping_mul(MURMUR2_M);
        h ^= k;
    }

    // The Java `switch (length % 4)` falls through from case 3 to case 1.
    let tail = chunks.remainder();
    if tail.len() >= 3 {
        h ^= u32::from(tail[2]) << 16;
    }
    if tail.len() >= 2 {
        h ^= u32::from(tail[1]) << 8;
    }
    if !tail.is_empty() {
        h ^= u32::from(tail[0]);
        h = h.wrapping_mul(MURMUR2_M);
    }

    h ^= h >> 13;
    h = h.wrapping_mul(MURMUR2_M);
    h ^= h >> 15;
    h as i32
}

/// Kafka's `Utils.toPositive`: clears the sign bit (`number & 0x7fffffff`).
///
/// This is *not* `abs`: `-1` maps to `i32::MAX`, and `i32::MIN` maps to `0`.
pub fn to_positive(number: i32) -> i32 {
    number & 0x7fff_ffff
}

/// FNV offset basis for 32-bit FNV-1a.
const FNV1A32_OFFSET_BASIS: u32 = 0x811c_9dc5;
/// FNV prime for 32-bit FNV-1a.
const FNV1A32_PRIME: u32 = 0x0100_0193;

/// 32-bit FNV-1a (XOR the byte, then multiply by the FNV prime).
pub fn fnv1a32(data: &[u8]) -> u32 {
    data.iter().fold(FNV1A32_OFFSET_BASIS, |hash, &byte| {
        (hash ^ u32::from(byte)).wrapping_mul(FNV1A32_PRIME)
    })
}

/// Reflected IEEE 802.3 polynomial used by zlib's `crc32`.
const CRC32_POLY: u32 = 0xedb8_8320;

/// Byte-at-a-time lookup table for [`crc32`], computed at compile time.
const CRC32_TABLE: [u32; 256] = build_crc32_table();

const fn build_crc32_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut bit = 0;
        while bit < 8 {
            c = if c & 1 != 0 {
                CRC32_POLY ^ (c >> 1)
            } else {
                c >> 1
            };
            bit += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
}

/// IEEE CRC-32 as computed by zlib's `crc32(0, data, len)` (librdkafka's `rd_crc32`).
pub fn crc32(data: &[u8]) -> u32 {
    let crc = data.iter().fold(0xffff_ffffu32, |crc, &byte| {
        CRC32_TABLE[((crc ^ u32::from(byte)) & 0xff) as usize] ^ (crc >> 8)
    });
    crc ^ 0xffff_ffff
}

// The enum itself is model vocabulary (`model::Partitioner`); its hashing lives here.
impl Partitioner {
    /// The raw 32 hash bits before the modulo: `murmur2` reinterpreted as `u32` (sign bit kept),
    /// `fnv1a32`, or `crc32`.
    pub fn hash(self, key: &[u8]) -> u32 {
        match self {
            Partitioner::Murmur2 => murmur2(key) as u32,
            Partitioner::Fnv1a32 => fnv1a32(key),
            Partitioner::ConsistentRandom => crc32(key),
        }
    }

    /// The partition a keyed record goes to.
    ///
    /// * `Murmur2`: `to_positive(murmur2(key)) % partition_count` (Kafka
    ///   `BuiltInPartitioner.partitionForKey`). Note the sign bit is *cleared* before the modulo,
    ///   so this is not `hash(key) % partition_count`.
    /// * `Fnv1a32`: `fnv1a32(key) % partition_count` (unsigned).
    /// * `ConsistentRandom`: `crc32(key) % partition_count` (unsigned). For an **empty** key
    ///   librdkafka picks a random partition instead; this function stays deterministic and
    ///   returns `crc32(b"") % n = 0`, so callers must handle unkeyed / empty-key records.
    ///
    /// Returns 0 when `partition_count` is 0 (Kafka would fail with a division by zero).
    pub fn partition_for_key(self, key: &[u8], partition_count: u32) -> u32 {
        if partition_count == 0 {
            return 0;
        }
        match self {
            // `to_positive` yields 0..=i32::MAX, so the cast to u32 is lossless.
            Partitioner::Murmur2 => (to_positive(murmur2(key)) as u32) % partition_count,
            Partitioner::Fnv1a32 => fnv1a32(key) % partition_count,
            Partitioner::ConsistentRandom => crc32(key) % partition_count,
        }
    }
}

/// Sticky partitioning for **unkeyed** records, modelling Kafka 3.9's `BuiltInPartitioner`
/// (KIP-794) with adaptive partitioning off (`partitioner.adaptive.partitioning.enable=false`, or
/// no load statistics yet).
///
/// What Kafka does, and what this struct replicates:
/// * `peekCurrentPartitionInfo`: if there is no sticky partition yet, pick one with
///   `nextPartition`.
/// * `nextPartition` without load stats: `random = Utils.toPositive(ThreadLocalRandom.nextInt())`
///   and `partition = availablePartitions.get(random % availablePartitions.size())`. The
///   *previous* partition is **not** excluded (unlike the pre-3.3 `StickyPartitionCache`), so a
///   switch can land on the same partition again. Here `draw(partition_count)` stands in for
///   `random % count`; every partition is considered available.
/// * `updatePartitionInfo`: `producedBytes += appendedBytes`, then switch (pick a fresh partition
///   with `nextPartition` and reset the byte count) when
///   `producedBytes >= stickyBatchSize && enableSwitch || producedBytes >= stickyBatchSize * 2`.
///   `stickyBatchSize` is the producer's `batch.size`.
///
/// Simplifications (documented because the simulator models time itself):
/// * There is no linger-driven batch closing. `enableSwitch` in Kafka is "the last batch in the
///   partition's queue is full or sent" (`RecordAccumulator.allBatchesFull`); [`Self::partition`]
///   assumes `true`. [`Self::partition_with_switch`] lets a caller that models batch readiness
///   pass it explicitly, which then engages the `2 * batch.size` cap.
/// * No partition availability: every partition in `0..partition_count` is a candidate.
/// * `appendedBytes` is the record size passed in (Kafka counts the bytes the record added to
///   the batch, including per-record overhead).
/// * Kafka rejects `stickyBatchSize < 1`; [`Self::new`] clamps 0 to 1 instead of failing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StickyPartitioner {
    /// `batch.size`: bytes to produce to the sticky partition before switching.
    batch_size_bytes: u32,
    /// The current sticky partition, chosen lazily on first use.
    current: Option<u32>,
    /// Bytes produced to `current` since it was chosen (Kafka's `producedBytes`).
    produced_bytes: u64,
}

impl StickyPartitioner {
    /// A partitioner with no sticky partition yet; `batch_size_bytes` of 0 is treated as 1.
    pub fn new(batch_size_bytes: u32) -> Self {
        Self {
            batch_size_bytes: batch_size_bytes.max(1),
            current: None,
            produced_bytes: 0,
        }
    }

    /// The configured batch size in bytes (after clamping to at least 1).
    pub fn batch_size_bytes(&self) -> u32 {
        self.batch_size_bytes
    }

    /// The partition the next unkeyed record would go to, if one has been chosen already.
    pub fn current_partition(&self) -> Option<u32> {
        self.current
    }

    /// Bytes produced to the current sticky partition since it was chosen.
    pub fn produced_bytes(&self) -> u64 {
        self.produced_bytes
    }

    /// Assign one unkeyed record of `record_size_bytes` and return its partition, switching the
    /// sticky partition afterwards once `batch.size` bytes were produced to it (batches are
    /// assumed to be ready, i.e. `enableSwitch = true`).
    ///
    /// `draw(n)` must return a uniformly random integer in `0..n` from the caller's seeded RNG; it
    /// is called exactly when Kafka calls `nextPartition` (first record, and on every switch).
    /// Returns 0 without calling `draw` when `partition_count` is 0.
    pub fn partition(
        &mut self,
        record_size_bytes: u32,
        partition_count: u32,
        draw: &mut dyn FnMut(u32) -> u32,
    ) -> u32 {
        self.partition_with_switch(record_size_bytes, partition_count, true, draw)
    }

    /// Like [`Self::partition`], with Kafka's `enableSwitch` flag explicit: when `false` (the
    /// partition's last batch is not full yet) the switch is deferred until `2 * batch.size`
    /// bytes were produced.
    pub fn partition_with_switch(
        &mut self,
        record_size_bytes: u32,
        partition_count: u32,
        enable_switch: bool,
        draw: &mut dyn FnMut(u32) -> u32,
    ) -> u32 {
        if partition_count == 0 {
            return 0;
        }
        let partition = self.peek_partition(partition_count, draw);
        self.update_partition_info(record_size_bytes, partition_count, enable_switch, draw);
        partition
    }

    /// `BuiltInPartitioner.peekCurrentPartitionInfo`: the sticky partition, drawing one when
    /// there is none yet. A partition that no longer exists (the caller shrank the topic, which
    /// Kafka never does) is treated like "no sticky partition yet". Returns 0 without drawing
    /// when `partition_count` is 0.
    pub fn peek_partition(
        &mut self,
        partition_count: u32,
        draw: &mut dyn FnMut(u32) -> u32,
    ) -> u32 {
        if partition_count == 0 {
            return 0;
        }
        match self.current {
            Some(p) if p < partition_count => p,
            _ => {
                let p = Self::next_partition(partition_count, draw);
                self.current = Some(p);
                self.produced_bytes = 0;
                p
            }
        }
    }

    /// `BuiltInPartitioner.updatePartitionInfo`, after a record of `appended_bytes` went to the
    /// peeked partition: count the bytes, and switch to a freshly drawn partition once
    /// `batch.size` bytes were produced and `enable_switch` (the partition's last batch is full),
    /// or once `2 * batch.size` bytes were produced regardless.
    pub fn update_partition_info(
        &mut self,
        appended_bytes: u32,
        partition_count: u32,
        enable_switch: bool,
        draw: &mut dyn FnMut(u32) -> u32,
    ) {
        if partition_count == 0 || self.current.is_none() {
            return;
        }
        self.produced_bytes = self
            .produced_bytes
            .saturating_add(u64::from(appended_bytes));
        let batch = u64::from(self.batch_size_bytes);
        if (self.produced_bytes >= batch && enable_switch) || self.produced_bytes >= batch * 2 {
            self.current = Some(Self::next_partition(partition_count, draw));
            self.produced_bytes = 0;
        }
    }

    /// `BuiltInPartitioner.nextPartition` without load stats: uniform over all partitions,
    /// previous partition included. The result is reduced modulo the count so that a misbehaving
    /// `draw` cannot produce an out-of-range partition.
    fn next_partition(partition_count: u32, draw: &mut dyn FnMut(u32) -> u32) -> u32 {
        draw(partition_count) % partition_count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // UtilsTest.testMurmur2 (Kafka clients/src/test/.../common/utils/UtilsTest.java): every vector.
    #[test]
    fn test_murmur2() {
        let cases: [(&[u8], i32); 6] = [
            (b"21", -973932308),
            (b"foobar", -790332482),
            (b"a-little-bit-long-string", -985981536),
            (b"a-little-bit-longer-string", -1486304829),
            (
                b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
                -58897971,
            ),
            (b"abc", 479470107), // Java: new byte[] {'a', 'b', 'c'}
        ];
        for (data, expected) in cases {
            assert_eq!(murmur2(data), expected, "murmur2({data:?})");
        }
    }

    // Every tail length (0..=3 trailing bytes) goes through a different arm of the Java switch.
    #[test]
    fn murmur2_every_tail_length_hashes_differently() {
        let data = b"abcdefgh";
        let hashes: Vec<i32> = (0..=data.len()).map(|n| murmur2(&data[..n])).collect();
        for (i, a) in hashes.iter().enumerate() {
            for b in &hashes[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    // Utils.toPositive semantics (UtilsTest has no dedicated vector; these follow the Javadoc).
    #[test]
    fn to_positive_clears_sign_bit() {
        assert_eq!(to_positive(0), 0);
        assert_eq!(to_positive(5), 5);
        assert_eq!(to_positive(-1), i32::MAX);
        assert_eq!(to_positive(i32::MIN), 0);
        assert_eq!(to_positive(-973932308), -973932308 & 0x7fff_ffff);
    }

    // Kafka's own tests (DefaultPartitionerTest, BuiltInPartitionerTest, KafkaProducerTest) do not
    // pin concrete key → partition results; they compare against `Utils.toPositive(Utils.murmur2(..))
    // % n`. These pins come from a public third-party Spock spec that asserts them against the real
    // `BuiltInPartitioner.partitionForKey(key.getBytes(), 10)`; the UtilsTest murmur2 vectors above
    // pin the hash itself.
    #[test]
    fn murmur2_known_key_partitions() {
        for (key, partition) in [("a", 4), ("b", 6), ("c", 4), ("d", 3), ("e", 4)] {
            assert_eq!(
                Partitioner::Murmur2.partition_for_key(key.as_bytes(), 10),
                partition,
                "key {key}"
            );
        }
        // toPositive, not abs: "21" hashes negative.
        let h = murmur2(b"21");
        assert!(h < 0);
        assert_eq!(
            Partitioner::Murmur2.partition_for_key(b"21", 7),
            ((h & 0x7fff_ffff) % 7) as u32
        );
        assert_ne!(
            Partitioner::Murmur2.partition_for_key(b"21", 7),
            (h.unsigned_abs() % 7)
        );
    }

    #[test]
    fn fnv1a32_vectors() {
        assert_eq!(fnv1a32(b""), 0x811c_9dc5);
        assert_eq!(fnv1a32(b"a"), 0xe40c_292c);
        assert_eq!(fnv1a32(b"foobar"), 0xbf9c_f968);
    }

    #[test]
    fn crc32_vectors() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(crc32(b""), 0);
        assert_eq!(
            crc32(b"The quick brown fox jumps over the lazy dog"),
            0x414f_a339
        );
    }

    #[test]
    fn fnv1a32_distribution_of_ten_thousand_keys_over_eight_partitions() {
        let mut per_key_partition = [0u64; 8];
        for k in 0..10_000u32 {
            let key = format!("k{k}");
            per_key_partition
                [Partitioner::Fnv1a32.partition_for_key(key.as_bytes(), 8) as usize] += 1;
        }
        // n = 0..999_999 with key "k{n % 10000}" visits every key exactly 100 times.
        let mut counts = [0u64; 8];
        for n in 0..1_000_000u32 {
            let key = format!("k{}", n % 10_000);
            counts[Partitioner::Fnv1a32.partition_for_key(key.as_bytes(), 8) as usize] += 1;
        }
        assert_eq!(counts.map(|c| c / 100), per_key_partition);
        assert_eq!(
            counts,
            [
                125200, 125100, 124900, 125200, 124800, 124900, 125100, 124800
            ]
        );
    }

    #[test]
    fn partitioner_hash_and_partition() {
        let key = b"order-42";
        assert_eq!(Partitioner::Murmur2.hash(key), murmur2(key) as u32);
        assert_eq!(Partitioner::Fnv1a32.hash(key), fnv1a32(key));
        assert_eq!(Partitioner::ConsistentRandom.hash(key), crc32(key));
        assert_eq!(
            Partitioner::ConsistentRandom.partition_for_key(b"123456789", 10),
            0xcbf4_3926 % 10
        );
        for p in Partitioner::ALL {
            assert_eq!(p.partition_for_key(key, 0), 0);
            for n in 1..20 {
                assert!(p.partition_for_key(key, n) < n);
            }
        }
    }

    // The configuration names validation accepts (the enum has no serde: it is model data).
    #[test]
    fn partitioner_names() {
        let names: Vec<&str> = Partitioner::ALL.iter().map(|p| p.name()).collect();
        assert_eq!(names, ["murmur2", "fnv1a32", "consistent_random"]);
    }

    #[test]
    fn sticky_partitioner_switches_at_batch_size() {
        let mut draws = vec![3u32, 3, 1, 0].into_iter();
        let mut calls = Vec::new();
        {
            let mut draw = |n: u32| {
                calls.push(n);
                draws.next().expect("enough scripted draws")
            };
            let mut sp = StickyPartitioner::new(100);
            assert_eq!(sp.current_partition(), None);
            // First record chooses partition 3.
            assert_eq!(sp.partition(40, 4, &mut draw), 3);
            assert_eq!(sp.partition(40, 4, &mut draw), 3);
            // 120 >= 100: this record still goes to 3, then Kafka switches; the previous
            // partition is not excluded, so 3 may be picked again.
            assert_eq!(sp.partition(40, 4, &mut draw), 3);
            assert_eq!(sp.produced_bytes(), 0);
            assert_eq!(sp.partition(100, 4, &mut draw), 3); // exactly batch.size: switch to 1
            assert_eq!(sp.partition(1, 4, &mut draw), 1);
        }
        assert_eq!(calls, vec![4, 4, 4]);
    }

    #[test]
    fn sticky_partitioner_switch_disabled_caps_at_twice_batch_size() {
        let mut next = 0u32;
        let mut draw = |n: u32| {
            next += 1;
            next % n
        };
        let mut sp = StickyPartitioner::new(10);
        assert_eq!(sp.partition_with_switch(10, 5, false, &mut draw), 1);
        assert_eq!(sp.produced_bytes(), 10);
        assert_eq!(sp.partition_with_switch(9, 5, false, &mut draw), 1);
        assert_eq!(sp.partition_with_switch(1, 5, false, &mut draw), 1); // 20 >= 2 * 10
        assert_eq!(sp.current_partition(), Some(2));
    }

    #[test]
    fn sticky_partitioner_edge_cases_do_not_panic() {
        let mut draw = |n: u32| n + 7; // out of range on purpose
        let mut sp = StickyPartitioner::new(0);
        assert_eq!(sp.batch_size_bytes(), 1);
        assert_eq!(sp.partition(5, 0, &mut draw), 0);
        let p = sp.partition(u32::MAX, 3, &mut draw);
        assert!(p < 3);
        assert!(sp.current_partition().expect("switched") < 3);
        // Shrinking the partition count re-draws.
        let mut sp = StickyPartitioner::new(1000);
        let mut d = |_n: u32| 9;
        assert_eq!(sp.partition(1, 10, &mut d), 9);
        let mut d2 = |_n: u32| 1;
        assert_eq!(sp.partition(1, 5, &mut d2), 1);
    }
}

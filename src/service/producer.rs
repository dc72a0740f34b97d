//! A producer: sends records to one stream on a schedule, choosing keys and partitions, and
//! batching them like Kafka's `RecordAccumulator`, in virtual time.
//!
//! The partitioner runs in the client, as in Kafka: keyed records go to
//! `partitioner(key) % partition_count` (the count in effect at send time, so a
//! CreatePartitions moves keys). Unkeyed records go where the producer's client puts them:
//! * `murmur2` (the Java client): Kafka's built-in sticky partitioner (KIP-794, adaptive
//!   partitioning off, next partition drawn from this producer's RNG stream), whose
//!   `enableSwitch` is `RecordAccumulator.allBatchesFull`: the partition's open batch is full;
//! * `consistent_random` (librdkafka): `rd_kafka_msg_sticky_partition`, a random partition kept
//!   until `sticky.partitioning.linger.ms` has passed since it was drawn (so also for empty
//!   keys, which librdkafka treats like no key with this partitioner);
//! * `fnv1a32` (librdkafka's deterministic `fnv1a`): no special case, a missing key hashes like
//!   an empty one, so every unkeyed record goes to `fnv1a32("") % partition_count`.
//!
//! Batching: a record joins its partition's open batch (a batch that cannot take it is closed
//! first). A batch is sent when it holds `batch.size` bytes or `linger.ms` after it was opened;
//! with `linger.ms` 0 every record is sent at once. Sent batches go out as one Produce message
//! per record, at one instant. Bytes are value sizes; record overhead, `max.in.flight` and
//! `buffer.memory` are not modelled.

use crate::log::partitioner::StickyPartitioner;
use crate::model::Partitioner;
use crate::model::{
    InstanceId, KeyChoice, KeyId, MessageId, PartitionId, ProducerBatching, Production, Scenario,
    Schedule, StreamId,
};
use crate::protocol::Record;
use crate::sim::SimTime;
use crate::sim::rng::{self, RngStream, ZipfTable};

/// A partition's open batch in the accumulator.
#[derive(Debug, Default)]
struct OpenBatch {
    records: Vec<Record>,
    bytes: u64,
    /// When `linger.ms` runs out for it.
    send_at_us: u64,
}

/// What the accumulator hands to the network now, and when the caller should look again.
#[derive(Debug, Default)]
pub struct Sendout {
    pub records: Vec<(PartitionId, Record)>,
    /// Set a linger timer this far from now (a batch was opened).
    pub linger_us: Option<u64>,
}

/// A key whose records are partitioned like unkeyed ones (an empty key with
/// `consistent_random`).
const LIKE_UNKEYED: PartitionId = PartitionId(u32::MAX);

/// The partition of a key under `count` partitions: the partitioner's, except that
/// `consistent_random` treats an empty key like no key (`LIKE_UNKEYED`).
fn keyed_partition(partitioner: Partitioner, bytes: &[u8], count: u32) -> PartitionId {
    if bytes.is_empty() && partitioner == Partitioner::ConsistentRandom {
        LIKE_UNKEYED
    } else {
        PartitionId(partitioner.partition_for_key(bytes, count))
    }
}

/// One explicit record: `(at_us, key, partition per epoch (None: unkeyed), value size)`.
type ExplicitSend = (u64, Option<KeyId>, Option<Vec<PartitionId>>, u32);

/// How the next key is picked: an index into `keys`.
enum KeyPicker {
    Unkeyed,
    Sequential { next: usize },
    Uniform,
    Zipf(ZipfTable),
}

pub struct ProducerRole {
    pub stream: StreamId,
    /// `Some(expiration)` when the stream is on the queue: records are published, one message
    /// each, with that per-message TTL (ms); `None`: produced to the log.
    pub publish: Option<Option<u32>>,
    schedule: Schedule,
    value_size_bytes: u32,
    keys: Vec<KeyId>,
    /// The stream's partition counts over time: `(from_us, partition_count)`, from time zero
    /// on, one entry per CreatePartitions.
    epochs: Vec<(u64, u32)>,
    /// The entry of `epochs` in effect now.
    epoch: usize,
    /// `key_partitions[epoch * keys.len() + i]`: the partition of `keys[i]` under that
    /// epoch's count, computed once.
    key_partitions: Vec<PartitionId>,
    picker: KeyPicker,
    partitioner: Partitioner,
    sticky: StickyPartitioner,
    /// librdkafka's sticky partition for unkeyed records, and when it was drawn (µs).
    librdkafka_sticky: Option<(u32, u64)>,
    batching: ProducerBatching,
    /// Open batches by partition (only with `linger.ms` > 0).
    open: Vec<Option<OpenBatch>>,
    key_rng: RngStream,
    arrival_rng: RngStream,
    partition_rng: RngStream,
    /// Explicit records with their partition in each epoch (None: unkeyed), when the schedule
    /// is explicit.
    explicit: Vec<ExplicitSend>,
    /// Records sent so far; also the next sequence number (it survives crashes, so message ids
    /// stay unique).
    pub sent: u64,
    next_explicit: usize,
    pub finished: bool,
}

impl ProducerRole {
    pub fn new(model: &Scenario, instance: &str, production: &Production) -> Self {
        let stream = model.stream(production.stream);
        let epochs: Vec<(u64, u32)> = std::iter::once((0, stream.partition_count))
            .chain(
                stream
                    .partitions_created
                    .iter()
                    .map(|created| (created.at_us, created.partition_count)),
            )
            .collect();
        let partition_of = |key: KeyId, count: u32| -> PartitionId {
            keyed_partition(
                production.partitioner,
                model.keys.text(key).as_bytes(),
                count,
            )
        };
        let partitions_of = |key: KeyId| -> Vec<PartitionId> {
            epochs
                .iter()
                .map(|&(_, count)| partition_of(key, count))
                .collect()
        };
        let (keys, picker) = match &production.keys {
            KeyChoice::Unkeyed => (Vec::new(), KeyPicker::Unkeyed),
            KeyChoice::Sequential(keys) => (keys.clone(), KeyPicker::Sequential { next: 0 }),
            KeyChoice::Uniform(keys) => (keys.clone(), KeyPicker::Uniform),
            KeyChoice::Zipf { keys, exponent_ppm } => (
                keys.clone(),
                KeyPicker::Zipf(ZipfTable::new(keys.len() as u32, *exponent_ppm)),
            ),
        };
        // Epoch-major, straight from each key's bytes (no vector per key).
        let key_partitions = epochs
            .iter()
            .flat_map(|&(_, count)| keys.iter().map(move |&key| partition_of(key, count)))
            .collect();
        let explicit = match &production.schedule {
            Schedule::Explicit(records) => records
                .iter()
                .map(|record| {
                    (
                        record.at_us,
                        record.key,
                        record.key.map(partitions_of),
                        record.value_size_bytes,
                    )
                })
                .collect(),
            Schedule::Periodic { .. } => Vec::new(),
        };
        let purpose = |what: &str| format!("{}/{what}", stream.name);
        ProducerRole {
            stream: production.stream,
            publish: (stream.carrier == crate::model::Carrier::Queue)
                .then_some(production.expiration_ms),
            schedule: production.schedule.clone(),
            value_size_bytes: production.value_size_bytes,
            keys,
            epochs,
            epoch: 0,
            key_partitions,
            picker,
            partitioner: production.partitioner,
            sticky: StickyPartitioner::new(production.batching.batch_size_bytes),
            librdkafka_sticky: None,
            batching: production.batching,
            open: (0..stream.partition_count_max()).map(|_| None).collect(),
            key_rng: RngStream::new(
                model.seed,
                rng::stream_id("instance", instance, &purpose("keys")),
            ),
            arrival_rng: RngStream::new(
                model.seed,
                rng::stream_id("instance", instance, &purpose("arrivals")),
            ),
            partition_rng: RngStream::new(
                model.seed,
                rng::stream_id("instance", instance, &purpose("sticky-partition")),
            ),
            explicit,
            sent: 0,
            next_explicit: 0,
            finished: false,
        }
    }

    /// The client a service's pipelines send emitted records (and table changes) with: the
    /// settings of the service's own `produces` entry for `stream` if it has one, else the
    /// stream's partitioner and the defaults, and no schedule of its own.
    pub fn for_emission(
        model: &Scenario,
        instance: &str,
        stream: StreamId,
        service: crate::model::ServiceId,
    ) -> Self {
        let own = model
            .service(service)
            .produces
            .iter()
            .find(|production| production.stream == stream);
        let production = Production {
            stream,
            schedule: Schedule::Explicit(Vec::new()),
            keys: KeyChoice::Unkeyed,
            value_size_bytes: 0,
            batching: own.map_or(model.emission_batching, |own| own.batching),
            partitioner: own.map_or(model.stream(stream).partitioner, |own| own.partitioner),
            expiration_ms: None,
        };
        let mut role = ProducerRole::new(model, &format!("{instance}/emit"), &production);
        role.finished = true;
        role
    }

    /// Builds an emitted record at `now` with the key and size a pipeline gave it, and picks its
    /// partition as for any record (`key_bytes`: the key's text; the partition count in effect
    /// now).
    pub fn produce_emitted(
        &mut self,
        id: MessageId,
        key: Option<(KeyId, &[u8])>,
        value_size_bytes: u32,
        now: SimTime,
    ) -> (Record, PartitionId) {
        self.sent += 1;
        self.advance_epoch(now);
        let partition = key
            .map(|(_, bytes)| keyed_partition(self.partitioner, bytes, self.epochs[self.epoch].1))
            .filter(|&partition| partition != LIKE_UNKEYED)
            .unwrap_or_else(|| self.unkeyed_partition(value_size_bytes, now));
        (
            Record {
                id,
                key: key.map(|(key, _)| key),
                value_size_bytes,
                sent_at: now,
                schema_id: 0,
            },
            partition,
        )
    }

    /// The producer's metadata: moves to the partition count in effect at `now`.
    #[inline]
    fn advance_epoch(&mut self, now: SimTime) {
        while self.epoch + 1 < self.epochs.len() && self.epochs[self.epoch + 1].0 <= now.as_us() {
            self.epoch += 1;
        }
    }

    /// The delay from `now` to the first send at or after `now`, or None if nothing is left.
    /// Used at start and after a restart (sends that fell in the downtime never happen).
    pub fn first_delay(&mut self, now: SimTime) -> Option<u64> {
        match &self.schedule {
            Schedule::Periodic {
                interval_us,
                poisson,
                start_us,
                ..
            } => {
                let at = if now.as_us() <= *start_us {
                    *start_us
                } else if *poisson {
                    now.as_us() + self.poisson_gap(*interval_us)
                } else {
                    let since = now.as_us() - start_us;
                    start_us + since.div_ceil(*interval_us) * interval_us
                };
                self.check_periodic_end(at).then(|| at - now.as_us())
            }
            Schedule::Explicit(_) => {
                while self.next_explicit < self.explicit.len()
                    && self.explicit[self.next_explicit].0 < now.as_us()
                {
                    self.next_explicit += 1;
                }
                self.explicit
                    .get(self.next_explicit)
                    .map(|record| record.0 - now.as_us())
            }
        }
    }

    /// Builds the next record at `now` and returns it with its partition and the delay to the
    /// following send (None when this producer is done).
    /// `seq` is the instance's next sequence number on this role's stream: message ids are
    /// unique per (instance, stream) even when several `produces` entries share a stream.
    #[inline(always)] // Once per record: inlined, its result is not copied through the stack.
    pub fn produce(
        &mut self,
        producer: InstanceId,
        seq: u32,
        now: SimTime,
    ) -> (Record, PartitionId, Option<u64>) {
        let id = MessageId { producer, seq };
        self.sent += 1;
        self.advance_epoch(now);
        let (key, partition, value_size_bytes, next) = match &self.schedule {
            Schedule::Periodic {
                interval_us,
                poisson,
                ..
            } => {
                let (interval_us, poisson) = (*interval_us, *poisson);
                let (key, partition) = self.pick_key(now);
                let gap = if poisson {
                    self.poisson_gap(interval_us)
                } else {
                    interval_us
                };
                let next_at = now.as_us() + gap;
                let next = self.check_periodic_end(next_at).then_some(gap);
                (key, partition, self.value_size_bytes, next)
            }
            Schedule::Explicit(_) => {
                let (_, key, ref partitions, size) = self.explicit[self.next_explicit];
                let partition = partitions
                    .as_ref()
                    .map(|partitions| partitions[self.epoch])
                    .filter(|&partition| partition != LIKE_UNKEYED);
                self.next_explicit += 1;
                let partition = partition.unwrap_or_else(|| self.unkeyed_partition(size, now));
                let next = self
                    .explicit
                    .get(self.next_explicit)
                    .map(|record| record.0 - now.as_us());
                (key, partition, size, next)
            }
        };
        if next.is_none() {
            self.finished = true;
        }
        (
            Record {
                id,
                key,
                value_size_bytes,
                sent_at: now,
                schema_id: 0,
            },
            partition,
            next,
        )
    }

    fn check_periodic_end(&self, at_us: u64) -> bool {
        let Schedule::Periodic {
            count,
            produce_until_us,
            ..
        } = &self.schedule
        else {
            return true;
        };
        count.is_none_or(|count| self.sent < count)
            && produce_until_us.is_none_or(|until| at_us < until)
    }

    fn poisson_gap(&mut self, mean_us: u64) -> u64 {
        rng::exponential_us(mean_us, self.arrival_rng.next_u64()).max(1)
    }

    fn pick_key(&mut self, now: SimTime) -> (Option<KeyId>, PartitionId) {
        let index = match &mut self.picker {
            KeyPicker::Unkeyed => {
                let size = self.value_size_bytes;
                return (None, self.unkeyed_partition(size, now));
            }
            KeyPicker::Sequential { next } => {
                let index = *next;
                *next = (index + 1) % self.keys.len();
                index
            }
            KeyPicker::Uniform => self.key_rng.below(self.keys.len() as u64) as usize,
            KeyPicker::Zipf(table) => table.sample(&mut self.key_rng) as usize,
        };
        let partition = self.key_partitions[self.epoch * self.keys.len() + index];
        if partition == LIKE_UNKEYED {
            let size = self.value_size_bytes;
            return (Some(self.keys[index]), self.unkeyed_partition(size, now));
        }
        (Some(self.keys[index]), partition)
    }

    /// The partition of a record without a key, as the producer's client picks it (see the
    /// module doc).
    fn unkeyed_partition(&mut self, record_size_bytes: u32, now: SimTime) -> PartitionId {
        let partition_count = self.epochs[self.epoch].1;
        match self.partitioner {
            Partitioner::Murmur2 => self.sticky_partition(record_size_bytes),
            Partitioner::Fnv1a32 => {
                PartitionId(Partitioner::Fnv1a32.partition_for_key(b"", partition_count))
            }
            Partitioner::ConsistentRandom => {
                // rd_kafka_msg_sticky_partition: a new random partition when the current one is
                // gone or `rd_interval` says the linger has passed since the last draw.
                let linger_us = self.batching.sticky_partitioning_linger_us;
                let keep = match self.librdkafka_sticky {
                    Some((partition, drawn_at_us)) => {
                        linger_us > 0
                            && partition < partition_count
                            && now.as_us() <= drawn_at_us + linger_us
                    }
                    None => false,
                };
                if !keep {
                    let partition = self.partition_rng.below(u64::from(partition_count)) as u32;
                    self.librdkafka_sticky = Some((partition, now.as_us()));
                }
                PartitionId(self.librdkafka_sticky.map_or(0, |(partition, _)| partition))
            }
        }
    }

    fn sticky_partition(&mut self, record_size_bytes: u32) -> PartitionId {
        let partition_count = self.epochs[self.epoch].1;
        let batch_size = u64::from(self.batch_size_bytes());
        let rng = &mut self.partition_rng;
        let mut draw = |bound: u32| rng.below(u64::from(bound)) as u32;
        let partition = self.sticky.peek_partition(partition_count, &mut draw);
        // RecordAccumulator.append: enableSwitch = allBatchesFull(deque) after the append.
        let size = u64::from(record_size_bytes);
        let bytes_after = match self.open.get(partition as usize).and_then(Option::as_ref) {
            Some(batch) if batch.bytes + size <= batch_size => batch.bytes + size,
            _ => size,
        };
        self.sticky.update_partition_info(
            record_size_bytes,
            partition_count,
            bytes_after >= batch_size,
            &mut draw,
        );
        PartitionId(partition)
    }

    /// `batch.size`, at least 1 byte (Kafka's producer clamps it the same way).
    fn batch_size_bytes(&self) -> u32 {
        self.batching.batch_size_bytes.max(1)
    }

    /// Whether records wait in the accumulator (`linger.ms` > 0); with `linger.ms` 0 every
    /// record is sent as soon as it is produced and `accumulate` is not needed.
    pub fn lingers(&self) -> bool {
        self.batching.linger_us > 0
    }

    /// Puts a produced record into the accumulator; returns what to send now.
    pub fn accumulate(&mut self, partition: PartitionId, record: Record, now: SimTime) -> Sendout {
        let mut out = Sendout::default();
        let linger_us = self.batching.linger_us;
        if linger_us == 0 {
            out.records.push((partition, record));
            return out;
        }
        let batch_size = u64::from(self.batch_size_bytes());
        let size = u64::from(record.value_size_bytes);
        let slot = &mut self.open[partition.index()];
        // A batch that cannot take the record is closed and sent (Kafka's tryAppend fails and a
        // new batch is created).
        if slot
            .as_ref()
            .is_some_and(|batch| batch.bytes + size > batch_size)
            && let Some(full) = slot.take()
        {
            out.records
                .extend(full.records.into_iter().map(|r| (partition, r)));
        }
        let batch = slot.get_or_insert_with(|| {
            out.linger_us = Some(linger_us);
            OpenBatch {
                records: Vec::new(),
                bytes: 0,
                send_at_us: now.as_us() + linger_us,
            }
        });
        batch.records.push(record);
        batch.bytes += size;
        if batch.bytes >= batch_size
            && let Some(full) = slot.take()
        {
            out.records
                .extend(full.records.into_iter().map(|r| (partition, r)));
        }
        out
    }

    /// A linger timer fired: sends every batch whose `linger.ms` has run out, by partition.
    pub fn flush_due(&mut self, now: SimTime) -> Vec<(PartitionId, Record)> {
        let mut records = Vec::new();
        for (index, slot) in self.open.iter_mut().enumerate() {
            if slot
                .as_ref()
                .is_some_and(|batch| batch.send_at_us <= now.as_us())
                && let Some(batch) = slot.take()
            {
                let partition = PartitionId(index as u32);
                records.extend(batch.records.into_iter().map(|r| (partition, r)));
            }
        }
        records
    }

    /// The process died: records still in the accumulator are gone. Returns how many.
    pub fn crash(&mut self) -> u64 {
        let mut lost = 0;
        for slot in &mut self.open {
            if let Some(batch) = slot.take() {
                lost += batch.records.len() as u64;
            }
        }
        lost
    }
}

//! The one table of scenario defaults and ceilings: for every field that has a default or an
//! accepted range, its path in the file, the value, the unit, what it is and where the value
//! comes from (Kafka's and RabbitMQ's own defaults where they have the setting).
//!
//! Validation reads every default and ceiling from here, the README's "Defaults and ceilings"
//! section is rendered from it (`markdown`; a test fails when the README's copy is stale), and so
//! are the `--help` texts that name a default. It is not validation: nothing here checks a file.

/// A default value, typed as the field is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shown {
    /// A whole number of 0 or more.
    Count(u64),
    /// A whole number that may be negative (`retention.ms`, where -1 means forever).
    Signed(i64),
    /// A decimal (ratios, probabilities, exponents).
    Decimal(f64),
    Flag(bool),
    /// One of the setting's names, e.g. `"log"`.
    Name(&'static str),
    /// A list of names, e.g. Kafka's assignors.
    Names(&'static [&'static str]),
    /// No single value: what happens when the field is absent, in words.
    Words(&'static str),
}

/// What the file may give.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Accepted {
    /// Anything of the field's type.
    Any,
    /// A whole number in `min..=max`.
    Whole { min: u64, max: u64 },
    /// A decimal more than `above` and at most `max`.
    Decimal { above: f64, max: f64 },
    /// Exactly 0 (the feature is off), or a decimal more than 0 and at most `max`.
    ZeroOrDecimal { max: f64 },
}

/// One row of the table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Setting {
    /// The field's path in a scenario file; `[]` stands for any index.
    pub field: &'static str,
    /// The value when the field is absent.
    pub default: Shown,
    pub accepted: Accepted,
    pub unit: &'static str,
    /// What the setting is, in a few words.
    pub meaning: &'static str,
    /// Where the default comes from, when it is another system's.
    pub source: &'static str,
}

impl Setting {
    /// The default of a whole-number field.
    pub const fn count(&self) -> u64 {
        match self.default {
            Shown::Count(value) => value,
            _ => panic!("this setting's default is not a count"),
        }
    }

    pub const fn signed(&self) -> i64 {
        match self.default {
            Shown::Signed(value) => value,
            _ => panic!("this setting's default is not a signed number"),
        }
    }

    pub const fn decimal(&self) -> f64 {
        match self.default {
            Shown::Decimal(value) => value,
            _ => panic!("this setting's default is not a decimal"),
        }
    }

    pub const fn flag(&self) -> bool {
        match self.default {
            Shown::Flag(value) => value,
            _ => panic!("this setting's default is not a flag"),
        }
    }

    pub const fn name(&self) -> &'static str {
        match self.default {
            Shown::Name(value) => value,
            _ => panic!("this setting's default is not a name"),
        }
    }

    pub const fn names(&self) -> &'static [&'static str] {
        match self.default {
            Shown::Names(value) => value,
            _ => panic!("this setting's default is not a list of names"),
        }
    }

    /// The least whole number accepted.
    pub const fn min(&self) -> u64 {
        match self.accepted {
            Accepted::Whole { min, .. } => min,
            _ => panic!("this setting takes no whole number"),
        }
    }

    /// The ceiling of a whole-number field.
    pub const fn max(&self) -> u64 {
        match self.accepted {
            Accepted::Whole { max, .. } => max,
            _ => panic!("this setting takes no whole number"),
        }
    }

    /// The ceiling of a decimal field.
    pub const fn decimal_max(&self) -> f64 {
        match self.accepted {
            Accepted::Decimal { max, .. } | Accepted::ZeroOrDecimal { max } => max,
            _ => panic!("this setting takes no decimal"),
        }
    }
}

/// The latest virtual time any field may name: 365 days in µs.
pub const TIME_US_MAX: u64 = 365 * 24 * 3_600 * 1_000_000;
const MS_MAX: u64 = TIME_US_MAX / 1_000;
const KAFKA_CONSUMER: &str = "Kafka 3.9 `ConsumerConfig`";
const KAFKA_PRODUCER: &str = "Kafka 3.9 `ProducerConfig`";
const KAFKA_TOPIC: &str = "Kafka 3.9 `TopicConfig`";
const RABBITMQ: &str = "RabbitMQ 3.13";
const DEPLOY_SOURCE: &str = "the study notes' containers vs VMs (a container shares the host's kernel and starts like a process; a VM boots its own OS and costs its memory)";

const fn whole(min: u64, max: u64) -> Accepted {
    Accepted::Whole { min, max }
}

/// Declares each setting as a constant and lists them all, in README order, in `TABLE`.
macro_rules! settings {
    ($($name:ident = ($field:expr, $default:expr, $accepted:expr, $unit:expr, $meaning:expr, $source:expr);)*) => {
        $(pub const $name: Setting = Setting {
            field: $field,
            default: $default,
            accepted: $accepted,
            unit: $unit,
            meaning: $meaning,
            source: $source,
        };)*
        /// Every setting, in the order the README lists them.
        pub const TABLE: &[&Setting] = &[$(&$name),*];
    };
}

use Shown::{Count, Decimal, Flag, Name, Names, Signed, Words};

settings! {
    SEED = ("seed", Count(0), Accepted::Any, "", "seed of every random draw (`--seed` overrides)", "");
    STOP = ("stop", Words("drained"), Accepted::Any, "",
        "run until producers finished, nothing is on the wire and every group caught up", "");
    STOP_AT = ("stop.at_us", Words("none"), whole(1, TIME_US_MAX), "µs", "stop at this virtual time", "");
    STOP_AFTER_RECORDS = ("stop.after_records_consumed", Words("none"), whole(1, 10_000_000_000),
        "records", "stop after this many processed records", "");
    EVENTS_MAX = ("limits.events_max", Count(10_000_000), whole(1, 10_000_000_000), "events",
        "most kernel events", "");
    SIM_TIME_US_MAX = ("limits.sim_time_us_max", Count(3_600_000_000), whole(1, TIME_US_MAX), "µs",
        "latest virtual time (1 h)", "");
    STORED_RECORDS_MAX = ("limits.stored_records_max", Count(2_000_000), whole(1, 200_000_000),
        "records", "most records held by the log at once", "");
    SINGLE_WRITER = ("single_writer", Name("error"), Accepted::Any, "",
        "a stream with two writers is an error (`\"warn\"`: a warning)", "");
    TIME = ("*_us", Words("none"), whole(0, TIME_US_MAX), "µs",
        "any virtual time or duration in µs (the ceiling is 365 days)", "");
    CARRIER = ("streams[].carrier", Name("log"), Accepted::Any, "", "the broker that carries the stream", "");
    PARTITION_COUNT = ("streams[].partition_count", Count(1), whole(1, 10_000), "partitions",
        "partitions of a log stream", "");
    PARTITIONER = ("streams[].partitioner", Name("murmur2"), Accepted::Any, "",
        "how keyed records pick a partition", "Kafka's Java producer");
    COMPATIBILITY = ("streams[].compatibility", Name("BACKWARD"), Accepted::Any, "",
        "the schema subject's compatibility level", "Confluent Schema Registry");
    RETENTION_MS = ("streams[].kafka.\"retention.ms\"", Signed(604_800_000), whole(1, MS_MAX), "ms",
        "how long records are kept (7 days; -1 forever)", KAFKA_TOPIC);
    SEGMENT_BYTES = ("streams[].kafka.\"segment.bytes\"", Count(1_073_741_824), whole(1, u64::MAX / 2),
        "bytes", "a segment rolls past this size", KAFKA_TOPIC);
    SEGMENT_MS = ("streams[].kafka.\"segment.ms\"", Count(604_800_000), whole(1, MS_MAX), "ms",
        "a segment rolls when this old", KAFKA_TOPIC);
    MAX_MESSAGE_BYTES = ("streams[].kafka.\"max.message.bytes\"", Count(1_048_588),
        whole(1, u32::MAX as u64), "bytes", "largest record (key + value) accepted", KAFKA_TOPIC);
    RETENTION_CHECK_INTERVAL_MS = ("streams[].kafka.\"log.retention.check.interval.ms\"",
        Count(300_000), whole(1, MS_MAX), "ms", "how often expired segments are deleted",
        "Kafka 3.9 broker config");
    CLEANUP_POLICY = ("streams[].kafka.\"cleanup.policy\"", Name("delete"), Accepted::Any, "",
        "`delete`, `compact` or `compact,delete`", KAFKA_TOPIC);
    RETENTION_BYTES = ("streams[].kafka.\"retention.bytes\"", Signed(-1), whole(1, u64::MAX / 2),
        "bytes", "most bytes a partition keeps (-1: no limit)", KAFKA_TOPIC);
    SEGMENT_RECORDS = ("streams[].kafka.\"segment.records\"", Words("no limit"), whole(1, 1_000_000_000),
        "records", "a segment rolls before an append once it holds this many records",
        "eventlab's own, not Kafka's");
    MIN_CLEANABLE_DIRTY_RATIO = ("streams[].kafka.\"min.cleanable.dirty.ratio\"", Decimal(0.5),
        Accepted::ZeroOrDecimal { max: 1.0 }, "", "the cleaner takes a log whose dirty ratio is above this",
        KAFKA_TOPIC);
    MIN_COMPACTION_LAG_MS = ("streams[].kafka.\"min.compaction.lag.ms\"", Count(0), whole(0, MS_MAX),
        "ms", "records this new stay uncompacted", KAFKA_TOPIC);
    MAX_COMPACTION_LAG_MS = ("streams[].kafka.\"max.compaction.lag.ms\"", Words("never (Long.MAX_VALUE)"),
        whole(1, MS_MAX), "ms", "a dirty record this old forces a pass", KAFKA_TOPIC);
    DELETE_RETENTION_MS = ("streams[].kafka.\"delete.retention.ms\"", Count(86_400_000), whole(0, MS_MAX),
        "ms", "how long a tombstone outlives its first cleaner pass (1 day)", KAFKA_TOPIC);
    CLEANER_BACKOFF_MS = ("streams[].kafka.\"log.cleaner.backoff.ms\"", Count(15_000), whole(1, MS_MAX),
        "ms", "how often the cleaner looks for work", "Kafka 3.9 broker config");
    EXCHANGE_TYPE = ("streams[].rabbitmq.exchange_type", Name("fanout"), Accepted::Any, "",
        "how the exchange routes", "");
    MESSAGE_TTL = ("streams[].rabbitmq.\"x-message-ttl\"", Words("none"), whole(0, MS_MAX), "ms",
        "queue TTL", RABBITMQ);
    MAX_LENGTH = ("streams[].rabbitmq.\"x-max-length\"", Words("none"), whole(0, 100_000_000),
        "messages", "queue length limit", RABBITMQ);
    OVERFLOW = ("streams[].rabbitmq.\"x-overflow\"", Name("drop-head"), Accepted::Any, "",
        "what a full queue does", RABBITMQ);
    INSTANCE_COUNT = ("services[].instance_count", Count(1), whole(1, 1_000), "instances",
        "running instances of the service", "");
    LINK_LATENCY = ("services[].link.latency_us", Count(1_000), whole(0, TIME_US_MAX), "µs",
        "one-way latency between an instance and the broker", "");
    LINK_JITTER = ("services[].link.jitter_us", Count(0), whole(0, TIME_US_MAX), "µs",
        "extra uniform random latency", "");
    ARRIVALS = ("services[].produces[].arrivals", Name("fixed"), Accepted::Any, "",
        "fixed intervals or Poisson arrivals", "");
    RATE = ("services[].produces[].rate_per_s", Words("none"), Accepted::Decimal { above: 0.0, max: 1_000_000.0 },
        "records/s", "records per second, instead of `interval_us`", "");
    PRODUCE_START = ("services[].produces[].start_us", Count(0), whole(0, TIME_US_MAX), "µs",
        "first send", "");
    PRODUCE_COUNT = ("services[].produces[].count", Words("unlimited"), whole(1, u32::MAX as u64),
        "records", "records per instance", "");
    KEY_COUNT = ("services[].produces[].keys", Name("unkeyed"), whole(1, 1_000_000), "keys",
        "distinct keys, per producer and in the whole scenario", "");
    KEY_PREFIX = ("services[].produces[].key_prefix", Name("key-"), Accepted::Any, "",
        "generated keys are `<prefix><index>`", "");
    ZIPF_EXPONENT = ("services[].produces[].keys.zipf.exponent", Decimal(1.0),
        Accepted::Decimal { above: 0.0, max: 10.0 }, "", "skew of Zipf-distributed keys", "");
    VALUE_SIZE = ("services[].produces[].value_size_bytes", Count(100), whole(0, 1_048_576), "bytes",
        "record value size", "");
    BATCH_SIZE = ("services[].produces[].kafka.\"batch.size\"", Count(16_384), whole(0, 16 * 1_048_576),
        "bytes", "the record accumulator's batch size", KAFKA_PRODUCER);
    LINGER_MS = ("services[].produces[].kafka.\"linger.ms\"", Count(0), whole(0, MS_MAX), "ms",
        "how long a batch waits for more records (Kafka 4.0: 5)", KAFKA_PRODUCER);
    STICKY_LINGER_MS = ("services[].produces[].kafka.\"sticky.partitioning.linger.ms\"", Count(10),
        whole(0, 900_000), "ms", "how long unkeyed records stick to a partition", "librdkafka");
    EXPIRATION = ("services[].produces[].rabbitmq.expiration", Words("none"), whole(0, u32::MAX as u64),
        "ms", "per-message TTL", RABBITMQ);
    TOMBSTONE_RATIO = ("services[].produces[].tombstone_ratio", Decimal(0.0),
        Accepted::ZeroOrDecimal { max: 1.0 }, "", "share of records that are tombstones", "");
    POLL_INTERVAL_MS = ("services[].consumes[].poll_interval_ms", Count(100), whole(1, MS_MAX), "ms",
        "time between polls", "");
    PROCESSING_TIME = ("services[].consumes[].processing_time_us", Count(0),
        whole(0, TIME_US_MAX), "µs", "time to process one record (absent: `{\"fixed\": 0}`)", "");
    PROCESSING_MEAN = ("services[].consumes[].processing_time_us.exponential_mean", Words("none"),
        whole(1, TIME_US_MAX / 16), "µs", "mean of exponential processing times", "");
    COMMIT = ("services[].consumes[].commit", Name("after_processing"), Accepted::Any, "",
        "commit what was processed (at-least-once)", "");
    MANUAL_COMMIT = ("services[].consumes[].manual_commit", Name("sync"), Accepted::Any, "",
        "with auto-commit off, `commitSync` after each batch (`async`: `commitAsync`)", "");
    CONSUME_START = ("services[].consumes[].start_us", Count(0), whole(0, TIME_US_MAX), "µs",
        "when the consumer starts", "");
    GROUP_ID = ("services[].consumes[].kafka.\"group.id\"", Words("the service name"), Accepted::Any, "",
        "the consumer group", "");
    MAX_POLL_RECORDS = ("services[].consumes[].kafka.\"max.poll.records\"", Count(500),
        whole(1, 1_000_000), "records", "most records per poll", KAFKA_CONSUMER);
    AUTO_COMMIT = ("services[].consumes[].kafka.\"enable.auto.commit\"", Flag(true), Accepted::Any, "",
        "commit every `auto.commit.interval.ms`", KAFKA_CONSUMER);
    AUTO_COMMIT_INTERVAL_MS = ("services[].consumes[].kafka.\"auto.commit.interval.ms\"", Count(5_000),
        whole(1, MS_MAX), "ms", "commit period", KAFKA_CONSUMER);
    SESSION_TIMEOUT_MS = ("services[].consumes[].kafka.\"session.timeout.ms\"", Count(45_000),
        whole(1, MS_MAX), "ms", "how long the coordinator waits for a heartbeat", KAFKA_CONSUMER);
    HEARTBEAT_INTERVAL_MS = ("services[].consumes[].kafka.\"heartbeat.interval.ms\"", Count(3_000),
        whole(1, MS_MAX), "ms", "heartbeat period (below the session timeout)", KAFKA_CONSUMER);
    MAX_POLL_INTERVAL_MS = ("services[].consumes[].kafka.\"max.poll.interval.ms\"", Count(300_000),
        whole(1, MS_MAX), "ms", "most time between polls before the member leaves its group",
        KAFKA_CONSUMER);
    ASSIGNMENT_STRATEGY = ("services[].consumes[].kafka.\"partition.assignment.strategy\"",
        Names(&["range", "cooperative-sticky"]), Accepted::Any, "",
        "the group runs the first assignor (range, eager protocol)", KAFKA_CONSUMER);
    OFFSET_RESET = ("services[].consumes[].kafka.\"auto.offset.reset\"", Name("latest"), Accepted::Any, "",
        "where a group without a committed offset starts", KAFKA_CONSUMER);
    PREFETCH_COUNT = ("services[].consumes[].rabbitmq.prefetch_count", Count(0), whole(0, 65_535),
        "messages", "unacknowledged deliveries per consumer (0: unlimited; a 16-bit field)", RABBITMQ);
    AUTO_ACK = ("services[].consumes[].rabbitmq.auto_ack", Flag(false), Accepted::Any, "",
        "the broker forgets a message when it sends it", RABBITMQ);
    CONCURRENCY = ("services[].consumes[].rabbitmq.concurrency", Count(1), whole(1, 10_000), "messages",
        "deliveries an instance processes at once", "");
    BINDING_KEYS = ("services[].consumes[].rabbitmq.binding_keys", Words("`[\"#\"]` (topic) or `[\"\"]` (direct)"),
        Accepted::Any, "", "the queue's bindings", "");
    NACK_PROBABILITY = ("services[].consumes[].rabbitmq.nack_probability", Decimal(0.0),
        Accepted::ZeroOrDecimal { max: 1.0 }, "", "share of deliveries nacked", "");
    NACK_REQUEUE = ("services[].consumes[].rabbitmq.nack_requeue", Flag(true), Accepted::Any, "",
        "a nack requeues the message", RABBITMQ);
    SCRIPT_SUBSCRIBE = ("services[].consumes[].rabbitmq.script[].subscribe", Flag(true), Accepted::Any, "",
        "the scripted instance subscribes (false: `basic.get` only)", "");
    SCRIPT_STEPS = ("services[].consumes[].rabbitmq.script[].deliveries", Words("none"), whole(0, 100_000),
        "deliveries", "scripted decisions, one per delivery", "");
    SCRIPT_THEN = ("services[].consumes[].rabbitmq.script[].then", Name("ack"), Accepted::Any, "",
        "the decision after the scripted deliveries", "");
    JOIN_KIND = ("services[].consumes[].pipeline[].join.kind", Name("inner"), Accepted::Any, "",
        "inner or left join", "");
    SLOW_FACTOR = ("faults[].factor", Words("none"), Accepted::Decimal { above: 0.0, max: 1_000.0 }, "",
        "how many times slower a slow instance processes", "");
    LOSS_PROBABILITY = ("faults[].probability", Words("none"), Accepted::Decimal { above: 0.0, max: 1.0 }, "",
        "chance that one transmission across a `loss` fault is lost", "");
    RETRANSMIT_MS = ("faults[].retransmit_ms", Count(200), whole(1, 120_000), "ms",
        "TCP's first retransmission timeout, doubled after each further loss", "Linux TCP_RTO_MIN");
    HOST_MEMORY_MB = ("deployment.hosts[].memory_mb", Count(16_384), whole(1, 1 << 30), "MB",
        "a host's memory", "");
    HOST_CPU = ("deployment.hosts[].cpu_millicores", Count(8_000), whole(1, 1 << 30), "millicores",
        "a host's CPU (1000 = one core)", "");
    HOST_BOOT_MS = ("deployment.hosts[].boot_ms", Count(120_000), whole(0, MS_MAX), "ms",
        "a physical host's reboot (firmware self-test, then the OS): minutes", DEPLOY_SOURCE);
    VM_BOOT_MS = ("deployment.vms[].boot_ms", Count(30_000), whole(0, MS_MAX), "ms",
        "a VM's boot: its own guest kernel and OS, tens of seconds", DEPLOY_SOURCE);
    VM_MEMORY_MB = ("deployment.vms[].overhead_memory_mb", Count(512), whole(0, 1 << 30), "MB",
        "a VM's own cost: guest kernel, OS and hypervisor", DEPLOY_SOURCE);
    VM_CPU = ("deployment.vms[].overhead_cpu_millicores", Count(100), whole(0, 1 << 30), "millicores",
        "a VM's own CPU: guest OS and virtualization", DEPLOY_SOURCE);
    CONTAINER_START_MS = ("deployment.place[].start_ms", Count(1_000), whole(0, MS_MAX), "ms",
        "start-up of a container (a process in new namespaces: no kernel to boot), about a second",
        DEPLOY_SOURCE);
    CONTAINER_MEMORY_MB = ("deployment.place[].overhead_memory_mb", Count(10), whole(0, 1 << 30), "MB",
        "a container's own cost: its runtime shim", DEPLOY_SOURCE);
    INSTANCE_MEMORY_MB = ("deployment.place[].memory_mb", Count(256), whole(1, 1 << 30), "MB",
        "what one service instance uses", "");
    INSTANCE_CPU = ("deployment.place[].cpu_millicores", Count(500), whole(1, 1 << 30), "millicores",
        "CPU one service instance is given", "");
}

/// The table as the README shows it, between its `defaults` marker comments.
pub fn markdown() -> String {
    let mut out = String::from(
        "| field | default | accepted | unit | what it is | default from |\n|---|---|---|---|---|---|\n",
    );
    for setting in TABLE {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            setting.field,
            shown(setting.default),
            accepted(setting.accepted),
            setting.unit,
            setting.meaning,
            setting.source
        ));
    }
    out
}

fn shown(default: Shown) -> String {
    match default {
        Count(value) => format!("`{value}`"),
        Signed(value) => format!("`{value}`"),
        Decimal(value) => format!("`{value:?}`"),
        Flag(value) => format!("`{value}`"),
        Name(name) => format!("`\"{name}\"`"),
        Names(names) => {
            let quoted: Vec<String> = names.iter().map(|name| format!("\"{name}\"")).collect();
            format!("`[{}]`", quoted.join(", "))
        }
        Words(words) => words.to_string(),
    }
}

fn accepted(accepted: Accepted) -> String {
    match accepted {
        Accepted::Any => String::new(),
        Accepted::Whole { min, max } => format!("{min} to {max}"),
        Accepted::Decimal { above, max } => format!("more than {above}, at most {max}"),
        Accepted::ZeroOrDecimal { max } => format!("0 (off), or more than 0 and at most {max}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEGIN: &str = "<!-- defaults:begin (generated from src/scenario/defaults.rs) -->\n";
    const END: &str = "<!-- defaults:end -->";

    #[test]
    fn the_readme_shows_the_current_table() {
        let readme = include_str!("../../README.md");
        let start = readme
            .find(BEGIN)
            .expect("README has the defaults begin marker")
            + BEGIN.len();
        let end = readme
            .find(END)
            .expect("README has the defaults end marker");
        let fresh = markdown();
        assert!(
            readme[start..end] == fresh,
            "README.md's defaults table is stale; put this between its defaults markers:\n{fresh}"
        );
    }

    #[test]
    fn every_field_is_listed_once() {
        let mut fields: Vec<&str> = TABLE.iter().map(|setting| setting.field).collect();
        fields.sort_unstable();
        let count = fields.len();
        fields.dedup();
        assert_eq!(fields.len(), count);
    }

    #[test]
    fn every_whole_default_is_accepted() {
        for setting in TABLE {
            if let (Count(value), Accepted::Whole { min, max }) =
                (setting.default, setting.accepted)
            {
                assert!((min..=max).contains(&value), "{}", setting.field);
            }
        }
    }
}

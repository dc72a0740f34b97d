//! Admin operations on a consumer group's committed offsets: what `kafka-consumer-groups.sh
//! --reset-offsets --execute` does (Kafka 3.9 `ConsumerGroupCommand.ResetOffsets`), scheduled
//! on a scenario's admin timeline. Vocabulary only: the log broker applies them.

/// Where `--reset-offsets` moves each partition's committed offset. Every target is clamped
/// into the partition's `[log start offset, log end offset]`, as Kafka's tool does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResetMode {
    /// `--to-earliest`: the log start offset.
    ToEarliest,
    /// `--to-latest`: the log end offset.
    ToLatest,
    /// `--to-offset N`.
    ToOffset(u64),
    /// `--to-datetime T`: the first offset whose record timestamp (the producer's send time)
    /// is at or after `T` µs; the log end offset when there is none.
    ToDatetime(u64),
    /// `--shift-by N` (negative moves back): from the committed offset (eventlab's groups have
    /// one for every partition: 0 until something is committed).
    ShiftBy(i64),
}

impl ResetMode {
    /// The tool's option name.
    pub fn name(self) -> &'static str {
        match self {
            ResetMode::ToEarliest => "to-earliest",
            ResetMode::ToLatest => "to-latest",
            ResetMode::ToOffset(_) => "to-offset",
            ResetMode::ToDatetime(_) => "to-datetime",
            ResetMode::ShiftBy(_) => "shift-by",
        }
    }
}

/// One `reset_offsets` admin action on a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OffsetResetOrder {
    pub at_us: u64,
    pub mode: ResetMode,
}

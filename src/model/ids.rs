//! Id newtypes: an index, a count and an offset are different types.

use std::fmt;

macro_rules! index_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);
        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

index_id!(
    /// A stream, by declaration order.
    StreamId
);
index_id!(
    /// A service, by declaration order.
    ServiceId
);
index_id!(
    /// A running instance of a service, numbered across all services.
    InstanceId
);
index_id!(
    /// A consumer group, by declaration order of the `consumes` entries that create it.
    GroupId
);
index_id!(
    /// A partition of a stream.
    PartitionId
);

/// A position in one partition's log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Offset(pub u64);

/// An interned key; `KeyTable` holds its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId(std::num::NonZeroU32);

impl KeyId {
    pub fn from_index(index: usize) -> KeyId {
        let raw = u32::try_from(index + 1).expect("key count is limited at validation");
        KeyId(std::num::NonZeroU32::new(raw).expect("index + 1 is never zero"))
    }
    pub fn index(self) -> usize {
        self.0.get() as usize - 1
    }
}

/// A produced record's identity: which instance produced it and its sequence number there.
/// The same in every run of one scenario and seed, whichever broker carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MessageId {
    pub producer: InstanceId,
    pub seq: u32,
}

impl MessageId {
    /// A 64-bit key for keyed random draws.
    pub fn as_u64(self) -> u64 {
        (u64::from(self.producer.0) << 32) | u64::from(self.seq)
    }
}

impl fmt::Display for Offset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

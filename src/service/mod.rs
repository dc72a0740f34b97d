//! Service instances: the processes that produce and consume. One actor per instance; a crash
//! takes down everything it runs (its producers and its consumers in every group).

mod consumer;
mod instance;
mod processing;
mod producer;
mod queue_consumer;
mod registry;
mod schema_cache;
mod schemas;

pub use consumer::ConsumerRole;
pub use instance::InstanceActor;
pub use producer::ProducerRole;
pub use queue_consumer::QueueConsumerRole;
pub use registry::RegistryActor;
pub use schema_cache::SchemaCache;
pub use schemas::SchemaRun;

/// Timer tags carry the role kind in the top byte and the role index below.
pub(crate) mod tag {
    pub const PRODUCE: u32 = 1 << 24;
    pub const POLL: u32 = 2 << 24;
    pub const COMMIT: u32 = 3 << 24;
    pub const HEARTBEAT: u32 = 4 << 24;
    pub const PROCESS: u32 = 5 << 24;
    pub const LINGER: u32 = 6 << 24;
    pub const QUEUE_SUBSCRIBE: u32 = 7 << 24;
    pub const QUEUE_PROCESS: u32 = 8 << 24;
    pub const QUEUE_CLOSE: u32 = 9 << 24;
    pub const QUEUE_GET: u32 = 10 << 24;
    pub const POLL_TIMEOUT: u32 = 11 << 24;
    pub const SEEK: u32 = 12 << 24;
    /// A producer's schema registration: producer index << 8 | the plan's step.
    pub const SCHEMA: u32 = 13 << 24;
    pub const KIND_MASK: u32 = 0xff << 24;
}

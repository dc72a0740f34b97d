//! The message-queue broker (RabbitMQ-like), modelled on RabbitMQ 3.13 classic queues.
//!
//! One actor holds every exchange and queue (`broker.rs`). A stream carried by the queue is an
//! exchange; each consuming service gets its own queue (`model::QueueLayout`). Routing follows
//! RabbitMQ's fanout, direct and topic exchanges (`routing.rs`); a queue keeps ready messages
//! at fixed positions so a requeued message goes back to its original place (`queue_state.rs`);
//! consumers compete, served round-robin within their prefetch credit (`dispatch.rs`);
//! messages that are rejected, expire or overflow are dead-lettered with an x-death record
//! (`dead_letter.rs`); queue and per-message TTL expire messages at the head (`ttl.rs`).
//!
//! Unlike the log, a queue forgets a message once it is acknowledged: there is no offset to
//! rewind to and nothing to replay.

pub mod broker;
pub mod dead_letter;
pub mod dispatch;
pub mod queue_state;
pub mod routing;
pub mod ttl;

pub use broker::QueueBroker;

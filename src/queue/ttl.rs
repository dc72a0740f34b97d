//! Message TTL, as RabbitMQ documents it ("Time-To-Live and Expiration"):
//!
//! - Queue TTL (`x-message-ttl`) and per-message TTL (the `expiration` property) both apply;
//!   the lower one wins.
//! - Expired messages are only removed at the head of the queue: a message with a short
//!   per-message TTL behind one with a long TTL waits ("only when expired messages reach the
//!   head of a queue will they actually be discarded").
//! - A message whose TTL runs out at the very instant it arrives is still delivered if a
//!   consumer can take it then ("expired upon reaching a queue unless it can be delivered to a
//!   consumer immediately"): eventlab expires a head at its expiry instant only from the TTL
//!   timer, which runs after the enqueue's dispatch at that instant.
//! - A requeued message keeps its original expiry; unacked messages never expire.
//! - Dead-lettering removes the per-message `expiration`, so it does not expire again.

/// When a message entering a queue at `now_us` expires (`u64::MAX`: never).
pub fn expires_at_us(now_us: u64, queue_ttl_us: Option<u64>, message_ttl_us: Option<u64>) -> u64 {
    let ttl = match (queue_ttl_us, message_ttl_us) {
        (Some(queue), Some(message)) => queue.min(message),
        (Some(ttl), None) | (None, Some(ttl)) => ttl,
        (None, None) => return u64::MAX,
    };
    now_us.saturating_add(ttl)
}

/// Whether a head message must be expired before dispatching at `now_us` (strictly past).
pub fn expired_before_dispatch(expires_at_us: u64, now_us: u64) -> bool {
    expires_at_us < now_us
}

/// Whether the TTL timer expires the head at `now_us`.
pub fn expired_at_timer(expires_at_us: u64, now_us: u64) -> bool {
    expires_at_us <= now_us
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lower_of_queue_and_message_ttl_wins() {
        assert_eq!(expires_at_us(10, Some(100), Some(50)), 60);
        assert_eq!(expires_at_us(10, None, Some(50)), 60);
        assert_eq!(expires_at_us(10, Some(100), None), 110);
        assert_eq!(expires_at_us(10, None, None), u64::MAX);
    }
}

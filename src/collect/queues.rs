//! Queue bookkeeping: per-queue counts, depth, each consumer's delivery sequence, and what is
//! left at the end, kept from the queue broker's and the consumers' trace events. Delivery and
//! leftover lists keep the first `LIST_MAX` entries (with totals), so memory stays bounded on
//! long runs. Plain figures: `report` names and words them; the loss and duplicate checks of a
//! queue's group are `checks`'.

use crate::model::QueueLayout;
use crate::model::{DeathReason, InstanceId, MessageId, QueueId};
use crate::sim::SimTime;
use crate::trace::TraceEvent;

/// How many deliveries per consumer, and leftover messages per queue, a report lists.
pub const LIST_MAX: usize = 1_000;

/// One consumer of a queue.
#[derive(Default)]
pub struct ConsumerTrack {
    pub instance: Option<InstanceId>,
    pub total: u64,
    /// The first `LIST_MAX` deliveries: (message, redelivered, pulled with basic.get).
    pub deliveries: Vec<(MessageId, bool, bool)>,
    pub held: u64,
    /// Auto-ack deliveries to this consumer it has not finished (nor lost).
    pub auto_outstanding: u64,
}

/// Messages per x-death reason.
#[derive(Clone, Copy, Debug, Default)]
pub struct DeathCounts {
    pub rejected: u64,
    pub expired: u64,
    pub maxlen: u64,
}

/// One delivery as the queue broker traced it; `counted_auto`: an auto-ack delivery of a queue
/// whose group consumes with auto-ack (the consumer reports finishing it).
#[derive(Clone, Copy, Debug)]
pub struct Delivery {
    pub msg: MessageId,
    pub redelivered: bool,
    pub counted_auto: bool,
    pub auto_ack: bool,
    pub get: bool,
}

/// A message left in a queue: (id, redelivered, unacked, latest x-death).
pub type Left = (MessageId, bool, bool, Option<(DeathReason, QueueId, u32)>);

#[derive(Default)]
pub struct QueueStats {
    pub declared_at: Option<SimTime>,
    pub ready: u64,
    pub unacked: u64,
    /// Auto-ack deliveries the consumers have not finished.
    pub auto_outstanding: u64,
    pub depth_max: u64,
    pub enqueued: u64,
    pub deliveries: u64,
    pub redeliveries: u64,
    pub acked: u64,
    pub nacked: u64,
    pub requeued: u64,
    pub dead_lettered: DeathCounts,
    pub dropped: DeathCounts,
    pub publish_rejected: u64,
    /// In the order the consumers first appeared.
    pub consumers: Vec<ConsumerTrack>,
    /// Index + 1 in `consumers` by `InstanceId` (0: none yet), instead of a search per event.
    track_of: Vec<u32>,
    pub left_total: u64,
    pub left: Vec<Left>,
}

impl QueueStats {
    pub fn dead_lettered_total(&self) -> u64 {
        self.dead_lettered.rejected + self.dead_lettered.expired + self.dead_lettered.maxlen
    }

    #[inline]
    fn consumer(&mut self, instance: InstanceId) -> &mut ConsumerTrack {
        let index = match self.track_of.get(instance.index()) {
            Some(&index) if index > 0 => index as usize - 1,
            _ => self.new_consumer(instance),
        };
        &mut self.consumers[index]
    }

    #[cold]
    fn new_consumer(&mut self, instance: InstanceId) -> usize {
        self.consumers.push(ConsumerTrack {
            instance: Some(instance),
            ..ConsumerTrack::default()
        });
        if self.track_of.len() <= instance.index() {
            self.track_of.resize(instance.index() + 1, 0);
        }
        self.track_of[instance.index()] = self.consumers.len() as u32;
        self.consumers.len() - 1
    }

    /// Nothing more will happen here without new messages: nothing ready, every unacked
    /// message held on purpose, no auto-ack delivery unfinished.
    pub fn settled(&self) -> bool {
        let held: u64 = self.consumers.iter().map(|track| track.held).sum();
        self.declared_at.is_some()
            && self.ready == 0
            && self.unacked == held
            && self.auto_outstanding == 0
    }
}

fn count(counts: &mut DeathCounts, reason: DeathReason) {
    match reason {
        DeathReason::Rejected => counts.rejected += 1,
        DeathReason::Expired => counts.expired += 1,
        DeathReason::Maxlen => counts.maxlen += 1,
    }
}

pub struct QueueCollector {
    pub layout: QueueLayout,
    pub queues: Vec<QueueStats>,
}

impl QueueCollector {
    pub fn new(layout: QueueLayout) -> Self {
        let queues = layout
            .queues
            .iter()
            .map(|_| QueueStats::default())
            .collect();
        QueueCollector { layout, queues }
    }

    /// Handles the queue broker's less frequent events; the caller handles consumer-side ones
    /// and sends the hot ones (enqueued, delivered, acked) straight to their handlers.
    pub fn on_event(&mut self, at: SimTime, event: &TraceEvent) {
        match *event {
            TraceEvent::QueueDeclared { queue } => {
                self.queues[queue.index()].declared_at.get_or_insert(at);
            }
            TraceEvent::PublishRejected { queue, .. } => {
                self.queues[queue.index()].publish_rejected += 1;
            }
            TraceEvent::Nacked { queue, requeue, .. } => {
                let stats = &mut self.queues[queue.index()];
                stats.unacked -= 1;
                stats.nacked += 1;
                if requeue {
                    stats.requeued += 1;
                    stats.ready += 1;
                }
            }
            TraceEvent::DeadLettered { queue, reason, .. } => {
                let stats = &mut self.queues[queue.index()];
                if reason != DeathReason::Rejected {
                    stats.ready -= 1; // Expired or dropped from the head; a rejection was unacked.
                }
                count(&mut stats.dead_lettered, reason);
            }
            TraceEvent::Dropped { queue, reason, .. } => {
                let stats = &mut self.queues[queue.index()];
                if reason != DeathReason::Rejected {
                    stats.ready -= 1;
                }
                count(&mut stats.dropped, reason);
            }
            TraceEvent::ChannelClosed {
                queue,
                instance,
                requeued,
            } => {
                let stats = &mut self.queues[queue.index()];
                stats.unacked -= u64::from(requeued);
                stats.ready += u64::from(requeued);
                stats.requeued += u64::from(requeued);
                stats.depth_max = stats.depth_max.max(stats.ready);
                stats.consumer(instance).held = 0;
            }
            TraceEvent::LeftInQueue {
                queue,
                msg,
                redelivered,
                unacked,
                death,
            } => {
                let stats = &mut self.queues[queue.index()];
                stats.left_total += 1;
                if stats.left.len() < LIST_MAX {
                    stats.left.push((msg, redelivered, unacked, death));
                }
            }
            _ => {}
        }
    }

    /// A message entered `queue`.
    #[inline]
    pub fn enqueued(&mut self, queue: QueueId) {
        let stats = &mut self.queues[queue.index()];
        stats.enqueued += 1;
        stats.ready += 1;
        stats.depth_max = stats.depth_max.max(stats.ready);
    }

    /// `queue` delivered a message to `instance`.
    #[inline]
    pub fn delivered(&mut self, queue: QueueId, instance: InstanceId, delivery: Delivery) {
        let Delivery {
            msg,
            redelivered,
            counted_auto,
            auto_ack,
            get,
        } = delivery;
        let stats = &mut self.queues[queue.index()];
        stats.ready -= 1;
        stats.deliveries += 1;
        if redelivered {
            stats.redeliveries += 1;
        }
        if counted_auto {
            stats.auto_outstanding += 1;
        } else if !auto_ack {
            stats.unacked += 1;
        }
        let track = stats.consumer(instance);
        if counted_auto {
            track.auto_outstanding += 1;
        }
        track.total += 1;
        if track.deliveries.len() < LIST_MAX {
            track.deliveries.push((msg, redelivered, get));
        }
    }

    /// A delivery of `queue` was acked.
    #[inline]
    pub fn acked(&mut self, queue: QueueId) {
        let stats = &mut self.queues[queue.index()];
        stats.unacked -= 1;
        stats.acked += 1;
    }

    /// An auto-ack delivery was finished or lost by `instance`.
    pub fn auto_done(&mut self, queue: QueueId, instance: InstanceId) {
        let stats = &mut self.queues[queue.index()];
        stats.auto_outstanding = stats.auto_outstanding.saturating_sub(1);
        let track = stats.consumer(instance);
        track.auto_outstanding = track.auto_outstanding.saturating_sub(1);
    }

    /// The instance died: auto-ack deliveries still on the wire to it are lost too. Returns
    /// how many.
    pub fn auto_lost_in_flight(&mut self, queue: QueueId, instance: InstanceId) -> u64 {
        let stats = &mut self.queues[queue.index()];
        let track = stats.consumer(instance);
        let lost = std::mem::take(&mut track.auto_outstanding);
        stats.auto_outstanding = stats.auto_outstanding.saturating_sub(lost);
        lost
    }

    pub fn held(&mut self, queue: QueueId, instance: InstanceId) {
        self.queues[queue.index()].consumer(instance).held += 1;
    }
}

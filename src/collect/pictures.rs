//! Pictures of a run: what the Markdown report draws, gathered from the trace events as they
//! happen, in bounded memory.
//!
//! `PictureSink` keeps the steps of the sequence diagram (a window of the run or one key's
//! messages, at most `messages_max` of them, and how many it left out), lag per group and
//! partition and queue depth (ready and unacked) over virtual time as downsampled `Series`,
//! a latency histogram per group with power-of-two bounds, partition ownership as intervals per
//! member and generation, and the run's incidents (crashes, restarts, rebalances). It reads the
//! `Collector`'s figures after the collector has seen the event (log end offsets, committed
//! offsets, queue depth), so its numbers are the report's. It is not a renderer: it names and
//! words nothing (`report::markdown` does), and it is only wired in when a picture is asked for.

use std::collections::BTreeMap;

use crate::model::{GroupId, InstanceId, KeyId, MessageId, PartitionId, Scenario, StreamId};
use crate::sim::SimTime;
use crate::trace::TraceEvent;

use super::Collector;

/// The most points a series keeps; past it, neighbouring points merge and the width doubles.
pub const SERIES_POINTS_MAX: usize = 48;
/// The first point width of every series, in µs.
const SERIES_WIDTH_US_MIN: u64 = 1_000;
/// Latency histogram buckets: [0, 1 ms), [1, 2 ms), [2, 4 ms), … doubling, the last open-ended.
pub const LATENCY_BUCKETS: usize = 24;

/// The sequence diagram's default cap: at most this many steps are drawn.
pub const MESSAGES_MAX_DEFAULT: usize = 200;

/// What the sequence diagram shows; the default is the run from its start, at most
/// `MESSAGES_MAX_DEFAULT` steps.
#[derive(Clone, Debug)]
pub struct PictureOptions {
    /// Only steps with `FROM <= time_us <= TO` (`--window`).
    pub window_us: Option<(u64, u64)>,
    /// Only the messages of this key, and what happens to their partitions or queues
    /// (`--follow`).
    pub follow: Option<KeyId>,
    /// The most steps drawn; later ones are counted, not kept.
    pub messages_max: usize,
}

impl Default for PictureOptions {
    fn default() -> Self {
        PictureOptions {
            window_us: None,
            follow: None,
            messages_max: MESSAGES_MAX_DEFAULT,
        }
    }
}

/// One step of the sequence diagram: a trace event, and for a commit the member that owned the
/// partition when it was stored (the trace's commit names only the group).
#[derive(Clone, Debug)]
pub struct Step {
    pub at: SimTime,
    pub event: TraceEvent,
    pub owner: Option<InstanceId>,
}

/// A value over virtual time, downsampled to at most `SERIES_POINTS_MAX` points of a common
/// width: point i covers [i × width, (i + 1) × width) and keeps the largest value seen in it
/// and the value at its end.
#[derive(Clone, Debug, Default)]
pub struct Series {
    pub points: Vec<Option<Point>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Point {
    pub max: u64,
    pub last: u64,
}

impl Series {
    fn record(&mut self, index: usize, value: u64) {
        if self.points.len() <= index {
            self.points.resize(index + 1, None);
        }
        let point = self.points[index].get_or_insert(Point {
            max: value,
            last: value,
        });
        point.max = point.max.max(value);
        point.last = value;
    }

    /// Merges each pair of neighbouring points (the width doubled).
    fn halve(&mut self) {
        let merged = self
            .points
            .chunks(2)
            .map(|pair| match pair {
                [Some(a), Some(b)] => Some(Point {
                    max: a.max.max(b.max),
                    last: b.last,
                }),
                [a, None] | [a] => *a,
                [None, b] => *b,
                _ => unreachable!("chunks(2) yields one or two points"),
            })
            .collect();
        self.points = merged;
    }

    /// Each point's largest value, a point with no event carrying the value before it forward.
    pub fn maxima(&self, start: u64) -> Vec<u64> {
        let mut last = start;
        self.points
            .iter()
            .map(|point| match point {
                Some(point) => {
                    let max = point.max;
                    last = point.last;
                    max
                }
                None => last,
            })
            .collect()
    }
}

/// Who owned a partition, from when to when (`None`: until the end), in which generation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ownership {
    pub group: GroupId,
    pub partition: PartitionId,
    pub instance: InstanceId,
    pub generation: u32,
    pub from: SimTime,
    pub to: Option<SimTime>,
}

/// A crash, restart, expiry or rebalance, when it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Incident {
    Crashed(InstanceId),
    Restarted(InstanceId),
    MemberExpired(GroupId, InstanceId),
    RebalanceStarted(GroupId, u32),
    Assigned(GroupId, u32, InstanceId, Vec<PartitionId>),
}

/// What the pictures of one run are drawn from.
#[derive(Clone, Debug)]
pub struct Pictures {
    pub options: PictureOptions,
    pub steps: Vec<Step>,
    /// Steps that matched but were past `messages_max`, and the time of the first of them.
    pub steps_left_out: u64,
    pub first_left_out: Option<SimTime>,
    /// The width of every series' points, in µs.
    pub width_us: u64,
    /// `lag[group][partition]`; empty for a queue-carried group.
    pub lag: Vec<Vec<Series>>,
    /// The largest lag of each (group, partition), and the lag at the end.
    pub lag_max: Vec<Vec<u64>>,
    /// `ready[queue]`, `unacked[queue]`.
    pub ready: Vec<Series>,
    pub unacked: Vec<Series>,
    /// `latency[group][bucket]`: records by end-to-end latency (send to first completion,
    /// the report's latency), filled from the collector's histograms at the end.
    pub latency: Vec<[u64; LATENCY_BUCKETS]>,
    pub ownership: Vec<Ownership>,
    pub incidents: Vec<(SimTime, Incident)>,
    /// Messages of the followed key seen so far, and the (stream, partition)s they went to.
    followed: Vec<MessageId>,
    followed_partitions: Vec<(StreamId, PartitionId)>,
    /// The open interval of each (group, partition), as an index into `ownership`.
    open: BTreeMap<(GroupId, PartitionId), usize>,
    group_stream: Vec<StreamId>,
    /// The committed offsets this sink last saw, per (group, partition), and the point that
    /// the current time falls in.
    committed_seen: Vec<Vec<u64>>,
    current_point: usize,
    /// Where the current point ends, in µs.
    point_end_us: u64,
    group_on_queue: Vec<bool>,
}

/// The trace sink that fills `Pictures`.
pub struct PictureSink {
    pictures: Pictures,
}

impl PictureSink {
    /// The generation-1 assignment comes as the coordinator's `assigned` events at time 0, like
    /// every later one.
    pub fn new(model: &Scenario, options: PictureOptions) -> Self {
        let partitions =
            |group: &crate::model::Group| model.stream(group.stream).partition_count_max() as usize;
        let group_on_queue: Vec<bool> = model
            .groups
            .iter()
            .map(|group| model.queue_layout.queue_of_group[group.id.index()].is_some())
            .collect();
        let pictures = Pictures {
            options,
            steps: Vec::new(),
            steps_left_out: 0,
            first_left_out: None,
            width_us: SERIES_WIDTH_US_MIN,
            lag: model
                .groups
                .iter()
                .map(|group| match group_on_queue[group.id.index()] {
                    true => Vec::new(),
                    false => vec![Series::default(); partitions(group)],
                })
                .collect(),
            lag_max: model
                .groups
                .iter()
                .map(|group| vec![0; partitions(group)])
                .collect(),
            ready: vec![Series::default(); model.queue_layout.queues.len()],
            unacked: vec![Series::default(); model.queue_layout.queues.len()],
            latency: vec![[0; LATENCY_BUCKETS]; model.groups.len()],
            ownership: Vec::new(),
            incidents: Vec::new(),
            followed: Vec::new(),
            followed_partitions: Vec::new(),
            open: BTreeMap::new(),
            committed_seen: model
                .groups
                .iter()
                .map(|group| vec![0; partitions(group)])
                .collect(),
            current_point: 0,
            point_end_us: SERIES_WIDTH_US_MIN,
            group_stream: model.groups.iter().map(|group| group.stream).collect(),
            group_on_queue,
        };
        PictureSink { pictures }
    }

    /// Called after `collector` has seen `event`. Inlined into every emit site, like the
    /// collector's `on_event`, so its matches fold to the event's one arm.
    #[inline(always)]
    pub fn on_event(&mut self, at: SimTime, event: &TraceEvent, collector: &Collector) {
        let pictures = &mut self.pictures;
        pictures.figures(at, event, collector);
        if pictures.selected(at, event) {
            pictures.keep_step(at, event);
        }
    }

    /// Called before `collector` sees an event at `at`: when `at` opens a new point, the
    /// lag at the end of the current one is recorded first.
    #[inline(always)]
    pub fn before_event(&mut self, at: SimTime, collector: &Collector) {
        if at.0 >= self.pictures.point_end_us {
            self.pictures.next_point(at, collector);
        }
    }

    /// The pictures, with the lag at the end of the run recorded.
    pub fn finish(mut self, collector: &Collector) -> Pictures {
        self.pictures.close_point(collector);
        for (group, metrics) in collector.metrics().groups.iter().enumerate() {
            for (latency_us, count) in metrics.latency.counts() {
                self.pictures.latency[group][latency_bucket(latency_us)] += count;
            }
        }
        self.pictures
    }
}

impl Pictures {
    #[inline(always)]
    fn index(&self, at: SimTime) -> usize {
        (at.0 / self.width_us) as usize
    }

    /// Doubles the width until `at` falls within the points kept.
    #[inline(always)]
    fn widen_to(&mut self, at: SimTime) {
        if self.index(at) >= SERIES_POINTS_MAX {
            self.widen(at);
        }
    }

    /// `at` is past the current point: records its end, widens the points if `at` is beyond
    /// the last, and moves to the point `at` falls in.
    #[cold]
    fn next_point(&mut self, at: SimTime, collector: &Collector) {
        self.close_point(collector);
        self.widen_to(at);
        self.current_point = self.index(at);
        self.point_end_us = (self.current_point as u64 + 1) * self.width_us;
    }

    #[cold]
    fn widen(&mut self, at: SimTime) {
        while self.index(at) >= SERIES_POINTS_MAX {
            self.width_us *= 2;
            let every = self
                .lag
                .iter_mut()
                .flatten()
                .chain(self.ready.iter_mut())
                .chain(self.unacked.iter_mut());
            for series in every {
                series.halve();
            }
        }
    }

    /// Lag, depth and latency after `event`.
    #[inline(always)]
    fn figures(&mut self, at: SimTime, event: &TraceEvent, collector: &Collector) {
        let index = self.current_point;
        match *event {
            TraceEvent::Crashed { .. }
            | TraceEvent::Restarted { .. }
            | TraceEvent::MemberExpired { .. }
            | TraceEvent::RebalanceStarted { .. }
            | TraceEvent::Revoked { .. }
            | TraceEvent::Assigned { .. } => self.incident(at, event),
            TraceEvent::Committed {
                group, partition, ..
            }
            | TraceEvent::OffsetReset {
                group, partition, ..
            } => {
                // Lag only grows between commits, so its largest value in a point is the one
                // just before a commit or the one at the point's end (`close_point`).
                let before = self.committed_seen[group.index()]
                    .get(partition.index())
                    .copied()
                    .unwrap_or(0);
                self.record_lag_from(index, collector, group, partition, before);
                self.record_lag(index, collector, group, partition);
                let committed = collector.metrics().groups[group.index()]
                    .committed
                    .get(partition.index())
                    .copied()
                    .unwrap_or(0);
                if let Some(seen) = self.committed_seen[group.index()].get_mut(partition.index()) {
                    *seen = committed;
                }
            }
            // Depth only rises on these; a point's largest value is taken here, its value at
            // the end by `close_point`.
            TraceEvent::Enqueued { queue, .. }
            | TraceEvent::Nacked { queue, .. }
            | TraceEvent::ChannelClosed { queue, .. } => {
                let stats = &collector.queues().queues[queue.index()];
                self.ready[queue.index()].record(index, stats.ready);
            }
            TraceEvent::Delivered { queue, .. } => {
                let stats = &collector.queues().queues[queue.index()];
                self.unacked[queue.index()].record(index, stats.unacked);
            }
            _ => {}
        }
    }

    fn record_lag(
        &mut self,
        index: usize,
        collector: &Collector,
        group: GroupId,
        partition: PartitionId,
    ) {
        let committed = collector.metrics().groups[group.index()]
            .committed
            .get(partition.index())
            .copied()
            .unwrap_or(0);
        self.record_lag_from(index, collector, group, partition, committed);
    }

    /// Records log end − `committed` as the lag of (group, partition) in point `index`.
    fn record_lag_from(
        &mut self,
        index: usize,
        collector: &Collector,
        group: GroupId,
        partition: PartitionId,
        committed: u64,
    ) {
        if self.group_on_queue[group.index()] {
            return;
        }
        let stream = self.group_stream[group.index()];
        let log_end = collector.metrics().log_end[stream.index()]
            .get(partition.index())
            .copied()
            .unwrap_or(0);
        let lag = log_end.saturating_sub(committed);
        let p = partition.index();
        if let Some(series) = self.lag[group.index()].get_mut(p) {
            series.record(index, lag);
        }
        if let Some(max) = self.lag_max[group.index()].get_mut(p) {
            *max = (*max).max(lag);
        }
    }

    /// Records every log group's lag and every queue's depth at the end of the current point (before the event that
    /// opens the next one).
    #[cold]
    fn close_point(&mut self, collector: &Collector) {
        let index = self.current_point;
        for (queue, stats) in collector.queues().queues.iter().enumerate() {
            self.ready[queue].record(index, stats.ready);
            self.unacked[queue].record(index, stats.unacked);
        }
        for group in 0..self.lag.len() {
            for partition in 0..self.lag[group].len() {
                let group = GroupId(group as u32);
                self.record_lag(index, collector, group, PartitionId(partition as u32));
            }
        }
    }

    #[inline(never)]
    fn incident(&mut self, at: SimTime, event: &TraceEvent) {
        // A queue-carried group has no partitions to own: the log broker's bookkeeping of it
        // (an assignment when it starts) is no part of its picture.
        let group = match *event {
            TraceEvent::MemberExpired { group, .. }
            | TraceEvent::RebalanceStarted { group, .. }
            | TraceEvent::Revoked { group, .. }
            | TraceEvent::Assigned { group, .. } => Some(group),
            _ => None,
        };
        if group.is_some_and(|group| self.group_on_queue[group.index()]) {
            return;
        }
        let incident = match event {
            TraceEvent::Crashed { instance } => Incident::Crashed(*instance),
            TraceEvent::Restarted { instance } => Incident::Restarted(*instance),
            TraceEvent::MemberExpired { group, instance } => {
                self.release_all(at, *group, *instance);
                Incident::MemberExpired(*group, *instance)
            }
            TraceEvent::RebalanceStarted {
                group, generation, ..
            } => Incident::RebalanceStarted(*group, *generation),
            TraceEvent::Revoked {
                group,
                instance,
                partitions,
            } => {
                for partition in partitions {
                    self.release(at, *group, *partition, Some(*instance));
                }
                return;
            }
            TraceEvent::Assigned {
                group,
                generation,
                instance,
                partitions,
            } => {
                self.assign(at, *group, *generation, *instance, partitions);
                Incident::Assigned(*group, *generation, *instance, partitions.clone())
            }
            _ => return,
        };
        self.incidents.push((at, incident));
    }

    /// `instance` owns `partitions` from `at` in `generation`: a partition it kept stays one
    /// interval; any it no longer gets is released.
    fn assign(
        &mut self,
        at: SimTime,
        group: GroupId,
        generation: u32,
        instance: InstanceId,
        partitions: &[PartitionId],
    ) {
        let dropped: Vec<PartitionId> = self
            .open
            .iter()
            .filter(|&(&(g, p), &index)| {
                g == group && self.ownership[index].instance == instance && !partitions.contains(&p)
            })
            .map(|((_, p), _)| *p)
            .collect();
        for partition in dropped {
            self.release(at, group, partition, Some(instance));
        }
        for &partition in partitions {
            if let Some(&index) = self.open.get(&(group, partition)) {
                if self.ownership[index].instance == instance {
                    continue;
                }
                self.release(at, group, partition, None);
            }
            self.open.insert((group, partition), self.ownership.len());
            self.ownership.push(Ownership {
                group,
                partition,
                instance,
                generation,
                from: at,
                to: None,
            });
        }
    }

    /// Closes the open interval of (group, partition), if `instance` (when given) holds it.
    fn release(
        &mut self,
        at: SimTime,
        group: GroupId,
        partition: PartitionId,
        instance: Option<InstanceId>,
    ) {
        if let Some(&index) = self.open.get(&(group, partition))
            && instance.is_none_or(|instance| self.ownership[index].instance == instance)
        {
            self.ownership[index].to = Some(at);
            self.open.remove(&(group, partition));
        }
    }

    fn release_all(&mut self, at: SimTime, group: GroupId, instance: InstanceId) {
        let held: Vec<PartitionId> = self
            .open
            .iter()
            .filter(|&(&(g, _), &index)| g == group && self.ownership[index].instance == instance)
            .map(|((_, p), _)| *p)
            .collect();
        for partition in held {
            self.release(at, group, partition, Some(instance));
        }
    }

    /// The owner of (group, partition) now.
    fn owner(&self, group: GroupId, partition: PartitionId) -> Option<InstanceId> {
        self.open
            .get(&(group, partition))
            .map(|&index| self.ownership[index].instance)
    }

    /// Whether `event` is a step of the sequence diagram under the options.
    #[inline(always)]
    fn selected(&mut self, at: SimTime, event: &TraceEvent) -> bool {
        if let Some((from, to)) = self.options.window_us
            && (at.0 < from || at.0 > to)
        {
            return false;
        }
        let Some(key) = self.options.follow else {
            return is_step(event) && !matches!(event, TraceEvent::Consumed { .. });
        };
        match *event {
            TraceEvent::Produced {
                stream,
                partition,
                msg,
                key: Some(event_key),
                ..
            } if event_key == key => {
                self.followed.push(msg);
                if !self.followed_partitions.contains(&(stream, partition)) {
                    self.followed_partitions.push((stream, partition));
                }
                true
            }
            TraceEvent::Committed {
                group, partition, ..
            } => {
                let stream = self.group_stream[group.index()];
                self.followed_partitions.contains(&(stream, partition))
            }
            _ => match step_message(event) {
                Some(msg) => self.followed.contains(&msg),
                None => is_note(event),
            },
        }
    }

    #[inline(always)]
    fn keep_step(&mut self, at: SimTime, event: &TraceEvent) {
        if self.steps.len() >= self.options.messages_max {
            self.steps_left_out += 1;
            if self.first_left_out.is_none() {
                self.first_left_out = Some(at);
            }
            return;
        }
        self.push_step(at, event);
    }

    #[inline(never)]
    fn push_step(&mut self, at: SimTime, event: &TraceEvent) {
        let owner = match *event {
            TraceEvent::Committed {
                group, partition, ..
            } => self.owner(group, partition),
            _ => None,
        };
        self.steps.push(Step {
            at,
            event: event.clone(),
            owner,
        });
    }
}

/// The bucket of a latency: 0 below 1 ms, then one per doubling.
pub fn latency_bucket(latency_us: u64) -> usize {
    let ms = latency_us / 1_000;
    if ms == 0 {
        0
    } else {
        ((ms.ilog2() + 1) as usize).min(LATENCY_BUCKETS - 1)
    }
}

/// The message a step is about, when it is about one.
fn step_message(event: &TraceEvent) -> Option<MessageId> {
    match *event {
        TraceEvent::Produced { msg, .. }
        | TraceEvent::Appended { msg, .. }
        | TraceEvent::Consumed { msg, .. }
        | TraceEvent::Enqueued { msg, .. }
        | TraceEvent::Delivered { msg, .. }
        | TraceEvent::Acked { msg, .. }
        | TraceEvent::Nacked { msg, .. }
        | TraceEvent::DeadLettered { msg, .. }
        | TraceEvent::Dropped { msg, .. }
        | TraceEvent::PublishRejected { msg, .. }
        | TraceEvent::DeliveryLost { msg, .. } => Some(msg),
        _ => None,
    }
}

/// Events drawn as notes over the participants (faults and rebalances).
fn is_note(event: &TraceEvent) -> bool {
    matches!(
        event,
        TraceEvent::Crashed { .. }
            | TraceEvent::Restarted { .. }
            | TraceEvent::MemberExpired { .. }
            | TraceEvent::RebalanceStarted { .. }
            | TraceEvent::Assigned { .. }
            | TraceEvent::Revoked { .. }
            | TraceEvent::ChannelClosed { .. }
            | TraceEvent::PartitionsCreated { .. }
    )
}

/// Events the sequence diagram draws.
fn is_step(event: &TraceEvent) -> bool {
    is_note(event)
        || step_message(event).is_some()
        || matches!(
            event,
            TraceEvent::Fetched { .. } | TraceEvent::Committed { .. }
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_halves_by_keeping_the_largest_and_the_latest_value() {
        let mut series = Series::default();
        series.record(0, 5);
        series.record(1, 9);
        series.record(1, 2);
        series.record(3, 4);
        series.halve();
        assert_eq!(
            series.points,
            vec![
                Some(Point { max: 9, last: 2 }),
                Some(Point { max: 4, last: 4 })
            ]
        );
    }

    #[test]
    fn empty_points_carry_the_value_before_them() {
        let mut series = Series::default();
        series.record(1, 7);
        series.record(3, 1);
        assert_eq!(series.maxima(0), vec![0, 7, 7, 1]);
    }

    #[test]
    fn latency_buckets_double() {
        assert_eq!(latency_bucket(999), 0);
        assert_eq!(latency_bucket(1_000), 1);
        assert_eq!(latency_bucket(1_999), 1);
        assert_eq!(latency_bucket(2_000), 2);
        assert_eq!(latency_bucket(3_999), 2);
        assert_eq!(latency_bucket(4_000), 3);
        assert_eq!(latency_bucket(u64::MAX), LATENCY_BUCKETS - 1);
    }
}

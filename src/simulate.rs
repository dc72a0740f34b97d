//! Wiring: model → actors (log broker, service instances) → kernel → sinks → report.
//!
//! The only place that knows both the kernel and the brokers. Actor ids: the log broker is 0,
//! instance i is i + 1, and the queue broker (present when some stream is carried by the
//! queue) comes last, so adding it shifts no other actor.

use std::io::Write;
use std::rc::Rc;

use crate::collect::Collector;
use crate::collect::pictures::{PictureOptions, PictureSink, Pictures};
use crate::log::broker::LogBroker;
use crate::model::{Endpoint, Fault, InstanceId, LinkFaultEffect, RunKeys, Scenario};
use crate::pipeline::Dataflow;
use crate::protocol::Msg;
use crate::queue::QueueBroker;
use crate::report::{RunEnd, RunReport};
use crate::service::InstanceActor;
use crate::sim::rng::{RngStream, stream_id};
use crate::sim::{
    Actor, ActorId, Ctx, Kernel, KernelStats, Limits, LinkConfig, LinkEffect, LinkFault, SimTime,
    Sink, StopReason, TimerId,
};
use crate::trace::TraceEvent;
use crate::trace::jsonl::TraceWriter;

/// How to run a validated scenario.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Stop at this time at the latest (`--until`), on top of the scenario's own `stop`.
    pub until: Option<SimTime>,
    /// The command line that reproduces the run, printed first in every report.
    pub reproduce: String,
    /// Only trace events with `FROM <= time_us <= TO`.
    pub trace_window_us: Option<(u64, u64)>,
    /// List every log partition's segments and records in the report (`--logs`).
    pub logs: bool,
    /// Gather the pictures of the run (the Markdown report's diagrams and charts).
    pub pictures: Option<PictureOptions>,
}

pub struct Run {
    pub report: RunReport,
    pub stop: StopReason,
    pub kernel: KernelStats,
    /// When `RunOptions::pictures` asked for them.
    pub pictures: Option<Pictures>,
}

const BROKER: ActorId = ActorId(0);

fn actor_of(instance: InstanceId) -> ActorId {
    ActorId(instance.0 + 1)
}

/// The run's actors: the kernel holds one type, so it calls each handler directly.
enum RunActor {
    Log(LogBroker),
    Instance(InstanceActor),
    Queue(QueueBroker),
    Registry(crate::service::RegistryActor),
}

/// Forwards each handler to the actor's own.
macro_rules! each_actor {
    ($self:ident, $actor:ident => $call:expr) => {
        match $self {
            RunActor::Log($actor) => $call,
            RunActor::Instance($actor) => $call,
            RunActor::Queue($actor) => $call,
            RunActor::Registry($actor) => $call,
        }
    };
}

impl Actor for RunActor {
    type Msg = Msg;
    type Event = TraceEvent;

    fn on_start<S: Sink<TraceEvent>>(&mut self, ctx: &mut Ctx<'_, Msg, TraceEvent, S>) {
        each_actor!(self, actor => actor.on_start(ctx))
    }

    #[inline]
    fn on_msg<S: Sink<TraceEvent>>(
        &mut self,
        ctx: &mut Ctx<'_, Msg, TraceEvent, S>,
        from: ActorId,
        msg: Msg,
    ) {
        each_actor!(self, actor => actor.on_msg(ctx, from, msg))
    }

    #[inline]
    fn on_timer<S: Sink<TraceEvent>>(
        &mut self,
        ctx: &mut Ctx<'_, Msg, TraceEvent, S>,
        id: TimerId,
        tag: u32,
    ) {
        each_actor!(self, actor => actor.on_timer(ctx, id, tag))
    }

    fn on_crash<S: Sink<TraceEvent>>(&mut self, ctx: &mut Ctx<'_, Msg, TraceEvent, S>) {
        each_actor!(self, actor => actor.on_crash(ctx))
    }

    fn on_fault<S: Sink<TraceEvent>>(&mut self, ctx: &mut Ctx<'_, Msg, TraceEvent, S>, fault: Msg) {
        each_actor!(self, actor => actor.on_fault(ctx, fault))
    }

    fn on_end<S: Sink<TraceEvent>>(&mut self, ctx: &mut Ctx<'_, Msg, TraceEvent, S>) {
        each_actor!(self, actor => actor.on_end(ctx))
    }
}

struct RunSinks<'m, W: Write> {
    collector: Collector,
    stop_rule: StopRule<'m>,
    trace: Option<TraceWriter<W>>,
    /// Only when a table is checked against a stream (the sink keeps that stream's latest
    /// values); otherwise the pipeline reports need no trace event.
    pipelines: Option<crate::pipeline::PipelineSink>,
    /// Whether the run ended drained, so its consumers close (and commit): a run cut by a
    /// stop time or a limit ends without their `close()`.
    drained: bool,
    pictures: Option<PictureSink>,
}

impl<W: Write> Sink<TraceEvent> for RunSinks<'_, W> {
    #[inline(always)]
    fn on_event(&mut self, at: SimTime, actor: ActorId, event: &TraceEvent) {
        if matches!(event, TraceEvent::CommittedOnClose { .. }) && !self.drained {
            return;
        }
        if let Some(pictures) = &mut self.pictures {
            pictures.before_event(at, &self.collector);
        }
        self.collector.on_event(at, event);
        if let Some(pictures) = &mut self.pictures {
            pictures.on_event(at, event, &self.collector);
        }
        if let Some(pipelines) = &mut self.pipelines {
            pipelines.on_event(event);
        }
        if let Some(trace) = &mut self.trace {
            trace.write(at, actor, event);
        }
    }
    fn wants_stop(&self) -> bool {
        self.stop_rule.done(&self.collector)
    }
}

/// When a run ends by itself: the scenario's `stop` (`after_records_consumed`, or drained;
/// `at_time` is the kernel's stop time), judged on the figures the collector keeps.
struct StopRule<'m> {
    model: &'m Scenario,
    after_consumed: Option<u64>,
    /// Per instance: its last fault is a crash, so once down it stays down.
    stays_down: Vec<bool>,
}

impl<'m> StopRule<'m> {
    fn new(model: &'m Scenario, faults: &[Fault]) -> Self {
        let mut down_for_good_at: Vec<Option<u64>> = vec![None; model.instances.len()];
        for fault in faults {
            match fault {
                Fault::Crash { instance, at_us } => {
                    let slot = &mut down_for_good_at[instance.index()];
                    if slot.is_none_or(|previous| previous <= *at_us) {
                        *slot = Some(*at_us);
                    }
                }
                Fault::Restart { instance, at_us } => {
                    if down_for_good_at[instance.index()].is_some_and(|crash| crash <= *at_us) {
                        down_for_good_at[instance.index()] = None;
                    }
                }
                // Machines come back by themselves: no instance stays down for good.
                Fault::Slow { .. } | Fault::Link { .. } | Fault::Machine { .. } => {}
            }
        }
        StopRule {
            model,
            after_consumed: match model.stop {
                crate::model::Stop::AfterRecordsConsumed { count } => Some(count),
                _ => None,
            },
            stays_down: down_for_good_at.iter().map(Option::is_some).collect(),
        }
    }

    /// True once the stop condition of the scenario holds.
    #[inline]
    fn done(&self, collector: &Collector) -> bool {
        match self.after_consumed {
            Some(count) => collector.metrics().consumed_total >= count,
            None => self.drained(collector),
        }
    }

    /// Producers are finished, nothing is on the wire, and every group that can still make
    /// progress has consumed up to every log end and settled its queue.
    fn drained(&self, collector: &Collector) -> bool {
        if matches!(self.model.stop, crate::model::Stop::AtTime { .. }) {
            return false;
        }
        let progress = collector.progress();
        if progress.producers_running > 0 || progress.in_network > 0 {
            return false;
        }
        if !self.queues_settled(collector) {
            return false;
        }
        if progress.behind == 0 {
            return true;
        }
        // Groups whose members are all down for good cannot catch up; do not wait for them.
        self.model.groups.iter().all(|group| {
            let caught_up = collector.metrics().log_end[group.stream.index()]
                .iter()
                .enumerate()
                .all(|(partition, &end)| {
                    collector
                        .checks()
                        .frontier(group.id, crate::model::PartitionId(partition as u32))
                        == end
                });
            caught_up || self.all_down_for_good(collector, group.service)
        })
    }

    /// Every group queue is settled, or none of its consumers will ever consume again.
    fn queues_settled(&self, collector: &Collector) -> bool {
        let queues = collector.queues();
        let progress = collector.progress();
        queues.layout.queues.iter().all(|decl| {
            let Some(group) = decl.group else {
                return true; // A holding queue has no consumers to wait for.
            };
            if queues.queues[decl.id.index()].settled() {
                return true;
            }
            let service = self.model.group(group).service;
            let finished = &progress.finished[group.index()];
            self.model
                .instances
                .iter()
                .filter(|instance| instance.service == service)
                .all(|instance| {
                    finished[instance.index as usize] || self.down_for_good(collector, instance.id)
                })
        })
    }

    /// Down now, and no restart comes.
    fn down_for_good(&self, collector: &Collector, instance: InstanceId) -> bool {
        collector.progress().down[instance.index()] && self.stays_down[instance.index()]
    }

    fn all_down_for_good(&self, collector: &Collector, service: crate::model::ServiceId) -> bool {
        self.model
            .instances
            .iter()
            .filter(|instance| instance.service == service)
            .all(|instance| self.down_for_good(collector, instance.id))
    }
}

/// Whether some stream is carried by the queue (then the queue broker runs, as the last actor).
fn uses_queue(model: &Scenario) -> bool {
    model
        .streams
        .iter()
        .any(|stream| stream.carrier == crate::model::Carrier::Queue)
}

fn queue_broker_id(model: &Scenario) -> ActorId {
    ActorId(model.instances.len() as u32 + 1)
}

/// Adds the run's actors in id order — the log broker, every instance, the queue broker when
/// used — and returns their names by actor id, for the trace, and each group's generation-1
/// assignment.
fn add_actors(
    kernel: &mut Kernel<Msg, TraceEvent, RunActor>,
    model: &Scenario,
    dataflow: Option<&Rc<Dataflow>>,
    run_keys: &Rc<RunKeys>,
    reasons: &Rc<crate::trace::Reasons>,
    list_logs: bool,
) -> Vec<String> {
    let mut broker = LogBroker::new(model, actor_of, Rc::clone(run_keys));
    if list_logs {
        broker = broker.with_log_listing();
    }
    if let Some(dataflow) = dataflow {
        let dataflow = Rc::clone(dataflow);
        broker = broker.with_tombstone_test(Rc::new(move |stream, record| {
            dataflow.is_tombstone(stream, record)
        }));
    }
    let initial: Vec<_> = model
        .groups
        .iter()
        .map(|group| broker.initial_assignment(group.id))
        .collect();
    let jitter = |name: &str| RngStream::new(model.seed, stream_id("actor", name, "link-jitter"));
    let schemas = crate::service::SchemaRun::new(model, reasons);
    let broker_id = kernel.add_actor(
        RunActor::Log(broker),
        LinkConfig::default(),
        jitter("log-broker"),
    );
    assert_eq!(broker_id, BROKER);
    let mut actor_names = vec!["log-broker".to_string()];
    let queue_broker_id = queue_broker_id(model);
    let queue_broker =
        uses_queue(model).then(|| QueueBroker::new(model, actor_of, Rc::clone(run_keys)));
    for instance in &model.instances {
        let actor = InstanceActor::from_model(model, instance.id, BROKER, |group| {
            initial[group.index()]
                .iter()
                .find(|(owner, _)| *owner == instance.id)
                .map(|(_, partitions)| partitions.clone())
                .unwrap_or_default()
        })
        .with_queue(model, queue_broker_id, &model.queue_layout.queue_of_group);
        let actor = match dataflow {
            Some(dataflow) => actor.with_dataflow(dataflow),
            None => actor,
        };
        let actor = match &schemas {
            Some(schemas) => actor.with_schemas(schemas, registry_id(model)),
            None => actor,
        };
        let link = model.service(instance.service).link;
        let id = kernel.add_actor(RunActor::Instance(actor), link, jitter(&instance.name));
        assert_eq!(id, actor_of(instance.id));
        actor_names.push(instance.name.clone());
    }
    if let Some(queue_broker) = queue_broker {
        let id = kernel.add_actor(
            RunActor::Queue(queue_broker),
            LinkConfig::default(),
            jitter("queue-broker"),
        );
        assert_eq!(id, queue_broker_id);
        actor_names.push("queue-broker".to_string());
    }
    if schemas.is_some() {
        let id = kernel.add_actor(
            RunActor::Registry(crate::service::RegistryActor),
            LinkConfig::default(),
            jitter("schema-registry"),
        );
        assert_eq!(id, registry_id(model));
        actor_names.push("schema-registry".to_string());
    }
    actor_names
}

/// Schedules a crash of `instance` at `at_us`.
fn crash(
    kernel: &mut Kernel<Msg, TraceEvent, RunActor>,
    model: &Scenario,
    instance: InstanceId,
    at_us: u64,
) {
    kernel.schedule_crash(SimTime(at_us), actor_of(instance));
    if uses_queue(model) {
        // The process's OS closes its TCP connection: the broker sees it at once. (A machine
        // that dies closes nothing; the broker then learns it from the missed heartbeats, which
        // eventlab does not model for the queue: it sees the loss at once either way.)
        kernel.schedule_fault(
            SimTime(at_us),
            queue_broker_id(model),
            Msg::ConnectionLost { instance },
        );
    }
}

fn endpoint_actor(model: &Scenario, endpoint: Endpoint) -> ActorId {
    match endpoint {
        Endpoint::Instance(instance) => actor_of(instance),
        Endpoint::LogBroker => BROKER,
        Endpoint::QueueBroker => queue_broker_id(model),
    }
}

/// The schema registry's actor id: after the instances and the queue broker (if any).
fn registry_id(model: &Scenario) -> ActorId {
    let after_instances = model.instances.len() as u32 + 1;
    ActorId(after_instances + u32::from(uses_queue(model)))
}

/// Schedules the scenario's timeline: the run's `faults`, then partitions created by admin
/// actions.
fn schedule_timeline(
    kernel: &mut Kernel<Msg, TraceEvent, RunActor>,
    model: &Scenario,
    faults: &[Fault],
) {
    for (index, fault) in faults.iter().enumerate() {
        match *fault {
            Fault::Crash { instance, at_us } => crash(kernel, model, instance, at_us),
            Fault::Machine {
                instance,
                at_us,
                fault,
            } => {
                let deployment = model
                    .deployment
                    .as_ref()
                    .expect("validation allows machine faults only with a deployment");
                for outage in deployment.outages(fault, instance, at_us) {
                    crash(kernel, model, outage.instance, outage.down_us);
                    kernel.schedule_restart(SimTime(outage.up_us), actor_of(outage.instance));
                }
            }
            Fault::Restart { instance, at_us } => {
                kernel.schedule_restart(SimTime(at_us), actor_of(instance))
            }
            Fault::Slow {
                instance,
                from_us,
                until_us,
                factor_ppm,
            } => {
                kernel.schedule_fault(
                    SimTime(from_us),
                    actor_of(instance),
                    Msg::SlowStart { factor_ppm },
                );
                kernel.schedule_fault(SimTime(until_us), actor_of(instance), Msg::SlowEnd);
            }
            Fault::Link {
                ref sides,
                from_us,
                until_us,
                effect,
            } => kernel.add_link_fault(LinkFault {
                sides: sides.clone().map(|side| {
                    side.iter()
                        .map(|&endpoint| endpoint_actor(model, endpoint))
                        .collect()
                }),
                from: SimTime(from_us),
                until: SimTime(until_us),
                effect: match effect {
                    LinkFaultEffect::Partition => LinkEffect::Partition,
                    LinkFaultEffect::Delay { extra_us } => LinkEffect::Delay { extra_us },
                    LinkFaultEffect::Loss { ppm, retransmit_us } => {
                        LinkEffect::Loss { ppm, retransmit_us }
                    }
                },
                rng: RngStream::new(
                    model.seed,
                    stream_id("fault", &format!("faults[{index}]"), "loss"),
                ),
            }),
        }
    }
    schedule_admin(kernel, model);
}

/// Schedules the admin timeline: offset resets, CreatePartitions and the log's admin actions.
fn schedule_admin(kernel: &mut Kernel<Msg, TraceEvent, RunActor>, model: &Scenario) {
    for group in &model.groups {
        for order in &group.offset_resets {
            kernel.schedule_fault(
                SimTime(order.at_us),
                BROKER,
                Msg::ResetOffsets {
                    group: group.id,
                    mode: order.mode,
                },
            );
        }
    }
    for stream in &model.streams {
        for created in &stream.partitions_created {
            kernel.schedule_fault(
                SimTime(created.at_us),
                BROKER,
                Msg::CreatePartitions {
                    stream: stream.id,
                    partition_count: created.partition_count,
                },
            );
        }
        for admin in &stream.log_admin {
            kernel.schedule_fault(
                SimTime(admin.at_us),
                BROKER,
                Msg::LogAdmin {
                    stream: stream.id,
                    admin: admin.admin,
                },
            );
        }
    }
}

/// The run's kernel: its limits, and the stop time (the scenario's, or `--until` if earlier).
fn new_kernel(model: &Scenario, options: &RunOptions) -> Kernel<Msg, TraceEvent, RunActor> {
    let stop_at = match (model.stop, options.until) {
        (crate::model::Stop::AtTime { at_us }, Some(until)) => Some(SimTime(at_us).min(until)),
        (crate::model::Stop::AtTime { at_us }, None) => Some(SimTime(at_us)),
        (_, until) => until,
    };
    let limits = Limits {
        events_max: model.limits.events_max,
        sim_time_us_max: model.limits.sim_time_us_max,
    };
    Kernel::new(limits, stop_at)
}

/// Runs `model` (with its `seed`) and returns the report. `trace` receives the JSON Lines trace.
pub fn simulate<W: Write>(
    model: &Scenario,
    options: &RunOptions,
    trace: Option<W>,
) -> std::io::Result<Run> {
    let mut kernel = new_kernel(model, options);

    // Pipelines, and the keys their `rekey`s make during the run (only with pipelines).
    let dataflow = Dataflow::new(model).map(Rc::new);
    let run_keys = match &dataflow {
        Some(dataflow) => Rc::clone(&dataflow.keys),
        None => Rc::new(RunKeys::new(&model.keys)),
    };
    // The texts of schema events' reasons: interned by the run's schema checks, read by the
    // trace writer and the report.
    let reasons = Rc::new(crate::trace::Reasons::default());
    let actor_names = add_actors(
        &mut kernel,
        model,
        dataflow.as_ref(),
        &run_keys,
        &reasons,
        options.logs,
    );
    let values = dataflow.clone();
    // The faults of this seed: drawn times drawn from the fault stream.
    let faults = model.faults_for_run();
    schedule_timeline(&mut kernel, model, &faults);

    let trace = match trace {
        Some(out) => Some(
            TraceWriter::new(model, actor_names, out, options.trace_window_us, run_keys)?
                .with_reasons(&reasons),
        ),
        None => None,
    };
    let (tracking, idle_pipelines) = match dataflow.map(crate::pipeline::PipelineSink::new) {
        Some(sink) if sink.tracks() => (Some(sink), None),
        other => (None, other),
    };
    let mut sinks = RunSinks {
        collector: Collector::new(model, model.queue_layout.clone()).with_reasons(&reasons),
        stop_rule: StopRule::new(model, &faults),
        trace,
        pipelines: tracking,
        drained: false,
        // Always: every format reports the timeline and partition owners; the options only
        // shape the sequence diagram.
        pictures: Some(PictureSink::new(
            model,
            options.pictures.clone().unwrap_or_default(),
        )),
    };
    let stop = kernel.run(&mut sinks);
    sinks.drained = matches!(stop, StopReason::Done | StopReason::AgendaEmpty)
        && matches!(model.stop, crate::model::Stop::Drained);
    kernel.finish(&mut sinks);
    let stats = kernel.stats();
    let end = RunEnd {
        reproduce: options.reproduce.clone(),
        reason: &stop,
        now: kernel.now(),
        kernel: stats,
    };
    let mut report = RunReport::build(model, &sinks.collector, end);
    if let Some(values) = values.filter(|_| options.logs) {
        report.fill_log_values(
            |stream, msg, key| values.value_of(stream, msg, key),
            |key| values.keys.text(key).to_string(),
        );
    }
    if let Some(pipelines) = sinks.pipelines.or(idle_pipelines) {
        (report.pipelines, report.tables) =
            crate::report::tables::reports(model, pipelines.finish());
    }
    report.expect = crate::report::build::not_evaluated_if_incomplete(
        crate::report::expect::outcomes(model, &report),
        &report.outcome,
    );
    if let Some(trace) = sinks.trace {
        trace.finish()?;
    }
    let pictures = sinks
        .pictures
        .map(|pictures| pictures.finish(&sinks.collector));
    if let Some(pictures) = &pictures {
        crate::report::timeline::add(&mut report, model, pictures);
    }
    Ok(Run {
        report,
        stop,
        kernel: stats,
        pictures: options.pictures.as_ref().and(pictures),
    })
}

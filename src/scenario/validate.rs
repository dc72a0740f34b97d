//! Semantic validation: raw scenario → `model::Scenario`, or every problem in document order.
//!
//! This file is the walk: it visits the scenario's sections in document order and, within a
//! section, its entries in file order, handing each part to the file that knows it (`streams`,
//! `produces`, `consumes`, `timeline`, `expectations`, `topology`, `queue`). Problems come out in
//! the order the walk finds them, so document order holds by construction.
//!
//! "Document order" is a fixed section order, since serde's derive does not keep the order of a
//! file's keys: `name`, `stop`, `limits`, `single_writer`, `streams`, `services`, `deployment`,
//! `faults`, `admin`, `expect`, `external_systems` (the order the bundled scenarios and the README write
//! them in). Within an entry, its own fields come first and its topology fields after them. A
//! check that needs more than one entry is reported with the entry its path names, after that
//! entry's own problems: the stop time against the limits under `stop`, a second writer at the
//! second writer, a crash/restart or partition-growth problem under its timeline entry.
//! Every default comes from `scenario::defaults`, and so does every ceiling but a type's bound.

mod consumes;
mod deployment;
mod expectations;
mod group_admin;
mod log_admin;
mod produces;
mod queue;
pub(crate) mod schemas;
mod streams;
mod timeline;
mod topology;
mod validator;

pub(super) use self::validator::Validator;

use std::collections::BTreeSet;

use self::consumes::Consumed;
use self::produces::Producing;
use self::topology::TopologyWalk;
use self::validator::{Declaration, StreamNames};
use super::defaults;
use super::error::ScenarioError;
use super::raw::*;
use crate::model::*;
use crate::sim::LinkConfig;

/// Checks meaning and resolves names. Reports every problem, in document order.
pub fn validate(raw: &RawScenario, origin: &str) -> Result<Scenario, Vec<ScenarioError>> {
    let mut v = Validator::new(origin);
    if raw.name.trim().is_empty() {
        v.error("name", "the scenario needs a name");
    }
    let (stop, limits) = stop_and_limits(&mut v, raw);
    let single_writer = topology::single_writer(&mut v, raw.single_writer.as_deref());
    let mut topology = TopologyWalk::new(raw, single_writer);

    if raw.streams.is_empty() {
        v.error("streams", "a scenario needs at least one stream");
    }
    let names = StreamNames::new(raw.streams.iter().map(|s| s.name.as_str()).collect());
    let on_queue = streams::on_queue(&raw.streams);
    let mut streams = Vec::new();
    let mut stream_schemas = Vec::new();
    for (index, stream) in raw.streams.iter().enumerate() {
        streams.push(streams::stream(&mut v, stream, index, &names, &on_queue));
        stream_schemas.push(schemas::stream(&mut v, raw, index));
        topology.stream(&mut v, index);
    }

    let mut walk = ServicesWalk {
        streams: &streams,
        names: &names,
        stop,
        keys: KeyTable::default(),
        key_total: 0,
        services: Vec::new(),
        instances: Vec::new(),
        groups: Vec::new(),
    };
    for index in 0..raw.services.len() {
        walk.service(&mut v, raw, index);
        topology.service(&mut v, index, &names);
    }
    let ServicesWalk {
        keys,
        services,
        instances,
        mut groups,
        ..
    } = walk;
    // Schema problems of services come after the services' other problems (a second pass: the
    // registry's answers need every production first).
    let schema_plan = schemas::plan(&mut v, raw, &stream_schemas, &services);

    let deployment = deployment::deployment(&mut v, raw.deployment.as_ref(), &instances);
    let actors = timeline::Actors {
        deployment: deployment.as_ref(),
        instances: &instances,
        services: &services,
        queue_broker: streams
            .iter()
            .any(|stream| stream.carrier == crate::model::Carrier::Queue),
    };
    let (faults, fault_draws) = timeline::faults(&mut v, &raw.faults, &actors);
    timeline::admin(&mut v, &raw.admin, &mut streams, &names, &mut groups);
    let expects = expectations::expects(&mut v, &raw.expect, &names);
    for index in 0..raw.external_systems.len() {
        topology.external(&mut v, index, &names, &services);
    }

    let errors = v.finish();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Scenario {
        // First, while the parts it reads are not yet moved into the struct.
        queue_layout: QueueLayout::new(&streams, &services, &groups),
        emission_batching: produces::default_batching(),
        schemas: schema_plan,
        name: raw.name.clone(),
        description: raw.description.clone(),
        seed: raw.seed,
        streams,
        services,
        instances,
        groups,
        faults,
        fault_draws,
        deployment,
        expects,
        limits,
        stop,
        keys,
        topology: topology.finish(),
    })
}

/// `stop`, then `limits`. The stop time is checked against `limits.sim_time_us_max`, and that
/// problem belongs to `stop`, so the limits are validated aside and their problems follow.
fn stop_and_limits(v: &mut Validator, raw: &RawScenario) -> (Stop, RunLimits) {
    let stop = validate_stop(v, raw.stop.as_ref());
    let (limits, limit_errors) = v.aside(|v| validate_limits(v, &raw.limits));
    if let Stop::AtTime { at_us } = stop
        && at_us > limits.sim_time_us_max
    {
        v.error(
            "stop.at_us",
            format!("{at_us} is past limits.sim_time_us_max ({}), so the run could never get there (raise \"limits.sim_time_us_max\" too)", limits.sim_time_us_max),
        );
    }
    v.extend(limit_errors);
    (stop, limits)
}

fn validate_stop(v: &mut Validator, stop: Option<&RawStop>) -> Stop {
    match stop {
        None => Stop::Drained,
        Some(RawStop {
            at_us: Some(_),
            after_records_consumed: Some(_),
        }) => {
            v.error(
                "stop",
                "give either \"at_us\" or \"after_records_consumed\", not both",
            );
            Stop::Drained
        }
        Some(RawStop {
            at_us: Some(at_us), ..
        }) => Stop::AtTime {
            at_us: v.setting("stop.at_us", Some(*at_us), &defaults::STOP_AT, "at_us"),
        },
        Some(RawStop {
            after_records_consumed: Some(count),
            ..
        }) => Stop::AfterRecordsConsumed {
            count: v.setting(
                "stop.after_records_consumed",
                Some(*count),
                &defaults::STOP_AFTER_RECORDS,
                "after_records_consumed",
            ),
        },
        Some(RawStop {
            at_us: None,
            after_records_consumed: None,
        }) => {
            v.error("stop", "give \"at_us\" or \"after_records_consumed\" (or leave \"stop\" out to run until drained)");
            Stop::Drained
        }
    }
}

fn validate_limits(v: &mut Validator, limits: &RawLimits) -> RunLimits {
    RunLimits {
        events_max: v.setting(
            "limits.events_max",
            limits.events_max,
            &defaults::EVENTS_MAX,
            "events_max",
        ),
        sim_time_us_max: v.setting(
            "limits.sim_time_us_max",
            limits.sim_time_us_max,
            &defaults::SIM_TIME_US_MAX,
            "sim_time_us_max",
        ),
        stored_records_max: v.setting(
            "limits.stored_records_max",
            limits.stored_records_max,
            &defaults::STORED_RECORDS_MAX,
            "stored_records_max",
        ),
    }
}

/// The `services` section as the walk goes through it: what each service adds (instances,
/// groups, keys) and what later services check against.
struct ServicesWalk<'m> {
    streams: &'m [Stream],
    names: &'m StreamNames<'m>,
    stop: Stop,
    keys: KeyTable,
    key_total: u64,
    services: Vec<Service>,
    instances: Vec<Instance>,
    groups: Vec<Group>,
}

impl ServicesWalk<'_> {
    /// `services[index]`: name, instances, link, then its `produces` and `consumes` entries.
    fn service(&mut self, v: &mut Validator, raw: &RawScenario, index: usize) {
        let service = &raw.services[index];
        let path = format!("services[{index}]");
        let service_id = ServiceId(index as u32);
        if service.name.trim().is_empty() {
            v.error(format!("{path}.name"), "a service needs a name");
        } else if raw.services[..index]
            .iter()
            .any(|earlier| earlier.name == service.name)
        {
            v.error(
                format!("{path}.name"),
                format!("service \"{}\" is declared twice", service.name),
            );
        }
        let instance_count = v.setting(
            &format!("{path}.instance_count"),
            service.instance_count,
            &defaults::INSTANCE_COUNT,
            "instance_count",
        ) as u32;
        let link = link(v, &path, service.link.as_ref());

        let mut producing = Producing {
            streams: self.streams,
            names: self.names,
            stop: self.stop,
            keys: &mut self.keys,
            key_total: &mut self.key_total,
        };
        let produces = service
            .produces
            .iter()
            .enumerate()
            .filter_map(|(produce_index, produce)| {
                let produce_path = format!("{path}.produces[{produce_index}]");
                produces::produces(v, &produce_path, produce, &mut producing)
            })
            .collect();
        let consumes = self.consumes(v, raw, index, instance_count);

        for instance_index in 0..instance_count {
            self.instances.push(Instance {
                id: InstanceId(self.instances.len() as u32),
                name: format!("{}-{instance_index}", service.name),
                service: service_id,
                index: instance_index,
            });
        }
        self.services.push(Service {
            id: service_id,
            name: service.name.clone(),
            instance_count,
            link,
            produces,
            consumes,
        });
    }

    /// A service's `consumes` entries: each stream once per service, each (group, stream) for
    /// one service only.
    fn consumes(
        &mut self,
        v: &mut Validator,
        raw: &RawScenario,
        index: usize,
        instance_count: u32,
    ) -> Vec<Consumption> {
        let service = &raw.services[index];
        let mut consumes = Vec::new();
        let mut consumed_streams: BTreeSet<StreamId> = BTreeSet::new();
        for (consume_index, consume) in service.consumes.iter().enumerate() {
            let path = format!("services[{index}].consumes[{consume_index}]");
            let stream_path = format!("{path}.stream");
            let Some(stream) =
                self.names
                    .resolve(v, stream_path.clone(), &consume.stream, Declaration::Last)
            else {
                continue;
            };
            if !consumed_streams.insert(stream) {
                v.error(
                    stream_path,
                    format!(
                        "service \"{}\" already consumes stream \"{}\"",
                        service.name, consume.stream
                    ),
                );
                continue;
            }
            let group_name = consume
                .kafka
                .group_id
                .clone()
                .unwrap_or_else(|| service.name.clone());
            if let Some(other) = self
                .groups
                .iter()
                .find(|g| g.name == group_name && g.stream == stream)
            {
                let owner = &raw.services[other.service.index()].name;
                if *owner == service.name {
                    continue; // The service is declared twice; that error says it all.
                }
                v.error(
                    format!("{path}.kafka.\"group.id\""),
                    format!("group \"{group_name}\" already reads stream \"{}\" for service \"{owner}\" (give each service its own group.id)", consume.stream),
                );
                continue;
            }
            let group = GroupId(self.groups.len() as u32);
            self.groups.push(Group {
                id: group,
                name: group_name,
                service: ServiceId(index as u32),
                stream,
                consumption: consumes.len(),
                offset_resets: Vec::new(),
            });
            let consumed = Consumed {
                stream,
                group,
                exchange_type: self.streams[stream.index()].rabbitmq.exchange_type,
                instance_count,
                partition_count: self.streams[stream.index()].partition_count,
                on_log: self.streams[stream.index()].carrier == crate::model::Carrier::Log,
            };
            consumes.push(consumes::consumes(v, &path, consume, consumed));
        }
        consumes
    }
}

/// A service's `link`: latency and jitter between its instances and the broker.
fn link(v: &mut Validator, path: &str, link: Option<&RawLink>) -> LinkConfig {
    let (latency_us, jitter_us) = link.map_or((None, None), |link| {
        (Some(link.latency_us), Some(link.jitter_us))
    });
    let mut field =
        |name: &str, given: Option<Option<u64>>, setting: &defaults::Setting| match given {
            // Without a `link` block there is nothing to check.
            None => setting.count(),
            Some(given) => v.setting(&format!("{path}.link.{name}"), given, setting, name),
        };
    LinkConfig {
        latency_us: field("latency_us", latency_us, &defaults::LINK_LATENCY),
        jitter_us: field("jitter_us", jitter_us, &defaults::LINK_JITTER),
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::parse_and_validate;

    /// Every place where a problem is found out of document order (a cross-check with a later
    /// section, a time-ordered check, a second writer) still reports it in document order.
    #[test]
    fn problems_come_out_in_document_order_across_sections() {
        let scenario = r#"{"name": "order", "stop": {"at_us": 5000000}, "limits": {"sim_time_us_max": 1000000, "events_max": 0},
 "streams": [{"name": "orders", "carrier": "lgo", "kind": "keyd"},
             {"name": "audit", "partition_count": 0}],
 "services": [{"name": "checkout", "domain": " ", "tables": [{"name": "t"}, {"name": "t"}],
               "produces": [{"stream": "orders", "interval_us": 0}, {"stream": "ordrs", "interval_us": 10}]},
              {"name": "billing", "instance_count": 0,
               "produces": [{"stream": "orders", "interval_us": 10, "arrivals": "poison"}]}],
 "faults": [{"action": "restart", "instance": "checkout-0", "at_us": 10},
            {"action": "explode", "instance": "checkout-0"}],
 "admin": [{"action": "create_partitions", "at_us": 5, "stream": "audit", "partition_count": 1},
           {"action": "create_partition", "at_us": 5, "stream": "audit", "partition_count": 2}],
 "expect": [{"check": "no_los", "stream": "orders"}],
 "external_systems": [{"name": "shop", "writes": ["orders", "nope"]}]}"#;
        let errors = parse_and_validate(scenario, "test.json").expect_err("invalid");
        let actual: Vec<String> = errors.iter().map(ToString::to_string).collect();
        let expected = [
            "test.json: stop.at_us: 5000000 is past limits.sim_time_us_max (1000000), so the run could never get there (raise \"limits.sim_time_us_max\" too)",
            "test.json: limits.events_max: events_max must be at least 1, not 0",
            "test.json: streams[0].carrier: unknown carrier \"lgo\" (did you mean \"log\"?)",
            "test.json: streams[0].kind: unknown event kind \"keyd\" (did you mean \"keyed\"?)",
            "test.json: streams[1].partition_count: partition_count must be at least 1, not 0",
            "test.json: services[0].produces[0].interval_us: interval_us must be at least 1, not 0",
            "test.json: services[0].produces[1].stream: unknown stream \"ordrs\" (did you mean \"orders\"?)",
            "test.json: services[0].domain: a domain needs a name",
            "test.json: services[0].tables[1].name: service \"checkout\" already has a table \"t\"",
            "test.json: services[1].instance_count: instance_count must be at least 1, not 0",
            "test.json: services[1].produces[0].arrivals: unknown arrivals \"poison\" (did you mean \"poisson\"?)",
            "test.json: services[1].produces[0].stream: stream \"orders\" already has a writer, service \"checkout\" (services[0].produces[0].stream), so service \"billing\" would be a second one: each stream has exactly one producing service (the single-writer principle; set \"single_writer\": \"warn\" to run anyway and see the conflicting updates)",
            "test.json: faults[0]: \"checkout-0\" is not down at 10 us, so it cannot restart",
            "test.json: faults[1].action: unknown fault action \"explode\" (expected \"crash\", \"restart\", \"slow\", \"partition\", \"delay\", \"kernel_fault\", \"host_failure\" or \"loss\")",
            "test.json: admin[0].partition_count: stream \"audit\" has 1 partitions at 5 us; CreatePartitions can only add partitions, so ask for more than 1",
            "test.json: admin[1].action: unknown admin action \"create_partition\" (did you mean \"create_partitions\"?)",
            "test.json: expect[0].check: unknown check \"no_los\" (did you mean \"no_loss\"?)",
            "test.json: external_systems[0].writes[1]: unknown stream \"nope\"",
            "test.json: external_systems[0].writes[0]: stream \"orders\" already has a writer, service \"checkout\" (services[0].produces[0].stream), so external system \"shop\" would be a second one: each stream has exactly one producing service (the single-writer principle; set \"single_writer\": \"warn\" to run anyway and see the conflicting updates)",
        ];
        assert_eq!(actual, expected);
    }
}

//! The deployment section of a report: per host what is placed on it and how much of its memory
//! and CPU that takes (so how many more such instances fit), and per service its placement and
//! what the run's kernel and host faults cost it — instances stopped, availability, the longest
//! recovery, rebalances and the worst latency and backlog. Only for a scenario with a
//! `deployment`. Outages are recomputed from the model and the run's faults (they follow from
//! the deployment rules alone); rebalances, latency and backlog come from the group reports.

use std::fmt::Write as _;

use serde::Serialize;

use super::StreamReport;
use super::words::time_us as format_us;
use crate::model::deployment::{Deployment, Machine, Outage, Packaging};
use crate::model::{Fault, Scenario};

#[derive(Clone, Debug, Serialize)]
pub struct DeploymentReport {
    pub hosts: Vec<HostReport>,
    pub services: Vec<ServiceDeploymentReport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct HostReport {
    pub host: String,
    pub instances: u64,
    pub vms: u64,
    pub memory_used_mb: u64,
    pub memory_mb: u64,
    pub cpu_used_millicores: u64,
    pub cpu_millicores: u64,
    /// How many more instances like the average one placed here (with its container's or its
    /// own VM's overhead) still fit.
    pub room_for: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct ServiceDeploymentReport {
    pub service: String,
    /// e.g. `3 containers on host "rack-1"` or `3 processes in VMs on host "rack-2"`.
    pub placement: String,
    pub instances: u64,
    /// Instance stops caused by kernel and host faults.
    pub instances_stopped: u64,
    /// Share of instance time up, in parts per million, from start to the end of the run.
    pub availability_ppm: u64,
    /// The longest time from a fault to the instance's return.
    pub recovery_us: u64,
    pub rebalances: u64,
    pub latency_max_us: u64,
    /// The largest lag or queue depth of the service's groups.
    pub backlog_max: u64,
}

/// The section, when the scenario has a deployment.
pub fn report(
    model: &Scenario,
    streams: &[StreamReport],
    ended_at_us: u64,
) -> Option<DeploymentReport> {
    let deployment = model.deployment.as_ref()?;
    let outages: Vec<Outage> = model
        .faults_for_run()
        .iter()
        .filter_map(|fault| match *fault {
            Fault::Machine {
                instance,
                at_us,
                fault,
            } => Some(deployment.outages(fault, instance, at_us)),
            _ => None,
        })
        .flatten()
        .filter(|outage| outage.down_us < ended_at_us)
        .collect();
    let hosts = (0..deployment.hosts.len())
        .map(|host| host_report(deployment, host))
        .collect();
    let services = model
        .services
        .iter()
        .filter_map(|service| {
            let placements: Vec<_> = deployment
                .placements
                .iter()
                .filter(|p| model.instance(p.instance).service == service.id)
                .collect();
            let first = placements.first()?;
            let instances = placements.len() as u64;
            let mine: Vec<&Outage> = outages
                .iter()
                .filter(|o| placements.iter().any(|p| p.instance == o.instance))
                .collect();
            let down_us: u64 = mine
                .iter()
                .map(|o| o.up_us.min(ended_at_us) - o.down_us)
                .sum();
            let total_us = (instances * ended_at_us).max(1);
            let groups = streams
                .iter()
                .flat_map(|stream| &stream.groups)
                .filter(|group| group.service == service.name);
            let (rebalances, latency_max_us, backlog_max) =
                groups.fold((0, 0, 0), |(r, l, b), group| {
                    let backlog = group.queue.as_ref().map_or(group.lag_max, |q| q.depth_max);
                    (
                        r + group.rebalances,
                        l.max(group.latency_us.max),
                        b.max(backlog),
                    )
                });
            Some(ServiceDeploymentReport {
                service: service.name.clone(),
                placement: placement_words(deployment, first.packaging, first.on, instances),
                instances,
                instances_stopped: mine.len() as u64,
                availability_ppm: 1_000_000 - down_us * 1_000_000 / total_us,
                recovery_us: mine.iter().map(|o| o.up_us - o.down_us).max().unwrap_or(0),
                rebalances,
                latency_max_us,
                backlog_max,
            })
        })
        .collect();
    Some(DeploymentReport { hosts, services })
}

fn host_report(deployment: &Deployment, host: usize) -> HostReport {
    let spec = &deployment.hosts[host];
    let (memory, cpu) = deployment.host_load(host);
    let placed: Vec<_> = deployment
        .placements
        .iter()
        .filter(|p| deployment.host_of(p.on) == host)
        .collect();
    let vms = deployment.vms.iter().filter(|vm| vm.host == host).count() as u64;
    let count = placed.len() as u64;
    // The average instance here, with its share of the VMs' own cost.
    let room_for = if count == 0 {
        0
    } else {
        let memory_each = memory.div_ceil(count).max(1);
        let cpu_each = cpu.div_ceil(count).max(1);
        (spec.memory_mb.saturating_sub(memory) / memory_each)
            .min(spec.cpu_millicores.saturating_sub(cpu) / cpu_each)
    };
    HostReport {
        host: spec.name.clone(),
        instances: count,
        vms,
        memory_used_mb: memory,
        memory_mb: spec.memory_mb,
        cpu_used_millicores: cpu,
        cpu_millicores: spec.cpu_millicores,
        room_for,
    }
}

fn placement_words(deployment: &Deployment, packaging: Packaging, on: Machine, n: u64) -> String {
    let what = match (packaging, n) {
        (Packaging::Container, 1) => "container",
        (Packaging::Container, _) => "containers",
        (Packaging::Process, 1) => "process",
        (Packaging::Process, _) => "processes",
    };
    let host = &deployment.hosts[deployment.host_of(on)].name;
    match on {
        Machine::Host(_) => format!("{n} {what} on host \"{host}\""),
        Machine::Vm(_) => format!("{n} {what} in VMs on host \"{host}\""),
    }
}

/// The section as text.
pub fn render_text(report: Option<&DeploymentReport>, out: &mut String) {
    let Some(report) = report else { return };
    let _ = writeln!(out, "deployment:");
    for host in &report.hosts {
        let _ = writeln!(
            out,
            "  host \"{}\": {} instances{}, memory {} of {} MB, CPU {} of {} millicores, room for {} more like them",
            host.host,
            host.instances,
            if host.vms > 0 {
                format!(" in {} VMs", host.vms)
            } else {
                String::new()
            },
            host.memory_used_mb,
            host.memory_mb,
            host.cpu_used_millicores,
            host.cpu_millicores,
            host.room_for
        );
    }
    for service in &report.services {
        let _ = writeln!(
            out,
            "  service \"{}\" ({}): {} stopped, availability {}, longest recovery {}, {} rebalances, max latency {}, max backlog {}",
            service.service,
            service.placement,
            service.instances_stopped,
            super::words::percent(service.availability_ppm, 1_000_000),
            format_us(service.recovery_us),
            service.rebalances,
            format_us(service.latency_max_us),
            service.backlog_max
        );
    }
}

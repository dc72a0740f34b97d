//! Validation of `deployment`: hosts, VMs on hosts, and each instance placed as a container or
//! a process on a host or a VM, with the defaults of `scenario::defaults` (start-up times and
//! resource costs). It checks names (unique, known, each instance placed at most once) and
//! whether the placements fit their hosts' memory and CPU; it does not look at faults
//! (`timeline.rs` checks that a machine fault's instance is placed).

use super::validator::Validator;
use crate::model::Instance;
use crate::model::deployment::{Deployment, Host, Machine, Packaging, Placement, Vm};
use crate::scenario::choice::Choices;
use crate::scenario::defaults;
use crate::scenario::error::did_you_mean;
use crate::scenario::raw::RawDeployment;

const PACKAGINGS: Choices<'static, Packaging> = Choices {
    noun: "packaging",
    table: &[
        ("container", Packaging::Container),
        ("process", Packaging::Process),
    ],
};

/// Validates the section; `None` when it is absent.
pub(super) fn deployment(
    v: &mut Validator,
    raw: Option<&RawDeployment>,
    instances: &[Instance],
) -> Option<Deployment> {
    let raw = raw?;
    let mut deployment = Deployment::default();
    hosts(v, raw, &mut deployment);
    vms(v, raw, &mut deployment);
    placements(v, raw, instances, &mut deployment);
    fits(v, &deployment);
    Some(deployment)
}

fn hosts(v: &mut Validator, raw: &RawDeployment, deployment: &mut Deployment) {
    for (index, host) in raw.hosts.iter().enumerate() {
        let path = format!("deployment.hosts[{index}]");
        unique(v, &path, &host.name, deployment);
        deployment.hosts.push(Host {
            name: host.name.clone(),
            memory_mb: v.setting(
                &format!("{path}.memory_mb"),
                host.memory_mb,
                &defaults::HOST_MEMORY_MB,
                "memory_mb",
            ),
            cpu_millicores: v.setting(
                &format!("{path}.cpu_millicores"),
                host.cpu_millicores,
                &defaults::HOST_CPU,
                "cpu_millicores",
            ),
            boot_us: v.setting_ms(
                &format!("{path}.boot_ms"),
                host.boot_ms,
                &defaults::HOST_BOOT_MS,
                "boot_ms",
            ),
        });
    }
}

fn vms(v: &mut Validator, raw: &RawDeployment, deployment: &mut Deployment) {
    for (index, vm) in raw.vms.iter().enumerate() {
        let path = format!("deployment.vms[{index}]");
        unique(v, &path, &vm.name, deployment);
        let host = deployment.hosts.iter().position(|h| h.name == vm.host);
        if host.is_none() {
            let names = deployment.hosts.iter().map(|h| h.name.as_str());
            v.error(
                format!("{path}.host"),
                format!(
                    "unknown host \"{}\"{}",
                    vm.host,
                    did_you_mean(&vm.host, names)
                ),
            );
        }
        let vm = Vm {
            name: vm.name.clone(),
            host: host.unwrap_or(0),
            boot_us: v.setting_ms(
                &format!("{path}.boot_ms"),
                vm.boot_ms,
                &defaults::VM_BOOT_MS,
                "boot_ms",
            ),
            overhead_memory_mb: v.setting(
                &format!("{path}.overhead_memory_mb"),
                vm.overhead_memory_mb,
                &defaults::VM_MEMORY_MB,
                "overhead_memory_mb",
            ),
            overhead_cpu_millicores: v.setting(
                &format!("{path}.overhead_cpu_millicores"),
                vm.overhead_cpu_millicores,
                &defaults::VM_CPU,
                "overhead_cpu_millicores",
            ),
        };
        if host.is_some() {
            deployment.vms.push(vm);
        }
    }
}

fn placements(
    v: &mut Validator,
    raw: &RawDeployment,
    instances: &[Instance],
    deployment: &mut Deployment,
) {
    for (index, place) in raw.place.iter().enumerate() {
        let path = format!("deployment.place[{index}]");
        let instance = instances
            .iter()
            .find(|i| i.name == place.instance)
            .map(|i| i.id);
        let Some(instance) = instance else {
            let names = instances.iter().map(|i| i.name.as_str());
            v.error(
                format!("{path}.instance"),
                format!(
                    "unknown instance \"{}\"{}",
                    place.instance,
                    did_you_mean(&place.instance, names)
                ),
            );
            continue;
        };
        if deployment.placement(instance).is_some() {
            v.error(
                format!("{path}.instance"),
                format!("\"{}\" is placed twice", place.instance),
            );
            continue;
        }
        let packaging = v.choose_required(format!("{path}.as"), &place.packaging, &PACKAGINGS);
        let Some(on) = machine(deployment, &place.on) else {
            let names = deployment
                .hosts
                .iter()
                .map(|h| h.name.as_str())
                .chain(deployment.vms.iter().map(|m| m.name.as_str()));
            v.error(
                format!("{path}.on"),
                format!(
                    "unknown host or VM \"{}\"{}",
                    place.on,
                    did_you_mean(&place.on, names)
                ),
            );
            continue;
        };
        let Some(packaging) = packaging else { continue };
        let container = packaging == Packaging::Container;
        let start_default = if container {
            defaults::CONTAINER_START_MS.count()
        } else {
            0
        };
        let overhead_default = if container {
            defaults::CONTAINER_MEMORY_MB.count()
        } else {
            0
        };
        deployment.placements.push(Placement {
            instance,
            packaging,
            on,
            start_us: v.setting_ms(
                &format!("{path}.start_ms"),
                Some(place.start_ms.unwrap_or(start_default)),
                &defaults::CONTAINER_START_MS,
                "start_ms",
            ),
            memory_mb: v.setting(
                &format!("{path}.memory_mb"),
                place.memory_mb,
                &defaults::INSTANCE_MEMORY_MB,
                "memory_mb",
            ),
            cpu_millicores: v.setting(
                &format!("{path}.cpu_millicores"),
                place.cpu_millicores,
                &defaults::INSTANCE_CPU,
                "cpu_millicores",
            ),
            overhead_memory_mb: v.setting(
                &format!("{path}.overhead_memory_mb"),
                Some(place.overhead_memory_mb.unwrap_or(overhead_default)),
                &defaults::CONTAINER_MEMORY_MB,
                "overhead_memory_mb",
            ),
        });
    }
    deployment.placements.sort_by_key(|p| p.instance);
}

/// Every host's memory and CPU cover what is placed on it.
fn fits(v: &mut Validator, deployment: &Deployment) {
    for (index, host) in deployment.hosts.iter().enumerate() {
        let (memory, cpu) = deployment.host_load(index);
        if memory > host.memory_mb || cpu > host.cpu_millicores {
            v.error(
                format!("deployment.hosts[{index}]"),
                format!(
                    "what is placed on \"{}\" does not fit: {memory} of {} MB, {cpu} of {} millicores",
                    host.name, host.memory_mb, host.cpu_millicores
                ),
            );
        }
    }
}

/// A host's or VM's name must be new.
fn unique(v: &mut Validator, path: &str, name: &str, deployment: &Deployment) {
    if machine(deployment, name).is_some() {
        v.error(
            format!("{path}.name"),
            format!("\"{name}\" is already a host or VM"),
        );
    }
}

fn machine(deployment: &Deployment, name: &str) -> Option<Machine> {
    if let Some(host) = deployment.hosts.iter().position(|h| h.name == name) {
        return Some(Machine::Host(host));
    }
    deployment
        .vms
        .iter()
        .position(|vm| vm.name == name)
        .map(Machine::Vm)
}

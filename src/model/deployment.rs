//! The deployment model: hosts (one kernel each), VMs on hosts (a guest kernel each), and each
//! service instance placed as a container (sharing the kernel of the machine it is on) or a
//! process on a host or a VM, with start-up times and resource costs.
//!
//! It answers what a kernel or host fault stops and when each stopped instance is back:
//! a fault in a host's kernel stops everything on the host (its containers and processes, and
//! its VMs, whose hypervisor it is); a fault in a VM's guest kernel stops only what runs in that
//! VM; a host failure stops everything on the host. An instance is back after the failed
//! machine's reboot, the boot of its VM if that had to restart too, and its own start-up. It is
//! not the simulation: `simulate` turns outages into crashes and restarts.

use super::InstanceId;

/// A physical machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Host {
    pub name: String,
    pub memory_mb: u64,
    pub cpu_millicores: u64,
    pub boot_us: u64,
}

/// A virtual machine on a host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vm {
    pub name: String,
    /// Index into `Deployment::hosts`.
    pub host: usize,
    pub boot_us: u64,
    pub overhead_memory_mb: u64,
    pub overhead_cpu_millicores: u64,
}

/// What an instance runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Machine {
    Host(usize),
    Vm(usize),
}

/// How an instance is packaged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Packaging {
    Container,
    Process,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    pub instance: InstanceId,
    pub packaging: Packaging,
    pub on: Machine,
    pub start_us: u64,
    pub memory_mb: u64,
    pub cpu_millicores: u64,
    /// The container runtime's own memory (0 for a process).
    pub overhead_memory_mb: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deployment {
    pub hosts: Vec<Host>,
    pub vms: Vec<Vm>,
    /// In instance order; an instance without a placement is on no machine (never stopped by a
    /// kernel or host fault).
    pub placements: Vec<Placement>,
}

/// Which kernel or machine a deployment fault hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MachineFault {
    /// The kernel the instance runs on: its VM's guest kernel, or its host's.
    Kernel,
    /// The physical host under the instance.
    Host,
}

/// One instance stopped by a deployment fault, and when it is back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outage {
    pub instance: InstanceId,
    pub down_us: u64,
    pub up_us: u64,
}

impl Deployment {
    pub fn placement(&self, instance: InstanceId) -> Option<&Placement> {
        self.placements.iter().find(|p| p.instance == instance)
    }

    /// The host under a machine.
    pub fn host_of(&self, machine: Machine) -> usize {
        match machine {
            Machine::Host(host) => host,
            Machine::Vm(vm) => self.vms[vm].host,
        }
    }

    /// Memory (MB) and CPU (millicores) used on `host`: its VMs' own costs, and every instance
    /// on it or in its VMs with its container's overhead.
    pub fn host_load(&self, host: usize) -> (u64, u64) {
        let vms = self.vms.iter().filter(|vm| vm.host == host);
        let (mut memory, mut cpu) = vms.fold((0, 0), |(m, c), vm| {
            (m + vm.overhead_memory_mb, c + vm.overhead_cpu_millicores)
        });
        for placement in &self.placements {
            if self.host_of(placement.on) == host {
                memory += placement.memory_mb + placement.overhead_memory_mb;
                cpu += placement.cpu_millicores;
            }
        }
        (memory, cpu)
    }

    /// What `fault` at `at_us`, aimed at `instance`'s kernel or host, stops, in instance order.
    pub fn outages(&self, fault: MachineFault, instance: InstanceId, at_us: u64) -> Vec<Outage> {
        let Some(target) = self.placement(instance) else {
            return Vec::new();
        };
        // The machine whose kernel fails: a VM's guest kernel stops only that VM.
        let failed = match (fault, target.on) {
            (MachineFault::Kernel, Machine::Vm(vm)) => Machine::Vm(vm),
            (_, machine) => Machine::Host(self.host_of(machine)),
        };
        self.placements
            .iter()
            .filter_map(|placement| {
                let reboot_us = match (failed, placement.on) {
                    (Machine::Vm(vm), Machine::Vm(on)) if vm == on => self.vms[vm].boot_us,
                    (Machine::Vm(_), _) => return None,
                    (Machine::Host(host), on) if self.host_of(on) == host => {
                        let vm_boot = match on {
                            Machine::Vm(vm) => self.vms[vm].boot_us,
                            Machine::Host(_) => 0,
                        };
                        self.hosts[host].boot_us + vm_boot
                    }
                    (Machine::Host(_), _) => return None,
                };
                Some(Outage {
                    instance: placement.instance,
                    down_us: at_us,
                    up_us: at_us
                        .saturating_add(reboot_us)
                        .saturating_add(placement.start_us),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// host 0: containers 0 and 1 and VM 0 (instance 2); host 1: VM 1 (instance 3).
    fn deployment() -> Deployment {
        let host = |name: &str| Host {
            name: name.to_string(),
            memory_mb: 16_384,
            cpu_millicores: 8_000,
            boot_us: 100,
        };
        let vm = |name: &str, host| Vm {
            name: name.to_string(),
            host,
            boot_us: 10,
            overhead_memory_mb: 512,
            overhead_cpu_millicores: 100,
        };
        let place = |instance, packaging, on| Placement {
            instance: InstanceId(instance),
            packaging,
            on,
            start_us: 1,
            memory_mb: 256,
            cpu_millicores: 500,
            overhead_memory_mb: 10,
        };
        Deployment {
            hosts: vec![host("a"), host("b")],
            vms: vec![vm("v0", 0), vm("v1", 1)],
            placements: vec![
                place(0, Packaging::Container, Machine::Host(0)),
                place(1, Packaging::Container, Machine::Host(0)),
                place(2, Packaging::Process, Machine::Vm(0)),
                place(3, Packaging::Process, Machine::Vm(1)),
            ],
        }
    }

    fn stopped(outages: &[Outage]) -> Vec<(u32, u64)> {
        outages.iter().map(|o| (o.instance.0, o.up_us)).collect()
    }

    #[test]
    fn a_shared_kernel_fault_stops_everything_on_the_host() {
        let outages = deployment().outages(MachineFault::Kernel, InstanceId(1), 1_000);
        // The containers wait for the host's reboot; the VM on it boots again as well.
        assert_eq!(stopped(&outages), [(0, 1_101), (1, 1_101), (2, 1_111)]);
    }

    #[test]
    fn a_guest_kernel_fault_stops_only_its_vm() {
        let outages = deployment().outages(MachineFault::Kernel, InstanceId(2), 1_000);
        assert_eq!(stopped(&outages), [(2, 1_011)]);
    }

    #[test]
    fn a_host_failure_under_a_vm_stops_everything_on_that_host() {
        let outages = deployment().outages(MachineFault::Host, InstanceId(2), 1_000);
        assert_eq!(stopped(&outages), [(0, 1_101), (1, 1_101), (2, 1_111)]);
        assert!(
            deployment()
                .outages(MachineFault::Kernel, InstanceId(9), 0)
                .is_empty()
        );
    }
}

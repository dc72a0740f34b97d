//! `explore --shrink`: the faults of a failing seed reduced to a minimal set that still fails,
//! printed as a scenario fragment with every time fixed.
//!
//! The seed's faults are first resolved (each drawn time replaced by the time it drew, which
//! changes nothing else in the run: fault times come from their own RNG stream), then removed
//! one unit at a time — a crash together with the restart that follows it — keeping each
//! removal after which the same expectation still breaks, until no single removal keeps it
//! broken (one-minimal, as delta debugging calls it). It is not a search over new seeds or new
//! times.

use crate::model::{Endpoint, Fault, InstanceId, LinkFaultEffect, MachineFault, Scenario};

use super::run_seed;

/// A shrunk failure: the faults left and what they still break.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shrunk {
    pub seed: u64,
    pub faults: Vec<Fault>,
    /// The expectation (index into the scenario's) that still breaks.
    pub expect: usize,
    /// Runs made while shrinking.
    pub runs: u64,
}

/// Shrinks the faults of `seed`, which must break an expectation; `None` when it breaks none.
pub fn shrink(model: &Scenario, origin: &str, seed: u64) -> Option<Shrunk> {
    let mut fixed = model.clone();
    fixed.seed = seed;
    fixed.faults = fixed.faults_for_run().into_owned();
    fixed.fault_draws.clear();
    let expect = run_seed(&fixed, origin, seed)
        .broken
        .iter()
        .position(Option::is_some)?;
    let mut runs = 1;
    let mut faults = fixed.faults.clone();
    'outer: loop {
        for start in 0..faults.len() {
            let candidate = without_unit(&faults, start);
            fixed.faults = candidate.clone();
            runs += 1;
            if run_seed(&fixed, origin, seed).broken[expect].is_some() {
                faults = candidate;
                continue 'outer;
            }
        }
        break;
    }
    Some(Shrunk {
        seed,
        faults,
        expect,
        runs,
    })
}

fn instance_of(fault: &Fault) -> Option<InstanceId> {
    match *fault {
        Fault::Crash { instance, .. }
        | Fault::Restart { instance, .. }
        | Fault::Slow { instance, .. }
        | Fault::Machine { instance, .. } => Some(instance),
        Fault::Link { .. } => None,
    }
}

/// `faults` without the unit starting at `start`: the fault, and for a crash the first restart
/// of its instance after it (a restart alone would restart nothing).
fn without_unit(faults: &[Fault], start: usize) -> Vec<Fault> {
    let mut removed = vec![start];
    if let Fault::Crash { at_us, instance } = faults[start] {
        let restart = faults
            .iter()
            .enumerate()
            .filter(|(_, fault)| {
                matches!(fault, Fault::Restart { .. })
                    && instance_of(fault) == Some(instance)
                    && fault.at_us() >= at_us
            })
            .min_by_key(|(index, fault)| (fault.at_us(), *index));
        removed.extend(restart.map(|(index, _)| index));
    }
    faults
        .iter()
        .enumerate()
        .filter(|(index, _)| !removed.contains(index))
        .map(|(_, fault)| fault.clone())
        .collect()
}

/// Parts per million as the decimal a scenario file writes (`2500000` → `2.5`).
fn decimal(ppm: u64) -> String {
    let whole = ppm / 1_000_000;
    let fraction = ppm % 1_000_000;
    if fraction == 0 {
        return whole.to_string();
    }
    let digits = format!("{fraction:06}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// One fault as a scenario file writes it.
fn fault_json(model: &Scenario, fault: &Fault) -> String {
    let name = |instance: InstanceId| &model.instance(instance).name;
    match fault {
        Fault::Crash { instance, at_us } => format!(
            "{{ \"action\": \"crash\", \"instance\": \"{}\", \"at_us\": {at_us} }}",
            name(*instance)
        ),
        Fault::Restart { instance, at_us } => format!(
            "{{ \"action\": \"restart\", \"instance\": \"{}\", \"at_us\": {at_us} }}",
            name(*instance)
        ),
        Fault::Machine {
            instance,
            at_us,
            fault,
        } => format!(
            "{{ \"action\": \"{}\", \"instance\": \"{}\", \"at_us\": {at_us} }}",
            match fault {
                MachineFault::Kernel => "kernel_fault",
                MachineFault::Host => "host_failure",
            },
            name(*instance)
        ),
        Fault::Slow {
            instance,
            from_us,
            until_us,
            factor_ppm,
        } => format!(
            "{{ \"action\": \"slow\", \"instance\": \"{}\", \"from_us\": {from_us}, \"until_us\": {until_us}, \"factor\": {} }}",
            name(*instance),
            decimal(*factor_ppm)
        ),
        Fault::Link {
            sides,
            from_us,
            until_us,
            effect,
        } => {
            let side = |side: &[Endpoint]| {
                let names: Vec<String> = side
                    .iter()
                    .map(|endpoint| match endpoint {
                        Endpoint::Instance(instance) => format!("\"{}\"", name(*instance)),
                        Endpoint::LogBroker => "\"log-broker\"".to_string(),
                        Endpoint::QueueBroker => "\"queue-broker\"".to_string(),
                    })
                    .collect();
                format!("[{}]", names.join(", "))
            };
            let (action, extra) = match effect {
                LinkFaultEffect::Partition => ("partition", String::new()),
                LinkFaultEffect::Delay { extra_us } => {
                    ("delay", format!(", \"extra_us\": {extra_us}"))
                }
                LinkFaultEffect::Loss { ppm, retransmit_us } => (
                    "loss",
                    format!(
                        ", \"probability\": {}, \"retransmit_ms\": {}",
                        decimal(u64::from(*ppm)),
                        retransmit_us / 1_000
                    ),
                ),
            };
            format!(
                "{{ \"action\": \"{action}\", \"between\": [{}, {}], \"from_us\": {from_us}, \"until_us\": {until_us}{extra} }}",
                side(&sides[0]),
                side(&sides[1])
            )
        }
    }
}

/// The faults as the `"faults"` entry of a scenario file, every time fixed.
pub fn fragment(model: &Scenario, faults: &[Fault]) -> String {
    let lines: Vec<String> = faults
        .iter()
        .map(|fault| format!("    {}", fault_json(model, fault)))
        .collect();
    if lines.is_empty() {
        return "\"faults\": []".to_string();
    }
    format!("\"faults\": [\n{}\n]", lines.join(",\n"))
}

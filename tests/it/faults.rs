//! Each fault kind changes a run as its rule says: a drawn crash time follows the seed and stays
//! in its range, a network partition holds messages until it heals (late, not lost), a delay
//! spike adds its latency, and the validation names what is wrong with a fault.

use eventlab::run::{RunOptions, run_scenario};

use crate::common::trace_json;

const NETWORK: &str = "network-partition-queue-vs-log";

fn with_faults(name: &str, faults: &str) -> String {
    let mut scenario: serde_json::Value =
        serde_json::from_str(eventlab::bundled::find(name).expect("bundled")).expect("JSON");
    scenario["faults"] = serde_json::from_str(faults).expect("faults JSON");
    serde_json::to_string(&scenario).expect("JSON")
}

fn max_latency_us(text: &str) -> u64 {
    let run = run_scenario(text, "t.json", RunOptions::default()).expect("valid");
    let group = &run.report.streams[0].groups[0];
    assert_eq!(group.checks.lost, 0, "{}", run.text());
    group.latency_us.max
}

#[test]
fn a_drawn_crash_time_follows_the_seed_and_stays_in_its_range() {
    let text = eventlab::bundled::find("auto-commit-crash").expect("bundled");
    let crash_time = |seed: u64| {
        let options = RunOptions {
            seed: Some(seed),
            trace: true,
            ..RunOptions::default()
        };
        let run = run_scenario(text, "auto-commit-crash", options).expect("valid");
        trace_json(&run)
            .iter()
            .find(|event| event["kind"] == "crashed")
            .and_then(|event| event["time_us"].as_u64())
            .expect("billing-1 crashes")
    };
    let times: Vec<u64> = (0..6).map(crash_time).collect();
    assert!(
        times.iter().all(|t| (1_000_000..=18_000_000).contains(t)),
        "{times:?}"
    );
    assert!(times.windows(2).any(|pair| pair[0] != pair[1]), "{times:?}");
    assert_eq!(crash_time(4), times[4]);
}

#[test]
fn a_partition_delays_what_crosses_it_until_it_heals_and_loses_nothing() {
    let without = max_latency_us(&with_faults(NETWORK, "[]"));
    let with = max_latency_us(eventlab::bundled::find(NETWORK).expect("bundled"));
    assert!(without < 100_000, "{without}");
    // Held from at most 2 s to the heal at 10 s.
    assert!((7_900_000..=8_100_000).contains(&with), "{with}");
    // A partition between actors that do not talk to each other changes nothing.
    let aside = with_faults(
        NETWORK,
        r#"[{"action": "partition", "between": [["fulfilment-0"], ["fulfilment-1"]],
             "from_us": 2000000, "until_us": 10000000}]"#,
    );
    assert_eq!(max_latency_us(&aside), without);
}

#[test]
fn a_delay_spike_adds_its_latency_while_it_lasts() {
    let without = max_latency_us(&with_faults(NETWORK, "[]"));
    let spiked = max_latency_us(&with_faults(
        NETWORK,
        r#"[{"action": "delay", "between": [["shop"], ["queue-broker"]],
             "from_us": 1000000, "until_us": 1500000, "extra_us": 300000}]"#,
    ));
    assert!(spiked >= without + 300_000, "{without} -> {spiked}");
    assert!(spiked < without + 400_000, "{without} -> {spiked}");
}

#[test]
fn fault_problems_are_named_with_their_paths() {
    let text = with_faults(
        NETWORK,
        r#"[{"action": "partition", "between": [["fulfilment-9"], []], "from_us": 5, "until_us": 5},
            {"action": "crash", "instance": "shop-0", "at_us": 3, "at": {"uniform_us": [1, 2]}},
            {"action": "crash", "instance": "shop-0", "at": {"uniform_us": [9, 2]}},
            {"action": "delay", "between": [["shop"], ["shop-0"]], "from_us": 1, "until_us": 9},
            {"action": "crash", "at_us": 3}]"#,
    );
    let errors = eventlab::scenario::parse_and_validate(&text, "t.json").expect_err("invalid");
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "t.json: faults[0].between[0][0]: unknown instance, service or broker \"fulfilment-9\" (did you mean \"fulfilment-0\"?)",
            "t.json: faults[0].between[1]: a side names at least one actor",
            "t.json: faults[0].until_us: 5 is not after the start (5)",
            "t.json: faults[1]: give \"at_us\" or \"at\", not both",
            "t.json: faults[2].at.uniform_us: [9, 2] is empty: the end is before the start",
            "t.json: faults[3]: a \"delay\" fault needs \"extra_us\"",
            "t.json: faults[3].between: the two sides share an actor",
            "t.json: faults[4]: a \"crash\" fault needs \"instance\"",
        ]
    );
}

#[test]
fn a_kernel_fault_stops_what_shares_the_kernel_and_each_instance_returns_after_its_boot() {
    let text = eventlab::bundled::find("containers-vs-vms").expect("bundled");
    let run = crate::common::run_traced(text, "containers-vs-vms");
    let events = trace_json(&run);
    let times = |kind: &str| -> Vec<(String, u64)> {
        events
            .iter()
            .filter(|event| event["kind"] == kind)
            .map(|event| {
                let actor = event["actor"].as_str().expect("an actor").to_string();
                (actor, event["time_us"].as_u64().expect("a time"))
            })
            .collect()
    };
    // The shared kernel of rack-1 takes all three containers; vm-1's only in-vms-1.
    let crashed = times("crashed");
    let names: Vec<&str> = crashed.iter().map(|(actor, _)| actor.as_str()).collect();
    assert_eq!(
        names,
        [
            "in-containers-0",
            "in-containers-1",
            "in-containers-2",
            "in-vms-1"
        ]
    );
    assert!(crashed.iter().all(|(_, at)| *at == 20_000_000));
    // Back after the host's reboot (120 s) and a container's start (1 s), or the VM's boot (30 s).
    let restarted = times("restarted");
    assert_eq!(
        restarted,
        [
            ("in-vms-1".to_string(), 50_000_000),
            ("in-containers-0".to_string(), 141_000_000),
            ("in-containers-1".to_string(), 141_000_000),
            ("in-containers-2".to_string(), 141_000_000),
        ]
    );
    let deployment = run
        .report
        .deployment
        .as_ref()
        .expect("a deployment section");
    let [containers, vms] = &deployment.services[..] else {
        panic!("two placed services: {deployment:?}");
    };
    assert_eq!(
        (containers.instances_stopped, vms.instances_stopped),
        (3, 1)
    );
    assert_eq!(
        (containers.recovery_us, vms.recovery_us),
        (121_000_000, 30_000_000)
    );
    assert!(containers.availability_ppm < vms.availability_ppm);
    // The VMs' own cost leaves room for fewer instances on a host of the same size.
    assert!(deployment.hosts[1].room_for < deployment.hosts[0].room_for);
}

#[test]
fn deployment_problems_are_named_with_their_paths() {
    let mut scenario: serde_json::Value =
        serde_json::from_str(eventlab::bundled::find("containers-vs-vms").expect("bundled"))
            .expect("JSON");
    scenario["deployment"]["hosts"][1]["memory_mb"] = 1000.into();
    scenario["deployment"]["vms"][2]["host"] = "rack-3".into();
    scenario["deployment"]["place"][1]["as"] = "pod".into();
    scenario["deployment"]["place"][2]["instance"] = "in-containers-0".into();
    scenario["faults"][1]["instance"] = "shop-0".into();
    let text = serde_json::to_string(&scenario).expect("JSON");
    let errors = eventlab::scenario::parse_and_validate(&text, "t.json").expect_err("invalid");
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "t.json: deployment.vms[2].host: unknown host \"rack-3\" (did you mean \"rack-1\"?)",
            "t.json: deployment.place[1].as: unknown packaging \"pod\" (expected \"container\" or \"process\")",
            "t.json: deployment.place[2].instance: \"in-containers-0\" is placed twice",
            "t.json: deployment.place[5].on: unknown host or VM \"vm-2\" (did you mean \"vm-0\"?)",
            "t.json: deployment.hosts[1]: what is placed on \"rack-2\" does not fit: 1536 of 1000 MB, 1200 of 8000 millicores",
            "t.json: faults[0].instance: \"in-containers-1\" is not placed in \"deployment.place\", so it runs on no machine",
            "t.json: faults[1].instance: \"shop-0\" is not placed in \"deployment.place\", so it runs on no machine",
        ]
    );
}

#[test]
fn a_host_failure_under_a_vm_stops_every_vm_on_that_host() {
    let mut scenario: serde_json::Value =
        serde_json::from_str(eventlab::bundled::find("containers-vs-vms").expect("bundled"))
            .expect("JSON");
    scenario["faults"] = serde_json::json!([
        { "action": "host_failure", "instance": "in-vms-1", "at_us": 5000000 }
    ]);
    scenario["stop"]["at_us"] = 160_000_000.into();
    let text = serde_json::to_string(&scenario).expect("JSON");
    let run = crate::common::run_traced(&text, "host-failure.json");
    let restarted: Vec<(String, u64)> = trace_json(&run)
        .iter()
        .filter(|event| event["kind"] == "restarted")
        .map(|event| {
            let actor = event["actor"].as_str().expect("an actor").to_string();
            (actor, event["time_us"].as_u64().expect("a time"))
        })
        .collect();
    // rack-2 reboots (120 s), then each VM boots (30 s); the containers on rack-1 never stop.
    assert_eq!(
        restarted,
        [
            ("in-vms-0".to_string(), 155_000_000),
            ("in-vms-1".to_string(), 155_000_000),
            ("in-vms-2".to_string(), 155_000_000),
        ]
    );
}

#[test]
fn lost_transmissions_show_as_retransmission_latency_and_lose_nothing() {
    let without = max_latency_us(&with_faults(NETWORK, "[]"));
    let lossy = with_faults(
        NETWORK,
        r#"[{"action": "loss", "between": [["shop"], ["queue-broker"]],
             "from_us": 1000000, "until_us": 3000000, "probability": 0.3}]"#,
    );
    let with = max_latency_us(&lossy);
    // At least one retransmission timeout (200 ms) on the worst message; nothing lost.
    assert!(with >= without + 200_000, "{without} -> {with}");
    // The draws are the fault's own: the same seed loses the same transmissions.
    assert_eq!(max_latency_us(&lossy), with);
}

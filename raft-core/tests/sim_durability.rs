//! The simulator keeps the `Ready` contract: what it stores is exactly what
//! Readies hand out, a node hears its write is durable only when the disk
//! says so, and nothing is applied or answered before it is durable. Each
//! scenario runs again with its fix switched off, to show the checkers catch
//! the bug it guards against.

use raft_core::check::invariants::Property;
use raft_core::kv::Op;
use raft_core::raft::Regressions;
use raft_core::sim::{Sim, SimConfig};

fn caught(sim: &mut Sim) -> Vec<Property> {
    let _ = sim.check_linearizability(2_000_000);
    let mut found: Vec<Property> = sim.violations().iter().map(|v| v.property).collect();
    found.dedup();
    found
}

/// Finding 2: a server added to a running cluster stores the configuration
/// the leader's snapshot (at index 0) gave it. After a crash it still knows
/// the original voters; cut off alone, it cannot elect itself.
fn joiner_restarts(seed: u64, regressions: Regressions) -> Vec<Property> {
    let mut sim = Sim::new(SimConfig {
        nodes: 3,
        regressions,
        ..SimConfig::with_seed(seed)
    })
    .unwrap();
    sim.run_until(1_000_000);
    let joiner = sim.add_node().expect("a leader after a second");
    sim.run_until(3_000_000);
    let node = sim.raft_node(joiner).unwrap();
    assert_eq!(node.voters(), [1, 2, 3, 4], "caught up and promoted");
    sim.crash(joiner).unwrap();
    sim.restart(joiner).unwrap();
    let others: Vec<_> = sim
        .node_ids()
        .into_iter()
        .filter(|&i| i != joiner)
        .collect();
    sim.partition(vec![vec![joiner], others]).unwrap();
    sim.run_until(6_000_000);
    if regressions == Regressions::default() {
        assert_eq!(sim.raft_node(joiner).unwrap().voters(), [1, 2, 3, 4]);
    }
    caught(&mut sim)
}

/// Finding 3: one node with a slow disk. What it applied and answered was on
/// disk first, so a crash loses none of it.
fn slow_disk_crash(seed: u64, regressions: Regressions) -> Vec<Property> {
    let mut sim = Sim::new(SimConfig {
        nodes: 1,
        disk_latency_us: 50_000,
        client_ops_per_sec: 100,
        regressions,
        ..SimConfig::with_seed(seed)
    })
    .unwrap();
    sim.run_until(2_000_000);
    sim.crash(1).unwrap();
    sim.restart(1).unwrap();
    sim.run_until(4_000_000);
    let op = Op::Get { key: "x".into() };
    for _ in 0..5 {
        let _ = sim.client_request(op.clone(), None);
    }
    sim.run_until(5_000_000);
    caught(&mut sim)
}

const REVERT_SNAPSHOT: Regressions = Regressions {
    leader_counts_unpersisted_log: false,
    skip_old_snapshot: true,
    ack_before_durable: false,
};
const REVERT_ACK: Regressions = Regressions {
    leader_counts_unpersisted_log: false,
    skip_old_snapshot: false,
    ack_before_durable: true,
};

#[test]
fn a_joiner_remembers_the_voters_after_a_crash() {
    for seed in 1..=5 {
        assert_eq!(
            joiner_restarts(seed, Regressions::default()),
            [],
            "seed {seed}"
        );
    }
}

#[test]
fn dropping_the_joiners_snapshot_is_caught() {
    for seed in 1..=5 {
        let found = joiner_restarts(seed, REVERT_SNAPSHOT);
        println!("seed {seed}: {found:?}");
        assert!(
            !found.is_empty(),
            "seed {seed}: the reverted fix went unnoticed"
        );
    }
}

#[test]
fn nothing_is_answered_before_it_is_on_disk() {
    for seed in 1..=5 {
        assert_eq!(
            slow_disk_crash(seed, Regressions::default()),
            [],
            "seed {seed}"
        );
    }
}

#[test]
fn answering_before_the_disk_is_caught() {
    for seed in 1..=5 {
        let found = slow_disk_crash(seed, REVERT_ACK);
        println!("seed {seed}: {found:?}");
        assert!(
            !found.is_empty(),
            "seed {seed}: the reverted fix went unnoticed"
        );
    }
}

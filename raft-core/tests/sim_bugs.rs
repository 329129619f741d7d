//! Each planted bug is caught by the invariant checker or the
//! linearizability checker under an adversarial schedule.

use raft_core::check::invariants::Property;
use raft_core::raft::Bugs;
use raft_core::sim::{Sim, SimConfig, TraceKind};

fn caught(sim: &mut Sim) -> Vec<Property> {
    let _ = sim.check_linearizability(2_000_000);
    sim.violations().iter().map(|v| v.property).collect()
}

/// Tries seeds until `scenario` reports a violation.
fn caught_in_some_seed(
    seeds: std::ops::RangeInclusive<u64>,
    scenario: impl Fn(u64) -> Vec<Property>,
) -> Vec<Property> {
    for seed in seeds {
        let found = scenario(seed);
        if !found.is_empty() {
            println!("caught in seed {seed}: {found:?}");
            return found;
        }
    }
    panic!("bug never caught");
}

/// Isolate a node while the others commit, then crash the leader and let the
/// stale node campaign: granting votes without the log check elects it.
#[test]
fn vote_without_log_check_is_caught() {
    let bugs = Bugs {
        vote_without_log_check: true,
        ..Bugs::default()
    };
    caught_in_some_seed(1..=10, |seed| {
        let mut sim = Sim::new(SimConfig {
            bugs,
            client_ops_per_sec: 50,
            ..SimConfig::with_seed(seed)
        })
        .unwrap();
        sim.run_until(1_000_000);
        let Some(leader) = sim.leader() else {
            return vec![];
        };
        let stale = sim.node_ids().into_iter().find(|&i| i != leader).unwrap();
        let others: Vec<_> = sim.node_ids().into_iter().filter(|&i| i != stale).collect();
        sim.partition(vec![vec![stale], others]).unwrap();
        sim.run_until(3_000_000);
        sim.heal_all().unwrap();
        let _ = sim.crash(leader);
        sim.run_until(3_400_000);
        let _ = sim.timeout_now(stale);
        sim.run_until(6_000_000);
        caught(&mut sim)
    });
}

/// Two candidates in one term; the voter crashes right after voting for the
/// first and, having forgotten its vote, votes again for the second.
#[test]
fn forget_vote_on_restart_is_caught() {
    let bugs = Bugs {
        forget_vote_on_restart: true,
        ..Bugs::default()
    };
    let found = caught_in_some_seed(1..=10, |seed| {
        let mut sim = Sim::new(SimConfig {
            nodes: 3,
            pre_vote: false,
            check_quorum: false,
            clients: 0,
            bugs,
            ..SimConfig::with_seed(seed)
        })
        .unwrap();
        sim.timeout_now(1).unwrap();
        sim.timeout_now(2).unwrap();
        // Run until node 3 grants a vote, then crash and restart it at once.
        let mut seen = 0;
        while sim.step().is_some() && sim.now_us() < 1_000_000 {
            let voted = sim.trace().events().iter().skip(seen).any(|e| {
                matches!(
                    e.kind,
                    TraceKind::Voted {
                        voter: 3,
                        granted: true,
                        ..
                    }
                )
            });
            seen = sim.trace().events().len();
            if voted {
                sim.crash(3).unwrap();
                sim.restart(3).unwrap();
                break;
            }
        }
        sim.run_until(2_000_000);
        caught(&mut sim)
    });
    assert!(found.contains(&Property::ElectionSafety));
}

/// An old leader replicates entries to one follower inside a minority; the
/// majority elects leaders of later terms. After the heal, a newly elected
/// leader probes that follower at an index where it holds an old-term entry,
/// and the follower accepts without comparing terms.
#[test]
fn skip_consistency_check_is_caught() {
    let bugs = Bugs {
        skip_consistency_check: true,
        ..Bugs::default()
    };
    caught_in_some_seed(1..=10, |seed| {
        let mut sim = Sim::new(SimConfig {
            bugs,
            clients: 0,
            check_quorum: false,
            ..SimConfig::with_seed(seed)
        })
        .unwrap();
        sim.run_until(1_000_000);
        let Some(old) = sim.leader() else {
            return vec![];
        };
        let ids = sim.node_ids();
        let buddy = *ids.iter().find(|&&i| i != old).unwrap();
        let rest: Vec<_> = ids
            .iter()
            .copied()
            .filter(|&i| i != old && i != buddy)
            .collect();
        sim.partition(vec![vec![old, buddy], rest.clone()]).unwrap();
        for i in 0..5 {
            let op = raft_core::kv::Op::Set {
                key: "x".into(),
                value: format!("lost{i}"),
            };
            let _ = sim.client_request(op, Some(old));
        }
        sim.run_until(2_500_000);
        let Some(mid) = rest.iter().copied().find(|&i| sim.leader_of(i)) else {
            return vec![];
        };
        sim.heal_all().unwrap();
        sim.crash(mid).unwrap();
        let next = rest.iter().copied().find(|&i| i != mid).unwrap();
        let _ = sim.timeout_now(next);
        sim.run_until(5_000_000);
        caught(&mut sim)
    });
}

/// Figure 8 needs an intricate schedule that random crashes and partitions
/// hardly ever produce (a 3-node swarm seemed to, but what it caught was a
/// simulated-disk bug, since fixed); the swarm's leader-churn nemesis builds
/// it on purpose (tests/sim_swarm.rs). The paper's schedule, as the curated
/// scenario plays it, is caught with the bug on and is clean with it off.
#[test]
fn commit_old_term_is_caught() {
    let run = |id: &str| {
        let scenario = raft_core::scenario::by_id(id).expect("a library scenario");
        assert_eq!(scenario.config.bugs.commit_old_term, id == "figure-8-bug");
        let timeline = scenario.run_to(scenario.end_us).expect("runs");
        let mut sim = timeline.sim().clone();
        caught(&mut sim)
    };
    let found = run("figure-8-bug");
    assert!(
        found.iter().any(|p| matches!(
            p,
            Property::LeaderCompleteness | Property::StateMachineSafety
        )),
        "{found:?}"
    );
    assert_eq!(run("figure-8"), vec![]);
}

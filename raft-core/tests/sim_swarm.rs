//! Without planted bugs, random fault mixes never break safety and the
//! cluster recovers once faults are healed.

use raft_core::sim::swarm::{run_seed, SwarmParams};

#[test]
fn two_hundred_random_seeds_without_bugs_are_safe() {
    let params = SwarmParams {
        safety_us: 10_000_000,
        liveness_us: 10_000_000,
        ..SwarmParams::default()
    };
    let mut liveness = 0;
    for seed in 1..=200 {
        let out = run_seed(seed, &params);
        assert!(
            out.violations.is_empty(),
            "seed {seed} ({}): {:?}",
            out.faults.describe(),
            out.violations
        );
        if let Some(why) = &out.liveness_failure {
            println!("seed {seed} ({}): {why}", out.faults.describe());
            liveness += 1;
        }
    }
    assert_eq!(liveness, 0, "liveness failures");
}

#[test]
fn swarm_runs_are_deterministic() {
    let params = SwarmParams {
        safety_us: 5_000_000,
        liveness_us: 5_000_000,
        ..SwarmParams::default()
    };
    for seed in [3, 17] {
        assert_eq!(run_seed(seed, &params), run_seed(seed, &params));
    }
}

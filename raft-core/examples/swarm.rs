//! Swarm testing CLI (after TigerBeetle's VOPR).
//!
//! ```sh
//! cargo run --release -p raft-core --example swarm -- --seeds 100 [--start 1] \
//!     [--bug commit_old_term] [--faults crash,partition] [--nodes 5] \
//!     [--safety-secs 20] [--liveness-secs 10] [--regression NAME] [--shrink]
//! ```
//!
//! `--shrink` shrinks the first failing seed's run to a smaller one that
//! breaks the same property (fewer faults, clients, nodes, a shorter run),
//! prints its size before and after and a share link that replays it.
//!
//! `--regression` switches a fixed safety bug back on (see
//! `raft_core::raft::Regressions`), like `--bug`: the run then must catch it.
//!
//! Per seed: a random subset of the allowed fault kinds, a safety phase with
//! faults, a liveness phase with everything healed (a leader must be elected
//! and a new write committed within the bound), invariants checked after every
//! event and linearizability at the end. Prints one summary line; exits
//! non-zero on any failure, or with `--bug` when no seed caught the bug.

use raft_core::raft::Bugs;
use raft_core::sim::swarm::{run_seed, FaultMix, SwarmParams, FAULT_NAMES};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::ExitCode;
use std::time::Instant;

fn usage() -> ExitCode {
    eprintln!(
        "usage: swarm --seeds N [--start S] [--bug NAME] [--faults LIST] [--nodes K] \
         [--safety-secs T] [--liveness-secs T] [--regression NAME] [--shrink]\n  bugs: commit_old_term, vote_without_log_check, \
         forget_vote_on_restart, skip_consistency_check\n  regressions: leader_counts_unpersisted_log, \
         skip_old_snapshot, ack_before_durable\n  faults: all or a comma list of {}",
        FAULT_NAMES.join(",")
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut seeds: u64 = 0;
    let mut start: u64 = 1;
    let mut bug: Option<String> = None;
    let mut params = SwarmParams::default();
    let mut shrink_first = false;
    let mut i = 0;
    while i < args.len() {
        let val = args.get(i + 1).cloned();
        let num = |v: &Option<String>| v.as_deref().and_then(|s| s.parse::<u64>().ok());
        match args[i].as_str() {
            "--seeds" => match num(&val) {
                Some(n) => seeds = n,
                None => return usage(),
            },
            "--start" => match num(&val) {
                Some(n) => start = n,
                None => return usage(),
            },
            "--nodes" => match num(&val) {
                Some(n) if (1..=9).contains(&n) => params.nodes = n as usize,
                _ => return usage(),
            },
            "--safety-secs" => match num(&val) {
                Some(n) if n <= 3600 => params.safety_us = n * 1_000_000,
                _ => return usage(),
            },
            "--liveness-secs" => match num(&val) {
                Some(n) if (1..=3600).contains(&n) => params.liveness_us = n * 1_000_000,
                _ => return usage(),
            },
            "--faults" => match val.as_deref().map(FaultMix::parse) {
                Some(Ok(m)) => params.allowed = m,
                Some(Err(e)) => {
                    eprintln!("{e}");
                    return usage();
                }
                None => return usage(),
            },
            "--bug" => {
                let mut b = Bugs::default();
                // The issue names bugs with dashes (commit-old-term); accept both.
                match val.as_deref().map(|v| v.replace('-', "_")).as_deref() {
                    Some("commit_old_term") => b.commit_old_term = true,
                    Some("vote_without_log_check") => b.vote_without_log_check = true,
                    Some("forget_vote_on_restart") => b.forget_vote_on_restart = true,
                    Some("skip_consistency_check") => b.skip_consistency_check = true,
                    _ => return usage(),
                }
                params.bugs = b;
                bug = val;
            }
            "--regression" => {
                let r = &mut params.regressions;
                match val.as_deref().map(|v| v.replace('-', "_")).as_deref() {
                    Some("leader_counts_unpersisted_log") => r.leader_counts_unpersisted_log = true,
                    Some("skip_old_snapshot") => r.skip_old_snapshot = true,
                    Some("ack_before_durable") => r.ack_before_durable = true,
                    _ => return usage(),
                }
                bug = val;
            }
            "--shrink" => {
                shrink_first = true;
                i += 1;
                continue;
            }
            "-h" | "--help" => return usage(),
            _ => return usage(),
        }
        i += 2;
    }
    if seeds == 0 {
        return usage();
    }
    // Keep panics quiet: they are counted and reported per seed.
    std::panic::set_hook(Box::new(|_| {}));
    let wall = Instant::now();
    let (mut violations, mut liveness, mut panics, mut events, mut sim_us, mut unknown) =
        (0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
    let mut caught_seeds = Vec::new();
    for (n, seed) in (start..start.saturating_add(seeds)).enumerate() {
        match catch_unwind(AssertUnwindSafe(|| run_seed(seed, &params))) {
            Ok(out) => {
                events += out.events;
                sim_us += out.sim_us;
                unknown += out.lin_unknown as u64;
                if !out.violations.is_empty() {
                    violations += 1;
                    caught_seeds.push(seed);
                    let v = &out.violations[0];
                    println!(
                        "seed {seed} faults={} VIOLATION {} at {} us: {}",
                        out.faults.describe(),
                        v.property,
                        v.time_us,
                        v.message
                    );
                }
                if let Some(why) = &out.liveness_failure {
                    liveness += 1;
                    println!(
                        "seed {seed} faults={} LIVENESS {why}",
                        out.faults.describe()
                    );
                }
            }
            Err(_) => {
                panics += 1;
                println!("seed {seed} PANIC");
            }
        }
        if (n + 1) % 50 == 0 {
            eprintln!(
                "[{}/{seeds}] violations={violations} liveness_failures={liveness} panics={panics} {:.1}s",
                n + 1,
                wall.elapsed().as_secs_f64()
            );
        }
    }
    println!(
        "seeds={seeds} violations={violations} liveness_failures={liveness} panics={panics} \
         events={events} sim_seconds={:.1} wall_seconds={:.2} lin_unknown={unknown}",
        sim_us as f64 / 1e6,
        wall.elapsed().as_secs_f64()
    );
    if shrink_first {
        match caught_seeds.first() {
            Some(&seed) => shrink_seed(seed, &params),
            None => println!("nothing to shrink: no seed broke a safety property"),
        }
    }
    match bug {
        Some(name) => {
            if violations > 0 {
                println!("bug {name} caught in seeds {caught_seeds:?}");
                ExitCode::SUCCESS
            } else {
                println!("bug {name} NOT caught");
                ExitCode::FAILURE
            }
        }
        None if violations + liveness + panics == 0 => ExitCode::SUCCESS,
        None => ExitCode::FAILURE,
    }
}

/// Shrinks `seed`'s run and prints the sizes and a share link.
fn shrink_seed(seed: u64, params: &SwarmParams) {
    use raft_core::scenario::{link, ShareState};
    use raft_core::sim::shrink::{shrink, DEFAULT_MAX_REPLAYS};
    use raft_core::sim::swarm::run_seed_recorded;
    let (out, run) = run_seed_recorded(seed, params);
    let Some(v) = out.violations.first() else {
        return;
    };
    let wall = Instant::now();
    let shrunk = shrink(run, v.property, DEFAULT_MAX_REPLAYS);
    let size = |s: &raft_core::sim::shrink::RunSize| {
        format!(
            "{} faults, {} client ops, {:.3} virtual s, {} nodes",
            s.faults,
            s.client_ops,
            s.virtual_us as f64 / 1e6,
            s.nodes
        )
    };
    println!(
        "shrunk seed {seed} ({}): before {}; after {}; {} replays in {:.2} s",
        v.property,
        size(&shrunk.before),
        size(&shrunk.after),
        shrunk.replays,
        wall.elapsed().as_secs_f64()
    );
    match ShareState::of_run(&shrunk.run) {
        Some(state) => println!("link: #s={}", link::encode(&state)),
        None => println!("no link: the shrunk run has more faults than a link carries"),
    }
}

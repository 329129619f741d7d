//! Throughput measurement (run with `--release -- --ignored --nocapture`).

use raft_core::sim::{Sim, SimConfig};
use std::time::Instant;

#[test]
#[ignore = "measurement; run in release"]
fn one_virtual_hour() {
    let mut sim = Sim::new(SimConfig::benchmark_workload(1)).unwrap();
    let start = Instant::now();
    sim.run_until(3_600_000_000);
    let wall = start.elapsed().as_secs_f64();
    let ops = sim.history().invoked();
    println!(
        "1 virtual hour: wall {wall:.3} s, speedup {:.0}x, events {}, trace events {}, client ops {ops} ({} held in the history), violations {}",
        3600.0 / wall,
        sim.events_processed(),
        sim.trace().total(),
        sim.history().len(),
        sim.violations().len()
    );
    assert!(sim.violations().is_empty());
}

/// A short run for profiling (`SIM_PERF_SECS` virtual seconds, default 20).
#[test]
#[ignore = "measurement; run in release under a profiler"]
fn profile_short() {
    let secs: u64 = std::env::var("SIM_PERF_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let mut sim = Sim::new(SimConfig::benchmark_workload(1)).unwrap();
    sim.run_until(secs * 1_000_000);
    println!(
        "{secs} virtual s: events {}, trace events {}, hash {:#018x}",
        sim.events_processed(),
        sim.trace().total(),
        sim.trace_hash()
    );
    assert!(sim.violations().is_empty());
}

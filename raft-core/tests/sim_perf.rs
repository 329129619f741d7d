//! Throughput measurement (run with `--release -- --ignored --nocapture`).

use raft_core::sim::{Sim, SimConfig};
use std::time::Instant;

#[test]
#[ignore = "measurement; run in release"]
fn one_virtual_hour() {
    let mut sim = Sim::new(SimConfig {
        clients: 10,
        client_ops_per_sec: 100,
        ..SimConfig::with_seed(1)
    })
    .unwrap();
    let start = Instant::now();
    sim.run_until(3_600_000_000);
    let wall = start.elapsed().as_secs_f64();
    let ops = sim.history().len() as u64 + sim.history().dropped();
    println!(
        "1 virtual hour: wall {wall:.3} s, speedup {:.0}x, events {}, trace events {}, client ops {ops}, violations {}",
        3600.0 / wall,
        sim.events_processed(),
        sim.trace().total(),
        sim.violations().len()
    );
    assert!(sim.violations().is_empty());
}

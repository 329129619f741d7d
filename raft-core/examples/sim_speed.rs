//! Times the simulator on the benchmark workload (5 nodes, 50 ms heartbeats,
//! 10 clients issuing 100 operations per second together) and prints the
//! speed-up over real time. For profiling: `cargo run --release -p raft-core
//! --example sim_speed -- [virtual seconds] [default]`.

use raft_core::sim::{Sim, SimConfig};
use std::time::Instant;

fn main() {
    let secs: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    // `default` as second argument: the playground's default configuration.
    let cfg = if std::env::args().nth(2).as_deref() == Some("default") {
        SimConfig::with_seed(1)
    } else {
        SimConfig {
            nodes: 5,
            heartbeat_interval_us: 50_000,
            clients: 10,
            client_ops_per_sec: 100,
            ..SimConfig::with_seed(1)
        }
    };
    let mut sim = Sim::new(cfg).expect("valid configuration");
    let start = Instant::now();
    sim.run_until(secs * 1_000_000);
    let wall_s = start.elapsed().as_secs_f64();
    println!(
        "{secs} virtual s in {wall_s:.3} s wall: {:.0}x real time, {} events, {} violations",
        secs as f64 / wall_s,
        sim.events_processed(),
        sim.violations().len()
    );
}

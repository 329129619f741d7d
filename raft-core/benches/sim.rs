//! Simulator throughput and time-travel cost.
//!
//! `cargo bench -p raft-core --bench sim`
//!
//! - `sim/5n_hb50ms_100ops`: a 5-node cluster, 50 ms heartbeats, 10 clients
//!   issuing 100 operations per second together, 10 virtual seconds per
//!   iteration. Criterion's throughput is in virtual seconds per wall second,
//!   i.e. the speed-up over real time ("×real time").
//! - `sim/swarm_seed_30s`: one swarm seed (default [`SwarmParams`]: 20 s with
//!   faults, up to 10 s healed, linearizability check), seeds per second.
//! - `sim/timeline_seek_10min`: [`Timeline::seek`] to a pseudo-random point of a
//!   10-minute run with the default configuration.
//!
//! After Criterion, a one-virtual-hour run of the first workload is timed once
//! and its speed-up printed.

use criterion::{Criterion, Throughput};
use raft_core::sim::swarm::{run_seed, SwarmParams};
use raft_core::sim::{splitmix64, Sim, SimConfig, Timeline};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Virtual seconds simulated per iteration of the throughput bench.
const CHUNK_SECS: u64 = 10;
/// Length of the run the seek bench travels in, microseconds.
const SEEK_RUN_US: u64 = 600_000_000;

fn workload() -> SimConfig {
    SimConfig::benchmark_workload(1)
}

fn bench_throughput(c: &mut Criterion) {
    let mut g = c.benchmark_group("sim");
    g.throughput(Throughput::Elements(CHUNK_SECS));
    g.sample_size(20);
    g.measurement_time(Duration::from_secs(8));
    // Warm up past the first election, then keep simulating forward.
    let mut sim = Sim::new(workload()).expect("valid");
    sim.run_until(5_000_000);
    g.bench_function("5n_hb50ms_100ops", |b| {
        b.iter(|| {
            sim.run_for(CHUNK_SECS * 1_000_000);
            black_box(sim.trace_hash())
        })
    });
    assert!(sim.violations().is_empty());
    g.finish();
}

fn bench_swarm(c: &mut Criterion) {
    let mut g = c.benchmark_group("sim");
    g.throughput(Throughput::Elements(1));
    g.sample_size(20);
    g.measurement_time(Duration::from_secs(8));
    let params = SwarmParams::default();
    let mut seed = 0u64;
    g.bench_function("swarm_seed_30s", |b| {
        b.iter(|| {
            seed += 1;
            let out = run_seed(seed, &params);
            assert!(out.violations.is_empty(), "seed {seed}");
            black_box(out.trace_hash)
        })
    });
    g.finish();
}

fn bench_seek(c: &mut Criterion) {
    let mut g = c.benchmark_group("sim");
    g.sample_size(50);
    g.measurement_time(Duration::from_secs(8));
    let mut t = Timeline::new(SimConfig::with_seed(1)).expect("valid");
    t.run_until(SEEK_RUN_US);
    let mut state = 42u64;
    let mut worst = Duration::ZERO;
    g.bench_function("timeline_seek_10min", |b| {
        b.iter(|| {
            state = splitmix64(state);
            let target = state % SEEK_RUN_US;
            let start = Instant::now();
            t.seek(target);
            worst = worst.max(start.elapsed());
            black_box(t.sim().trace_hash())
        })
    });
    g.finish();
    println!("timeline_seek_10min: worst single seek {worst:?}");
}

fn one_virtual_hour() {
    let mut sim = Sim::new(workload()).expect("valid");
    let start = Instant::now();
    sim.run_until(3_600_000_000);
    let wall = start.elapsed().as_secs_f64();
    println!(
        "one virtual hour (5 nodes, 50 ms heartbeats, 100 ops/s): {wall:.3} s wall, {:.0}x real time, {} events",
        3600.0 / wall,
        sim.events_processed()
    );
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench_throughput(&mut c);
    bench_swarm(&mut c);
    bench_seek(&mut c);
    c.final_summary();
    one_virtual_hour();
}

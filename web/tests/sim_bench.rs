//! Simulator speed and time-travel cost in WebAssembly, in headless Chromium.
//!
//! In `cargo xtask test` this runs as a debug build and only checks that the
//! measured work is correct (seeks reproduce the straight run). The figures
//! are meaningful in a release build:
//!
//! ```text
//! CHROMEDRIVER=/usr/bin/chromedriver cargo test -p web --release \
//!     --target wasm32-unknown-unknown --test sim_bench -- --nocapture
//! ```
//!
//! It prints `FIGURE` lines: the speed-up over real time of the benchmark
//! workload (5 nodes, 50 ms heartbeats, 100 client operations per second)
//! and the mean and worst cost of `Timeline::seek` to pseudo-random points of
//! a 10-minute run with the default configuration.
#![cfg(target_arch = "wasm32")]

use raft_core::sim::{splitmix64, Sim, SimConfig, Timeline};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Debug builds are ~30x slower: measure less there.
const RELEASE: bool = !cfg!(debug_assertions);

#[wasm_bindgen_test]
fn simulator_speed() {
    let secs: u64 = if RELEASE { 600 } else { 10 };
    let mut sim = Sim::new(SimConfig::benchmark_workload(1)).expect("valid configuration");
    let start = now_ms();
    sim.run_until(secs * 1_000_000);
    let wall_ms = now_ms() - start;
    assert!(sim.violations().is_empty());
    assert!(sim.events_processed() > secs * 500, "the workload runs");
    console_log!(
        "FIGURE wasm_sim_speed_x_real_time {:.0} ({secs} virtual s in {wall_ms:.0} ms, {} events, release={RELEASE})",
        secs as f64 * 1000.0 / wall_ms,
        sim.events_processed()
    );
}

#[wasm_bindgen_test]
fn timeline_seek_cost() {
    let run_us: u64 = if RELEASE { 600_000_000 } else { 20_000_000 };
    let mut t = Timeline::new(SimConfig::with_seed(1)).expect("valid configuration");
    t.run_until(run_us);
    let end_hash = t.sim().trace_hash();
    let mut state = 42u64;
    let (mut total_ms, mut worst_ms) = (0.0f64, 0.0f64);
    let seeks = if RELEASE { 200 } else { 10 };
    for _ in 0..seeks {
        state = splitmix64(state);
        let target = state % run_us;
        let start = now_ms();
        t.seek(target);
        let ms = now_ms() - start;
        total_ms += ms;
        worst_ms = worst_ms.max(ms);
        assert_eq!(t.now_us(), target);
    }
    // Travelling back to the end reproduces the straight run exactly.
    t.seek(run_us);
    assert_eq!(t.sim().trace_hash(), end_hash);
    console_log!(
        "FIGURE wasm_timeline_seek_ms mean {:.2} worst {worst_ms:.2} ({seeks} seeks in a {} s run, release={RELEASE})",
        total_ms / seeks as f64,
        run_us / 1_000_000
    );
}

/// The hunt's seed rate on one thread (compare with the native
/// `--example swarm --seeds N` on the same machine): what one hunt worker can
/// at most do.
#[wasm_bindgen_test]
fn swarm_seed_rate() {
    use raft_core::sim::swarm::{run_seed, SwarmParams};
    let seeds: u64 = if RELEASE { 300 } else { 3 };
    let params = SwarmParams::default();
    let start = now_ms();
    let mut events = 0;
    for seed in 1..=seeds {
        let out = run_seed(seed, &params);
        assert!(out.violations.is_empty() && out.liveness_failure.is_none());
        events += out.events;
    }
    let wall_ms = now_ms() - start;
    console_log!(
        "FIGURE wasm_swarm_seeds_per_s {:.1} ({seeds} seeds in {wall_ms:.0} ms, {events} events, release={RELEASE})",
        seeds as f64 * 1000.0 / wall_ms
    );
}

/// The same seeds through the worker's message handler (message decode,
/// recorded run, reply): what a hunt worker does per seed.
#[wasm_bindgen_test]
fn hunt_worker_seed_rate() {
    use web::hunt::{encode, worker::handle, HuntSpec, ToWorker};
    let seeds: u64 = if RELEASE { 300 } else { 3 };
    let start = now_ms();
    for seed in 1..=seeds {
        let message = encode(&ToWorker::Seeds {
            spec: HuntSpec::default(),
            seeds: vec![seed],
        });
        assert_eq!(handle(&message).len(), 1);
    }
    let wall_ms = now_ms() - start;
    console_log!(
        "FIGURE wasm_hunt_handle_seeds_per_s {:.1} ({seeds} seeds in {wall_ms:.0} ms, release={RELEASE})",
        seeds as f64 * 1000.0 / wall_ms
    );
}

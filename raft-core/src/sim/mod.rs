//! A deterministic discrete-event simulator of a Raft cluster.
//!
//! One to nine [`raft::Node`](crate::raft::Node)s, each with its
//! [`KvStore`](crate::kv::KvStore) and a simulated disk, talk over a simulated
//! network (latency, loss, duplication, reordering, partitions and one-way
//! cuts) while simulated clients issue key-value commands through a load
//! balancer. Time is virtual (microseconds): the event queue jumps straight to
//! the next message delivery, node timer (from
//! [`Node::poll_timeout`](crate::raft::Node::poll_timeout)), disk completion
//! or client action; ties are broken by scheduling order.
//!
//! One `u64` seed decides everything: the same seed and the same actions
//! give the same [`Trace`], event for event, natively and in WebAssembly
//! ([`Sim::trace_hash`], [`reference_hashes`]).
//!
//! After every event the touched node is checked against Raft's safety
//! properties ([`crate::check::invariants`]); the client history can be
//! checked for linearizability at any time ([`Sim::check_linearizability`]).
//! [`Timeline`] adds checkpoints, seeking and forking on top.
//!
//! ```
//! use raft_core::sim::{Sim, SimConfig};
//! let mut sim = Sim::new(SimConfig::with_seed(7)).unwrap();
//! sim.run_until(2_000_000); // two virtual seconds
//! assert!(sim.leader().is_some());
//! assert!(sim.violations().is_empty());
//! ```

mod client;
mod clients;
mod clock;
mod config;
mod disk;
mod event;
mod faults;
mod network;
mod ready;
pub mod record;
mod rng;
mod settings;
pub mod shrink;
pub mod swarm;
mod timeline;
mod trace;
mod view;
mod world;

pub use client::{
    MAX_REDIRECTS, MAX_USER_ATTEMPTS, MAX_USER_REQUESTS, USER_CLIENT_BASE, WORKLOAD_KEYS,
};
pub use config::{
    ConfigError, SimConfig, MAX_CLIENTS, MAX_DRIFT_PPM, MAX_IN_FLIGHT_LIMIT, MAX_LATENCY_US,
    MAX_NODES, MAX_TRACE_CAPACITY, PPM,
};
pub use faults::ActionError;
pub use rng::{derive_seed, splitmix64, SimRng};
pub use timeline::{
    ActOutcome, Action, RecordedAction, Refusal, TimedAction, Timeline, MAX_CHECKPOINTS,
};
pub use trace::{ActionFact, DropReason, MsgSummary, Trace, TraceEvent, TraceHasher, TraceKind};
pub use view::{
    describe_payload, ClientHopView, EntryView, MessageView, NodeStatus, NodeView, ProgressView,
    MAX_LOG_VIEW,
};
pub use world::Sim;

/// Virtual run length behind [`reference_hashes`], microseconds (10 s).
pub const REFERENCE_RUN_US: u64 = 10_000_000;

/// The trace hashes [`reference_hashes`] must return, computed natively.
/// A native test and a WebAssembly test in headless Chromium both assert
/// them, which proves the two builds run the same simulation event for event.
/// Any change to what the simulation does (or traces) changes them.
pub const REFERENCE_HASHES: [(u64, u64); 5] = [
    (1, 0x5379_e2c9_b480_3bfd),
    (2, 0xba3c_d0a9_9676_b8b1),
    (3, 0x28c0_b4bd_00a4_d4f9),
    (4, 0x4aac_4183_0289_a12b),
    (5, 0xcf49_3223_1b52_8be2),
];

/// `(seed, trace hash)` for seeds 1 to 5 with [`SimConfig::default`] run for
/// [`REFERENCE_RUN_US`]: a WebAssembly build must compute the same values.
pub fn reference_hashes() -> [(u64, u64); 5] {
    core::array::from_fn(|i| {
        let seed = i as u64 + 1;
        let mut sim = Sim::new(SimConfig::with_seed(seed)).expect("defaults are valid");
        sim.run_until(REFERENCE_RUN_US);
        (seed, sim.trace_hash())
    })
}

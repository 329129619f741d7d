//! # raft-core
//!
//! The engine of the Raft Playground, usable on its own:
//!
//! - [`types`]: identifiers shared by everything else.
//! - [`kv`]: the replicated key-value state machine (SET, DELETE, GET, CAS, sessions).
//! - [`check`]: safety checkers: Raft's invariants after every event, and
//!   linearizability of a KV client history.
//! - [`raft`]: one Raft node as a sans-IO state machine (election, PreVote,
//!   CheckQuorum, replication, ReadIndex, leader transfer, membership, snapshots).
//! - [`sim`]: a deterministic discrete-event simulator of a whole cluster with
//!   its network, faults and clients; trace, trace hash and time travel.
//! - [`scenario`] (feature `serde`): guided, deterministic scenarios with
//!   checked promises, and the versioned share-link encoding.
//!
//! The crate is `#![no_std]` + `alloc`: no I/O, no clock, no global
//! randomness. The caller owns time and transport, and hands in a seed.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(test)]
extern crate std;

pub mod check;
pub mod kv;
pub mod raft;
#[cfg(feature = "serde")]
pub mod scenario;
pub mod sim;
pub mod types;

pub use types::{LogIndex, NodeId, Role, Term, TimeUs};

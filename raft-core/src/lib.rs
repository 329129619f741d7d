//! # raft-core
//!
//! The engine of the Raft Playground, usable on its own:
//!
//! - [`types`]: identifiers shared by everything else.
//! - [`kv`]: the replicated key-value state machine (SET, DELETE, GET, CAS, sessions).
//! - [`check`]: safety checkers, starting with linearizability of a KV history.
//! - [`raft`]: one Raft node as a sans-IO state machine (election, PreVote,
//!   CheckQuorum, replication, ReadIndex, leader transfer, membership, snapshots).
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
pub mod types;

pub use types::{LogIndex, NodeId, Role, Term, TimeUs};

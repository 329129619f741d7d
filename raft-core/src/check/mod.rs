//! Safety checkers that judge what a simulated cluster did.
//!
//! - [`linearizability`]: is a history of client operations on the key-value
//!   store linearizable?
//! - [`invariants`]: Raft's safety properties, checked as the cluster runs.

pub mod invariants;
pub mod linearizability;

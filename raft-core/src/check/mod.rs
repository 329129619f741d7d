//! Safety checkers that judge what a simulated cluster did.
//!
//! - [`linearizability`]: is a history of client operations on the key-value
//!   store linearizable?

pub mod linearizability;

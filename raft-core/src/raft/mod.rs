//! A complete sans-IO Raft node (Ongaro & Ousterhout 2014; Ongaro's thesis 2014).
//!
//! In the spirit of etcd-io/raft's RawNode and quinn-proto: the caller passes
//! in messages and the current time; the node hands back messages to send,
//! state to persist and committed entries, and says when it next needs to be
//! woken ([`Node::poll_timeout`]) so a discrete-event simulator can jump
//! straight there instead of ticking.
//!
//! ```
//! use raft_core::raft::{Config, Node};
//! let mut n = Node::new(Config::new(1), &[1], 42, 0).unwrap();
//! let t = n.poll_timeout().unwrap();
//! n.handle_timeout(t); // a single voter elects itself
//! let idx = n.propose(t, b"x".to_vec()).unwrap();
//! let mut applied = Vec::new();
//! while n.has_ready() {
//!     let rd = n.ready();
//!     // 1. store rd.snapshot, rd.hard_state, rd.entries; 2. send the messages;
//!     // 3. apply what was committed:
//!     applied.extend(rd.committed_entries.iter().map(|e| e.index));
//!     n.advance(rd); // 4. step 1 is done: the leader may count its own copy
//! }
//! assert!(applied.contains(&idx));
//! ```
//!
//! Features: leader election with PreVote and CheckQuorum, log replication
//! with flow control and fast backtracking, ReadIndex, leadership transfer,
//! single-server membership changes, snapshots, and four planted [`Bugs`].

mod conf_change;
mod config;
mod election;
mod error;
mod log;
mod membership;
mod message;
mod node;
mod progress;
mod quorum;
mod read_index;
mod ready;
mod replication;
mod rng;
mod snapshot;
mod transfer;

pub use config::{Bugs, Config, ConfigError, Regressions};
pub use error::{CompactError, ProposeError};
pub use log::RaftLog;
pub use membership::Membership;
pub use message::{ConfChange, Entry, EntryPayload, Message, MessageBody, Snapshot, SnapshotMeta};
pub use node::{Node, MAX_COMMITTED_PER_READY, MAX_TERM, MAX_UNPERSISTED_READIES};
pub use progress::{Progress, ProgressState};
pub use quorum::{committed_index, has_majority, majority, vote_result, VoteResult};
pub use read_index::PendingRead;
pub use ready::{HardState, PersistentState, ReadState, Ready};
pub use rng::ElectionRng;

/// Bound on each outgoing message queue; beyond it messages are dropped
/// (always safe in Raft, the network may drop them too).
pub const MAX_OUTBOX_MSGS: usize = 65_536;

/// Bound on ReadIndex requests waiting for an answer.
pub const MAX_PENDING_READS: usize = 4096;

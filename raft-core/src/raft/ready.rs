//! What a node hands back to its caller: state to persist, messages, committed entries.

use super::message::{Entry, Message, Snapshot};
use crate::types::{LogIndex, NodeId, Term};
use alloc::vec::Vec;

/// The persistent fields of paper Figure 2 plus the commit index (which is
/// handy to persist but may be lost: it is recomputed after a restart).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct HardState {
    /// Latest term seen.
    pub term: Term,
    /// Candidate voted for in `term`.
    pub voted_for: Option<NodeId>,
    /// Highest index known committed.
    pub commit: LogIndex,
}

/// The answer to a ReadIndex request (thesis §6.4): the read may be served from
/// the state machine once it has applied `index`, which it has when this appears.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ReadState {
    /// The caller's request id.
    pub request_id: u64,
    /// Commit index at the time of the request; already applied.
    pub index: LogIndex,
}

/// Everything that survives a crash (paper Figure 2 "Persistent state"):
/// term, vote, log and snapshot. Not the role, commit index or leader progress.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PersistentState {
    /// Latest term seen.
    pub term: Term,
    /// Vote cast in `term`.
    pub voted_for: Option<NodeId>,
    /// Latest snapshot (index 0 holds the bootstrap membership).
    pub snapshot: Snapshot,
    /// Log entries after the snapshot.
    pub entries: Vec<Entry>,
}

/// One batch of work for the caller, taken with `Node::ready` (take-once: the
/// node considers it handed over). Process it in this order:
///
/// 1. persist `snapshot` (it replaces the stored log), then `hard_state`, then
///    `entries` (an entry overwrites any stored entry with the same or higher index);
/// 2. send `messages` (they could have been sent before step 1) and `persisted_messages`
///    (only now: they promise that step 1 happened, e.g. votes and append acks);
/// 3. restore `snapshot` into the state machine, then apply `committed_entries`
///    in order, then answer `read_states`.
///
/// Optionally hand the emptied struct back with `Node::recycle` so its buffers
/// are reused and steady-state operation does not allocate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Ready {
    /// Changed persistent fields, if any.
    pub hard_state: Option<HardState>,
    /// Entries to append to stable storage.
    pub entries: Vec<Entry>,
    /// A snapshot to store and restore into the state machine.
    pub snapshot: Option<Snapshot>,
    /// Messages that may leave right away.
    pub messages: Vec<Message>,
    /// Messages that may leave only after this Ready's state is persisted.
    pub persisted_messages: Vec<Message>,
    /// Newly committed entries, to apply in order exactly once.
    pub committed_entries: Vec<Entry>,
    /// Completed ReadIndex requests.
    pub read_states: Vec<ReadState>,
}

impl Ready {
    /// True when there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.hard_state.is_none()
            && self.entries.is_empty()
            && self.snapshot.is_none()
            && self.messages.is_empty()
            && self.persisted_messages.is_empty()
            && self.committed_entries.is_empty()
            && self.read_states.is_empty()
    }

    /// All outgoing messages, immediate ones first (for callers that persist synchronously).
    pub fn all_messages(&mut self) -> impl Iterator<Item = Message> + '_ {
        self.messages
            .drain(..)
            .chain(self.persisted_messages.drain(..))
    }
}

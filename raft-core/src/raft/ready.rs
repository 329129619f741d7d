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
/// node considers it handed over). An application that does exactly this,
/// whatever it crashes between, never loses a committed entry:
///
/// 1. **Persist**, in this order: `snapshot` if present (it replaces the
///    stored snapshot; stored entries after it may stay only if the store
///    holds its last entry with the same term, otherwise drop them all), then
///    `hard_state` if present, then `entries` (each overwrites any stored
///    entry with the same or a higher index). Writes of successive Readies
///    reach the disk in the order they were handed out.
/// 2. **Send** `messages`: they may leave before or during step 1 (a leader
///    writes its log in parallel with replicating it, thesis §10.2.1). Send
///    `persisted_messages` only once step 1 is done: they promise it (votes,
///    append acknowledgements, anything carrying a term not yet stored).
/// 3. **Apply**, once step 1 is done: restore `snapshot` into the state
///    machine, then apply `committed_entries` in order, exactly once; then
///    answer `read_states`.
/// 4. **Acknowledge**: `Node::advance(ready)` once step 1 is done (or
///    `Node::on_persisted(ready.number)` when the write finishes later). Until
///    then a leader does not count its own copy of these entries toward a
///    commit, so a commit never rests on a disk that may still lose it.
///
/// What may be skipped: nothing in steps 1–3 (an empty field is simply
/// empty), but the acknowledgement of a Ready may be folded into a later one's
/// (acknowledging number *n* acknowledges every Ready before it). A snapshot
/// appears only when it must be stored: the first Ready of a new node (its
/// bootstrap configuration) and a snapshot received from the leader, never
/// as an echo after `Node::restart`. A snapshot the application makes itself
/// with `Node::compact` is stored as that method says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Ready {
    /// Sequence number (from 1), for `Node::on_persisted`.
    pub number: u64,
    /// Changed persistent fields, if any.
    pub hard_state: Option<HardState>,
    /// Entries to append to stable storage.
    pub entries: Vec<Entry>,
    /// A snapshot to store, then restore into the state machine.
    pub snapshot: Option<Snapshot>,
    /// Messages that may leave right away.
    pub messages: Vec<Message>,
    /// Messages that may leave only after this Ready's state is persisted.
    pub persisted_messages: Vec<Message>,
    /// Newly committed entries, to apply in order exactly once (after step 1).
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

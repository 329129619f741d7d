//! What travels between nodes: log entries, snapshots and messages.

use super::membership::Membership;
use crate::types::{LogIndex, NodeId, Term};
use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;

/// A single-server membership change (thesis §4.1).
///
/// Changing one server at a time keeps every old and new majority overlapping,
/// so no joint consensus is needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ConfChange {
    /// Add a non-voting member that receives the log (thesis §4.2.1).
    AddLearner(NodeId),
    /// Turn a caught-up learner into a voter.
    PromoteLearner(NodeId),
    /// Remove a voter or learner.
    RemoveServer(NodeId),
}

impl ConfChange {
    /// The server this change is about.
    pub const fn node_id(&self) -> NodeId {
        match *self {
            ConfChange::AddLearner(id)
            | ConfChange::PromoteLearner(id)
            | ConfChange::RemoveServer(id) => id,
        }
    }
}

/// What a log entry carries.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum EntryPayload {
    /// Appended by every new leader so it can commit an entry of its own term
    /// (thesis §6.4: needed before serving reads and before changing membership).
    Noop,
    /// Opaque application command (the key-value store encodes its own).
    /// Shared: the copies of an entry in the log, in messages and in `Ready`
    /// are reference counts, not byte copies.
    Command(Arc<[u8]>),
    /// A membership change; it takes effect as soon as it is appended.
    ConfChange(ConfChange),
}

impl EntryPayload {
    /// Bytes this payload counts against `max_size_per_msg_bytes`.
    pub fn size_bytes(&self) -> usize {
        match self {
            EntryPayload::Noop => 0,
            EntryPayload::Command(data) => data.len(),
            EntryPayload::ConfChange(_) => 9,
        }
    }
}

/// One log entry (paper §5.3: index, term and command).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Entry {
    /// Position in the log, starting at 1.
    pub index: LogIndex,
    /// Term of the leader that created the entry.
    pub term: Term,
    /// What the entry carries.
    pub payload: EntryPayload,
}

/// Describes what a snapshot replaces (paper §7).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SnapshotMeta {
    /// Index of the last entry the snapshot replaces (0: nothing, the bootstrap base).
    pub last_index: LogIndex,
    /// Term of that entry.
    pub last_term: Term,
    /// Membership as of `last_index`.
    pub membership: Membership,
}

/// A state-machine snapshot: metadata plus the application's opaque bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Snapshot {
    /// Which log prefix and membership it replaces.
    pub meta: SnapshotMeta,
    /// The application's state machine, as handed to `Node::compact`.
    pub data: Vec<u8>,
}

/// A message between two nodes. Every message carries the sender's term (paper §5.1).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Message {
    /// Sender.
    pub from: NodeId,
    /// Recipient.
    pub to: NodeId,
    /// Sender's term (for a PreVote request: the term it would campaign in).
    pub term: Term,
    /// What the message says.
    pub body: MessageBody,
}

/// The RPCs of paper Figure 2 plus PreVote, InstallSnapshot and TimeoutNow.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum MessageBody {
    /// Ask for a vote (paper §5.2) or a pre-vote (thesis §9.6).
    RequestVote {
        /// A PreVote round: the recipient changes nothing.
        pre_vote: bool,
        /// Candidate's last log index (paper §5.4.1 up-to-date check).
        last_log_index: LogIndex,
        /// Candidate's last log term.
        last_log_term: Term,
        /// Campaign started by TimeoutNow: bypasses leader stickiness (thesis §3.10).
        leader_transfer: bool,
    },
    /// Answer to `RequestVote`.
    RequestVoteResp {
        /// Answers a PreVote request.
        pre_vote: bool,
        /// Whether the vote was granted.
        granted: bool,
    },
    /// Replicate entries, or a heartbeat when `entries` is empty (paper §5.3).
    AppendEntries {
        /// Index of the entry immediately preceding `entries`.
        prev_log_index: LogIndex,
        /// Term of that entry (the consistency check).
        prev_log_term: Term,
        /// Entries to append, contiguous from `prev_log_index + 1`.
        entries: Vec<Entry>,
        /// Leader's commit index.
        leader_commit: LogIndex,
        /// ReadIndex round this message belongs to; echoed back (thesis §6.4).
        read_seq: u64,
    },
    /// Answer to `AppendEntries`.
    AppendEntriesResp {
        /// The consistency check passed.
        success: bool,
        /// On success, the highest index known to match the leader; on failure the
        /// rejected `prev_log_index` (0 asks for a snapshot: the sender has no configuration).
        index: LogIndex,
        /// Follower's last log index.
        last_index: LogIndex,
        /// Fast backtracking (thesis §5.3 / paper §5.3 end): first index the
        /// follower holds of `conflict_term`, or its last index + 1.
        conflict_index: LogIndex,
        /// Term of the follower's entry at the rejected index (0 if it has none).
        conflict_term: Term,
        /// Echo of the request's `read_seq`.
        read_seq: u64,
    },
    /// Replace the follower's log prefix with a snapshot (paper §7).
    InstallSnapshot {
        /// The leader's latest snapshot (boxed: the rare large variant would
        /// otherwise make every message, and every copy of one, bigger).
        snapshot: Box<Snapshot>,
    },
    /// Answer to `InstallSnapshot`.
    InstallSnapshotResp {
        /// Highest index the follower now holds as committed.
        last_index: LogIndex,
    },
    /// Start an election at once (leadership transfer, thesis §3.10).
    TimeoutNow,
}

impl MessageBody {
    /// Stable kind name used by the UI and its test hooks.
    pub const fn kind(&self) -> &'static str {
        match self {
            MessageBody::RequestVote { pre_vote: true, .. } => "PreVote",
            MessageBody::RequestVote { .. } => "RequestVote",
            MessageBody::RequestVoteResp { pre_vote: true, .. } => "PreVoteResp",
            MessageBody::RequestVoteResp { .. } => "RequestVoteResp",
            MessageBody::AppendEntries { .. } => "AppendEntries",
            MessageBody::AppendEntriesResp { .. } => "AppendEntriesResp",
            MessageBody::InstallSnapshot { .. } => "InstallSnapshot",
            MessageBody::InstallSnapshotResp { .. } => "InstallSnapshotResp",
            MessageBody::TimeoutNow => "TimeoutNow",
        }
    }

    /// An AppendEntries with no entries: it only carries the commit index and
    /// keeps followers from timing out.
    pub fn is_heartbeat(&self) -> bool {
        matches!(self, MessageBody::AppendEntries { entries, .. } if entries.is_empty())
    }

    /// A response (the UI draws them differently).
    pub const fn is_response(&self) -> bool {
        matches!(
            self,
            MessageBody::RequestVoteResp { .. }
                | MessageBody::AppendEntriesResp { .. }
                | MessageBody::InstallSnapshotResp { .. }
        )
    }
}

impl Message {
    /// Shorthand for [`MessageBody::kind`].
    pub const fn kind(&self) -> &'static str {
        self.body.kind()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn kinds_match_ui_hooks() {
        let rv = |pre_vote| MessageBody::RequestVote {
            pre_vote,
            last_log_index: 0,
            last_log_term: 0,
            leader_transfer: false,
        };
        assert_eq!(rv(false).kind(), "RequestVote");
        assert_eq!(rv(true).kind(), "PreVote");
        assert_eq!(
            MessageBody::RequestVoteResp {
                pre_vote: true,
                granted: true
            }
            .kind(),
            "PreVoteResp"
        );
        assert_eq!(
            MessageBody::RequestVoteResp {
                pre_vote: false,
                granted: true
            }
            .kind(),
            "RequestVoteResp"
        );
        assert_eq!(MessageBody::TimeoutNow.kind(), "TimeoutNow");
        assert_eq!(
            MessageBody::InstallSnapshot {
                snapshot: Box::default()
            }
            .kind(),
            "InstallSnapshot"
        );
        assert_eq!(
            MessageBody::InstallSnapshotResp { last_index: 0 }.kind(),
            "InstallSnapshotResp"
        );
    }

    #[test]
    fn heartbeat_is_an_empty_append() {
        let ae = |entries| MessageBody::AppendEntries {
            prev_log_index: 0,
            prev_log_term: 0,
            entries,
            leader_commit: 0,
            read_seq: 0,
        };
        assert!(ae(vec![]).is_heartbeat());
        let e = Entry {
            index: 1,
            term: 1,
            payload: EntryPayload::Noop,
        };
        assert!(!ae(vec![e]).is_heartbeat());
        assert_eq!(ae(vec![]).kind(), "AppendEntries");
    }
}

//! Errors returned to clients of a node.

use crate::types::NodeId;
use core::fmt;

/// Why a proposal, read, transfer or membership change was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ProposeError {
    /// Only the leader accepts requests; try the hinted node (paper §8).
    NotLeader {
        /// The leader this node last heard from in its term, if any.
        leader_hint: Option<NodeId>,
    },
    /// A leadership transfer is under way; proposals wait (thesis §3.10).
    TransferInProgress,
    /// The payload exceeds `max_size_per_msg_bytes`.
    TooLarge,
    /// Another membership change is not committed yet, or the leader has not
    /// committed an entry of its term (thesis §4.1 and its 2015 erratum).
    ConfChangePending,
    /// The change does not fit the current configuration (e.g. unknown server,
    /// promoting a learner that has not caught up, removing the last voter).
    InvalidConfChange,
    /// The target is not a voter (leadership transfer).
    InvalidTarget,
    /// A bounded queue is full (uncommitted entries or pending reads); retry later.
    Busy,
}

impl fmt::Display for ProposeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProposeError::NotLeader {
                leader_hint: Some(id),
            } => write!(f, "not the leader; try node {id}"),
            ProposeError::NotLeader { leader_hint: None } => {
                f.write_str("not the leader; leader unknown")
            }
            ProposeError::TransferInProgress => f.write_str("leadership transfer in progress"),
            ProposeError::TooLarge => f.write_str("proposal too large"),
            ProposeError::ConfChangePending => f.write_str("a membership change is pending"),
            ProposeError::InvalidConfChange => f.write_str("invalid membership change"),
            ProposeError::InvalidTarget => f.write_str("transfer target is not a voter"),
            ProposeError::Busy => f.write_str("too many pending requests"),
        }
    }
}

/// Why `Node::compact` refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum CompactError {
    /// The index has not been handed out as committed yet.
    NotApplied,
    /// The index is already covered by the snapshot.
    AlreadyCompacted,
}

impl fmt::Display for CompactError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CompactError::NotApplied => "index not applied yet",
            CompactError::AlreadyCompacted => "index already compacted",
        })
    }
}

//! Small identifiers shared by every module: node ids, terms, log indexes and roles.

use core::fmt;

/// A server's identity within a cluster. Ids are 1-based, as users count them.
pub type NodeId = u64;

/// A Raft term (paper §5.1). Terms only grow.
pub type Term = u64;

/// A position in the replicated log. Index 0 means "before the first entry".
pub type LogIndex = u64;

/// Virtual time in microseconds, owned by the caller (the node never reads a clock).
pub type TimeUs = u64;

/// The role a node plays at a moment (paper §5.1, thesis §9.6 for PreCandidate).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Role {
    /// Passive: answers leaders and candidates.
    Follower,
    /// Asking for a pre-vote before disrupting the cluster with a new term (PreVote).
    PreCandidate,
    /// Asking for votes in a new term.
    Candidate,
    /// Accepts client requests and replicates the log.
    Leader,
}

impl Role {
    /// The lowercase name used in the UI and in the `data-role` test hook.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Follower => "follower",
            Role::PreCandidate => "precandidate",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The ids of a cluster of `count` nodes: `1..=count`.
pub fn node_ids(count: usize) -> impl Iterator<Item = NodeId> {
    (1..=count as u64).map(|id| id as NodeId)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec::Vec;

    #[test]
    fn node_ids_are_one_based() {
        assert_eq!(node_ids(5).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
        assert_eq!(node_ids(0).count(), 0);
    }

    #[test]
    fn role_names_match_the_test_hooks() {
        assert_eq!(Role::PreCandidate.as_str(), "precandidate");
        assert_eq!(Role::Leader.to_string(), "leader");
    }
}

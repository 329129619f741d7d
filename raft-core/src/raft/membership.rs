//! Cluster membership: who votes, who only listens (thesis chapter 4).

use super::message::ConfChange;
use crate::types::NodeId;
use alloc::vec::Vec;

/// A configuration: voters decide elections and commits, learners only receive the log.
///
/// Both lists are sorted and disjoint, so equal memberships compare equal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Membership {
    /// Voting members.
    pub voters: Vec<NodeId>,
    /// Non-voting members (thesis §4.2.1: catch up before voting).
    pub learners: Vec<NodeId>,
}

impl Membership {
    /// A configuration of the given voters (sorted, duplicates and 0 dropped).
    pub fn with_voters(voters: &[NodeId]) -> Self {
        let mut v: Vec<NodeId> = voters.iter().copied().filter(|&id| id != 0).collect();
        v.sort_unstable();
        v.dedup();
        Membership {
            voters: v,
            learners: Vec::new(),
        }
    }

    /// Whether `id` votes.
    pub fn is_voter(&self, id: NodeId) -> bool {
        self.voters.binary_search(&id).is_ok()
    }

    /// Whether `id` is a learner.
    pub fn is_learner(&self, id: NodeId) -> bool {
        self.learners.binary_search(&id).is_ok()
    }

    /// Whether `id` is a voter or a learner.
    pub fn contains(&self, id: NodeId) -> bool {
        self.is_voter(id) || self.is_learner(id)
    }

    /// No members at all: a joining server that has not heard from a leader yet.
    pub fn is_empty(&self) -> bool {
        self.voters.is_empty() && self.learners.is_empty()
    }

    /// Votes needed for a majority of the voters.
    pub fn quorum(&self) -> usize {
        super::quorum::majority(self.voters.len())
    }

    /// Voters and learners, in id order.
    pub fn members(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.voters.iter().chain(self.learners.iter()).copied()
    }

    /// Whether `change` makes sense against this configuration. Invalid changes
    /// are refused at proposal time and ignored if they reach the log anyway.
    pub fn check(&self, change: &ConfChange) -> bool {
        match *change {
            ConfChange::AddLearner(id) => id != 0 && !self.contains(id),
            ConfChange::PromoteLearner(id) => self.is_learner(id),
            ConfChange::RemoveServer(id) => {
                self.is_learner(id) || (self.is_voter(id) && self.voters.len() > 1)
            }
        }
    }

    /// Applies `change`; returns false (and changes nothing) if it is invalid.
    /// Every node applies the same entries in the same order, so all agree.
    pub fn apply(&mut self, change: &ConfChange) -> bool {
        if !self.check(change) {
            return false;
        }
        match *change {
            ConfChange::AddLearner(id) => insert_sorted(&mut self.learners, id),
            ConfChange::PromoteLearner(id) => {
                self.learners.retain(|&l| l != id);
                insert_sorted(&mut self.voters, id);
            }
            ConfChange::RemoveServer(id) => {
                self.learners.retain(|&l| l != id);
                self.voters.retain(|&v| v != id);
            }
        }
        true
    }
}

fn insert_sorted(list: &mut Vec<NodeId>, id: NodeId) {
    if let Err(pos) = list.binary_search(&id) {
        list.insert(pos, id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_server_changes_apply_in_order() {
        let mut m = Membership::with_voters(&[3, 1, 2, 2, 0]);
        assert_eq!(m.voters, [1, 2, 3]);
        assert_eq!(m.quorum(), 2);
        assert!(m.apply(&ConfChange::AddLearner(4)));
        assert!(!m.apply(&ConfChange::AddLearner(4)), "already a member");
        assert!(m.is_learner(4) && !m.is_voter(4));
        assert!(m.apply(&ConfChange::PromoteLearner(4)));
        assert_eq!(m.voters, [1, 2, 3, 4]);
        assert_eq!(m.quorum(), 3);
        assert!(m.apply(&ConfChange::RemoveServer(1)));
        assert!(!m.apply(&ConfChange::PromoteLearner(9)));
        assert_eq!(m.voters, [2, 3, 4]);
    }

    #[test]
    fn last_voter_cannot_be_removed() {
        let mut m = Membership::with_voters(&[1]);
        assert!(!m.apply(&ConfChange::RemoveServer(1)));
        assert_eq!(m.voters, [1]);
    }
}

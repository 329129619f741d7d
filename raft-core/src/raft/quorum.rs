//! Majority counting in one place (etcd's `quorum/`): elections, commits,
//! CheckQuorum and ReadIndex all ask "does a majority of the voters ...?".
//! Only single-server membership changes exist here, so one configuration
//! decides at a time (no joint consensus).

use crate::types::{LogIndex, NodeId};

/// Small fixed buffer for the commit computation: clusters here have a few voters.
const STACK_VOTERS: usize = 16;

/// Where a vote count stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoteResult {
    /// A majority of the voters granted.
    Won,
    /// So many refused that a majority can no longer grant.
    Lost,
    /// Neither yet.
    Pending,
}

/// Votes needed for a majority of `voters` voters.
pub const fn majority(voters: usize) -> usize {
    voters / 2 + 1
}

/// Counts the votes of `voters` (`vote(id)`: `Some(granted)` or `None` if
/// `id` has not answered). With no voters nothing can be won or lost.
pub fn vote_result(voters: &[NodeId], mut vote: impl FnMut(NodeId) -> Option<bool>) -> VoteResult {
    if voters.is_empty() {
        return VoteResult::Pending;
    }
    let (mut yes, mut no) = (0, 0);
    for &id in voters {
        match vote(id) {
            Some(true) => yes += 1,
            Some(false) => no += 1,
            None => {}
        }
    }
    let need = majority(voters.len());
    if yes >= need {
        VoteResult::Won
    } else if no > voters.len() - need {
        VoteResult::Lost
    } else {
        VoteResult::Pending
    }
}

/// Whether a majority of `voters` satisfy `ok`.
pub fn has_majority(voters: &[NodeId], mut ok: impl FnMut(NodeId) -> bool) -> bool {
    !voters.is_empty() && voters.iter().filter(|&&id| ok(id)).count() >= majority(voters.len())
}

/// The highest index that a majority of `voters` hold, each holding up to
/// `matched(id)` (0 with no voters).
pub fn committed_index(voters: &[NodeId], mut matched: impl FnMut(NodeId) -> LogIndex) -> LogIndex {
    if voters.is_empty() {
        return 0;
    }
    let mut buf = [0 as LogIndex; STACK_VOTERS];
    let mut heap = alloc::vec::Vec::new();
    let matches: &mut [LogIndex] = if voters.len() <= STACK_VOTERS {
        &mut buf[..voters.len()]
    } else {
        heap.resize(voters.len(), 0);
        &mut heap
    };
    for (slot, &id) in matches.iter_mut().zip(voters) {
        *slot = matched(id);
    }
    matches.sort_unstable_by(|a, b| b.cmp(a));
    matches[majority(voters.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    /// From the definition: the largest value v such that more than half of
    /// the voters hold at least v.
    fn naive_commit(matched: &[LogIndex]) -> LogIndex {
        (0..=matched.iter().copied().max().unwrap_or(0))
            .filter(|&v| matched.iter().filter(|&&m| m >= v).count() * 2 > matched.len())
            .max()
            .unwrap_or(0)
    }

    fn naive_vote(votes: &[Option<bool>]) -> VoteResult {
        let n = votes.len();
        let yes = votes.iter().filter(|v| **v == Some(true)).count();
        let undecided = votes.iter().filter(|v| v.is_none()).count();
        if n == 0 {
            VoteResult::Pending
        } else if yes * 2 > n {
            VoteResult::Won
        } else if (yes + undecided) * 2 <= n {
            VoteResult::Lost
        } else {
            VoteResult::Pending
        }
    }

    proptest! {
        #[test]
        fn commit_index_matches_the_definition(matched in proptest::collection::vec(0u64..20, 0..20)) {
            let voters: Vec<NodeId> = (1..=matched.len() as NodeId).collect();
            let got = committed_index(&voters, |id| matched[id as usize - 1]);
            prop_assert_eq!(got, naive_commit(&matched));
        }

        #[test]
        fn vote_result_matches_the_definition(votes in proptest::collection::vec(proptest::option::of(any::<bool>()), 0..12)) {
            let voters: Vec<NodeId> = (1..=votes.len() as NodeId).collect();
            let got = vote_result(&voters, |id| votes[id as usize - 1]);
            prop_assert_eq!(got, naive_vote(&votes));
            let acks = votes.iter().filter(|v| **v == Some(true)).count();
            prop_assert_eq!(
                has_majority(&voters, |id| votes[id as usize - 1] == Some(true)),
                !votes.is_empty() && acks * 2 > votes.len()
            );
        }
    }
}

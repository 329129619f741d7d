//! Node configuration, including the deliberately planted bugs.

use crate::types::{NodeId, TimeUs};
use core::fmt;

/// Deliberately planted bugs, all off by default.
///
/// Each one breaks a rule of the paper so a user can switch it on and watch the
/// safety checkers catch the consequence. They exist for teaching, never for use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Bugs {
    /// The leader commits an entry from an older term by counting replicas,
    /// breaking the rule of paper §5.4.2 (Figure 8).
    pub commit_old_term: bool,
    /// Votes are granted without the "candidate's log is at least as up-to-date"
    /// check of paper §5.4.1, so a leader may miss committed entries.
    pub vote_without_log_check: bool,
    /// `voted_for` is not restored on restart, so a node can vote twice in one
    /// term (paper §5.1, Figure 2 lists it as persistent state).
    pub forget_vote_on_restart: bool,
    /// A follower accepts AppendEntries whose `prev_log_term` does not match its
    /// log (paper §5.3 consistency check), breaking the Log Matching Property.
    pub skip_consistency_check: bool,
}

impl Bugs {
    /// True when any bug is switched on.
    pub const fn any(&self) -> bool {
        self.commit_old_term
            || self.vote_without_log_check
            || self.forget_vote_on_restart
            || self.skip_consistency_check
    }
}

/// Safety bugs found and fixed, kept switchable so that tests can show the
/// checkers and the swarm catch each one should it come back (a test that
/// cannot fail proves nothing). All off by default; never for use; not
/// carried in links or exports, and not offered in the playground.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Regressions {
    /// A leader counts its in-memory log toward a commit before its own disk
    /// has it, and sends a new term before storing it (a lone voter then
    /// commits entries a crash erases, and may win the same term twice).
    pub leader_counts_unpersisted_log: bool,
    /// The simulator drops a snapshot not newer than the one on disk, taking
    /// it for an echo: a joining server never stores the configuration it
    /// received, and after a crash believes it is the only voter.
    pub skip_old_snapshot: bool,
    /// The simulator tells a node its write is durable, and applies and
    /// answers what its Ready committed, while the write is still queued.
    pub ack_before_durable: bool,
}

/// Tunables of one node. Times are virtual microseconds owned by the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Config {
    /// This node's id (1-based; 0 is reserved for "nobody").
    pub id: NodeId,
    /// Lower bound of the randomized election timeout (paper §5.2).
    pub election_timeout_min_us: TimeUs,
    /// Exclusive upper bound of the randomized election timeout.
    pub election_timeout_max_us: TimeUs,
    /// How often a leader sends heartbeats; must be well below the election timeout.
    pub heartbeat_interval_us: TimeUs,
    /// Run a PreVote round before a real election (thesis §9.6).
    pub pre_vote: bool,
    /// Leaders step down without a quorum of recent contact, and followers in
    /// contact with a leader ignore vote requests (thesis §6.2, §4.2.3).
    pub check_quorum: bool,
    /// At most this many entries in one AppendEntries.
    pub max_entries_per_msg: usize,
    /// At most this many payload bytes in one AppendEntries (at least one entry is
    /// always sent); also the largest accepted proposal.
    pub max_size_per_msg_bytes: usize,
    /// At most this many AppendEntries in flight to one follower in Replicate state.
    pub max_inflight_msgs: usize,
    /// Proposals are refused while this many entries are uncommitted, so a leader
    /// cut off from its followers cannot grow its log without bound.
    pub max_uncommitted_entries: u64,
    /// The leader promotes a learner to voter by itself once the learner's match
    /// index reaches the commit index (thesis §4.2.1 catch-up).
    pub auto_promote_learners: bool,
    /// Deliberately planted bugs (all off by default).
    pub bugs: Bugs,
    /// Fixed bugs switched back on by tests (all off by default).
    #[cfg_attr(feature = "serde", serde(skip))]
    pub regressions: Regressions,
}

impl Config {
    /// The defaults for node `id`: 150–300 ms election timeout, 50 ms heartbeats,
    /// PreVote and CheckQuorum on.
    pub fn new(id: NodeId) -> Self {
        Config {
            id,
            election_timeout_min_us: 150_000,
            election_timeout_max_us: 300_000,
            heartbeat_interval_us: 50_000,
            pre_vote: true,
            check_quorum: true,
            max_entries_per_msg: 64,
            max_size_per_msg_bytes: 1 << 20,
            max_inflight_msgs: 8,
            max_uncommitted_entries: 100_000,
            auto_promote_learners: true,
            bugs: Bugs::default(),
            regressions: Regressions::default(),
        }
    }

    /// Checks the relations between fields that the protocol relies on.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.id == 0 {
            return Err(ConfigError::ZeroId);
        }
        if self.election_timeout_min_us == 0
            || self.election_timeout_max_us <= self.election_timeout_min_us
        {
            return Err(ConfigError::ElectionTimeoutRange);
        }
        if self.heartbeat_interval_us == 0
            || self.heartbeat_interval_us >= self.election_timeout_min_us
        {
            return Err(ConfigError::HeartbeatNotBelowElectionTimeout);
        }
        if self.max_entries_per_msg == 0
            || self.max_inflight_msgs == 0
            || self.max_size_per_msg_bytes == 0
            || self.max_uncommitted_entries == 0
        {
            return Err(ConfigError::ZeroLimit);
        }
        Ok(())
    }
}

/// Why a [`Config`] was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ConfigError {
    /// Id 0 means "nobody" in votes and leader hints.
    ZeroId,
    /// The election timeout range must be non-empty and start above zero.
    ElectionTimeoutRange,
    /// Heartbeats must come more often than the shortest election timeout, or
    /// followers would start elections against a healthy leader.
    HeartbeatNotBelowElectionTimeout,
    /// A flow-control limit of zero would stop replication entirely.
    ZeroLimit,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConfigError::ZeroId => "node id must not be 0",
            ConfigError::ElectionTimeoutRange => {
                "need 0 < election_timeout_min_us < election_timeout_max_us"
            }
            ConfigError::HeartbeatNotBelowElectionTimeout => {
                "need 0 < heartbeat_interval_us < election_timeout_min_us"
            }
            ConfigError::ZeroLimit => "message, inflight and uncommitted limits must be positive",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bug_free() {
        let c = Config::new(1);
        assert_eq!(c.validate(), Ok(()));
        assert!(!c.bugs.any());
        assert!(c.pre_vote && c.check_quorum);
    }

    #[test]
    fn validate_rejects_bad_relations() {
        let mut c = Config::new(0);
        assert_eq!(c.validate(), Err(ConfigError::ZeroId));
        c.id = 1;
        c.election_timeout_max_us = c.election_timeout_min_us;
        assert_eq!(c.validate(), Err(ConfigError::ElectionTimeoutRange));
        c = Config::new(1);
        c.heartbeat_interval_us = c.election_timeout_min_us;
        assert_eq!(
            c.validate(),
            Err(ConfigError::HeartbeatNotBelowElectionTimeout)
        );
        c = Config::new(1);
        c.max_inflight_msgs = 0;
        assert_eq!(c.validate(), Err(ConfigError::ZeroLimit));
    }
}

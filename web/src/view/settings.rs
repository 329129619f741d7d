//! The network and protocol settings as the Network panel shows them: read
//! from what the simulation runs with now ([`Sim::settings`]), so a seek, a
//! fork, a link or a scenario shows the values in use.
//!
//! [`Sim::settings`]: raft_core::sim::Sim::settings

use raft_core::raft::Bugs;
use raft_core::sim::{SimConfig, PPM};

/// What the Network panel draws.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    /// Smallest one-way latency, whole milliseconds.
    pub latency_min_ms: u64,
    /// Largest one-way latency, whole milliseconds.
    pub latency_max_ms: u64,
    /// Message loss, percent.
    pub loss_pct: f64,
    /// Message duplication, percent.
    pub duplication_pct: f64,
    /// PreVote on.
    pub pre_vote: bool,
    /// CheckQuorum on.
    pub check_quorum: bool,
    /// The planted bugs switched on.
    pub bugs: Bugs,
}

impl Settings {
    /// The settings of `config` (pass [`Sim::settings`](raft_core::sim::Sim::settings)).
    pub fn of(config: &SimConfig) -> Settings {
        Settings {
            latency_min_ms: config.latency_min_us / 1000,
            latency_max_ms: config.latency_max_us / 1000,
            loss_pct: config.loss_ppm as f64 * 100.0 / PPM as f64,
            duplication_pct: config.duplication_ppm as f64 * 100.0 / PPM as f64,
            pre_vote: config.pre_vote,
            check_quorum: config.check_quorum,
            bugs: config.bugs,
        }
    }
}

/// A protocol switch: changing one restarts the run with the same seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Switch {
    /// PreVote (thesis §9.6).
    PreVote,
    /// CheckQuorum.
    CheckQuorum,
    /// Planted bug: commit an old-term entry by counting replicas.
    CommitOldTerm,
    /// Planted bug: grant votes without the up-to-date check.
    VoteWithoutLogCheck,
    /// Planted bug: votedFor not persisted.
    ForgetVoteOnRestart,
    /// Planted bug: accept AppendEntries without the consistency check.
    SkipConsistencyCheck,
}

impl Switch {
    /// `config` with this switch set to `on`.
    pub fn apply(self, config: &SimConfig, on: bool) -> SimConfig {
        let mut next = config.clone();
        match self {
            Switch::PreVote => next.pre_vote = on,
            Switch::CheckQuorum => next.check_quorum = on,
            Switch::CommitOldTerm => next.bugs.commit_old_term = on,
            Switch::VoteWithoutLogCheck => next.bugs.vote_without_log_check = on,
            Switch::ForgetVoteOnRestart => next.bugs.forget_vote_on_restart = on,
            Switch::SkipConsistencyCheck => next.bugs.skip_consistency_check = on,
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use raft_core::sim::Sim;

    #[test]
    fn the_panel_shows_the_latency_in_use_not_the_starting_one() {
        let mut sim = Sim::new(SimConfig::default()).unwrap();
        sim.set_latency(120_000, 150_000).unwrap();
        sim.set_loss(PPM / 10).unwrap();
        let shown = Settings::of(&sim.settings());
        assert_eq!((shown.latency_min_ms, shown.latency_max_ms), (120, 150));
        assert_eq!(shown.loss_pct, 10.0);
        let start = Settings::of(sim.config());
        assert_eq!((start.latency_min_ms, start.latency_max_ms), (10, 20));
    }

    #[test]
    fn a_switch_changes_only_itself() {
        let config = SimConfig::default();
        let next = Switch::SkipConsistencyCheck.apply(&config, true);
        assert!(next.bugs.skip_consistency_check);
        assert_eq!(
            Switch::SkipConsistencyCheck.apply(&next, false),
            config,
            "and back"
        );
        assert!(!Switch::PreVote.apply(&config, false).pre_vote);
    }
}

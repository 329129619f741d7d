//! The bug hunt: raft-core's swarm run seed by seed in Web Workers, each
//! failure shrunk (in a worker too) and opened as a normal run.
//!
//! - this file: what a hunt is ([`HuntSpec`], [`PlantedBug`]), the deep
//!   link (`?hunt=vote-without-log-check&hunt-seeds=500`), and the typed
//!   messages between the page and a worker ([`ToWorker`], [`FromWorker`]),
//!   JSON strings checked on arrival (a malformed one is refused, never a panic)
//!
//! The page never reads a run: a worker sends a failing run as an opaque
//! string (JSON, sent back to be shrunk) and a shrunk one as a share link
//! payload, which the page already reads. Deserializing runs on the page
//! cost 13 KB of its first load (gzipped).
//! - [`worker`]: what a worker does with a message (a pure function, tested
//!   natively) and the worker's entry point
//! - [`pool`]: the page's side, the workers and who gets which seed
//!
//! The worker is its own binary (`src/bin/hunt_worker.rs`), built by Trunk
//! with `data-type="worker"`, loaded only when a hunt starts.

pub mod pool;
pub mod worker;

use crate::fixed::f2;
use raft_core::check::invariants::Property;
use raft_core::raft::Bugs;
use raft_core::scenario::link::MAX_LINK_TIME_US;
use raft_core::scenario::ShareState;
use raft_core::sim::record::MAX_RECORDED_FAULTS;
use raft_core::sim::shrink::{Run, RunSize};
use raft_core::sim::swarm::{FaultMix, SwarmParams};
use raft_core::sim::MAX_NODES;
use raft_core::types::TimeUs;
use serde::{Deserialize, Serialize};

/// Most seeds one hunt may run.
pub const MAX_SEEDS: u64 = 100_000;
/// Seeds a hunt runs unless told otherwise.
pub const DEFAULT_SEEDS: u64 = 500;
/// Most workers, whatever the machine has (the stage keeps a core).
pub const MAX_WORKERS: usize = 4;
/// Longest message accepted either way, bytes (a shrunk run is a few KB,
/// a recorded one rarely over 100 KB).
pub const MAX_MESSAGE_BYTES: usize = 4 << 20;
/// Most seeds in one message.
pub const MAX_BATCH: usize = 64;
/// Replays one shrink may spend (raft-core's default).
pub const SHRINK_REPLAYS: u32 = raft_core::sim::shrink::DEFAULT_MAX_REPLAYS;

/// A bug planted in the protocol for the hunt to find.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlantedBug {
    /// Votes are granted without the up-to-date log check.
    VoteWithoutLogCheck,
    /// `voted_for` is lost on restart.
    ForgetVoteOnRestart,
    /// A leader commits an older term's entry by counting replicas.
    CommitOldTerm,
    /// Followers skip the AppendEntries consistency check.
    SkipConsistencyCheck,
}

impl PlantedBug {
    /// Every planted bug, in the order the picker lists them.
    pub const ALL: [PlantedBug; 4] = [
        PlantedBug::VoteWithoutLogCheck,
        PlantedBug::ForgetVoteOnRestart,
        PlantedBug::CommitOldTerm,
        PlantedBug::SkipConsistencyCheck,
    ];

    /// The name in links and the picker's values.
    pub const fn name(self) -> &'static str {
        match self {
            PlantedBug::VoteWithoutLogCheck => "vote-without-log-check",
            PlantedBug::ForgetVoteOnRestart => "forget-vote-on-restart",
            PlantedBug::CommitOldTerm => "commit-old-term",
            PlantedBug::SkipConsistencyCheck => "skip-consistency-check",
        }
    }

    /// A name (dashes or underscores) back to the bug.
    pub fn parse(name: &str) -> Option<PlantedBug> {
        let name = name.replace('_', "-");
        PlantedBug::ALL.into_iter().find(|b| b.name() == name)
    }

    /// The protocol switch.
    pub fn bugs(self) -> Bugs {
        let mut b = Bugs::default();
        match self {
            PlantedBug::VoteWithoutLogCheck => b.vote_without_log_check = true,
            PlantedBug::ForgetVoteOnRestart => b.forget_vote_on_restart = true,
            PlantedBug::CommitOldTerm => b.commit_old_term = true,
            PlantedBug::SkipConsistencyCheck => b.skip_consistency_check = true,
        }
        b
    }

    /// The fault kinds that find it soonest with the smallest shrunk run
    /// (measured natively with the swarm CLI): a lost vote matters only when
    /// a voter restarts mid-election, which the crash kind alone does most.
    pub const fn suggested_faults(self) -> &'static str {
        match self {
            PlantedBug::ForgetVoteOnRestart => "crash",
            _ => "all",
        }
    }
}

/// What a hunt runs: the swarm's parameters the page lets one choose.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HuntSpec {
    /// The planted bug, if any.
    pub bug: Option<PlantedBug>,
    /// Fault kinds, as the swarm CLI's `--faults` (comma separated).
    pub faults: String,
    /// Cluster size.
    pub nodes: usize,
}

impl Default for HuntSpec {
    fn default() -> Self {
        HuntSpec {
            bug: None,
            faults: "all".into(),
            nodes: 5,
        }
    }
}

impl HuntSpec {
    /// The swarm's parameters, or why there are none.
    pub fn params(&self) -> Result<SwarmParams, String> {
        if self.nodes == 0 || self.nodes > MAX_NODES {
            return Err(format!(
                "A hunt needs 1 to {MAX_NODES} nodes, not {}.",
                self.nodes
            ));
        }
        let allowed = FaultMix::parse(&self.faults)
            .map_err(|e| format!("The fault kinds cannot be read: {e}."))?;
        Ok(SwarmParams {
            nodes: self.nodes,
            bugs: self.bug.map(PlantedBug::bugs).unwrap_or_default(),
            allowed,
            ..SwarmParams::default()
        })
    }
}

/// A hunt the page was asked to start: what and how many seeds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HuntRequest {
    /// What to run.
    pub spec: HuntSpec,
    /// Seeds 1 to `seeds`.
    pub seeds: u64,
    /// Workers, when the link says (`hunt-workers`, to compare rates);
    /// otherwise one per core, at most [`MAX_WORKERS`].
    pub workers: Option<usize>,
}

/// Checks a seed count typed in the panel or given in the link.
pub fn parse_seeds(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(n) if (1..=MAX_SEEDS).contains(&n) => Ok(n),
        _ => Err(format!(
            "The number of seeds must be a whole number from 1 to {MAX_SEEDS}, not \"{}\".",
            shorten(text)
        )),
    }
}

fn shorten(text: &str) -> String {
    text.chars().take(40).collect()
}

/// The hunt asked for by the page address, if any: `hunt=<bug>|none`,
/// and optionally `hunt-seeds=N`, `hunt-faults=a,b`, `hunt-nodes=K`,
/// `hunt-workers=W`.
/// Anything unreadable is an error in words (the page then starts nothing).
pub fn parse_deep_link(query: &str) -> Option<Result<HuntRequest, String>> {
    let mut bug = None;
    let (mut seeds, mut faults, mut nodes, mut workers) = (None, None, None, None);
    for (key, value) in crate::embed::query_pairs(query) {
        match key {
            "hunt" => bug = Some(value),
            "hunt-seeds" => seeds = Some(value),
            "hunt-faults" => faults = Some(value),
            "hunt-nodes" => nodes = Some(value),
            "hunt-workers" => workers = Some(value),
            _ => {}
        }
    }
    let bug = bug?;
    Some((|| {
        let bug = match bug {
            "none" | "" => None,
            name => Some(PlantedBug::parse(name).ok_or_else(|| {
                format!(
                    "There is no planted bug \"{}\" to hunt (try {}, or none).",
                    shorten(name),
                    PlantedBug::ALL.map(PlantedBug::name).join(", ")
                )
            })?),
        };
        let faults = faults
            .map(|f| f.replace("%2C", ",").replace("%2c", ","))
            .unwrap_or_else(|| bug.map_or("all", PlantedBug::suggested_faults).to_string());
        let nodes = match nodes {
            None => 5,
            Some(n) => n
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_NODES).contains(n))
                .ok_or_else(|| {
                    format!(
                        "A hunt needs 1 to {MAX_NODES} nodes, not \"{}\".",
                        shorten(n)
                    )
                })?,
        };
        let spec = HuntSpec { bug, faults, nodes };
        spec.params()?;
        let seeds = seeds.map_or(Ok(DEFAULT_SEEDS), parse_seeds)?;
        let workers = match workers {
            None => None,
            Some(w) => Some(
                w.parse::<usize>()
                    .ok()
                    .filter(|w| (1..=MAX_WORKERS).contains(w))
                    .ok_or_else(|| {
                        format!(
                            "A hunt runs in 1 to {MAX_WORKERS} workers, not \"{}\".",
                            shorten(w)
                        )
                    })?,
            ),
        };
        Ok(HuntRequest {
            spec,
            seeds,
            workers,
        })
    })())
}

/// A message from the page to a worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ToWorker {
    /// Run these seeds, one reply each (all in one message).
    Seeds {
        /// What to run.
        spec: HuntSpec,
        /// The seeds (at most [`MAX_BATCH`]).
        seeds: Vec<u64>,
    },
    /// Shrink a failing run.
    Shrink {
        /// The seed it came from (echoed back).
        seed: u64,
        /// The run, as the worker sent it ([`SeedReport::failure`]).
        run: String,
        /// The property it breaks.
        property: Property,
    },
}

/// A failure a seed ran into.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The first property broken (`None`: liveness, no leader or no commit
    /// after healing).
    pub property: Option<Property>,
    /// What the checker said.
    pub message: String,
    /// When, virtual microseconds.
    pub time_us: TimeUs,
    /// The run's size.
    pub size: RunSize,
    /// The fault kinds the seed drew.
    pub kinds: String,
}

/// What one seed did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedReport {
    /// The seed.
    pub seed: u64,
    /// Its failure and the recorded run (JSON, opaque to the page: it is
    /// sent back to be shrunk), if it failed.
    pub failure: Option<(Failure, String)>,
}

/// A shrunk failure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShrinkReport {
    /// The seed it came from.
    pub seed: u64,
    /// The property still broken.
    pub property: Property,
    /// The share link payload (`#s=` without the prefix) of the smallest
    /// run found, paused where it breaks; `None` when a fault of it is one
    /// links cannot carry.
    pub link: Option<String>,
    /// Size before.
    pub before: RunSize,
    /// Size after.
    pub after: RunSize,
    /// Replays spent.
    pub replays: u32,
    /// When the shrunk run breaks it, virtual microseconds.
    pub time_us: TimeUs,
    /// What the checker says then.
    pub message: String,
}

/// A reply from a worker to the page (a worker's message is a list of
/// them: one per seed of a [`ToWorker::Seeds`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FromWorker {
    /// Loaded and listening.
    Ready,
    /// One seed done.
    Seed(SeedReport),
    /// One shrink done.
    Shrunk(ShrinkReport),
    /// A message was refused (why, in words).
    Refused(String),
}

/// Reads a message, refusing one too long, malformed or out of range.
pub fn decode<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    if text.len() > MAX_MESSAGE_BYTES {
        return Err(format!(
            "a hunt message of {} bytes is over the limit of {MAX_MESSAGE_BYTES}",
            text.len()
        ));
    }
    serde_json::from_str(text).map_err(|e| format!("a malformed hunt message: {e}"))
}

/// Writes a message.
pub fn encode<T: Serialize>(message: &T) -> String {
    serde_json::to_string(message).unwrap_or_default()
}

/// Checks a run received in a message before replaying it: a valid
/// configuration, at most [`MAX_RECORDED_FAULTS`] faults in time order, an
/// end within a link's hour.
pub fn check_run(run: &Run) -> Result<(), String> {
    run.config
        .validate()
        .map_err(|e| format!("the run's configuration is invalid: {e}"))?;
    if run.faults.len() > MAX_RECORDED_FAULTS {
        return Err(format!("the run has over {MAX_RECORDED_FAULTS} faults"));
    }
    if run.faults.windows(2).any(|w| w[1].at_us < w[0].at_us) {
        return Err("the run's faults are not in time order".into());
    }
    if run.end_us > MAX_LINK_TIME_US {
        return Err("the run is longer than an hour".into());
    }
    Ok(())
}

/// The share state that opens `run` in the main view, paused at `time_us`
/// (where its property broke); `None` when a fault of it is one links
/// cannot carry.
pub fn watch_state(run: &Run, time_us: TimeUs) -> Option<ShareState> {
    let mut share = ShareState::of_run(run)?;
    share.time_us = time_us.min(run.end_us);
    Some(share)
}

/// Seconds, from virtual microseconds, for the panel.
pub fn seconds(us: TimeUs) -> String {
    format!("{} s", f2(us as f64 / 1e6))
}

/// A run's size in words.
pub fn describe_size(s: &RunSize) -> String {
    format!(
        "{} fault{}, {} client op{}, {}",
        s.faults,
        if s.faults == 1 { "" } else { "s" },
        s.client_ops,
        if s.client_ops == 1 { "" } else { "s" },
        seconds(s.virtual_us)
    )
}

#[cfg(test)]
mod tests;

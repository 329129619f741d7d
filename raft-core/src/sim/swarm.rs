//! Swarm testing (after TigerBeetle's VOPR): per seed, a random subset of
//! fault kinds is enabled and a nemesis injects them during a safety phase;
//! then every fault is healed and the cluster must elect a leader and commit
//! a new write within a bound (liveness phase). The healed phase always runs
//! to its end, so every seed covers the same virtual time (30 s by default).
//!
//! Most kinds strike at random; `leader-churn` plays episodes that react to
//! the cluster's state (who leads, what each log holds) to build the Raft
//! paper's Figure 8 histories, which random faults hardly ever reach.

use super::config::SimConfig;
use super::rng::{derive_seed, SimRng};
use super::shrink::Run;
use super::trace::TraceKind;
use super::world::Sim;
use crate::check::invariants::Violation;
use crate::check::linearizability::Verdict;
use crate::kv::Op;
use crate::raft::{Bugs, Regressions};
use crate::types::{NodeId, TimeUs};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

mod leader_churn;
mod membership;

const NEMESIS: u64 = 0x6E65_6D65;

/// Which kinds of faults a run may inject.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FaultMix {
    /// Crash and restart nodes.
    pub crash: bool,
    /// Partition the network and cut single links.
    pub partition: bool,
    /// Random message loss.
    pub loss: bool,
    /// Random message duplication (and reordering).
    pub duplication: bool,
    /// Pause and resume nodes.
    pub pause: bool,
    /// Clock drift.
    pub drift: bool,
    /// Slow disk writes.
    pub disk_latency: bool,
    /// Figure-8-shaped leader changes, reacting to who leads and what each
    /// log holds: a leader is cut off with a minority and a burst of writes
    /// (an uncommitted tail), the next leader is isolated with its first
    /// entry, and the one after is cut off while its older-term entries have
    /// reached a majority but its own have not; then the isolated leader
    /// rejoins. Episodes take turns with the other kinds' random faults.
    pub leader_churn: bool,
    /// Servers join and leave (the leader too), and joiners crash.
    pub membership: bool,
    /// The cluster starts as one voter; joins and removals keep passing
    /// through a single voter with learners.
    pub lone_voter: bool,
    /// Crashes in the middle of a disk write (disk latency always on): the
    /// Ready's messages left, its state reached the disk in part or not at all.
    pub torn_write: bool,
}

/// Fault kind names, as accepted by [`FaultMix::parse`].
pub const FAULT_NAMES: [&str; 11] = [
    "crash",
    "partition",
    "loss",
    "duplication",
    "pause",
    "drift",
    "disk-latency",
    "leader-churn",
    "membership",
    "lone-voter",
    "torn-write",
];

impl FaultMix {
    /// Every fault kind.
    pub fn all() -> Self {
        FaultMix {
            crash: true,
            partition: true,
            loss: true,
            duplication: true,
            pause: true,
            drift: true,
            disk_latency: true,
            leader_churn: true,
            membership: true,
            lone_voter: true,
            torn_write: true,
        }
    }

    fn flags(&mut self) -> [&mut bool; 11] {
        [
            &mut self.crash,
            &mut self.partition,
            &mut self.loss,
            &mut self.duplication,
            &mut self.pause,
            &mut self.drift,
            &mut self.disk_latency,
            &mut self.leader_churn,
            &mut self.membership,
            &mut self.lone_voter,
            &mut self.torn_write,
        ]
    }

    /// A random non-empty subset of the kinds allowed by `self`.
    pub fn draw(mut self, rng: &mut SimRng) -> Self {
        let allowed = self;
        loop {
            let mut any = false;
            for f in self.flags() {
                if *f {
                    *f = rng.below(2) == 1;
                    any |= *f;
                }
            }
            if any || allowed == FaultMix::default() {
                return self;
            }
            self = allowed;
        }
    }

    /// Parses a comma-separated list of [`FAULT_NAMES`] (or `all`, `none`).
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut m = FaultMix::default();
        for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match name {
                "all" => m = FaultMix::all(),
                "none" => {}
                _ => {
                    let i = FAULT_NAMES
                        .iter()
                        .position(|n| *n == name)
                        .ok_or_else(|| format!("unknown fault {name:?}"))?;
                    *m.flags()[i] = true;
                }
            }
        }
        Ok(m)
    }

    /// The enabled kinds, comma separated.
    pub fn describe(mut self) -> String {
        let mut out = String::new();
        for (i, f) in self.flags().into_iter().enumerate() {
            if *f {
                if !out.is_empty() {
                    out.push(',');
                }
                out.push_str(FAULT_NAMES[i]);
            }
        }
        out
    }
}

/// Parameters of one swarm run.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SwarmParams {
    /// Cluster size.
    pub nodes: usize,
    /// Planted bugs.
    pub bugs: Bugs,
    /// Fixed bugs switched back on (to show the swarm would catch them).
    #[cfg_attr(feature = "serde", serde(skip))]
    pub regressions: Regressions,
    /// Fault kinds the per-seed draw chooses from.
    pub allowed: FaultMix,
    /// Length of the phase with faults, microseconds.
    pub safety_us: TimeUs,
    /// Length of the healed phase, which is also the bound on electing a
    /// leader and committing a new write, microseconds.
    pub liveness_us: TimeUs,
    /// Total client operations per second.
    pub client_ops_per_sec: u32,
    /// Linearizability search budget.
    pub lin_steps: u64,
}

impl Default for SwarmParams {
    fn default() -> Self {
        SwarmParams {
            nodes: 5,
            bugs: Bugs::default(),
            regressions: Regressions::default(),
            allowed: FaultMix::all(),
            safety_us: 20_000_000,
            liveness_us: 10_000_000,
            client_ops_per_sec: 20,
            lin_steps: 2_000_000,
        }
    }
}

/// What one seed did.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SwarmOutcome {
    /// The seed.
    pub seed: u64,
    /// The fault kinds drawn.
    pub faults: FaultMix,
    /// Safety violations (invariants and linearizability).
    pub violations: Vec<Violation>,
    /// Why the liveness phase failed, if it did.
    pub liveness_failure: Option<String>,
    /// Linearizability could not be decided within the budget.
    pub lin_unknown: bool,
    /// Events processed.
    pub events: u64,
    /// Virtual time simulated, microseconds.
    pub sim_us: TimeUs,
    /// Final trace hash.
    pub trace_hash: u64,
}

impl SwarmOutcome {
    /// No safety violation and no liveness failure.
    pub fn passed(&self) -> bool {
        self.violations.is_empty() && self.liveness_failure.is_none()
    }
}

/// The configuration a swarm run uses for `seed` and `faults`.
pub fn swarm_config(seed: u64, params: &SwarmParams, faults: FaultMix) -> SimConfig {
    let mut rng = SimRng::new(seed, NEMESIS ^ 1);
    let mut cfg = SimConfig::with_seed(seed);
    cfg.nodes = params.nodes;
    cfg.bugs = params.bugs;
    cfg.regressions = params.regressions;
    cfg.clients = 3;
    cfg.client_ops_per_sec = params.client_ops_per_sec;
    cfg.snapshot_threshold = 200;
    cfg.trace_capacity = 1_000;
    if faults.loss {
        cfg.loss_ppm = rng.range_inclusive(1_000, 100_000) as u32;
    }
    if faults.duplication {
        cfg.duplication_ppm = rng.range_inclusive(1_000, 100_000) as u32;
        cfg.reorder_ppm = rng.range_inclusive(1_000, 200_000) as u32;
    }
    if faults.drift {
        cfg.max_drift_ppm = rng.range_inclusive(1_000, 200_000) as u32;
    }
    if faults.disk_latency {
        cfg.disk_latency_us = rng.range_inclusive(100, 20_000);
    }
    if faults.torn_write && cfg.disk_latency_us == 0 {
        // A write must take time for a crash to tear it.
        cfg.disk_latency_us = rng.range_inclusive(1_000, 20_000);
    }
    if faults.lone_voter {
        cfg.nodes = 1;
    }
    cfg
}

/// Injects one random fault (or repair) of the enabled kinds.
pub fn nemesis_step(sim: &mut Sim, rng: &mut SimRng, faults: FaultMix) {
    let ids: Vec<NodeId> = sim.node_ids();
    let n = ids.len() as u64;
    let pick = |rng: &mut SimRng| ids[rng.below(n) as usize];
    match rng.below(8) {
        0 | 1 if faults.crash => {
            let id = pick(rng);
            if sim.is_crashed(id) == Some(true) {
                let _ = sim.restart(id);
            } else {
                let _ = sim.crash(id);
            }
        }
        2 | 3 if faults.partition => {
            let mut a = Vec::new();
            let mut b = Vec::new();
            for &id in &ids {
                if rng.below(2) == 0 {
                    a.push(id);
                } else {
                    b.push(id);
                }
            }
            let _ = sim.partition(alloc::vec![a, b]);
        }
        4 if faults.partition => {
            let (x, y) = (pick(rng), pick(rng));
            if x != y {
                let _ = sim.cut_link(x, y);
            }
        }
        5 if faults.pause => {
            let id = pick(rng);
            if sim.is_paused(id) == Some(true) {
                let _ = sim.resume(id);
            } else {
                let _ = sim.pause(id);
            }
        }
        6 => {
            let _ = sim.heal_all();
        }
        _ => {
            // Repair something: restart a crashed node or resume a paused one.
            for &id in &ids {
                if sim.is_crashed(id) == Some(true) {
                    let _ = sim.restart(id);
                    break;
                }
                if sim.is_paused(id) == Some(true) {
                    let _ = sim.resume(id);
                    break;
                }
            }
        }
    }
}

/// How often the bouncing nemesis looks at the trace, microseconds.
const BOUNCE_POLL_US: TimeUs = 5_000;

/// Runs to `until_us`, looking at the cluster every few milliseconds when
/// the drawn kinds react to it:
/// - `crash`: every [`BOUNCE_POLL_US`], restarts (crash, then restart at once)
///   a node that has just granted a vote, with probability 1/4. A process
///   restart in the middle of an election is what a lost `votedFor` needs to
///   matter: the restarted voter may grant a second candidate of the same
///   term (`forget-vote-on-restart`).
/// - `torn-write`: every [`membership::TORN_POLL_US`], may crash a node
///   whose disk write is under way.
fn run_polling(sim: &mut Sim, nemesis: &mut SimRng, until_us: TimeUs, faults: FaultMix) {
    if !faults.crash && !faults.torn_write {
        sim.run_until(until_us);
        return;
    }
    let poll = if faults.torn_write {
        membership::TORN_POLL_US
    } else {
        BOUNCE_POLL_US
    };
    while sim.now_us() < until_us {
        let seen = sim.trace().total();
        sim.run_until((sim.now_us() + poll).min(until_us));
        if faults.crash {
            bounce_voters(sim, nemesis, seen);
        }
        if faults.torn_write {
            membership::maybe_tear_a_write(sim, nemesis);
        }
    }
}

/// Restarts, each with probability 1/4, the nodes that granted a vote to
/// another node in the trace events from number `seen` on.
fn bounce_voters(sim: &mut Sim, nemesis: &mut SimRng, seen: u64) {
    let voters: Vec<NodeId> = sim
        .trace()
        .since(seen)
        .filter_map(|e| match e.kind {
            TraceKind::Voted {
                voter,
                candidate,
                granted: true,
                ..
            } if voter != candidate => Some(voter),
            _ => None,
        })
        .collect();
    for voter in voters {
        if nemesis.below(4) == 0 && sim.crash(voter).is_ok() {
            let _ = sim.restart(voter);
        }
    }
}

/// Longest virtual time one leader-churn episode may take, microseconds.
const CHURN_EPISODE_US: TimeUs = 8_000_000;

/// Heals every fault: links, loss, crashed and paused nodes.
pub fn heal_everything(sim: &mut Sim) {
    let _ = sim.heal_all();
    let _ = sim.set_loss(0);
    let _ = sim.set_duplication(0);
    let _ = sim.set_reorder(0, 0);
    for id in sim.node_ids() {
        let _ = sim.restart(id);
        let _ = sim.resume(id);
    }
}

/// Runs one seed: draw the fault mix, safety phase, liveness phase, checks.
pub fn run_seed(seed: u64, params: &SwarmParams) -> SwarmOutcome {
    run(seed, params, false).0
}

/// [`run_seed`], with the run it made as an explicit list of timed faults
/// (replaying it gives the same trace; [`super::shrink`] shrinks it).
pub fn run_seed_recorded(seed: u64, params: &SwarmParams) -> (SwarmOutcome, Run) {
    let (outcome, run) = run(seed, params, true);
    (outcome, run.expect("recorded"))
}

fn run(seed: u64, params: &SwarmParams, record: bool) -> (SwarmOutcome, Option<Run>) {
    let mut rng = SimRng::new(seed, NEMESIS);
    let faults = params.allowed.draw(&mut rng);
    let cfg = swarm_config(seed, params, faults);
    let mut sim = Sim::new(cfg.clone()).expect("swarm configurations are valid");
    if record {
        sim.record_faults();
    }
    let mut nemesis = SimRng::new(derive_seed(seed, NEMESIS, 2), NEMESIS);
    // Safety phase: faults at random intervals, and leader-churn episodes.
    let mut episodes = 0;
    while sim.now_us() < params.safety_us {
        if faults.leader_churn && nemesis.below(3) == 0 {
            let end = (sim.now_us() + CHURN_EPISODE_US).min(params.safety_us);
            let mut churn = leader_churn::Churn {
                rng: &mut nemesis,
                bounce_voters: faults.crash,
                episode: episodes,
            };
            churn.episode(&mut sim, end);
            episodes += 1;
            continue;
        }
        let gap = nemesis.range_inclusive(100_000, 1_500_000);
        let until = (sim.now_us() + gap).min(params.safety_us);
        run_polling(&mut sim, &mut nemesis, until, faults);
        if sim.now_us() < params.safety_us {
            nemesis_step(&mut sim, &mut nemesis, faults);
            if faults.membership && nemesis.below(2) == 0 {
                membership::membership_step(&mut sim, &mut nemesis);
            }
            if faults.lone_voter && nemesis.below(2) == 0 {
                membership::lone_voter_step(&mut sim, &mut nemesis);
            }
        }
    }
    // Liveness phase: heal, then a leader and a fresh committed write are due.
    heal_everything(&mut sim);
    let start = sim.now_us();
    let deadline = start + params.liveness_us;
    let mut liveness_failure = None;
    let mut client = None;
    let mut written = false;
    while sim.now_us() < deadline {
        sim.run_until(sim.now_us() + 50_000);
        if client.is_none() && sim.leader().is_some() {
            let op = Op::Set {
                key: String::from("liveness"),
                value: format!("{seed}"),
            };
            client = sim.client_request(op, None).ok();
        }
        written = client.is_some()
            && sim
                .history()
                .operations()
                .iter()
                .rev()
                .find(|o| Some(o.client_id) == client)
                .is_some_and(|o| o.returned().is_some());
        if written {
            // Keep running healed to the end of the phase: every seed covers
            // the same virtual time, with the checkers on throughout.
            sim.run_until(deadline);
            break;
        }
    }
    if !written {
        liveness_failure = Some(match client {
            None => format!(
                "no leader within {} ms after healing",
                params.liveness_us / 1000
            ),
            Some(_) => format!(
                "a write was not committed within {} ms after healing",
                params.liveness_us / 1000
            ),
        });
    }
    let verdict = sim.check_linearizability(params.lin_steps);
    let run = sim.recorded_faults().map(|(recorded, complete)| {
        assert!(complete, "a swarm run records fewer faults than the limit");
        Run {
            config: cfg,
            faults: recorded.to_vec(),
            end_us: sim.now_us(),
        }
    });
    let outcome = SwarmOutcome {
        seed,
        faults,
        violations: sim.violations().to_vec(),
        liveness_failure,
        lin_unknown: matches!(verdict, Verdict::Unknown { .. }),
        events: sim.events_processed(),
        sim_us: sim.now_us(),
        trace_hash: sim.trace_hash(),
    };
    (outcome, run)
}

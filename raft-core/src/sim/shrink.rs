//! Shrinking a failing run to a small one that breaks the same property,
//! in the spirit of delta debugging and proptest's shrinking.
//!
//! A [`Run`] is a configuration, an explicit list of timed faults and an end
//! time: replaying it is deterministic. [`shrink`] tries smaller runs and
//! keeps each one that still breaks the same [`Property`]:
//! 1. end at the first violation (what follows it cannot matter);
//! 2. drop faults, first in large chunks, then in smaller ones (ddmin);
//! 3. simplify the configuration: no background clients (or fewer, slower
//!    ones), no random loss, duplication, reordering, drift or slow disk,
//!    fewer nodes when no fault names the ones removed;
//!
//! and repeats until a round changes nothing or the replay budget is spent.
//! Every step is a pure function of the run, so the same failure shrinks to
//! the same run natively and in the browser.

use super::config::SimConfig;
use super::record::{Fault, TimedFault};
use super::world::Sim;
use crate::check::invariants::Property;
use crate::types::TimeUs;
use alloc::vec::Vec;

/// Linearizability search budget of a replay (as the swarm's).
pub const SHRINK_LIN_STEPS: u64 = 2_000_000;
/// Replays a shrink may spend by default.
pub const DEFAULT_MAX_REPLAYS: u32 = 2_000;

/// A run replayable from an explicit list of timed faults.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Run {
    /// The configuration, seed included.
    pub config: SimConfig,
    /// The faults, in time order.
    pub faults: Vec<TimedFault>,
    /// Where the run ends, microseconds.
    pub end_us: TimeUs,
}

/// How big a run is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RunSize {
    /// Fault injections (client requests not counted).
    pub faults: usize,
    /// Client operations invoked (background clients and requests).
    pub client_ops: usize,
    /// Virtual time, microseconds.
    pub virtual_us: TimeUs,
    /// Nodes at the start.
    pub nodes: usize,
}

/// What a replay showed.
struct Outcome {
    /// When `property` was first broken, if it was.
    broken_at: Option<TimeUs>,
    client_ops: usize,
}

impl Run {
    /// Replays the run to its end (linearizability checked at the end).
    pub fn replay(&self) -> Sim {
        // A fault refused here was refused (and not recorded) before, or a
        // removed one made it moot: either way, nothing changes.
        let mut sim = self.inject_all(|_, _| {});
        sim.run_until(self.end_us);
        let _ = sim.check_linearizability(SHRINK_LIN_STEPS);
        sim
    }

    /// A fresh simulation with the faults up to the end injected at their
    /// times; `taken(fault, accepted)` hears of each.
    fn inject_all(&self, mut taken: impl FnMut(&TimedFault, bool)) -> Sim {
        let mut sim = Sim::new(self.config.clone()).expect("a shrunk run keeps a valid config");
        for f in self.faults.iter().filter(|f| f.at_us <= self.end_us) {
            sim.run_until(f.at_us);
            let accepted = sim.inject(&f.fault).is_ok();
            taken(f, accepted);
        }
        sim
    }

    fn outcome(&self, property: Property) -> Outcome {
        let sim = self.replay();
        Outcome {
            broken_at: sim
                .violations()
                .iter()
                .find(|v| v.property == property)
                .map(|v| v.time_us),
            client_ops: sim.history().operations().len(),
        }
    }

    /// The run without the faults the simulation refuses when replayed
    /// (a restart whose crash was shrunk away): they change nothing, and a
    /// page replaying the run would report each one.
    pub fn without_refused(&self) -> Run {
        let mut kept = Vec::with_capacity(self.faults.len());
        self.inject_all(|f, accepted| {
            if accepted {
                kept.push(f.clone());
            }
        });
        Run {
            faults: kept,
            ..self.clone()
        }
    }

    /// Its size (replays it to count the client operations).
    pub fn size(&self) -> RunSize {
        let sim = self.replay();
        self.size_with(sim.history().operations().len())
    }

    fn size_with(&self, client_ops: usize) -> RunSize {
        RunSize {
            faults: self
                .faults
                .iter()
                .filter(|f| f.at_us <= self.end_us && !f.fault.is_client_request())
                .count(),
            client_ops,
            virtual_us: self.end_us,
            nodes: self.config.nodes,
        }
    }
}

/// The result of [`shrink`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shrunk {
    /// The smallest run found that breaks the property.
    pub run: Run,
    /// The property.
    pub property: Property,
    /// Size before.
    pub before: RunSize,
    /// Size after.
    pub after: RunSize,
    /// Replays spent.
    pub replays: u32,
}

/// The search: a budget, and the smallest failing run so far.
struct Search {
    property: Property,
    best: Run,
    best_ops: usize,
    replays: u32,
    max_replays: u32,
}

impl Search {
    /// Keeps `candidate` if it still breaks the property (ending it at the
    /// violation); says whether it did.
    fn try_run(&mut self, mut candidate: Run) -> bool {
        if self.replays >= self.max_replays {
            return false;
        }
        self.replays += 1;
        let out = candidate.outcome(self.property);
        let Some(at) = out.broken_at else {
            return false;
        };
        // Linearizability is judged over the whole history at the end: its
        // "time" is the end, so only the invariants can cut the run there.
        if self.property != Property::Linearizability {
            candidate.end_us = candidate.end_us.min(at);
            candidate.faults.retain(|f| f.at_us <= candidate.end_us);
        }
        self.best = candidate;
        self.best_ops = out.client_ops;
        true
    }

    /// ddmin over the faults: drop chunks while the run still fails.
    fn drop_faults(&mut self) -> bool {
        let mut progress = false;
        let mut chunk = self.best.faults.len().div_ceil(2).max(1);
        while chunk >= 1 && !self.best.faults.is_empty() {
            let mut start = 0;
            let mut removed_any = false;
            while start < self.best.faults.len() {
                let mut candidate = self.best.clone();
                let end = (start + chunk).min(candidate.faults.len());
                candidate.faults.drain(start..end);
                if self.try_run(candidate) {
                    removed_any = true;
                    progress = true;
                } else {
                    start += chunk;
                }
                if self.replays >= self.max_replays {
                    return progress;
                }
            }
            if !removed_any {
                if chunk == 1 {
                    break;
                }
                chunk = chunk.div_ceil(2);
            }
        }
        progress
    }

    /// Halves the run's length while it still fails (linearizability, whose
    /// violation has no earlier moment to end at).
    fn shorten(&mut self) -> bool {
        let mut progress = false;
        loop {
            let mut candidate = self.best.clone();
            candidate.end_us /= 2;
            if candidate.end_us == 0 {
                return progress;
            }
            candidate.faults.retain(|f| f.at_us <= candidate.end_us);
            if !self.try_run(candidate) {
                return progress;
            }
            progress = true;
        }
    }

    /// Simpler configurations, each kept if the run still fails.
    fn simplify_config(&mut self) -> bool {
        let mut progress = false;
        let edits: [fn(&mut SimConfig) -> bool; 8] = [
            |c| core::mem::replace(&mut c.clients, 0) != 0,
            |c| {
                let fewer = c.clients / 2;
                (fewer >= 1 && fewer < c.clients) && {
                    c.clients = fewer;
                    true
                }
            },
            |c| {
                let slower = c.client_ops_per_sec / 2;
                (slower >= 1 && slower < c.client_ops_per_sec) && {
                    c.client_ops_per_sec = slower;
                    true
                }
            },
            |c| core::mem::replace(&mut c.loss_ppm, 0) != 0,
            |c| {
                let dup = core::mem::replace(&mut c.duplication_ppm, 0) != 0;
                let reorder = core::mem::replace(&mut c.reorder_ppm, 0) != 0;
                dup || reorder
            },
            |c| core::mem::replace(&mut c.max_drift_ppm, 0) != 0,
            |c| core::mem::replace(&mut c.disk_latency_us, 0) != 0,
            |c| core::mem::replace(&mut c.snapshot_threshold, 0) != 0,
        ];
        for edit in edits {
            // Each edit as long as it applies and helps (halving repeats).
            loop {
                let mut candidate = self.best.clone();
                if !edit(&mut candidate.config) || candidate.config.validate().is_err() {
                    break;
                }
                if !self.try_run(candidate) {
                    break;
                }
                progress = true;
            }
        }
        // Fewer nodes, when no fault names the ones that would go.
        while self.best.config.nodes > 1 {
            let fewer = self.best.config.nodes - 1;
            let named = self
                .best
                .faults
                .iter()
                .flat_map(|f| f.fault.nodes())
                .max()
                .unwrap_or(0);
            let adds = self
                .best
                .faults
                .iter()
                .any(|f| matches!(f.fault, Fault::Act(super::Action::AddNode)));
            if named as usize > fewer || adds {
                break;
            }
            let mut candidate = self.best.clone();
            candidate.config.nodes = fewer;
            if candidate.config.validate().is_err() || !self.try_run(candidate) {
                break;
            }
            progress = true;
        }
        progress
    }
}

/// Shrinks `run`, which must break `property`, spending at most
/// `max_replays` replays. If `run` does not break it, it is returned as is.
pub fn shrink(run: Run, property: Property, max_replays: u32) -> Shrunk {
    let first = run.outcome(property);
    let before = run.size_with(first.client_ops);
    let mut search = Search {
        property,
        best: run.clone(),
        best_ops: first.client_ops,
        replays: 1,
        max_replays,
    };
    if first.broken_at.is_some() {
        // The first candidate is the run itself, ended at its violation.
        search.replays = 0;
        search.try_run(run);
        loop {
            let mut progress = search.drop_faults();
            progress |= search.simplify_config();
            if property == Property::Linearizability {
                progress |= search.shorten();
            }
            if !progress || search.replays >= search.max_replays {
                break;
            }
        }
    }
    let best = search.best.without_refused();
    let after = best.size_with(search.best_ops);
    Shrunk {
        run: best,
        property,
        before,
        after,
        replays: search.replays,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raft::Bugs;
    use crate::sim::Action;
    use alloc::vec;

    /// The first swarm run (crashes and partitions) in which the
    /// vote-without-log-check bug breaks a property, recorded.
    fn failing() -> Option<(Run, Property)> {
        use crate::sim::swarm::{run_seed_recorded, FaultMix, SwarmParams};
        let params = SwarmParams {
            bugs: Bugs {
                vote_without_log_check: true,
                ..Bugs::default()
            },
            allowed: FaultMix::parse("crash,partition").unwrap(),
            ..SwarmParams::default()
        };
        (1..200).find_map(|seed| {
            let (out, run) = run_seed_recorded(seed, &params);
            out.violations.first().map(|v| (run, v.property))
        })
    }

    #[test]
    fn a_recorded_run_replays_to_the_same_trace() {
        use crate::sim::swarm::{run_seed_recorded, SwarmParams};
        let params = SwarmParams::default();
        for seed in 1..=3 {
            let (out, run) = run_seed_recorded(seed, &params);
            let sim = run.replay();
            assert_eq!(sim.trace_hash(), out.trace_hash, "seed {seed}");
        }
    }

    /// The hunt runs seeds unrecorded and records only those that fail:
    /// recording must not change what a seed does, passing or failing.
    #[test]
    fn recording_does_not_change_a_seed() {
        use crate::sim::swarm::{run_seed, run_seed_recorded, SwarmParams};
        let mut params = SwarmParams::default();
        for bug in [false, true] {
            params.bugs.vote_without_log_check = bug;
            for seed in 1..=6 {
                let (recorded, _) = run_seed_recorded(seed, &params);
                assert_eq!(run_seed(seed, &params), recorded, "seed {seed}, bug {bug}");
            }
        }
    }

    #[test]
    fn shrinking_keeps_the_property_broken_terminates_and_is_deterministic() {
        let (run, property) = failing().expect("vote-without-log-check is caught");
        let shrunk = shrink(run.clone(), property, 400);
        assert!(shrunk.replays <= 400);
        let again = shrunk.run.replay();
        assert!(
            again.violations().iter().any(|v| v.property == property),
            "the shrunk run still breaks {property:?}"
        );
        assert!(shrunk.after.faults <= shrunk.before.faults);
        assert_eq!(
            shrunk.run.without_refused(),
            shrunk.run,
            "no refused fault left"
        );
        assert_eq!(
            shrunk.run.without_refused().replay().trace_hash(),
            again.trace_hash()
        );
        assert!(shrunk.after.virtual_us <= shrunk.before.virtual_us);
        assert_eq!(shrink(run, property, 400), shrunk, "deterministic");
    }

    #[test]
    fn any_budget_is_kept_and_still_gives_a_failing_run() {
        let (run, property) = failing().expect("vote-without-log-check is caught");
        for budget in [1, 3, 10] {
            let shrunk = shrink(run.clone(), property, budget);
            assert!(
                shrunk.replays <= budget,
                "budget {budget}: {}",
                shrunk.replays
            );
            assert!(
                shrunk
                    .run
                    .replay()
                    .violations()
                    .iter()
                    .any(|v| v.property == property),
                "budget {budget}: the run still breaks {property:?}"
            );
            assert!(shrunk.after.faults <= shrunk.before.faults);
        }
    }

    #[test]
    fn a_run_that_does_not_fail_is_left_alone() {
        let run = Run {
            config: SimConfig::with_seed(5),
            faults: vec![TimedFault {
                at_us: 1_000_000,
                fault: Fault::Act(Action::Crash(1)),
            }],
            end_us: 3_000_000,
        };
        let shrunk = shrink(run.clone(), Property::ElectionSafety, 50);
        assert_eq!(shrunk.run, run);
        assert_eq!(shrunk.replays, 1);
    }
}

//! The `leader-churn` nemesis: Figure-8-shaped leader changes (Raft paper
//! §5.4.2, Figure 8).
//!
//! One episode, reacting to what the simulation shows (who leads, what each
//! log holds) and drawing every choice and delay from the nemesis RNG:
//!
//! 1. Once a leader stands, cut it off with a minority of followers just as
//!    a burst of client writes reaches it: it appends them and replicates
//!    them within its minority only (an uncommitted tail).
//! 2. The moment the majority side elects a leader of a higher term, isolate
//!    it (and maybe crash it a little later): its first entry, the no-op of
//!    its term, stays in its own log.
//! 3. Heal everyone else. Only a node holding the old tail can win now; when
//!    it leads, it catches the others up with the tail, then its own no-op.
//! 4. As soon as replicas of its older-term entries have grown to a majority
//!    while its own-term entries are still on a minority (the paper's state
//!    (c)), cut its links towards the nodes without its entries, and a moment
//!    later cut off (or crash) every node holding an entry of its term.
//! 5. The node isolated in step 2 rejoins the rest, whose logs its newer last
//!    term beats; it may win and overwrite the old tail, which correct Raft
//!    never committed. Then everything is repaired.
//!
//! Every step is an ordinary fault (partitions, one-way link cuts, crashes,
//! restarts) or ordinary client traffic, so a correct Raft stays safe; an
//! implementation that commits older-term entries by counting replicas loses
//! committed entries in step 5.

use super::super::world::Sim;
use super::super::SimRng;
use super::bounce_voters;
use crate::kv::Op;
use crate::types::{LogIndex, NodeId, Role, Term, TimeUs};
use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

/// Longest an episode waits for the cluster to get where the next step
/// needs it (a leader, an election), microseconds.
const STEP_BUDGET_US: TimeUs = 3_000_000;

/// Most client writes in one burst (the simulator's cap on user requests
/// limits it further while earlier ones are outstanding).
const BURST: usize = 64;

/// The running node among `ids` that leads in a term above `above`.
fn leader_among(sim: &Sim, ids: &[NodeId], above: Term) -> Option<NodeId> {
    ids.iter().copied().find(|&id| {
        sim.raft_node(id)
            .is_some_and(|n| n.role() == Role::Leader && n.term() > above)
    })
}

/// Heals the links and brings back crashed and paused nodes (loss,
/// duplication and drift stay as the seed drew them).
fn repair(sim: &mut Sim) {
    let _ = sim.heal_all();
    for id in sim.node_ids() {
        let _ = sim.restart(id);
        let _ = sim.resume(id);
    }
}

/// How far node `id`'s log agrees with `leader`'s: the highest index at
/// which both hold an entry of the same term (a prefix, by Log Matching).
/// Crashed nodes count as holding nothing.
fn agreement(sim: &Sim, leader: NodeId, id: NodeId) -> LogIndex {
    let (Some(l), Some(n)) = (sim.raft_node(leader), sim.raft_node(id)) else {
        return 0;
    };
    let (l, n) = (l.log(), n.log());
    // Below both snapshots every entry is committed, hence equal.
    let mut lo = l.snapshot_index().max(n.snapshot_index());
    let mut hi = l.last_index().min(n.last_index());
    if hi < lo {
        return hi;
    }
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if l.term_at(mid) == n.term_at(mid) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    lo
}

/// The highest index of `leader`'s log that a majority of `ids` holds.
fn quorum_agreement(sim: &Sim, leader: NodeId, ids: &[NodeId]) -> LogIndex {
    let mut held: Vec<LogIndex> = ids.iter().map(|&id| agreement(sim, leader, id)).collect();
    held.sort_unstable_by(|a, b| b.cmp(a));
    held[ids.len() / 2]
}

/// Whether node `id` is running and holds an entry of `term` at `index`.
fn holds(sim: &Sim, id: NodeId, index: LogIndex, term: Term) -> bool {
    sim.raft_node(id)
        .is_some_and(|n| n.log().term_at(index) == Some(term))
}

/// `k` distinct members of `from`, drawn at random.
fn choose(rng: &mut SimRng, from: &[NodeId], k: usize) -> Vec<NodeId> {
    let mut pool = from.to_vec();
    let mut out = Vec::new();
    while out.len() < k && !pool.is_empty() {
        let i = rng.below(pool.len() as u64) as usize;
        out.push(pool.swap_remove(i));
    }
    out
}

/// The leader-churn nemesis for one episode.
pub(super) struct Churn<'a> {
    /// Draws every choice and delay.
    pub(super) rng: &'a mut SimRng,
    /// Also restart nodes right after they vote, as the crash kind does.
    pub(super) bounce_voters: bool,
    /// Numbers the episode (the keys of its burst of writes).
    pub(super) episode: u64,
}

impl Churn<'_> {
    /// Runs `sim` one instant at a time until `cond` holds (true) or
    /// `until_us` passes (false).
    fn run_until_cond(
        &mut self,
        sim: &mut Sim,
        until_us: TimeUs,
        mut cond: impl FnMut(&Sim) -> bool,
    ) -> bool {
        loop {
            if cond(sim) {
                return true;
            }
            let seen = sim.trace().total();
            let next = sim.next_event_time().filter(|&t| t <= until_us);
            sim.run_until(next.unwrap_or(until_us));
            if self.bounce_voters {
                bounce_voters(sim, self.rng, seen);
            }
            if next.is_none() {
                return cond(sim);
            }
        }
    }

    /// Runs for a random while in `lo_us..=hi_us`, never past `end_us`.
    fn run_random(&mut self, sim: &mut Sim, lo_us: TimeUs, hi_us: TimeUs, end_us: TimeUs) {
        let until = (sim.now_us() + self.rng.range_inclusive(lo_us, hi_us)).min(end_us);
        self.run_until_cond(sim, until, |_| false);
    }

    /// Runs until a node of `among` leads in a term above `above` (by
    /// `until_us` at the latest) and returns it.
    fn wait_for_leader(
        &mut self,
        sim: &mut Sim,
        among: &[NodeId],
        above: Term,
        until_us: TimeUs,
    ) -> Option<NodeId> {
        if self.run_until_cond(sim, until_us, |s| leader_among(s, among, above).is_some()) {
            leader_among(sim, among, above)
        } else {
            None
        }
    }

    /// Plays one leader-churn episode (see the module documentation),
    /// stopping at `end_us` whatever step it is in. Leaves every link healed
    /// and every node up unless it ran out of time.
    pub(super) fn episode(&mut self, sim: &mut Sim, end_us: TimeUs) {
        let ids = sim.node_ids();
        let n = ids.len();
        if n < 3 {
            sim.run_until(end_us);
            return;
        }
        repair(sim);
        let budget = |sim: &Sim| (sim.now_us() + STEP_BUDGET_US).min(end_us);
        // 0. A leader, for a random while.
        let until = budget(sim);
        if !self.run_until_cond(sim, until, |s| s.leader().is_some()) {
            return;
        }
        self.run_random(sim, 0, 500_000, end_us);
        let Some(old) = sim.leader() else {
            return;
        };

        // 1. Cut the leader off with a minority just as a burst of writes arrives.
        let others: Vec<NodeId> = ids.iter().copied().filter(|&i| i != old).collect();
        let mut minority = choose(self.rng, &others, (n - 1) / 2 - 1);
        minority.push(old);
        let majority: Vec<NodeId> = ids
            .iter()
            .copied()
            .filter(|i| !minority.contains(i))
            .collect();
        let _ = sim.partition(vec![minority.clone(), majority.clone()]);
        for i in 0..BURST {
            let op = Op::Set {
                key: format!("churn{}.{i}", self.episode),
                value: format!("{i}"),
            };
            if sim.client_request(op, Some(old)).is_err() {
                break;
            }
        }

        // 2. Isolate the majority's new leader the moment it is elected.
        let term_before = majority
            .iter()
            .filter_map(|&id| sim.raft_node(id).map(|n| n.term()))
            .max()
            .unwrap_or(0);
        let until = budget(sim);
        let Some(lone) = self.wait_for_leader(sim, &majority, term_before, until) else {
            return repair(sim);
        };
        let lone_term = sim.raft_node(lone).map_or(0, |n| n.term());
        let rest: Vec<NodeId> = majority.iter().copied().filter(|&i| i != lone).collect();
        let _ = sim.partition(vec![minority.clone(), vec![lone], rest.clone()]);
        self.run_random(sim, 30_000, 600_000, end_us);
        let crashed_lone = self.rng.below(2) == 0 && sim.crash(lone).is_ok();

        // 3. Heal everyone else; a node holding the old tail wins a later term.
        let mut all_but_lone = minority.clone();
        all_but_lone.extend_from_slice(&rest);
        let _ = sim.partition(vec![vec![lone], all_but_lone.clone()]);
        let until = budget(sim);
        let Some(new) = self.wait_for_leader(sim, &all_but_lone, lone_term, until) else {
            return repair(sim);
        };
        let (new_term, own_first) = match sim.raft_node(new) {
            // Its first entry of its term (the no-op it appended on winning).
            Some(node) => {
                let log = node.log();
                (node.term(), log.first_index_of_term_at(log.last_index(), 0))
            }
            None => return repair(sim),
        };

        // 4. Strike when older-term entries have reached a majority through the
        //    new leader but its own entries are still on a minority.
        let start = quorum_agreement(sim, new, &ids);
        let until = budget(sim);
        let struck = self.run_until_cond(sim, until, |s| {
            !s.leader_of(new) || quorum_agreement(s, new, &ids) > start
        });
        if !struck || !sim.leader_of(new) || quorum_agreement(sim, new, &ids) >= own_first {
            // The moment passed (or never came): no Figure 8 this time.
            self.run_random(sim, 0, 300_000, end_us);
            return repair(sim);
        }
        let without: Vec<NodeId> = all_but_lone
            .iter()
            .copied()
            .filter(|&i| !holds(sim, i, own_first, new_term))
            .collect();
        for &id in &without {
            let _ = sim.cut_link(new, id);
        }
        self.run_random(sim, 20_000, 200_000, end_us);
        let holders: Vec<NodeId> = all_but_lone
            .iter()
            .copied()
            .filter(|&i| holds(sim, i, own_first, new_term))
            .collect();
        let mut rejoin = without;
        rejoin.push(lone);
        if self.rng.below(2) == 0 {
            for &id in &holders {
                let _ = sim.crash(id);
            }
            let _ = sim.heal_all();
        } else {
            let _ = sim.partition(vec![holders, rejoin.clone()]);
        }
        if crashed_lone {
            let _ = sim.restart(lone);
        }

        // 5. The isolated leader's newer entry meets logs it beats.
        let until = budget(sim);
        self.wait_for_leader(sim, &rejoin, new_term, until);
        self.run_random(sim, 0, 500_000, end_us);
        repair(sim);
    }
}

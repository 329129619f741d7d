//! The cluster's geometry beyond the nodes themselves: election timers,
//! votes, cut links, the groups a partition makes, and lost messages fading
//! where they vanished.

use raft_core::sim::{DropReason, MsgSummary, NodeStatus, NodeView, Sim, TraceEvent, TraceKind};
use raft_core::{NodeId, Role};

/// How long (virtual µs) a lost message stays visible while it fades.
pub const LOST_FADE_US: u64 = 40_000;

/// A directed link the user or a partition has cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cut {
    /// Sender side.
    pub from: NodeId,
    /// Receiver side.
    pub to: NodeId,
}

/// A message that was lost recently, drawn fading where it vanished.
#[derive(Clone, Debug, PartialEq)]
pub struct Lost {
    /// Sender.
    pub from: NodeId,
    /// Recipient.
    pub to: NodeId,
    /// Kind, as in `MessageBody::kind()`.
    pub kind: String,
    /// How far along its path it vanished (0..=1).
    pub along: f64,
    /// Opacity left (1 just lost, 0 gone).
    pub fade: f64,
}

/// Share of each node's election timeout still to run.
pub fn timers(nodes: &[NodeView], now_us: u64) -> Vec<Option<f64>> {
    nodes
        .iter()
        .map(|n| {
            let deadline = n.election_deadline_us?;
            if matches!(n.status, NodeStatus::Crashed | NodeStatus::Up(Role::Leader)) {
                return None;
            }
            let timeout = n.election_timeout_us.max(1) as f64;
            Some((deadline.saturating_sub(now_us) as f64 / timeout).clamp(0.0, 1.0))
        })
        .collect()
}

/// Votes each candidate has received in its current term.
pub fn votes(sim: &Sim, nodes: &[NodeView]) -> Vec<Vec<(NodeId, bool)>> {
    nodes
        .iter()
        .map(|n| match (&n.status, sim.raft_node(n.id)) {
            (NodeStatus::Up(Role::Candidate | Role::PreCandidate), Some(raft)) => raft
                .votes()
                .iter()
                .filter(|(voter, _)| **voter != n.id)
                .map(|(voter, granted)| (*voter, *granted))
                .collect(),
            _ => Vec::new(),
        })
        .collect()
}

/// Every cut directed link between current nodes.
pub fn cuts(sim: &Sim, nodes: &[NodeView]) -> Vec<Cut> {
    let mut out = Vec::new();
    for a in nodes {
        for b in nodes {
            if a.id != b.id && sim.is_cut(a.id, b.id) {
                out.push(Cut {
                    from: a.id,
                    to: b.id,
                });
            }
        }
    }
    out
}

/// The groups the network is split into: live nodes (not crashed) joined
/// by links that work both ways, as connected components. Empty unless
/// there are at least two groups, so a single cut link that traffic can
/// route around fences nothing. With `live` in ascending order (as node
/// views are), each group is too, and groups come in order of their
/// smallest id.
pub fn partition_groups(live: &[NodeId], cuts: &[Cut]) -> Vec<Vec<NodeId>> {
    let linked = |a: NodeId, b: NodeId| {
        !cuts
            .iter()
            .any(|c| (c.from, c.to) == (a, b) || (c.from, c.to) == (b, a))
    };
    // Flood fill from each node not yet reached, in `live` order.
    let mut group_of: Vec<Option<usize>> = vec![None; live.len()];
    let mut count = 0;
    for start in 0..live.len() {
        if group_of[start].is_some() {
            continue;
        }
        group_of[start] = Some(count);
        let mut stack = vec![start];
        while let Some(i) = stack.pop() {
            for j in 0..live.len() {
                if group_of[j].is_none() && linked(live[i], live[j]) {
                    group_of[j] = Some(count);
                    stack.push(j);
                }
            }
        }
        count += 1;
    }
    if count < 2 {
        return Vec::new();
    }
    // Collected in `live` order: no sorting (nor its code in the wasm) needed.
    let mut groups = vec![Vec::new(); count];
    for (i, g) in group_of.into_iter().enumerate() {
        if let Some(g) = g {
            groups[g].push(live[i]);
        }
    }
    groups
}

/// The term and summary message `id` was sent with, from the first
/// matching `MessageSent` among `events` (pass them newest first).
pub(crate) fn sent_message<'a>(
    mut events: impl Iterator<Item = &'a TraceEvent>,
    id: u64,
) -> Option<(u64, &'a MsgSummary)> {
    events.find_map(|e| match &e.kind {
        TraceKind::MessageSent {
            id: sent,
            term,
            summary,
            ..
        } if *sent == id => Some((*term, summary)),
        _ => None,
    })
}

/// Messages lost in the last [`LOST_FADE_US`], fading.
pub fn lost(sim: &Sim, now_us: u64) -> Vec<Lost> {
    let since = now_us.saturating_sub(LOST_FADE_US);
    let events = sim.trace().events();
    let mut out = Vec::new();
    for (at, ev) in events.iter().enumerate().rev() {
        if ev.time_us < since {
            break;
        }
        if let TraceKind::Dropped {
            id,
            from,
            to,
            reason,
        } = &ev.kind
        {
            // A message is sent before it is dropped: search back from the
            // drop, a latency's worth of events, not from the newest.
            let kind = sent_message(events.range(..at).rev(), *id)
                .map(|(_, summary)| summary.kind().to_string())
                .unwrap_or_default();
            let along = match reason {
                DropReason::LinkCutAtSend | DropReason::QueueFull => 0.15,
                _ => 0.85,
            };
            let fade = 1.0 - now_us.saturating_sub(ev.time_us) as f64 / LOST_FADE_US as f64;
            out.push(Lost {
                from: *from,
                to: *to,
                kind,
                along,
                fade,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use raft_core::sim::{SimConfig, Timeline};

    #[test]
    fn every_lost_message_is_drawn_with_the_kind_it_was_sent_as() {
        let lossy = SimConfig {
            loss_ppm: 200_000,
            ..SimConfig::default()
        };
        let mut timeline = Timeline::new(lossy).unwrap();
        let mut marks = 0;
        for step in 1..=200u64 {
            let now_us = step * 10_000;
            timeline.run_until(now_us);
            let sim = timeline.sim();
            // What was dropped in the fade window, newest first, and the
            // kind each was sent with (searched from the newest event).
            let events = sim.trace().events();
            let expected: Vec<(NodeId, NodeId, String)> = events
                .iter()
                .rev()
                .take_while(|e| e.time_us >= now_us.saturating_sub(LOST_FADE_US))
                .filter_map(|e| match &e.kind {
                    TraceKind::Dropped { id, from, to, .. } => {
                        let kind = sent_message(events.iter().rev(), *id)
                            .map(|(_, s)| s.kind().to_string())
                            .unwrap_or_default();
                        Some((*from, *to, kind))
                    }
                    _ => None,
                })
                .collect();
            let drawn: Vec<(NodeId, NodeId, String)> = lost(sim, now_us)
                .into_iter()
                .map(|l| (l.from, l.to, l.kind))
                .collect();
            assert_eq!(drawn, expected, "at {now_us} us");
            assert!(drawn.iter().all(|(_, _, kind)| !kind.is_empty()));
            marks += drawn.len();
        }
        assert!(
            marks > 50,
            "only {marks} lost marks in two seconds at 20% loss"
        );
    }

    fn cut(from: NodeId, to: NodeId) -> Cut {
        Cut { from, to }
    }

    /// Every link between `a` and `b` cut both ways.
    fn split(a: &[NodeId], b: &[NodeId]) -> Vec<Cut> {
        let mut out = Vec::new();
        for &x in a {
            for &y in b {
                out.push(cut(x, y));
                out.push(cut(y, x));
            }
        }
        out
    }

    #[test]
    fn an_intact_network_has_no_groups() {
        assert!(partition_groups(&[1, 2, 3, 4, 5], &[]).is_empty());
        assert!(partition_groups(&[1], &[]).is_empty());
        assert!(partition_groups(&[], &[]).is_empty());
    }

    #[test]
    fn a_split_gives_each_side_in_order() {
        let cuts = split(&[4, 1], &[5, 3, 2]);
        assert_eq!(
            partition_groups(&[1, 2, 3, 4, 5], &cuts),
            vec![vec![1, 4], vec![2, 3, 5]]
        );
        let three = [split(&[1], &[2, 3, 4]), split(&[2], &[3, 4])].concat();
        assert_eq!(
            partition_groups(&[1, 2, 3, 4], &three),
            vec![vec![1], vec![2], vec![3, 4]]
        );
    }

    #[test]
    fn traffic_routes_around_a_few_cut_links() {
        // 1 and 2 cannot talk directly but both reach 3: one group.
        assert!(partition_groups(&[1, 2, 3], &[cut(1, 2), cut(2, 1)]).is_empty());
    }

    #[test]
    fn a_one_way_cut_counts_as_cut() {
        // Both links of node 1 cut in one direction only: it is cut off.
        let cuts = [cut(1, 2), cut(3, 1)];
        assert_eq!(
            partition_groups(&[1, 2, 3], &cuts),
            vec![vec![1], vec![2, 3]]
        );
    }

    #[test]
    fn crashed_nodes_belong_to_no_group() {
        // Node 3 is crashed (not live): the cut between 1 and 2 splits the rest.
        let cuts = [split(&[1], &[2]), split(&[3], &[1, 2])].concat();
        assert_eq!(partition_groups(&[1, 2], &cuts), vec![vec![1], vec![2]]);
        // Only one live node left: nothing to fence.
        assert!(partition_groups(&[2], &cuts).is_empty());
    }

    #[test]
    fn up_to_nine_nodes_alternating_groups() {
        let odd = [1, 3, 5, 7, 9];
        let even = [2, 4, 6, 8];
        let live: Vec<NodeId> = (1..=9).collect();
        assert_eq!(
            partition_groups(&live, &split(&odd, &even)),
            vec![odd.to_vec(), even.to_vec()]
        );
    }
}

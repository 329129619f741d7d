//! What the components show, derived from the simulation at the current
//! virtual time. Pure functions of the simulation: the UI keeps no shadow state.

use crate::components::cluster::{Cut, Lost};
use crate::speed::format_time;
use raft_core::sim::{DropReason, NodeStatus, NodeView, Sim, TraceKind, USER_CLIENT_BASE};
use raft_core::{NodeId, Role};

/// How long (virtual µs) a lost message stays visible while it fades.
pub const LOST_FADE_US: u64 = 40_000;
/// Lines kept in the event feed.
pub const FEED_LINES: usize = 60;
/// Trace events the feed looks back over (the feed shows the newest lines only).
pub const FEED_WINDOW_EVENTS: usize = 4_000;
/// Points per line in the chart (one per pixel column at most).
pub const CHART_POINTS: usize = 600;
/// User requests listed in the KV results.
pub const RESULT_LINES: usize = 12;

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
/// by links that work both ways, as connected components, each sorted, in
/// order of their smallest id. Empty unless there are at least two groups,
/// so a single cut link that traffic can route around fences nothing.
pub fn partition_groups(live: &[NodeId], cuts: &[Cut]) -> Vec<Vec<NodeId>> {
    let linked = |a: NodeId, b: NodeId| {
        !cuts
            .iter()
            .any(|c| (c.from, c.to) == (a, b) || (c.from, c.to) == (b, a))
    };
    let mut group_of: Vec<Option<usize>> = vec![None; live.len()];
    let mut groups: Vec<Vec<NodeId>> = Vec::new();
    for start in 0..live.len() {
        if group_of[start].is_some() {
            continue;
        }
        let g = groups.len();
        group_of[start] = Some(g);
        let mut members = vec![live[start]];
        let mut stack = vec![start];
        while let Some(i) = stack.pop() {
            for j in 0..live.len() {
                if group_of[j].is_none() && linked(live[i], live[j]) {
                    group_of[j] = Some(g);
                    members.push(live[j]);
                    stack.push(j);
                }
            }
        }
        members.sort_unstable();
        groups.push(members);
    }
    if groups.len() < 2 {
        return Vec::new();
    }
    groups.sort_by_key(|g| g[0]);
    groups
}

/// Messages lost in the last [`LOST_FADE_US`], fading.
pub fn lost(sim: &Sim, now_us: u64) -> Vec<Lost> {
    let since = now_us.saturating_sub(LOST_FADE_US);
    let events = sim.trace().events();
    let mut out = Vec::new();
    for ev in events.iter().rev() {
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
            let kind = events
                .iter()
                .rev()
                .find_map(|e| match &e.kind {
                    TraceKind::MessageSent {
                        id: sent, summary, ..
                    } if sent == id => Some(summary.kind().to_string()),
                    _ => None,
                })
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

/// One line of the event feed.
#[derive(Clone, Debug, PartialEq)]
pub struct FeedLine {
    /// Virtual time.
    pub time_us: u64,
    /// In words.
    pub text: String,
    /// CSS class (e.g. `violation`, `leader`).
    pub class: &'static str,
}

/// The trace in words, newest first; messages, timers and per-node echoes
/// of the same commit are left to the picture.
pub fn feed(sim: &Sim) -> Vec<FeedLine> {
    let mut out = Vec::new();
    let mut highest_commit = 0;
    let events = sim.trace().events();
    for ev in events
        .iter()
        .skip(events.len().saturating_sub(FEED_WINDOW_EVENTS))
    {
        let (text, class) = match &ev.kind {
            TraceKind::RoleChanged {
                node,
                to: Role::Leader,
                term,
                ..
            } => (
                format!("Node {node} became leader in term {term}"),
                "leader",
            ),
            TraceKind::RoleChanged {
                node,
                to: Role::Candidate,
                term,
                ..
            } => (
                format!("Node {node} timed out and started an election for term {term}"),
                "candidate",
            ),
            TraceKind::RoleChanged {
                node,
                to: Role::PreCandidate,
                term,
                ..
            } => (
                format!("Node {node} asks for pre-votes (still term {term})"),
                "candidate",
            ),
            TraceKind::RoleChanged {
                node,
                from: Role::Leader,
                to,
                term,
            } => (
                format!("Node {node} stepped down to {to} in term {term}"),
                "stepdown",
            ),
            TraceKind::Voted {
                voter,
                candidate,
                term,
                granted: true,
            } => (
                format!("Node {voter} voted for node {candidate} in term {term}"),
                "vote",
            ),
            TraceKind::Voted {
                voter,
                candidate,
                term,
                granted: false,
            } => (
                format!("Node {voter} refused its vote to node {candidate} in term {term}"),
                "vote",
            ),
            TraceKind::Committed { node, index } if *index > highest_commit => {
                highest_commit = *index;
                (
                    format!("Entry {index} committed (first known by node {node})"),
                    "commit",
                )
            }
            TraceKind::Compacted { node, index } => (
                format!("Node {node} compacted its log up to index {index} into a snapshot"),
                "snapshot",
            ),
            TraceKind::SnapshotRestored { node, index } => (
                format!("Node {node} installed a snapshot up to index {index}"),
                "snapshot",
            ),
            TraceKind::ClientInvoke {
                client,
                description,
                ..
            } if *client >= USER_CLIENT_BASE => (format!("You send {description}"), "client"),
            TraceKind::ClientReturn { client, reply, .. } => {
                (format!("{} got: {reply}", client_name(*client)), "client")
            }
            TraceKind::Crash { node } => (format!("Node {node} crashed"), "fault"),
            TraceKind::Restart { node } => {
                (format!("Node {node} restarted from its disk"), "fault")
            }
            TraceKind::Pause { node } => (format!("Node {node} paused"), "fault"),
            TraceKind::Resume { node } => (format!("Node {node} resumed"), "fault"),
            TraceKind::Partition { groups } => (
                format!("Network split into {}", groups_text(groups)),
                "fault",
            ),
            TraceKind::LinkCut { from, to } => (format!("Link {from} → {to} cut"), "fault"),
            TraceKind::LinkHealed { from, to } => (format!("Link {from} → {to} healed"), "fault"),
            TraceKind::Heal => ("Every link healed".to_string(), "fault"),
            TraceKind::Action { description } => (description.clone(), "fault"),
            TraceKind::NodeAdded { node } => (format!("Node {node} added as a learner"), "fault"),
            TraceKind::InvariantViolation {
                property, message, ..
            } => (
                format!("VIOLATION of {}: {message}", property.as_str()),
                "violation",
            ),
            _ => continue,
        };
        out.push(FeedLine {
            time_us: ev.time_us,
            text,
            class,
        });
    }
    let keep = out.len().saturating_sub(FEED_LINES);
    out.drain(..keep);
    out.reverse();
    out
}

fn groups_text(groups: &[Vec<NodeId>]) -> String {
    groups
        .iter()
        .map(|g| {
            g.iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(",")
        })
        .map(|g| format!("{{{g}}}"))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// "You" for the user's requests, "client 2" for the simulated load.
pub fn client_name(client: u64) -> String {
    if client >= USER_CLIENT_BASE {
        "You".to_string()
    } else {
        format!("Client {client}")
    }
}

/// What happened to one of the user's own requests.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestResult {
    /// History operation id.
    pub op: u64,
    /// e.g. `SET x=1`.
    pub description: String,
    /// Attempts so far, with the node asked each time.
    pub sent_to: Vec<(NodeId, u32)>,
    /// The reply, when it came.
    pub reply: Option<String>,
    /// When it was invoked.
    pub invoked_us: u64,
}

impl RequestResult {
    /// One line for the results list.
    pub fn text(&self) -> String {
        let route = self
            .sent_to
            .iter()
            .map(|(node, attempt)| {
                if *attempt > 1 {
                    format!("retry → S{node}")
                } else {
                    format!("S{node}")
                }
            })
            .collect::<Vec<_>>();
        let path = if route.len() > 1 {
            format!(" (redirected: {})", route.join(" → "))
        } else if let Some(first) = route.first() {
            format!(" (via {first})")
        } else {
            String::new()
        };
        match &self.reply {
            Some(reply) => format!("{}: {reply}{path}", self.description),
            None => format!("{}: waiting…{path}", self.description),
        }
    }
}

/// The user's recent requests, newest first.
pub fn user_results(sim: &Sim) -> Vec<RequestResult> {
    let mut out: Vec<RequestResult> = Vec::new();
    let mut client_op: Vec<(u64, u64)> = Vec::new();
    for ev in sim.trace().events() {
        match &ev.kind {
            TraceKind::ClientInvoke {
                client,
                op,
                description,
            } if *client >= USER_CLIENT_BASE => {
                client_op.push((*client, *op));
                out.push(RequestResult {
                    op: *op,
                    description: description.clone(),
                    sent_to: Vec::new(),
                    reply: None,
                    invoked_us: ev.time_us,
                });
            }
            TraceKind::ClientSend {
                client,
                node,
                attempt,
            } if *client >= USER_CLIENT_BASE => {
                let op = client_op
                    .iter()
                    .rev()
                    .find(|(c, _)| c == client)
                    .map(|(_, op)| *op);
                if let Some(r) = out.iter_mut().rev().find(|r| Some(r.op) == op) {
                    r.sent_to.push((*node, *attempt));
                }
            }
            TraceKind::ClientReturn { client, op, reply } if *client >= USER_CLIENT_BASE => {
                if let Some(r) = out.iter_mut().rev().find(|r| r.op == *op) {
                    r.reply = Some(reply.clone());
                }
            }
            _ => {}
        }
    }
    out.reverse();
    out.truncate(RESULT_LINES);
    out
}

/// One node's term and commit index over time, for the chart.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Series {
    /// (time, term) steps.
    pub term: Vec<(u64, u64)>,
    /// (time, commit index) steps.
    pub commit: Vec<(u64, u64)>,
}

/// Term and commit series per node, from the events still in the trace,
/// thinned to at most [`CHART_POINTS`] steps per line.
pub fn series(sim: &Sim, nodes: &[NodeView]) -> Vec<(NodeId, Series)> {
    let events = sim.trace().events();
    let (start, end) = match (events.front(), events.back()) {
        (Some(a), Some(b)) => (a.time_us, b.time_us.max(a.time_us + 1)),
        _ => return nodes.iter().map(|n| (n.id, Series::default())).collect(),
    };
    let bucket = ((end - start) / CHART_POINTS as u64).max(1);
    let mut out: Vec<(NodeId, Series)> = nodes.iter().map(|n| (n.id, Series::default())).collect();
    for ev in events {
        let (node, value, is_term) = match ev.kind {
            TraceKind::TermChanged { node, to, .. } => (node, to, true),
            TraceKind::Committed { node, index } => (node, index, false),
            _ => continue,
        };
        if let Some((_, s)) = out.iter_mut().find(|(id, _)| *id == node) {
            let line = if is_term { &mut s.term } else { &mut s.commit };
            // Within one pixel column only the latest value matters.
            match line.last_mut() {
                Some(last) if (last.0 - start) / bucket == (ev.time_us - start) / bucket => {
                    *last = (last.0, value)
                }
                _ => line.push((ev.time_us, value)),
            }
        }
    }
    out
}

/// `t = 1.234 s` for the clock.
pub fn clock_text(now_us: u64) -> String {
    format!("t = {}", format_time(now_us))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let cuts = split(&[4, 1], &[2, 3, 5]);
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

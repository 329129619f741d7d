//! The clients' traffic on the stage: a request crossing from the client
//! through the load balancer to a node, a follower's redirect ("not leader,
//! try S5") and the retry to the leader, and the reply travelling back once
//! the entry is committed and applied.
//!
//! Requests and redirects are read from the simulation's state (a user's
//! request is on the network for one hop before its node sees it, see
//! `Sim::client_hops`), so the picture never shows a node acting on a
//! request that has not arrived. A reply is drawn after the fact, for one
//! mean network latency: the client has its answer when it leaves the node.

use raft_core::sim::{ClientHopView, Sim, TraceKind, USER_CLIENT_BASE};
use raft_core::NodeId;

/// Events searched back from a reply for the node that sent it (the
/// client's latest send): bounded, so a frame's cost is too.
const REPLY_SEARCH_EVENTS: usize = 4_096;
/// Characters of a request's command or a reply drawn beside its glyph.
pub const LABEL_CHARS: usize = 14;

/// What a piece of client traffic is, as `data-kind` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrafficKind {
    /// A request on its way to a node.
    Request,
    /// A follower's refusal going back: "not leader, try S5".
    Redirect,
    /// The answer going back to the client.
    Reply,
}

impl TrafficKind {
    /// The `data-kind` of its glyph.
    pub fn name(self) -> &'static str {
        match self {
            TrafficKind::Request => "client-request",
            TrafficKind::Redirect => "redirect",
            TrafficKind::Reply => "client-reply",
        }
    }
}

/// One glyph of client traffic, placed along its leg by `along`.
#[derive(Clone, Debug, PartialEq)]
pub struct Traffic {
    /// What it is.
    pub kind: TrafficKind,
    /// The client (one-shot user clients at or above `USER_CLIENT_BASE`).
    pub client: u64,
    /// The node at the far end of the leg.
    pub node: NodeId,
    /// Whether the leg runs from (or to) the client's own box, not only
    /// the load balancer: a first request and every reply.
    pub via_client: bool,
    /// How far along the leg, 0 at its start, 1 at its end.
    pub along: f64,
    /// Written beside the glyph: the command, "try S5", or the reply.
    pub label: String,
    /// For a screen reader and a hover: the whole story of the glyph.
    pub title: String,
}

impl Traffic {
    /// Whether it belongs to the background workload (not the user).
    pub fn background(&self) -> bool {
        self.client < USER_CLIENT_BASE
    }

    /// Whether it travels toward the node (a request) rather than away.
    pub fn inbound(&self) -> bool {
        self.kind == TrafficKind::Request
    }
}

/// `text` cut to [`LABEL_CHARS`] characters, with an ellipsis if cut.
fn short(text: &str) -> String {
    if text.chars().count() <= LABEL_CHARS {
        return text.to_string();
    }
    let mut out: String = text.chars().take(LABEL_CHARS - 1).collect();
    out.push('…');
    out
}

/// Share of `[from, to]` that has passed at `now`.
fn progress(now_us: u64, from_us: u64, to_us: u64) -> f64 {
    let span = to_us.saturating_sub(from_us).max(1) as f64;
    (now_us.saturating_sub(from_us) as f64 / span).clamp(0.0, 1.0)
}

/// The glyph(s) of one user request on its way: a first hop is one leg
/// (client, load balancer, node); a redirect is the refusal going back to
/// the load balancer for the first half of the hop and the retry going on
/// to the named node for the second.
pub fn hop_traffic(hop: &ClientHopView, now_us: u64) -> Traffic {
    let command = short(&hop.command);
    let Some(refused_by) = hop.from else {
        return Traffic {
            kind: TrafficKind::Request,
            client: hop.client,
            node: hop.to,
            via_client: true,
            along: progress(now_us, hop.since_us, hop.arrive_us),
            label: command,
            title: format!(
                "Your request {}: client → load balancer → S{}",
                hop.command, hop.to
            ),
        };
    };
    let middle = hop.since_us + (hop.arrive_us.saturating_sub(hop.since_us)) / 2;
    if now_us < middle {
        let (label, title) = if hop.hinted {
            (
                format!("try S{}", hop.to),
                format!(
                    "S{refused_by} is not the leader: it answers \"try S{}\"",
                    hop.to
                ),
            )
        } else {
            (
                "not leader".to_string(),
                format!("S{refused_by} is not the leader and knows none: try another node"),
            )
        };
        Traffic {
            kind: TrafficKind::Redirect,
            client: hop.client,
            node: refused_by,
            via_client: false,
            along: progress(now_us, hop.since_us, middle),
            label,
            title,
        }
    } else {
        Traffic {
            kind: TrafficKind::Request,
            client: hop.client,
            node: hop.to,
            via_client: false,
            along: progress(now_us, middle, hop.arrive_us),
            label: command,
            title: format!("Your request {} retried at S{}", hop.command, hop.to),
        }
    }
}

/// Every piece of client traffic to draw at `now_us`: the user's requests
/// and redirects on their way, then the replies (the user's and the
/// background clients') that left a node in the last `reply_us` (the mean
/// network latency).
pub fn traffic(sim: &Sim, now_us: u64, reply_us: u64) -> Vec<Traffic> {
    let mut out: Vec<Traffic> = sim
        .client_hops()
        .iter()
        .map(|hop| hop_traffic(hop, now_us))
        .collect();
    let reply_us = reply_us.max(1);
    let since = now_us.saturating_sub(reply_us);
    let events = sim.trace().events();
    for (at, ev) in events.iter().enumerate().rev() {
        if ev.time_us < since {
            break;
        }
        let TraceKind::ClientReturn { client, reply, .. } = &ev.kind else {
            continue;
        };
        // The node that answered: the one the client last sent to.
        let first = at.saturating_sub(REPLY_SEARCH_EVENTS);
        let node = events.range(first..at).rev().find_map(|e| match &e.kind {
            TraceKind::ClientSend {
                client: c, node, ..
            } if c == client => Some(*node),
            _ => None,
        });
        let Some(node) = node else { continue };
        let answer = reply.to_string();
        let user = *client >= USER_CLIENT_BASE;
        out.push(Traffic {
            kind: TrafficKind::Reply,
            client: *client,
            node,
            via_client: true,
            along: progress(now_us, ev.time_us, ev.time_us + reply_us),
            label: if user { short(&answer) } else { String::new() },
            title: if user {
                format!("S{node} replies to you: {answer}")
            } else {
                format!("S{node} replies to client {client}: {answer}")
            },
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use raft_core::kv::Op;
    use raft_core::sim::{Action, SimConfig, Timeline};

    fn set(key: &str, value: &str) -> Op {
        Op::Set {
            key: key.into(),
            value: value.into(),
        }
    }

    /// The default cluster after its first leader, with no background load.
    fn led() -> (Timeline, NodeId) {
        let quiet = SimConfig {
            clients: 0,
            ..SimConfig::default()
        };
        let mut timeline = Timeline::new(quiet).unwrap();
        let mut now = 0;
        loop {
            now += 10_000;
            timeline.run_until(now);
            let leader = timeline
                .sim()
                .nodes()
                .iter()
                .find(|n| n.status == raft_core::sim::NodeStatus::Up(raft_core::Role::Leader))
                .map(|n| n.id);
            if let Some(l) = leader {
                return (timeline, l);
            }
            assert!(now < 10_000_000, "no leader");
        }
    }

    #[test]
    fn a_request_to_a_follower_is_drawn_arriving_then_redirected_then_retried_and_answered() {
        let (mut timeline, leader) = led();
        let follower = if leader == 1 { 2 } else { 1 };
        let now = timeline.now_us();
        timeline
            .act(Action::ClientRequest {
                op: set("x", "1"),
                target: Some(follower),
            })
            .unwrap();
        let mut kinds: Vec<(TrafficKind, NodeId, String)> = Vec::new();
        let mut t = now;
        // The follower's log must not hold the request before it arrives.
        let before = timeline.sim().node(follower).unwrap().last_index;
        while t < now + 1_000_000 {
            t += 1_000;
            timeline.run_until(t);
            for g in traffic(timeline.sim(), t, 15_000) {
                if g.background() {
                    continue;
                }
                assert!((0.0..=1.0).contains(&g.along));
                let step = (g.kind, g.node, g.label.clone());
                if kinds.last() != Some(&step) {
                    kinds.push(step);
                }
            }
        }
        assert!(timeline.sim().node(follower).unwrap().last_index > before);
        let path: Vec<(TrafficKind, NodeId)> = kinds.iter().map(|(k, n, _)| (*k, *n)).collect();
        assert_eq!(
            path,
            vec![
                (TrafficKind::Request, follower),
                (TrafficKind::Redirect, follower),
                (TrafficKind::Request, leader),
                (TrafficKind::Reply, leader),
            ],
            "{kinds:?}"
        );
        assert_eq!(kinds[0].2, "SET x=1");
        assert_eq!(kinds[1].2, format!("try S{leader}"));
        assert!(kinds[3].2.starts_with("OK"), "{kinds:?}");
    }

    #[test]
    fn a_node_sees_a_request_only_when_its_hop_ends() {
        let (mut timeline, leader) = led();
        let last = timeline.sim().node(leader).unwrap().last_index;
        timeline
            .act(Action::ClientRequest {
                op: set("y", "2"),
                target: Some(leader),
            })
            .unwrap();
        let hop = timeline.sim().client_hops()[0].clone();
        assert_eq!((hop.from, hop.to), (None, leader));
        assert!(hop.arrive_us > hop.since_us);
        timeline.run_until(hop.arrive_us - 1);
        assert_eq!(timeline.sim().node(leader).unwrap().last_index, last);
        timeline.run_until(hop.arrive_us);
        assert_eq!(timeline.sim().node(leader).unwrap().last_index, last + 1);
        assert!(timeline.sim().client_hops().is_empty());
    }

    #[test]
    fn labels_are_cut_to_fit_beside_a_glyph() {
        assert_eq!(short("SET x=1"), "SET x=1");
        let long = short("SET colour=turquoise-blue");
        assert_eq!(long.chars().count(), LABEL_CHARS);
        assert!(long.ends_with('…'));
    }
}

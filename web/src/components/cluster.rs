//! The cluster view: links, nodes on a ring and messages in flight, in one SVG.

use super::message::{position, Message};
use super::node::Node;
use crate::layout::{node_radius, ring_positions, Point, VIEW_SIZE};
use raft_core::sim::{MessageView, NodeStatus, NodeView};
use raft_core::NodeId;
use yew::prelude::*;

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

/// Props of [`Cluster`].
#[derive(Properties, Clone, PartialEq)]
pub struct ClusterProps {
    /// The nodes, in id order.
    pub nodes: Vec<NodeView>,
    /// Messages in flight.
    pub messages: Vec<MessageView>,
    /// Recently lost messages.
    pub lost: Vec<Lost>,
    /// Cut directed links.
    pub cuts: Vec<Cut>,
    /// Per node: share of the election timeout left.
    pub timers: Vec<Option<f64>>,
    /// Per node: votes received in its current term.
    pub votes: Vec<Vec<(NodeId, bool)>>,
    /// Current virtual time.
    pub now_us: u64,
    /// Selected node.
    pub selected_node: Option<NodeId>,
    /// Selected message.
    pub selected_message: Option<u64>,
    /// Nodes named in the latest violation.
    pub flagged: Vec<NodeId>,
    /// A node was clicked.
    pub on_select_node: Callback<NodeId>,
    /// A message was clicked.
    pub on_select_message: Callback<u64>,
    /// A link was clicked: cut it, or heal it if cut (both directions).
    pub on_toggle_link: Callback<(NodeId, NodeId)>,
}

/// Draws the cluster.
#[function_component(Cluster)]
pub fn cluster(props: &ClusterProps) -> Html {
    let positions = ring_positions(props.nodes.len());
    let radius = node_radius(props.nodes.len());
    let at = |id: NodeId| -> Option<Point> {
        props
            .nodes
            .iter()
            .position(|n| n.id == id)
            .map(|i| positions[i])
    };
    let cut = |a: NodeId, b: NodeId| props.cuts.iter().any(|c| c.from == a && c.to == b);
    let mut links = Vec::new();
    for (i, a) in props.nodes.iter().enumerate() {
        for (j, b) in props.nodes.iter().enumerate().skip(i + 1) {
            let (ab, ba) = (cut(a.id, b.id), cut(b.id, a.id));
            let class = match (ab, ba) {
                (true, true) => "link cut",
                (false, false) => "link",
                _ => "link cut one-way",
            };
            let (pa, pb) = (positions[i], positions[j]);
            let pair = (a.id, b.id);
            let onclick = props.on_toggle_link.reform(move |_: MouseEvent| pair);
            let title = match (ab, ba) {
                (true, true) => format!("S{} ⇹ S{}: cut both ways (click to heal)", a.id, b.id),
                (true, false) => format!("S{} → S{} cut (one way; click to heal)", a.id, b.id),
                (false, true) => format!("S{} → S{} cut (one way; click to heal)", b.id, a.id),
                (false, false) => format!("S{} — S{} (click to cut)", a.id, b.id),
            };
            links.push(html! {
                <g class="link-group" {onclick} data-testid="link"
                   data-from={a.id.to_string()} data-to={b.id.to_string()} data-cut={(ab || ba).to_string()}>
                    <title>{ title }</title>
                    <line class="link-hit" x1={format!("{:.1}", pa.x)} y1={format!("{:.1}", pa.y)}
                          x2={format!("{:.1}", pb.x)} y2={format!("{:.1}", pb.y)} />
                    <line class={class} x1={format!("{:.1}", pa.x)} y1={format!("{:.1}", pa.y)}
                          x2={format!("{:.1}", pb.x)} y2={format!("{:.1}", pb.y)} />
                </g>
            });
        }
    }
    let messages = props.messages.iter().filter_map(|m| {
        let (from, to) = (at(m.from)?, at(m.to)?);
        let p = position(m, from, to, props.now_us);
        Some(html! {
            <Message key={m.id} message={m.clone()} at={p}
                     selected={props.selected_message == Some(m.id)}
                     on_select={props.on_select_message.clone()} />
        })
    });
    let lost = props.lost.iter().filter_map(|l| {
        let (from, to) = (at(l.from)?, at(l.to)?);
        let p = Point { x: from.x + (to.x - from.x) * l.along, y: from.y + (to.y - from.y) * l.along };
        Some(html! {
            <g class={classes!("lost", format!("kind-{}", l.kind))} opacity={format!("{:.2}", l.fade)}
               transform={format!("translate({:.1} {:.1})", p.x, p.y)}>
                <title>{ format!("{} S{}→S{} lost", l.kind, l.from, l.to) }</title>
                <path d="M-6 -6L6 6M-6 6L6 -6" />
            </g>
        })
    });
    let nodes = props.nodes.iter().enumerate().map(|(i, node)| {
        html! {
            <Node key={node.id} node={node.clone()} at={positions[i]} {radius}
                  timer_left={props.timers.get(i).copied().flatten()}
                  votes={props.votes.get(i).cloned().unwrap_or_default()}
                  selected={props.selected_node == Some(node.id)}
                  flagged={props.flagged.contains(&node.id)}
                  on_select={props.on_select_node.clone()} />
        }
    });
    let crashed = props
        .nodes
        .iter()
        .filter(|n| n.status == NodeStatus::Crashed)
        .count();
    html! {
        <svg class="cluster" viewBox={format!("0 0 {VIEW_SIZE} {VIEW_SIZE}")}
             role="group" aria-label={format!("Cluster of {} nodes, {crashed} crashed", props.nodes.len())}>
            <g class="links">{ for links }</g>
            <g class="messages">{ for messages }{ for lost }</g>
            <g class="nodes">{ for nodes }</g>
        </svg>
    }
}

//! One server drawn as an SVG group, carrying the stable test hooks.

use crate::actions::Membership;
use crate::fixed::f1;
use crate::layout::Point;
use raft_core::sim::{NodeStatus, NodeView};
use raft_core::{NodeId, Role};
use yew::prelude::*;

/// The `data-role` hook value of a node.
pub fn role_name(status: &NodeStatus) -> &'static str {
    match status {
        NodeStatus::Up(role) | NodeStatus::Paused(role) => role.as_str(),
        NodeStatus::Crashed => "crashed",
    }
}

/// What the node glyph shows of a [`NodeView`]: small, so comparing props
/// per frame is cheap and a node re-renders only when this changes.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeFace {
    /// Id.
    pub id: NodeId,
    /// Role, paused or crashed.
    pub status: NodeStatus,
    /// Current term.
    pub term: u64,
    /// Commit index.
    pub commit: u64,
    /// Last log index.
    pub last_index: u64,
    /// Voter, learner or removed.
    pub member: Membership,
}

impl NodeFace {
    /// The face of `n`, whose membership is `member`.
    pub fn of(n: &NodeView, member: Membership) -> NodeFace {
        NodeFace {
            id: n.id,
            status: n.status.clone(),
            term: n.term,
            commit: n.commit,
            last_index: n.last_index,
            member,
        }
    }
}

/// Props of [`Node`].
#[derive(Properties, Clone, PartialEq)]
pub struct NodeProps {
    /// The node's state.
    pub face: NodeFace,
    /// Its centre in the view box.
    pub at: Point,
    /// Circle radius.
    pub radius: f64,
    /// Voters that granted this candidate their vote in its term.
    pub votes: Vec<(NodeId, bool)>,
    /// The inspector shows this node.
    pub selected: bool,
    /// Named in the latest invariant violation.
    pub flagged: bool,
    /// Clicked (or activated by keyboard).
    pub on_select: Callback<NodeId>,
    /// Its context menu was asked for (right click, the ContextMenu key or Shift+F10).
    pub on_menu: Callback<NodeId>,
}

/// A node: shape and colour per role, the role in words, the term inside,
/// the election timer as a draining arc, and vote marks on candidates.
#[function_component(Node)]
pub fn node(props: &NodeProps) -> Html {
    let NodeProps {
        face: node,
        at,
        radius,
        ..
    } = props;
    let role = role_name(&node.status);
    let paused = matches!(node.status, NodeStatus::Paused(_));
    let is_leader = matches!(
        node.status,
        NodeStatus::Up(Role::Leader) | NodeStatus::Paused(Role::Leader)
    );
    let id = node.id;
    let onclick = props.on_select.reform(move |_: MouseEvent| id);
    let (on_select, on_menu) = (props.on_select.clone(), props.on_menu.clone());
    let onkeydown = Callback::from(move |e: KeyboardEvent| {
        let key = e.key();
        if key == "Enter" {
            e.prevent_default();
            on_select.emit(id);
        } else if key == "ContextMenu" || (key == "F10" && e.shift_key()) {
            e.prevent_default();
            e.stop_propagation();
            on_menu.emit(id);
        }
    });
    let oncontextmenu = props.on_menu.reform(move |e: MouseEvent| {
        // Only here (and on the cluster) is the browser's own menu replaced.
        e.prevent_default();
        e.stop_propagation();
        id
    });
    let votes = props.votes.iter().enumerate().map(|(i, (voter, granted))| {
        let angle = -std::f64::consts::FRAC_PI_2 + 0.45 * (i as f64) - 0.9;
        let (x, y) = (
            (radius + 13.0) * crate::math::cos(angle),
            (radius + 13.0) * crate::math::sin(angle),
        );
        html! {
            <g class={classes!("vote", if *granted { "granted" } else { "refused" })}
               transform={format!("translate({x} {y})", x = f1(x), y = f1(y))}>
                <title>{ format!("S{voter} {}", if *granted { "granted its vote" } else { "refused its vote" }) }</title>
                <circle r="5" />
                <text text-anchor="middle" y="3">{ if *granted { "✓" } else { "✗" } }</text>
            </g>
        }
    });
    // The name starts with the words the node shows, in their order, so a
    // speech-input user can say what they see.
    let member = match node.member {
        Membership::Voter => "",
        Membership::Learner => " learner",
        Membership::Removed => " removed",
    };
    let label = format!(
        "S{id} term {} {role}{}{member}, commit {}, last index {}",
        node.term,
        if paused { " (paused)" } else { "" },
        node.commit,
        node.last_index
    );
    html! {
        <g class={classes!("node", format!("role-{role}"), paused.then_some("paused"),
                           (node.member != Membership::Voter).then_some(node.member.as_str()),
                           props.selected.then_some("selected"), props.flagged.then_some("flagged"))}
           data-testid="node"
           data-node-id={id.to_string()}
           data-role={role}
           data-term={node.term.to_string()}
           data-commit-index={node.commit.to_string()}
           data-last-index={node.last_index.to_string()}
           data-paused={paused.to_string()}
           data-member={node.member.as_str()}
           transform={format!("translate({} {})", f1(at.x), f1(at.y))}
           role="button" tabindex="0" aria-label={label} aria-haspopup="menu"
           {onclick} {onkeydown} {oncontextmenu}>
            if is_leader {
                <circle class="leader-ring" r={f1(radius + 5.0).to_string()} />
            }
            <circle class="node-body" r={f1(*radius).to_string()} />
            if matches!(node.status, NodeStatus::Crashed) {
                <path class="crash-mark" d={format!("M{a} {a}L{b} {b}M{a} {b}L{b} {a}", a = f1(-radius * 0.5), b = f1(radius * 0.5))} />
            }
            // Each run of text ends in a space, which is not drawn: tools that
            // read the visible words join SVG texts as they are ("S1term 2").
            <text class="node-id" y="-3" text-anchor="middle">{ format!("S{id} ") }</text>
            <text class="node-term" y="10" text-anchor="middle">{ format!("term {} ", node.term) }</text>
            <text class="node-role" y={f1(radius + 12.0).to_string()} text-anchor="middle">
                { if is_leader { "★ leader ".to_string() } else if paused { format!("{role} ⏸ ") } else { format!("{role} ") } }
                // A learner or a removed node says so after its role.
                if node.member != Membership::Voter {
                    <tspan class="node-member">{ format!("{} ", node.member.as_str()) }</tspan>
                }
            </text>
            <g class="votes">{ for votes }</g>
        </g>
    }
}

/// A node's election timer as a draining arc around it. Drawn apart from
/// the node (by the cluster, every frame): it changes every frame and the
/// node mostly does not.
pub fn node_timer(at: Point, radius: f64, left: f64) -> Html {
    let r = radius + 6.0;
    let circumference = std::f64::consts::TAU * r;
    html! {
        <circle class="node-timer" r={f1(r).to_string()}
            stroke-dasharray={format!("{} {circumference}", f1(circumference * left.clamp(0.0, 1.0)), circumference = f1(circumference))}
            transform={format!("translate({} {}) rotate(-90)", f1(at.x), f1(at.y))} />
    }
}

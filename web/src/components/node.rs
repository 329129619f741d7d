//! One server drawn as an SVG group, carrying the stable test hooks.

use crate::layout::Point;
use raft_core::{LogIndex, NodeId, Role, Term};
use yew::prelude::*;

/// What the view shows of one node.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeView {
    /// 1-based id.
    pub id: NodeId,
    /// Current role; `None` when the node is crashed.
    pub role: Option<Role>,
    /// Current term.
    pub term: Term,
    /// Highest index known committed.
    pub commit_index: LogIndex,
    /// Index of the last log entry.
    pub last_index: LogIndex,
}

impl NodeView {
    /// The `data-role` hook value: a role name, or `crashed`.
    pub fn role_name(&self) -> &'static str {
        self.role.map_or("crashed", Role::as_str)
    }
}

/// Props of [`Node`].
#[derive(Properties, Clone, PartialEq)]
pub struct NodeProps {
    /// The node's state.
    pub node: NodeView,
    /// Its centre in the view box.
    pub at: Point,
    /// Circle radius.
    pub radius: f64,
}

/// A node: a shape and colour per role, the role as text, the term inside.
#[function_component(Node)]
pub fn node(props: &NodeProps) -> Html {
    let NodeProps { node, at, radius } = props;
    let role = node.role_name();
    html! {
        <g class={classes!("node", format!("role-{role}"))}
           data-testid="node"
           data-node-id={node.id.to_string()}
           data-role={role}
           data-term={node.term.to_string()}
           data-commit-index={node.commit_index.to_string()}
           data-last-index={node.last_index.to_string()}
           transform={format!("translate({:.1} {:.1})", at.x, at.y)}
           role="img"
           aria-label={format!("Node {}: {role}, term {}", node.id, node.term)}>
            <circle class="node-body" r={format!("{radius:.1}")} />
            <text class="node-id" y="-6" text-anchor="middle">{ format!("S{}", node.id) }</text>
            <text class="node-term" y="12" text-anchor="middle">{ format!("term {}", node.term) }</text>
            <text class="node-role" y={format!("{:.1}", radius + 16.0)} text-anchor="middle">{ role }</text>
        </g>
    }
}

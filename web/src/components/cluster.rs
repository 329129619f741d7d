//! The cluster view: every node on a ring in one SVG.

use super::node::{Node, NodeView};
use crate::layout::{node_radius, ring_positions, VIEW_SIZE};
use yew::prelude::*;

/// Props of [`Cluster`].
#[derive(Properties, Clone, PartialEq)]
pub struct ClusterProps {
    /// The nodes, in id order.
    pub nodes: Vec<NodeView>,
}

/// Draws the nodes of a cluster on a ring.
#[function_component(Cluster)]
pub fn cluster(props: &ClusterProps) -> Html {
    let positions = ring_positions(props.nodes.len());
    let radius = node_radius(props.nodes.len());
    html! {
        <svg class="cluster" viewBox={format!("0 0 {VIEW_SIZE} {VIEW_SIZE}")}
             role="group" aria-label="Cluster">
            { for props.nodes.iter().zip(positions).map(|(node, at)| html! {
                <Node key={node.id} node={node.clone()} {at} {radius} />
            }) }
        </svg>
    }
}

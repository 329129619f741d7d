//! The page: header, virtual clock and the cluster.

use crate::components::cluster::Cluster;
use crate::components::node::NodeView;
use raft_core::types::node_ids;
use raft_core::Role;
use yew::prelude::*;

/// Nodes in a new cluster, as DESIGN.md fixes it.
pub const DEFAULT_NODES: usize = 5;

/// A fresh cluster: every node a follower in term 0 with an empty log.
pub fn fresh_cluster(count: usize) -> Vec<NodeView> {
    node_ids(count)
        .map(|id| NodeView {
            id,
            role: Some(Role::Follower),
            term: 0,
            commit_index: 0,
            last_index: 0,
        })
        .collect()
}

/// The whole application.
#[function_component(App)]
pub fn app() -> Html {
    let nodes = use_memo((), |_| fresh_cluster(DEFAULT_NODES));
    html! {
        <main class="app">
            <header class="topbar">
                <h1>{ "Raft Playground" }</h1>
                <span class="clock" data-testid="sim-time" data-ms="0">{ "t = 0 ms" }</span>
            </header>
            <section class="stage">
                <Cluster nodes={(*nodes).clone()} />
            </section>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_cluster_is_five_followers_in_term_zero() {
        let nodes = fresh_cluster(DEFAULT_NODES);
        assert_eq!(nodes.len(), 5);
        assert!(nodes
            .iter()
            .all(|n| n.role_name() == "follower" && n.term == 0));
        assert_eq!(
            nodes.iter().map(|n| n.id).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5]
        );
    }
}

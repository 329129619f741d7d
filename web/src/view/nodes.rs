//! What the Logs panel and the store table draw of each node, taken from
//! the node views (which the stage reads too), so each component compares
//! only what it draws.

use raft_core::sim::{EntryView, NodeStatus, NodeView, ProgressView};
use raft_core::NodeId;
use std::rc::Rc;

/// One node's log row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogRowView {
    /// The node.
    pub id: NodeId,
    /// Crashed: what is shown is its log on disk.
    pub crashed: bool,
    /// Its commit index.
    pub commit: u64,
    /// Its applied index.
    pub applied: u64,
    /// Last index compacted into its snapshot (0: none).
    pub snapshot_index: u64,
    /// A leader's view of each follower.
    pub progress: Vec<ProgressView>,
    /// The newest entries listed.
    pub log: Vec<EntryView>,
}

/// One node's applied store, a column of the store table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreColumn {
    /// The node.
    pub id: NodeId,
    /// Crashed (its store is left out of the comparison).
    pub crashed: bool,
    /// Key and value pairs, by key.
    pub store: Vec<(String, String)>,
}

/// The log rows and store columns of `nodes`, in their order.
pub fn rows_and_columns(nodes: &[NodeView]) -> (Vec<Rc<LogRowView>>, Vec<StoreColumn>) {
    let mut rows = Vec::with_capacity(nodes.len());
    let mut stores = Vec::with_capacity(nodes.len());
    for n in nodes {
        let crashed = n.status == NodeStatus::Crashed;
        rows.push(Rc::new(LogRowView {
            id: n.id,
            crashed,
            commit: n.commit,
            applied: n.applied,
            snapshot_index: n.snapshot_index,
            progress: n.progress.clone(),
            log: n.log.clone(),
        }));
        stores.push(StoreColumn {
            id: n.id,
            crashed,
            store: n.store.clone(),
        });
    }
    (rows, stores)
}

#[cfg(test)]
mod tests {
    use super::*;
    use raft_core::sim::{Action, SimConfig, Timeline};

    #[test]
    fn rows_and_columns_hold_what_the_node_views_held() {
        let mut t = Timeline::new(SimConfig::default()).unwrap();
        t.run_until(2_000_000);
        t.act(Action::Crash(2)).unwrap();
        let full = t.sim().nodes_with_log(64);
        let (rows, stores) = rows_and_columns(&full);
        for ((n, row), column) in full.iter().zip(&rows).zip(&stores) {
            assert_eq!((row.id, column.id), (n.id, n.id));
            assert_eq!(row.crashed, n.status == NodeStatus::Crashed);
            assert_eq!(column.crashed, row.crashed);
            assert_eq!(row.log, n.log);
            assert_eq!(row.progress, n.progress);
            assert_eq!(column.store, n.store);
            assert_eq!((row.commit, row.applied), (n.commit, n.applied));
        }
        assert!(rows[1].crashed && !rows[0].crashed);
        assert!(rows.iter().any(|r| !r.log.is_empty()));
        assert!(stores.iter().any(|s| !s.store.is_empty()));
    }
}

//! What each node's lane on the stage shows: its log entries in a window of
//! indexes common to all lanes (so one index is one column, and logs that
//! differ show it at a glance), what stands before the window ("+N
//! earlier", or the snapshot), which entries are committed, where the
//! commit point is, and the node's key-value store. Small and comparable,
//! so a lane re-renders only when one of these changes.

use raft_core::sim::{NodeStatus, NodeView};
use raft_core::NodeId;

/// One log entry as a lane draws it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaneEntry {
    /// Log index.
    pub index: u64,
    /// Term (its colour).
    pub term: u64,
    /// The command, e.g. `SET x=5`, `no-op`.
    pub command: String,
    /// Committed on this node.
    pub committed: bool,
}

/// What stands before the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lead {
    /// Nothing: the log starts in the window (or is empty).
    None,
    /// Entries 1 to this were compacted into a snapshot, and every entry
    /// after it is in the window.
    Snapshot(u64),
    /// This many entries lie before the window, after a snapshot of entries
    /// 1 to the second number (0: none).
    Earlier(u64, u64),
}

/// The first index of the window all lanes show: the newest `slots`
/// indexes of the longest log.
pub fn window_start(nodes: &[NodeView], slots: usize) -> u64 {
    let last = nodes.iter().map(|n| n.last_index).max().unwrap_or(0);
    (last + 1).saturating_sub(slots.max(1) as u64).max(1)
}

/// One node's lane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lane {
    /// The node.
    pub id: NodeId,
    /// Crashed: the log is what its disk holds, and nothing is known committed.
    pub crashed: bool,
    /// The window's first index: an entry's column is its index minus this.
    pub first: u64,
    /// What stands before the window.
    pub lead: Lead,
    /// Entries 1 to this were compacted into a snapshot, some of them in
    /// the window (drawn there as one block); 0 otherwise.
    pub compacted: u64,
    /// Its entries in the window, oldest first.
    pub entries: Vec<LaneEntry>,
    /// Commit index.
    pub commit: u64,
    /// The column the commit point stands before (after the last committed
    /// entry shown, 0 when it lies before the window); `None` when none is
    /// drawn (crashed, or nothing to mark).
    pub commit_column: Option<u64>,
    /// The applied store shown: (key, value), in key order.
    pub store: Vec<(String, String)>,
    /// Keys of the store not shown for want of room.
    pub store_hidden: usize,
}

impl Lane {
    /// The lane of `node` in the window from index `first`, with room for
    /// `store_chars` characters of its store line.
    pub fn of(node: &NodeView, first: u64, store_chars: usize) -> Lane {
        let crashed = node.status == NodeStatus::Crashed;
        let snapshot = node.snapshot_index;
        let hidden = node
            .last_index
            .min(first.saturating_sub(1))
            .saturating_sub(snapshot);
        let lead = if hidden > 0 {
            Lead::Earlier(hidden, snapshot)
        } else if snapshot > 0 && snapshot < first {
            Lead::Snapshot(snapshot)
        } else {
            Lead::None
        };
        let entries: Vec<LaneEntry> = node
            .log
            .iter()
            .filter(|e| e.index >= first)
            .map(|e| LaneEntry {
                index: e.index,
                term: e.term,
                command: e.description.clone(),
                committed: e.committed,
            })
            .collect();
        let has_log = node.last_index > 0;
        let commit_column = (!crashed && has_log).then(|| (node.commit + 1).saturating_sub(first));
        let mut store = Vec::new();
        // After "store: ".
        let mut used = 7;
        for (k, v) in &node.store {
            // "k=v " and room for "+N more" after it.
            let len = k.chars().count().min(10) + v.chars().count().min(10) + 2;
            if used + len + 8 > store_chars && !store.is_empty() {
                break;
            }
            used += len;
            store.push((k.clone(), v.clone()));
        }
        Lane {
            id: node.id,
            crashed,
            first,
            lead,
            compacted: if snapshot >= first { snapshot } else { 0 },
            store_hidden: node.store.len() - store.len(),
            entries,
            commit: node.commit,
            commit_column,
            store,
        }
    }

    /// What a screen reader hears for the lane, e.g. `log 1 to 7, committed
    /// up to 6; store x=5 y=10`.
    pub fn summary(&self) -> String {
        let mut s = match (self.entries.first(), self.entries.last()) {
            (Some(a), Some(b)) => format!("log {} to {}", a.index, b.index),
            _ => "log empty".to_string(),
        };
        let snapshot = match self.lead {
            Lead::Snapshot(i) | Lead::Earlier(_, i) => i,
            Lead::None => self.compacted,
        };
        if snapshot > 0 {
            s += &format!(" after a snapshot of 1 to {snapshot}");
        }
        if self.crashed {
            s += " on disk (crashed)";
        } else {
            s += &format!(", committed up to {}; store", self.commit);
            if self.store.is_empty() {
                s += " empty";
            }
            for (k, v) in &self.store {
                s += &format!(" {k}={v}");
            }
            if self.store_hidden > 0 {
                s += &format!(" and {} more", self.store_hidden);
            }
        }
        s
    }
}

/// `text` cut to `chars` characters, the last one an ellipsis when cut.
pub fn shorten(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_string();
    }
    let mut out: String = text.chars().take(chars.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use raft_core::sim::EntryView;
    use raft_core::Role;

    fn node(last: u64, snapshot: u64, commit: u64, listed: usize) -> NodeView {
        let first = (last + 1).saturating_sub(listed as u64).max(snapshot + 1);
        NodeView {
            id: 2,
            status: NodeStatus::Up(Role::Follower),
            term: 3,
            voted_for: None,
            leader_id: None,
            commit,
            applied: commit,
            snapshot_index: snapshot,
            last_index: last,
            log: (first..=last)
                .map(|index| EntryView {
                    index,
                    term: 1 + index / 4,
                    description: format!("SET x={index}"),
                    committed: index <= commit,
                })
                .collect(),
            progress: Vec::new(),
            election_deadline_us: None,
            election_timeout_us: 0,
            voters: vec![1, 2, 3],
            learners: Vec::new(),
            drift_ppm: 0,
            store: vec![("x".into(), commit.to_string()), ("y".into(), "10".into())],
            pending_disk_writes: 0,
        }
    }

    fn indexes(lane: &Lane) -> Vec<u64> {
        lane.entries.iter().map(|e| e.index).collect()
    }

    #[test]
    fn the_window_ends_at_the_longest_log() {
        let nodes = [node(30, 0, 28, 64), node(12, 0, 12, 64)];
        assert_eq!(window_start(&nodes, 8), 23);
        assert_eq!(window_start(&nodes[1..], 20), 1);
        assert_eq!(window_start(&[], 8), 1);
    }

    #[test]
    fn a_short_log_is_shown_whole_with_its_commit_point() {
        let lane = Lane::of(&node(5, 0, 3, 64), 1, 80);
        assert_eq!(lane.lead, Lead::None);
        assert_eq!(indexes(&lane), [1, 2, 3, 4, 5]);
        assert_eq!(lane.commit_column, Some(3));
        let committed: Vec<bool> = lane.entries.iter().map(|e| e.committed).collect();
        assert_eq!(committed, [true, true, true, false, false]);
        assert_eq!(lane.entries[0].command, "SET x=1");
        assert_eq!(lane.entries[4].term, 2);
    }

    #[test]
    fn a_long_log_shows_the_window_and_counts_the_rest() {
        let lane = Lane::of(&node(30, 0, 28, 64), 23, 80);
        assert_eq!(lane.lead, Lead::Earlier(22, 0));
        assert_eq!(indexes(&lane), (23..=30).collect::<Vec<_>>());
        // The commit point stands before column 6 (index 29).
        assert_eq!(lane.commit_column, Some(6));
        // A log behind the others: its entries stop early in the window.
        let lane = Lane::of(&node(25, 0, 24, 64), 23, 80);
        assert_eq!(
            (lane.lead, indexes(&lane)),
            (Lead::Earlier(22, 0), vec![23, 24, 25])
        );
        // Far behind: nothing in the window, its commit point at the start.
        let lane = Lane::of(&node(10, 0, 9, 64), 23, 80);
        assert_eq!(lane.lead, Lead::Earlier(10, 0));
        assert!(lane.entries.is_empty());
        assert_eq!(lane.commit_column, Some(0));
    }

    #[test]
    fn a_snapshot_is_a_block_before_or_in_the_window() {
        // Before the window, with every later entry in it.
        let lane = Lane::of(&node(24, 20, 24, 64), 21, 80);
        assert_eq!((lane.lead, lane.compacted), (Lead::Snapshot(20), 0));
        assert_eq!(indexes(&lane), [21, 22, 23, 24]);
        assert!(lane.summary().contains("snapshot of 1 to 20"));
        // Entries between it and the window: counted.
        let lane = Lane::of(&node(40, 20, 40, 64), 33, 80);
        assert_eq!(lane.lead, Lead::Earlier(12, 20));
        assert!(lane.summary().contains("snapshot of 1 to 20"));
        assert_eq!(indexes(&lane), (33..=40).collect::<Vec<_>>());
        // Reaching into the window: a block there, nothing before it.
        let lane = Lane::of(&node(24, 20, 24, 64), 17, 80);
        assert_eq!((lane.lead, lane.compacted), (Lead::None, 20));
        assert_eq!(indexes(&lane), [21, 22, 23, 24]);
        assert!(lane.summary().contains("snapshot of 1 to 20"));
    }

    #[test]
    fn a_crashed_node_shows_its_disk_and_no_commit_point() {
        let mut n = node(6, 0, 0, 64);
        n.status = NodeStatus::Crashed;
        n.store.clear();
        let lane = Lane::of(&n, 1, 80);
        assert!(lane.crashed);
        assert_eq!(lane.commit_column, None);
        assert_eq!(lane.summary(), "log 1 to 6 on disk (crashed)");
        // An empty log draws no commit point either.
        assert_eq!(Lane::of(&node(0, 0, 0, 64), 1, 80).commit_column, None);
    }

    #[test]
    fn the_store_line_shows_what_fits_and_counts_the_rest() {
        let mut n = node(3, 0, 3, 64);
        assert_eq!(
            Lane::of(&n, 1, 80).summary(),
            "log 1 to 3, committed up to 3; store x=3 y=10"
        );
        n.store = (0..20)
            .map(|i| (format!("key{i}"), "value".to_string()))
            .collect();
        let lane = Lane::of(&n, 1, 40);
        assert!(!lane.store.is_empty() && lane.store.len() < 20);
        assert_eq!(lane.store.len() + lane.store_hidden, 20);
        // Always at least one pair, however narrow.
        assert_eq!(Lane::of(&n, 1, 0).store.len(), 1);
        n.store.clear();
        assert!(Lane::of(&n, 1, 40).summary().ends_with("store empty"));
    }

    #[test]
    fn shortening_cuts_on_characters() {
        assert_eq!(shorten("SET x=5", 8), "SET x=5");
        assert_eq!(shorten("SET colour=teal", 8), "SET col…");
        assert_eq!(shorten("añadir ñññ", 4), "aña…");
    }
}

//! Small function components with `PartialEq` props, so only what changed re-renders.

use raft_core::sim::NodeView;
use std::rc::Rc;

pub mod checker;
pub mod cluster;
pub mod controls;
pub mod feed;
pub mod help;
pub mod hint;
pub mod inspector;
pub mod kv;
pub mod lane;
pub mod logs;
pub mod menu;
pub mod message;
pub mod network;
pub mod node;
pub mod share;
pub mod story;
pub mod story_edit;
pub mod transfer;

/// Whether two lists of node views look the same to a component that shows
/// only part of each view (`same`): node views are rebuilt whenever the
/// simulation moves, most of what they hold does not change every time.
pub(crate) fn same_nodes(
    a: &Rc<Vec<NodeView>>,
    b: &Rc<Vec<NodeView>>,
    same: impl Fn(&NodeView, &NodeView) -> bool,
) -> bool {
    Rc::ptr_eq(a, b) || (a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| same(x, y)))
}

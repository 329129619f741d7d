//! One row of log entries per node: term as colour, the command, the commit
//! and applied indexes, a compacted prefix as a snapshot block.

use raft_core::sim::{NodeStatus, NodeView};
use std::rc::Rc;
use yew::prelude::*;

/// Colour class for a term (eight distinguishable hues, repeating).
pub fn term_class(term: u64) -> String {
    format!("term-c{}", term % 8)
}

/// Props of [`Logs`].
#[derive(Properties, Clone, PartialEq)]
pub struct LogsProps {
    /// The nodes.
    pub nodes: Rc<Vec<NodeView>>,
}

/// The log panel. Long logs scroll horizontally, never clipped.
#[function_component(Logs)]
pub fn logs(props: &LogsProps) -> Html {
    html! {
        <section class="panel logs" aria-label="Logs">
            <h2>{ "Logs" }</h2>
            <div class="log-rows">
                { for props.nodes.iter().map(row) }
            </div>
        </section>
    }
}

fn row(node: &NodeView) -> Html {
    let leader_progress = if node.progress.is_empty() {
        html! {}
    } else {
        html! {
            <div class="log-progress">
                { for node.progress.iter().map(|p| html! {
                    <span title="nextIndex / matchIndex">{ format!("S{} next {} match {}", p.peer, p.next_index, p.match_index) }</span>
                }) }
            </div>
        }
    };
    html! {
        <div class={classes!("log-row", (node.status == NodeStatus::Crashed).then_some("crashed"))}
             data-testid="log-row" data-node-id={node.id.to_string()}>
            <div class="log-head">
                <strong>{ format!("S{}", node.id) }</strong>
                <span>{ format!("commit {} · applied {}", node.commit, node.applied) }</span>
            </div>
            <div class="log-entries" tabindex="0" aria-label={format!("Log of node {}", node.id)}>
                if node.snapshot_index > 0 {
                    <div class="entry snapshot" title={format!("entries 1..={} compacted into a snapshot", node.snapshot_index)}>
                        <span class="idx">{ format!("≤{}", node.snapshot_index) }</span>
                        <span class="cmd">{ "snapshot" }</span>
                    </div>
                }
                { for node.log.iter().map(|e| html! {
                    <div class={classes!("entry", term_class(e.term), e.committed.then_some("committed"),
                                         (e.index <= node.applied).then_some("applied"),
                                         (e.index == node.commit).then_some("commit-mark"))}
                         data-index={e.index.to_string()} data-term={e.term.to_string()}
                         title={format!("index {}, term {}: {}{}", e.index, e.term, e.description,
                                        if e.committed { " (committed)" } else { "" })}>
                        <span class="idx">{ e.index }</span>
                        <span class="term">{ format!("t{}", e.term) }</span>
                        <span class="cmd">{ &e.description }</span>
                    </div>
                }) }
            </div>
            { leader_progress }
        </div>
    }
}

//! The inspector: a selected node's state and actions, or a message's fields.

use super::node::role_name;
use crate::actions::{node_actions, ClusterFacts};
use crate::speed::format_time;
use crate::state::Msg;
use raft_core::sim::{MessageView, NodeStatus, NodeView};
use std::rc::Rc;
use yew::prelude::*;

/// Props of [`Inspector`].
#[derive(Properties, Clone, PartialEq)]
pub struct InspectorProps {
    /// The selected node, if any.
    pub node: Rc<Option<NodeView>>,
    /// The selected message, if any (and still in flight).
    pub message: Option<MessageView>,
    /// What the node actions depend on (the leader, the membership).
    pub facts: ClusterFacts,
    /// Sends a message to the reducer.
    pub dispatch: Callback<Msg>,
}

/// Shows what is selected and what can be done to it.
#[function_component(Inspector)]
pub fn inspector(props: &InspectorProps) -> Html {
    if let Some(node) = props.node.as_ref() {
        return node_panel(node, &props.facts, &props.dispatch);
    }
    if let Some(m) = &props.message {
        return html! {
            <section class="panel inspector" aria-label="Message inspector">
                <h2>{ format!("{} S{} → S{}", m.kind, m.from, m.to) }</h2>
                <dl>
                    <dt>{ "term" }</dt><dd>{ m.term }</dd>
                    <dt>{ "sent" }</dt><dd>{ format_time(m.send_us) }</dd>
                    <dt>{ "due" }</dt><dd>{ format_time(m.deliver_us) }</dd>
                    <dt>{ "fields" }</dt><dd>{ &m.summary }</dd>
                    <dt>{ "fate" }</dt>
                    <dd>{ if m.will_drop { "will be lost" } else if m.held { "waiting at a paused node" } else { "will arrive" } }
                        { if m.duplicate { " (a duplicate made by the network)" } else { "" } }</dd>
                </dl>
            </section>
        };
    }
    html! {
        <section class="panel inspector" aria-label="Inspector">
            <h2>{ "Inspector" }</h2>
            <p class="hint">{ "Click a node (or press 1–9) to see its state and crash, restart or time it out; right-click it (or press Shift+F10 on it) for its menu. Click a message to read its fields." }</p>
        </section>
    }
}

fn node_panel(node: &NodeView, facts: &ClusterFacts, dispatch: &Callback<Msg>) -> Html {
    let id = node.id;
    // The same actions, with the same rules, as the node's context menu.
    let buttons = node_actions(node, facts).into_iter().map(|a| {
        let msg = Msg::Act(a.action);
        let disabled = a.unavailable.is_some();
        html! {
            <button data-testid={format!("node-{}", a.key)} {disabled}
                    title={a.unavailable} onclick={dispatch.reform(move |_: MouseEvent| msg.clone())}>
                { a.label }
            </button>
        }
    });
    let opt = |v: Option<u64>| v.map_or("—".to_string(), |v| v.to_string());
    let list = |ids: &[u64]| {
        ids.iter()
            .map(|i| format!("S{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    html! {
        <section class="panel inspector" aria-label={format!("Node {id} inspector")} data-testid="inspector" data-node-id={id.to_string()}>
            <h2>{ format!("Node S{id} — {}", role_name(&node.status)) }</h2>
            <div class="actions">{ for buttons }</div>
            <h3>{ "Persistent (survives a crash)" }</h3>
            <dl>
                <dt>{ "currentTerm" }</dt><dd>{ node.term }</dd>
                <dt>{ "votedFor" }</dt><dd>{ opt(node.voted_for) }</dd>
                <dt>{ "log" }</dt><dd>{ format!("snapshot ≤ {}, last index {}", node.snapshot_index, node.last_index) }</dd>
            </dl>
            <h3>{ "Volatile (lost in a crash)" }</h3>
            if node.status == NodeStatus::Crashed {
                <p class="hint" data-testid="volatile-lost">{ "Lost in the crash. A restarted node starts from its disk (and its snapshot) and learns what is committed from a leader." }</p>
            } else {
            <dl>
                <dt>{ "commitIndex" }</dt><dd>{ node.commit }</dd>
                <dt>{ "lastApplied" }</dt><dd>{ node.applied }</dd>
                <dt>{ "leader" }</dt><dd>{ opt(node.leader_id) }</dd>
                <dt>{ "election timeout" }</dt><dd>{ format_time(node.election_timeout_us) }</dd>
                <dt>{ "voters" }</dt><dd>{ list(&node.voters) }</dd>
                if !node.learners.is_empty() { <><dt>{ "learners" }</dt><dd>{ list(&node.learners) }</dd></> }
                if node.drift_ppm != 0 { <><dt>{ "clock drift" }</dt><dd>{ format!("{} ppm", node.drift_ppm) }</dd></> }
                if node.pending_disk_writes > 0 { <><dt>{ "disk writes pending" }</dt><dd>{ node.pending_disk_writes }</dd></> }
            </dl>
            }
            if !node.progress.is_empty() {
                <h3>{ "Leader's view of followers" }</h3>
                <table class="progress">
                    <thead><tr><th>{ "peer" }</th><th>{ "nextIndex" }</th><th>{ "matchIndex" }</th><th>{ "state" }</th></tr></thead>
                    <tbody>
                        { for node.progress.iter().map(|p| html! {
                            <tr><td>{ format!("S{}", p.peer) }</td><td>{ p.next_index }</td><td>{ p.match_index }</td>
                                <td>{ &p.state }{ if p.recent_active { "" } else { " (silent)" } }</td></tr>
                        }) }
                    </tbody>
                </table>
            }
        </section>
    }
}

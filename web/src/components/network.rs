//! Network and protocol settings: latency, loss, duplication, partitions,
//! and the protocol switches including the deliberately planted bugs.

use crate::fixed::{number_of, shortest};
use crate::state::{Msg, NewRun};
use crate::view::settings::{Settings, Switch};
use raft_core::sim::{Action, PPM};
use raft_core::NodeId;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Props of [`NetworkPanel`].
#[derive(Properties, Clone, PartialEq)]
pub struct NetworkProps {
    /// The settings the simulation runs with now (not those it started
    /// with: an action, a seek or a fork may have changed them).
    pub settings: Settings,
    /// Ids of the nodes.
    pub node_ids: Vec<NodeId>,
    /// The current leader, if any.
    pub leader: Option<NodeId>,
    /// Sends a message to the reducer.
    pub dispatch: Callback<Msg>,
}

fn value_of(e: &InputEvent) -> f64 {
    let input: HtmlInputElement = e.target_unchecked_into();
    number_of(&input).unwrap_or(0.0)
}

/// The network and protocol panel.
#[function_component(NetworkPanel)]
pub fn network_panel(props: &NetworkProps) -> Html {
    let d = &props.dispatch;
    let c = props.settings;
    // A range given in whole milliseconds: the other end moves along when
    // one would pass it.
    let latency = move |min_ms: u64, max_ms: u64| {
        Msg::Act(Action::SetLatency {
            min_us: min_ms * 1000,
            max_us: max_ms * 1000,
        })
    };
    let on_min = d.reform(move |e: InputEvent| {
        let v = value_of(&e) as u64;
        latency(v, c.latency_max_ms.max(v))
    });
    let on_max = d.reform(move |e: InputEvent| {
        let v = value_of(&e) as u64;
        latency(c.latency_min_ms.min(v), v)
    });
    let on_loss = d.reform(|e: InputEvent| {
        Msg::Act(Action::SetLoss((value_of(&e) / 100.0 * PPM as f64) as u32))
    });
    let on_dup = d.reform(|e: InputEvent| {
        Msg::Act(Action::SetDuplication(
            (value_of(&e) / 100.0 * PPM as f64) as u32,
        ))
    });
    let heal = d.reform(|_: MouseEvent| Msg::Act(Action::HealAll));
    let add = d.reform(|_: MouseEvent| Msg::Act(Action::AddNode));
    let isolate = {
        let (ids, leader) = (props.node_ids.clone(), props.leader);
        d.reform(move |_: MouseEvent| match leader {
            Some(l) => Msg::Act(Action::Partition(vec![
                vec![l],
                ids.iter().copied().filter(|i| *i != l).collect(),
            ])),
            None => Msg::Error("There is no leader to isolate right now.".into()),
        })
    };
    let split = {
        let ids = props.node_ids.clone();
        d.reform(move |_: MouseEvent| {
            let (a, b) = ids.split_at(ids.len().min(2));
            Msg::Act(Action::Partition(vec![a.to_vec(), b.to_vec()]))
        })
    };
    let switch =
        |name: &'static str, label: &'static str, on: bool, which: Switch, testid: &'static str| {
            let onchange = d.reform(move |e: Event| {
                let input: HtmlInputElement = e.target_unchecked_into();
                Msg::NewRun(NewRun::Switch(which, input.checked()))
            });
            html! {
                <label class="switch" title={name}>
                    <input type="checkbox" checked={on} {onchange} data-testid={testid} />{ label }
                </label>
            }
        };
    let bugs = c.bugs;
    html! {
        <section class="panel network" aria-label="Network and protocol">
            <h2>{ "Network" }</h2>
            <div class="grid">
                <label>{ format!("Latency min {} ms", c.latency_min_ms) }
                    <input type="range" min="1" max="200" value={c.latency_min_ms.to_string()} oninput={on_min} data-testid="latency-min" /></label>
                <label>{ format!("Latency max {} ms", c.latency_max_ms) }
                    <input type="range" min="1" max="200" value={c.latency_max_ms.to_string()} oninput={on_max} data-testid="latency-max" /></label>
                <label>{ "Loss %" }
                    <input type="number" min="0" max="100" step="1" value={shortest(c.loss_pct)} oninput={on_loss} data-testid="loss" /></label>
                <label>{ "Duplication %" }
                    <input type="number" min="0" max="100" step="1" value={shortest(c.duplication_pct)} oninput={on_dup} data-testid="duplication" /></label>
            </div>
            <div class="actions">
                <button onclick={isolate} data-testid="isolate-leader">{ "Isolate the leader" }</button>
                <button onclick={split} data-testid="split">{ "Split 2 | rest" }</button>
                <button onclick={heal} data-testid="heal-all">{ "Heal all" }</button>
                <button onclick={add} data-testid="add-node">{ "Add a node" }</button>
            </div>
            <p class="hint">{ "Click a link between two nodes to cut it; click again to heal." }</p>
            <h2>{ "Protocol" }</h2>
            <p class="hint">{ "Changing a switch restarts the run from time zero with the same seed." }</p>
            <div class="switches">
                { switch("PreVote (thesis §9.6)", "PreVote", c.pre_vote, Switch::PreVote, "switch-prevote") }
                { switch("CheckQuorum", "CheckQuorum", c.check_quorum, Switch::CheckQuorum, "switch-checkquorum") }
            </div>
            <fieldset class="bugs">
                <legend>{ "⚠ Break Raft (planted bugs)" }</legend>
                { switch("commit-old-term", "commit-old-term: count replicas of an old-term entry (Figure 8)", bugs.commit_old_term, Switch::CommitOldTerm, "bug-commit-old-term") }
                { switch("vote-without-log-check", "vote-without-log-check: grant votes without the up-to-date check", bugs.vote_without_log_check, Switch::VoteWithoutLogCheck, "bug-vote-without-log-check") }
                { switch("forget-vote-on-restart", "forget-vote-on-restart: votedFor not persisted", bugs.forget_vote_on_restart, Switch::ForgetVoteOnRestart, "bug-forget-vote-on-restart") }
                { switch("skip-consistency-check", "skip-consistency-check: accept AppendEntries without matching prevLogIndex/prevLogTerm", bugs.skip_consistency_check, Switch::SkipConsistencyCheck, "bug-skip-consistency-check") }
            </fieldset>
        </section>
    }
}

//! Network and protocol settings: latency, loss, duplication, partitions,
//! and the protocol switches including the deliberately planted bugs.

use crate::state::Msg;
use raft_core::raft::Bugs;
use raft_core::sim::{Action, SimConfig, PPM};
use raft_core::NodeId;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Props of [`NetworkPanel`].
#[derive(Properties, Clone, PartialEq)]
pub struct NetworkProps {
    /// The run's configuration (initial network settings and switches).
    pub config: SimConfig,
    /// Ids of the nodes.
    pub node_ids: Vec<NodeId>,
    /// The current leader, if any.
    pub leader: Option<NodeId>,
    /// Sends a message to the reducer.
    pub dispatch: Callback<Msg>,
}

fn value_of(e: &InputEvent) -> f64 {
    let input: HtmlInputElement = e.target_unchecked_into();
    input.value().parse().unwrap_or(0.0)
}

/// The network and protocol panel.
#[function_component(NetworkPanel)]
pub fn network_panel(props: &NetworkProps) -> Html {
    let d = &props.dispatch;
    let latency_min = use_state(|| props.config.latency_min_us / 1000);
    let latency_max = use_state(|| props.config.latency_max_us / 1000);
    let on_min = {
        let (min, max, d) = (latency_min.clone(), latency_max.clone(), d.clone());
        Callback::from(move |e: InputEvent| {
            let v = value_of(&e) as u64;
            min.set(v);
            let hi = (*max).max(v);
            d.emit(Msg::Act(Action::SetLatency {
                min_us: v * 1000,
                max_us: hi * 1000,
            }));
        })
    };
    let on_max = {
        let (min, max, d) = (latency_min.clone(), latency_max.clone(), d.clone());
        Callback::from(move |e: InputEvent| {
            let v = value_of(&e) as u64;
            max.set(v);
            let lo = (*min).min(v);
            d.emit(Msg::Act(Action::SetLatency {
                min_us: lo * 1000,
                max_us: v * 1000,
            }));
        })
    };
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
    let switch = |name: &'static str,
                  label: &'static str,
                  on: bool,
                  apply: fn(&mut SimConfig, bool),
                  testid: &'static str| {
        let (config, d) = (props.config.clone(), d.clone());
        let onchange = Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let mut next = config.clone();
            apply(&mut next, input.checked());
            d.emit(Msg::Configure(next));
        });
        html! {
            <label class="switch" title={name}>
                <input type="checkbox" checked={on} {onchange} data-testid={testid} />{ label }
            </label>
        }
    };
    let c = &props.config;
    let bugs: Bugs = c.bugs;
    html! {
        <section class="panel network" aria-label="Network and protocol">
            <h2>{ "Network" }</h2>
            <div class="grid">
                <label>{ format!("Latency min {} ms", *latency_min) }
                    <input type="range" min="1" max="200" value={latency_min.to_string()} oninput={on_min} data-testid="latency-min" /></label>
                <label>{ format!("Latency max {} ms", *latency_max) }
                    <input type="range" min="1" max="200" value={latency_max.to_string()} oninput={on_max} data-testid="latency-max" /></label>
                <label>{ "Loss %" }
                    <input type="number" min="0" max="100" step="1" value={(c.loss_ppm as f64 * 100.0 / PPM as f64).to_string()} oninput={on_loss} data-testid="loss" /></label>
                <label>{ "Duplication %" }
                    <input type="number" min="0" max="100" step="1" value={(c.duplication_ppm as f64 * 100.0 / PPM as f64).to_string()} oninput={on_dup} data-testid="duplication" /></label>
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
                { switch("PreVote (thesis §9.6)", "PreVote", c.pre_vote, |c, on| c.pre_vote = on, "switch-prevote") }
                { switch("CheckQuorum", "CheckQuorum", c.check_quorum, |c, on| c.check_quorum = on, "switch-checkquorum") }
            </div>
            <fieldset class="bugs">
                <legend>{ "⚠ Break Raft (planted bugs)" }</legend>
                { switch("commit-old-term", "commit-old-term: count replicas of an old-term entry (Figure 8)", bugs.commit_old_term, |c, on| c.bugs.commit_old_term = on, "bug-commit-old-term") }
                { switch("vote-without-log-check", "vote-without-log-check: grant votes without the up-to-date check", bugs.vote_without_log_check, |c, on| c.bugs.vote_without_log_check = on, "bug-vote-without-log-check") }
                { switch("forget-vote-on-restart", "forget-vote-on-restart: votedFor not persisted", bugs.forget_vote_on_restart, |c, on| c.bugs.forget_vote_on_restart = on, "bug-forget-vote-on-restart") }
                { switch("skip-consistency-check", "skip-consistency-check: accept AppendEntries without matching prevLogIndex/prevLogTerm", bugs.skip_consistency_check, |c, on| c.bugs.skip_consistency_check = on, "bug-skip-consistency-check") }
            </fieldset>
        </section>
    }
}

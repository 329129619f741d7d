//! The page: one reducer over the simulation, one animation driver, and small
//! components that receive only what they draw.

use crate::components::checker::Checker;
use crate::components::cluster::Cluster;
use crate::components::controls::Controls;
use crate::components::feed::{Chart, Feed};
use crate::components::help::Help;
use crate::components::inspector::Inspector;
use crate::components::kv::{KvPanel, HISTORY_BARS};
use crate::components::logs::Logs;
use crate::components::network::NetworkPanel;
use crate::derive;
use crate::driver::use_frame_loop;
use crate::keys::{message_for, KeyContext};
use crate::state::{Msg, Playground, Selection};
use gloo_events::EventListener;
use raft_core::sim::{NodeStatus, NodeView, SimConfig};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Nodes in a new cluster, as DESIGN.md fixes it.
pub const DEFAULT_NODES: usize = 5;

/// Props of [`App`].
#[derive(Properties, Clone, PartialEq)]
pub struct AppProps {
    /// The configuration of the first run.
    #[prop_or_else(SimConfig::default)]
    pub config: SimConfig,
    /// Start playing at once.
    #[prop_or(false)]
    pub autoplay: bool,
}

/// The whole application.
#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let state = {
        let (config, autoplay) = (props.config.clone(), props.autoplay);
        use_reducer(move || {
            let mut p = Playground::new(config);
            p.playing = autoplay;
            p
        })
    };
    let dispatch: Callback<Msg> = {
        let state = state.clone();
        Callback::from(move |m| state.dispatch(m))
    };
    use_frame_loop(state.playing, dispatch.reform(Msg::Frame));

    let timeline = state.timeline.borrow();
    let sim = timeline.sim();
    let now_us = timeline.now_us();
    let nodes: Rc<Vec<NodeView>> = {
        let key = (
            Rc::as_ptr(&state.timeline) as usize,
            sim.events_processed(),
            sim.trace_hash(),
        );
        use_memo(key, |_| sim.nodes())
    };
    // The chart changes slowly: recompute it every 256 events, not every frame.
    let series = {
        let key = (
            Rc::as_ptr(&state.timeline) as usize,
            sim.events_processed() / 256,
            nodes.len(),
        );
        use_memo(key, |_| derive::series(sim, &nodes))
    };
    let leader = sim.leader();
    let node_ids: Vec<u64> = nodes.iter().map(|n| n.id).collect();

    // Keyboard shortcuts on the whole page, except while typing in a field.
    {
        let dispatch = dispatch.clone();
        let ctx = Rc::new(KeyContext {
            selected: match state.selected {
                Selection::Node(id) => Some(id),
                _ => None,
            },
            leader,
            node_ids: node_ids.clone(),
            now_us,
        });
        use_effect_with((state.version, state.selected), move |_| {
            let document = gloo_utils::document();
            let listener = EventListener::new(&document, "keydown", move |event| {
                let Some(event) = event.dyn_ref::<web_sys::KeyboardEvent>() else {
                    return;
                };
                if event.ctrl_key() || event.meta_key() || event.alt_key() || typing_in_a_field() {
                    return;
                }
                let key = event.key();
                if key == "c" {
                    event.prevent_default();
                    if let Some(input) = gloo_utils::document()
                        .get_element_by_id("kv-key")
                        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                    {
                        let _ = input.focus();
                    }
                    return;
                }
                if let Some(msg) = message_for(&key, &ctx) {
                    event.prevent_default();
                    dispatch.emit(msg);
                }
            });
            move || drop(listener)
        });
    }

    let selected_node = match state.selected {
        Selection::Node(id) => nodes.iter().find(|n| n.id == id).cloned(),
        _ => None,
    };
    let messages = sim.messages_in_flight();
    let selected_message = match state.selected {
        Selection::Message(id) => messages.iter().find(|m| m.id == id).cloned(),
        _ => None,
    };
    let violations = sim.violations().to_vec();
    let flagged = violations
        .last()
        .map(|v| v.nodes.clone())
        .unwrap_or_default();
    let ops = sim.history().operations();
    let history = ops[ops.len().saturating_sub(HISTORY_BARS)..].to_vec();
    let crashed = nodes
        .iter()
        .filter(|n| n.status == NodeStatus::Crashed)
        .count();

    let on_select_node = dispatch.reform(|id| Msg::Select(Selection::Node(id)));
    let on_select_message = dispatch.reform(|id| Msg::Select(Selection::Message(id)));
    let on_toggle_link = dispatch.reform(|(a, b)| Msg::ToggleLink(a, b));
    let banner = state.error.clone().map(|e| {
        html! {
            <div class="banner error" role="alert" data-testid="error-banner">
                <span>{ e }</span>
                <button onclick={dispatch.reform(|_: MouseEvent| Msg::Dismiss)} aria-label="Dismiss">{ "×" }</button>
            </div>
        }
    });
    let notice = state.notice.clone().map(|n| {
        html! {
            <div class="banner notice" role="status" data-testid="notice">
                <span>{ n }</span>
                <button onclick={dispatch.reform(|_: MouseEvent| Msg::Dismiss)} aria-label="Dismiss">{ "×" }</button>
            </div>
        }
    });

    html! {
        <main class="app">
            <header class="topbar">
                <h1>{ "Raft Playground" }</h1>
                <span class="clock" data-testid="sim-time" data-ms={(now_us / 1000).to_string()}
                      data-us={now_us.to_string()} data-trace-hash={format!("{:016x}", sim.trace_hash())}>
                    { derive::clock_text(now_us) }
                </span>
                <span class="summary">
                    { match leader { Some(l) => format!("leader S{l}"), None => "no leader".to_string() } }
                    { format!(" · {} nodes, {crashed} crashed · {} messages in flight", nodes.len(), messages.len()) }
                </span>
                <button class="help-button" onclick={dispatch.reform(|_: MouseEvent| Msg::ToggleHelp)}
                        aria-label="Keyboard shortcuts">{ "?" }</button>
            </header>
            { for banner }
            { for notice }
            <div class="layout">
                <section class="stage" aria-label="Cluster">
                    <Cluster nodes={(*nodes).clone()} messages={messages}
                             lost={derive::lost(sim, now_us)} cuts={derive::cuts(sim, &nodes)}
                             timers={derive::timers(&nodes, now_us)} votes={derive::votes(sim, &nodes)}
                             {now_us}
                             selected_node={if let Selection::Node(id) = state.selected { Some(id) } else { None }}
                             selected_message={if let Selection::Message(id) = state.selected { Some(id) } else { None }}
                             {flagged} {on_select_node} {on_select_message} {on_toggle_link} />
                    <Controls playing={state.playing} speed_log={state.speed_log} {now_us}
                              max_us={timeline.max_reached_us()} seed={state.config.seed} dispatch={dispatch.clone()} />
                    <p class="legend" aria-hidden="true">
                        <span class="lg follower">{ "follower" }</span>
                        <span class="lg precandidate">{ "pre-candidate" }</span>
                        <span class="lg candidate">{ "candidate" }</span>
                        <span class="lg leader">{ "leader" }</span>
                        <span class="lg crashed">{ "crashed" }</span>
                    </p>
                </section>
                <aside class="side">
                    <Inspector node={selected_node} message={selected_message} dispatch={dispatch.clone()} />
                    <Checker violations={violations} lin={state.lin.clone()} />
                </aside>
            </div>
            <div class="panels">
                <Logs nodes={(*nodes).clone()} />
                <KvPanel nodes={(*nodes).clone()} results={derive::user_results(sim)} {history} {now_us}
                         lin={state.lin.clone()} dispatch={dispatch.clone()} />
                <NetworkPanel config={state.config.clone()} node_ids={node_ids.clone()} {leader} dispatch={dispatch.clone()} />
                <Feed lines={derive::feed(sim)} />
                <Chart series={(*series).clone()} {now_us} />
            </div>
            if state.show_help {
                <Help on_close={dispatch.reform(|_| Msg::ToggleHelp)} />
            }
        </main>
    }
}

fn typing_in_a_field() -> bool {
    gloo_utils::document()
        .active_element()
        .map(|e| matches!(e.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"))
        .unwrap_or(false)
}

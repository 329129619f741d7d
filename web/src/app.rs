//! The page: one reducer over the simulation, one animation driver, and small
//! components that receive only what they draw.

use crate::actions::{ClusterFacts, Membership};
use crate::components::checker::Checker;
use crate::components::cluster::Cluster;
use crate::components::controls::Controls;
use crate::components::feed::{Chart, Feed};
use crate::components::help::Help;
use crate::components::hint;
use crate::components::hold::Hold;
use crate::components::hunt::Hunt;
use crate::components::inspector::Inspector;
use crate::components::kv::{KvPanel, HISTORY_BARS};
use crate::components::legend::Legend;
use crate::components::logs::{Logs, LOG_ENTRIES_SHOWN};
use crate::components::network::NetworkPanel;
use crate::components::share::Share;
use crate::components::story::{Narrative, Picker, ScenarioEntry};
use crate::components::story_edit::StoryEditor;
use crate::components::transfer::Transfer;
use crate::driver::use_frame_loop;
use crate::embed::{PageOptions, Theme};
use crate::fixed::f1;
use crate::host::{event, host_event, parse_command, post_to_host, Command};
use crate::keys::{message_for, KeyContext};
use crate::state::{LatestState, Msg, NewRun, Playground, Selection, SimTime};
use crate::view::settings::Settings;
use crate::view::{clients, clock, cluster, nodes};
use gloo_events::{EventListener, EventListenerOptions};
use raft_core::scenario;
use raft_core::sim::{NodeStatus, NodeView, SimConfig};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use yew::prelude::*;

/// Nodes in a new cluster, as DESIGN.md fixes it.
pub const DEFAULT_NODES: usize = 5;

/// What the page opens with.
#[derive(Clone, Debug, PartialEq)]
pub enum Startup {
    /// A run of this configuration.
    Config(SimConfig),
    /// A built-in scenario, by id.
    Scenario(String),
    /// A share link's payload (`#s=...`).
    Link(String),
}

/// An `<iframe>` snippet for `src` (already escaped for an attribute).
fn iframe(src: &str) -> String {
    format!(
        "<iframe src=\"{src}\" width=\"640\" height=\"480\" style=\"border:0\" title=\"Raft Playground\" loading=\"lazy\"></iframe>"
    )
}

/// Whether the page plays at once: a shared moment opens paused (it shows
/// that moment); the query string may say; otherwise a plain visit plays
/// (the cluster moves at first sight) unless the reader prefers reduced
/// motion, and a story or an embed waits for Play.
pub fn starts_playing(startup: &Startup, options: &PageOptions, reduced_motion: bool) -> bool {
    let plain = matches!(startup, Startup::Config(_)) && !options.embed;
    !matches!(startup, Startup::Link(_)) && options.autoplay.unwrap_or(plain && !reduced_motion)
}

/// The reader asked the system for reduced motion.
fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

/// Props of [`App`].
#[derive(Properties, Clone, PartialEq)]
pub struct AppProps {
    /// What to open.
    pub startup: Startup,
    /// Options from the query string (embed, controls, autoplay, theme).
    #[prop_or_default]
    pub options: PageOptions,
    /// Problems found in the page address, shown in the error banner.
    #[prop_or_default]
    pub address_errors: Vec<String>,
}

fn initial_state(props: &AppProps) -> Playground {
    let mut errors = props.address_errors.clone();
    let mut p = match &props.startup {
        Startup::Config(config) => Playground::new(config.clone()),
        Startup::Scenario(id) => match scenario::by_id(id) {
            Some(s) => Playground::from_scenario(s),
            None => {
                errors.push(format!(
                    "There is no scenario \"{id}\"; loaded the default."
                ));
                Playground::new(SimConfig::default())
            }
        },
        Startup::Link(link) => match scenario::decode(link) {
            Ok(share) => Playground::from_share(share),
            Err(e) => {
                errors.push(format!(
                    "This link cannot be opened: {e} Loaded the default scenario instead."
                ));
                Playground::new(SimConfig::default())
            }
        },
    };
    p.playing = starts_playing(&props.startup, &props.options, prefers_reduced_motion());
    if !errors.is_empty() {
        p.error = Some(errors.join(" "));
    }
    p
}

/// The whole application.
#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let state = {
        let props = props.clone();
        use_reducer(move || initial_state(&props))
    };
    let share_url = use_state(|| None::<String>);
    // The embed snippet of the user's own story (the run it was made in).
    let story_embed = use_state(|| None::<(u64, String)>);
    let hint_open = use_state(|| !hint::seen());
    // One callback for the app's lifetime: children whose other props did
    // not change are then equal and skip their render.
    let dispatch: Callback<Msg> = {
        let dispatcher = state.dispatcher();
        (*use_memo((), move |_| Callback::from(move |m| dispatcher.dispatch(m)))).clone()
    };
    use_host_api(&state, &dispatch);
    use_frame_loop(state.playing, dispatch.reform(Msg::Frame));
    // Records when the cluster first reached the screen (ms since navigation
    // start), for the end-to-end performance figures.
    use_effect_with((), |_| {
        let now_ms = web_sys::window()
            .and_then(|w| w.performance())
            .map(|p| p.now())
            .unwrap_or_default();
        if let Some(root) = gloo_utils::document().document_element() {
            let _ = root.set_attribute("data-first-render-ms", &f1(now_ms).to_string());
        }
    });

    let timeline = state.timeline.borrow();
    let sim = timeline.sim();
    let now_us = timeline.now_us();
    // What changes only when an event or an action happened (not with the
    // clock alone): the run, where it is, and the hash of everything so far.
    let key = (
        state.run,
        timeline.rewinds(),
        sim.events_processed(),
        sim.trace_hash(),
    );
    // How many of each log's newest entries are listed ("show more" doubles it).
    let log_shown = use_state_eq(|| LOG_ENTRIES_SHOWN);
    let on_more_log = {
        let log_shown = log_shown.clone();
        // Keyed on the value: a handle captured once would keep its first value.
        use_callback(*log_shown, move |(), shown| {
            log_shown.set(shown.saturating_mul(2))
        })
    };
    // The node views, and what the Logs panel and the store table draw of them.
    let node_views = use_memo((key, *log_shown), |&(_, shown)| {
        let nodes = sim.nodes_with_log(shown);
        let (rows, stores) = nodes::rows_and_columns(&nodes);
        (Rc::new(nodes), Rc::new(rows), Rc::new(stores))
    });
    let nodes: Rc<Vec<NodeView>> = node_views.0.clone();
    let (log_rows, stores) = (node_views.1.clone(), node_views.2.clone());
    // Folded from the trace by the reducer, once per change: read here.
    let (series, feed_lines, results) = {
        let projections = state.projections.borrow();
        (
            projections.series(),
            projections.feed(),
            projections.requests(),
        )
    };
    let history = use_memo(key, |_| {
        let ops = sim.history().operations();
        ops[ops.len().saturating_sub(HISTORY_BARS)..].to_vec()
    });
    let violations = use_memo((key.0, key.1, sim.violations().len()), |_| {
        sim.violations().to_vec()
    });
    let messages = use_memo(key, |_| sim.messages_in_flight());
    let cuts = use_memo(key, |_| cluster::cuts(sim, &nodes));
    let votes = use_memo(key, |_| cluster::votes(sim, &nodes));
    let facts = use_memo(key, |_| ClusterFacts::of(&nodes));
    let leader = sim.leader();
    let leader_text = leader.map_or_else(|| "no leader".to_string(), |l| format!("leader S{l}"));
    let node_ids: Vec<u64> = nodes.iter().map(|n| n.id).collect();

    // Keyboard shortcuts on the whole page, except while typing in a field.
    // One listener for the app's lifetime, reading what the page shows now
    // from a cell refreshed every render (re-registering it every frame
    // cost more than the lookup).
    let key_context = use_mut_ref(KeyContext::default);
    *key_context.borrow_mut() = KeyContext {
        selected: match state.selected {
            Selection::Node(id) => Some(id),
            _ => None,
        },
        leader,
        node_ids: node_ids.clone(),
        now_us,
    };
    {
        let (dispatch, ctx) = (dispatch.clone(), key_context.clone());
        use_effect_with((), move |_| {
            let document = gloo_utils::document();
            // Not passive (gloo's default): the shortcuts call prevent_default
            // so that, e.g., space pauses instead of scrolling the page.
            let options = EventListenerOptions::enable_prevent_default();
            let listener =
                EventListener::new_with_options(&document, "keydown", options, move |event| {
                    let Some(event) = event.dyn_ref::<web_sys::KeyboardEvent>() else {
                        return;
                    };
                    if event.ctrl_key()
                        || event.meta_key()
                        || event.alt_key()
                        || typing_in_a_field()
                        || in_a_menu(event)
                    {
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
                    let msg = message_for(&key, &ctx.borrow());
                    if let Some(msg) = msg {
                        event.prevent_default();
                        dispatch.emit(msg);
                    }
                });
            move || drop(listener)
        });
    }

    // Copied out of the node views only when they change (they hold logs).
    let selected_node = use_memo((key, state.selected), |_| match state.selected {
        Selection::Node(id) => nodes.iter().find(|n| n.id == id).cloned(),
        _ => None,
    });
    let selected_message = match state.selected {
        Selection::Message(id) => messages.iter().find(|m| m.id == id).cloned(),
        _ => None,
    };
    let flagged = violations
        .last()
        .map(|v| v.nodes.clone())
        .unwrap_or_default();
    // The entries the latest violation names, on the nodes it names.
    let marked = use_memo(violations.clone(), |violations| {
        violations
            .last()
            .map(|v| {
                v.nodes
                    .iter()
                    .flat_map(|&n| v.entries.iter().map(move |&(index, _)| (n, index)))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    let crashed = nodes
        .iter()
        .filter(|n| n.status == NodeStatus::Crashed)
        .count();
    let removed = match nodes
        .iter()
        .filter(|n| facts.membership(n.id) == Membership::Removed)
        .count()
    {
        0 => String::new(),
        n => format!(" ({n} removed)"),
    };

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
    let entries = use_memo((), |_| {
        scenario::library()
            .into_iter()
            .map(|s| ScenarioEntry {
                id: s.id,
                title: s.title,
            })
            .collect::<Vec<_>>()
    });
    let narrative = if state.editing {
        state.story.clone().map(|story| {
            html! { <StoryEditor {story} promises={state.promises.clone()} {now_us} node_ids={node_ids.clone()}
                                 can_undo={state.story_undo.is_some()} dispatch={dispatch.clone()} /> }
        })
    } else {
        state.story.clone().map(|story| {
            let scenario = state
                .scenario
                .as_ref()
                .filter(|_| !state.own_story)
                .map(|s| (s.id.clone(), s.end_us));
            html! { <Narrative {story} {scenario} promises={state.promises.clone()} {now_us} dispatch={dispatch.clone()} /> }
        })
    };
    // What only a click reads: behind a handle that is the same every frame.
    let latest = LatestState(use_mut_ref(|| state.clone()));
    *latest.0.borrow_mut() = state.clone();
    let on_share = {
        let (latest, share_url) = (latest.clone(), share_url.setter());
        let story_embed = story_embed.setter();
        use_callback((), move |(), _| {
            let p = latest.get();
            let share = p.share_state();
            share_url.set(Some(format!(
                "{}{}",
                page_base(true),
                scenario::link::fragment(&share)
            )));
            // A story of one's own is embedded with its whole run, from its start.
            let own = p.own_story.then(|| {
                let from_start = scenario::ShareState {
                    time_us: 0,
                    selected: None,
                    ..share
                };
                let src = format!(
                    "{}?embed=1{}",
                    page_base(false),
                    scenario::link::fragment(&from_start)
                );
                (p.run, iframe(&src))
            });
            story_embed.set(own);
        })
    };
    // Asking the browser for the page address is slow enough to show in a
    // frame's budget: only when the scenario changes.
    let embed_snippet = use_memo(state.scenario.as_ref().map(|s| s.id.clone()), |id| {
        iframe(&match id {
            Some(id) => format!("{}?embed=1&amp;scenario={id}", page_base(false)),
            None => format!("{}?embed=1", page_base(false)),
        })
    });
    let embed_snippet = match &*story_embed {
        Some((run, snippet)) if *run == state.run => snippet.clone(),
        _ => (*embed_snippet).clone(),
    };
    // Embedded, the page links to the full playground at this moment. A
    // share link encodes (and compresses) the whole run: once per virtual
    // second for the address shown, and afresh when the link is clicked.
    let open_full = use_memo(
        (
            props.options.embed,
            (key.0, key.1),
            state.playing,
            now_us / 1_000_000,
        ),
        |&(embed, ..)| {
            if embed {
                full_link(&state)
            } else {
                String::new()
            }
        },
    );
    let refresh_open_full = {
        let state = state.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(a) = e
                .current_target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            {
                let _ = a.set_attribute("href", &full_link(&state));
            }
        })
    };
    let sim_settings = sim.settings();
    let cluster = html! {
        <Cluster nodes={nodes.clone()} facts={facts.clone()} messages={messages.clone()}
                 lost={cluster::lost(sim, now_us)} cuts={cuts.clone()}
                 traffic={clients::traffic(sim, now_us, (sim_settings.latency_min_us + sim_settings.latency_max_us) / 2)} background_clients={sim_settings.clients}
                 timers={cluster::timers(&nodes, now_us)} votes={votes.clone()}
                 {now_us}
                 selected_node={if let Selection::Node(id) = state.selected { Some(id) } else { None }}
                 selected_message={if let Selection::Message(id) = state.selected { Some(id) } else { None }}
                 {flagged} dispatch={dispatch.clone()} fit_height={props.options.embed} />
    };
    let controls = html! {
        <Controls playing={state.playing} speed_log={state.speed_log} skip_quiet={state.skip_quiet} {now_us}
                  max_us={timeline.max_reached_us()} seed={state.config.seed}
                  marks={state.violation_marks.clone()} dispatch={dispatch.clone()} />
    };
    let clock = html! {
        <span class="clock" data-testid="sim-time" data-ms={(now_us / 1000).to_string()}
              data-us={now_us.to_string()} data-trace-hash={format!("{:016x}", sim.trace_hash())}>
            { clock::clock_text(now_us) }
            if state.skipping && state.playing {
                <span class="skipping" data-testid="skipping"
                      title="Nothing is in flight: time runs faster until a message is sent">
                    { clock::SKIPPING_TEXT }
                </span>
            }
        </span>
    };
    let checker = html! { <Checker violations={violations.clone()} lin={state.lin.clone()} dispatch={dispatch.clone()} /> };

    if props.options.embed {
        return html! {
            <main class={classes!("app", "embed", props.options.controls.then_some("with-controls"), theme_class(props.options.theme))}>
                <header class="topbar">
                    <h1 class="sr-only">{ "Raft Playground" }</h1>
                    { clock }
                    <span class={classes!("embed-status", if violations.is_empty() { "ok" } else { "violation" })}
                          data-testid="checker" data-status={if violations.is_empty() && !matches!(state.lin, crate::state::LinStatus::Violation(_)) { "ok" } else { "violation" }}>
                        { leader_text.clone() }
                    </span>
                    <a class="open-full" href={(*open_full).clone()} onclick={refresh_open_full}
                       target="_blank" rel="noopener">{ "Open in the playground ↗" }</a>
                </header>
                { banner.unwrap_or_default() }
                { cluster }
                if props.options.controls { { controls } }
                { narrative.unwrap_or_default() }
            </main>
        };
    }

    html! {
        <main class={classes!("app", theme_class(props.options.theme))}>
            <header class="topbar">
                <h1>{ "Raft Playground" }</h1>
                { clock }
                <span class="summary">
                    { leader_text.clone() }
                    { format!(" · {} nodes{removed}, {crashed} crashed · {} messages in flight", nodes.len(), messages.len()) }
                </span>
                <nav class="toolbar" aria-label="Share and files">
                    <Share url={(*share_url).clone()} {embed_snippet} {on_share} />
                    <Transfer state={latest.clone()} dispatch={dispatch.clone()} />
                    <button class="help-button" onclick={dispatch.reform(|_: MouseEvent| Msg::ToggleHelp)}
                            aria-label="Keyboard shortcuts">{ "?" }</button>
                </nav>
            </header>
            { banner.unwrap_or_default() }
            { notice.unwrap_or_default() }
            if matches!(props.startup, Startup::Config(_)) && state.scenario.is_none() {
                { hint::first_visit_hint(&hint_open) }
            }
            <div class="layout">
                <section class="stage" aria-label="Cluster">
                    { cluster }
                    { controls }
                    <Legend />
                </section>
                <aside class="side">
                    { narrative.unwrap_or_default() }
                    <Hold playing={state.playing} wall_ms={state.played_wall_ms}>
                        <KvPanel {stores} {results} history={history.clone()} invoked={sim.history().invoked()} {now_us}
                             lin={state.lin.clone()} dispatch={dispatch.clone()} />
                    </Hold>
                    { checker }
                    <Inspector node={selected_node.clone()} message={selected_message} facts={(*facts).clone()} dispatch={dispatch.clone()} />
                </aside>
            </div>
            <div class="panels">
                // The bug hunt; it reads its deep link (`?hunt=...`) itself.
                <Hunt dispatch={dispatch.clone()} />
                <Picker entries={entries} current={state.scenario.as_ref().map(|s| s.id.clone())} has_story={state.story.is_some()} dispatch={dispatch.clone()} />
                <Hold playing={state.playing} wall_ms={state.played_wall_ms} phase_ms={33.0}>
                    <Logs rows={log_rows} marked={marked.clone()} on_more={on_more_log.clone()} />
                </Hold>
                <NetworkPanel settings={Settings::of(&sim_settings)} node_ids={node_ids.clone()} {leader} dispatch={dispatch.clone()} />
                <Hold playing={state.playing} wall_ms={state.played_wall_ms} phase_ms={67.0}>
                    <Feed lines={feed_lines} />
                    <Chart series={series.clone()} {now_us} />
                </Hold>
            </div>
            if state.show_help {
                <Help on_close={dispatch.reform(|_| Msg::ToggleHelp)} />
            }
        </main>
    }
}

fn theme_class(theme: Option<Theme>) -> Option<&'static str> {
    theme.map(|t| match t {
        Theme::Light => "theme-light",
        Theme::Dark => "theme-dark",
    })
}

/// A link to this moment in the full playground (not embedded).
fn full_link(state: &Playground) -> String {
    format!(
        "{}{}",
        page_base(false),
        scenario::link::fragment(&state.share_state())
    )
}

/// This page's address without its fragment (and without its query when
/// `keep_query` is false), so links work from any sub-path.
fn page_base(keep_query: bool) -> String {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return String::new();
    };
    let origin = location.origin().unwrap_or_default();
    let path = location.pathname().unwrap_or_default();
    let query = if keep_query {
        location.search().unwrap_or_default()
    } else {
        String::new()
    };
    format!("{origin}{path}{query}")
}

/// The postMessage API: commands in, events out (see `host.rs`).
#[hook]
fn use_host_api(state: &UseReducerHandle<Playground>, dispatch: &Callback<Msg>) {
    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| {
            let window = web_sys::window().expect("a browser window");
            let listener = EventListener::new(&window, "message", move |e| {
                let Some(e) = e.dyn_ref::<web_sys::MessageEvent>() else {
                    return;
                };
                match parse_command(&e.data()) {
                    Ok(Some(Command::Play)) => dispatch.emit(Msg::Play),
                    Ok(Some(Command::Pause)) => dispatch.emit(Msg::Pause),
                    Ok(Some(Command::Seek(ms))) => dispatch.emit(Msg::Seek(SimTime::from_ms(ms))),
                    Ok(Some(Command::Load(id))) => dispatch.emit(Msg::NewRun(NewRun::Scenario(id))),
                    Ok(None) => {}
                    Err(why) => {
                        post_to_host(&event("error", &[("message", JsValue::from_str(&why))]))
                    }
                }
            });
            post_to_host(&event("ready", &[]));
            move || drop(listener)
        });
    }
    // The events the reducer's changes brought since the last render, in
    // trace order (what a host's "load" and "seek" sent back to back ran
    // into is heard even when both reach one render).
    let projections = state.projections.clone();
    use_effect_with(state.version, move |_| {
        for e in projections.borrow_mut().take_host_events() {
            post_to_host(&host_event(&e));
        }
    });
}

/// A key pressed inside a context menu belongs to the menu.
fn in_a_menu(event: &web_sys::KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("[role=menu]").ok().flatten())
        .is_some()
}

fn typing_in_a_field() -> bool {
    gloo_utils::document()
        .active_element()
        .map(|e| matches!(e.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_visit_plays_unless_motion_is_unwelcome() {
        let plain = Startup::Config(SimConfig::default());
        let story = Startup::Scenario("first-election".into());
        let link = Startup::Link("x".into());
        let options = PageOptions::default();
        let embed = PageOptions {
            embed: true,
            ..PageOptions::default()
        };
        let asked = |autoplay| PageOptions {
            autoplay: Some(autoplay),
            ..PageOptions::default()
        };
        assert!(starts_playing(&plain, &options, false));
        assert!(!starts_playing(&plain, &options, true));
        assert!(!starts_playing(&story, &options, false));
        assert!(!starts_playing(&plain, &embed, false));
        assert!(!starts_playing(&plain, &asked(false), false));
        assert!(starts_playing(&story, &asked(true), true));
        assert!(!starts_playing(&link, &asked(true), false));
    }
}

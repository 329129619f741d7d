//! The Raft Playground single-page app: Yew function components over the
//! `raft-core` simulation. This crate owns no protocol logic: it renders a
//! [`raft_core::sim::Timeline`] and forwards user actions to it.
//!
//! - [`state`]: the reducer (playback, selection, banners) over the timeline
//! - [`flow`]: one cursor over the timeline and the projections it feeds
//!   (feed, requests, chart, live linearizability, host-page events)
//! - [`driver`]: the requestAnimationFrame loop, running only while playing
//! - [`view`]: what components show, computed from the simulation, one
//!   file per concern (cluster geometry, feed, requests, chart, clock, settings)
//! - [`components`]: small function components with `PartialEq` props
//! - [`hunt`]: the bug hunt (the swarm in Web Workers, shrinking, Watch)
//! - [`transfer`]: the scenario file (JSON) and trace export (JSON lines) formats
//! - [`layout`], [`speed`], [`keys`], [`math`]: geometry, time and speed,
//!   shortcuts, elementary functions

// Faster than dlmalloc for the simulator's many small allocations, and smaller.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

pub mod actions;
pub mod app;
pub mod components;
pub mod driver;
pub mod embed;
pub mod fixed;
pub mod flow;
pub mod host;
pub mod hunt;
pub mod keys;
pub mod layout;
pub mod lin;
pub mod math;
pub mod speed;
pub mod state;
pub mod transfer;
pub mod view;

/// Mounts [`app::App`] on the document body, opening what the address asks
/// for: a share link (`#s=...`), a scenario (`?scenario=...`), or the default run.
pub fn start() {
    let location = web_sys::window().map(|w| w.location());
    let query = location
        .as_ref()
        .and_then(|l| l.search().ok())
        .unwrap_or_default();
    let hash = location
        .as_ref()
        .and_then(|l| l.hash().ok())
        .unwrap_or_default();
    let (options, address_errors) = embed::parse_query(&query);
    let startup = if let Some(link) = hash.strip_prefix("#s=") {
        app::Startup::Link(link.to_string())
    } else if let Some(id) = &options.scenario {
        app::Startup::Scenario(id.clone())
    } else {
        app::Startup::Config(raft_core::sim::SimConfig::default())
    };
    yew::Renderer::<app::App>::with_props(app::AppProps {
        startup,
        options,
        address_errors,
    })
    .render();
    reload_on_new_fragment();
}

/// A share link pasted into the address bar of an open playground (or set
/// by a host page on its iframe) changes only the fragment, and the browser
/// loads nothing: the page reloads so that the link opens exactly as it
/// would in a new tab. The app never writes the fragment itself.
fn reload_on_new_fragment() {
    let Some(window) = web_sys::window() else {
        return;
    };
    gloo_events::EventListener::new(&window, "hashchange", |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.location().reload();
        }
    })
    .forget();
}

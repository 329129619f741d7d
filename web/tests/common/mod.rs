//! What the browser test suites share: a fresh root element, the app mounted
//! on one, and waiting for it.
#![cfg(target_arch = "wasm32")]
#![allow(dead_code)] // each suite uses its own part

use raft_core::sim::SimConfig;
use web::app::{App, AppProps, Startup};

/// A new `<div>` appended to the page's body.
pub fn root() -> web_sys::Element {
    let document = document();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

/// The app opened from a share link holding `config` and no action, at
/// `time_us`, mounted on a new root.
pub fn mount_at(config: SimConfig, time_us: u64) -> web_sys::Element {
    use raft_core::scenario::{link, ShareState};
    let state = ShareState {
        scenario_id: None,
        config,
        actions: Vec::new(),
        time_us,
        speed_milli: 10,
        selected: None,
        story: None,
    };
    let root = root();
    yew::Renderer::<App>::with_root_and_props(
        root.clone(),
        AppProps {
            startup: Startup::Link(link::encode(&state)),
            options: Default::default(),
            address_errors: Vec::new(),
        },
    )
    .render();
    root
}

/// The app on the default configuration, mounted on a new root. Yew
/// renders on the next tick of the event loop.
pub fn mount() -> web_sys::Element {
    mount_with(Some(false))
}

/// [`mount`], playing at once or not (`None`: as a plain visit would).
pub fn mount_with(autoplay: Option<bool>) -> web_sys::Element {
    let root = root();
    yew::Renderer::<App>::with_root_and_props(
        root.clone(),
        AppProps {
            startup: Startup::Config(SimConfig::default()),
            // Paused at time zero, whatever the page would choose for a
            // plain visit: the tests act on a known moment.
            options: web::embed::PageOptions {
                autoplay,
                ..Default::default()
            },
            address_errors: Vec::new(),
        },
    )
    .render();
    root
}

pub fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// The first element under `root` matching `css`, if any.
pub fn find(root: &web_sys::Element, css: &str) -> Option<web_sys::Element> {
    root.query_selector(css).unwrap()
}

/// Yields to the event loop until `done` holds (renders and file reads are
/// asynchronous); panics after about five seconds.
pub async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..500 {
        if done() {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(10).await;
    }
    panic!("waited 5 s for {what}");
}

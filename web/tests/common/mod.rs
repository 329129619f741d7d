//! What the browser test suites share: a fresh root element, and the app
//! mounted on one.

use raft_core::sim::SimConfig;
use web::app::{App, AppProps, Startup};

/// A new `<div>` appended to the page's body.
pub fn root() -> web_sys::Element {
    let document = gloo_utils::document();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

/// The app on the default configuration, mounted on a new root. Yew
/// renders on the next tick of the event loop.
pub fn mount_app() -> web_sys::Element {
    let root = root();
    yew::Renderer::<App>::with_root_and_props(
        root.clone(),
        AppProps {
            startup: Startup::Config(SimConfig::default()),
            options: Default::default(),
            address_errors: Vec::new(),
        },
    )
    .render();
    root
}

//! The Raft Playground single-page app: Yew function components over the
//! `raft-core` simulation. This crate owns no protocol logic: it renders a
//! [`raft_core::sim::Timeline`] and forwards user actions to it.
//!
//! - [`state`]: the reducer (playback, selection, banners) over the timeline
//! - [`driver`]: the requestAnimationFrame loop, running only while playing
//! - [`derive`]: what components show, computed from the simulation
//! - [`components`]: small function components with `PartialEq` props
//! - [`layout`], [`speed`], [`keys`]: geometry, time and speed, shortcuts

pub mod app;
pub mod components;
pub mod derive;
pub mod driver;
pub mod keys;
pub mod layout;
pub mod speed;
pub mod state;

/// Mounts [`app::App`] on the document body.
pub fn start() {
    yew::Renderer::<app::App>::with_props(app::AppProps {
        config: raft_core::sim::SimConfig::default(),
        autoplay: false,
    })
    .render();
}

//! The Raft Playground single-page app: Yew function components over the
//! `raft-core` simulation. This crate owns no protocol logic.

pub mod app;
pub mod components;
pub mod layout;

/// Mounts [`app::App`] on the document body.
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}

//! View models: what each part of the page shows, computed from the
//! simulation. One file per concern, each owning its type and its tests;
//! views never import components (components import views).

pub mod chart;
pub mod clients;
pub mod clock;
pub mod cluster;
pub mod feed;
pub mod lanes;
pub mod nodes;
pub mod requests;
pub mod settings;
pub mod stage;

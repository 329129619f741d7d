//! Small function components with `PartialEq` props, so only what changed re-renders.

pub mod checker;
pub mod clients;
pub mod cluster;
pub mod controls;
pub mod feed;
pub mod help;
pub mod hint;
pub mod hold;
pub mod hunt;
pub mod inspector;
pub mod kv;
pub mod lane;
pub mod legend;
pub mod logs;
pub mod menu;
pub mod message;
pub mod network;
pub mod node;
pub mod share;
pub mod story;
pub mod story_edit;
pub mod transfer;

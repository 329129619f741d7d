//! The postMessage API for pages that embed the playground in an iframe.
//!
//! Commands in (from any origin — they are harmless by design, and nothing
//! else is accepted): `{type: "raft-playground", command: "play" | "pause"}`,
//! `{..., command: "seek", ms: <0..=3600000>}`, `{..., command: "load", scenario: "<id>"}`.
//! Events out, to the parent window: `{type: "raft-playground", event: "ready"
//! | "leader-elected" | "entry-committed" | "violation", ...}`.

use crate::fixed::shortest;
use crate::flow::announce::HostEvent;
use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

/// The `type` field every message in either direction carries.
pub const MESSAGE_TYPE: &str = "raft-playground";
/// Latest time a host may seek to (one hour of virtual time), in ms.
pub const MAX_SEEK_MS: f64 = 3_600_000.0;

/// A validated command from the host page.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Start playback.
    Play,
    /// Stop playback.
    Pause,
    /// Go to a virtual time, in ms.
    Seek(u64),
    /// Load a built-in scenario by id.
    Load(String),
}

fn field(data: &JsValue, name: &str) -> Option<JsValue> {
    Reflect::get(data, &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined())
}

/// Reads a command; `Err` says why a message that claims to be ours is refused,
/// `Ok(None)` means the message is someone else's and is ignored silently.
pub fn parse_command(data: &JsValue) -> Result<Option<Command>, String> {
    if !data.is_object()
        || field(data, "type").and_then(|t| t.as_string()).as_deref() != Some(MESSAGE_TYPE)
    {
        return Ok(None);
    }
    let command = field(data, "command")
        .and_then(|c| c.as_string())
        .ok_or("missing command")?;
    match command.as_str() {
        "play" => Ok(Some(Command::Play)),
        "pause" => Ok(Some(Command::Pause)),
        "seek" => {
            let ms = field(data, "ms")
                .and_then(|m| m.as_f64())
                .ok_or("seek needs a number ms")?;
            if !(0.0..=MAX_SEEK_MS).contains(&ms) {
                return Err(format!(
                    "seek ms must be within 0..={}",
                    shortest(MAX_SEEK_MS)
                ));
            }
            Ok(Some(Command::Seek(ms as u64)))
        }
        "load" => {
            let id = field(data, "scenario")
                .and_then(|s| s.as_string())
                .ok_or("load needs a scenario id")?;
            if !crate::embed::is_scenario_id(&id) {
                return Err("load: not a scenario id".to_string());
            }
            Ok(Some(Command::Load(id)))
        }
        other => Err(format!("unknown command {other:?}")),
    }
}

/// An event for the host page: `{type, event, ...fields}`.
pub fn event(name: &str, fields: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    let _ = Reflect::set(&object, &"type".into(), &MESSAGE_TYPE.into());
    let _ = Reflect::set(&object, &"event".into(), &name.into());
    for (key, value) in fields {
        let _ = Reflect::set(&object, &(*key).into(), value);
    }
    object.into()
}

/// A run's event for the host page: `leader-elected` (`node`, `term`),
/// `entry-committed` (`index`) or `violation` (`property`, `message`), each
/// with `timeMs`.
pub fn host_event(e: &HostEvent) -> JsValue {
    let ms = |time_us: u64| JsValue::from_f64(time_us as f64 / 1000.0);
    match e {
        HostEvent::LeaderElected {
            node,
            term,
            time_us,
        } => event(
            "leader-elected",
            &[
                ("node", (*node as f64).into()),
                ("term", (*term as f64).into()),
                ("timeMs", ms(*time_us)),
            ],
        ),
        HostEvent::EntryCommitted { index, time_us } => event(
            "entry-committed",
            &[("index", (*index as f64).into()), ("timeMs", ms(*time_us))],
        ),
        HostEvent::Violation {
            property,
            message,
            time_us,
        } => event(
            "violation",
            &[
                ("property", (*property).into()),
                ("message", message.as_str().into()),
                ("timeMs", ms(*time_us)),
            ],
        ),
    }
}

/// Posts an event to the embedding page, if there is one. The payload is
/// public (what the page already shows), so any parent origin may read it.
pub fn post_to_host(message: &JsValue) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(Some(parent)) = window.parent() else {
        return;
    };
    if parent == window {
        return;
    }
    let _ = parent.post_message(message, "*");
}

//! Panels off the stage refresh at most [`REFRESH_MS`] apart while the
//! run plays: the stage moves every frame, but a list of events, a log
//! table or a chart read at 60 Hz costs frames and reads no better than at
//! 10 Hz. Paused, stepping or seeking, they follow at once.

use yew::prelude::*;

/// Wall time between two refreshes of a held panel while playing, ms.
pub const REFRESH_MS: f64 = 100.0;

/// Props of [`Hold`].
#[derive(Properties, Clone, PartialEq)]
pub struct HoldProps {
    /// The panel(s), as they would be drawn now.
    pub children: Html,
    /// The run plays (else the children are drawn as they are).
    pub playing: bool,
    /// Wall time played, ms (`Playground::played_wall_ms`).
    pub wall_ms: f64,
    /// Offset of this panel's refreshes, ms: panels given different ones
    /// refresh in different frames, so no frame draws them all.
    #[prop_or_default]
    pub phase_ms: f64,
}

/// Draws its children as they were at the last refresh until the next
/// [`REFRESH_MS`] slot of play begins: Yew then finds the same props and
/// skips the panels.
#[function_component(Hold)]
pub fn hold(props: &HoldProps) -> Html {
    let last = use_mut_ref(|| None::<(f64, Html)>);
    let mut last = last.borrow_mut();
    let slot = ((props.wall_ms + props.phase_ms) / REFRESH_MS).floor();
    if let Some((at, html)) = last.as_ref() {
        if props.playing && *at == slot {
            return html.clone();
        }
    }
    *last = Some((slot, props.children.clone()));
    props.children.clone()
}

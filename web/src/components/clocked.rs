//! What the browser moves by the clock, not Yew.
//!
//! Messages in flight and election timers change with every frame. Instead
//! of Yew diffing and writing an attribute per message and per timer every
//! frame, each element carries what it is made of (a path and its times, a
//! deadline and its timeout) as CSS custom properties, written once through
//! the CSSOM, and the stylesheet (`.clocked` in style.css) draws it from
//! those and `--now`, the virtual clock the cluster writes on the `.clocked`
//! group: one style write per frame. What is drawn stays a function of the
//! virtual time alone, so pausing, stepping, seeking and every speed need
//! nothing more, and nothing runs while paused or hidden. The page's CSP
//! forbids `style` attributes in markup, not the CSSOM.

use wasm_bindgen::JsCast;
use web_sys::{Element, SvgElement};
use yew::NodeRef;

/// A virtual time (µs) as the stylesheet reads it: ms, to the µs.
pub fn ms(us: u64) -> String {
    format!("{}.{:03}", us / 1000, us % 1000)
}

/// Replaces the inline style of `element` (an SVG element) with
/// `properties` (`--name:value;...`), in one CSSOM write.
pub fn set_properties(element: &Element, properties: &str) {
    if let Some(element) = element.dyn_ref::<SvgElement>() {
        element.style().set_css_text(properties);
    }
}

/// Writes the clock, `--now`, on `element` (one property; the rest stay).
pub fn set_now(element: &NodeRef, now_us: u64) {
    if let Some(element) = element.cast::<SvgElement>() {
        let _ = element.style().set_property("--now", &ms(now_us));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_in_ms_to_the_microsecond() {
        assert_eq!(ms(0), "0.000");
        assert_eq!(ms(7), "0.007");
        assert_eq!(ms(120_000_001), "120000.001");
        assert_eq!(ms(3_600_000_000_000), "3600000000.000");
    }
}

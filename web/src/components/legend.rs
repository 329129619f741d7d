//! The key under the stage: what each colour of node and each shape of
//! message means. The shapes are CSS (`.lg` in style.css) in the stage's
//! colours: static markup, so it costs the page almost no code.

use yew::prelude::*;

/// Class (after `lg `) and words of each entry: node roles, then messages.
const ENTRIES: [(&str, &str); 15] = [
    ("follower", "follower"),
    ("precandidate", "pre-candidate"),
    ("candidate", "candidate"),
    ("leader", "leader"),
    ("crashed", "crashed"),
    ("m-vote", "vote request"),
    ("m-vote-reply", "vote reply"),
    ("m-entries", "entries (count)"),
    ("m-heartbeat", "heartbeat"),
    ("m-append-reply", "append reply"),
    ("m-snapshot", "snapshot"),
    ("m-request", "client request"),
    ("m-redirect", "redirect"),
    ("m-reply", "client reply"),
    ("m-lost", "lost"),
];

/// The legend.
#[function_component(Legend)]
pub fn legend() -> Html {
    html! {
        <p class="legend" aria-hidden="true">
            { for ENTRIES.iter().map(|(class, words)| html! { <span class={classes!("lg", *class)}>{ *words }</span> }) }
        </p>
    }
}

//! The first-visit hint: a newcomer is pointed to the guided stories once.
//! Closing it (or following it) is remembered in the browser's local
//! storage, so it does not come back on the next visit.

use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

/// Local storage key that remembers the hint was seen.
const SEEN_KEY: &str = "raft-playground.hint-seen";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Whether the hint was closed or followed before (storage that cannot be
/// read, e.g. blocked by the browser, counts as not seen).
pub fn seen() -> bool {
    storage().is_some_and(|s| s.get_item(SEEN_KEY).ok().flatten().is_some())
}

fn remember() {
    if let Some(s) = storage() {
        let _ = s.set_item(SEEN_KEY, "1");
    }
}

/// Scrolls the scenario list into view and focuses its first story.
fn show_stories() {
    let first = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("[data-testid=scenario]").ok().flatten())
        .and_then(|e| e.dyn_into::<HtmlElement>().ok());
    if let Some(first) = first {
        first.scroll_into_view();
        let _ = first.focus();
    }
}

/// "New to Raft? Start with a guided story", while `open` (seeded from
/// [`seen`]). A plain function of the page's own state rather than a
/// component: a component's machinery would cost more than the hint.
pub fn first_visit_hint(open: &UseStateHandle<bool>) -> Html {
    if !**open {
        return Html::default();
    }
    let close = |follow: bool| {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| {
            remember();
            open.set(false);
            if follow {
                show_stories();
            }
        })
    };
    html! {
        <aside class="first-visit" data-testid="first-visit-hint" aria-label="Where to start">
            <span>{ "New to Raft? Five servers are electing a leader right now. A guided story explains each step." }</span>
            <button class="primary" data-testid="hint-stories" onclick={close(true)}>{ "Show me the stories" }</button>
            <button class="close" data-testid="hint-close" onclick={close(false)} aria-label="Close the hint">{ "×" }</button>
        </aside>
    }
}

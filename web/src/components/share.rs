//! Share links (`#s=` in the URL fragment, never sent to a server) and the
//! embed snippet.

use yew::prelude::*;

/// Props of [`Share`].
#[derive(Properties, Clone, PartialEq)]
pub struct ShareProps {
    /// The link made by the last press of Share, if any.
    pub url: Option<String>,
    /// The `<iframe>` snippet for the current scenario.
    pub embed_snippet: String,
    /// Share pressed.
    pub on_share: Callback<()>,
}

/// The share button, the link it made, and the embed snippet.
#[function_component(Share)]
pub fn share(props: &ShareProps) -> Html {
    let on_share = props.on_share.reform(|_: MouseEvent| ());
    let select_all = Callback::from(|e: FocusEvent| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        input.select();
    });
    html! {
        <section class="panel share" aria-label="Share and embed">
            <h2>{ "Share" }</h2>
            <div class="share-row">
                <button data-testid="share" onclick={on_share}>{ "Share this moment" }</button>
                <input data-testid="share-url" readonly=true aria-label="Share link"
                       value={props.url.clone().unwrap_or_default()} placeholder="press Share for a link"
                       onfocus={select_all.clone()} />
            </div>
            <p class="hint">{ "The link replays this run exactly — settings, seed, actions — and opens paused at this moment." }</p>
            <details>
                <summary>{ "Embed" }</summary>
                <textarea data-testid="embed-snippet" readonly=true rows="3" aria-label="Embed snippet"
                          value={props.embed_snippet.clone()} />
            </details>
        </section>
    }
}

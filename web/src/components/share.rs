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

/// The share button of the toolbar and, once pressed, a pop-up under it
/// with the link it made and the embed snippet (closed by its button or
/// Escape; pressing Share again makes a fresh link and opens it again).
#[function_component(Share)]
pub fn share(props: &ShareProps) -> Html {
    let open = use_state(|| false);
    let on_share = {
        let (share, open) = (props.on_share.clone(), open.clone());
        Callback::from(move |_: MouseEvent| {
            share.emit(());
            open.set(true);
        })
    };
    let close = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(false))
    };
    let onkeydown = {
        let open = open.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                open.set(false);
            }
        })
    };
    let select_all = Callback::from(|e: FocusEvent| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        input.select();
    });
    let popup = (*open && props.url.is_some()).then(|| {
        html! {
            <div class="share-pop" role="dialog" aria-label="Share and embed" {onkeydown}>
                <div class="share-row">
                    <input data-testid="share-url" readonly=true aria-label="Share link"
                           value={props.url.clone().unwrap_or_default()} onfocus={select_all} />
                    <button class="close" onclick={close} aria-label="Close">{ "×" }</button>
                </div>
                <p class="hint">{ "The link replays this run exactly (settings, seed, actions) and opens paused at this moment." }</p>
                <details>
                    <summary>{ "Embed in a page" }</summary>
                    <textarea data-testid="embed-snippet" readonly=true rows="3" aria-label="Embed snippet"
                              value={props.embed_snippet.clone()} />
                </details>
            </div>
        }
    });
    html! {
        <div class="share-tool">
            <button data-testid="share" onclick={on_share} aria-expanded={(*open).to_string()}
                    title="A link that replays this run and opens at this moment; also the embed snippet">
                { "Share" }
            </button>
            { popup.unwrap_or_default() }
        </div>
    }
}

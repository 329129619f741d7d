//! The keyboard shortcuts dialog (`?`).

use yew::prelude::*;

/// Every shortcut, as shown in the dialog.
pub const SHORTCUTS: [(&str, &str); 13] = [
    ("space", "play / pause"),
    (
        "→",
        "step to the next event (and any due at the same instant)",
    ),
    ("←", "back 10 ms"),
    ("1–9", "select node"),
    ("Shift+F10", "menu of the focused node (or Menu key)"),
    ("x", "crash the selected node"),
    ("s", "restart the selected node"),
    ("t", "time out the selected node now"),
    ("r", "crash the leader (then restart it with s)"),
    ("c", "client request: focus the key field"),
    ("h", "heal every link"),
    ("Esc", "clear the selection, close dialogs"),
    ("?", "this help"),
];

/// Props of [`Help`].
#[derive(Properties, Clone, PartialEq)]
pub struct HelpProps {
    /// Closes the dialog.
    pub on_close: Callback<()>,
}

/// The shortcuts dialog.
#[function_component(Help)]
pub fn help(props: &HelpProps) -> Html {
    let close = props.on_close.reform(|_: MouseEvent| ());
    html! {
        <div class="dialog-backdrop">
            <div class="dialog" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" data-testid="help">
                <h2>{ "Keyboard shortcuts" }</h2>
                <dl class="shortcuts">
                    { for SHORTCUTS.iter().map(|(k, what)| html! { <><dt><kbd>{ *k }</kbd></dt><dd>{ *what }</dd></> }) }
                </dl>
                <button onclick={close} autofocus=true>{ "Close" }</button>
            </div>
        </div>
    }
}

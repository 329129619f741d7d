//! Yew and the core together: one text field for a share link, one line out.

use web_sys::HtmlInputElement;
use yew::prelude::*;

#[function_component]
fn Floor() -> Html {
    let link = use_state(String::new);
    let summary = size_floor_core::run(&link, "figure-8", 10_000_000);
    let oninput = {
        let link = link.clone();
        Callback::from(move |e: InputEvent| {
            link.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    html! { <main><input aria-label="Share link" {oninput}/><p>{ summary }</p></main> }
}

fn main() {
    yew::Renderer::<Floor>::new().render();
}

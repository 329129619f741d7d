//! The smallest Yew app worth the name: one button, one number.

// The page's allocator (web/src/lib.rs).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

use yew::prelude::*;

#[function_component]
fn Counter() -> Html {
    let clicks = use_state(|| 0u32);
    let onclick = {
        let clicks = clicks.clone();
        Callback::from(move |_| clicks.set(*clicks + 1))
    };
    html! { <main><button {onclick}>{ "+1" }</button><p>{ *clicks }</p></main> }
}

fn main() {
    yew::Renderer::<Counter>::new().render();
}

//! Component tests in headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

mod common;

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn mount() -> web_sys::Element {
    common::mount_app()
}

#[wasm_bindgen_test]
async fn renders_five_nodes_with_their_hooks() {
    let root = mount();
    // Yew renders on the next tick of the event loop.
    gloo_timers::future::TimeoutFuture::new(0).await;
    let nodes = root.query_selector_all("[data-testid=node]").unwrap();
    assert_eq!(nodes.length(), 5);
    for i in 0..nodes.length() {
        let node = nodes
            .item(i)
            .unwrap()
            .dyn_into::<web_sys::Element>()
            .unwrap();
        assert_eq!(
            node.get_attribute("data-node-id").unwrap(),
            (i + 1).to_string()
        );
        assert_eq!(node.get_attribute("data-role").unwrap(), "follower");
        assert_eq!(node.get_attribute("data-term").unwrap(), "0");
    }
    let clock = root
        .query_selector("[data-testid=sim-time]")
        .unwrap()
        .unwrap();
    assert_eq!(clock.get_attribute("data-ms").unwrap(), "0");
}

#[wasm_bindgen_test]
async fn the_checker_starts_green_and_the_picker_lists_the_scenarios() {
    let root = mount();
    gloo_timers::future::TimeoutFuture::new(0).await;
    let checker = root
        .query_selector("[data-testid=checker]")
        .unwrap()
        .unwrap();
    assert_eq!(checker.get_attribute("data-status").unwrap(), "ok");
    let entries = root.query_selector_all("[data-testid=scenario]").unwrap();
    assert_eq!(
        entries.length() as usize,
        raft_core::scenario::library().len()
    );
}

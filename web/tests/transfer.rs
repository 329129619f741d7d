//! The Files panel in headless Chromium: a scenario file loads through the
//! file input and by drag and drop, the drop hint follows the drag, and a bad
//! file is refused without touching the run.
#![cfg(target_arch = "wasm32")]

mod common;

use common::{find, mount, mount_with, until};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{DataTransfer, DragEvent, DragEventInit, Element, File, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

/// leader-crash with a SET at 2 s, exported natively at 3 s.
const FIXTURE: &str = include_str!("fixtures/scenario-v2.json");

/// A DataTransfer holding one file per `(name, contents)`, as a drag from
/// the desktop or a file dialog would.
fn files(list: &[(&str, &str)]) -> DataTransfer {
    let dt = DataTransfer::new().unwrap();
    for (name, contents) in list {
        let parts = js_sys::Array::of1(&JsValue::from_str(contents));
        let file = File::new_with_str_sequence(&parts, name).unwrap();
        dt.items().add_with_file(&file).unwrap();
    }
    dt
}

fn drag(target: &Element, kind: &str, dt: &DataTransfer) {
    let init = DragEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_data_transfer(Some(dt));
    let event = DragEvent::new_with_event_init_dict(kind, &init).unwrap();
    target.dispatch_event(&event).unwrap();
}

fn clock(root: &Element) -> (String, String) {
    let c = find(root, "[data-testid=sim-time]").unwrap();
    (
        c.get_attribute("data-ms").unwrap(),
        c.get_attribute("data-trace-hash").unwrap(),
    )
}

fn text(root: &Element, css: &str) -> String {
    find(root, css)
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

/// A freshly mounted app with its effects run. The DOM alone is not
/// enough: Yew yields to the browser between rendering and running effects,
/// and the drop listeners are registered by an effect.
async fn mounted() -> Element {
    let root = mount();
    yew::scheduler::flush().await;
    assert!(find(&root, "[data-testid=import-file]").is_some());
    root
}

fn fixture_hash() -> String {
    let file: serde_json::Value = serde_json::from_str(FIXTURE).unwrap();
    file["trace_hash"].as_str().unwrap().to_string()
}

#[wasm_bindgen_test]
async fn a_file_chosen_in_the_picker_opens_paused_at_its_moment() {
    // Chosen while the page plays, as on a plain visit.
    let root = mount_with(Some(true));
    yew::scheduler::flush().await;
    let input: HtmlInputElement = find(&root, "[data-testid=import-file]")
        .unwrap()
        .unchecked_into();
    assert_eq!(input.accept(), ".json,application/json");
    input.set_files(files(&[("run.json", FIXTURE)]).files().as_ref());
    input
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    until("the file's moment", || clock(&root).0 == "3000").await;
    // The hash the native build recorded: the browser replays the same run.
    assert_eq!(clock(&root).1, fixture_hash());
    assert!(text(&root, "[data-testid=notice]").contains("Loaded \"run.json\""));
    assert!(find(&root, "[data-testid=error-banner]").is_none());
    let play = find(&root, "[data-testid=play-pause]").unwrap();
    assert_eq!(play.get_attribute("aria-pressed").unwrap(), "false");
}

#[wasm_bindgen_test]
async fn a_dropped_file_loads_and_the_hint_shows_only_while_dragging() {
    let root = mounted().await;
    let target = find(&root, ".stage").unwrap();
    let dt = files(&[("dropped.json", FIXTURE)]);
    drag(&target, "dragenter", &dt);
    until("the drop hint", || {
        find(&root, "[data-testid=drop-hint]").is_some()
    })
    .await;
    drag(&target, "dragleave", &dt);
    until("the hint to go", || {
        find(&root, "[data-testid=drop-hint]").is_none()
    })
    .await;
    drag(&target, "dragenter", &dt);
    drag(&target, "dragover", &dt);
    drag(&target, "drop", &dt);
    until("the dropped file's moment", || clock(&root).0 == "3000").await;
    assert_eq!(clock(&root).1, fixture_hash());
    assert!(find(&root, "[data-testid=drop-hint]").is_none());
}

#[wasm_bindgen_test]
async fn a_bad_file_shows_the_banner_and_changes_nothing() {
    let root = mounted().await;
    let target = find(&root, ".stage").unwrap();
    let before = clock(&root);
    let bad = FIXTURE.replace("\"version\": 2", "\"version\": 7");
    assert_ne!(bad, FIXTURE, "the fixture names its version");
    for (name, contents, expected) in [
        (
            "broken.json",
            "{\n  \"format\": oops\n}",
            "line 2 column 13",
        ),
        ("future.json", bad.as_str(), "version 7"),
    ] {
        drag(&target, "drop", &files(&[(name, contents)]));
        until(expected, || {
            text(&root, "[data-testid=error-banner]").contains(expected)
        })
        .await;
        let banner = text(&root, "[data-testid=error-banner]");
        assert!(
            banner.contains(name) && banner.contains("unchanged"),
            "{banner}"
        );
        assert_eq!(clock(&root), before);
    }
    drag(
        &target,
        "drop",
        &files(&[("a.json", FIXTURE), ("b.json", FIXTURE)]),
    );
    until("one file at a time", || {
        text(&root, "[data-testid=error-banner]").contains("one scenario file at a time")
    })
    .await;
    assert_eq!(clock(&root), before);
}

//! Component tests of the cluster view in headless Chromium: partition
//! fences, cut links, and the node context menu.
#![cfg(target_arch = "wasm32")]

mod common;

use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web::components::cluster::{Fences, FencesProps, Links, LinksProps};
use web::view::cluster::Cut;
use web::view::stage::StageLayout;
use web_sys::{Element, HtmlElement};
use yew::Callback;

wasm_bindgen_test_configure!(run_in_browser);

/// An `<svg>` inside a fresh root, for rendering SVG components into.
fn svg_root() -> Element {
    let svg = gloo_utils::document()
        .create_element_ns(Some("http://www.w3.org/2000/svg"), "svg")
        .unwrap();
    common::root().append_child(&svg).unwrap();
    svg
}

async fn tick() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}

fn attrs(root: &Element, css: &str, name: &str) -> Vec<String> {
    let list = root.query_selector_all(css).unwrap();
    (0..list.length())
        .map(|i| {
            let e: Element = list.item(i).unwrap().dyn_into().unwrap();
            e.get_attribute(name).unwrap_or_default()
        })
        .collect()
}

#[wasm_bindgen_test]
async fn fences_follow_the_groups() {
    let svg = svg_root();
    yew::Renderer::<Fences>::with_root_and_props(
        svg.clone(),
        FencesProps {
            ids: vec![1, 2, 3, 4, 5],
            groups: vec![vec![1, 2, 5], vec![3], vec![4]],
            layout: StageLayout::new(5, 720.0),
        },
    )
    .render();
    tick().await;
    assert_eq!(
        attrs(&svg, "[data-testid=partition-group]", "data-nodes"),
        ["1,2,5", "3", "4"]
    );
    // Each member's lane is tinted: three for group A, one each for B and C,
    // at the lanes' tops.
    let layout = StageLayout::new(5, 720.0);
    let tops = |group: &str| {
        attrs(
            &svg,
            &format!("[data-group='{group}'] rect.fence-fill"),
            "y",
        )
    };
    let top = |i: usize| format!("{:.1}", layout.row_top(i) + 1.0);
    assert_eq!(tops("A"), [top(0), top(1), top(4)]);
    assert_eq!(tops("B"), [top(2)]);
    assert_eq!(tops("C"), [top(3)]);
    let text = svg.text_content().unwrap_or_default();
    assert!(text.contains("group A: S1,S2,S5"), "{text}");
    assert!(text.contains("group C: S4"), "{text}");
}

#[wasm_bindgen_test]
async fn no_fence_when_the_network_is_whole() {
    let svg = svg_root();
    yew::Renderer::<Fences>::with_root_and_props(
        svg.clone(),
        FencesProps {
            ids: vec![1, 2, 3],
            groups: Vec::new(),
            layout: StageLayout::new(3, 720.0),
        },
    )
    .render();
    tick().await;
    assert_eq!(
        svg.query_selector_all("[data-testid=partition-group]")
            .unwrap()
            .length(),
        0
    );
}

#[wasm_bindgen_test]
async fn cut_links_are_dashed_and_one_way_cuts_carry_an_arrow() {
    let svg = svg_root();
    yew::Renderer::<Links>::with_root_and_props(
        svg.clone(),
        LinksProps {
            ids: vec![1, 2, 3],
            cuts: Rc::new(vec![
                Cut { from: 1, to: 2 },
                Cut { from: 2, to: 1 },
                Cut { from: 3, to: 1 },
            ]),
            on_toggle: Callback::noop(),
            layout: StageLayout::new(3, 720.0),
        },
    )
    .render();
    tick().await;
    assert_eq!(
        attrs(&svg, "[data-testid=link]", "data-cut"),
        ["true", "true", "false"]
    );
    assert_eq!(
        attrs(&svg, "[data-testid=link] line:not(.link-hit)", "class"),
        ["link cut", "link cut one-way", "link"]
    );
    // The arrow sits only on the one-way link 1–3 and points from 3 to 1.
    let arrows = svg.query_selector_all(".cut-arrow").unwrap();
    assert_eq!(arrows.length(), 1);
    let title = svg
        .query_selector("[data-to='3'] title")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert!(title.starts_with("S3 → S1 cut"), "{title}");
}

fn node(root: &Element, id: u64) -> Element {
    root.query_selector(&format!("[data-testid=node][data-node-id='{id}']"))
        .unwrap()
        .unwrap()
}

/// A mouse event of type `kind` that bubbles and can be cancelled, as the
/// browser's (an SVG node has no `click()` to call).
fn mouse_event(kind: &str) -> web_sys::MouseEvent {
    let init = web_sys::MouseEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    web_sys::MouseEvent::new_with_mouse_event_init_dict(kind, &init).unwrap()
}

#[wasm_bindgen_test]
async fn the_node_menu_offers_the_inspector_actions_and_crashes_a_node() {
    let root = common::mount();
    tick().await;
    let allowed = node(&root, 2)
        .dispatch_event(&mouse_event("contextmenu"))
        .unwrap();
    assert!(!allowed, "the browser's own menu must not open on a node");
    tick().await;
    tick().await;
    let menu = root
        .query_selector("[data-testid=node-menu]")
        .unwrap()
        .expect("the node menu opened");
    assert_eq!(menu.get_attribute("role").unwrap(), "menu");
    assert_eq!(
        attrs(&menu, "[role=menuitem]", "data-testid"),
        [
            "node-menu-crash",
            "node-menu-restart",
            "node-menu-pause",
            "node-menu-timeout",
            "node-menu-transfer",
            "node-menu-remove"
        ]
    );
    // No leader yet at time zero: restart, transfer and remove say why not.
    assert_eq!(
        attrs(&menu, "[role=menuitem]", "aria-disabled"),
        ["", "true", "", "", "true", "true"]
    );
    let why = attrs(&menu, "[data-testid=node-menu-transfer]", "title");
    assert!(why[0].contains("no leader"), "{why:?}");
    menu.query_selector("[data-testid=node-menu-crash]")
        .unwrap()
        .unwrap()
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
    tick().await;
    tick().await;
    assert_eq!(
        node(&root, 2).get_attribute("data-role").unwrap(),
        "crashed"
    );
    assert!(root
        .query_selector("[data-testid=node-menu]")
        .unwrap()
        .is_none());
    let focused = gloo_utils::document().active_element().unwrap();
    assert_eq!(focused.get_attribute("data-node-id").as_deref(), Some("2"));
    // Its commit and applied indexes went with its memory: its log row and
    // its inspector say so instead of showing numbers it no longer has.
    let head = root
        .query_selector("[data-testid=log-row][data-node-id='2'] .log-head")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert_eq!(head, "S2crashed: its log on disk");
    node(&root, 2)
        .dispatch_event(&mouse_event("click"))
        .unwrap();
    tick().await;
    tick().await;
    let inspector = root
        .query_selector("[data-testid=inspector][data-node-id='2']")
        .unwrap()
        .expect("the inspector shows node 2");
    assert!(inspector
        .query_selector("[data-testid=volatile-lost]")
        .unwrap()
        .is_some());
    assert!(!inspector.text_content().unwrap().contains("commitIndex"));
}

/// A lane of two committed entries and one not yet committed, with a store.
fn lane() -> web::view::lanes::Lane {
    use web::view::lanes::{Lane, LaneEntry, Lead};
    let entry = |index: u64, committed: bool| LaneEntry {
        index,
        term: 2,
        command: format!("SET x={index}"),
        committed,
    };
    Lane {
        id: 3,
        crashed: false,
        first: 4,
        lead: Lead::Earlier(3, 0),
        compacted: 0,
        entries: vec![entry(4, true), entry(5, true), entry(6, false)],
        commit: 5,
        commit_column: Some(2),
        store: vec![("x".into(), "5".into()), ("y".into(), "10".into())],
        store_hidden: 0,
    }
}

#[wasm_bindgen_test]
async fn a_lane_draws_its_entries_commit_point_and_store_with_their_hooks() {
    use web::components::lane::{NodeLane, NodeLaneProps};
    let svg = svg_root();
    let layout = StageLayout::new(5, 720.0);
    yew::Renderer::<NodeLane>::with_root_and_props(
        svg.clone(),
        NodeLaneProps {
            lane: Rc::new(lane()),
            layout,
            row: 2,
        },
    )
    .render();
    tick().await;
    let entries = "[data-testid=log-entry][data-node-id='3']";
    assert_eq!(attrs(&svg, entries, "data-index"), ["4", "5", "6"]);
    assert_eq!(attrs(&svg, entries, "data-term"), ["2", "2", "2"]);
    assert_eq!(
        attrs(&svg, entries, "data-committed"),
        ["true", "true", "false"]
    );
    assert_eq!(
        attrs(&svg, "[data-testid=node-kv][data-node-id='3']", "data-key"),
        ["x", "y"]
    );
    assert_eq!(
        attrs(&svg, "[data-testid=node-kv]", "data-value"),
        ["5", "10"]
    );
    // The commit point stands between the last committed entry and the next.
    let right = |css: &str| {
        let r = svg
            .query_selector(css)
            .unwrap()
            .unwrap()
            .get_bounding_client_rect();
        (r.left(), r.right())
    };
    let commit = right("[data-testid=commit-point]").0 + 4.0;
    assert!(right(&format!("{entries}[data-index='5'] rect")).1 <= commit);
    assert!(commit <= right(&format!("{entries}[data-index='6'] rect")).0 + 1.0);
    // Words for everyone: the lane's name says what it holds.
    let label = svg
        .query_selector("[data-testid=lane]")
        .unwrap()
        .unwrap()
        .get_attribute("aria-label")
        .unwrap();
    assert_eq!(label, "S3: log 4 to 6, committed up to 5; store x=5 y=10");
    let text = svg.text_content().unwrap_or_default();
    assert!(text.contains("+3") && text.contains("earlier"), "{text}");
}

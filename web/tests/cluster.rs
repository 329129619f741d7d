//! Component tests of the cluster view in headless Chromium: partition
//! fences, cut links, the node context menu, and messages moved by the
//! stylesheet.
#![cfg(target_arch = "wasm32")]

mod common;

use raft_core::sim::MessageView;
use raft_core::sim::{Sim, SimConfig};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web::components::clocked::ms;
use web::components::cluster::{Cluster, ClusterProps};
use web::components::cluster::{
    Cut, Fences, FencesProps, Links, LinksProps, Messages, MessagesProps,
};
use web::components::message::position;
use web::layout::node_radius;
use web::layout::ring_positions;
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
            radius: 34.0,
        },
    )
    .render();
    tick().await;
    assert_eq!(
        attrs(&svg, "[data-testid=partition-group]", "data-nodes"),
        ["1,2,5", "3", "4"]
    );
    // {5, 1, 2} are neighbours on the ring: one band (an arc); 3 and 4 discs.
    assert_eq!(
        svg.query_selector_all("path.fence-fill").unwrap().length(),
        1
    );
    assert_eq!(
        svg.query_selector_all("circle.fence-fill")
            .unwrap()
            .length(),
        2
    );
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
            radius: 34.0,
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

#[wasm_bindgen_test]
async fn the_node_menu_offers_the_inspector_actions_and_crashes_a_node() {
    let root = common::mount();
    tick().await;
    let event = web_sys::MouseEvent::new_with_mouse_event_init_dict("contextmenu", &{
        let init = web_sys::MouseEventInit::new();
        init.set_bubbles(true);
        init.set_cancelable(true);
        init
    })
    .unwrap();
    let allowed = node(&root, 2).dispatch_event(&event).unwrap();
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
}

/// The page's stylesheet, which moves messages (component tests load none).
fn with_stylesheet() {
    let document = gloo_utils::document();
    if document.get_element_by_id("page-style").is_some() {
        return;
    }
    let style = document.create_element("style").unwrap();
    style.set_id("page-style");
    style.set_text_content(Some(include_str!("../../static/style.css")));
    document.head().unwrap().append_child(&style).unwrap();
}

/// Where the browser draws an element: the translation of its computed
/// CSS transform (`matrix(1, 0, 0, 1, x, y)`), in the SVG's units.
fn drawn_at(e: &Element) -> (f64, f64) {
    let transform = web_sys::window()
        .unwrap()
        .get_computed_style(e)
        .unwrap()
        .unwrap()
        .get_property_value("transform")
        .unwrap();
    let inner = transform
        .strip_prefix("matrix(")
        .and_then(|t| t.strip_suffix(')'))
        .unwrap_or_else(|| panic!("not a 2D translation: {transform:?}"));
    let n: Vec<f64> = inner
        .split(',')
        .map(|v| v.trim().parse().unwrap())
        .collect();
    (n[4], n[5])
}

fn flight(id: u64, from: u64, to: u64, send_us: u64, deliver_us: u64) -> MessageView {
    MessageView {
        id,
        from,
        to,
        kind: "AppendEntries".into(),
        term: 1,
        send_us,
        deliver_us,
        summary: "idx=0 n=0 commit=0".into(),
        will_drop: false,
        duplicate: false,
        held: false,
    }
}

/// Messages are moved by the stylesheet from `--now` alone: wherever the
/// clock is set (forwards, backwards, past the delivery time), each one is
/// drawn where `position` says, and a new ring (another node count) moves
/// its path. Yew writes nothing per frame for them.
#[wasm_bindgen_test]
async fn the_stylesheet_draws_each_message_where_its_times_say() {
    let (svg, clocked) = clocked_root();
    let messages = Rc::new(vec![
        flight(7, 1, 3, 1_000, 3_000),
        flight(8, 4, 2, 1_500, 1_700),
    ]);
    let props = |ids: Vec<u64>| MessagesProps {
        messages: messages.clone(),
        ids,
        selected: None,
        on_select: Callback::noop(),
    };
    let mut app =
        yew::Renderer::<Messages>::with_root_and_props(clocked.clone(), props(vec![1, 2, 3, 4, 5]))
            .render();
    yew::scheduler::flush().await;
    let style = clocked.dyn_ref::<web_sys::SvgElement>().unwrap().style();
    let check = |count: usize| {
        let ring = ring_positions(count);
        for m in messages.iter() {
            let el = svg
                .query_selector(&format!("[data-message-id='{}']", m.id))
                .unwrap()
                .unwrap();
            let now_us = (style
                .get_property_value("--now")
                .unwrap()
                .parse::<f64>()
                .unwrap()
                * 1000.0) as u64;
            let want = position(
                m,
                ring[m.from as usize - 1],
                ring[m.to as usize - 1],
                now_us,
            );
            let (x, y) = drawn_at(&el);
            assert!(
                (x - want.x).abs() < 0.02 && (y - want.y).abs() < 0.02,
                "message {} at {now_us} µs drawn at ({x}, {y}), not ({}, {})",
                m.id,
                want.x,
                want.y
            );
        }
    };
    for now_us in [0, 1_000, 1_600, 2_000, 2_999, 3_000, 9_000, 1_250] {
        style.set_property("--now", &ms(now_us)).unwrap();
        check(5);
    }
    // The middle of the first message's path differs from its start.
    style.set_property("--now", &ms(2_000)).unwrap();
    let first = svg
        .query_selector("[data-message-id='7']")
        .unwrap()
        .unwrap();
    let middle = drawn_at(&first);
    style.set_property("--now", &ms(1_000)).unwrap();
    assert_ne!(drawn_at(&first), middle);
    // Six nodes: the ring moves, and so do the paths.
    app.update(props(vec![1, 2, 3, 4, 5, 6]));
    yew::scheduler::flush().await;
    style.set_property("--now", &ms(2_000)).unwrap();
    check(6);
    assert_ne!(drawn_at(&first), middle);
}

/// An `<svg>` with a `.clocked` group in it (where the cluster writes the
/// clock), and the page's stylesheet loaded.
fn clocked_root() -> (Element, Element) {
    with_stylesheet();
    let svg = svg_root();
    let clocked = gloo_utils::document()
        .create_element_ns(Some("http://www.w3.org/2000/svg"), "g")
        .unwrap();
    clocked.set_attribute("class", "clocked").unwrap();
    svg.append_child(&clocked).unwrap();
    (svg, clocked)
}

fn dash_of(circle: &Element) -> f64 {
    let dashes = web_sys::window()
        .unwrap()
        .get_computed_style(circle)
        .unwrap()
        .unwrap()
        .get_property_value("stroke-dasharray")
        .unwrap();
    dashes
        .split([',', ' '])
        .next()
        .and_then(|d| d.trim_end_matches("px").parse().ok())
        .unwrap_or_else(|| panic!("no dash in {dashes:?}"))
}

/// The cluster writes the clock and each election timer's deadline and
/// length; the stylesheet drains the arcs from those alone: at any time the
/// arc drawn (the first dash) is the share `left_at` gives, and a timer
/// reset (another run's timers) is written anew.
#[wasm_bindgen_test]
async fn the_cluster_drains_the_election_timers_by_the_clock() {
    with_stylesheet();
    let root = common::root();
    let props = |sim: &Sim, now_us: u64| ClusterProps {
        nodes: Rc::new(sim.nodes_with_log(8)),
        messages: Rc::new(sim.messages_in_flight()),
        lost: Vec::new(),
        cuts: Rc::new(Vec::new()),
        votes: Rc::new(vec![Vec::new(); 5]),
        now_us,
        selected_node: None,
        selected_message: None,
        flagged: Vec::new(),
        dispatch: Callback::noop(),
    };
    let check = |sim: &Sim, now_us: u64| {
        let nodes = sim.nodes_with_log(8);
        let timers = web::derive::timers(&nodes);
        assert_eq!(timers.len(), 5, "every follower's timer runs");
        let circumference = (std::f64::consts::TAU * (node_radius(5) + 6.0) * 10.0).round() / 10.0;
        for (id, timer) in timers {
            let circle = root
                .query_selector(&format!(".node-timer[data-node-id='{id}']"))
                .unwrap()
                .unwrap();
            let (arc, want) = (dash_of(&circle), circumference * timer.left_at(now_us));
            assert!(
                (arc - want).abs() < 0.05,
                "S{id} at {now_us} µs: arc {arc}, not {want}"
            );
        }
    };
    let sim = Sim::new(SimConfig::default()).unwrap();
    let mut app =
        yew::Renderer::<Cluster>::with_root_and_props(root.clone(), props(&sim, 0)).render();
    yew::scheduler::flush().await;
    check(&sim, 0);
    let deadline = web::derive::timers(&sim.nodes_with_log(8))[0].1.deadline_us;
    for now_us in [deadline / 2, deadline - 1, deadline, deadline + 1] {
        app.update(props(&sim, now_us));
        yew::scheduler::flush().await;
        check(&sim, now_us);
    }
    // Another seed: other timers, written anew.
    let other = Sim::new(SimConfig {
        seed: 99,
        ..SimConfig::default()
    })
    .unwrap();
    assert_ne!(
        web::derive::timers(&other.nodes_with_log(8)),
        web::derive::timers(&sim.nodes_with_log(8))
    );
    app.update(props(&other, deadline / 2));
    yew::scheduler::flush().await;
    check(&other, deadline / 2);
}

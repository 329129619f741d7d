//! Component tests in headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

mod common;

use common::mount;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

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

/// A long log is never out of reach: "show more" lists older entries.
#[wasm_bindgen_test]
async fn show_more_lists_older_log_entries() {
    use raft_core::sim::SimConfig;
    let config = SimConfig {
        clients: 10,
        client_ops_per_sec: 100,
        ..SimConfig::default()
    };
    let root = common::mount_at(config, 5_000_000);
    let leader_row = "[data-testid=log-row]";
    let listed = |root: &web_sys::Element| {
        root.query_selector(leader_row).unwrap().map_or(0, |row| {
            row.query_selector_all(".entry-list .entry")
                .unwrap()
                .length()
        })
    };
    common::until("the logs", || listed(&root) > 0).await;
    assert_eq!(listed(&root), 64, "the newest 64 at first");
    let more = root
        .query_selector(&format!("{leader_row} [data-testid=log-more]"))
        .unwrap()
        .expect("a 'show more' button on a long log")
        .dyn_into::<web_sys::HtmlElement>()
        .unwrap();
    more.click();
    common::until("128 listed", || listed(&root) == 128).await;
    // Again: the handler doubles what is listed now, not what it first saw.
    let more = root
        .query_selector(&format!("{leader_row} [data-testid=log-more]"))
        .unwrap()
        .unwrap()
        .dyn_into::<web_sys::HtmlElement>()
        .unwrap();
    more.click();
    common::until("256 listed (or all)", || listed(&root) > 128).await;
}

/// A run longer than the history's bound (15,000 operations in 150 virtual
/// seconds) still has a verdict; the chart says it shows the newest.
#[wasm_bindgen_test]
async fn a_long_run_keeps_its_verdict_and_the_chart_says_what_it_shows() {
    use raft_core::sim::SimConfig;
    let root = common::mount_at(SimConfig::benchmark_workload(2), 150_000_000);
    let text = |css: &str| {
        root.query_selector(css)
            .unwrap()
            .and_then(|e| e.text_content())
            .unwrap_or_default()
    };
    common::until("the history count", || {
        !text("[data-testid=history-count]").is_empty()
    })
    .await;
    let count = text("[data-testid=history-count]");
    let invoked: u64 = count
        .trim_end_matches(')')
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("count: {count:?}"));
    assert!(count.starts_with(" (newest 40 of "), "{count:?}");
    assert!(
        invoked > raft_core::check::linearizability::MAX_HISTORY_OPS as u64,
        "{count:?}"
    );
    common::until("a verdict", || {
        text(".history .verdict") != "no completed operation yet"
    })
    .await;
    assert_eq!(text(".history .verdict"), "linearizable ✓");
}

/// The chart names the node behind each colour and the times at its ends, and
/// draws a term line and a commit line per node that step up to the maxima
/// its caption states.
#[wasm_bindgen_test]
async fn the_chart_has_a_key_and_a_time_axis() {
    use raft_core::sim::SimConfig;
    let root = common::mount_at(SimConfig::with_seed(1), 10_000_000);
    let chart = || root.query_selector("[data-testid=chart]").unwrap();
    common::until("the chart", || chart().is_some()).await;
    let chart = chart().unwrap();
    let texts = |css: &str| -> Vec<String> {
        let list = chart.query_selector_all(css).unwrap();
        (0..list.length())
            .map(|i| list.item(i).unwrap().text_content().unwrap_or_default())
            .collect()
    };
    assert_eq!(texts(".chart-key li"), ["S1", "S2", "S3", "S4", "S5"]);
    let axis = texts("[data-testid=chart-axis] span");
    assert_eq!(axis.len(), 2, "{axis:?}");
    assert_eq!(axis[1], "10.000 s", "the right end is now");
    assert!(
        axis[0].ends_with(" ms"),
        "the left end is the first step: {axis:?}"
    );
    // One term line and one commit line per node, each a step function that
    // runs on past now; commit indexes step up many times in 10 s.
    for line in ["term-line", "commit-line"] {
        let list = chart.query_selector_all(&format!("path.{line}")).unwrap();
        assert_eq!(list.length(), 5, "{line}");
        for i in 0..list.length() {
            let d = list
                .item(i)
                .unwrap()
                .dyn_into::<web_sys::Element>()
                .unwrap()
                .get_attribute("d")
                .unwrap_or_default();
            assert!(
                d.starts_with('M') && d.ends_with("H1000000000"),
                "{line} {i}: {d:?}"
            );
            if line == "commit-line" {
                assert!(d.matches('L').count() > 10, "{line} {i}: {d:?}");
            }
        }
    }
    let caption = texts(".hint").concat();
    assert!(caption.contains("term (solid, up to "), "{caption:?}");
}

/// Your one-shot requests share "You" lanes in the client history: three
/// requests one after another are one lane, not three rows.
#[wasm_bindgen_test]
async fn your_requests_one_after_another_share_one_lane() {
    use raft_core::check::linearizability::Operation;
    use raft_core::kv::{Op, Outcome};
    use raft_core::sim::USER_CLIENT_BASE;
    use std::rc::Rc;
    use web::components::kv::{HistoryChart, HistoryProps};
    use web::lin::LinStatus;
    let op = |id: u64, client_id: u64, invoke_us: u64| Operation {
        id,
        client_id,
        invoke_us,
        return_us: Some(invoke_us + 10_000),
        input: Op::Get { key: "x".into() },
        output: Some(Outcome::Value(None)),
        abandoned: false,
    };
    let history = vec![
        op(0, 1, 0),
        op(1, USER_CLIENT_BASE, 5_000),
        op(2, USER_CLIENT_BASE + 1, 20_000),
        op(3, USER_CLIENT_BASE + 2, 40_000),
    ];
    let root = common::root();
    yew::Renderer::<HistoryChart>::with_root_and_props(
        root.clone(),
        HistoryProps {
            history: Rc::new(history),
            invoked: 4,
            now_us: 60_000,
            lin: LinStatus::Ok,
        },
    )
    .render();
    common::until("the chart", || {
        root.query_selector_all("rect").unwrap().length() == 4
    })
    .await;
    let list = root.query_selector_all("text.lane").unwrap();
    let names: Vec<String> = (0..list.length())
        .map(|i| list.item(i).unwrap().text_content().unwrap())
        .collect();
    assert_eq!(names, ["Client 1", "You"]);
    let rects = root.query_selector_all("rect").unwrap();
    let ys: Vec<String> = (0..rects.length())
        .map(|i| {
            rects
                .item(i)
                .unwrap()
                .dyn_into::<web_sys::Element>()
                .unwrap()
                .get_attribute("y")
                .unwrap()
        })
        .collect();
    assert_eq!(ys, ["3.0", "25.0", "25.0", "25.0"]);
}

/// The Network panel shows the latency the simulation uses now: set at one
/// second, it is gone after travelling back before that, and back again
/// when the timeline returns to where it was set (issue #14).
#[wasm_bindgen_test]
async fn the_latency_sliders_follow_the_simulation_through_time() {
    use raft_core::sim::SimConfig;
    use web_sys::HtmlInputElement;
    let root = common::mount_at(SimConfig::default(), 1_000_000);
    let input = |id: &str| {
        common::find(&root, &format!("[data-testid={id}]"))
            .unwrap_or_else(|| panic!("no {id}"))
            .dyn_into::<HtmlInputElement>()
            .unwrap()
    };
    let slide = |id: &str, value: &str| {
        let el = input(id);
        el.set_value(value);
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        el.dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap())
            .unwrap();
    };
    let shown = |id: &str| input(id).value();
    // What the panel says (rendered from the state, unlike an input's value,
    // which the test itself sets).
    let label = || {
        common::find(&root, ".network .grid")
            .and_then(|g| g.text_content())
            .unwrap_or_default()
    };
    common::until("the panel", || {
        common::find(&root, "[data-testid=latency-min]").is_some()
    })
    .await;
    // The defaults: 10 to 20 ms.
    assert_eq!(
        (shown("latency-min"), shown("latency-max")),
        ("10".into(), "20".into())
    );
    slide("latency-max", "150");
    common::until("max 150", || label().contains("Latency max 150 ms")).await;
    slide("latency-min", "120");
    common::until("min 120", || label().contains("Latency min 120 ms")).await;
    // Back before the change: the run's own latency again.
    slide("timeline", "500");
    let ms = || {
        common::find(&root, "[data-testid=sim-time]")
            .and_then(|c| c.get_attribute("data-ms"))
            .unwrap_or_default()
    };
    common::until("at 0.5 s", || ms() == "500").await;
    common::until("the old latency", || {
        label().contains("Latency min 10 ms") && label().contains("Latency max 20 ms")
    })
    .await;
    assert_eq!(
        (shown("latency-min"), shown("latency-max")),
        ("10".into(), "20".into()),
        "{}",
        label()
    );
    // Forward past it: the recorded change is taken again.
    slide("timeline", "1000");
    common::until("at 1 s", || ms() == "1000").await;
    common::until("the set latency", || {
        label().contains("Latency min 120 ms") && shown("latency-min") == "120"
    })
    .await;
    assert_eq!(shown("latency-max"), "150");
}

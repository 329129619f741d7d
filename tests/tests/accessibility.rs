//! The axe-core accessibility rules (WCAG 2 A and AA, and axe's best
//! practices) find nothing on the page in each state a user meets: at rest,
//! in the dark theme, at phone width, embedded, with a menu, the help, the
//! inspector open, with a partition, client results and a crashed node,
//! with an error banner, with a checker gone red, and with the bug hunt
//! open, running and listing its results.

use e2e::{keys, Session};

fn assert_clean(violations: Vec<String>, state: &str) {
    assert!(
        violations.is_empty(),
        "{state}: {} accessibility violation(s):\n{}",
        violations.len(),
        violations.join("\n")
    );
}

#[tokio::test]
async fn the_page_passes_the_accessibility_rules_light_and_dark() {
    let s = Session::start(1280, 900).await;
    s.open("/?autoplay=0").await;
    s.wait_for_count("[data-testid=node]", 5).await;
    assert_clean(s.accessibility_violations().await, "at rest, light");
    s.prefer_color_scheme("dark").await;
    assert_clean(s.accessibility_violations().await, "at rest, dark");
    s.prefer_color_scheme("light").await;

    // A node's menu, the inspector and the keyboard help, one after another.
    s.right_click_css("[data-testid=node][data-node-id='2']")
        .await;
    s.wait_for_count("[data-testid=node-menu]", 1).await;
    assert_clean(s.accessibility_violations().await, "node menu open");
    s.press(&[keys::ESCAPE]).await;
    s.click_css("[data-testid=node][data-node-id='3']").await;
    s.wait_for_count("[data-testid=inspector][data-node-id='3']", 1)
        .await;
    s.js("document.activeElement.blur()").await;
    s.press(&['?']).await;
    s.wait_until(
        "the help",
        "document.querySelector('[role=dialog]') !== null",
    )
    .await;
    assert_clean(
        s.accessibility_violations().await,
        "inspector and help open",
    );
    s.close().await;
}

#[tokio::test]
async fn a_red_checker_and_the_phone_and_embed_layouts_pass_too() {
    let s = Session::start(1280, 900).await;
    s.open("/?autoplay=0").await;
    s.play_scenario_to_its_end("figure-8-bug").await;
    s.wait_for_checker("violation").await;
    assert_clean(s.accessibility_violations().await, "a violation, light");
    s.prefer_color_scheme("dark").await;
    assert_clean(s.accessibility_violations().await, "a violation, dark");
    s.open("/?embed=1&scenario=leader-crash").await;
    s.wait_for_count("[data-testid=node]", 5).await;
    assert_clean(s.accessibility_violations().await, "embedded, dark");
    s.close().await;

    let phone = Session::start(390, 844).await;
    phone.open("/?autoplay=0").await;
    phone.wait_for_count("[data-testid=node]", 5).await;
    assert_clean(phone.accessibility_violations().await, "phone width");
    // The toolbar's Share pop-up, and a request on its way on the stage.
    phone.click("share").await;
    phone.wait_for_count("[data-testid=share-url]", 1).await;
    phone.send_set("colour", "teal").await;
    phone
        .wait_for_count("[data-testid=stage] [data-kind=client-request]", 1)
        .await;
    assert_clean(
        phone.accessibility_violations().await,
        "phone, share pop-up and a client request",
    );
    phone.close().await;

    // The compact stage of a small embed.
    let small = Session::start(400, 300).await;
    small.set_viewport(400, 300).await;
    small.open("/?embed=1&scenario=log-replication").await;
    small.wait_for_count("[data-testid=stage].compact", 1).await;
    assert_clean(small.accessibility_violations().await, "a 400x300 embed");
    small.close().await;
}

#[tokio::test]
async fn a_busy_cluster_and_an_error_banner_pass_too() {
    let s = Session::start(1280, 900).await;
    // A link that does not decode: the banner, over a working default.
    s.open("/#s=1.!!notbase64!!").await;
    s.wait_for_count("[data-testid=error-banner]", 1).await;
    assert_clean(s.accessibility_violations().await, "an error banner");
    s.prefer_color_scheme("dark").await;
    assert_clean(s.accessibility_violations().await, "an error banner (dark)");
    s.screenshot("a11y-banner-dark").await;
    s.prefer_color_scheme("light").await;

    s.open_playing().await;
    s.wait_for_leader().await;
    // Writes: one committed, then one stranded with a leader cut off. The
    // first is long enough to make the store table scroll sideways (a
    // scrolling region must be reachable by keyboard).
    s.send_set("colour", "tealwithahintofgreenandalongname")
        .await;
    s.wait_for_count("[data-testid=kv-result]", 1).await;
    s.wait_until(
        "a store table wider than its panel",
        "(w => w && w.scrollWidth > w.clientWidth)(document.querySelector('.kv-table-wrap'))",
    )
    .await;
    s.click("isolate-leader").await;
    s.send_set("minority", "lost").await;
    s.click("play-pause").await;
    s.click_css("[data-testid=node]:not([data-role=leader])")
        .await;
    s.click("node-crash").await;
    s.wait_until(
        "a crashed node",
        "[...document.querySelectorAll('[data-testid=node]')].some(n => n.dataset.role === 'crashed')",
    )
    .await;
    assert_clean(
        s.accessibility_violations().await,
        "partition, writes, a crash (light)",
    );
    s.screenshot("a11y-busy-light").await;
    s.prefer_color_scheme("dark").await;
    assert_clean(
        s.accessibility_violations().await,
        "partition, writes, a crash (dark)",
    );
    s.screenshot("a11y-busy-dark").await;
    s.close().await;
}

#[tokio::test]
async fn the_open_hunt_panel_passes_too() {
    let s = Session::start(1280, 900).await;
    s.open("/?hunt=vote-without-log-check&hunt-seeds=12&autoplay=0")
        .await;
    s.wait_for_count("[data-testid=hunt][data-open=true]", 1)
        .await;
    // Running: the progress bar and the first rows.
    assert_clean(s.accessibility_violations().await, "a hunt running");
    s.wait_until_for(
        "a shrunk failure",
        "document.querySelector('[data-testid=hunt-result][data-shrunk=true]') !== null",
        std::time::Duration::from_secs(120),
    )
    .await;
    assert_clean(
        s.accessibility_violations().await,
        "a hunt's results, light",
    );
    s.prefer_color_scheme("dark").await;
    assert_clean(s.accessibility_violations().await, "a hunt's results, dark");
    s.close().await;
}

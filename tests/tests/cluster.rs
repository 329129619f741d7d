//! The playground in headless Chromium: elections, crashes, the KV form and
//! partitions, driven through the page as a user would.

use e2e::{id_and_term, keys, Session, LEADER};
use std::time::Duration;

/// The default run at `width` × `height`, playing in real time.
async fn start_fast_at(width: u32, height: u32) -> Session {
    let s = Session::start(width, height).await;
    s.open_playing().await;
    s
}

async fn start_fast() -> Session {
    start_fast_at(1280, 1000).await
}

/// Waits for a leader other than `old`; its id and term.
async fn new_leader_other_than(s: &Session, old: u64) -> (u64, u64) {
    id_and_term(
        &s.wait_until(
            "a new leader",
            &format!("(() => {{ const v = {LEADER}; return v && v[0] !== {old} ? v : null; }})()"),
        )
        .await,
    )
}

#[tokio::test]
async fn a_leader_appears_and_a_crash_elects_a_new_one_in_a_higher_term() {
    let s = start_fast().await;
    let (leader, term) = s.wait_for_leader().await;
    s.screenshot("cluster-leader").await;
    assert!(term >= 1);
    s.click_css(&format!("[data-testid=node][data-node-id='{leader}']"))
        .await;
    s.click("node-crash").await;
    s.wait_until(
        "the old leader crashed",
        &format!("document.querySelector(\"[data-testid=node][data-node-id='{leader}']\").dataset.role === 'crashed'"),
    )
    .await;
    let (new_leader, new_term) = new_leader_other_than(&s, leader).await;
    assert_ne!(new_leader, leader);
    assert!(
        new_term > term,
        "new leader's term {new_term} must exceed {term}"
    );
    s.screenshot("cluster-new-leader").await;
    let status = s
        .js("return document.querySelector('[data-testid=checker]').dataset.status")
        .await;
    assert_eq!(status, "ok");
    s.close().await;
}

#[tokio::test]
async fn a_set_from_the_kv_form_is_applied_on_every_live_node() {
    let s = start_fast().await;
    s.wait_for_leader().await;
    s.send_set("colour", "teal").await;
    s.wait_until(
        "colour=teal on all five nodes",
        "document.querySelectorAll(\"[data-testid=kv-table] [data-key='colour'][data-value='teal']\").length === 5",
    )
    .await;
    s.wait_until(
        "the result of the request",
        "[...document.querySelectorAll('[data-testid=kv-result] li')].some(li => li.dataset.done === 'true')",
    )
    .await;
    let text = s
        .js("return document.querySelector('[data-testid=kv-result]').textContent")
        .await;
    assert!(
        text.as_str().unwrap().contains("SET colour=teal"),
        "results: {text}"
    );
    s.screenshot("kv-applied").await;
    s.close().await;
}

#[tokio::test]
async fn a_minority_leader_cannot_commit_and_steps_down_after_healing() {
    let s = start_fast().await;
    let (old, old_term) = s.wait_for_leader().await;
    // Let the automatic clients' load settle, then cut the leader off.
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Slow down so the write reaches the isolated leader before CheckQuorum
    // makes it step down (an election timeout later).
    s.set_value("speed", "-2").await;
    s.click("isolate-leader").await;
    let node = |id: u64, attr: &str| {
        format!("Number(document.querySelector(\"[data-testid=node][data-node-id='{id}']\").dataset.{attr})")
    };
    let commit_before = s
        .js(&format!("return {}", node(old, "commitIndex")))
        .await
        .as_u64()
        .unwrap();
    // A write sent straight to the isolated leader: appended, never committed.
    s.js(&format!(
        "const t = document.querySelector('[data-testid=kv-target]'); t.value = '{old}';
         t.dispatchEvent(new Event('change', {{ bubbles: true }}));"
    ))
    .await;
    s.send_set("minority", "lost").await;
    let stranded = s
        .wait_until(
            "the isolated leader appends the write",
            &format!("(() => {{ const rows = document.querySelectorAll(\"[data-testid=log-row][data-node-id='{old}'] .entry\");
                 const e = [...rows].find(e => e.title.includes('minority=lost'));
                 return e ? Number(e.dataset.index) : null; }})()"),
        )
        .await
        .as_u64()
        .unwrap();
    s.set_value("speed", "0").await;
    let (new_leader, new_term) = id_and_term(
        &s.wait_until(
            "the majority elects a new leader",
            &format!("(() => {{ const l = [...document.querySelectorAll('[data-testid=node][data-role=leader]')]
                 .map(n => [Number(n.dataset.nodeId), Number(n.dataset.term)]).filter(v => v[0] !== {old});
                 return l.length ? l[0] : null; }})()"),
        )
        .await,
    );
    assert!(new_term > old_term);
    let commit_now = s
        .js(&format!("return {}", node(old, "commitIndex")))
        .await
        .as_u64()
        .unwrap();
    assert!(
        commit_now < stranded,
        "the minority leader committed {commit_now} ≥ {stranded}"
    );
    assert!(commit_now >= commit_before);
    s.screenshot("partition-two-leaders").await;
    s.click("heal-all").await;
    s.wait_until(
        "the old leader steps down",
        &format!("document.querySelector(\"[data-testid=node][data-node-id='{old}']\").dataset.role === 'follower'"),
    )
    .await;
    s.wait_until(
        "its uncommitted entry is replaced by one of the new leader's term",
        &format!("(() => {{ const e = document.querySelector(\"[data-testid=log-row][data-node-id='{old}'] .entry[data-index='{stranded}']\");
             return e && Number(e.dataset.term) >= {new_term}; }})()"),
    )
    .await;
    // The client retries its timed-out request (same session sequence number)
    // through the new leader, so the write may land later at another index —
    // once, thanks to the session: never twice.
    let applied = s
        .js("return [...document.querySelectorAll(\"[data-testid=kv-table] [data-key='minority']\")].map(c => c.dataset.value)")
        .await;
    for value in applied.as_array().unwrap() {
        assert!(value == "lost" || value == "", "unexpected value {value}");
    }
    let _ = new_leader;
    s.screenshot("partition-healed").await;
    s.close().await;
}

/// `data-nodes` of every partition fence, sorted.
const FENCES: &str = "[...document.querySelectorAll('[data-testid=partition-group]')].map(g => g.dataset.nodes).sort()";

#[tokio::test]
async fn the_context_menu_crashes_the_leader_and_works_by_keyboard() {
    let s = start_fast().await;
    let (leader, term) = s.wait_for_leader().await;
    let node = format!("[data-testid=node][data-node-id='{leader}']");
    s.right_click_css(&node).await;
    s.wait_for_count("[data-testid=node-menu][role=menu]", 1)
        .await;
    // Focus starts on the first entry; the leader cannot time out.
    assert_eq!(s.focused().await, "node-menu-crash");
    let timeout = s
        .js(
            "const t = document.querySelector('[data-testid=node-menu-timeout]');
             return [t.getAttribute('role'), t.getAttribute('aria-disabled'), t.title];",
        )
        .await;
    assert_eq!(timeout[0], "menuitem");
    assert_eq!(timeout[1], "true");
    assert!(timeout[2].as_str().unwrap().contains("already leads"));
    s.screenshot("context-menu-open").await;
    // Arrows move between entries; Escape closes and gives the node the focus back.
    s.press(&[keys::DOWN]).await;
    assert_eq!(s.focused().await, "node-menu-restart");
    s.press(&[keys::UP]).await;
    assert_eq!(s.focused().await, "node-menu-crash");
    s.press(&[keys::ESCAPE]).await;
    s.wait_for_count("[data-testid=node-menu]", 0).await;
    assert_eq!(s.focused().await, format!("node:{leader}"));
    // Escape in the menu did not reach the page (it would clear the selection).
    // Shift+F10 on the focused node opens the menu again; Enter chooses Crash.
    s.press(&[keys::SHIFT, keys::F10]).await;
    s.wait_for_count("[data-testid=node-menu]", 1).await;
    assert_eq!(s.focused().await, "node-menu-crash");
    s.press(&[keys::ENTER]).await;
    s.wait_for_count("[data-testid=node-menu]", 0).await;
    s.wait_until(
        "the leader crashed through its menu",
        &format!("document.querySelector(\"{node}\").dataset.role === 'crashed'"),
    )
    .await;
    assert_eq!(s.focused().await, format!("node:{leader}"));
    let (new_leader, new_term) = new_leader_other_than(&s, leader).await;
    assert_ne!(new_leader, leader);
    assert!(new_term > term, "{new_term} must exceed {term}");
    // The crashed node's menu now offers Restart, and Crash says why not.
    s.right_click_css(&node).await;
    s.wait_for_count("[data-testid=node-menu]", 1).await;
    assert_eq!(s.focused().await, "node-menu-restart");
    s.click("node-menu-restart").await;
    s.wait_until(
        "the old leader restarted",
        &format!("document.querySelector(\"{node}\").dataset.role !== 'crashed'"),
    )
    .await;
    // The cluster's own menu (right click on the background) adds a node.
    s.right_click_css(".cluster-wrap svg").await;
    s.wait_for_count("[data-testid=cluster-menu]", 1).await;
    s.click("cluster-menu-add").await;
    s.wait_for_count("[data-testid=node]", 6).await;
    s.close().await;
}

#[tokio::test]
async fn a_split_network_is_fenced_by_group_and_healing_removes_the_fences() {
    let s = start_fast().await;
    s.wait_for_leader().await;
    assert_eq!(
        s.js(&format!("return {FENCES}")).await,
        serde_json::json!([])
    );
    s.click("split").await;
    s.wait_until(
        "fences around {1,2} and {3,4,5}",
        &format!("JSON.stringify({FENCES}) === '[\"1,2\",\"3,4,5\"]'"),
    )
    .await;
    // The links between the groups are cut (dashed), those inside are not.
    let cut = s
        .js("return [...document.querySelectorAll('[data-testid=link]')].filter(l => l.dataset.cut === 'true').length")
        .await;
    assert_eq!(cut, 6);
    s.js("window.scrollTo(0, 0);").await;
    s.screenshot("partition-fences").await;
    s.click("heal-all").await;
    s.wait_until("no fence", &format!("{FENCES}.length === 0"))
        .await;
    // Cutting every link of the leader by hand (clicking them) fences it alone.
    let (leader, _) = s.wait_for_leader().await;
    s.js(&format!(
        "for (const l of document.querySelectorAll('[data-testid=link]')) {{
             if (l.dataset.from === '{leader}' || l.dataset.to === '{leader}') l.dispatchEvent(new MouseEvent('click', {{ bubbles: true }}));
         }}"
    ))
    .await;
    s.wait_until(
        "the leader fenced alone",
        &format!("{FENCES}.includes('{leader}')"),
    )
    .await;
    s.close().await;
}

#[tokio::test]
async fn phone_width_menu_and_fences() {
    let s = start_fast_at(390, 844).await;
    s.wait_for_leader().await;
    s.click("isolate-leader").await;
    s.wait_until("two fences", &format!("{FENCES}.length === 2"))
        .await;
    s.right_click_css("[data-testid=node][data-node-id='2']")
        .await;
    s.wait_for_count("[data-testid=node-menu]", 1).await;
    // The menu fits on the screen.
    let inside = s
        .js(
            "const r = document.querySelector('.popup-menu').getBoundingClientRect();
             return r.left >= 0 && r.right <= window.innerWidth && r.width > 100;",
        )
        .await;
    assert_eq!(inside, true);
    s.js("document.querySelector('.cluster-wrap').scrollIntoView({ block: 'start' });")
        .await;
    s.screenshot("phone-menu-and-fences").await;
    s.close().await;
}

#[tokio::test]
async fn a_violation_is_pinpointed_on_the_timeline_in_the_feed_and_in_the_logs() {
    for (width, height) in [(1280, 900), (390, 844)] {
        violation_pinpointed(width, height).await;
    }
}

async fn violation_pinpointed(width: u32, height: u32) {
    let s = Session::start(width, height).await;
    s.open("/?autoplay=0").await;
    let end = s.play_scenario_to_its_end("figure-8-bug").await;
    s.wait_for_checker("violation").await;
    // The timeline marks it; the feed names the event that caused it; the
    // log entries it names are outlined.
    let marks = s
        .js("return [...document.querySelectorAll('[data-testid=violation-marker]')].map(m => Number(m.dataset.us))")
        .await;
    let first_us = marks[0].as_u64().expect("a violation marker");
    assert!(
        first_us > 0 && first_us <= end * 1000,
        "marker at {first_us} µs"
    );
    let cause = s
        .js_text("const c = document.querySelector('[data-testid=event-feed] li.cause'); return c ? c.textContent : ''")
        .await;
    assert!(cause.contains("caused by node"), "cause line: {cause:?}");
    let outlined = s
        .js("return document.querySelectorAll('[data-testid=log-row] .entry[data-violation=true]').length")
        .await
        .as_u64()
        .unwrap();
    assert!(outlined >= 1, "no log entry outlined");
    s.js("document.querySelector('[data-testid=violation-marker]').scrollIntoView({ block: 'center' })")
        .await;
    s.screenshot(&format!("violation-pinpointed-{width}")).await;
    s.js("document.querySelector('[data-testid=event-feed] li.cause').scrollIntoView({ block: 'center' })")
        .await;
    s.screenshot(&format!("violation-feed-{width}")).await;
    s.js("document.querySelector('[data-testid=log-row] .entry[data-violation=true]').scrollIntoView({ block: 'center' })")
        .await;
    s.screenshot(&format!("violation-logs-{width}")).await;

    // Back before it: the mark stays, and clicking it travels to that instant.
    s.set_value("timeline", "0").await;
    s.wait_for_checker("ok").await;
    s.click_css("[data-testid=violation-marker]").await;
    s.wait_until(
        "at the violation",
        &format!("Number(document.querySelector('[data-testid=sim-time]').dataset.us) === {first_us} && document.querySelector('[data-testid=checker]').dataset.status === 'violation'"),
    )
    .await;
    assert_eq!(
        s.js("return document.querySelectorAll('[data-testid=node].flagged').length >= 1 && document.querySelector('[data-testid=inspector]') !== null")
            .await,
        serde_json::json!(true),
        "the nodes involved are flagged and one is inspected"
    );
    s.close().await;
}

/// Whether every log row shows its newest entry inside its scroller (the
/// rows that overflow are scrolled to their end), and at least one row
/// overflows.
const NEWEST_ENTRIES_IN_VIEW: &str = "(() => {
    const rows = [...document.querySelectorAll('[data-testid=log-row] .log-entries')];
    let overflowing = 0;
    for (const box of rows) {
        const last = box.querySelector('.entry-list .entry:last-child');
        if (!last) return false;
        const b = box.getBoundingClientRect(), e = last.getBoundingClientRect();
        if (e.left < b.left - 1 || e.right > b.right + 1) return false;
        if (box.scrollWidth > box.clientWidth + 1) overflowing++;
    }
    return overflowing > 0;
})()";

#[tokio::test]
async fn long_logs_keep_their_newest_entries_in_view() {
    for (width, height) in [(1280, 1000), (390, 844)] {
        let s = start_fast_at(width, height).await;
        // A short row (nothing yet) starts at the left edge, as text does.
        let aligned = s
            .js("const box = document.querySelector('[data-testid=log-row] .log-entries');
                 const empty = box.querySelector('.log-empty');
                 return Math.abs(empty.getBoundingClientRect().left - box.getBoundingClientRect().left) < 8;")
            .await;
        assert_eq!(aligned, true, "an empty row at {width} px");
        s.wait_until(
            "a log longer than its row, newest entries in view",
            NEWEST_ENTRIES_IN_VIEW,
        )
        .await;
        // Still so a second later: the rows follow the tail as it grows.
        tokio::time::sleep(Duration::from_millis(1_000)).await;
        assert_eq!(
            s.js(&format!("return {NEWEST_ENTRIES_IN_VIEW};")).await,
            true,
            "newest entries in view at {width} px after more arrived"
        );
        s.js("document.querySelector('.logs').scrollIntoView({ block: 'start' });")
            .await;
        s.screenshot(&format!("logs-newest-{width}")).await;
        // A reader scrolled back keeps their place while entries arrive.
        const FIRST_IN_VIEW: &str = "(() => {
            const box = document.querySelector('[data-testid=log-row] .log-entries');
            const left = box.getBoundingClientRect().left;
            const e = [...box.querySelectorAll('.entry-list .entry')]
                .find(e => e.getBoundingClientRect().right > left + 1);
            return e.dataset.index;
        })()";
        let reading = s
            .js(&format!(
                "const box = document.querySelector('[data-testid=log-row] .log-entries');
                 box.scrollLeft = -300;
                 box.dispatchEvent(new Event('scroll'));
                 return {FIRST_IN_VIEW};"
            ))
            .await;
        let commit = |v: serde_json::Value| v.as_str().unwrap_or_default().to_string();
        let before = s
            .js("return document.querySelector('[data-testid=log-row] .log-head').textContent")
            .await;
        s.wait_until(
            "more entries",
            &format!(
                "document.querySelector('[data-testid=log-row] .log-head').textContent !== {before}"
            ),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            s.js(&format!("return {FIRST_IN_VIEW};")).await,
            reading,
            "the entry read at {width} px stayed in view (commit was {})",
            commit(before)
        );
        // The oldest are a scroll away: scrolled to the start, the first entry shows.
        let first_shows = s
            .js(
                "const box = document.querySelector('[data-testid=log-row] .log-entries');
                 box.scrollLeft = -box.scrollWidth;
                 const b = box.getBoundingClientRect();
                 const e = box.querySelector('.entry').getBoundingClientRect();
                 return e.left >= b.left - 1 && e.left < b.right;",
            )
            .await;
        assert_eq!(
            first_shows, true,
            "the oldest entry is reachable at {width} px"
        );
        s.close().await;
    }
}

/// After the membership-change story, node 2 is out of the configuration
/// and the picture says so; nodes 4 and 5, which joined, vote.
#[tokio::test]
async fn a_removed_node_is_drawn_as_removed() {
    for width in [1280, 390] {
        let s = Session::start(width, 900).await;
        s.open("/?autoplay=0").await;
        s.wait_for_count("[data-testid=node]", 5).await;
        s.play_scenario_to_its_end("membership-change").await;
        let members = s
            .js_text("return [...document.querySelectorAll('[data-testid=node]')].map(n => n.dataset.nodeId + ':' + n.dataset.member).join(' ')")
            .await;
        assert_eq!(
            members, "1:voter 2:removed 3:voter 4:voter 5:voter",
            "{width} px"
        );
        let words = s
            .js_text("return document.querySelector('[data-testid=node][data-node-id=\"2\"]').textContent")
            .await;
        assert!(words.contains("removed"), "{words:?}");
        let summary = s
            .js_text("return document.querySelector('.summary').textContent")
            .await;
        assert!(summary.contains("5 nodes (1 removed)"), "{summary:?}");
        let violations = s.accessibility_violations().await;
        assert!(violations.is_empty(), "{width} px: {violations:?}");
        s.js("window.scrollTo(0, 0); return true;").await;
        s.screenshot(&format!("membership-removed-{width}")).await;
        s.close().await;
    }
}

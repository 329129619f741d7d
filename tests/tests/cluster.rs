//! The playground in headless Chromium: elections, crashes, the KV form and
//! partitions, driven through the page as a user would.

use e2e::Session;
use std::time::Duration;

/// The node currently shown as leader, with its term.
const LEADER: &str =
    "(() => { const n = document.querySelector('[data-testid=node][data-role=leader]');
    return n ? [Number(n.dataset.nodeId), Number(n.dataset.term)] : null; })()";

async fn start_fast() -> Session {
    let s = Session::start(1280, 1000).await;
    s.open("/").await;
    s.wait_for_count("[data-testid=node]", 5).await;
    s.set_value("speed", "0").await; // real time: 1×
    s.click("play-pause").await;
    s
}

fn pair(v: &serde_json::Value) -> (u64, u64) {
    (v[0].as_u64().unwrap(), v[1].as_u64().unwrap())
}

#[tokio::test]
async fn a_leader_appears_and_a_crash_elects_a_new_one_in_a_higher_term() {
    let s = start_fast().await;
    let (leader, term) = pair(&s.wait_until("a leader", LEADER).await);
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
    let (new_leader, new_term) = pair(
        &s.wait_until(
            "a new leader",
            &format!(
                "(() => {{ const v = {LEADER}; return v && v[0] !== {leader} ? v : null; }})()"
            ),
        )
        .await,
    );
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
    s.wait_until("a leader", LEADER).await;
    s.set_value("kv-key", "colour").await;
    s.set_value("kv-value", "teal").await;
    s.click("kv-set").await;
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
    let (old, old_term) = pair(&s.wait_until("a leader", LEADER).await);
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
    s.set_value("kv-key", "minority").await;
    s.set_value("kv-value", "lost").await;
    s.click("kv-set").await;
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
    let (new_leader, new_term) = pair(
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

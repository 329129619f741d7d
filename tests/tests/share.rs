//! Scenarios, share links, embedding and the postMessage API, in headless Chromium.

use e2e::{path_of, Session, StaticServer};
use std::time::Duration;

async fn roles(s: &Session) -> String {
    s.js_text("return [...document.querySelectorAll('[data-testid=node]')].map(n => n.dataset.nodeId + ':' + n.dataset.role + ':' + n.dataset.term + ':' + n.dataset.commitIndex).join(' ')")
        .await
}

#[tokio::test]
async fn a_share_link_replays_the_same_run_in_a_fresh_browser() {
    let a = Session::start(1280, 1000).await;
    a.open_playing().await;
    a.wait_for_leader().await;
    // A user action in the run: crash the leader, and a write.
    a.click_css("[data-testid=node][data-role=leader]").await;
    a.click("node-crash").await;
    a.send_set("k", "v").await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    a.click("play-pause").await;
    let (time_a, hash_a) = a.clock().await;
    let roles_a = roles(&a).await;
    let link = a.share_link().await;
    assert!(link.contains("#s=1."), "link: {link}");
    println!(
        "FIGURE share_link_chars={}",
        link.len() - link.find('#').unwrap()
    );
    a.screenshot("share-original").await;
    a.close().await;

    let b = Session::start(1280, 1000).await;
    b.open(&path_of(&link)).await;
    b.wait_for_count("[data-testid=node]", 5).await;
    b.wait_until(
        "the shared moment",
        &format!(
            "Number(document.querySelector('[data-testid=sim-time]').dataset.us) === {time_a}"
        ),
    )
    .await;
    let (time_b, hash_b) = b.clock().await;
    assert_eq!(
        (time_b, hash_b),
        (time_a, hash_a),
        "same moment, same trace hash"
    );
    assert_eq!(roles(&b).await, roles_a);
    let playing = b.js("return document.querySelector('[data-testid=play-pause]').getAttribute('aria-pressed')").await;
    assert_eq!(playing, "false", "a shared moment opens paused");
    b.screenshot("share-replayed").await;
    b.close().await;
}

/// A link pasted into the address bar of an open playground changes only
/// the fragment, so the browser loads nothing: it must open all the same,
/// and a bad one must still say so.
#[tokio::test]
async fn a_link_pasted_into_an_open_playground_opens() {
    let s = Session::start(1280, 900).await;
    s.open_playing().await;
    s.wait_for_leader().await;
    s.click("play-pause").await;
    let (time_us, hash) = s.clock().await;
    let link = s.share_link().await;
    let fragment = link.split_once('#').unwrap().1;
    // Elsewhere: back to time zero on another seed.
    s.click_css("[data-testid=new-seed]").await;
    s.wait_until(
        "a new run at time zero",
        "document.querySelector('[data-testid=sim-time]').dataset.us === '0'",
    )
    .await;
    s.js(&format!("location.hash = '{fragment}'; return true;"))
        .await;
    s.wait_until(
        "the pasted link's moment",
        &format!(
            // The page reloads in between, so the clock may be missing.
            "Number(document.querySelector('[data-testid=sim-time]')?.dataset.us) === {time_us}"
        ),
    )
    .await;
    assert_eq!(s.clock().await, (time_us, hash), "same moment, same trace");
    s.js("location.hash = 's=1.!!notbase64!!'; return true;")
        .await;
    let banner = s
        .wait_until(
            "the error banner for a pasted bad link",
            "document.querySelector('[data-testid=error-banner]')?.textContent",
        )
        .await;
    assert!(
        banner.as_str().unwrap().contains("cannot be opened"),
        "{banner}"
    );
    s.close().await;
}

#[tokio::test]
async fn a_bad_link_shows_the_banner_and_a_working_default() {
    let s = Session::start(1280, 900).await;
    for bad in ["/#s=2.AAAA", "/#s=1.!!notbase64!!", "/#s=1.eJwL", "/#s="] {
        s.open("/?autoplay=0").await; // a fresh document each time
        s.open(bad).await;
        s.client.refresh().await.unwrap();
        s.wait_for_count("[data-testid=node]", 5).await;
        let banner = s
            .wait_until(
                &format!("the error banner for {bad}"),
                "document.querySelector('[data-testid=error-banner]')?.textContent",
            )
            .await;
        assert!(
            banner.as_str().unwrap().contains("cannot be opened"),
            "{bad}: {banner}"
        );
    }
    // The default still runs.
    s.set_value("speed", "0").await;
    s.click("play-pause").await;
    s.wait_until(
        "a leader after a bad link",
        "document.querySelector('[data-testid=node][data-role=leader]')",
    )
    .await;
    s.screenshot("bad-link").await;
    s.close().await;
}

#[tokio::test]
async fn every_scenario_runs_to_its_end_with_its_promised_outcome() {
    let s = Session::start(1280, 900).await;
    s.open("/?autoplay=0").await;
    let ids = s
        .wait_until(
            "the picker",
            // An empty list is truthy in JavaScript: wait for the buttons.
            "(ids => ids.length ? ids : null)([...document.querySelectorAll('[data-testid=scenario]')].map(b => b.dataset.id))",
        )
        .await;
    let ids: Vec<String> = ids
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert!(ids.len() >= 13, "only {} scenarios", ids.len());
    for id in &ids {
        s.play_scenario_to_its_end(id).await;
        let status = s
            .js("return document.querySelector('[data-testid=checker]').dataset.status")
            .await;
        let step = s.js("const n = document.querySelector('[data-testid=narrative]'); return [Number(n.dataset.step), Number(n.dataset.steps)]").await;
        let broken = id.starts_with("bug-") || id == "figure-8-bug";
        assert_eq!(
            status,
            if broken { "violation" } else { "ok" },
            "{id}: checker {status}"
        );
        assert_eq!(
            step[0].as_i64().unwrap() + 1,
            step[1].as_i64().unwrap(),
            "{id}: the story reached its last step"
        );
        if id == "figure-8-bug" {
            s.screenshot("scenario-figure-8-bug").await;
        }
        // Dismiss whatever the run announced before the next one.
        s.js("document.querySelectorAll('.banner button').forEach(b => b.click())")
            .await;
    }
    s.close().await;
}

#[tokio::test]
async fn embed_mode_with_and_without_controls() {
    let s = Session::start(640, 480).await;
    s.open("/?embed=1&scenario=leader-crash&controls=0&theme=dark")
        .await;
    s.wait_for_count("[data-testid=node]", 5).await;
    assert_eq!(s.js("return document.querySelectorAll('[data-testid=play-pause], [data-testid=kv-table]').length").await, 0);
    assert!(s
        .js("return document.querySelector('.app.embed.theme-dark') !== null")
        .await
        .as_bool()
        .unwrap());
    s.assert_no_sideways_scroll("embed").await;
    s.screenshot("embed-no-controls").await;
    s.open("/?embed=1&scenario=leader-crash&controls=1&autoplay=1")
        .await;
    s.client.refresh().await.unwrap();
    s.wait_for_count("[data-testid=play-pause]", 1).await;
    s.wait_until(
        "autoplay runs",
        "Number(document.querySelector('[data-testid=sim-time]').dataset.us) > 0",
    )
    .await;
    s.screenshot("embed-controls").await;
    s.close().await;
}

#[tokio::test]
async fn a_host_page_on_another_origin_drives_the_embed_through_post_message() {
    let s = Session::start(1000, 800).await;
    drive_the_embed_from_a_host_page(&s, "host-page").await;
    s.close().await;
}

/// On a slow machine Yew yields to the browser in the middle of its work
/// (after 16 ms), so commands a host sends back to back (load, then seek)
/// can reach the page before it has rendered the first: it must still
/// announce what the second one ran into.
#[tokio::test]
async fn a_host_page_is_heard_on_a_slow_machine_too() {
    let s = Session::start(1000, 800).await;
    s.throttle_cpu(20.0).await;
    drive_the_embed_from_a_host_page(&s, "host-page-slow").await;
    s.throttle_cpu(1.0).await;
    s.close().await;
}

async fn drive_the_embed_from_a_host_page(s: &Session, screenshot: &str) {
    let host_dir = std::env::temp_dir().join(format!("raft-e2e-host-{}", std::process::id()));
    std::fs::create_dir_all(&host_dir).unwrap();
    let frame_src = s.site.url("/?embed=1&scenario=first-election");
    std::fs::write(
        host_dir.join("index.html"),
        format!(
            "<!doctype html><html><body><iframe id=f src=\"{frame_src}\" width=600 height=400></iframe>
             <script>window.__events = [];
             window.addEventListener('message', e => {{ if (e.data && e.data.type === 'raft-playground') window.__events.push(e.data); }});
             window.send = m => document.getElementById('f').contentWindow.postMessage(Object.assign({{ type: 'raft-playground' }}, m), '*');
             </script></body></html>"
        ),
    )
    .unwrap();
    let host = StaticServer::start(host_dir.clone());
    assert_ne!(host.port(), s.site.port(), "a different origin");
    s.client.goto(&host.url("/")).await.unwrap();
    let has = |name: &str| format!("window.__events.some(e => e.event === '{name}')");
    s.wait_until("the ready event", &has("ready")).await;
    s.js("window.send({ command: 'seek', ms: 2000 })").await;
    s.wait_until("leader-elected from the embed", &has("leader-elected"))
        .await;
    s.wait_until("entry-committed from the embed", &has("entry-committed"))
        .await;
    s.js("window.send({ command: 'nonsense' }); window.send({ command: 'seek', ms: -5 });")
        .await;
    s.wait_until(
        "errors for bad commands",
        "window.__events.filter(e => e.event === 'error').length >= 2",
    )
    .await;
    s.js("window.__events = []; window.send({ command: 'load', scenario: 'figure-8-bug' }); window.send({ command: 'seek', ms: 4000 });").await;
    s.wait_until_for(
        "a violation event",
        &has("violation"),
        Duration::from_secs(30),
    )
    .await;
    s.js("window.send({ command: 'play' }); window.send({ command: 'pause' });")
        .await;
    s.screenshot(screenshot).await;
    drop(host);
    let _ = std::fs::remove_dir_all(host_dir);
}

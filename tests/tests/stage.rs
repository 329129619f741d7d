//! The stage draws each node's log, commit point and store (issue #15):
//! a write from the form is seen committed on every node and applied in
//! every node's store, and a 640×400 embed keeps every log on screen.

use e2e::Session;

/// `[node, index, term, committed]` of every log entry drawn on the stage.
const ENTRIES: &str = "[...document.querySelectorAll('[data-testid=stage] [data-testid=log-entry]')]
    .map(e => [Number(e.dataset.nodeId), Number(e.dataset.index), Number(e.dataset.term), e.dataset.committed])";

/// Steps the paused run one event at a time (the Step button) until
/// `SET colour=teal` is committed on some lane (`arguments[0]` true) or
/// committed and applied on all five (false), and returns
/// each state seen on the way, once per change: per node (1 to 5), "-"
/// before the entry reaches its log, "u" uncommitted, "c" committed, and
/// "c+" committed with colour=teal in its store (or "+" for an applied
/// value without the entry drawn).
const STEP_UNTIL_APPLIED: &str = "
    const [firstCommit, done] = [arguments[0], arguments[arguments.length - 1]];
    const state = () => [1, 2, 3, 4, 5].map(id => {
        const e = [...document.querySelectorAll(`[data-testid=stage] [data-testid=log-entry][data-node-id='${id}']`)]
            .find(e => e.querySelector('title').textContent.includes('SET colour=teal'));
        const kv = document.querySelector(`[data-testid=stage] [data-testid=node-kv][data-node-id='${id}'][data-key='colour'][data-value='teal']`);
        return (e ? (e.dataset.committed === 'true' ? 'c' : 'u') : '-') + (kv ? '+' : '');
    }).join(' ');
    const seen = [state()];
    let steps = 0;
    const tick = () => {
        const last = seen[seen.length - 1];
        if ((firstCommit ? last.includes('c') : last === 'c+ c+ c+ c+ c+') || steps >= 3000) { done(seen); return; }
        document.querySelector('[data-testid=step]').click();
        steps += 1;
        setTimeout(() => { const s = state(); if (s !== seen[seen.length - 1]) seen.push(s); tick(); }, 0);
    };
    tick();";

#[tokio::test]
async fn a_set_from_the_form_is_committed_and_applied_on_every_node_of_the_stage() {
    let s = Session::start(1440, 900).await;
    s.open_playing().await;
    let (leader, _) = s.wait_for_leader().await;
    // Every node draws its log on the stage, each entry with its hooks.
    s.wait_until(
        "entries drawn for all five nodes",
        &format!("new Set({ENTRIES}.map(e => e[0])).size === 5"),
    )
    .await;
    // Slowed down (1/100×), so the request is still on its way when paused.
    s.set_value("speed", "-2").await;
    s.send_set("colour", "teal").await;
    s.click("play-pause").await;
    // Event by event: the entry reaches the leader's log uncommitted, is
    // committed there first (a majority has it), then on each follower as
    // the commit index reaches it; a node applies it only once committed.
    let step_until = |first_commit: bool| {
        s.client
            .execute_async(STEP_UNTIL_APPLIED, vec![serde_json::json!(first_commit)])
    };
    let until_first = step_until(true).await.unwrap();
    s.js("window.scrollTo(0, 0)").await;
    s.screenshot("stage-commit-on-the-leader").await;
    let rest = step_until(false).await.unwrap();
    let seen: Vec<Vec<String>> = until_first
        .as_array()
        .unwrap()
        .iter()
        .chain(rest.as_array().unwrap().iter().skip(1))
        .map(|v| v.as_str().unwrap().split(' ').map(String::from).collect())
        .collect();
    let trail: Vec<String> = seen.iter().map(|s| s.join(" ")).collect();
    println!("S{leader} leads; states: {trail:?}");
    assert_eq!(
        trail.last().map(String::as_str),
        Some("c+ c+ c+ c+ c+"),
        "committed and applied everywhere: {trail:#?}"
    );
    let l = leader as usize - 1;
    let first_commit = seen
        .iter()
        .position(|s| s.iter().any(|n| n.starts_with('c')))
        .unwrap();
    assert!(
        seen[first_commit][l].starts_with('c')
            && seen[first_commit]
                .iter()
                .filter(|n| n.starts_with('c'))
                .count()
                == 1,
        "the leader (S{leader}) commits first: {trail:#?}"
    );
    assert!(
        seen[..first_commit].iter().any(|s| s[l] == "u"),
        "the leader's entry was drawn uncommitted first: {trail:#?}"
    );
    for (i, state) in seen.iter().enumerate() {
        for (n, node) in state.iter().enumerate() {
            // Applied only once committed, and never uncommitted again.
            assert!(
                node != "+" && node != "u+",
                "S{} applied before committing: {trail:#?}",
                n + 1
            );
            if i > 0 && seen[i - 1][n].starts_with('c') {
                assert!(
                    node.starts_with('c'),
                    "S{} uncommitted again: {trail:#?}",
                    n + 1
                );
            }
        }
    }
    // Committed everywhere at one index and term.
    let places = s
        .js(
            "return [...document.querySelectorAll('[data-testid=stage] [data-testid=log-entry]')]
                 .filter(e => e.querySelector('title').textContent.includes('SET colour=teal'))
                 .map(e => e.dataset.index + '/' + e.dataset.term)",
        )
        .await;
    let places: Vec<&str> = places
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(places.len(), 5);
    assert!(
        places.windows(2).all(|w| w[0] == w[1]),
        "one index and term on every node: {places:?}"
    );
    // The node hooks agree with the lanes: each node's commit point is its commit index.
    let agree = s
        .js("return [...document.querySelectorAll('[data-testid=node]')].every(n =>
                 document.querySelector(`[data-testid=commit-point][data-node-id='${n.dataset.nodeId}']`)
                     .dataset.commitIndex === n.dataset.commitIndex)")
        .await;
    assert_eq!(agree, true);
    s.js("window.scrollTo(0, 0)").await;
    s.screenshot("stage-desktop-1440").await;
    s.close().await;
}

/// Whether every log entry on the stage lies inside the window, and how
/// many nodes draw entries.
const ENTRIES_IN_VIEW: &str = "(() => {
    const all = [...document.querySelectorAll('[data-testid=stage] [data-testid=log-entry]')];
    const out = all.filter(e => { const r = e.getBoundingClientRect();
        return r.left < 0 || r.top < 0 || r.right > window.innerWidth || r.bottom > window.innerHeight; });
    return [new Set(all.map(e => e.dataset.nodeId)).size, out.length];
})()";

#[tokio::test]
async fn the_640_by_400_embed_of_a_partition_keeps_every_log_in_view() {
    let s = Session::start(640, 400).await;
    s.set_viewport(640, 400).await;
    s.open("/?embed=1&controls=0&autoplay=1&scenario=network-partition")
        .await;
    s.wait_for_count("[data-testid=node]", 5).await;
    let size = s.js("return [window.innerWidth, window.innerHeight]").await;
    assert_eq!(
        size,
        serde_json::json!([640, 400]),
        "the window's inner size"
    );
    // Played past the split, a leader on the majority side keeps writing.
    s.seek_ms(2_500).await;
    s.wait_until(
        "entries on all five nodes",
        &format!("{ENTRIES_IN_VIEW}[0] === 5"),
    )
    .await;
    let v = s.js(&format!("return {ENTRIES_IN_VIEW}")).await;
    assert_eq!(v[1], 0, "log entries outside the 640×400 window");
    // The story's current step, as a caption band, fully in view too.
    let caption = s
        .js("const r = document.querySelector('[data-testid=narrative] .caption').getBoundingClientRect(); return [r.top, r.bottom, r.height];")
        .await;
    let (top, bottom) = (caption[0].as_f64().unwrap(), caption[1].as_f64().unwrap());
    assert!(
        top >= 0.0 && bottom <= 400.0 && caption[2].as_f64().unwrap() > 0.0,
        "the story's caption at {top}..{bottom} px is inside the 640×400 window"
    );
    s.assert_no_sideways_scroll("640×400 embed").await;
    s.screenshot("stage-embed-640x400").await;
    s.close().await;
}

#[tokio::test]
async fn screenshots_of_the_stage_on_a_phone_and_in_an_embed_with_controls() {
    let phone = Session::start(390, 844).await;
    phone.open_playing().await;
    phone.wait_for_leader().await;
    phone.send_set("colour", "teal").await;
    phone
        .wait_until(
            "colour=teal applied",
            "document.querySelectorAll(\"[data-testid=stage] [data-testid=node-kv][data-key='colour']\").length === 5",
        )
        .await;
    phone.assert_no_sideways_scroll("phone").await;
    phone.js("window.scrollTo(0, 0)").await;
    let v = phone.js(&format!("return {ENTRIES_IN_VIEW}")).await;
    assert_eq!(v[1], 0, "log entries outside the phone's screen");
    phone.click("play-pause").await;
    phone.js("window.scrollTo(0, 0)").await;
    phone.screenshot("stage-phone-390").await;
    phone.close().await;

    let embed = Session::start(640, 480).await;
    embed.set_viewport(640, 480).await;
    embed
        .open("/?embed=1&controls=1&scenario=network-partition")
        .await;
    embed.wait_for_count("[data-testid=node]", 5).await;
    embed.seek_ms(2_500).await;
    let v = embed.js(&format!("return {ENTRIES_IN_VIEW}")).await;
    assert_eq!(v, serde_json::json!([5, 0]), "entries in the 640×480 embed");
    embed.screenshot("stage-embed-640x480-controls").await;
    embed.close().await;
}

/// Compacted logs show as snapshot blocks, and a node cut off while the
/// others compacted shows how far behind it is.
#[tokio::test]
async fn snapshots_show_as_blocks_and_a_lagging_node_shows_its_gap() {
    let s = Session::start(1440, 900).await;
    s.open("/?scenario=snapshot-catch-up").await;
    s.wait_for_count("[data-testid=node]", 5).await;
    // Node 5 has been cut off for almost two seconds.
    s.seek_ms(2_900).await;
    let blocks = s
        .js(
            "return [...document.querySelectorAll('[data-testid=stage] [data-testid=lane]')]
                 .filter(l => l.querySelector('.snapshot')).map(l => Number(l.dataset.nodeId))",
        )
        .await;
    // (Node 5 compacted too, before it was cut off.)
    assert_eq!(
        blocks,
        serde_json::json!([1, 2, 3, 4, 5]),
        "the nodes that compacted draw a snapshot block"
    );
    // Node 5's log ends before the window the others fill.
    let ends = s
        .js("return [1, 5].map(id => Math.max(0, ...[...document.querySelectorAll(
                 `[data-testid=stage] [data-testid=log-entry][data-node-id='${id}']`)].map(e => Number(e.dataset.index))))")
        .await;
    let (leader_end, lagging_end) = (ends[0].as_u64().unwrap(), ends[1].as_u64().unwrap());
    assert!(
        lagging_end < leader_end,
        "node 5 ends at {lagging_end}, node 1 at {leader_end}"
    );
    s.js("window.scrollTo(0, 0)").await;
    s.screenshot("stage-snapshot-catch-up").await;
    // Healed, node 5 catches up through a snapshot and fills the same window.
    s.seek_ms(4_000).await;
    let same = s
        .js("const last = id => Math.max(0, ...[...document.querySelectorAll(
                 `[data-testid=stage] [data-testid=log-entry][data-node-id='${id}']`)].map(e => Number(e.dataset.index)));
             return [last(1), last(5)];")
        .await;
    let (leader_end, caught_up) = (same[0].as_u64().unwrap(), same[1].as_u64().unwrap());
    assert!(
        caught_up > lagging_end && caught_up + 3 >= leader_end,
        "node 5 caught up: it ends at {caught_up}, node 1 at {leader_end}"
    );
    s.close().await;
}

/// Nine nodes (the most a cluster has) still fit: every lane draws its log
/// inside the stage, right of every circle.
#[tokio::test]
async fn nine_lanes_fit_the_stage() {
    let s = Session::start(1440, 900).await;
    s.open_playing().await;
    s.wait_for_leader().await;
    for count in 6..=9 {
        s.right_click_css("[data-testid=stage]").await;
        s.click("cluster-menu-add").await;
        s.wait_for_count("[data-testid=node]", count).await;
    }
    s.wait_until(
        "entries on all nine lanes",
        &format!("{ENTRIES_IN_VIEW}[0] === 9"),
    )
    .await;
    s.click("play-pause").await;
    let fit = s
        .js("const stage = document.querySelector('[data-testid=stage]').getBoundingClientRect();
             const circles = [...document.querySelectorAll('[data-testid=node] .node-body')].map(c => c.getBoundingClientRect());
             const entries = [...document.querySelectorAll('[data-testid=stage] [data-testid=log-entry] rect')].map(e => e.getBoundingClientRect());
             const rightmost = Math.max(...circles.map(c => c.right));
             return entries.every(e => e.left > rightmost && e.right <= stage.right + 0.5 && e.bottom <= stage.bottom + 0.5);")
        .await;
    assert_eq!(
        fit, true,
        "entries right of the circles and inside the stage"
    );
    s.js("window.scrollTo(0, 0)").await;
    s.screenshot("stage-nine-nodes").await;
    s.close().await;
}

/// Every kind of client traffic seen on the stage, in order, once per
/// change, polled while the run plays slowly (`arguments[0]` ms at most).
const WATCH_CLIENT_TRAFFIC: &str = "
    const [limit, done] = [arguments[0], arguments[arguments.length - 1]];
    const seen = [];
    const started = Date.now();
    const poll = () => {
        for (const g of document.querySelectorAll('[data-testid=stage] .client-traffic [data-testid=message]')) {
            if (g.classList.contains('background')) continue;
            const step = g.dataset.kind + '@' + g.dataset.nodeId;
            if (seen[seen.length - 1] !== step) seen.push(step);
            if (step.startsWith('redirect') && window.redirectMs === undefined)
                window.redirectMs = Number(document.querySelector('[data-testid=sim-time]').dataset.ms);
        }
        if (seen.some(s => s.startsWith('client-reply')) || Date.now() - started > limit) { done(seen); return; }
        setTimeout(poll, 20);
    };
    poll();";

#[tokio::test]
async fn a_set_to_a_follower_travels_client_balancer_node_is_redirected_and_answered() {
    let s = Session::start(1440, 900).await;
    s.open_playing().await;
    let (leader, _) = s.wait_for_leader().await;
    s.wait_for_count("[data-testid=stage] [data-testid=client]", 2)
        .await;
    s.wait_for_count("[data-testid=stage] [data-testid=load-balancer]", 1)
        .await;
    let follower = if leader == 1 { 2 } else { 1 };
    // Slowed down (1/100×): a 10–20 ms hop takes one to two seconds.
    s.set_value("speed", "-2").await;
    s.set_value("kv-target", &follower.to_string()).await;
    s.send_set("colour", "teal").await;
    let seen = s
        .client
        .execute_async(WATCH_CLIENT_TRAFFIC, vec![serde_json::json!(60_000)])
        .await
        .unwrap();
    let seen: Vec<String> = serde_json::from_value(seen).unwrap();
    assert_eq!(
        seen,
        [
            format!("client-request@{follower}"),
            format!("redirect@{follower}"),
            format!("client-request@{leader}"),
            format!("client-reply@{leader}"),
        ],
        "the request's path on the stage"
    );
    s.screenshot("stage-client-reply").await;
    // Back to the redirect: drawn again from its times alone.
    s.click("play-pause").await;
    let redirect_ms = s.js("return window.redirectMs").await.as_u64().unwrap();
    s.seek_ms(redirect_ms + 2).await;
    s.wait_for_count("[data-testid=stage] [data-kind=redirect]", 1)
        .await;
    s.js("window.scrollTo(0, 0)").await;
    s.screenshot("stage-redirect").await;
    // The write ends committed on every node's log and in every store.
    s.click("play-pause").await;
    s.set_value("speed", "0").await;
    s.wait_until(
        "colour=teal committed and applied on all five",
        "[1, 2, 3, 4, 5].every(id =>
            [...document.querySelectorAll(`[data-testid=stage] [data-testid=log-entry][data-node-id='${id}'][data-committed=true]`)]
                .some(e => e.querySelector('title').textContent.includes('SET colour=teal'))
            && document.querySelector(`[data-testid=stage] [data-testid=node-kv][data-node-id='${id}'][data-key=colour][data-value=teal]`))",
    )
    .await;
    s.close().await;
}

#[tokio::test]
async fn a_400_by_300_embed_keeps_a_reduced_stage_and_its_caption_readable() {
    let embed = Session::start(400, 300).await;
    embed.set_viewport(400, 300).await;
    embed
        .open("/?embed=1&controls=0&scenario=log-replication")
        .await;
    embed.wait_for_count("[data-testid=node]", 5).await;
    embed.seek_ms(2_500).await;
    let v = embed.js(&format!("return {ENTRIES_IN_VIEW}")).await;
    assert_eq!(v[1], 0, "log entries outside the 400×300 embed: {v}");
    // Readable: the stage is drawn at least at 0.6 of its natural size,
    // and the caption's text is inside the frame.
    let fit = embed
        .js("const svg = document.querySelector('[data-testid=stage]');
             const r = svg.getBoundingClientRect();
             const scale = Math.min(r.width / svg.viewBox.baseVal.width, r.height / svg.viewBox.baseVal.height);
             const n = document.querySelector('[data-testid=narrative]').getBoundingClientRect();
             return [scale, n.bottom <= window.innerHeight + 1, n.top >= 0];")
        .await;
    embed.screenshot("stage-embed-400x300").await;
    assert!(fit[0].as_f64().unwrap() >= 0.6, "stage scale {fit}");
    assert_eq!(fit[1], true, "caption cut off: {fit}");
    embed.close().await;
}

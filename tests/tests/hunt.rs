//! The bug hunt in the page: the deep link for vote-without-log-check finds
//! and shrinks a failure in Web Workers while the stage keeps animating;
//! Watch opens the shrunk run with the checker red and Share gives a link
//! that replays it; with no bug the same hunt finds nothing; Stop is
//! prompt; a bad hunt link shows why and leaves a working page. The other
//! tests print the figures of the issue (rates with 1 and 2 workers, each
//! planted bug's shrunk size).

use e2e::{path_of, Session};
use std::time::{Duration, Instant};

const HUNT_TIMEOUT: Duration = Duration::from_secs(240);

/// The shrunk rows, smallest first: (seed, property, size before, size
/// after as [faults, client ops, virtual us], replays).
const SHRUNK_ROWS: &str =
    "return [...document.querySelectorAll('[data-testid=hunt-result][data-shrunk=true]')]
    .map(r => [Number(r.dataset.seed), r.dataset.property, r.dataset.size,
               r.dataset.shrunkSize.split(',').map(Number), Number(r.dataset.replays)])
    .sort((a, b) => a[3][0] - b[3][0] || a[3][2] - b[3][2]);";

async fn shrunk_rows(s: &Session) -> Vec<serde_json::Value> {
    s.js(SHRUNK_ROWS).await.as_array().unwrap().clone()
}

/// Waits until `n` failures are shrunk (the hunt shrinks its first three).
async fn wait_shrunk(s: &Session, n: usize) {
    s.wait_until_for(
        &format!("{n} shrunk failures"),
        &format!("document.querySelectorAll('[data-testid=hunt-result][data-shrunk=true]').length >= {n}"),
        HUNT_TIMEOUT,
    )
    .await;
}

/// The progress element's numbers: done, total, violations, rate, running.
async fn progress(s: &Session) -> (u64, u64, u64, f64, bool) {
    let v = s
        .js("const p = document.querySelector('[data-testid=hunt-progress]').dataset;
             return [Number(p.done), Number(p.total), Number(p.violations), Number(p.rate), p.running === 'true'];")
        .await;
    (
        v[0].as_u64().unwrap(),
        v[1].as_u64().unwrap(),
        v[2].as_u64().unwrap(),
        v[3].as_f64().unwrap(),
        v[4].as_bool().unwrap(),
    )
}

async fn wait_done(s: &Session) -> (u64, u64, u64, f64, bool) {
    s.wait_until_for(
        "the hunt to finish",
        "(() => { const p = document.querySelector('[data-testid=hunt-progress]')?.dataset;
                  return p && p.running === 'false' && Number(p.total) > 0 && p.done === p.total; })()",
        HUNT_TIMEOUT,
    )
    .await;
    progress(s).await
}

/// Counts animation frames from now on in `window.__frames`.
async fn count_frames(s: &Session) {
    s.js("window.__frames = 0; (function tick() { window.__frames++; requestAnimationFrame(tick); })();")
        .await;
}

#[tokio::test]
async fn the_deep_link_finds_shrinks_and_watches_a_failure_while_the_stage_plays() {
    let s = Session::start(1280, 900).await;
    s.open("/?hunt=vote-without-log-check&hunt-seeds=60").await;
    s.wait_for_count("[data-testid=node]", 5).await;
    count_frames(&s).await;
    let started = Instant::now();
    let sim_us_before = s.clock().await.0;
    wait_shrunk(&s, 1).await;
    let wall = started.elapsed().as_secs_f64();
    let fetched = s
        .js("return performance.getEntriesByType('resource').map(e => e.name).join(' ');")
        .await;
    assert!(fetched.as_str().unwrap().contains("hunt_worker_loader.js"));
    let frames = s.js("return window.__frames;").await.as_u64().unwrap();
    let sim_us_after = s.clock().await.0;
    println!(
        "FIGURE hunt_first_shrunk wall_s={wall:.1} frames={frames} fps={:.0}",
        frames as f64 / wall
    );
    // The stage kept animating: frames advanced, and so did the virtual clock.
    assert!(
        frames as f64 >= wall * 10.0,
        "{frames} frames in {wall:.1} s"
    );
    assert!(sim_us_after > sim_us_before, "the run kept playing");
    let (done, total, violations, rate, _) = wait_done(&s).await;
    let wall = started.elapsed().as_secs_f64();
    let frames = s.js("return window.__frames;").await.as_u64().unwrap();
    println!(
        "FIGURE hunt_60_vote done={done} total={total} violations={violations} rate={rate} \
         fps_during_hunt={:.0}",
        frames as f64 / wall
    );
    assert!(violations >= 3);
    wait_shrunk(&s, 3).await;
    let rows = shrunk_rows(&s).await;
    for row in &rows {
        println!("FIGURE hunt_shrunk {row}");
    }
    // Which failures come first depends on the workers' timing (seeds 4, 6
    // and 7 fail first); each shrinks deterministically, the smallest of
    // them to at most 6 faults and 10 virtual seconds.
    let best = &rows[0];
    let after = &best[3];
    assert!(
        after[0].as_u64().unwrap() <= 6 && after[2].as_u64().unwrap() <= 10_000_000,
        "{best}"
    );
    let shrunk = best;
    s.js("document.querySelector('[data-testid=hunt]').scrollIntoView()")
        .await;
    s.screenshot("hunt-1280").await;

    // Watch: the shrunk run in the main view, paused where it breaks.
    s.click_css(&format!(
        "[data-testid=hunt-result][data-seed='{}'] [data-testid=hunt-watch]",
        shrunk[0]
    ))
    .await;
    s.wait_for_checker("violation").await;
    let (us, _) = s.clock().await;
    assert!(us <= 10_000_000, "paused at the violation, {us} us");
    let explanation = s
        .js_text("return document.querySelector('[data-testid=checker]').innerText")
        .await;
    assert!(
        explanation.contains(shrunk[1].as_str().unwrap()),
        "{explanation}"
    );
    s.screenshot("hunt-watch").await;

    // Share: the link replays to the same violation in a fresh page.
    let link = s.share_link().await;
    assert!(link.contains("#s="), "{link}");
    assert!(
        !link.contains("hunt="),
        "the link does not start a hunt: {link}"
    );
    let b = Session::start(1280, 900).await;
    b.open(&path_of(&link)).await;
    b.wait_for_count("[data-testid=checker]", 1).await;
    b.wait_for_checker("violation").await;
    assert_eq!(b.clock().await.0, us);
    b.close().await;

    // The phone layout: the panel fits 390 px.
    s.open("/?hunt=vote-without-log-check&hunt-seeds=10&autoplay=0")
        .await;
    s.set_viewport(390, 844).await;
    s.wait_until_for(
        "a shrunk failure",
        "document.querySelector('[data-testid=hunt-result][data-shrunk=true]') !== null",
        HUNT_TIMEOUT,
    )
    .await;
    s.js("document.querySelector('[data-testid=hunt]').scrollIntoView()")
        .await;
    s.screenshot("hunt-390").await;
    s.assert_no_sideways_scroll("the hunt at 390 px").await;
    s.close().await;
}

#[tokio::test]
async fn with_no_bug_the_hunt_finds_nothing_and_stop_is_prompt() {
    let s = Session::start(1280, 900).await;
    s.open("/?hunt=none&hunt-seeds=200&autoplay=0").await;
    let (done, _, violations, rate, _) = wait_done(&s).await;
    println!("FIGURE hunt_none_200 violations={violations} rate={rate}");
    assert_eq!((done, violations), (200, 0));
    assert_eq!(
        s.js("return document.querySelectorAll('[data-testid=hunt-result]').length")
            .await,
        0
    );

    // Stop: a long hunt started from the panel ends at once.
    s.set_value("hunt-seeds", "100000").await;
    s.click("hunt-start").await;
    s.wait_until(
        "seeds running",
        "Number(document.querySelector('[data-testid=hunt-progress]').dataset.done) >= 20",
    )
    .await;
    let stop_ms = s
        .js("const t = performance.now(); document.querySelector('[data-testid=hunt-stop]').click();
             return performance.now() - t;")
        .await
        .as_f64()
        .unwrap();
    let (done, _, _, _, running) = progress(&s).await;
    assert!(!running);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (later, _, _, _, _) = progress(&s).await;
    println!("FIGURE hunt_stop_ms={stop_ms:.1} done={done} later={later}");
    assert!(stop_ms < 100.0);
    assert_eq!(done, later, "no seed is counted after Stop");
    s.close().await;
}

#[tokio::test]
async fn a_bad_hunt_link_says_why_and_the_page_works() {
    let s = Session::start(1280, 900).await;
    s.open("/?hunt=gremlin&autoplay=0").await;
    s.wait_for_count("[data-testid=node]", 5).await;
    let banner = s
        .wait_until(
            "the error banner",
            "document.querySelector('[data-testid=error-banner]')?.innerText",
        )
        .await;
    assert!(
        banner
            .as_str()
            .unwrap()
            .contains("no planted bug \"gremlin\""),
        "{banner}"
    );
    s.wait_for_count("[data-testid=hunt][data-open=false]", 1)
        .await;
    // The worker is not part of a page load: only a hunt fetches it.
    let fetched = s
        .js("return performance.getEntriesByType('resource').map(e => e.name).join(' ');")
        .await;
    assert!(
        !fetched.as_str().unwrap().contains("hunt_worker"),
        "{fetched}"
    );
    s.open("/?hunt=none&hunt-seeds=-3&autoplay=0").await;
    let banner = s
        .wait_until(
            "the error banner",
            "document.querySelector('[data-testid=error-banner]')?.innerText",
        )
        .await;
    assert!(banner.as_str().unwrap().contains("seeds"), "{banner}");
    s.click("play-pause").await;
    s.wait_for_leader().await;
    s.close().await;
}

/// Seeds per second with one and with two workers (no bug, so every seed
/// runs its full 30 virtual seconds).
#[tokio::test]
async fn figures_two_workers_against_one() {
    let s = Session::start(1280, 900).await;
    let native_before = native_swarm_rate(1000);
    let mut rates = Vec::new();
    for workers in [1, 2] {
        s.open(&format!(
            "/?hunt=none&hunt-seeds=1000&hunt-workers={workers}&autoplay=0"
        ))
        .await;
        let (_, _, _, rate, _) = wait_done(&s).await;
        println!("FIGURE hunt_rate workers={workers} seeds_per_s={rate}");
        rates.push(rate);
    }
    println!("FIGURE hunt_speedup_2_over_1={:.2}", rates[1] / rates[0]);
    // The same seeds natively on one thread, before and after (this machine's
    // speed drifts: the mean of the two is the fairest comparison).
    match (native_before, native_swarm_rate(1000)) {
        (Some(before), Some(after)) => println!(
            "FIGURE hunt_native_one_thread seeds_per_s={before:.1},{after:.1} one_worker_over_native={:.2}",
            rates[0] / ((before + after) / 2.0)
        ),
        _ => println!(
            "FIGURE hunt_native_one_thread skipped: build it first with \
             `cargo build --release -p raft-core --example swarm`"
        ),
    }
    s.close().await;
}

/// Seeds per second of the native swarm CLI on one thread, if it is built.
fn native_swarm_rate(seeds: u32) -> Option<f64> {
    let swarm = e2e::target_dir().join("release/examples/swarm");
    if !swarm.exists() {
        return None;
    }
    let out = std::process::Command::new(swarm)
        .args(["--seeds", &seeds.to_string()])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let wall: f64 = text
        .split_whitespace()
        .find_map(|w| w.strip_prefix("wall_seconds="))?
        .parse()
        .ok()?;
    Some(f64::from(seeds) / wall)
}

/// Each planted bug is found within 2000 seeds and its first failure
/// shrinks to at most 6 faults and 10 virtual seconds.
#[tokio::test]
async fn figures_every_planted_bug_is_found_and_shrinks_small() {
    let s = Session::start(1280, 900).await;
    for bug in [
        "vote-without-log-check",
        "forget-vote-on-restart",
        "commit-old-term",
        "skip-consistency-check",
    ] {
        s.open(&format!("/?hunt={bug}&hunt-seeds=2000&autoplay=0"))
            .await;
        wait_shrunk(&s, 3).await;
        let done = progress(&s).await.0;
        s.click("hunt-stop").await;
        let rows = shrunk_rows(&s).await;
        for row in &rows {
            println!("FIGURE hunt_bug {bug} seeds_done={done} {row}");
        }
        let best = &rows[0];
        assert!(best[0].as_u64().unwrap() <= 2000);
        assert!(
            best[3][0].as_u64().unwrap() <= 6 && best[3][2].as_u64().unwrap() <= 10_000_000,
            "{bug}: {best}"
        );
    }
    s.close().await;
}

/// With no planted bug, a hunt of 2000 seeds (every fault kind) finds
/// nothing: the property checks that catch the planted bugs above do not
/// cry wolf.
#[tokio::test]
async fn figures_no_bug_2000_seeds_find_nothing() {
    let s = Session::start(1280, 900).await;
    s.open("/?hunt=none&hunt-seeds=2000&autoplay=0").await;
    let (done, _, violations, rate, _) = wait_done(&s).await;
    println!("FIGURE hunt_none_2000 done={done} violations={violations} rate={rate}");
    assert_eq!((done, violations), (2000, 0));
    s.close().await;
}

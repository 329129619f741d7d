//! Performance figures measured in headless Chromium against the release
//! site: download size, first render, frame rate and script time per frame
//! with about 30 messages in flight. They are printed (`FIGURE ...` lines)
//! for the notes. The assertions are regression budgets at today's figures;
//! the product targets (150 KB gzipped, first render 500 ms, 60 fps with a
//! p95 script time of 4 ms) are tracked in the issue until they are met.

use e2e::{dist_dir, Session};
use std::io::Write;
use std::time::Duration;

/// Budget: what a browser downloads, gzipped (target: 150 KiB, not met).
/// Raised from 320 KiB by export/import (issue #6 §4: serde_json with the
/// serde code of the scenario and trace types, +43 KB gzipped; the browser's
/// JSON.parse with serde-wasm-bindgen was 12 KB smaller, but cannot keep u64
/// values above 2^53 exact and gives no line and column for type errors) and
/// by issue #5's node and cluster menus, partition fences and the memoised
/// components that keep frames cheap (+20 KB); then to 380 KiB by the
/// folding of long client histories (the verdict covers runs of any length),
/// log rows that keep a reader's place, feed lines that name the request and
/// a one-word search for small histories (+6 KB; the site measured 384,794
/// bytes); about 1% above the measured size. Since then: 385,381 bytes (the
/// same commit built here measured 3 KB more than that figure), after the
/// chart's key and axis, shared "You" lanes, drawn membership and pasted
/// links (+2.3 KB) and drawing with the browser's Math instead of libm
/// (-4.8 KB). `cargo xtask size-floor` shows why 150 KB is out of reach:
/// Yew and raft-core with a one-field page are 193 KB. December 2026: the
/// durability fixes (issue 13: stable index, ordered writes, bootstrap and
/// removal handling), majority counting and hashing typed trace facts took
/// it to 392,073 bytes; then 394,591 with one schedule of timed actions in
/// the timeline (+0.3 KB), menus compared by their entries (+0.2 KB) and a
/// first visit that moves (issue 15: autoplay unless reduced motion, quiet
/// time skipped, the hint to the stories; +2 KB); then issue 15's stage
/// (each node's lane with its log, commit point and store, drawn by two
/// more memoised components; +8.3 KB): 402,719 bytes; then stories written
/// in the page (issue 16: the story editor, promises, links of version 2 and
/// their JSON; +18 KB) and the Logs and store panels' own view models:
/// 421,154 bytes. Halving the site is issue 18. The bug hunt's panel (issue 17: the form, progress, the failure table,
/// the worker pool and its typed messages) and links of version 3 took it
/// from 421,154 to 454,129 bytes; the worker itself is not counted (below).
/// Then issue 15's client, load balancer and their traffic on the stage, the
/// compact stage of small embeds, the toolbar and the legend (+7.8 KB).
/// Issue 18 (size): no float formatting or parsing left in the page's wasm
/// (`web::fixed`: -20.8 KB), wasm-opt told that the first KiB of memory is
/// unused (-2.5 KB): about 443,400 bytes. Then the hunt's batched progress
/// (+1.5 KB) and talc for dlmalloc (-3.2 KB): 441,803 bytes.
const MAX_SITE_GZIP_BYTES: usize = 434 * 1024;
/// Budget: first render after navigation start, ms (target: 500).
const MAX_FIRST_RENDER_MS: f64 = 2_000.0;
/// Budget: frames per second while playing (target: 60). Headless Chromium
/// renders in software and CI machines are shared: today 50-60 on a 2-core
/// machine with a load of 5, so a third of the target still passes.
const MIN_FPS: f64 = 20.0;
/// Budget: p95 script time per frame including Yew's render, ms (target:
/// 4). One frame at 60 Hz: today 1.3-2.0 ms with the other core idle or
/// busy, 3.1-4.8 ms with DevTools' 2x CPU throttling and 5-6 ms at 3x; 6-9 ms
/// was seen on a 2-core machine with a load of 5 (before issue #5's work:
/// 10-16 ms there).
const MAX_SCRIPT_P95_MS: f64 = 16.0;

fn gzipped_len(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap().len()
}

/// Budget: the bug hunt's worker (its glue, wasm and loader), gzipped. It
/// is loaded only when a hunt starts, so it is not part of the first load.
const MAX_WORKER_GZIP_BYTES: usize = 256 * 1024;

/// Whether a file of dist/ belongs to the hunt's worker.
fn is_worker_file(name: &str) -> bool {
    [
        "hunt_worker.js",
        "hunt_worker_bg.wasm",
        "hunt_worker_loader.js",
    ]
    .contains(&name)
}

#[test]
fn the_site_is_small() {
    let (mut total, mut worker) = (0, 0);
    for entry in std::fs::read_dir(dist_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        // What the page itself loads: HTML, JS, wasm, CSS (not the embed example).
        if name.ends_with(".html") && name != "index.html" {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        if is_worker_file(&name) {
            worker += gzipped_len(&bytes);
        } else {
            total += gzipped_len(&bytes);
        }
    }
    println!("FIGURE site_gzip_bytes={total}");
    println!("FIGURE worker_gzip_bytes={worker}");
    assert!(worker > 0, "dist/ has the hunt's worker");
    assert!(
        worker <= MAX_WORKER_GZIP_BYTES,
        "the worker is {worker} bytes gzipped, over the {MAX_WORKER_GZIP_BYTES} budget"
    );
    assert!(
        total <= MAX_SITE_GZIP_BYTES,
        "the site is {total} bytes gzipped, over the {MAX_SITE_GZIP_BYTES} budget"
    );
}

#[tokio::test]
async fn first_render_frame_rate_and_script_time() {
    let s = Session::start(1280, 900).await;
    s.open("/?autoplay=0").await;
    s.wait_for_count("[data-testid=node]", 5).await;
    let first = s
        .js("return Number(document.documentElement.dataset.firstRenderMs)")
        .await
        .as_f64()
        .unwrap();
    println!("FIGURE first_render_ms={first:.0}");
    assert!(
        first <= MAX_FIRST_RENDER_MS,
        "first render after {first} ms"
    );

    // Slow links and a busy network: about 30 messages in flight.
    s.set_value("latency-min", "170").await;
    s.set_value("latency-max", "200").await;
    s.set_value("speed", "0").await;
    install_frame_probe(&s).await;
    s.click("play-pause").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let fresh = measure(&s, "fresh").await;
    s.screenshot("perf-busy-network").await;
    // The same after two minutes of virtual time: a full trace, long logs
    // and a long client history, as after a while of playing. Seeking there
    // pauses nothing (the host API's seek), so playback carries on from it.
    s.js("window.postMessage({ type: 'raft-playground', command: 'seek', ms: 120000 }, '*');")
        .await;
    s.wait_until(
        "the clock at two minutes",
        "Number(document.querySelector('[data-testid=sim-time]').dataset.ms) >= 120000",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let long = measure(&s, "long-run").await;
    // Nine nodes, each lane with its log and store, and about 30 messages
    // in flight (slower links than the default, short enough for a leader
    // to stay elected: nine nodes need one to be added), at the default
    // speed, as a reader watches it. (At 1× each message would live three
    // frames: the frame would mostly create and remove message glyphs.)
    s.open_playing().await;
    s.wait_for_leader().await;
    for count in 6..=9 {
        s.click("add-node").await;
        s.wait_for_count("[data-testid=node]", count).await;
    }
    s.set_value("latency-min", "40").await;
    s.set_value("latency-max", "60").await;
    s.set_value("speed", "-1.7").await;
    install_frame_probe(&s).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let nine = measure(&s, "nine-nodes").await;
    s.screenshot("perf-nine-nodes").await;
    for m in [&fresh, &long, &nine] {
        assert!(
            m.inflight >= 20.0,
            "{}: only {} messages in flight on average",
            m.phase,
            m.inflight
        );
        // The method sees the render: nearly every frame's render landed
        // inside its measured window (the rest are frames where nothing changed).
        assert!(
            m.rendered >= 0.9,
            "{}: only {} of the frames rendered inside the measured window",
            m.phase,
            m.rendered
        );
        assert!(m.fps >= MIN_FPS, "{}: {} frames per second", m.phase, m.fps);
        assert!(
            m.p95 <= MAX_SCRIPT_P95_MS,
            "{}: p95 script time per frame {} ms",
            m.phase,
            m.p95
        );
    }
    s.close().await;
}

/// Wraps `requestAnimationFrame` to time every frame's script work, render
/// included.
///
/// The app's frame loop is one requestAnimationFrame callback that dispatches
/// a Frame message: the reducer (the simulation step) runs inside the
/// callback, but Yew 0.23 renders later, in a microtask (its scheduler starts
/// through wasm-bindgen-futures' `spawn_local`, which uses `queueMicrotask`),
/// so timing the callback alone misses the render and the effects. Here t0
/// is taken before the callback, t1 after it, and t2 in a microtask queued
/// after it returns, which runs after Yew's (microtasks run in order) and so
/// after the render: t2 - t0 is the frame's script time. (Yew yields to the
/// browser only after 16 ms of work; such a frame is over budget anyway.) As
/// a check of the method, each frame records whether the clock in the DOM had
/// changed by t2, i.e. the render happened inside the window.
async fn install_frame_probe(s: &Session) {
    s.js("window.__frames = [];
          const raf = window.requestAnimationFrame.bind(window);
          const clock = () => document.querySelector('[data-testid=sim-time]').dataset.us;
          window.requestAnimationFrame = cb => raf(ts => {
              const before = clock(); const t0 = performance.now();
              cb(ts);
              const t1 = performance.now();
              queueMicrotask(() => window.__frames.push(
                  [ts, performance.now() - t0, t1 - t0, clock() !== before]));
          });")
        .await;
}

/// Frame figures over a few seconds of playback.
struct Measured {
    phase: &'static str,
    fps: f64,
    p95: f64,
    inflight: f64,
    rendered: f64,
}

async fn measure(s: &Session, phase: &'static str) -> Measured {
    s.js("window.__frames = []; window.__inflight = [];
          window.__probe = setInterval(() => window.__inflight.push(
              document.querySelectorAll('[data-testid=message]').length), 100);")
        .await;
    tokio::time::sleep(Duration::from_millis(4000)).await;
    let stats = s
        .js("clearInterval(window.__probe);
             const f = window.__frames; const n = f.length;
             const span = (f[n - 1][0] - f[0][0]) / 1000;
             const sorted = i => f.map(x => x[i]).sort((a, b) => a - b);
             const frame = sorted(1), callback = sorted(2);
             const p95 = xs => xs[Math.floor(n * 0.95)];
             const inflight = window.__inflight.reduce((a, b) => a + b, 0) / window.__inflight.length;
             return { fps: (n - 1) / span, p95: p95(frame), max: frame[n - 1],
                      median: frame[Math.floor(n / 2)], callback_p95: p95(callback),
                      rendered: f.filter(x => x[3]).length / n, frames: n, inflight };")
        .await;
    let num = |k: &str| stats[k].as_f64().unwrap_or(f64::NAN);
    let m = Measured {
        phase,
        fps: num("fps"),
        p95: num("p95"),
        inflight: num("inflight"),
        rendered: num("rendered"),
    };
    println!(
        "FIGURE phase={phase} fps={:.1} script_p95_ms={:.2} script_max_ms={:.2} script_median_ms={:.2} \
         callback_only_p95_ms={:.2} frames={} rendered_in_window={:.2} messages_in_flight={:.1}",
        m.fps,
        m.p95,
        num("max"),
        num("median"),
        num("callback_p95"),
        num("frames"),
        m.rendered,
        m.inflight,
    );
    m
}

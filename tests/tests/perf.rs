//! Performance figures measured in headless Chromium against the release
//! site: download size, first render, frame rate and script time per frame
//! with about 30 messages in flight. They are printed (`FIGURE ...` lines)
//! for the notes. The assertions are regression budgets at today's figures;
//! the product targets (150 KB gzipped, first render 500 ms, 60 fps with a
//! p95 script time of 4 ms) are tracked in the issue until they are met.

use e2e::{dist_dir, Session};
use std::io::Write;
use std::time::Duration;

/// Budget: what a browser downloads, gzipped (target: 150 KiB). Raised from
/// 320 KiB by export/import (issue #6 §4): serde_json with the serde code of
/// the scenario and trace types added 43 KB gzipped to the wasm (the browser's
/// JSON.parse with serde-wasm-bindgen was 12 KB smaller, but cannot keep u64
/// values above 2^53 exact and gives no line and column for type errors).
const MAX_SITE_GZIP_BYTES: usize = 340 * 1024;
/// Budget: first render after navigation start, ms (target: 500).
const MAX_FIRST_RENDER_MS: f64 = 2_000.0;
/// Budget: frames per second while playing (target: 60). Headless Chromium
/// renders in software, so this is measured but kept loose.
const MIN_FPS: f64 = 3.0;
/// Budget: p95 script time per frame, ms (target: 4).
const MAX_SCRIPT_P95_MS: f64 = 50.0;

fn gzipped_len(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap().len()
}

#[test]
fn the_site_is_small() {
    let mut total = 0;
    for entry in std::fs::read_dir(dist_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        // What the page itself loads: HTML, JS, wasm, CSS (not the embed example).
        if name.ends_with(".html") && name != "index.html" {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        total += gzipped_len(&bytes);
    }
    println!("FIGURE site_gzip_bytes={total}");
    assert!(
        total <= MAX_SITE_GZIP_BYTES,
        "the site is {total} bytes gzipped, over the {MAX_SITE_GZIP_BYTES} budget"
    );
}

#[tokio::test]
async fn first_render_frame_rate_and_script_time() {
    let s = Session::start(1280, 900).await;
    s.open("/").await;
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
    // Time every animation-frame callback (the simulation step and the render it triggers).
    s.js("window.__frames = [];
          const raf = window.requestAnimationFrame.bind(window);
          window.requestAnimationFrame = cb => raf(ts => {
              const t0 = performance.now(); cb(ts); window.__frames.push([ts, performance.now() - t0]);
          });")
        .await;
    s.click("play-pause").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    s.js("window.__frames = []; window.__inflight = [];
          window.__probe = setInterval(() => window.__inflight.push(
              document.querySelectorAll('[data-testid=message]').length), 100);")
        .await;
    tokio::time::sleep(Duration::from_millis(4000)).await;
    let stats = s
        .js("clearInterval(window.__probe);
             const f = window.__frames; const n = f.length;
             const span = (f[n - 1][0] - f[0][0]) / 1000;
             const script = f.map(x => x[1]).sort((a, b) => a - b);
             const inflight = window.__inflight.reduce((a, b) => a + b, 0) / window.__inflight.length;
             return { fps: (n - 1) / span, p95: script[Math.floor(n * 0.95)], max: script[n - 1], inflight };")
        .await;
    let fps = stats["fps"].as_f64().unwrap();
    let p95 = stats["p95"].as_f64().unwrap();
    let inflight = stats["inflight"].as_f64().unwrap();
    println!(
        "FIGURE fps={fps:.1} script_p95_ms={p95:.2} script_max_ms={:.2} messages_in_flight={inflight:.1}",
        stats["max"].as_f64().unwrap()
    );
    s.screenshot("perf-busy-network").await;
    assert!(
        inflight >= 20.0,
        "only {inflight} messages in flight on average"
    );
    assert!(fps >= MIN_FPS, "{fps} frames per second");
    assert!(
        p95 <= MAX_SCRIPT_P95_MS,
        "p95 script time per frame {p95} ms"
    );
    s.close().await;
}

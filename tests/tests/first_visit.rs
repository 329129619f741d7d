//! A first visit: the plain page moves by itself and elects a leader within
//! seconds, a reader who prefers reduced motion gets a paused page with
//! Play offered, and a hint points to the guided stories once.

use e2e::{Session, LEADER};
use std::time::{Duration, Instant};

#[tokio::test]
async fn the_plain_page_elects_a_leader_with_no_click() {
    let s = Session::start(1440, 900).await;
    let opened = Instant::now();
    s.open("/").await;
    s.wait_until_for("a leader with no click", LEADER, Duration::from_secs(10))
        .await;
    println!(
        "FIGURE first_leader_wall_ms={}",
        opened.elapsed().as_millis()
    );
    assert_eq!(
        s.js_text("return document.querySelector('[data-testid=play-pause]').getAttribute('aria-pressed')")
            .await,
        "true"
    );
    // Messages still fly slowly enough to follow: at the default speed a
    // hop of at least 10 ms takes half a second of wall time.
    assert_eq!(
        s.js_text("return document.querySelector('[data-testid=speed]').parentElement.querySelector('output').textContent")
            .await,
        "1/50×"
    );
    s.close().await;
}

#[tokio::test]
async fn with_reduced_motion_the_page_waits_for_play() {
    let s = Session::start(1440, 900).await;
    s.prefer_reduced_motion().await;
    s.open("/").await;
    s.wait_for_count("[data-testid=node]", 5).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (us, _) = s.clock().await;
    assert_eq!(us, 0, "no time passed before Play");
    let pressed =
        "return document.querySelector('[data-testid=play-pause]').getAttribute('aria-pressed')";
    assert_eq!(s.js_text(pressed).await, "false");
    assert_eq!(
        s.js_text("return document.querySelector('[data-testid=play-pause]').textContent")
            .await,
        "Play"
    );
    s.click("play-pause").await;
    s.wait_until(
        "time to pass after Play",
        "Number(document.querySelector('[data-testid=sim-time]').dataset.us) > 0",
    )
    .await;
    s.close().await;
}

#[tokio::test]
async fn a_hint_points_a_newcomer_to_the_stories_once() {
    let s = Session::start(1440, 900).await;
    s.open("/?autoplay=0").await;
    s.wait_for_count("[data-testid=first-visit-hint]", 1).await;
    s.click("hint-stories").await;
    assert_eq!(s.focused().await, "scenario");
    assert_eq!(
        s.js("return document.querySelectorAll('[data-testid=first-visit-hint]').length")
            .await,
        0
    );
    // Remembered: the next visit has no hint.
    s.open("/?autoplay=0").await;
    s.wait_for_count("[data-testid=node]", 5).await;
    assert_eq!(
        s.js("return document.querySelectorAll('[data-testid=first-visit-hint]').length")
            .await,
        0
    );
    s.close().await;
}

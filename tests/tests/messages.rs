//! Messages in flight in headless Chromium: each is drawn where its send
//! and delivery times put it, whatever the clock does, under the page's CSP.

use e2e::Session;
use std::time::Duration;

/// How far (in the SVG's units) the worst message is drawn from where its
/// send and delivery times put it now, and how many messages there are.
/// The reference is `position()` in web/src/components/message.rs: linear
/// from sender to recipient, 7 units to the side.
const MESSAGES_OFF: &str = "
    const now = Number(document.querySelector('[data-testid=sim-time]').dataset.us);
    const svg = document.querySelector('svg.cluster');
    const centre = {};
    for (const n of document.querySelectorAll('[data-testid=node]')) {
        const m = /translate\\(([-\\d.]+) ([-\\d.]+)\\)/.exec(n.getAttribute('transform'));
        centre[n.dataset.nodeId] = [Number(m[1]), Number(m[2])];
    }
    let worst = 0, count = 0;
    for (const el of document.querySelectorAll('[data-testid=message]')) {
        const [fx, fy] = centre[el.dataset.from], [tx, ty] = centre[el.dataset.to];
        const send = Number(el.dataset.sendUs), deliver = Number(el.dataset.deliverUs);
        const t = Math.min(1, Math.max(0, (now - send) / Math.max(1, deliver - send)));
        const dx = tx - fx, dy = ty - fy, len = Math.max(1, Math.hypot(dx, dy));
        const want = [fx + dx * t - dy / len * 7, fy + dy * t + dx / len * 7];
        // Its origin in the cluster's coordinates, however it is placed.
        const drawn = svg.getScreenCTM().inverse().multiply(el.getScreenCTM());
        worst = Math.max(worst, Math.hypot(drawn.e - want[0], drawn.f - want[1]));
        count += 1;
    }
    return [count, worst];";

async fn messages_off(s: &Session, when: &str) {
    let v = s.js(MESSAGES_OFF).await;
    let (count, worst) = (v[0].as_u64().unwrap(), v[1].as_f64().unwrap());
    println!("{when}: {count} messages, worst {worst:.3} units off");
    assert!(count >= 3, "{when}: only {count} messages in flight");
    assert!(
        worst < 0.5,
        "{when}: a message is drawn {worst} units from where its times put it"
    );
}

/// Messages are drawn from their send and delivery times alone: wherever the
/// clock goes, playing, paused, stepped, travelled back, each one is where
/// its times put it, nothing moves while paused, and the page's CSP is never
/// violated on the way.
#[tokio::test]
async fn messages_are_drawn_where_their_times_put_them_under_the_page_csp() {
    let s = Session::start(1280, 1000).await;
    s.open("/?autoplay=0").await;
    s.wait_for_count("[data-testid=node]", 5).await;
    s.js("window.__csp = [];
          document.addEventListener('securitypolicyviolation',
              e => window.__csp.push(e.effectiveDirective));")
        .await;
    s.set_value("latency-min", "170").await;
    s.set_value("latency-max", "200").await;
    s.set_value("speed", "0").await;
    s.click("play-pause").await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    messages_off(&s, "playing").await;
    s.click("play-pause").await;
    s.wait_until(
        "paused",
        "document.querySelector('[data-testid=play-pause]').getAttribute('aria-pressed') === 'false'",
    )
    .await;
    messages_off(&s, "paused").await;
    let drawn = "return [...document.querySelectorAll('[data-testid=message]')]
                     .map(e => { const m = e.getScreenCTM(); return m.e + ',' + m.f; }).join(';');";
    let before = s.js(drawn).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(s.js(drawn).await, before, "messages moved while paused");
    let (t0, _) = s.clock().await;
    s.click("step").await;
    s.wait_until(
        "a step",
        &format!("Number(document.querySelector('[data-testid=sim-time]').dataset.us) > {t0}"),
    )
    .await;
    messages_off(&s, "stepped").await;
    s.set_value("timeline", "600").await;
    s.wait_until(
        "back at 600 ms",
        "document.querySelector('[data-testid=sim-time]').dataset.ms === '600'",
    )
    .await;
    messages_off(&s, "travelled back").await;
    s.screenshot("messages-travelled-back").await;
    // The listener hears what the policy forbids (an inline style attribute);
    // the playground's own writes raised nothing before it.
    s.js("document.body.setAttribute('style', 'color: red');")
        .await;
    let csp = s
        .wait_until(
            "the policy's report",
            "window.__csp.length ? window.__csp : null",
        )
        .await;
    assert_eq!(csp, serde_json::json!(["style-src-attr"]), "{csp}");
    s.close().await;
}

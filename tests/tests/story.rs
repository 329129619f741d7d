//! Stories written in the page: a three-step story with an action and a
//! promise, shared, opened in a fresh browser and in a 640x400 embed; a
//! link whose story is over the limits is refused with a clear banner.

use e2e::{path_of, Session};

async fn add_step(s: &Session, title: &str, text: &str, promise: &str) {
    s.click("story-step-add").await;
    s.wait_for_count("[data-testid=story-step-save]", 1).await;
    s.set_value("story-step-title", title).await;
    s.set_value("story-step-text", text).await;
    s.set_value("story-step-promise", promise).await;
    s.click("story-step-save").await;
}

async fn narrative(s: &Session) -> (i64, String, String) {
    let v = s
        .js("const n = document.querySelector('[data-testid=narrative]'); const p = n.querySelector('[data-testid=promise]'); return [Number(n.dataset.step), n.innerText, p ? p.dataset.status : ''];")
        .await;
    (
        v[0].as_i64().unwrap(),
        v[1].as_str().unwrap().to_string(),
        v[2].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn a_story_written_in_the_page_plays_from_its_link_and_its_embed() {
    let a = Session::start(1440, 1000).await;
    a.open("/?autoplay=0").await;
    a.wait_for_count("[data-testid=node]", 5).await;
    a.click("story-edit").await;
    a.wait_for_count("[data-testid=story-editor]", 1).await;
    a.set_value("story-title", "A write, step by step").await;
    add_step(&a, "Followers", "Everyone waits for a leader.", "none").await;
    a.seek_ms(2_000).await;
    a.wait_for_leader().await;
    add_step(
        &a,
        "A leader",
        "One node won a majority of votes.",
        "leader",
    )
    .await;
    // The action of the story: a write from the form.
    a.send_set("x", "1").await;
    a.seek_ms(4_000).await;
    add_step(
        &a,
        "Everywhere",
        "x=1 is committed and applied on every node. <img src=x onerror=alert(1)>",
        "none",
    )
    .await;
    a.wait_for_count("[data-testid=story-step]", 3).await;
    a.click("story-edit").await; // Done
    let link = a.share_link().await;
    assert!(link.contains("#s=2."), "a story link: {link}");
    println!(
        "FIGURE story_link_chars={}",
        link.len() - link.find('#').unwrap()
    );
    a.close().await;

    // A fresh browser: the three captions at their moments, the promise kept.
    let b = Session::start(1440, 1000).await;
    b.open(&path_of(&link)).await;
    b.wait_for_count("[data-testid=narrative][data-steps='3']", 1)
        .await;
    for (ms, index, words) in [
        (0, 0, "Everyone waits"),
        (2_000, 1, "majority of votes"),
        (4_000, 2, "applied on every node"),
    ] {
        b.js(&format!(
            "window.postMessage({{ type: 'raft-playground', command: 'seek', ms: {ms} }}, '*');"
        ))
        .await;
        b.wait_until(
            &format!("step {index}"),
            &format!(
                "document.querySelector('[data-testid=narrative]').dataset.step === '{index}'"
            ),
        )
        .await;
        let (_, text, promise) = narrative(&b).await;
        assert!(text.contains(words), "{text}");
        assert!(text.contains("A write, step by step"), "{text}");
        assert_eq!(promise, if index == 1 { "ok" } else { "" }, "{text}");
    }
    // Text is text: markup in a caption is shown, never run or parsed.
    let (_, text, _) = narrative(&b).await;
    assert!(text.contains("<img src=x onerror=alert(1)>"), "{text}");
    assert_eq!(
        b.js("return document.querySelectorAll('[data-testid=narrative] img').length")
            .await,
        0
    );
    b.close().await;

    // The same story in a 640x400 embed: its captions fully in view.
    let e = Session::start(640, 400).await;
    e.set_viewport(640, 400).await;
    let fragment = &link[link.find('#').unwrap()..];
    e.open(&format!("/?embed=1&controls=0{fragment}")).await;
    e.wait_for_count("[data-testid=narrative][data-steps='3']", 1)
        .await;
    e.js("window.postMessage({ type: 'raft-playground', command: 'seek', ms: 0 }, '*');")
        .await;
    for index in 0..3 {
        if index > 0 {
            e.click("step-next").await;
        }
        e.wait_until(
            &format!("embed step {index}"),
            &format!(
                "document.querySelector('[data-testid=narrative]').dataset.step === '{index}'"
            ),
        )
        .await;
        let inside = e
            .js("const r = document.querySelector('[data-testid=narrative] .caption').getBoundingClientRect(); return r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth;")
            .await;
        if inside != true {
            e.screenshot("story-embed-cut").await;
        }
        assert_eq!(
            inside, true,
            "step {index}'s caption is inside the 640x400 frame"
        );
    }
    e.screenshot("story-embed").await;
    e.close().await;
}

#[tokio::test]
async fn a_story_over_the_limits_is_refused_with_a_banner_and_the_default_run() {
    use raft_core::scenario::{self, Story, StoryStep};
    let mut state = scenario::by_id("first-election").unwrap().share_state(0);
    state.story = Some(Story {
        title: "Too long".into(),
        summary: String::new(),
        steps: vec![StoryStep {
            at_us: 0,
            title: "Words".into(),
            text: "word ".repeat(500),
            promise: None,
        }],
    });
    let s = Session::start(1280, 900).await;
    s.open(&format!("/{}", scenario::link::fragment(&state)))
        .await;
    let banner = s
        .wait_until(
            "the error banner",
            "document.querySelector('[data-testid=error-banner]')?.innerText",
        )
        .await;
    let banner = banner.as_str().unwrap();
    assert!(banner.contains("at most 2000 are allowed"), "{banner}");
    s.wait_for_count("[data-testid=node]", 5).await;
    assert_eq!(
        s.js("return document.querySelectorAll('[data-testid=narrative]').length")
            .await,
        0,
        "the default run, with no story"
    );
    s.close().await;
}

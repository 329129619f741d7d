//! Export and import in headless Chromium: a downloaded scenario file
//! reopens the same moment of the same run in a fresh browser (through the
//! file input and by drag and drop), bad files are refused with a clear
//! banner while the run goes on, and the trace export is JSON lines whose
//! header agrees with its events.

use e2e::Session;
use serde_json::Value;
use std::path::PathBuf;

/// leader-crash with a SET at 2 s, exported at 3 s (the web crate's fixture).
const FIXTURE: &str = include_str!("../../web/tests/fixtures/scenario-v2.json");

/// A file to hand to the file input, in a folder of this test process.
fn temp_file(name: &str, contents: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("raft-e2e-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

/// The fixture with one edit to its JSON.
fn fixture_with(edit: impl FnOnce(&mut Value)) -> String {
    let mut value: Value = serde_json::from_str(FIXTURE).unwrap();
    edit(&mut value);
    serde_json::to_string_pretty(&value).unwrap()
}

/// A fresh browser on the app's default run, its five nodes drawn and its
/// effects run: Yew may yield between drawing and running effects, and the
/// drop listeners are registered by one. The app's own first-render effect
/// runs after its children's, so its mark means the Files panel is listening.
async fn app(width: u32, height: u32) -> Session {
    let s = Session::start(width, height).await;
    s.open("/?autoplay=0").await;
    s.wait_for_count("[data-testid=node]", 5).await;
    s.wait_until(
        "the app's effects",
        "document.documentElement.dataset.firstRenderMs",
    )
    .await;
    s
}

/// Waits until the clock shows exactly `us`.
async fn wait_for_us(s: &Session, what: &str, us: u64) {
    s.wait_until(
        what,
        &format!("document.querySelector('[data-testid=sim-time]').dataset.us === '{us}'"),
    )
    .await;
}

async fn banner(s: &Session) -> String {
    s.js_text("return document.querySelector('[data-testid=error-banner]')?.textContent ?? ''")
        .await
}

/// Drops a file holding `contents` on the cluster, as a drag from the
/// desktop would: dragenter, dragover, then drop, with a DataTransfer.
async fn drop_file(s: &Session, name: &str, contents: &str, hint_screenshot: Option<&str>) {
    s.js(&format!(
        "const dt = new DataTransfer();
         dt.items.add(new File([{contents}], {name}, {{ type: 'application/json' }}));
         window.__drag = dt;
         const stage = document.querySelector('.stage');
         for (const kind of ['dragenter', 'dragover']) {{
           stage.dispatchEvent(new DragEvent(kind, {{ bubbles: true, cancelable: true, dataTransfer: dt }}));
         }}",
        contents = Value::String(contents.to_string()),
        name = Value::String(name.to_string()),
    ))
    .await;
    s.wait_until(
        "the drop hint",
        "document.querySelector('[data-testid=drop-hint]')",
    )
    .await;
    if let Some(shot) = hint_screenshot {
        s.screenshot(shot).await;
    }
    let not_cancelled = s
        .js("return document.querySelector('.stage').dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: window.__drag }));")
        .await;
    assert_eq!(
        not_cancelled, false,
        "the page cancels the drop, so the browser does not open the file instead"
    );
    s.wait_until(
        "the hint to go",
        "!document.querySelector('[data-testid=drop-hint]')",
    )
    .await;
}

#[tokio::test]
async fn an_exported_scenario_reopens_the_same_moment_by_picker_and_by_drop() {
    let a = Session::start(1280, 1000).await;
    a.open("/?scenario=leader-crash").await;
    a.wait_for_count("[data-testid=node]", 5).await;
    a.seek_ms(1_500).await;
    // The user's own actions on top of the scenario's: crash a node, write a key.
    a.click_css("[data-testid=node][data-node-id='3']").await;
    a.click("node-crash").await;
    a.send_set("mine", "42").await;
    a.seek_ms(2_600).await;
    let (time_a, hash_a) = a.clock().await;
    a.click("export-scenario").await;
    let text = a.download("raft-playground-leader-crash.json").await;
    let file: Value = serde_json::from_str(&text).expect("the download is JSON");
    assert_eq!(file["format"], "raft-playground-scenario");
    assert_eq!(file["version"], 2);
    assert_eq!(file["trace_hash"], hash_a.as_str());
    assert_eq!(file["state"]["time_us"], time_a);
    assert_eq!(file["state"]["scenario_id"], "leader-crash");
    assert!(text.starts_with("{\n  \""), "pretty-printed");
    let actions = file["state"]["actions"].as_array().unwrap();
    assert!(actions
        .iter()
        .any(|a| a["action"] == serde_json::json!({ "Crash": 3 })));
    assert!(
        text.contains("\"key\": \"mine\""),
        "the user's write is in the file"
    );
    a.close().await;

    let b = app(1280, 1000).await;
    b.upload(
        "import-file",
        &temp_file("raft-playground-leader-crash.json", text.as_bytes()),
    )
    .await;
    wait_for_us(&b, "the exported moment", time_a).await;
    assert_eq!(
        b.clock().await,
        (time_a, hash_a.clone()),
        "same moment, same trace hash"
    );
    let playing = b
        .js("return document.querySelector('[data-testid=play-pause]').getAttribute('aria-pressed')")
        .await;
    assert_eq!(playing, "false", "a loaded file opens paused");
    let notice = b
        .js("return document.querySelector('[data-testid=notice]').textContent")
        .await;
    assert!(notice.as_str().unwrap().contains("Loaded"), "{notice}");
    b.screenshot("transfer-imported").await;

    // Somewhere else entirely, then the same file by drag and drop.
    b.click_css("[data-testid=scenario][data-id='first-election']")
        .await;
    wait_for_us(&b, "time zero", 0).await;
    drop_file(&b, "dropped.json", &text, Some("transfer-drop-hint")).await;
    wait_for_us(&b, "the dropped file's moment", time_a).await;
    assert_eq!(b.clock().await, (time_a, hash_a));
    b.close().await;
}

#[tokio::test]
async fn bad_files_are_refused_with_a_clear_banner_and_the_run_goes_on() {
    let s = app(1280, 1000).await;
    s.seek_ms(1_000).await;
    let before = s.clock().await;
    let too_many = fixture_with(|v| {
        let actions = v["state"]["actions"].as_array_mut().unwrap();
        let last = actions.last().unwrap().clone();
        actions.resize(1_001, last);
    });
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "notes.json",
            b"These are my notes.".to_vec(),
            "not valid JSON: expected value at line 1 column 1",
        ),
        (
            "cut.json",
            FIXTURE.as_bytes()[..FIXTURE.len() / 2].to_vec(),
            "cut off",
        ),
        (
            "other.json",
            b"{\"format\": \"someone-else\", \"version\": 1}".to_vec(),
            "not a Raft Playground scenario",
        ),
        (
            "future.json",
            fixture_with(|v| v["version"] = 3.into()).into_bytes(),
            "version 3, which this playground cannot read",
        ),
        (
            "nodes.json",
            fixture_with(|v| v["state"]["config"]["nodes"] = 50.into()).into_bytes(),
            "out of range: the configuration is invalid (node count 50",
        ),
        (
            "typo.json",
            fixture_with(|v| v["state"]["speed_milli"] = "fast".into()).into_bytes(),
            "invalid type: string \"fast\"",
        ),
        (
            "many.json",
            too_many.into_bytes(),
            "1001 actions; at most 1000",
        ),
        (
            "huge.json",
            vec![b' '; (1 << 20) + 1],
            "too large (1025 KiB); a scenario file is at most 1024 KiB",
        ),
    ];
    for (name, contents, expected) in &cases {
        s.upload("import-file", &temp_file(name, contents)).await;
        let text = s
            .wait_until(
                &format!("the banner for {name}"),
                "document.querySelector('[data-testid=error-banner]')?.textContent",
            )
            .await;
        let text = text.as_str().unwrap();
        assert!(text.contains(expected), "{name}: {text}");
        assert!(
            text.contains(&format!("Cannot load \"{name}\"")) && text.contains("unchanged"),
            "{name}: {text}"
        );
        assert_eq!(s.clock().await, before, "{name} changed the run");
        if *name == "nodes.json" {
            s.screenshot("transfer-bad-file").await;
        }
        s.click_css("[data-testid=error-banner] button").await;
    }
    // A trace export is named as such; two files at once are refused.
    s.click("export-trace").await;
    let trace = s.download("raft-playground-seed-1-trace.jsonl").await;
    s.upload("import-file", &temp_file("trace.jsonl", trace.as_bytes()))
        .await;
    s.wait_until(
        "the trace-export banner",
        "document.querySelector('[data-testid=error-banner]')?.textContent.includes('trace export')",
    )
    .await;
    s.js("const dt = new DataTransfer();
          for (const n of ['a.json', 'b.json']) dt.items.add(new File(['{}'], n));
          document.querySelector('.stage').dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));")
        .await;
    s.wait_until(
        "the one-file banner",
        "document.querySelector('[data-testid=error-banner]')?.textContent.includes('one scenario file at a time')",
    )
    .await;
    assert!(banner(&s).await.contains("unchanged"));
    assert_eq!(s.clock().await, before);
    // The run still plays.
    s.set_value("speed", "0").await;
    s.click("play-pause").await;
    s.wait_until(
        "time to move on",
        &format!(
            "Number(document.querySelector('[data-testid=sim-time]').dataset.us) > {}",
            before.0 + 200_000
        ),
    )
    .await;
    s.wait_until(
        "a leader",
        "document.querySelector('[data-testid=node][data-role=leader]')",
    )
    .await;
    s.close().await;
}

#[tokio::test]
async fn the_trace_export_is_json_lines_with_a_header_that_adds_up() {
    let s = app(1280, 1000).await;
    // A small ring buffer, so the oldest events are no longer in memory.
    let small = fixture_with(|v| v["state"]["config"]["trace_capacity"] = 300.into());
    s.upload(
        "import-file",
        &temp_file("small-trace.json", small.as_bytes()),
    )
    .await;
    wait_for_us(&s, "the file's moment", 3_000_000).await;
    let (time, hash) = s.clock().await;
    s.click("export-trace").await;
    let text = s.download("raft-playground-leader-crash-trace.jsonl").await;
    let lines: Vec<Value> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("line {}: {e}: {l}", i + 1))
        })
        .collect();
    let (header, events) = lines.split_first().unwrap();
    assert_eq!(header["format"], "raft-playground-trace");
    assert_eq!(header["version"], 2);
    assert_eq!(header["seed"], 3);
    assert_eq!(header["scenario_id"], "leader-crash");
    assert_eq!(header["time_us"], time);
    assert_eq!(header["trace_hash"], hash.as_str());
    assert_eq!(header["trace_capacity"], 300);
    let count = |k: &str| header[k].as_u64().unwrap();
    assert_eq!(count("events"), events.len() as u64);
    assert!(count("dropped_events") > 0, "{header}");
    assert_eq!(
        count("total_events"),
        count("dropped_events") + count("events")
    );
    for (i, e) in events.iter().enumerate() {
        assert_eq!(
            e["seq"].as_u64().unwrap(),
            count("dropped_events") + i as u64
        );
        assert!(e["time_us"].as_u64().unwrap() <= time);
        assert!(e["kind"].is_object() || e["kind"].is_string(), "{e}");
    }
    println!(
        "FIGURE trace_export_lines={} bytes={}",
        lines.len(),
        text.len()
    );
    s.close().await;
}

/// The Files panel at desktop and phone widths, for a look.
#[tokio::test]
async fn the_files_panel_at_desktop_and_phone_width() {
    for (width, height, name) in [(1280, 1000, "desktop"), (390, 844, "phone")] {
        let s = app(width, height).await;
        s.js("document.querySelector('.files-tool').scrollIntoView({ block: 'center' })")
            .await;
        s.assert_no_sideways_scroll(name).await;
        let label = s
            .js("const r = document.querySelector('[data-testid=import-button]').getBoundingClientRect(); return [r.width, r.height];")
            .await;
        assert!(
            label[0].as_f64().unwrap() > 40.0 && label[1].as_f64().unwrap() >= 32.0,
            "{name}: the picker's button is visible: {label}"
        );
        s.screenshot(&format!("transfer-panel-{name}")).await;
        drop_file(
            &s,
            "x.json",
            FIXTURE,
            Some(&format!("transfer-drop-hint-{name}")),
        )
        .await;
        wait_for_us(&s, "the dropped fixture", 3_000_000).await;
        s.close().await;
    }
}

//! `dist/` works from any sub-path on plain static hosting: served under
//! `/docs/raft-playground/` only, the page loads every file by a relative URL.

use e2e::Session;

const PREFIX: &str = "/docs/raft-playground/";

/// Every resource the page fetched, as `[url, status]` pairs.
async fn resources(session: &Session) -> Vec<(String, u64)> {
    let list = session
        .client
        .execute(
            "return performance.getEntriesByType('resource')\
               .map(e => [e.name, e.responseStatus || 0]);",
            vec![],
        )
        .await
        .expect("read resource timings");
    list.as_array()
        .expect("an array")
        .iter()
        .map(|pair| {
            (
                pair[0].as_str().unwrap_or_default().to_string(),
                pair[1].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_site_works_from_a_sub_path() {
    let session = Session::start_at(PREFIX, 1280, 900).await;
    for page in ["", "index.html", "?embed=1&scenario=leader-crash"] {
        session.open(&format!("{PREFIX}{page}")).await;
        session.wait_for_count("[data-testid=node]", 5).await;
        let base = session.site.url(PREFIX);
        let fetched = resources(&session).await;
        assert!(
            fetched.iter().any(|(url, _)| url.ends_with(".wasm")),
            "the wasm was fetched: {fetched:?}"
        );
        for (url, status) in &fetched {
            assert!(url.starts_with(&base), "{url} is outside {base}");
            assert_eq!(*status, 200, "{url}");
        }
    }
    session.screenshot("hosting-sub-path").await;
    session.close().await;
}

#[tokio::test]
async fn nothing_is_served_outside_the_sub_path() {
    // The check above can only fail if the server really refuses other paths.
    let session = Session::start_at(PREFIX, 800, 600).await;
    session.open("/index.html").await;
    let body = session
        .client
        .execute("return document.body.innerText;", vec![])
        .await
        .unwrap();
    assert_eq!(body.as_str(), Some("not found"));
    session.close().await;
}

/// The release page runs no inline script: its CSP names no nonce (the
/// one `trunk serve` uses for its autoreload script is removed by `cargo
/// xtask dist`), and an inline script put into the page does not run.
#[tokio::test]
async fn the_release_page_runs_no_inline_script() {
    let session = Session::start(1000, 800).await;
    session.open("/?autoplay=0").await;
    session.wait_for_count("[data-testid=node]", 5).await;
    let csp = session
        .js_text(
            "return document.querySelector('meta[http-equiv=Content-Security-Policy]').content",
        )
        .await;
    let script_src = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src"))
        .unwrap_or_else(|| panic!("no script-src in {csp}"));
    assert_eq!(script_src, "script-src 'self' 'wasm-unsafe-eval'", "{csp}");
    let ran = session
        .js("const s = document.createElement('script');
             s.textContent = 'window.__inline_ran = true;';
             document.body.appendChild(s);
             return window.__inline_ran === true;")
        .await;
    assert_eq!(ran, serde_json::Value::Bool(false), "an inline script ran");
    session.close().await;
}

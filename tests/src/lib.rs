//! The end-to-end harness: serve the built site on a free loopback port,
//! drive Debian's headless Chromium through ChromeDriver (WebDriver), and
//! keep screenshots under `target/e2e-screenshots/`.
//!
//! Environment (set by `cargo xtask test`): `E2E_DIST` (the built site),
//! `CHROMEDRIVER` and `CHROMIUM` (binaries, default to Debian's paths).
//! `E2E_AXE` (axe-core's `axe.min.js`, defaults to `.tools/`).
//! `E2E_CPU_THROTTLE=N` runs every page N times slower (DevTools CPU
//! throttling), to shake out races that only a loaded machine shows.

pub mod server;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

pub use fantoccini;
pub use server::StaticServer;

/// WebDriver key codes for [`Session::press`].
pub mod keys {
    /// Shift.
    pub const SHIFT: char = '\u{E008}';
    /// Escape.
    pub const ESCAPE: char = '\u{E00C}';
    /// Enter.
    pub const ENTER: char = '\u{E007}';
    /// Arrow down.
    pub const DOWN: char = '\u{E015}';
    /// Arrow up.
    pub const UP: char = '\u{E013}';
    /// F10.
    pub const F10: char = '\u{E03A}';
}

/// A Chrome DevTools Protocol command, sent through ChromeDriver's
/// `goog/cdp/execute` endpoint (WebDriver has no word for CPU throttling).
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// How long a page may take to reach a state the test waits for.
pub const WAIT_TIMEOUT: Duration = Duration::from_secs(15);

/// The built site the tests run against.
pub fn dist_dir() -> PathBuf {
    let dir = std::env::var_os("E2E_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("dist"));
    assert!(
        dir.join("index.html").exists(),
        "no built site at {} — run `cargo xtask test` (it builds the site first)",
        dir.display()
    );
    dir
}

/// The axe-core script: `E2E_AXE`, or where `cargo xtask test` installs it
/// (read once per test binary).
fn axe_script() -> &'static str {
    static SCRIPT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SCRIPT.get_or_init(|| {
        let path = std::env::var_os("E2E_AXE")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace_root().join(".tools/node_modules/axe-core/axe.min.js"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "no axe-core at {} ({e}) — run `cargo xtask test` (it installs it)",
                path.display()
            )
        })
    })
}

/// A page expression: `[id, term]` of the node shown as leader, or null.
pub const LEADER: &str =
    "(() => { const n = document.querySelector('[data-testid=node][data-role=leader]');
    return n ? [Number(n.dataset.nodeId), Number(n.dataset.term)] : null; })()";

/// `[id, term]` as numbers.
pub fn id_and_term(v: &serde_json::Value) -> (u64, u64) {
    (v[0].as_u64().unwrap(), v[1].as_u64().unwrap())
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is one level below the root")
        .to_path_buf()
}

/// The path and fragment of a link the page made (`http://host:port/p#s=…`
/// → `/p#s=…`), to open on this suite's own server.
pub fn path_of(link: &str) -> String {
    let after_host = &link[link.find("//").expect("an absolute link") + 2..];
    after_host[after_host.find('/').expect("a path in the link")..].to_string()
}

/// Cargo's target folder (`CARGO_TARGET_DIR`, or the workspace's `target/`).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// Where screenshots go: `target/e2e-screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    let dir = target_dir().join("e2e-screenshots");
    std::fs::create_dir_all(&dir).expect("create the screenshot folder");
    dir
}

fn slug(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// A free TCP port on the loopback interface.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind a loopback port")
}

/// A ChromeDriver process, killed on drop.
pub struct ChromeDriver {
    child: Child,
    port: u16,
}

impl ChromeDriver {
    /// Starts ChromeDriver on a free port and waits until it listens.
    pub fn start() -> ChromeDriver {
        let binary =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let port = free_port();
        // Its own process group: Chromium is its child, and killing the group
        // on drop leaves no browser behind even when a test panics.
        let child = Command::new(&binary)
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {binary}: {e} (run `cargo xtask test`)"));
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        ChromeDriver { child, port }
    }

    /// The WebDriver endpoint.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser session on one served site; everything is torn down on drop.
pub struct Session {
    /// The WebDriver client.
    pub client: Client,
    /// The site under test.
    pub site: StaticServer,
    /// Where the browser saves downloads (a fresh folder per session).
    pub downloads: PathBuf,
    _driver: ChromeDriver,
    profile: PathBuf,
}

impl Session {
    /// Serves the built site and opens headless Chromium at a window size.
    pub async fn start(width: u32, height: u32) -> Session {
        Session::start_serving(StaticServer::start(dist_dir()), width, height).await
    }

    /// Like [`Session::start`], with the site served under the sub-path
    /// `prefix` only (paths given to [`Session::open`] then start with it).
    pub async fn start_at(prefix: &str, width: u32, height: u32) -> Session {
        Session::start_serving(StaticServer::start_at(dist_dir(), prefix), width, height).await
    }

    async fn start_serving(site: StaticServer, width: u32, height: u32) -> Session {
        let driver = ChromeDriver::start();
        static SESSIONS: AtomicU32 = AtomicU32::new(0);
        let profile = std::env::temp_dir().join(format!(
            "raft-e2e-chrome-{}-{}",
            std::process::id(),
            SESSIONS.fetch_add(1, Ordering::Relaxed)
        ));
        let downloads = profile.with_extension("downloads");
        std::fs::create_dir_all(&downloads).expect("create the download folder");
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let caps = json!({
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-quic",
                    "--no-first-run", "--hide-scrollbars",
                    format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", profile.display()),
                ],
                // Downloads are saved without asking, where the test reads them.
                "prefs": {
                    "download.default_directory": downloads,
                    "download.prompt_for_download": false,
                }
            }
        });
        let mut caps = caps;
        if width < 500 {
            // Headless windows are never narrower than 500 px: emulate a
            // phone's viewport instead (touch off: the tests drive a mouse).
            caps["goog:chromeOptions"]["mobileEmulation"] = json!({
                "deviceMetrics": { "width": width, "height": height, "pixelRatio": 1.0, "touch": false }
            });
        }
        let caps = match caps {
            serde_json::Value::Object(map) => map,
            _ => unreachable!("capabilities are a JSON object"),
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&driver.url())
            .await
            .expect("open a Chromium session");
        let session = Session {
            client,
            site,
            downloads,
            _driver: driver,
            profile,
        };
        if let Some(rate) = std::env::var("E2E_CPU_THROTTLE")
            .ok()
            .and_then(|r| r.parse::<f64>().ok())
        {
            session.throttle_cpu(rate).await;
        }
        session
    }

    /// Opens a path of the site, e.g. `/` or `/?embed=1`.
    pub async fn open(&self, path: &str) {
        self.client
            .goto(&self.site.url(path))
            .await
            .expect("navigate to the site");
    }

    /// Waits until `css` matches exactly `count` elements.
    pub async fn wait_for_count(
        &self,
        css: &str,
        count: usize,
    ) -> Vec<fantoccini::elements::Element> {
        let deadline = Instant::now() + WAIT_TIMEOUT;
        loop {
            let found = self
                .client
                .find_all(Locator::Css(css))
                .await
                .expect("query the page");
            if found.len() == count {
                return found;
            }
            if Instant::now() > deadline {
                let shot = self.screenshot("timeout").await;
                panic!(
                    "waited {WAIT_TIMEOUT:?} for {count} × `{css}`, found {} (screenshot {})",
                    found.len(),
                    shot.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs JavaScript in the page and returns its value.
    pub async fn js(&self, script: &str) -> serde_json::Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Asserts that the page does not scroll sideways (`what` names the case).
    pub async fn assert_no_sideways_scroll(&self, what: &str) {
        let overflow = self
            .js("return document.documentElement.scrollWidth - window.innerWidth")
            .await;
        assert!(
            overflow.as_f64().unwrap_or(f64::INFINITY) <= 0.0,
            "{what}: the page scrolls sideways by {overflow}"
        );
    }

    /// Runs JavaScript that returns a string, and returns it.
    pub async fn js_text(&self, script: &str) -> String {
        let value = self.js(script).await;
        value
            .as_str()
            .unwrap_or_else(|| panic!("not a string: {value}\n{script}"))
            .to_string()
    }

    /// Waits until a JavaScript expression is truthy; returns its value.
    pub async fn wait_until(&self, what: &str, expression: &str) -> serde_json::Value {
        self.wait_until_for(what, expression, WAIT_TIMEOUT).await
    }

    /// [`Session::wait_until`] with its own timeout.
    pub async fn wait_until_for(
        &self,
        what: &str,
        expression: &str,
        timeout: Duration,
    ) -> serde_json::Value {
        let deadline = Instant::now() + timeout;
        let script = format!("return ({expression});");
        loop {
            let value = self.js(&script).await;
            let truthy = match &value {
                serde_json::Value::Null => false,
                serde_json::Value::Bool(b) => *b,
                serde_json::Value::Number(n) => n.as_f64() != Some(0.0),
                serde_json::Value::String(s) => !s.is_empty(),
                _ => true,
            };
            if truthy {
                return value;
            }
            if Instant::now() > deadline {
                let shot = self.screenshot(&format!("timeout-{}", slug(what))).await;
                panic!(
                    "waited {timeout:?} for {what} (screenshot {})",
                    shot.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks the element with this `data-testid` (the first one).
    pub async fn click(&self, testid: &str) {
        self.click_css(&format!("[data-testid={testid}]")).await;
    }

    /// The first element matching a CSS selector, once there is one.
    pub async fn element(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(WAIT_TIMEOUT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element `{css}`: {e}"))
    }

    /// Clicks the first element matching a CSS selector.
    pub async fn click_css(&self, css: &str) {
        // While the page plays, a panel above can grow between WebDriver's
        // scroll and its click, and another element is then under the point
        // (seen on a phone-width page under CPU throttling). WebDriver checks
        // before it clicks, so nothing else was clicked: try again.
        const ATTEMPTS: u32 = 5;
        for attempt in 1..=ATTEMPTS {
            let element = self.element(css).await;
            self.wait_until_still(&element).await;
            match element.click().await {
                Ok(_) => return,
                Err(e) if attempt < ATTEMPTS && e.to_string().contains("click intercepted") => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("cannot click `{css}`: {e}"),
            }
        }
    }

    /// Scrolls `element` to the middle of the window and waits (a second at
    /// most) until it keeps its place for two animation frames, as a person
    /// waits for a page that moves: a click computed on a moving page can
    /// land on a neighbour even after WebDriver's own check.
    async fn wait_until_still(&self, element: &fantoccini::elements::Element) {
        let arg = serde_json::to_value(element).expect("an element is JSON");
        let _ = self
            .client
            .execute_async(
                "const [el, done] = [arguments[0], arguments[arguments.length - 1]];
                 el.scrollIntoView({ block: 'center' });
                 let last = null, still = 0;
                 const giveUp = setTimeout(() => done(false), 1000);
                 const tick = () => {
                     const r = el.getBoundingClientRect();
                     const at = [r.x, r.y, r.width, r.height].join();
                     still = at === last ? still + 1 : 0;
                     last = at;
                     if (still >= 2) { clearTimeout(giveUp); done(true); } else requestAnimationFrame(tick);
                 };
                 requestAnimationFrame(tick);",
                vec![arg],
            )
            .await;
    }

    /// Right-clicks the first element matching a CSS selector (a real
    /// pointer action: the page gets contextmenu as from a mouse).
    pub async fn right_click_css(&self, css: &str) {
        use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_RIGHT};
        let element = self.element(css).await;
        let mouse = MouseActions::new("mouse".into())
            .then(PointerAction::MoveToElement {
                element,
                duration: None,
                x: 0,
                y: 0,
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_RIGHT,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_RIGHT,
            });
        self.client
            .perform_actions(mouse)
            .await
            .unwrap_or_else(|e| panic!("cannot right-click `{css}`: {e}"));
    }

    /// Presses keys (WebDriver key codes, e.g. [`keys::SHIFT`]) on whatever
    /// has the focus: all go down in order, then come up in reverse, so
    /// `[SHIFT, F10]` is Shift+F10.
    pub async fn press(&self, chord: &[char]) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut keys = KeyActions::new("keyboard".into());
        for &value in chord {
            keys = keys.then(KeyAction::Down { value });
        }
        for &value in chord.iter().rev() {
            keys = keys.then(KeyAction::Up { value });
        }
        self.client
            .perform_actions(keys)
            .await
            .unwrap_or_else(|e| panic!("cannot press {chord:?}: {e}"));
    }

    /// The `data-testid` of the focused element (or its node id), for
    /// following the focus in keyboard tests.
    pub async fn focused(&self) -> String {
        self.js("const e = document.activeElement;
                 return e ? (e.dataset.testid || '') + (e.dataset.nodeId ? ':' + e.dataset.nodeId : '') : '';")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Sets a form control's value and fires `input` and `change`, as a user would.
    pub async fn set_value(&self, testid: &str, value: &str) {
        let script = format!(
            "const el = document.querySelector('[data-testid={testid}]');
             if (!el) throw new Error('no {testid}');
             el.value = {value};
             el.dispatchEvent(new Event('input', {{ bubbles: true }}));
             el.dispatchEvent(new Event('change', {{ bubbles: true }}));",
            value = serde_json::Value::String(value.to_string())
        );
        self.js(&script).await;
    }

    /// Slows the page's CPU `rate` times (Chrome DevTools throttling; 1
    /// turns it off), to make a fast machine behave like a loaded CI runner.
    pub async fn throttle_cpu(&self, rate: f64) {
        self.cdp("Emulation.setCPUThrottlingRate", json!({ "rate": rate }))
            .await;
    }

    /// Makes the page's viewport exactly `width` × `height` CSS pixels (a
    /// headless window's inner height is less than its size: its chrome
    /// takes some), as an iframe of that size would be.
    pub async fn set_viewport(&self, width: u32, height: u32) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": false }),
        )
        .await;
    }

    /// Runs a DevTools command on the page.
    async fn cdp(&self, cmd: &'static str, params: serde_json::Value) {
        self.cdp_result(cmd, params).await;
    }

    /// Runs a DevTools command on the page and returns its result (e.g.
    /// `Profiler.stop`'s profile, to see where a frame's time goes).
    pub async fn cdp_result(
        &self,
        cmd: &'static str,
        params: serde_json::Value,
    ) -> serde_json::Value {
        self.client
            .issue_cmd(Cdp { cmd, params })
            .await
            .unwrap_or_else(|e| panic!("ChromeDriver cannot run {cmd}: {e}"))
    }

    /// Opens the page and plays it at real time (1×).
    pub async fn open_playing(&self) {
        self.open("/?autoplay=0").await;
        self.wait_for_count("[data-testid=node]", 5).await;
        self.set_value("speed", "0").await;
        self.click("play-pause").await;
    }

    /// Presses Share and returns the link it shows.
    pub async fn share_link(&self) -> String {
        self.click("share").await;
        self.wait_until(
            "a share link",
            "document.querySelector('[data-testid=share-url]').value",
        )
        .await
        .as_str()
        .unwrap()
        .to_string()
    }

    /// Sends `SET key=value` from the key-value form (to whichever node the
    /// form targets).
    pub async fn send_set(&self, key: &str, value: &str) {
        self.set_value("kv-key", key).await;
        self.set_value("kv-value", value).await;
        self.click("kv-set").await;
    }

    /// Makes the page match `prefers-color-scheme: dark` (or light).
    pub async fn prefer_color_scheme(&self, scheme: &str) {
        let features = json!([{ "name": "prefers-color-scheme", "value": scheme }]);
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({ "features": features }),
        )
        .await;
    }

    /// Makes the page match `prefers-reduced-motion: reduce`.
    pub async fn prefer_reduced_motion(&self) {
        let features = json!([{ "name": "prefers-reduced-motion", "value": "reduce" }]);
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({ "features": features }),
        )
        .await;
    }

    /// Waits for a leader; its id and term.
    pub async fn wait_for_leader(&self) -> (u64, u64) {
        id_and_term(&self.wait_until("a leader", LEADER).await)
    }

    /// Waits until the checker panel's status is `status` ("ok" or "violation").
    pub async fn wait_for_checker(&self, status: &str) {
        self.wait_until(
            &format!("the checker {status}"),
            &format!(
                "document.querySelector('[data-testid=checker]').dataset.status === '{status}'"
            ),
        )
        .await;
    }

    /// Runs the axe-core accessibility rules on the page as it is and
    /// returns each violation in words (rule, impact, help, the first few
    /// elements and why): an empty list is a clean page.
    pub async fn accessibility_violations(&self) -> Vec<String> {
        let axe = axe_script();
        // WebDriver scripts run outside the page's CSP, unlike a <script>.
        self.js(&format!("{axe}\nreturn typeof axe;")).await;
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] }).then(r => done(r.violations.map(v =>
                     `${v.id} (${v.impact}): ${v.help}; ` + v.nodes.slice(0, 5).map(n =>
                         n.target.join(' ') + ' -- ' + (n.failureSummary || '').replace(/\\s+/g, ' ')).join(' | '))),
                     e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await
            .expect("run axe-core in the page");
        found
            .as_array()
            .expect("a list of violations")
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Saves a PNG screenshot as `target/e2e-screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("take a screenshot");
        let path = screenshot_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write the screenshot");
        path
    }

    /// Waits until the browser has saved the download `name` and returns its text.
    pub async fn download(&self, name: &str) -> String {
        let path = self.downloads.join(name);
        let deadline = Instant::now() + WAIT_TIMEOUT;
        // Chromium writes `<name>.crdownload` and renames it when complete,
        // but may create `<name>` empty beforehand as a placeholder: wait for
        // the partial file to be gone and the content to be there.
        let partial = self.downloads.join(format!("{name}.crdownload"));
        let complete = || !partial.exists() && std::fs::metadata(&path).is_ok_and(|m| m.len() > 0);
        while !complete() {
            if Instant::now() > deadline {
                let shot = self.screenshot("timeout-download").await;
                let found: Vec<_> = std::fs::read_dir(&self.downloads)
                    .map(|d| d.flatten().map(|e| e.file_name()).collect())
                    .unwrap_or_default();
                panic!(
                    "no download {name} after {WAIT_TIMEOUT:?}; found {found:?} (screenshot {})",
                    shot.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        std::fs::read_to_string(&path).expect("read the download")
    }

    /// Chooses a file in the `<input type=file>` with this `data-testid`, as
    /// the file dialog would (WebDriver types the path into the input).
    pub async fn upload(&self, testid: &str, path: &std::path::Path) {
        let input = self
            .client
            .find(Locator::Css(&format!("[data-testid={testid}]")))
            .await
            .unwrap_or_else(|e| panic!("no `{testid}`: {e}"));
        input
            .send_keys(&path.display().to_string())
            .await
            .unwrap_or_else(|e| panic!("cannot choose {} in `{testid}`: {e}", path.display()));
    }

    /// The virtual clock: (`data-us`, `data-trace-hash`) of `sim-time`.
    pub async fn clock(&self) -> (u64, String) {
        let v = self
            .js("const c = document.querySelector('[data-testid=sim-time]'); return [Number(c.dataset.us), c.dataset.traceHash];")
            .await;
        (v[0].as_u64().unwrap(), v[1].as_str().unwrap().to_string())
    }

    /// Goes to a virtual time through the page's own postMessage API (the
    /// quickest way to seek far ahead) and waits until it is shown.
    pub async fn seek_ms(&self, ms: u64) {
        self.js(&format!(
            "window.postMessage({{ type: 'raft-playground', command: 'seek', ms: {ms} }}, '*');"
        ))
        .await;
        self.wait_until(
            &format!("time {ms} ms"),
            &format!("Number(document.querySelector('[data-testid=sim-time]').dataset.ms) >= {ms}"),
        )
        .await;
    }

    /// Picks the built-in scenario `id` and plays it to the end of its story
    /// (the narrative's last step); returns that time in ms.
    pub async fn play_scenario_to_its_end(&self, id: &str) -> u64 {
        self.click_css(&format!("[data-testid=scenario][data-id='{id}']"))
            .await;
        self.wait_until(
            &format!("{id} loaded"),
            &format!("document.querySelector(\"[data-testid=narrative][data-scenario='{id}']\")"),
        )
        .await;
        let end = self
            .js("return Number(document.querySelector('[data-testid=narrative]').dataset.endMs)")
            .await
            .as_u64()
            .unwrap();
        self.seek_ms(end).await;
        end
    }

    /// Ends the browser session.
    pub async fn close(self) {
        let Session {
            client,
            profile,
            downloads,
            ..
        } = self;
        let _ = client.close().await;
        let _ = std::fs::remove_dir_all(profile);
        let _ = std::fs::remove_dir_all(downloads);
    }
}

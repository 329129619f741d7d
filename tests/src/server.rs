//! A static file server for the built site, on a free loopback port.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use tiny_http::{Header, Response, Server};

/// Serves one folder until dropped.
pub struct StaticServer {
    server: Arc<Server>,
    port: u16,
    thread: Option<JoinHandle<()>>,
}

impl StaticServer {
    /// Starts serving `root` on 127.0.0.1 at a free port.
    pub fn start(root: PathBuf) -> StaticServer {
        StaticServer::start_at(root, "/")
    }

    /// Serves `root` under the path `prefix` only (e.g. `/docs/raft/`), the way
    /// a docs site or GitHub Pages hosts it: anything outside is a 404, so a
    /// page that asks for `/app.wasm` instead of a relative URL breaks.
    pub fn start_at(root: PathBuf, prefix: &str) -> StaticServer {
        assert!(prefix.starts_with('/') && prefix.ends_with('/'));
        let prefix = prefix.to_string();
        let server = Arc::new(Server::http("127.0.0.1:0").expect("bind the site server"));
        let port = server.server_addr().to_ip().expect("an IP listener").port();
        let worker = Arc::clone(&server);
        let thread = std::thread::spawn(move || {
            for request in worker.incoming_requests() {
                let response = match request.url().strip_prefix(prefix.as_str()) {
                    Some(rest) => respond(&root, rest),
                    None => Response::from_string("not found").with_status_code(404),
                };
                let _ = request.respond(response);
            }
        });
        StaticServer {
            server,
            port,
            thread: Some(thread),
        }
    }

    /// The URL of `path` (starting with `/`) on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn respond(root: &Path, url: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let relative = path.trim_start_matches('/');
    let relative = if relative.is_empty() || relative.ends_with('/') {
        format!("{relative}index.html")
    } else {
        relative.to_string()
    };
    let candidate = Path::new(&relative);
    let safe = candidate
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    match std::fs::read(root.join(candidate)) {
        Ok(bytes) if safe => {
            let header = Header::from_bytes("Content-Type", content_type(candidate))
                .expect("a valid header");
            Response::from_data(bytes).with_header(header)
        }
        _ => Response::from_string("not found").with_status_code(404),
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

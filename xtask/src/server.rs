//! The static server `cargo xtask serve` uses for the development site until
//! Trunk is built: GET and HEAD of files inside one folder, with the MIME
//! types a browser needs (`application/wasm`, so the wasm streams in).

use std::fs::File;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use tiny_http::{Header, Method, Request, Response, Server, StatusCode};

/// Serves a folder on a background thread until stopped (or dropped).
pub struct FolderServer {
    server: Arc<Server>,
    worker: Option<JoinHandle<()>>,
}

impl FolderServer {
    /// Listens on `address` (e.g. `127.0.0.1:8080`) and serves `folder`.
    pub fn start(address: &str, folder: PathBuf) -> Result<FolderServer, String> {
        let server = Server::http(address).map_err(|e| {
            format!("cannot listen on {address}: {e} (is another `cargo xtask serve` or `trunk serve` running?)")
        })?;
        let server = Arc::new(server);
        let listener = Arc::clone(&server);
        let worker = std::thread::spawn(move || {
            for request in listener.incoming_requests() {
                answer(&folder, request);
            }
        });
        Ok(FolderServer {
            server,
            worker: Some(worker),
        })
    }

    /// The port it listens on (when asked for port 0).
    #[cfg(test)]
    pub fn port(&self) -> Option<u16> {
        self.server.server_addr().to_ip().map(|a| a.port())
    }

    /// Stops listening and waits for the worker to finish.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        self.server.unblock();
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

impl Drop for FolderServer {
    fn drop(&mut self) {
        self.shut_down();
    }
}

fn answer(folder: &Path, request: Request) {
    if !matches!(request.method(), Method::Get | Method::Head) {
        let allow = Header::from_bytes("Allow", "GET, HEAD").expect("a valid header");
        let _ = request.respond(
            Response::from_string("only GET and HEAD\n")
                .with_status_code(405)
                .with_header(allow),
        );
        return;
    }
    let Some(relative) = file_for(request.url()) else {
        let _ = request.respond(Response::from_string("not found\n").with_status_code(404));
        return;
    };
    let path = folder.join(&relative);
    if path.is_dir() {
        // `/docs` → `/docs/`, so the page's relative URLs resolve inside it.
        let to = format!("{}/", request.url().split(['?', '#']).next().unwrap_or("/"));
        let location = Header::from_bytes("Location", to.as_bytes()).expect("a valid header");
        let _ = request.respond(Response::empty(StatusCode(301)).with_header(location));
        return;
    }
    match File::open(&path) {
        Ok(file) => {
            let headers = [
                ("Content-Type", mime_type(&relative)),
                // The development site changes under the same names.
                ("Cache-Control", "no-cache"),
            ];
            let mut response = Response::from_file(file);
            for (name, value) in headers {
                response.add_header(Header::from_bytes(name, value).expect("a valid header"));
            }
            // tiny_http leaves the body out for HEAD.
            let _ = request.respond(response);
        }
        Err(_) => {
            let _ = request.respond(Response::from_string("not found\n").with_status_code(404));
        }
    }
}

/// The file a URL path names, relative to the served folder: `None` for
/// anything that could leave it (`..`, absolute parts, backslashes, NUL).
/// A path ending in `/` names that folder's `index.html`.
pub fn file_for(url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next()?;
    let path = path.strip_prefix('/')?;
    if path.contains(['\\', '\0', '%']) {
        return None;
    }
    let mut file = PathBuf::new();
    for part in Path::new(path).components() {
        match part {
            Component::Normal(name) => file.push(name),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if path.is_empty() || path.ends_with('/') {
        file.push("index.html");
    }
    Some(file)
}

/// MIME types by file extension, for what a Trunk-built site holds.
const MIME_TYPES: &[(&str, &str)] = &[
    ("html", "text/html; charset=utf-8"),
    ("js", "text/javascript; charset=utf-8"),
    ("mjs", "text/javascript; charset=utf-8"),
    ("wasm", "application/wasm"),
    ("css", "text/css; charset=utf-8"),
    ("svg", "image/svg+xml"),
    ("png", "image/png"),
    ("ico", "image/x-icon"),
    ("json", "application/json"),
    ("map", "application/json"),
    ("txt", "text/plain; charset=utf-8"),
];

pub fn mime_type(file: &Path) -> &'static str {
    let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("");
    MIME_TYPES
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(ext))
        .map_or("application/octet-stream", |(_, mime)| mime)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpStream;

    #[test]
    fn urls_map_to_files_inside_the_folder() {
        assert_eq!(file_for("/"), Some(PathBuf::from("index.html")));
        assert_eq!(file_for("/?seed=3#x"), Some(PathBuf::from("index.html")));
        assert_eq!(file_for("/web_bg.wasm"), Some(PathBuf::from("web_bg.wasm")));
        assert_eq!(file_for("/a/./b.js"), Some(PathBuf::from("a/b.js")));
        assert_eq!(file_for("/docs/"), Some(PathBuf::from("docs/index.html")));
        for bad in [
            "/../Cargo.toml",
            "/a/../../x",
            "//etc/passwd",
            "/a\\..\\b",
            "/%2e%2e/x",
            "no-slash",
        ] {
            assert_eq!(file_for(bad), None, "{bad}");
        }
    }

    #[test]
    fn mime_types_the_browser_needs() {
        assert_eq!(mime_type(Path::new("web_bg.wasm")), "application/wasm");
        assert_eq!(
            mime_type(Path::new("web.js")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            mime_type(Path::new("index.HTML")),
            "text/html; charset=utf-8"
        );
        assert_eq!(mime_type(Path::new("favicon.svg")), "image/svg+xml");
        assert_eq!(mime_type(Path::new("LICENSE")), "application/octet-stream");
    }

    fn ask(port: u16, request: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        reply
    }

    #[test]
    fn serves_get_and_head_and_nothing_else() {
        let root = std::env::temp_dir().join(format!("xtask-server-{}", std::process::id()));
        let site = root.join("site");
        std::fs::create_dir_all(site.join("sub")).unwrap();
        std::fs::write(site.join("index.html"), "<p>hi</p>").unwrap();
        std::fs::write(site.join("web_bg.wasm"), b"\0asm").unwrap();
        std::fs::write(root.join("secret.txt"), "outside").unwrap();
        let server = FolderServer::start("127.0.0.1:0", site).unwrap();
        let port = server.port().unwrap();
        let close = "Connection: close\r\n\r\n";

        let page = ask(port, &format!("GET / HTTP/1.1\r\nHost: x\r\n{close}"));
        assert!(page.starts_with("HTTP/1.1 200"), "{page}");
        assert!(page.contains("text/html; charset=utf-8"), "{page}");
        assert!(page.ends_with("<p>hi</p>"), "{page}");

        let wasm = ask(
            port,
            &format!("GET /web_bg.wasm HTTP/1.1\r\nHost: x\r\n{close}"),
        );
        assert!(wasm.contains("Content-Type: application/wasm"), "{wasm}");

        let head = ask(
            port,
            &format!("HEAD /index.html HTTP/1.1\r\nHost: x\r\n{close}"),
        );
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(!head.contains("<p>hi</p>"), "{head}");

        let post = ask(
            port,
            &format!("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n{close}"),
        );
        assert!(post.starts_with("HTTP/1.1 405"), "{post}");

        let out = ask(
            port,
            &format!("GET /../secret.txt HTTP/1.1\r\nHost: x\r\n{close}"),
        );
        assert!(out.starts_with("HTTP/1.1 404"), "{out}");
        assert!(!out.contains("outside"), "{out}");

        let dir = ask(port, &format!("GET /sub HTTP/1.1\r\nHost: x\r\n{close}"));
        assert!(dir.starts_with("HTTP/1.1 301"), "{dir}");
        assert!(dir.contains("Location: /sub/"), "{dir}");

        server.stop();
        let _ = std::fs::remove_dir_all(root);
    }
}

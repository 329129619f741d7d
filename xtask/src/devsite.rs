//! The development site without Trunk: what `trunk serve` would put in dist/,
//! made from a `cargo build` of the web crate and the wasm-bindgen CLI. It lets
//! `cargo xtask serve` show the page on a fresh machine before Trunk is built.

use crate::site::strip_nonce;
use std::fs;
use std::path::{Path, PathBuf};

/// index.html with its `data-trunk` links turned into what Trunk emits, and
/// the files those links ask to be copied next to it.
#[derive(Debug)]
pub struct DevPage {
    pub html: String,
    /// Paths relative to the repository root; each lands in the site folder
    /// under its file name.
    pub files: Vec<PathBuf>,
    /// The web crate's binaries built as Web Workers (`data-type="worker"`),
    /// by name: each becomes `NAME.js` (wasm-bindgen `--target no-modules`),
    /// `NAME_bg.wasm` and `NAME_loader.js`, as Trunk names them.
    pub workers: Vec<String>,
}

/// The loader Trunk writes for a worker with `data-loader-shim` (the page
/// starts `./NAME_loader.js`; the paths are relative to it, so any sub-path works).
pub fn worker_loader(name: &str) -> String {
    format!(r#"importScripts("./{name}.js");wasm_bindgen("./{name}_bg.wasm");"#)
}

/// Turns the repository's index.html into the development site's page:
/// - `rel="rust"` is dropped (static/boot.js loads `web.js`); one with
///   `data-type="worker"` names a worker binary (see [`DevPage::workers`]);
/// - `rel="copy-file"` is dropped and its file copied;
/// - `rel="css"` becomes `<link rel="stylesheet" href="./NAME" />`, `rel="icon"`
///   `<link rel="icon" href="./NAME" />`, and the file is copied;
/// - the CSP's nonce placeholder is removed (no inline script is served).
///
/// Any other Trunk asset is an error, so the page never silently lacks one.
pub fn dev_page(index_html: &str) -> Result<DevPage, String> {
    let mut html = String::with_capacity(index_html.len());
    let mut files = Vec::new();
    let mut workers = Vec::new();
    let mut rest = index_html;
    while let Some(start) = rest.find("<link") {
        let end = start
            + rest[start..]
                .find('>')
                .ok_or("index.html: a <link> tag is not closed")?
            + 1;
        let tag = &rest[start..end];
        html.push_str(&rest[..start]);
        rest = &rest[end..];
        if !tag.contains(" data-trunk") {
            html.push_str(tag);
            continue;
        }
        let rel = attribute(tag, "rel").ok_or_else(|| format!("no rel in {tag}"))?;
        let emitted = match rel {
            "rust" if attribute(tag, "data-type") == Some("worker") => {
                let bin = attribute(tag, "data-bin")
                    .ok_or_else(|| format!("a worker needs data-bin: {tag}"))?;
                if !tag.contains(" data-loader-shim") {
                    return Err(format!(
                        "the page starts workers by their loader: add data-loader-shim to {tag}"
                    ));
                }
                workers.push(bin.to_string());
                None
            }
            "rust" => None,
            "copy-file" => Some(None),
            "css" => Some(Some("stylesheet")),
            "icon" => Some(Some("icon")),
            other => {
                return Err(format!(
                    "index.html has a Trunk asset xtask cannot build without Trunk \
                     (rel=\"{other}\"): teach xtask/src/devsite.rs about it"
                ))
            }
        };
        let Some(emitted) = emitted else {
            // The tag and the whitespace before it go; no blank line is left.
            trim_trailing_blank(&mut html);
            continue;
        };
        let href = attribute(tag, "href").ok_or_else(|| format!("no href in {tag}"))?;
        let file = PathBuf::from(href);
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| format!("no file name in {tag}"))?
            .to_string();
        files.push(file);
        match emitted {
            Some(rel) => html.push_str(&format!("<link rel=\"{rel}\" href=\"./{name}\" />")),
            None => trim_trailing_blank(&mut html),
        }
    }
    html.push_str(rest);
    Ok(DevPage {
        html: strip_nonce(&html)?,
        files,
        workers,
    })
}

/// Removes the spaces and the one line break before a dropped tag.
fn trim_trailing_blank(html: &mut String) {
    let kept = html.trim_end_matches([' ', '\t']).len();
    html.truncate(kept);
    if html.ends_with('\n') {
        html.pop();
    }
}

/// The value of `name="value"` in a tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

/// The page of the repository at `root`.
pub fn read_page(root: &Path) -> Result<DevPage, String> {
    let index = root.join("index.html");
    let source =
        fs::read_to_string(&index).map_err(|e| format!("cannot read {}: {e}", index.display()))?;
    dev_page(&source)
}

/// Fills `site` (emptied first) with the page, its files, and what
/// wasm-bindgen made (`web.js`, `web_bg.wasm`, and each worker's
/// `NAME.js`, `NAME_bg.wasm`) from `bindgen_out`, and each worker's loader.
pub fn write_site(root: &Path, site: &Path, bindgen_out: &Path) -> Result<(), String> {
    let page = read_page(root)?;
    if site.exists() {
        fs::remove_dir_all(site).map_err(|e| format!("cannot empty {}: {e}", site.display()))?;
    }
    fs::create_dir_all(site).map_err(|e| format!("cannot create {}: {e}", site.display()))?;
    let mut bindgen_files = vec![bindgen_out.join("web.js"), bindgen_out.join("web_bg.wasm")];
    for worker in &page.workers {
        bindgen_files.push(bindgen_out.join(format!("{worker}.js")));
        bindgen_files.push(bindgen_out.join(format!("{worker}_bg.wasm")));
        let loader = site.join(format!("{worker}_loader.js"));
        fs::write(&loader, worker_loader(worker))
            .map_err(|e| format!("cannot write {}: {e}", loader.display()))?;
    }
    let copies = page.files.iter().map(|f| root.join(f)).chain(bindgen_files);
    for from in copies {
        let name = from.file_name().expect("every copied path names a file");
        let to = site.join(name);
        fs::copy(&from, &to)
            .map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))?;
    }
    let out = site.join("index.html");
    fs::write(&out, page.html).map_err(|e| format!("cannot write {}: {e}", out.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = include_str!("../../index.html");

    #[test]
    fn the_repository_page_becomes_what_trunk_would_serve() {
        let page = dev_page(INDEX).unwrap();
        assert!(!page.html.contains("data-trunk"), "{}", page.html);
        assert!(!page.html.contains("TRUNK NONCE"), "{}", page.html);
        assert!(!page.html.contains("Cargo.toml"), "{}", page.html);
        assert!(page
            .html
            .contains("<link rel=\"stylesheet\" href=\"./style.css\" />"));
        assert!(page
            .html
            .contains("<link rel=\"icon\" href=\"./favicon.svg\" />"));
        assert!(page
            .html
            .contains("<script type=\"module\" src=\"boot.js\"></script>"));
        assert!(page
            .html
            .contains("script-src 'self' 'wasm-unsafe-eval'; style-src 'self';"));
        assert!(!page.html.contains("\n\n"), "no blank line where a tag was");
        let files: Vec<&str> = page.files.iter().filter_map(|f| f.to_str()).collect();
        assert_eq!(
            files,
            [
                "static/boot.js",
                "static/embed-example.html",
                "static/embed-example.js",
                "static/style.css",
                "static/favicon.svg"
            ]
        );
        assert_eq!(page.workers, ["hunt_worker"]);
        // Every file the page asks for exists.
        for file in &page.files {
            assert!(Path::new("..").join(file).exists(), "{}", file.display());
        }
    }

    #[test]
    fn other_links_stay_and_unknown_trunk_assets_are_refused() {
        let plain = "<head>\n  <link rel=\"canonical\" href=\"https://x\" />\n</head>";
        assert_eq!(dev_page(plain).unwrap().html, plain);

        let shimless = "<link data-trunk rel=\"rust\" data-bin=\"w\" data-type=\"worker\" />";
        assert!(dev_page(shimless).unwrap_err().contains("data-loader-shim"));

        let sass = "<link data-trunk rel=\"sass\" href=\"a.scss\" />";
        let err = dev_page(sass).unwrap_err();
        assert!(err.contains("rel=\"sass\""), "{err}");

        assert!(dev_page("<link data-trunk rel=\"css\"").is_err());
        assert!(dev_page("<link data-trunk href=\"a.css\" />").is_err());
    }

    #[test]
    fn a_dropped_tag_leaves_no_blank_line() {
        let html =
            "<head>\n    <link data-trunk rel=\"copy-file\" href=\"static/a.js\" />\n</head>";
        let page = dev_page(html).unwrap();
        assert_eq!(page.html, "<head>\n</head>");
        assert_eq!(page.files, [PathBuf::from("static/a.js")]);
    }

    #[test]
    fn the_site_folder_gets_every_file() {
        let tmp = std::env::temp_dir().join(format!("xtask-devsite-{}", std::process::id()));
        let root = tmp.join("repo");
        let bindgen = tmp.join("bindgen");
        fs::create_dir_all(root.join("static")).unwrap();
        fs::create_dir_all(&bindgen).unwrap();
        fs::write(
            root.join("index.html"),
            "<link data-trunk rel=\"css\" href=\"static/s.css\" />\n<link data-trunk rel=\"rust\" \
             data-bin=\"w\" data-type=\"worker\" data-loader-shim />",
        )
        .unwrap();
        fs::write(root.join("static/s.css"), "p{}").unwrap();
        fs::write(bindgen.join("web.js"), "export{}").unwrap();
        fs::write(bindgen.join("web_bg.wasm"), b"\0asm").unwrap();
        fs::write(bindgen.join("w.js"), "let wasm_bindgen;").unwrap();
        fs::write(bindgen.join("w_bg.wasm"), b"\0asm").unwrap();
        let site = tmp.join("site");
        write_site(&root, &site, &bindgen).unwrap();
        let mut names: Vec<String> = fs::read_dir(&site)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "index.html",
                "s.css",
                "w.js",
                "w_bg.wasm",
                "w_loader.js",
                "web.js",
                "web_bg.wasm"
            ]
        );
        assert_eq!(
            fs::read_to_string(site.join("w_loader.js")).unwrap(),
            "importScripts(\"./w.js\");wasm_bindgen(\"./w_bg.wasm\");"
        );
        assert_eq!(
            fs::read_to_string(site.join("index.html")).unwrap(),
            "<link rel=\"stylesheet\" href=\"./s.css\" />"
        );
        let _ = fs::remove_dir_all(tmp);
    }
}

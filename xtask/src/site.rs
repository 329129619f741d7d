//! The site: `trunk serve` for development, `trunk build --release` into dist/.

use crate::tools::{run, step, Need, Toolchain};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `cargo xtask serve [trunk serve args]`.
pub fn serve(extra: &[String]) -> Result<(), String> {
    let tc = Toolchain::ensure(Need::Site)?;
    fetch(&tc)?;
    step("trunk serve at http://127.0.0.1:8080 (Ctrl-C stops it)");
    run(tc.command("trunk").arg("serve").args(extra))
}

/// `cargo xtask dist`: the release site in dist/, then its sizes.
pub fn dist() -> Result<PathBuf, String> {
    let tc = Toolchain::ensure(Need::Site)?;
    build_release(&tc)
}

/// Trunk runs offline (Trunk.toml), which makes cargo offline too: fetch first.
pub fn fetch(tc: &Toolchain) -> Result<(), String> {
    step("cargo fetch (Trunk builds offline)");
    run(tc.command("cargo").arg("fetch"))
}

pub fn build_release(tc: &Toolchain) -> Result<PathBuf, String> {
    fetch(tc)?;
    step("trunk build --release into dist/");
    run(tc.command("trunk").args(["build", "--release"]))?;
    let dist = tc.root.join("dist");
    remove_serve_nonce(&dist.join("index.html"))?;
    minify_js_glue(tc, &dist)?;
    report_sizes(&dist)?;
    Ok(dist)
}

/// Trunk's nonce placeholder (Trunk.toml `create_nonce`).
const NONCE_PLACEHOLDER: &str = "{{__TRUNK NONCE__}}";

/// Removes the nonce placeholder that lets `trunk serve` run its autoreload
/// script: a nonce that never changes would let any inline script run, and
/// the release page has none.
fn remove_serve_nonce(index: &Path) -> Result<(), String> {
    let html =
        fs::read_to_string(index).map_err(|e| format!("cannot read {}: {e}", index.display()))?;
    let html = html
        .replace(&format!(" 'nonce-{NONCE_PLACEHOLDER}'"), "")
        .replace(&format!(" nonce=\"{NONCE_PLACEHOLDER}\""), "");
    if html.contains(NONCE_PLACEHOLDER) {
        return Err(format!(
            "{} still holds Trunk's nonce placeholder {NONCE_PLACEHOLDER} where xtask does not expect it",
            index.display()
        ));
    }
    fs::write(index, html).map_err(|e| format!("cannot write {}: {e}", index.display()))
}

/// Minifies wasm-bindgen's web.js in place (Trunk's minifier cannot parse it
/// and copies it unchanged). Size (issue #5): 42966 -> 19083 bytes, 7749 -> 5846
/// gzipped. Property names (the wasm imports) are kept: only locals are mangled.
fn minify_js_glue(tc: &Toolchain, dist: &Path) -> Result<(), String> {
    step("terser: minify dist/web.js");
    let js = dist.join("web.js");
    run(tc
        .command("terser")
        .arg(&js)
        .args(["--module", "--compress", "--mangle", "--output"])
        .arg(&js))
}

/// Prints what a browser downloads from dist/, raw and gzipped.
pub fn report_sizes(dist: &Path) -> Result<(), String> {
    let mut files = Vec::new();
    collect(dist, &mut files)?;
    files.sort();
    let (mut raw_total, mut gz_total) = (0usize, 0usize);
    println!("\n{:<48} {:>10} {:>10}", "dist/", "bytes", "gzipped");
    for file in &files {
        let bytes = fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let gz = gzipped_len(&bytes);
        raw_total += bytes.len();
        gz_total += gz;
        let name = file
            .strip_prefix(dist)
            .unwrap_or(file)
            .display()
            .to_string();
        println!("{name:<48} {:>10} {gz:>10}", bytes.len());
    }
    println!("{:<48} {raw_total:>10} {gz_total:>10}", "total");
    Ok(())
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Bytes after gzip at its best compression (what the size targets count).
pub fn gzipped_len(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(bytes)
        .expect("writing to a Vec cannot fail");
    encoder
        .finish()
        .expect("finishing into a Vec cannot fail")
        .len()
}

//! The site: `cargo xtask serve` for development, `trunk build --release` into dist/.

use crate::devsite::{read_page, write_site};
use crate::progress::{wait_all, Clock, Job};
use crate::server::FolderServer;
use crate::tools::{run, step, Need, Toolchain, TRUNK_VERSION, WASM_TARGET};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The development build's settings, for the fast path's `cargo build` and
/// for the `trunk serve` xtask starts (so Trunk's first build finds it done).
/// Measured on the web crate, cold, 2 cores: opt-level 1 costs about 20 %
/// more CPU than 0 (135 vs 112 CPU-seconds) for a wasm half the size, and
/// the page keeps the release budgets of tests/tests/perf.rs (first render
/// 637 ms, p95 script time per frame 10.2 ms; at opt-level 0: 782 ms and
/// 16.9 ms, over the 16 ms budget). Without debug info the build is faster
/// and the wasm smaller (wasm-bindgen strips it anyway).
pub const DEV_PROFILE: [(&str, &str); 2] = [
    ("CARGO_PROFILE_DEV_OPT_LEVEL", "1"),
    ("CARGO_PROFILE_DEV_DEBUG", "false"),
];

/// `cargo xtask serve [trunk serve args]`: `trunk serve` (reload on save)
/// when Trunk is installed; otherwise the page first, built without Trunk,
/// and Trunk after it.
pub fn serve(extra: &[String]) -> Result<(), String> {
    let clock = Clock::start();
    let tc = Toolchain::locate()?;
    if tc.has_trunk() {
        let tc = Toolchain::ensure(Need::Site)?;
        fetch(&tc)?;
        return trunk_serve(&clock, &tc, extra);
    }
    clock.say(&format!(
        "Trunk {TRUNK_VERSION} is not installed: the page comes first (built with cargo and \
         wasm-bindgen, served by xtask), Trunk is built after it"
    ));
    tc.ensure_rust_target(WASM_TARGET)?;
    tc.check_trunk_toml_pins()?;
    let address = format!("127.0.0.1:{}", port(extra)?);

    let workers = read_page(&tc.root)?.workers;
    let mut jobs = vec![web_build(&clock, &tc, &workers)?];
    if !tc.has_wasm_bindgen() {
        jobs.push(tc.install_wasm_bindgen(&clock)?);
    }
    // Trunk starts, at the lowest priority, once cargo got past resolving and
    // downloading in the other jobs (it holds a lock on the package cache till
    // then): it takes what the page's builds leave of the CPU.
    let mut trunk_started = false;
    wait_all(&clock, &mut jobs, |jobs| {
        if !trunk_started && jobs.iter_mut().all(|j| j.poll().is_some() || j.compiling()) {
            trunk_started = true;
            jobs.push(tc.install_trunk(&clock, true)?.in_background(true));
        }
        Ok(())
    })?;

    let site = tc.target_dir().join("dev-site");
    let bindgen_out = tc.target_dir().join("xtask/bindgen");
    clock.say("wasm-bindgen --target web: web.js and web_bg.wasm");
    run(tc
        .command("wasm-bindgen")
        .args(["--target", "web", "--out-name", "web", "--no-typescript"])
        .arg("--out-dir")
        .arg(&bindgen_out)
        .arg(tc.target_dir().join(WASM_TARGET).join("debug/web.wasm")))?;
    for worker in &workers {
        // Workers load with importScripts: the no-modules glue (Trunk's default for workers).
        run(tc
            .command("wasm-bindgen")
            .args([
                "--target",
                "no-modules",
                "--out-name",
                worker,
                "--no-typescript",
            ])
            .arg("--out-dir")
            .arg(&bindgen_out)
            .arg(
                tc.target_dir()
                    .join(WASM_TARGET)
                    .join(format!("debug/{worker}.wasm")),
            ))?;
    }
    write_site(&tc.root, &site, &bindgen_out)?;
    let server = FolderServer::start(&address, site.clone())?;
    clock.say(&format!(
        "the playground is ready: open http://{address}/ (a development build, from {}; \
         Ctrl-C stops it)",
        site.display()
    ));
    // After the page is up: removing hundreds of MB takes seconds.
    tc.tidy_install_dirs();

    let trunk = match jobs.pop() {
        Some(job) if trunk_started => job.in_background(false),
        _ => tc.install_trunk(&clock, true)?,
    };
    clock.say(
        "when Trunk is built, xtask switches to `trunk serve` at the same address: \
         reload the page then, and from then on it reloads whenever you save a file",
    );
    let mut trunk_jobs = vec![trunk];
    if let Err(e) = wait_all(&clock, &mut trunk_jobs, |_| Ok(())) {
        eprintln!("\nxtask: Trunk could not be built: {e}");
        clock.say(&format!(
            "the page stays served at http://{address}/ without reload on save; \
             `cargo xtask setup` tries the Trunk install again (Ctrl-C stops serving)"
        ));
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
    clock.say("Trunk is installed: removing its build folder, then switching to `trunk serve`");
    tc.tidy_install_dirs();
    server.stop();
    fetch(&tc)?;
    trunk_serve(&clock, &tc, extra)
}

/// `trunk serve` with the development build's settings.
fn trunk_serve(clock: &Clock, tc: &Toolchain, extra: &[String]) -> Result<(), String> {
    clock.say(&format!(
        "trunk serve at http://127.0.0.1:{}/ (reloads the page when you save a file; Ctrl-C stops it)",
        port(extra)?
    ));
    let mut cmd = tc.command("trunk");
    cmd.arg("serve").args(extra).envs(DEV_PROFILE);
    run(&mut cmd)
}

/// Starts the development build of the web app and its workers (what
/// `trunk serve` builds).
fn web_build(clock: &Clock, tc: &Toolchain, workers: &[String]) -> Result<Job, String> {
    let log = tc.target_dir().join("xtask/logs/web-build.log");
    clock.say(&format!(
        "building the web app for {WASM_TARGET} (cargo build, development profile at \
         opt-level 1; log: {})",
        log.display()
    ));
    let mut cmd: Command = tc.command("cargo");
    cmd.args([
        "build",
        "-p",
        "web",
        "--bin",
        "web",
        "--target",
        WASM_TARGET,
    ])
    .args(workers.iter().flat_map(|w| ["--bin", w.as_str()]))
    .envs(DEV_PROFILE);
    Job::spawn("building the web app", &mut cmd, log)
}

/// The port of `--port N` or `--port=N` among trunk serve's arguments, else
/// Trunk.toml's 8080.
fn port(extra: &[String]) -> Result<u16, String> {
    let mut args = extra.iter();
    while let Some(arg) = args.next() {
        let value = match arg.strip_prefix("--port") {
            Some("") => args.next().map(String::as_str),
            Some(rest) => rest.strip_prefix('='),
            None => continue,
        };
        return value
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("`{arg}`: expected a port number"));
    }
    Ok(8080)
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
    let html = strip_nonce(&html).map_err(|e| format!("{}: {e}", index.display()))?;
    fs::write(index, html).map_err(|e| format!("cannot write {}: {e}", index.display()))
}

/// The page without Trunk's nonce placeholder (in the CSP and on tags).
pub fn strip_nonce(html: &str) -> Result<String, String> {
    let html = html
        .replace(&format!(" 'nonce-{NONCE_PLACEHOLDER}'"), "")
        .replace(&format!(" nonce=\"{NONCE_PLACEHOLDER}\""), "");
    if html.contains(NONCE_PLACEHOLDER) {
        return Err(format!(
            "the page still holds Trunk's nonce placeholder {NONCE_PLACEHOLDER} where xtask does not expect it"
        ));
    }
    Ok(html)
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

/// Prints what a browser downloads from dist/, raw and gzipped: what the
/// page loads first, then apart what it loads only when asked to (a worker).
pub fn report_sizes(dist: &Path) -> Result<(), String> {
    let mut files = Vec::new();
    collect(dist, &mut files)?;
    files.sort();
    let workers = worker_names(&files);
    let (on_demand, first): (Vec<_>, Vec<_>) = files.iter().partition(|f| {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        workers.iter().any(|w| is_worker_file(name, w))
    });
    println!("\n{:<48} {:>10} {:>10}", "dist/", "bytes", "gzipped");
    print_rows(
        dist,
        &first,
        "total (the first load; the embed example included)",
    )?;
    if !on_demand.is_empty() {
        println!("\nloaded only when a hunt starts (the worker):");
        print_rows(dist, &on_demand, "worker total")?;
    }
    Ok(())
}

fn print_rows(dist: &Path, files: &[&PathBuf], total: &str) -> Result<(), String> {
    let (mut raw_total, mut gz_total) = (0usize, 0usize);
    for file in files {
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
    println!("{total:<48} {raw_total:>10} {gz_total:>10}");
    Ok(())
}

/// The workers in a built site: each has a `NAME_loader.js` (Trunk's
/// `data-loader-shim`).
pub fn worker_names(files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .filter_map(|f| f.file_name()?.to_str()?.strip_suffix("_loader.js"))
        .map(String::from)
        .collect()
}

/// Whether `file` is one of worker `name`'s three files.
pub fn is_worker_file(file: &str, name: &str) -> bool {
    [".js", "_bg.wasm", "_loader.js"]
        .iter()
        .any(|suffix| file.strip_prefix(name) == Some(suffix))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_port_comes_from_trunk_serve_arguments() {
        assert_eq!(port(&[]), Ok(8080));
        assert_eq!(port(&args(&["--port", "9000"])), Ok(9000));
        assert_eq!(port(&args(&["--open", "--port=9001"])), Ok(9001));
        assert!(port(&args(&["--port"])).is_err());
        assert!(port(&args(&["--port=x"])).is_err());
    }

    #[test]
    fn a_worker_is_counted_apart_from_the_first_load() {
        let files: Vec<PathBuf> = [
            "web.js",
            "web_bg.wasm",
            "hunt_worker.js",
            "hunt_worker_bg.wasm",
            "hunt_worker_loader.js",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        assert_eq!(worker_names(&files), ["hunt_worker"]);
        assert!(is_worker_file("hunt_worker_bg.wasm", "hunt_worker"));
        assert!(is_worker_file("hunt_worker_loader.js", "hunt_worker"));
        assert!(!is_worker_file("web_bg.wasm", "hunt_worker"));
        assert!(!is_worker_file("hunt_worker_extra.js", "hunt_worker"));
    }

    #[test]
    fn the_release_page_loses_the_nonce_placeholder() {
        let page = strip_nonce(include_str!("../../index.html")).unwrap();
        assert!(page.contains("script-src 'self' 'wasm-unsafe-eval'; style-src"));
        assert!(strip_nonce("<p>{{__TRUNK NONCE__}}</p>").is_err());
    }
}

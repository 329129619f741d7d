//! `cargo xtask size-floor`: how small the site could be at best. Builds the
//! programs in tools/size-floor/ the way Trunk builds the site and prints their
//! gzipped sizes beside the site's.

use crate::site::{gzipped_len, report_sizes};
use crate::tools::{run, step, Need, Toolchain, WASM_TARGET};
use std::fs;
use std::path::Path;

/// (package, what it holds).
const PROGRAMS: [(&str, &str); 3] = [
    ("size-floor-yew", "Yew, one button"),
    ("size-floor-core", "raft-core as the page runs it, no UI"),
    ("size-floor-yew-and-core", "Yew + raft-core, one text field"),
];

pub fn size_floor() -> Result<(), String> {
    let tc = Toolchain::ensure(Need::Site)?;
    let opt_params = wasm_opt_params(&tc.root.join("index.html"))?;
    step("cargo build --profile web-release (the site's profile) of tools/size-floor/");
    let mut build = tc.command("cargo");
    build.args(["build", "--profile", "web-release", "--target", WASM_TARGET]);
    for (package, _) in PROGRAMS {
        build.args(["-p", package]);
    }
    run(&mut build)?;
    let built = tc.root.join("target").join(WASM_TARGET).join("web-release");
    let out = tc.root.join("target/size-floor");
    let mut rows = Vec::new();
    for (package, what) in PROGRAMS {
        // A binary keeps its package's hyphens; a library's file has underscores.
        let stem = [package.to_string(), package.replace('-', "_")]
            .into_iter()
            .find(|stem| built.join(format!("{stem}.wasm")).exists())
            .ok_or_else(|| format!("{package}: no .wasm in {}", built.display()))?;
        step(&format!(
            "wasm-bindgen and wasm-opt {opt_params}: {package}"
        ));
        run(tc
            .command("wasm-bindgen")
            .args(["--target", "web", "--out-dir"])
            .arg(&out)
            .arg(built.join(format!("{stem}.wasm"))))?;
        let wasm = out.join(format!("{stem}_bg.wasm"));
        run(tc
            .command("wasm-opt")
            .arg("-Oz")
            .args(opt_params.split_whitespace())
            .arg(&wasm)
            .arg("-o")
            .arg(&wasm))?;
        let gz = |path: &Path| {
            fs::read(path)
                .map(|b| gzipped_len(&b))
                .map_err(|e| format!("cannot read {}: {e}", path.display()))
        };
        rows.push((
            package,
            what,
            gz(&wasm)?,
            gz(&out.join(format!("{stem}.js")))?,
        ));
    }
    println!(
        "\n{:<26} {:<40} {:>10} {:>10}",
        "gzipped bytes", "", "wasm", "wasm + js"
    );
    for (package, what, wasm, js) in rows {
        println!("{package:<26} {what:<40} {wasm:>10} {:>10}", wasm + js);
    }
    let dist = tc.root.join("dist");
    if dist.join("index.html").exists() {
        println!("\nThe site as built in dist/ (`cargo xtask dist`):");
        report_sizes(&dist)?;
    }
    Ok(())
}

/// `data-wasm-opt-params` of index.html's Rust link: the flags Trunk adds to
/// `-Oz` (`data-wasm-opt="z"`), so the floor is optimised like the site.
fn wasm_opt_params(index: &Path) -> Result<String, String> {
    let html =
        fs::read_to_string(index).map_err(|e| format!("cannot read {}: {e}", index.display()))?;
    let attr = "data-wasm-opt-params=\"";
    let start = html
        .find(attr)
        .ok_or_else(|| format!("{} has no {attr}…\"", index.display()))?
        + attr.len();
    let len = html[start..]
        .find('"')
        .ok_or_else(|| format!("{}: unterminated {attr}", index.display()))?;
    Ok(html[start..start + len].to_string())
}

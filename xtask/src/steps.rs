//! `cargo xtask test`: every check CI runs, in order, stopping at the first failure.

use crate::progress::Clock;
use crate::site;
use crate::tools::{
    run, step, Need, Toolchain, CHROMEDRIVER, CHROMIUM, NO_STD_TARGET, WASM_TARGET,
};
use std::time::Instant;

pub fn test_all() -> Result<(), String> {
    let started = Instant::now();
    let clock = Clock::start();
    // Steps 1 to 4 need neither Trunk, nor the wasm-bindgen CLI, nor a
    // browser: their installs run meanwhile (on a fresh machine they fill
    // the gaps where the native builds leave a core idle).
    let (tc, installs) = Toolchain::start_installs(&clock, Need::Everything)?;
    let clippy = ["--", "-D", "warnings"];

    step("[1/6] cargo fmt --all --check");
    run(tc.command("cargo").args(["fmt", "--all", "--check"]))?;

    step("[2/6] cargo clippy -D warnings (native, then wasm32)");
    run(tc
        .command("cargo")
        .args(["clippy", "--workspace", "--all-targets"])
        .args(clippy))?;
    run(tc
        .command("cargo")
        .args([
            "clippy",
            "-p",
            "raft-core",
            "--no-default-features",
            "--lib",
        ])
        .args(clippy))?;
    // raft-core's own tests use proptest, which needs std randomness: its
    // library is what runs in the browser, so that is what is linted for wasm.
    run(tc
        .command("cargo")
        .args([
            "clippy",
            "-p",
            "web",
            "--all-targets",
            "--target",
            WASM_TARGET,
        ])
        .args(clippy))?;
    run(tc
        .command("cargo")
        .args([
            "clippy",
            "-p",
            "raft-core",
            "--lib",
            "--target",
            WASM_TARGET,
        ])
        .args(clippy))?;

    step("[3/6] native tests of every crate");
    run(tc
        .command("cargo")
        .args(["test", "--workspace", "--exclude", "e2e"]))?;

    step(&format!(
        "[4/6] raft-core with no std at all ({NO_STD_TARGET})"
    ));
    run(tc.command("cargo").args([
        "build",
        "-p",
        "raft-core",
        "--no-default-features",
        "--target",
        NO_STD_TARGET,
    ]))?;
    run(tc
        .command("cargo")
        .args(["build", "-p", "raft-core", "--target", NO_STD_TARGET]))?;

    tc.finish_installs(&clock, installs)?;

    step("[5/6] wasm-bindgen-test suites in headless Chromium");
    run(tc
        .command("cargo")
        .args(["test", "-p", "web", "--target", WASM_TARGET])
        .env("CHROMEDRIVER", CHROMEDRIVER))?;

    step("[6/6] end-to-end tests against the release site");
    let dist = site::build_release(&tc)?;
    run(tc
        .command("cargo")
        .args(["test", "-p", "e2e", "--", "--test-threads=1"])
        .env("E2E_DIST", &dist)
        .env("E2E_AXE", tc.axe_script())
        .env("CHROMEDRIVER", CHROMEDRIVER)
        .env("CHROMIUM", CHROMIUM))?;

    println!(
        "\nxtask: all checks passed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

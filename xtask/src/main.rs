//! `cargo xtask <command>`: the project's two README commands and friends.
//!
//! Every command first installs what is missing (see `tools.rs`), says what it
//! is doing, and then runs the job. A second run installs nothing.

mod devsite;
mod floor;
mod progress;
mod server;
mod site;
mod steps;
mod tools;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  serve   install what is missing, then `trunk serve` at http://127.0.0.1:8080
  test    install what is missing, then run every check (what CI runs)
  dist    release build of the site into dist/, with its gzipped size
  setup   only install what is missing
  size-floor  the smallest a site with Yew and raft-core can be (tools/size-floor/)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => site::serve(&args[1..]),
        Some("test") => steps::test_all(),
        Some("dist") => site::dist().map(|_| ()),
        Some("size-floor") => floor::size_floor(),
        Some("setup") => tools::Toolchain::ensure(tools::Need::Everything).map(|_| ()),
        Some("-h" | "--help" | "help") | None => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nxtask: error: {message}");
            ExitCode::FAILURE
        }
    }
}

//! Finds or installs the toolchain listed in TOOLCHAIN.md: rust targets,
//! Trunk, the wasm-bindgen CLI (the exact Cargo.lock version), wasm-opt from
//! npm into the git-ignored `.tools/`, and Debian's Chromium + ChromeDriver.
//! Nothing is downloaded from anywhere but crates.io, npm and Debian.

use crate::progress::{wait_all, Clock, Job};
use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const TRUNK_VERSION: &str = "0.21.14";
pub const BINARYEN_VERSION: &str = "132";
pub const TERSER_VERSION: &str = "5.51.4";
/// axe-core, the accessibility rules the e2e suite runs in the page.
pub const AXE_VERSION: &str = "4.14.1";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Trunk's features this project uses: none of the defaults (`rustls` for
/// HTTPS downloads and proxies, `update_check` asking crates.io for a newer
/// Trunk). Trunk runs offline here and serves plain HTTP on loopback.
pub const TRUNK_FEATURES: [&str; 1] = ["--no-default-features"];
/// The wasm-bindgen CLI's features this project uses: none of the defaults
/// (`rustls-tls`, HTTPS for the test runner's WebDriver client, which only
/// talks to ChromeDriver on loopback). Saves compiling ring and rustls.
pub const WASM_BINDGEN_FEATURES: [&str; 1] = ["--no-default-features"];
/// Build settings for `cargo install` of the tools: Trunk's own release
/// profile asks for fat LTO in one codegen unit, a long single-threaded link
/// on 2 cores; the tools only need to be fast enough, not as fast as can be.
pub const INSTALL_PROFILE: [(&str, &str); 3] = [
    ("CARGO_PROFILE_RELEASE_LTO", "off"),
    ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
    ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1"),
];
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// A target with no `std` at all: building raft-core for it keeps the core honestly no_std.
pub const NO_STD_TARGET: &str = "thumbv7em-none-eabihf";

/// What a command needs installed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// serve / dist: the site build only.
    Site,
    /// test / setup: the site build, the no-std target and a browser.
    Everything,
}

/// The repository root and the PATH under which every tool is found.
pub struct Toolchain {
    pub root: PathBuf,
    pub path: String,
    pub wasm_bindgen_version: String,
}

impl Toolchain {
    /// Where everything is, without installing anything.
    pub fn locate() -> Result<Toolchain, String> {
        let root = repo_root();
        let cargo_bin = home_cargo_bin();
        let npm_bin = root.join(".tools/node_modules/.bin");
        let path = format!(
            "{}:{}:{}",
            npm_bin.display(),
            cargo_bin.display(),
            env::var("PATH").unwrap_or_default()
        );
        let wasm_bindgen_version = lockfile_version(&root, "wasm-bindgen")?;
        Ok(Toolchain {
            root,
            path,
            wasm_bindgen_version,
        })
    }

    /// Installs what `need` asks for and is missing.
    pub fn ensure(need: Need) -> Result<Toolchain, String> {
        let clock = Clock::start();
        let (tc, installs) = Toolchain::start_installs(&clock, need)?;
        tc.finish_installs(&clock, installs)?;
        Ok(tc)
    }

    /// Installs the quick things (rust targets, npm packages) and starts the
    /// long ones: the two `cargo install`s (Trunk, the wasm-bindgen CLI) and
    /// apt-get run side by side, their output in log files under
    /// `target/xtask/logs/`. [`Toolchain::finish_installs`] waits for them.
    pub fn start_installs(clock: &Clock, need: Need) -> Result<(Toolchain, Vec<Job>), String> {
        let tc = Toolchain::locate()?;
        tc.check_trunk_toml_pins()?;
        tc.ensure_rust_target(WASM_TARGET)?;
        if need == Need::Everything {
            tc.ensure_rust_target(NO_STD_TARGET)?;
        }
        let mut jobs = Vec::new();
        if !tc.has_wasm_bindgen() {
            jobs.push(tc.install_wasm_bindgen(clock)?);
        }
        if !tc.has_trunk() {
            jobs.push(tc.install_trunk(clock, false)?);
        }
        if need == Need::Everything {
            jobs.extend(tc.install_chromium(clock)?);
        }
        tc.ensure_wasm_opt()?;
        tc.ensure_terser()?;
        if need == Need::Everything {
            tc.ensure_axe()?;
        }
        Ok((tc, jobs))
    }

    /// Waits for what [`Toolchain::start_installs`] started, with a progress
    /// line every 15 s.
    pub fn finish_installs(&self, clock: &Clock, mut jobs: Vec<Job>) -> Result<(), String> {
        if !jobs.is_empty() {
            clock.say("waiting for the installs");
        }
        wait_all(clock, &mut jobs, |_| Ok(()))?;
        self.tidy_install_dirs();
        clock.say("toolchain ready");
        Ok(())
    }

    /// A command run from the repository root with the tool PATH.
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(&self.root).env("PATH", &self.path);
        cmd
    }

    /// The first line a tool prints for `--version`, if it runs at all.
    fn version_of(&self, program: &str) -> Option<String> {
        let out = self.command(program).arg("--version").output().ok()?;
        if !out.status.success() {
            return None;
        }
        let text = String::from_utf8_lossy(&out.stdout);
        Some(text.lines().next().unwrap_or("").trim().to_string())
    }

    pub fn ensure_rust_target(&self, target: &str) -> Result<(), String> {
        let out = self
            .command("rustup")
            .args(["target", "list", "--installed"])
            .output()
            .map_err(|e| format!("cannot run rustup: {e}"))?;
        if String::from_utf8_lossy(&out.stdout)
            .lines()
            .any(|l| l.trim() == target)
        {
            return Ok(());
        }
        step(&format!(
            "installing the Rust target {target} (rustup target add)"
        ));
        run(self.command("rustup").args(["target", "add", target]))
    }

    /// Trunk at the pinned version is on PATH.
    pub fn has_trunk(&self) -> bool {
        self.version_of("trunk").as_deref() == Some(&format!("trunk {TRUNK_VERSION}"))
    }

    /// The wasm-bindgen CLI at the Cargo.lock version (and its test runner).
    pub fn has_wasm_bindgen(&self) -> bool {
        let want = format!("wasm-bindgen {}", self.wasm_bindgen_version);
        self.version_of("wasm-bindgen").as_deref() == Some(want.as_str())
            && self.version_of("wasm-bindgen-test-runner").is_some()
    }

    /// Starts `cargo install trunk` (see [`INSTALL_PROFILE`] and
    /// [`TRUNK_FEATURES`]); `background` runs it at the lowest priority.
    pub fn install_trunk(&self, clock: &Clock, background: bool) -> Result<Job, String> {
        clock.say(&format!(
            "installing Trunk {TRUNK_VERSION} from crates.io{} \
             (about 5 minutes of 2 cores; log: {})",
            if background {
                " in the background, at low priority"
            } else {
                ""
            },
            self.install_log("trunk").display()
        ));
        let mut cmd = if background {
            let mut nice = self.command("nice");
            nice.args(["-n", "19", "cargo"]);
            nice
        } else {
            self.command("cargo")
        };
        cmd.args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"])
            .args(TRUNK_FEATURES);
        self.install_settings(&mut cmd, "trunk");
        Job::spawn(
            &format!("Trunk {TRUNK_VERSION}"),
            &mut cmd,
            self.install_log("trunk"),
        )
    }

    /// Starts `cargo install wasm-bindgen-cli` at the Cargo.lock version.
    pub fn install_wasm_bindgen(&self, clock: &Clock) -> Result<Job, String> {
        let version = &self.wasm_bindgen_version;
        clock.say(&format!(
            "installing wasm-bindgen-cli {version} (the version in Cargo.lock) from crates.io \
             (about 3 minutes of 2 cores; log: {})",
            self.install_log("wasm-bindgen-cli").display()
        ));
        let mut cmd = self.command("cargo");
        // Not --locked: a dependency pinned in its lockfile is gone from the registry.
        cmd.args(["install", "wasm-bindgen-cli", "--version", version])
            .args(WASM_BINDGEN_FEATURES);
        self.install_settings(&mut cmd, "wasm-bindgen-cli");
        Job::spawn(
            &format!("wasm-bindgen-cli {version}"),
            &mut cmd,
            self.install_log("wasm-bindgen-cli"),
        )
    }

    /// A target dir of its own per tool (so installs run side by side with
    /// each other and with the site's build, and an interrupted one resumes),
    /// and the faster build settings.
    fn install_settings(&self, cmd: &mut Command, krate: &str) {
        cmd.arg("--target-dir").arg(self.install_dir(krate));
        for (key, value) in INSTALL_PROFILE {
            cmd.env(key, value);
        }
    }

    /// cargo's target directory (CARGO_TARGET_DIR or `target/`).
    pub fn target_dir(&self) -> PathBuf {
        match env::var_os("CARGO_TARGET_DIR") {
            Some(dir) => self.root.join(dir),
            None => self.root.join("target"),
        }
    }

    fn install_dir(&self, krate: &str) -> PathBuf {
        self.target_dir().join("xtask/install").join(krate)
    }

    fn install_log(&self, krate: &str) -> PathBuf {
        self.target_dir()
            .join("xtask/logs")
            .join(format!("install-{krate}.log"))
    }

    /// Removes the build folders of the tools now installed (hundreds of MB).
    pub fn tidy_install_dirs(&self) {
        if self.has_trunk() {
            let _ = fs::remove_dir_all(self.install_dir("trunk"));
        }
        if self.has_wasm_bindgen() {
            let _ = fs::remove_dir_all(self.install_dir("wasm-bindgen-cli"));
        }
    }

    fn ensure_wasm_opt(&self) -> Result<(), String> {
        let ok = self
            .version_of("wasm-opt")
            .is_some_and(|v| v.contains(&format!("version {BINARYEN_VERSION}")));
        if ok && self.root.join(".tools/node_modules/.bin/wasm-opt").exists() {
            return Ok(());
        }
        self.npm_install("wasm-opt", "binaryen", BINARYEN_VERSION)
    }

    /// terser minifies wasm-bindgen's JS glue in `cargo xtask dist` (Trunk's
    /// own JS minifier cannot parse it).
    fn ensure_terser(&self) -> Result<(), String> {
        if self.version_of("terser").as_deref() == Some(&format!("terser {TERSER_VERSION}")) {
            return Ok(());
        }
        self.npm_install("terser", "terser", TERSER_VERSION)
    }

    /// axe-core for the e2e accessibility audit (`axe_script`).
    fn ensure_axe(&self) -> Result<(), String> {
        let manifest = self.root.join(".tools/node_modules/axe-core/package.json");
        let installed = fs::read_to_string(&manifest)
            .is_ok_and(|m| m.contains(&format!("\"version\": \"{AXE_VERSION}\"")));
        if installed && self.axe_script().exists() {
            return Ok(());
        }
        self.npm_install("axe-core", "axe-core", AXE_VERSION)
    }

    /// The axe-core script the e2e suite injects (`E2E_AXE`).
    pub fn axe_script(&self) -> PathBuf {
        self.root.join(".tools/node_modules/axe-core/axe.min.js")
    }

    /// `npm install --save-exact package@version` into the git-ignored `.tools/`.
    fn npm_install(&self, tool: &str, package: &str, version: &str) -> Result<(), String> {
        step(&format!(
            "installing {tool} (npm {package}@{version}) into .tools/ (git-ignored)"
        ));
        let tools = self.root.join(".tools");
        fs::create_dir_all(&tools)
            .map_err(|e| format!("cannot create {}: {e}", tools.display()))?;
        let manifest = tools.join("package.json");
        if !manifest.exists() {
            fs::write(
                &manifest,
                "{ \"name\": \"raft-playground-tools\", \"private\": true }\n",
            )
            .map_err(|e| format!("cannot write {}: {e}", manifest.display()))?;
        }
        run(self.command("npm").current_dir(&tools).args([
            "install",
            "--no-audit",
            "--no-fund",
            "--save-exact",
            &format!("{package}@{version}"),
        ]))
    }

    /// Starts apt-get for Chromium and ChromeDriver if they are missing.
    fn install_chromium(&self, clock: &Clock) -> Result<Option<Job>, String> {
        if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
            return Ok(None);
        }
        let is_root = Command::new("id")
            .arg("-u")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
            .unwrap_or(false);
        if !is_root {
            return Err(format!(
                "Chromium and ChromeDriver are missing ({CHROMIUM}, {CHROMEDRIVER}).\n\
                 Install them once with:\n\n    \
                 sudo apt-get install -y chromium chromium-driver\n"
            ));
        }
        let log = self.target_dir().join("xtask/logs/apt-chromium.log");
        clock.say(&format!(
            "installing Debian's chromium and chromium-driver with apt-get \
             (about 2 minutes; log: {})",
            log.display()
        ));
        let mut cmd = Command::new("sh");
        cmd.env("DEBIAN_FRONTEND", "noninteractive").args([
            "-c",
            "apt-get update && apt-get install -y chromium chromium-driver",
        ]);
        Job::spawn("apt-get install chromium", &mut cmd, log).map(Some)
    }

    /// Trunk.toml pins wasm-bindgen; a mismatch with Cargo.lock would make
    /// Trunk try to download another version, which fails offline.
    pub fn check_trunk_toml_pins(&self) -> Result<(), String> {
        let trunk_toml = fs::read_to_string(self.root.join("Trunk.toml"))
            .map_err(|e| format!("cannot read Trunk.toml: {e}"))?;
        let pinned = trunk_toml
            .lines()
            .find_map(|l| l.trim().strip_prefix("wasm_bindgen"))
            .and_then(|rest| rest.split('"').nth(1))
            .ok_or("Trunk.toml has no [tools] wasm_bindgen pin")?;
        if pinned != self.wasm_bindgen_version {
            return Err(format!(
                "Trunk.toml pins wasm_bindgen = \"{pinned}\" but Cargo.lock has {}; \
                 set Trunk.toml's [tools] wasm_bindgen to \"{}\"",
                self.wasm_bindgen_version, self.wasm_bindgen_version
            ));
        }
        Ok(())
    }
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the repository root")
        .to_path_buf()
}

fn home_cargo_bin() -> PathBuf {
    match env::var_os("CARGO_HOME") {
        Some(home) => PathBuf::from(home).join("bin"),
        None => {
            PathBuf::from(env::var("HOME").unwrap_or_else(|_| "/root".into())).join(".cargo/bin")
        }
    }
}

/// The version of a package as resolved in Cargo.lock.
fn lockfile_version(root: &Path, package: &str) -> Result<String, String> {
    let lock = fs::read_to_string(root.join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let wanted = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            if let Some(version) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
            {
                return Ok(version.trim_matches('"').to_string());
            }
        }
    }
    Err(format!("{package} is not in Cargo.lock"))
}

/// Prints a step header in the style of cargo's own output.
pub fn step(what: &str) {
    println!("\n==> {what}");
}

/// Runs a command with inherited output, failing with the command line on error.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    let shown = std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    let status = cmd
        .status()
        .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

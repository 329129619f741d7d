//! Finds or installs the toolchain listed in TOOLCHAIN.md: rust targets,
//! Trunk, the wasm-bindgen CLI (the exact Cargo.lock version), wasm-opt from
//! npm into the git-ignored `.tools/`, and Debian's Chromium + ChromeDriver.
//! Nothing is downloaded from anywhere but crates.io, npm and Debian.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

pub const TRUNK_VERSION: &str = "0.21.14";
pub const BINARYEN_VERSION: &str = "132";
pub const TERSER_VERSION: &str = "5.51.4";
/// axe-core, the accessibility rules the e2e suite runs in the page.
pub const AXE_VERSION: &str = "4.14.1";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
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
    pub fn ensure(need: Need) -> Result<Toolchain, String> {
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
        let tc = Toolchain {
            root,
            path,
            wasm_bindgen_version,
        };
        let started = Instant::now();
        tc.ensure_rust_target(WASM_TARGET)?;
        if need == Need::Everything {
            tc.ensure_rust_target(NO_STD_TARGET)?;
        }
        tc.ensure_trunk()?;
        tc.ensure_wasm_bindgen()?;
        tc.ensure_wasm_opt()?;
        tc.ensure_terser()?;
        if need == Need::Everything {
            tc.ensure_chromium()?;
            tc.ensure_axe()?;
        }
        tc.check_trunk_toml_pins()?;
        println!(
            "xtask: toolchain ready ({:.1} s)",
            started.elapsed().as_secs_f64()
        );
        Ok(tc)
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

    fn ensure_rust_target(&self, target: &str) -> Result<(), String> {
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

    fn ensure_trunk(&self) -> Result<(), String> {
        let want = format!("trunk {TRUNK_VERSION}");
        if self.version_of("trunk").as_deref() == Some(want.as_str()) {
            return Ok(());
        }
        step(&format!(
            "installing Trunk {TRUNK_VERSION} from crates.io (cargo install --locked; \
             about 10 minutes on 2 cores, cargo shows its progress below)"
        ));
        run(self.command("cargo").args([
            "install",
            "trunk",
            "--version",
            TRUNK_VERSION,
            "--locked",
        ]))
    }

    fn ensure_wasm_bindgen(&self) -> Result<(), String> {
        let want = format!("wasm-bindgen {}", self.wasm_bindgen_version);
        if self.version_of("wasm-bindgen").as_deref() == Some(want.as_str())
            && self.version_of("wasm-bindgen-test-runner").is_some()
        {
            return Ok(());
        }
        step(&format!(
            "installing wasm-bindgen-cli {} (the version in Cargo.lock) from crates.io \
             (about 4 minutes on 2 cores, cargo shows its progress below)",
            self.wasm_bindgen_version
        ));
        // Not --locked: a dependency pinned in its lockfile is gone from the registry.
        run(self.command("cargo").args([
            "install",
            "wasm-bindgen-cli",
            "--version",
            &self.wasm_bindgen_version,
        ]))
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

    fn ensure_chromium(&self) -> Result<(), String> {
        if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
            return Ok(());
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
        step("installing Debian's chromium and chromium-driver with apt-get (about 2 minutes)");
        run(Command::new("apt-get").arg("update"))?;
        run(Command::new("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y", "chromium", "chromium-driver"]))
    }

    /// Trunk.toml pins wasm-bindgen; a mismatch with Cargo.lock would make
    /// Trunk try to download another version, which fails offline.
    fn check_trunk_toml_pins(&self) -> Result<(), String> {
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

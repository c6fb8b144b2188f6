//! The Debian package, installed for real: `dpkg -i` on this machine, then the files, the
//! system user, the conffile, the state directory, the units as systemd reads them, and
//! that removing (and purging) the package keeps the requests in /var/lib/rightsbot.
//!
//! It needs what `scripts/package` builds (a release build, minutes on two cores), so it
//! runs only when a .deb is there: `$RIGHTSBOT_DEB`, else the newest
//! `rightsbot_<version>-*.deb` under the target directory's `debian/`. It needs root
//! (dpkg). Without either it says so and checks nothing; `scripts/test` decides whether
//! to build the package first.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The most `systemd-analyze security` may rate the units: "OK" ends at 2.0.
const EXPOSURE_LIMIT: f64 = 2.0;

fn package() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("RIGHTSBOT_DEB") {
        return Some(PathBuf::from(path));
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| support::repo().join("target"));
    let prefix = format!("rightsbot_{}-", env!("CARGO_PKG_VERSION"));
    std::fs::read_dir(target.join("debian"))
        .ok()?
        .filter_map(Result::ok)
        .filter(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            name.starts_with(&prefix) && name.ends_with(".deb")
        })
        .max_by_key(|entry| entry.metadata().and_then(|m| m.modified()).ok())
        .map(|entry| entry.path())
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Runs a command; returns its stdout, failing the test with stderr when it fails.
fn run(program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|err| panic!("cannot run {program}: {err}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{program} {args:?} failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn mode_and_owner(path: &str) -> String {
    run("stat", &["-c", "%a %U:%G", path]).trim().to_string()
}

/// The exposure `systemd-analyze security --offline=yes` gives a unit file.
fn exposure(unit: &Path) -> f64 {
    let unit = unit.to_string_lossy();
    let output = run(
        "systemd-analyze",
        &["security", "--offline=yes", "--no-pager", &unit],
    );
    let line = output
        .lines()
        .find(|line| line.contains("Overall exposure level"))
        .unwrap_or_else(|| panic!("no exposure level for {unit}:\n{output}"));
    line.split(':')
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|number| number.parse().ok())
        .unwrap_or_else(|| panic!("cannot read the level in {line:?}"))
}

/// Removes what installing created, whatever the test's outcome, when it was not there
/// before: the package, the state directory, the user.
struct Cleanup {
    had_state: bool,
    had_user: bool,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = Command::new("dpkg").args(["--purge", "rightsbot"]).output();
        if !self.had_state {
            let _ = std::fs::remove_dir_all("/var/lib/rightsbot");
        }
        if !self.had_user {
            let _ = Command::new("deluser")
                .args(["--quiet", "--system", "rightsbot"])
                .output();
        }
    }
}

fn user_exists() -> bool {
    Command::new("getent")
        .args(["passwd", "rightsbot"])
        .output()
        .is_ok_and(|output| output.status.success())
}

#[test]
fn the_package_installs_runs_as_its_user_and_keeps_the_store_on_removal() {
    let Some(deb) = package() else {
        eprintln!("no .deb (run scripts/package, or set RIGHTSBOT_DEB): package not checked");
        return;
    };
    if !is_root() {
        eprintln!(
            "not root: dpkg cannot install {}; package not checked",
            deb.display()
        );
        return;
    }
    let installed = Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", "rightsbot"])
        .output()
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).contains("installed"));
    assert!(
        !installed,
        "rightsbot is installed on this machine already; the test would remove it"
    );
    let _cleanup = Cleanup {
        had_state: Path::new("/var/lib/rightsbot").exists(),
        had_user: user_exists(),
    };
    let deb = deb.to_string_lossy().into_owned();

    run("dpkg", &["-i", &deb]);

    // The files.
    for file in [
        "/usr/bin/rightsbot",
        "/etc/rightsbot/rightsbot.toml",
        "/lib/systemd/system/rightsbot.service",
        "/lib/systemd/system/rightsbot@.service",
        "/usr/share/doc/rightsbot/README.md",
        "/usr/share/doc/rightsbot/ARCHITECTURE.md",
        "/usr/share/doc/rightsbot/deploy.md",
        "/usr/share/doc/rightsbot/config.example.toml",
        "/usr/share/doc/rightsbot/templates/fi/reply.txt",
        "/usr/share/doc/rightsbot/templates/sv/erasure.txt",
        "/usr/share/doc/rightsbot/templates/en/access.txt",
        "/usr/share/doc/rightsbot/rules/fi.toml",
    ] {
        assert!(Path::new(file).is_file(), "{file} is not installed");
    }
    // Stripped: no symbol table, no line tables or debug info (`.debug_gdb_scripts` is
    // loaded with the program and stays).
    let sections = run("readelf", &["-S", "--wide", "/usr/bin/rightsbot"]);
    assert!(
        [".symtab", ".debug_info", ".debug_line"]
            .iter()
            .all(|section| !sections.contains(section)),
        "/usr/bin/rightsbot is not stripped:\n{sections}"
    );
    assert_eq!(
        run("/usr/bin/rightsbot", &["deadline", "2026-01-31"]).trim(),
        "2026-03-02"
    );

    // The system user, with the state directory as home and no login.
    let user = run("getent", &["passwd", "rightsbot"]);
    let fields: Vec<&str> = user.trim().split(':').collect();
    let uid: u32 = fields[2].parse().expect("uid");
    assert!(uid < 1000, "not a system user: {user}");
    assert_eq!(fields[5], "/var/lib/rightsbot", "{user}");
    assert!(
        fields[6].ends_with("nologin") || fields[6].ends_with("false"),
        "{user}"
    );

    // The config is a conffile, readable by the service and no one else.
    let conffiles = run("dpkg-query", &["-W", "-f=${Conffiles}", "rightsbot"]);
    assert!(
        conffiles.contains("/etc/rightsbot/rightsbot.toml"),
        "not a conffile: {conffiles:?}"
    );
    assert_eq!(
        mode_and_owner("/etc/rightsbot/rightsbot.toml"),
        "640 root:rightsbot"
    );

    // The state directory, the service user's alone, and empty: installing never runs
    // rightsbot, so no store was opened or migrated.
    assert_eq!(
        mode_and_owner("/var/lib/rightsbot"),
        "700 rightsbot:rightsbot"
    );
    let state: Vec<_> = std::fs::read_dir("/var/lib/rightsbot")
        .expect("state directory")
        .collect();
    assert!(
        _cleanup.had_state || state.is_empty(),
        "postinst left {state:?}"
    );

    // The units as systemd reads them, and the sandbox's rating. The template is checked
    // as an instance, as systemd would load it.
    run(
        "systemd-analyze",
        &["verify", "/lib/systemd/system/rightsbot.service"],
    );
    let units = tempfile::tempdir().expect("temp dir");
    let instance = units.path().join("rightsbot@acme.service");
    std::fs::copy("/lib/systemd/system/rightsbot@.service", &instance).expect("copy");
    run("systemd-analyze", &["verify", &instance.to_string_lossy()]);
    for unit in [
        Path::new("/lib/systemd/system/rightsbot.service"),
        &instance,
    ] {
        let level = exposure(unit);
        assert!(
            level <= EXPOSURE_LIMIT,
            "{} is rated {level}, above {EXPOSURE_LIMIT}",
            unit.display()
        );
    }

    // The packaged config, as the service user: it parses, and its store can be made in
    // the state directory (owned by that user).
    let check = run(
        "setpriv",
        &[
            "--reuid=rightsbot",
            "--regid=rightsbot",
            "--clear-groups",
            "--",
            "/usr/bin/rightsbot",
            "--config",
            "/etc/rightsbot/rightsbot.toml",
            "config",
            "check",
        ],
    );
    assert!(check.starts_with("config ok"), "{check}");
    assert!(
        check.contains(
            "password from the systemd credential imap ($CREDENTIALS_DIRECTORY is not set here"
        ),
        "{check}"
    );
    let store = Path::new("/var/lib/rightsbot/rightsbot.db");
    assert!(store.is_file());

    // Installing again (an upgrade, to dpkg) keeps the edited config and leaves the
    // store alone.
    let edited = format!(
        "{}\n# edited by the administrator\n",
        std::fs::read_to_string("/etc/rightsbot/rightsbot.toml").expect("config")
    );
    std::fs::write("/etc/rightsbot/rightsbot.toml", &edited).expect("edit the config");
    let stored = std::fs::read(store).expect("store");
    run("dpkg", &["-i", &deb]);
    assert_eq!(
        std::fs::read_to_string("/etc/rightsbot/rightsbot.toml").expect("config"),
        edited
    );
    assert_eq!(
        mode_and_owner("/etc/rightsbot/rightsbot.toml"),
        "640 root:rightsbot"
    );
    assert!(
        std::fs::read(store).expect("store") == stored,
        "the upgrade touched the store"
    );

    // Removing keeps the store (and the config); purging drops the config, not the store.
    run("dpkg", &["-r", "rightsbot"]);
    assert!(!Path::new("/usr/bin/rightsbot").exists());
    assert!(Path::new("/var/lib/rightsbot/rightsbot.db").is_file());
    assert_eq!(
        mode_and_owner("/var/lib/rightsbot"),
        "700 rightsbot:rightsbot"
    );
    assert!(Path::new("/etc/rightsbot/rightsbot.toml").is_file());
    run("dpkg", &["--purge", "rightsbot"]);
    assert!(!Path::new("/etc/rightsbot/rightsbot.toml").exists());
    assert!(Path::new("/var/lib/rightsbot/rightsbot.db").is_file());
}

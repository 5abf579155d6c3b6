//! Sets `cfg(chromium)` when both `chromium` and `chromedriver` are on PATH, and `cfg(tmux)`
//! when `tmux` is, so the browser tests in `tests/web_pages.rs` and the lobby display test in
//! `tests/lobby_display.rs` run where they can and are reported as ignored, by name, where they
//! cannot (never silently passed); likewise `cfg(postgres)` when `QUEUE_TEST_POSTGRES` names a
//! PostgreSQL cluster for the tests.

use std::env;
use std::path::Path;

fn on_path(program: &str) -> bool {
    env::var_os("PATH")
        .is_some_and(|paths| env::split_paths(&paths).any(|dir| is_executable(&dir.join(program))))
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

fn main() {
    println!("cargo::rustc-check-cfg=cfg(chromium)");
    println!("cargo::rustc-check-cfg=cfg(tmux)");
    println!("cargo::rustc-check-cfg=cfg(postgres)");
    println!("cargo::rerun-if-env-changed=QUEUE_TEST_POSTGRES");
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rerun-if-changed=build.rs");
    if on_path("chromium") && on_path("chromedriver") {
        println!("cargo::rustc-cfg=chromium");
    }
    if on_path("tmux") {
        println!("cargo::rustc-cfg=tmux");
    }
    // A PostgreSQL cluster for the tests (`.ci/postgres` starts one and names it).
    if env::var_os("QUEUE_TEST_POSTGRES").is_some_and(|url| !url.is_empty()) {
        println!("cargo::rustc-cfg=postgres");
    }
}

//! Sets `cfg(postgres)` when `QUEUE_TEST_POSTGRES` names a PostgreSQL cluster for the tests
//! (`.ci/postgres` starts one), so the store's and the server's PostgreSQL tests run where
//! they can and are reported as ignored, by name, where they cannot (never silently passed).

fn main() {
    println!("cargo::rustc-check-cfg=cfg(postgres)");
    println!("cargo::rerun-if-env-changed=QUEUE_TEST_POSTGRES");
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var_os("QUEUE_TEST_POSTGRES").is_some_and(|url| !url.is_empty()) {
        println!("cargo::rustc-cfg=postgres");
    }
}

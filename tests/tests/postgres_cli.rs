//! The command line on a PostgreSQL database (issue 18): `token`, `stats` and `calendar` work
//! with `--database postgres://…` (or `QUEUE_DATABASE_URL`) as they do on the data directory's
//! SQLite file, beside a running server on that database; `backup` refuses a PostgreSQL
//! database with the pg_dump advice and writes nothing. The real binary, a real cluster.
//! The tests that need a cluster are ignored, by name, without one (`QUEUE_TEST_POSTGRES`,
//! see `.ci/postgres`); the others need no database at all.

mod common;

use common::{OPEN_DAY, Server, Staff};

const TICKETS: &str = "/api/v1/offices/main/tickets";

/// An issue with `token` and its status.
async fn issue_status(server: &Server, token: &str) -> u16 {
    Staff::new(server, token)
        .post(TICKETS, Some(serde_json::json!({ "service": "renewal" })))
        .await
        .0
}

/// The `token list` line of a token, split at its tabs.
fn listed<'a>(list: &'a str, name: &str) -> Option<Vec<&'a str>> {
    list.lines()
        .map(|line| line.split('\t').collect::<Vec<_>>())
        .find(|cells| cells.first() == Some(&name))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres),
    ignore = "needs a PostgreSQL cluster: QUEUE_TEST_POSTGRES (see .ci/postgres)"
)]
async fn token_create_list_and_revoke_work_on_a_postgres_database_beside_its_servers() {
    let database = common::fresh_postgres();
    let db = database.as_str();

    // Before any server: the database has no schema, and the CLI makes none by itself.
    let (code, stdout, stderr) = common::queue_server(&["token", "list", "--database", db]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stderr.contains("there is no database at"), "{stderr}");
    let (code, _, stderr) = common::queue_server(&[
        "token",
        "create",
        "--role",
        "issuer",
        "--name",
        "early",
        "--database",
        db,
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("--create-database"), "{stderr}");
    // …unless asked to: a token before the first start.
    let (code, early, stderr) = common::queue_server(&[
        "token",
        "create",
        "--role",
        "issuer",
        "--name",
        "early",
        "--create-database",
        "--database",
        db,
    ]);
    assert_eq!(code, 0, "{stderr}");
    let early = early.trim().to_string();
    assert!(early.starts_with("qs_"), "{early}");

    // The server on that database (the schema is there: it migrates nothing new) finds a token
    // already, so it mints no first admin token; the early token works on it.
    let dirs = [
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    ];
    let args = ["--now", OPEN_DAY, "--database", db];
    let a = Server::start(dirs[0].path(), &args);
    assert!(
        a.admin_token.is_none(),
        "a store with a token gets no admin token"
    );
    assert_eq!(issue_status(&a, &early).await, 201);

    // Tokens made while the server runs, through the environment as a unit sets it, work on
    // every instance of the database at once.
    let output = std::process::Command::new(common::binary("queue-server"))
        .args(["token", "create", "--role", "counter", "--name", "window-1"])
        .args(["--office", "main", "--expires", "2099-12-31"])
        .env("QUEUE_DATABASE_URL", db)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run queue-server");
    assert!(output.status.success(), "{output:?}");
    let window = String::from_utf8_lossy(&output.stdout).trim().to_string();
    let b = Server::start(dirs[1].path(), &args);
    for server in [&a, &b] {
        let (status, list) = Staff::new(server, &window).get(TICKETS).await;
        assert_eq!(status, 200, "{list}");
    }

    // With the default log level (no RUST_LOG, as an operator runs it) stderr stays quiet:
    // PostgreSQL's notices (`relation "_sqlx_migrations" already exists`) are not news.
    let output = std::process::Command::new(common::binary("queue-server"))
        .args(["token", "list", "--database", db])
        .env_remove("RUST_LOG")
        .output()
        .expect("run queue-server");
    assert!(output.status.success(), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    let list = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(
        list.lines().next(),
        Some("NAME\tROLE\tOFFICE\tCREATED\tEXPIRES\tSTATE")
    );
    assert_eq!(list.lines().count(), 3, "{list}");
    let line = listed(&list, "early").expect("early listed");
    assert_eq!(
        (line[1], line[2], line[4], line[5]),
        ("issuer", "all", "never", "active")
    );
    let line = listed(&list, "window-1").expect("window-1 listed");
    assert_eq!(
        (line[1], line[2], line[4], line[5]),
        ("counter", "main", "2100-01-01T00:00:00+09:00", "active")
    );

    // Revoked from the command line: refused at once by both instances.
    let (code, _, stderr) = common::queue_server(&["token", "revoke", "early", "--database", db]);
    assert_eq!(code, 0, "{stderr}");
    for server in [&a, &b] {
        assert_eq!(issue_status(server, &early).await, 401);
    }
    let (code, list, _) = common::queue_server(&["token", "list", "--database", db]);
    assert_eq!(code, 0);
    let line = listed(&list, "early").expect("early still listed");
    assert!(line[5].starts_with("revoked "), "{list}");
    let (code, _, stderr) = common::queue_server(&["token", "revoke", "nobody", "--database", db]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("no active token named \"nobody\""),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres),
    ignore = "needs a PostgreSQL cluster: QUEUE_TEST_POSTGRES (see .ci/postgres)"
)]
async fn stats_on_a_postgres_database_counts_the_tickets_of_both_instances() {
    let database = common::fresh_postgres();
    let db = database.as_str();
    let dirs = [
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    ];
    let args = ["--now", OPEN_DAY, "--database", db];
    let a = Server::start(dirs[0].path(), &args);
    let b = Server::start(dirs[1].path(), &args);
    let admin = a.admin();
    for (server, service) in [
        (&a, "renewal"),
        (&b, "renewal"),
        (&b, "legal_representative"),
    ] {
        Staff::new(server, &admin).issue(service).await;
    }

    let stats = |extra: &[&str]| {
        let mut args = vec![
            "stats",
            "--office",
            "main",
            "--from",
            "2026-12-01",
            "--csv",
            "--now",
            "2026-12-01T10:30:00+09:00",
            "--database",
            db,
        ];
        args.extend_from_slice(extra);
        let (code, stdout, stderr) = common::queue_server(&args);
        assert_eq!(code, 0, "{stderr}");
        stdout
    };
    let csv = stats(&[]);
    let header: Vec<&str> = csv.lines().next().expect("a header").split(',').collect();
    let column = |name: &str| header.iter().position(|c| *c == name).expect(name);
    let ten: Vec<&str> = csv
        .lines()
        .find(|line| line.starts_with("2026-12-01,10,"))
        .expect("the 10:00 hour")
        .split(',')
        .collect();
    assert_eq!(ten[column("issued")], "3", "{csv}");
    assert_eq!(ten[column("called")], "0", "{csv}");

    let by_service = stats(&["--by-service"]);
    let issued_for = |service: &str| {
        by_service
            .lines()
            .find(|line| line.starts_with(&format!("2026-12-01,10,{service},")))
            .map(|line| line.split(',').nth(3).unwrap_or_default().to_string())
    };
    assert_eq!(issued_for("renewal").as_deref(), Some("2"), "{by_service}");
    assert_eq!(
        issued_for("legal_representative").as_deref(),
        Some("1"),
        "{by_service}"
    );

    // The table form reads the same database.
    let (code, table, stderr) = common::queue_server(&[
        "stats",
        "--from",
        "2026-12-01",
        "--now",
        "2026-12-01T10:30:00+09:00",
        "--database",
        db,
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        table.lines().any(|l| l.starts_with("2026-12-01\t10\t3\t")),
        "{table}"
    );
}

#[test]
#[cfg_attr(
    not(postgres),
    ignore = "needs a PostgreSQL cluster: QUEUE_TEST_POSTGRES (see .ci/postgres)"
)]
fn stats_and_token_refuse_a_postgres_database_without_our_schema_and_make_none() {
    let database = common::fresh_postgres();
    for args in [
        vec!["stats", "--from", "2026-12-01", "--database", &database],
        vec!["token", "list", "--database", &database],
    ] {
        let (code, stdout, stderr) = common::queue_server(&args);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{stdout}");
        assert!(stderr.contains("there is no database at"), "{stderr}");
    }
    // Still no schema: the refused commands made nothing.
    let (code, _, stderr) = common::queue_server(&["token", "list", "--database", &database]);
    assert_eq!(code, 1);
    assert!(stderr.contains("there is no database at"), "{stderr}");
}

#[test]
fn calendar_works_whatever_database_is_configured() {
    let calendar = ["calendar", "--from", "2026-12-28", "--to", "2027-01-05"];
    let (code, plain, stderr) = common::queue_server(&calendar);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(plain.lines().count(), 9, "{plain}");
    // The calendar is the configuration's, not the database's: given a PostgreSQL database
    // (no server listening there at all), on the command line or in the environment as a
    // systemd unit sets it, it prints the same days and connects to nothing.
    let unreachable = "postgres://queue@127.0.0.1:1/queue";
    let mut with_flag = calendar.to_vec();
    with_flag.extend(["--database", unreachable]);
    let (code, flagged, stderr) = common::queue_server(&with_flag);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(flagged, plain);
    let output = std::process::Command::new(common::binary("queue-server"))
        .args(calendar)
        .env("QUEUE_DATABASE_URL", unreachable)
        .output()
        .expect("run queue-server");
    assert!(output.status.success(), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), plain);
}

#[test]
fn backup_of_a_postgres_database_gives_the_pg_dump_advice_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("queue-copy.db");
    let copy_text = copy.to_string_lossy().into_owned();
    // A password in the URL is never printed; no connection is even tried.
    let database = "postgres://queue:s3cret@127.0.0.1:1/queue";
    let (code, stdout, stderr) =
        common::queue_server(&["backup", &copy_text, "--database", database]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("is a PostgreSQL database"), "{stderr}");
    assert!(stderr.contains("pg_dump --format=custom"), "{stderr}");
    assert!(!stderr.contains("s3cret"), "the password printed: {stderr}");
    assert!(
        stderr.contains("postgres://queue:***@127.0.0.1:1/queue"),
        "{stderr}"
    );
    assert!(!copy.exists(), "nothing written");
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);

    // The same advice first, whatever FILE is: an existing file is left alone, a missing
    // directory is not the point.
    std::fs::write(&copy, "keep me").expect("write");
    let missing_dir = dir.path().join("no-such-dir/queue.db");
    for target in [copy.clone(), missing_dir.clone()] {
        let target = target.to_string_lossy().into_owned();
        let output = std::process::Command::new(common::binary("queue-server"))
            .args(["backup", &target])
            .env("QUEUE_DATABASE_URL", database)
            .output()
            .expect("run queue-server");
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("pg_dump"), "{stderr}");
    }
    assert_eq!(std::fs::read_to_string(&copy).expect("kept"), "keep me");
    assert!(!missing_dir.parent().expect("parent").exists());
}

//! Restarts on the same database, `--reset`, and the binary's start-up errors.

use std::process::Command;

use serde_json::{json, Value};

use crate::helpers::{add_body, remove_body, Fixture, TestApp};

#[test]
fn a_restart_keeps_exactly_the_acknowledged_links_and_continues_their_ids() {
    // Arrange: add two links (ids 5 and 6), remove the newer one.
    let app = TestApp::start();
    assert_eq!(
        app.add_link(add_body("normal", 147470, "34147471"))
            .status(),
        201
    );
    assert_eq!(
        app.add_link(add_body("parent", 147469, "34147470"))
            .status(),
        201
    );
    app.remove_link(remove_body("parent", 147470, 147469));
    let before: Vec<_> = [147469, 147470, 147471].map(|t| app.links_of(t)).into();
    let assets_before: Value = app.get_links("Ticket", 147470).json().unwrap();
    // Act
    let db = app.stop();
    let app = TestApp::start_with(None, db);
    // Assert: the same links and touched records, and the id sequence continues past 6.
    let after: Vec<_> = [147469, 147470, 147471].map(|t| app.links_of(t)).into();
    assert_eq!(after, before);
    let assets_after: Value = app.get_links("Ticket", 147470).json().unwrap();
    assert_eq!(assets_after, assets_before);
    let row: Value = app
        .add_link(add_body("child", 147469, "34147471"))
        .json()
        .unwrap();
    assert_eq!(row["id"], 7);
}

#[test]
fn on_later_starts_the_database_wins_over_the_fixtures() {
    // Arrange
    let app = TestApp::start();
    app.add_link(add_body("normal", 147470, "34147471"));
    let db = app.stop();
    // Act: restart with other fixtures.
    let other = Fixture::new().ticket(1, "1001").build();
    let app = TestApp::start_with(Some(other), db);
    // Assert
    assert!(app
        .links_of(147471)
        .contains(&(json!("normal"), "Ticket".into(), 147470)));
    assert!(app.links_of(1).is_empty());
}

#[test]
fn reset_goes_back_to_the_fixtures_with_their_link_ids() {
    let app = TestApp::start();
    app.remove_link(remove_body("normal", 147469, 147470));
    let db = app.stop();
    let server = zammad_links_mock::MockServer::builder()
        .db_dir(db.path())
        .reset(true)
        .start();
    let app = TestApp {
        server,
        client: reqwest::blocking::Client::new(),
        db_dir: db,
    };
    assert_eq!(app.links_of(147469).len(), 2);
    let row: Value = app
        .add_link(add_body("normal", 147469, "34147471"))
        .json()
        .unwrap();
    assert_eq!(row["id"], 5);
}

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_zammad-links-mock"))
}

#[test]
fn a_bad_fixture_file_stops_start_up_naming_the_place() {
    // Arrange
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("bad.json");
    std::fs::write(
        &file,
        r#"{"Ticket": {"147469": {"id": 147469, "owner_id": "one"}}}"#,
    )
    .unwrap();
    // Act
    let output = binary()
        .args(["--in-memory", "--bind", "127.0.0.1:0", "--fixtures"])
        .arg(&file)
        .output()
        .unwrap();
    // Assert
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(r#"Ticket["147469"].owner_id: expected an integer or null"#),
        "{stderr}"
    );
}

#[test]
fn an_unreadable_fixture_file_is_a_clear_error() {
    let output = binary()
        .args(["--in-memory", "--fixtures", "/nonexistent/fixtures.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot read fixture file /nonexistent/fixtures.json"),
        "{stderr}"
    );
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let output = binary()
        .args(["--in-memory", "--bind", &address])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("cannot listen on {address}")),
        "{stderr}"
    );
}

#[test]
fn a_bad_option_is_refused() {
    let output = binary()
        .args(["--bind", "not-an-address"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--bind"));
}

#[test]
fn the_binary_serves_the_default_data_set_from_a_database_folder() {
    // Arrange: a free port (released just before the binary takes it).
    let dir = tempfile::TempDir::new().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = binary()
        .args(["--bind", &format!("127.0.0.1:{port}"), "--db"])
        .arg(dir.path().join("db"))
        .spawn()
        .unwrap();
    // Act
    let client = reqwest::blocking::Client::new();
    let url =
        format!("http://127.0.0.1:{port}/api/v1/links?link_object=Ticket&link_object_value=147469");
    let mut answer = None;
    for _ in 0..100 {
        if let Ok(response) = client
            .get(&url)
            .basic_auth("test@test.de", Some("test"))
            .send()
        {
            answer = Some(response.text().unwrap());
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // Assert
    assert_eq!(answer.as_deref(), Some(crate::helpers::SEED_GET_147469));
}

#[test]
fn a_generated_data_set_is_served_as_fixtures() {
    // Arrange
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("big.json");
    let status = binary()
        .args(["generate", "--tickets", "200", "--links", "1000", "--out"])
        .arg(&file)
        .status()
        .unwrap();
    assert!(status.success());
    // Act
    let doc = zammad_links_mock::FixtureDocument::from_file(&file).unwrap();
    let app = TestApp::start_with(
        Some(serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap()),
        tempfile::TempDir::new().unwrap(),
    );
    // Assert: every link is listed from its source, with the default credentials.
    assert_eq!(doc.links.len(), 1000);
    let first = &doc.links[0];
    let listed = app.links_of(first.source_value);
    assert!(
        listed.iter().any(|(_, _, v)| *v == first.target_value),
        "{listed:?}"
    );
}

#[test]
fn only_environment_variables_no_option_reads_are_warned_about() {
    // Arrange: one variable every option list knows (`--workers`), one typo; a missing
    // fixture file ends the run right after the check.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_zammad-links-mock"))
        .args([
            "--bind",
            "127.0.0.1:0",
            "--fixtures",
            "/nonexistent/fixtures.json",
        ])
        .env("RUST_LOG", "warn")
        .env("ZAMMAD_MOCK_WORKERS", "2")
        .env("ZAMMAD_MOCK_BNID", "127.0.0.1:1")
        // Act
        .output()
        .unwrap();
    // Assert
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("ignoring unknown environment variable ZAMMAD_MOCK_BNID"),
        "{stderr}"
    );
    assert!(!stderr.contains("ZAMMAD_MOCK_WORKERS"), "{stderr}");
}

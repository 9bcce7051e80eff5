//! Start-up from a fixture file (issue 16): the file is streamed into the database, and
//! `POST /__mock/reset` reads it again — exactly what start-up read, or a 409 when the file
//! changed or vanished since. A file that is bad anywhere stops the start and leaves the
//! folder as a later start can use it.

use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::blocking::{Client, Response};
use serde_json::{json, Value};

use crate::helpers::{add_body, RunningBinary, AGENT};

// The adds below link a ticket to itself: Zammad 5.0 allows it, and `generate` never makes
// such a link, so the add cannot collide with a generated one.

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_zammad-links-mock"))
}

/// A generated document at `dir/name`, its first link given its own id and timestamps.
fn generated(dir: &Path, name: &str, tickets: u64, links: u64) -> PathBuf {
    let file = dir.join(name);
    let status = binary()
        .args(["generate", "--tickets", &tickets.to_string()])
        .args(["--links", &links.to_string(), "--seed", "5", "--out"])
        .arg(&file)
        .env("RUST_LOG", "warn")
        .status()
        .unwrap();
    assert!(status.success());
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let first = &mut doc["Link"][0];
    first["id"] = json!(70_000);
    first["created_at"] = json!("2021-11-03T10:40:14.528Z");
    first["updated_at"] = json!("2021-11-04T10:40:14.528Z");
    std::fs::write(&file, doc.to_string()).unwrap();
    file
}

fn start(db: &Path, file: &Path) -> RunningBinary {
    RunningBinary::start(&[
        "--db".as_ref(),
        db.as_os_str(),
        "--fixtures".as_ref(),
        file.as_os_str(),
    ])
}

/// `GET /__mock/fixtures`, with the load time of links that the file gave none left out
/// (they are stamped when loaded, as Zammad stamps a new row).
fn export(app: &RunningBinary) -> Value {
    let mut doc: Value = Client::new()
        .get(format!("{}/__mock/fixtures", app.base))
        .send()
        .unwrap()
        .json()
        .unwrap();
    for link in doc["Link"].as_array_mut().unwrap() {
        if link["id"] != 70_000 {
            let link = link.as_object_mut().unwrap();
            link.remove("created_at");
            link.remove("updated_at");
        }
    }
    doc
}

fn reset(app: &RunningBinary) -> Response {
    Client::new()
        .post(format!("{}/__mock/reset", app.base))
        .send()
        .unwrap()
}

fn add(app: &RunningBinary, body: Value) -> Response {
    Client::new()
        .post(format!("{}/api/v1/links/add", app.base))
        .basic_auth(AGENT.0, Some(AGENT.1))
        .json(&body)
        .send()
        .unwrap()
}

#[test]
fn reset_after_a_first_start_from_a_file_restores_it_exactly() {
    // Arrange: 3,000 links without ids (numbered after the highest given id, 70,000) and
    // one with id 70,000; then a link added and one replaced wholesale.
    let dir = tempfile::tempdir().unwrap();
    let file = generated(dir.path(), "big.json", 300, 3_000);
    let app = start(&dir.path().join("db"), &file);
    let loaded = export(&app);
    assert_eq!(loaded["Link"].as_array().unwrap().len(), 3_000);
    assert_eq!(loaded["Link"][0]["id"], 70_000);
    assert_eq!(loaded["Link"][0]["created_at"], "2021-11-03T10:40:14.528Z");
    let first_add: Value = add(&app, add_body("normal", 1, "10001")).json().unwrap();
    assert_eq!(first_add["id"], 73_000);
    let put = Client::new()
        .put(format!("{}/__mock/fixtures", app.base))
        .json(&json!({"Ticket": {"1": {"id": 1, "number": "1"}}}))
        .send()
        .unwrap();
    assert_eq!(put.status(), 204);
    // Act
    let response = reset(&app);
    // Assert: records, links (ids, given timestamps), tokens and the id sequence are back.
    assert_eq!(response.status(), 204);
    assert_eq!(export(&app), loaded);
    let again: Value = add(&app, add_body("normal", 1, "10001")).json().unwrap();
    assert_eq!(again["id"], 73_000);
}

#[test]
fn reset_after_a_restart_with_the_file_given_again_restores_it() {
    // Arrange: a first start, an add, a restart with the file given again.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let file = generated(dir.path(), "big.json", 200, 1_000);
    let app = start(&db, &file);
    let loaded = export(&app);
    assert_eq!(add(&app, add_body("parent", 1, "10001")).status(), 201);
    assert!(app.signal("-TERM").success());
    let app = start(&db, &file);
    let restarted = export(&app);
    assert_eq!(
        restarted["Link"].as_array().unwrap().len(),
        1_001,
        "the database wins on a restart"
    );
    // Act
    let response = reset(&app);
    // Assert
    assert_eq!(response.status(), 204);
    assert_eq!(export(&app), loaded);
}

#[test]
fn reset_refuses_a_changed_or_vanished_file_with_409_and_changes_nothing() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let file = generated(dir.path(), "big.json", 100, 500);
    let original = std::fs::read(&file).unwrap();
    let app = start(&dir.path().join("db"), &file);
    assert_eq!(add(&app, add_body("normal", 1, "10001")).status(), 201);
    let before = export(&app);
    // Act: the file edited (one byte more), then removed.
    std::fs::write(&file, [original.as_slice(), b"\n"].concat()).unwrap();
    let changed = reset(&app);
    std::fs::remove_file(&file).unwrap();
    let vanished = reset(&app);
    // Assert: Zammad-shaped refusals that say what to do; the state is as it was.
    assert_eq!(changed.status(), 409);
    let body: Value = changed.json().unwrap();
    let text = body["error"].as_str().unwrap();
    assert!(text.contains("changed since start-up"), "{text}");
    assert!(
        text.contains("--reset") && text.contains("PUT /__mock/fixtures"),
        "{text}"
    );
    assert_eq!(vanished.status(), 409);
    let body: Value = vanished.json().unwrap();
    let text = body["error"].as_str().unwrap();
    assert!(text.contains("cannot be read since start-up"), "{text}");
    assert_eq!(export(&app), before);
    // The file put back as it was: reset works again.
    std::fs::write(&file, &original).unwrap();
    assert_eq!(reset(&app).status(), 204);
    assert_eq!(
        export(&app)["Link"].as_array().unwrap().len(),
        500,
        "the added link is gone"
    );
}

#[test]
fn an_invalid_link_at_the_end_of_a_big_file_refuses_the_start_and_leaves_the_folder_uninitialized()
{
    // Arrange: 20,000 good links, then a bad one, the last entry of the Link section.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let good = generated(dir.path(), "good.json", 2_000, 20_000);
    let text = std::fs::read_to_string(&good).unwrap();
    let bad_row = r#",{"link_type":"normal","link_object_source":"Ticket","link_object_source_value":1,"link_object_target":"Ticket","link_object_target_value":"x"}],"Token""#;
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, text.replacen(r#"],"Token""#, bad_row, 1)).unwrap();
    // Act
    let output = binary()
        .args(["--bind", "127.0.0.1:0", "--db"])
        .arg(&db)
        .arg("--fixtures")
        .arg(&bad)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    // Assert: one line naming the file and the place, exit code 2, nothing loaded.
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "fixture file {} is invalid: Link[20000].link_object_target_value: expected an integer, found a string",
            bad.display()
        )),
        "{stderr}"
    );
    // The place once (it used to be printed again as the error's source).
    assert_eq!(stderr.matches("Link[20000]").count(), 1, "{stderr}");
    assert!(!db.join("zammad-links-mock.initialized").exists());
    // A later start with a good file loads it whole.
    let app = start(&db, &good);
    assert_eq!(export(&app)["Link"].as_array().unwrap().len(), 20_000);
}

#[test]
fn a_bad_file_with_reset_leaves_the_database_as_it_was() {
    // Arrange: a loaded database with an added link.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let file = generated(dir.path(), "big.json", 100, 500);
    let app = start(&db, &file);
    assert_eq!(add(&app, add_body("normal", 1, "10001")).status(), 201);
    assert!(app.signal("-TERM").success());
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"Ticket": {"1": {"id": 1, "owner_id": "one"}}}"#).unwrap();
    // Act
    let output = binary()
        .args(["--bind", "127.0.0.1:0", "--reset", "--db"])
        .arg(&db)
        .arg("--fixtures")
        .arg(&bad)
        .output()
        .unwrap();
    // Assert
    assert_eq!(output.status.code(), Some(2));
    let app = start(&db, &file);
    assert_eq!(export(&app)["Link"].as_array().unwrap().len(), 501);
}

#[test]
fn the_library_resets_to_its_fixture_file() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let file = generated(dir.path(), "big.json", 100, 400);
    let server = zammad_links_mock::MockServer::builder()
        .fixtures_file(&file)
        .start();
    let loaded = server.fixtures();
    server.load_fixtures(&zammad_links_mock::FixtureDocument::default());
    // Act
    server.reset();
    // Assert
    assert_eq!(server.fixtures().links.len(), loaded.links.len());
    assert_eq!(server.fixtures().records, loaded.records);
}

#[test]
#[should_panic(expected = "reset failed: the fixture file")]
fn the_library_reset_panics_when_its_file_changed() {
    let dir = tempfile::tempdir().unwrap();
    let file = generated(dir.path(), "big.json", 20, 40);
    let server = zammad_links_mock::MockServer::builder()
        .fixtures_file(&file)
        .start();
    std::fs::write(&file, "{}").unwrap();
    server.reset();
}

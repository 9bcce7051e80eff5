//! `capture` (issue 14): a running mock stands in for the real Zammad, the file is served by
//! a second mock, and every captured ticket's answers are compared between the two: `links`
//! as a multiset, `assets` equal as JSON, `GET /api/v1/tickets/:id` equal. Also the secrets
//! rule. The failures (`failures`), HTTPS (`https`) and the mock's own ticket index
//! (`ticket_index`) have their own files.

use std::collections::{HashSet, VecDeque};
use std::path::Path;
use std::time::Duration;

use reqwest::blocking::{Client, RequestBuilder};
use serde_json::{json, Value};
use tempfile::TempDir;
use zammad_links_mock::{capture, CaptureOptions, Credentials, ZammadVersion};
use zammad_links_mock::{write_document, GenerateSpec as Spec};
use zammad_links_mock::{FixtureDocument, MockServer, StoreMode};

use crate::helpers::{Fixture, AGENT};

/// Refused connections, 401, missing tickets, non-Zammads, 429s, 5xx, dying and silent
/// servers, and what the server may tell (version, permissions): played by fake servers.
mod failures;

/// The mock's own `GET /api/v1/tickets`, which `--all` pages through.
mod ticket_index;

/// Capture over HTTPS through a TLS front, with and without `--ca-cert`.
mod https;

/// The default data set's token of user 3.
const DEFAULT_TOKEN: &str = "zammad-links-mock-token-user-3";

/// How a test signs in.
#[derive(Debug, Clone)]
enum Login {
    Basic(String, String),
    Token(String),
}

impl Login {
    fn agent() -> Self {
        Login::Basic(AGENT.0.into(), AGENT.1.into())
    }

    fn apply(&self, request: RequestBuilder) -> RequestBuilder {
        match self {
            Login::Basic(login, password) => request.basic_auth(login, Some(password)),
            Login::Token(token) => request.header("Authorization", format!("Token token={token}")),
        }
    }
}

fn args(url: &str, login: &Login, out: &Path) -> CaptureOptions {
    let credentials = match login {
        Login::Basic(login, password) => Credentials::Basic {
            login: login.clone(),
            password: password.clone(),
        },
        Login::Token(token) => Credentials::Token(token.clone()),
    };
    CaptureOptions {
        url: url.to_owned(),
        credentials,
        tickets: Vec::new(),
        all: false,
        depth: 1,
        zammad_version: ZammadVersion::V5_0,
        concurrency: 4,
        ca_cert: None,
        timeout: Duration::from_secs(10),
        out: out.to_owned(),
    }
}

fn start_mock(fixture: FixtureDocument) -> MockServer {
    let _ = env_logger::builder().is_test(true).try_init();
    MockServer::builder()
        .store(StoreMode::Memory)
        .fixtures(fixture)
        .start()
}

fn generated(tickets: u64, links: u64) -> FixtureDocument {
    let mut out = Vec::new();
    write_document(
        Spec {
            tickets,
            links,
            seed: 42,
            articles: 0,
        },
        &mut out,
    )
    .expect("a generated document");
    FixtureDocument::from_json(std::str::from_utf8(&out).unwrap()).expect("a valid document")
}

fn get(server: &MockServer, login: &Login, path: &str, query: &[(&str, String)]) -> (u16, Value) {
    let response = login
        .apply(Client::new().get(server.url(path)).query(query))
        .send()
        .expect("the mock answers");
    let status = response.status().as_u16();
    (status, response.json().expect("a JSON answer"))
}

fn links(server: &MockServer, login: &Login, id: i64) -> Value {
    let (status, body) = get(
        server,
        login,
        "/api/v1/links",
        &[
            ("link_object", "Ticket".into()),
            ("link_object_value", id.to_string()),
        ],
    );
    assert_eq!(status, 200, "links of {id}: {body}");
    body
}

fn entries(body: &Value) -> Vec<String> {
    body["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(Value::to_string)
        .collect()
}

fn sorted(mut list: Vec<String>) -> Vec<String> {
    list.sort();
    list
}

/// The tickets `login` reaches from `start` in `first`, by distance: those closer than
/// `depth` (their links are read) and all within `depth` (their records are captured).
fn reach(first: &MockServer, login: &Login, start: &[i64], depth: u32) -> (Vec<i64>, Vec<i64>) {
    let mut seen: HashSet<i64> = start.iter().copied().collect();
    let mut all: Vec<i64> = start.to_vec();
    let mut interior = Vec::new();
    let mut queue: VecDeque<(i64, u32)> = start.iter().map(|id| (*id, 0)).collect();
    while let Some((id, distance)) = queue.pop_front() {
        if distance == depth {
            continue;
        }
        interior.push(id);
        let body = links(first, login, id);
        for entry in body["links"].as_array().unwrap() {
            let other = entry["link_object_value"].as_i64().unwrap();
            if entry["link_object"] == "Ticket" && seen.insert(other) {
                all.push(other);
                queue.push_back((other, distance + 1));
            }
        }
    }
    (interior, all)
}

/// The round-trip contract: `second` (serving the file, as the new token) answers as
/// `first` answered `login`, for the links of every ticket in `interior` and for every
/// ticket in `captured`.
fn assert_round_trip(
    first: &MockServer,
    login: &Login,
    second: &MockServer,
    token: &str,
    interior: &[i64],
    captured: &[i64],
) {
    let new = Login::Token(token.to_owned());
    for id in interior {
        let (want, got) = (links(first, login, *id), links(second, &new, *id));
        assert_eq!(
            sorted(entries(&got)),
            sorted(entries(&want)),
            "links of ticket {id}"
        );
        assert_eq!(got["assets"], want["assets"], "assets of ticket {id}");
    }
    for id in captured {
        let path = format!("/api/v1/tickets/{id}");
        assert_eq!(
            get(second, &new, &path, &[]),
            get(first, login, &path, &[]),
            "ticket {id}"
        );
    }
}

fn captured_tickets(file: &Path) -> Vec<i64> {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let mut ids: Vec<i64> = doc["Ticket"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.parse().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

fn serve(file: &Path) -> MockServer {
    start_mock(FixtureDocument::from_file(file).expect("the captured file is a fixture document"))
}

fn files_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

// ---------------------------------------------------------------- round trips

fn default_round_trip(login: Login) {
    // Arrange
    let first = start_mock(FixtureDocument::default_data());
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("captured.json");
    let mut options = args(&first.uri(), &login, &out);
    options.tickets = vec![147469];
    // Act
    let captured = capture(&options, &()).expect("the capture succeeds");
    // Assert
    assert_eq!(captured.user, (3, "test@test.de".to_owned()));
    assert_eq!(captured_tickets(&out), vec![147469, 147470, 147471]);
    assert_eq!((captured.tickets, captured.links), (3, 2));
    let second = serve(&out);
    let (interior, all) = reach(&first, &login, &[147469], 1);
    assert_eq!(interior, vec![147469]);
    assert_round_trip(&first, &login, &second, &captured.token, &interior, &all);
    // The first ticket read keeps its exact order.
    let new = Login::Token(captured.token.clone());
    assert_eq!(
        entries(&links(&second, &new, 147469)),
        entries(&links(&first, &login, 147469))
    );
}

/// The default ticket captured from a mock answering as `version` and served by a mock of
/// the same version: the round trip holds for every profile, its version detected from
/// `GET /api/v1/version` and its permission table carried over.
fn profile_round_trip(version: ZammadVersion) {
    // Arrange
    let _ = env_logger::builder().is_test(true).try_init();
    let first = MockServer::builder().zammad_version(version).start();
    let login = Login::Basic(AGENT.0.into(), AGENT.1.into());
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("captured.json");
    let mut options = args(&first.uri(), &login, &out);
    options.tickets = vec![147469];
    // Act
    let captured = capture(&options, &()).expect("the capture succeeds");
    // Assert
    assert_eq!(captured.version, (version, true));
    let doc = FixtureDocument::from_file(&out).unwrap();
    let second = MockServer::builder()
        .zammad_version(version)
        .fixtures(doc)
        .start();
    let (interior, all) = reach(&first, &login, &[147469], 1);
    assert_round_trip(&first, &login, &second, &captured.token, &interior, &all);
}

#[test]
fn the_default_ticket_round_trips_under_zammad_6_5() {
    profile_round_trip(ZammadVersion::V6_5);
}

#[test]
fn the_default_ticket_round_trips_under_zammad_7_0() {
    profile_round_trip(ZammadVersion::V7_0);
}

#[test]
fn the_default_ticket_round_trips_under_zammad_7_2_and_7_3_and_a_patch_release() {
    profile_round_trip(ZammadVersion::V7_2);
    profile_round_trip(ZammadVersion::V7_3);
    // `GET /api/v1/version` reports the number given; capture finds the line from it.
    profile_round_trip(ZammadVersion::parse("7.1.3").unwrap());
}

#[test]
fn the_default_ticket_round_trips_captured_with_basic_auth() {
    default_round_trip(Login::agent());
}

#[test]
fn the_default_ticket_round_trips_captured_with_a_token() {
    default_round_trip(Login::Token(DEFAULT_TOKEN.into()));
}

#[test]
fn three_generated_tickets_round_trip_at_depth_two() {
    // Arrange: the data set.
    let first = start_mock(generated(2_000, 10_000));
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("three.json");
    let login = Login::agent();
    let mut options = args(&first.uri(), &login, &out);
    options.tickets = vec![1, 500, 1999];
    options.depth = 2;
    // Act
    let captured = capture(&options, &()).expect("the capture succeeds");
    // Assert
    let (interior, mut all) = reach(&first, &login, &[1, 500, 1999], 2);
    all.sort_unstable();
    assert_eq!(
        captured_tickets(&out),
        all,
        "exactly the tickets within depth 2"
    );
    assert!(interior.len() > 3 && all.len() > interior.len());
    let second = serve(&out);
    assert_round_trip(&first, &login, &second, &captured.token, &interior, &all);
}

#[test]
fn all_of_a_generated_set_round_trips() {
    // Arrange: more tickets than three index pages.
    let first = start_mock(generated(320, 1_200));
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("all.json");
    let login = Login::Token(DEFAULT_TOKEN.into());
    let mut options = args(&first.uri(), &login, &out);
    options.all = true;
    options.concurrency = 8;
    // Act
    let captured = capture(&options, &()).expect("the capture succeeds");
    // Assert
    let every: Vec<i64> = (1..=320).collect();
    assert_eq!(captured_tickets(&out), every);
    assert_eq!(captured.links, 1_200);
    let second = serve(&out);
    assert_round_trip(&first, &login, &second, &captured.token, &every, &every);
}

#[test]
fn an_agent_of_one_group_captures_nothing_of_the_other() {
    // Arrange: agent 4 reads group 1 only; ticket 3 (group 2, customer 10) is linked to both
    // tickets of group 1.
    let fixture = Fixture::new()
        .group(2, "Secret")
        .user(4, "reader@example.com", &[2], json!({"1": ["read"]}))
        .user(10, "hidden-customer@example.com", &[3], json!({}))
        .ticket_in(1, "1001", 1, 3)
        .ticket_in(2, "1002", 1, 3)
        .ticket_in(3, "1003", 2, 10)
        .link("normal", 1, 2)
        .link("parent", 3, 1)
        .link("child", 2, 3)
        .build();
    let first = start_mock(FixtureDocument::from_value(fixture).unwrap());
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("one-group.json");
    let login = Login::Basic("reader@example.com".into(), "test".into());
    let mut options = args(&first.uri(), &login, &out);
    options.tickets = vec![1];
    options.depth = 3;
    // Act
    let captured = capture(&options, &()).expect("the capture succeeds");
    // Assert
    assert_eq!(captured_tickets(&out), vec![1, 2]);
    let text = std::fs::read_to_string(&out).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["Link"].as_array().unwrap().len(), 1);
    assert!(!text.contains("hidden-customer"), "{text}");
    assert!(!text.contains("\"Ticket 3\""), "{text}");
    assert!(doc["User"].get("10").is_none());
    let second = serve(&out);
    assert_round_trip(&first, &login, &second, &captured.token, &[1, 2], &[1, 2]);
}

#[test]
fn links_held_in_both_directions_and_self_links_round_trip() {
    // Arrange: every pair of rows that read the same from both ends, and a self link.
    let fixture = Fixture::new()
        .ticket(1, "1001")
        .ticket(2, "1002")
        .ticket(3, "1003")
        .link("normal", 1, 2)
        .link("normal", 2, 1)
        .link("parent", 1, 3)
        .link("child", 3, 1)
        .link("parent", 2, 2)
        .link("child", 3, 2)
        .build();
    let first = start_mock(FixtureDocument::from_value(fixture).unwrap());
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("both.json");
    let login = Login::agent();
    let mut options = args(&first.uri(), &login, &out);
    options.tickets = vec![1];
    options.depth = 2;
    // Act
    let captured = capture(&options, &()).expect("the capture succeeds");
    // Assert
    assert_eq!(captured.links, 6);
    let second = serve(&out);
    assert_round_trip(
        &first,
        &login,
        &second,
        &captured.token,
        &[1, 2, 3],
        &[1, 2, 3],
    );
}

#[test]
fn a_role_no_answer_shows_becomes_a_stand_in_that_sees_the_same() {
    // Arrange: user 8's access comes from its role 4 alone, which no asset walk reaches and
    // the mock, like an agent's Zammad, does not let it read.
    let fixture = Fixture::new()
        .record(
            "Role",
            4,
            json!({"id": 4, "name": "Helpdesk", "active": true, "permission_ids": [53],
                   "group_ids": {"1": ["read"]}, "created_by_id": 1, "updated_by_id": 1}),
        )
        .user(8, "helpdesk@example.com", &[4], json!({}))
        .ticket(1, "1001")
        .ticket(2, "1002")
        .link("parent", 1, 2)
        .build();
    let first = start_mock(FixtureDocument::from_value(fixture).unwrap());
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("stand-in.json");
    let login = Login::Basic("helpdesk@example.com".into(), "test".into());
    let mut options = args(&first.uri(), &login, &out);
    options.tickets = vec![1];
    // Act
    let captured = capture(&options, &()).expect("the capture succeeds");
    // Assert
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(doc["Role"]["4"]["name"], "Role 4 (stand-in)");
    assert_eq!(doc["User"]["8"]["login"], "helpdesk@example.com");
    let second = serve(&out);
    assert_round_trip(&first, &login, &second, &captured.token, &[1], &[1, 2]);
}

// ---------------------------------------------------------------- secrets

#[test]
fn the_file_and_the_logs_hold_no_password_and_not_the_given_token() {
    // Arrange: distinctive secrets, and every log line the binary can write.
    let password = "pw-Very-Secret-1";
    let given = "given-Token-Very-Secret-2";
    let fixture = Fixture::new()
        .user(5, "capturer@example.com", &[2], json!({"1": ["full"]}))
        .ticket(1, "1001")
        .ticket(2, "1002")
        .link("normal", 1, 2)
        .token(json!({"token": given, "user_id": 5}))
        .build();
    let mut fixture = fixture;
    fixture["User"]["5"]["password"] = json!(password);
    let first = start_mock(FixtureDocument::from_value(fixture).unwrap());
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("secret.json");
    // Act: once with the token, once with Basic.
    let mut outputs = Vec::new();
    for auth in [
        vec!["--token", given],
        vec!["--user", "capturer@example.com", "--password", password],
    ] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_zammad-links-mock"))
            .args(["capture", "--url", &first.uri(), "--ticket", "1", "--out"])
            .arg(&out)
            .args(&auth)
            .env("RUST_LOG", "trace")
            .output()
            .expect("the binary runs");
        assert!(output.status.success(), "{output:?}");
        outputs.push(output);
    }
    // Assert
    let text = std::fs::read_to_string(&out).unwrap();
    for output in &outputs {
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        for secret in [password, given] {
            assert!(!text.contains(secret), "the file holds {secret}");
            assert!(
                !stdout.contains(secret) && !stderr.contains(secret),
                "{secret} was printed"
            );
        }
        assert!(stderr.contains("captured 2 tickets, 1 links"), "{stderr}");
    }
    // The new token is printed in a line that says so, and it is the file's.
    let stdout = String::from_utf8_lossy(&outputs[1].stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("new API token for capturer@example.com (user 5)"))
        .expect("a token line");
    let token = line.rsplit(": ").next().unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["Token"], json!([{"token": token, "user_id": 5}]));
    assert!(doc["User"]["5"].get("password").is_none());
    let second = serve(&out);
    assert_round_trip(
        &first,
        &Login::Token(given.into()),
        &second,
        token,
        &[1],
        &[1, 2],
    );
}

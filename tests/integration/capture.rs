//! `capture` (issue 14): a running mock stands in for the real Zammad, the file is served by
//! a second mock, and every captured ticket's answers are compared between the two: `links`
//! as a multiset, `assets` equal as JSON, `GET /api/v1/tickets/:id` equal. Small fake
//! servers on `std::net::TcpListener` threads play the failures. Also the mock's own ticket
//! index, which `--all` pages through.

use std::collections::{HashSet, VecDeque};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use reqwest::blocking::{Client, RequestBuilder};
use serde_json::{json, Value};
use tempfile::TempDir;
use zammad_links_mock::capture::{capture, CaptureArgs, CaptureError, ClientError, ZammadVersion};
use zammad_links_mock::generate::{write_document, Spec};
use zammad_links_mock::{FixtureDocument, MockServer, StoreMode};

use crate::helpers::{Fixture, AGENT};

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

fn args(url: &str, login: &Login, out: &Path) -> CaptureArgs {
    let (token, user, password) = match login {
        Login::Basic(l, p) => (None, Some(l.clone()), Some(p.clone())),
        Login::Token(t) => (Some(t.clone()), None, None),
    };
    CaptureArgs {
        url: url.to_owned(),
        token,
        user,
        password,
        tickets: Vec::new(),
        all: false,
        depth: 1,
        zammad_version: ZammadVersion::V5_0,
        concurrency: 4,
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
    let captured = capture(&options, &ProgressBar::hidden()).expect("the capture succeeds");
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
    // Arrange: the issue's data set.
    let first = start_mock(generated(2_000, 10_000));
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("three.json");
    let login = Login::agent();
    let mut options = args(&first.uri(), &login, &out);
    options.tickets = vec![1, 500, 1999];
    options.depth = 2;
    // Act
    let captured = capture(&options, &ProgressBar::hidden()).expect("the capture succeeds");
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
    let captured = capture(&options, &ProgressBar::hidden()).expect("the capture succeeds");
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
    let captured = capture(&options, &ProgressBar::hidden()).expect("the capture succeeds");
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
    let captured = capture(&options, &ProgressBar::hidden()).expect("the capture succeeds");
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
fn a_ticket_the_user_may_not_see_is_refused_by_its_id() {
    // Nicole Braun, the default customer, is not ticket 147469's customer.
    let first = start_mock(FixtureDocument::default_data());
    let customer = Login::Basic("nicole.braun@zammad.org".into(), "test".into());
    let (result, dir) = try_capture(&first.uri(), &customer, 147469);
    assert_failed_cleanly(&result, &dir);
    assert!(
        matches!(result, Err(CaptureError::TicketNotVisible(147469))),
        "{result:?}"
    );
}

#[test]
fn a_customer_may_not_read_links_and_captures_nothing() {
    let fixture = Fixture::new()
        .user(7, "customer@example.com", &[3], json!({}))
        .ticket_in(1, "1001", 1, 7)
        .build();
    let first = start_mock(FixtureDocument::from_value(fixture).unwrap());
    let customer = Login::Basic("customer@example.com".into(), "test".into());
    let (result, dir) = try_capture(&first.uri(), &customer, 1);
    assert_failed_cleanly(&result, &dir);
    let message = zammad_links_mock::error_chain(result.as_ref().unwrap_err());
    assert!(
        message.starts_with("the capturing user may not read links: GET /api/v1/links?"),
        "{message}"
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
    let captured = capture(&options, &ProgressBar::hidden()).expect("the capture succeeds");
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

// ---------------------------------------------------------------- failures

/// A fake server: `answer(n, request_line)` gives the raw HTTP answer to the n-th request
/// (from 0), or `None` to hang up and stop listening (the server dies).
fn fake_server(answer: impl Fn(usize, &str) -> Option<String> + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            let _ = reader.read_line(&mut request_line);
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok_and(|read| read > 2) {
                header.clear();
            }
            match answer(n, request_line.trim_end()) {
                Some(text) => {
                    let _ = stream.write_all(text.as_bytes());
                }
                None => return,
            }
        }
    });
    base
}

fn http(status: &str, extra_headers: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n{extra_headers}\r\n{body}",
        body.len()
    )
}

/// A tiny Zammad: user 3, ticket 1 without links; everything else 404.
fn canned(request_line: &str) -> String {
    let path = request_line.split(' ').nth(1).unwrap_or("");
    if path.starts_with("/api/v1/users/me") {
        http(
            "200 OK",
            "",
            r#"{"id":3,"login":"agent@example.com","role_ids":[],"group_ids":{}}"#,
        )
    } else if path.starts_with("/api/v1/tickets/1?") {
        http(
            "200 OK",
            "",
            r#"{"ticket_id":1,"assets":{"Ticket":{"1":{"id":1,"number":"1001","title":"t","group_id":1,"owner_id":1,"customer_id":3,"organization_id":null,"created_by_id":3,"updated_by_id":3}}},"links":[]}"#,
        )
    } else if path.starts_with("/api/v1/links?") {
        http("200 OK", "", r#"{"links":[],"assets":{}}"#)
    } else {
        http(
            "404 Not Found",
            "",
            r#"{"error":"This page doesn't exist."}"#,
        )
    }
}

fn try_capture(url: &str, login: &Login, ticket: i64) -> (Result<(), CaptureError>, TempDir) {
    let dir = TempDir::new().unwrap();
    let mut options = args(url, login, &dir.path().join("out.json"));
    options.tickets = vec![ticket];
    options.timeout = Duration::from_secs(2);
    let result = capture(&options, &ProgressBar::hidden()).map(|_| ());
    (result, dir)
}

/// The failure leaves the folder empty: no file, no temporary file.
fn assert_failed_cleanly(result: &Result<(), CaptureError>, dir: &TempDir) {
    assert!(result.is_err(), "the capture should fail");
    assert_eq!(files_in(dir.path()), Vec::<String>::new());
}

#[test]
fn a_refused_connection_fails_with_one_line_and_no_file() {
    // Arrange: a port nobody listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out.json");
    // Act
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_zammad-links-mock"))
        .args(["capture", "--url", &format!("http://127.0.0.1:{port}")])
        .args(["--token", "t", "--ticket", "1", "--out"])
        .arg(&out)
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    // Assert
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "zammad-links-mock: cannot connect to http://127.0.0.1:{port}"
        )),
        "{stderr}"
    );
    assert_eq!(files_in(dir.path()), Vec::<String>::new());
}

#[test]
fn wrong_credentials_fail_with_the_401() {
    let first = start_mock(FixtureDocument::default_data());
    let (result, dir) = try_capture(
        &first.uri(),
        &Login::Basic(AGENT.0.into(), "wrong".into()),
        147469,
    );
    assert_failed_cleanly(&result, &dir);
    let Err(CaptureError::Client(error)) = &result else {
        panic!("{result:?}")
    };
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert!(
        error.to_string().contains("Invalid BasicAuth credentials"),
        "{error}"
    );
}

#[test]
fn a_missing_ticket_fails_by_its_id() {
    let first = start_mock(FixtureDocument::default_data());
    let (result, dir) = try_capture(&first.uri(), &Login::agent(), 999_999);
    assert_failed_cleanly(&result, &dir);
    assert!(
        matches!(result, Err(CaptureError::NoSuchTicket(999_999))),
        "{result:?}"
    );
}

#[test]
fn a_server_that_is_not_a_zammad_is_named_so() {
    let base = fake_server(|_, _| {
        Some(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\nConnection: close\r\n\r\n<html></html>"
                .into(),
        )
    });
    let (result, dir) = try_capture(&base, &Login::Token("t".into()), 1);
    assert_failed_cleanly(&result, &dir);
    let message = zammad_links_mock::error_chain(result.as_ref().unwrap_err());
    assert!(
        message.contains("is this the URL of a Zammad?"),
        "{message}"
    );
}

#[test]
fn a_rate_limit_is_waited_out_as_retry_after_says() {
    // Arrange: the first links request gets 429 with Retry-After: 1.
    let limited = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&limited);
    let base = fake_server(move |_, line| {
        if line.contains("/api/v1/links?") && count.fetch_add(1, Ordering::SeqCst) == 0 {
            return Some(http("429 Too Many Requests", "Retry-After: 1\r\n", "{}"));
        }
        Some(canned(line))
    });
    let started = Instant::now();
    // Act
    let (result, dir) = try_capture(&base, &Login::Token("t".into()), 1);
    // Assert
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(
        limited.load(Ordering::SeqCst),
        2,
        "asked again after the 429"
    );
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited as Retry-After said"
    );
    assert_eq!(files_in(dir.path()), vec!["out.json".to_owned()]);
}

#[test]
fn a_rate_limit_that_never_ends_gives_up() {
    let base = fake_server(|_, line| {
        if line.contains("/api/v1/links?") {
            return Some(http("429 Too Many Requests", "Retry-After: 0\r\n", "{}"));
        }
        Some(canned(line))
    });
    let (result, dir) = try_capture(&base, &Login::Token("t".into()), 1);
    assert_failed_cleanly(&result, &dir);
    assert!(
        matches!(
            &result,
            Err(CaptureError::Client(ClientError::GaveUp {
                attempts: 5,
                ..
            }))
        ),
        "{result:?}"
    );
}

#[test]
fn a_server_error_fails_with_its_status() {
    let base = fake_server(|_, line| {
        if line.contains("/api/v1/links?") {
            return Some(http("500 Internal Server Error", "", r#"{"error":"boom"}"#));
        }
        Some(canned(line))
    });
    let (result, dir) = try_capture(&base, &Login::Token("t".into()), 1);
    assert_failed_cleanly(&result, &dir);
    let message = zammad_links_mock::error_chain(result.as_ref().unwrap_err());
    assert!(
        message.contains("answered 500 Internal Server Error (boom)"),
        "{message}"
    );
}

#[test]
fn a_server_that_dies_halfway_leaves_no_file() {
    // Arrange: the server hangs up at the links request and listens no more.
    let base = fake_server(|_, line| (!line.contains("/api/v1/links?")).then(|| canned(line)));
    // Act
    let (result, dir) = try_capture(&base, &Login::Token("t".into()), 1);
    // Assert
    assert_failed_cleanly(&result, &dir);
}

#[test]
fn a_server_that_does_not_answer_times_out() {
    let base = fake_server(|_, line| {
        if line.contains("/api/v1/links?") {
            std::thread::sleep(Duration::from_secs(4));
        }
        Some(canned(line))
    });
    let (result, dir) = try_capture(&base, &Login::Token("t".into()), 1);
    assert_failed_cleanly(&result, &dir);
    assert!(
        matches!(
            &result,
            Err(CaptureError::Client(ClientError::TimedOut { .. }))
        ),
        "{result:?}"
    );
}

// ---------------------------------------------------------------- the mock's ticket index

fn index(server: &MockServer, login: &Login, query: &[(&str, String)]) -> Vec<i64> {
    let (status, body) = get(server, login, "/api/v1/tickets", query);
    assert_eq!(status, 200, "{body}");
    body.as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn the_ticket_index_pages_by_id_like_zammad_5() {
    let server = start_mock(generated(250, 10));
    let agent = Login::agent();
    let page = |p: i64, per: i64| {
        index(
            &server,
            &agent,
            &[("page", p.to_string()), ("per_page", per.to_string())],
        )
    };
    assert_eq!(index(&server, &agent, &[]), (1..=100).collect::<Vec<_>>());
    assert_eq!(page(2, 30), (31..=60).collect::<Vec<_>>());
    assert_eq!(page(3, 100), (201..=250).collect::<Vec<_>>());
    assert_eq!(
        page(2, 500),
        (101..=200).collect::<Vec<_>>(),
        "per_page is cut to 100"
    );
    assert_eq!(page(9, 100), Vec::<i64>::new());
    // `page` alone is ignored, as in `TicketsController#index`.
    assert_eq!(
        index(&server, &agent, &[("page", "2".into())]),
        (1..=100).collect::<Vec<_>>()
    );
}

#[test]
fn the_ticket_index_lists_only_visible_tickets_as_plain_attributes() {
    let fixture = Fixture::new()
        .group(2, "Secret")
        .user(4, "reader@example.com", &[2], json!({"1": ["read"]}))
        .user(
            6,
            "both@example.com",
            &[2],
            json!({"1": ["read"], "2": ["full"]}),
        )
        .ticket_in(1, "1001", 1, 3)
        .ticket_in(2, "1002", 2, 3)
        .ticket_in(3, "1003", 1, 3)
        .build();
    let mut fixture = fixture;
    fixture["Ticket"]["3"]["article_ids"] = json!([7, 8]);
    let server = start_mock(FixtureDocument::from_value(fixture).unwrap());
    let reader = Login::Basic("reader@example.com".into(), "test".into());
    assert_eq!(index(&server, &reader, &[]), vec![1, 3]);
    let both = Login::Basic("both@example.com".into(), "test".into());
    assert_eq!(index(&server, &both, &[]), vec![1, 2, 3]);
    let (_, body) = get(&server, &reader, "/api/v1/tickets", &[]);
    assert!(body[1].get("article_ids").is_none());
    assert_eq!(body[1]["number"], "1003");
    let (status, _) = get(
        &server,
        &Login::Basic("reader@example.com".into(), "wrong".into()),
        "/api/v1/tickets",
        &[],
    );
    assert_eq!(status, 401);
}

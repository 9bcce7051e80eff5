//! The ways a capture fails, each with a one-line message and no file left behind, and what
//! a server may tell that the mock does not (its version, its permission table). Fake
//! servers on `std::net::TcpListener` threads play the Zammads that misbehave.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tempfile::TempDir;
use zammad_links_mock::FixtureDocument;
use zammad_links_mock::{capture, CaptureError, ClientError, ZammadVersion};

use super::{args, files_in, start_mock, Login};
use crate::helpers::{Fixture, AGENT};

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
    let result = capture(&options, &()).map(|_| ());
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

#[test]
fn the_servers_version_and_permission_table_are_used_when_the_user_may_read_them() {
    // Arrange: a Zammad that tells its version and permissions (the mock tells neither).
    let base = fake_server(|_, line| {
        let path = line.split(' ').nth(1).unwrap_or("");
        Some(if path == "/api/v1/version" {
            http(
                "200 OK",
                "",
                r#"{"version":"7.0.1-1752236433.6e0bbf0c.noble"}"#,
            )
        } else if path == "/api/v1/permissions" {
            http(
                "200 OK",
                "",
                r#"[{"id":7,"name":"ticket.agent","active":true}]"#,
            )
        } else {
            canned(line)
        })
    });
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out.json");
    let mut options = args(&base, &Login::Token("t".into()), &out);
    options.tickets = vec![1];
    // Act
    let captured = capture(&options, &()).expect("the capture succeeds");
    // Assert
    assert_eq!(captured.version, (ZammadVersion::V7_0, true));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(
        doc["Permission"],
        json!({"7": {"id": 7, "name": "ticket.agent", "active": true}})
    );
}

#[test]
fn without_them_the_flag_and_its_profiles_table_are_used() {
    let base = fake_server(|_, line| Some(canned(line)));
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out.json");
    let mut options = args(&base, &Login::Token("t".into()), &out);
    options.tickets = vec![1];
    options.zammad_version = ZammadVersion::V6_5;
    let captured = capture(&options, &()).expect("the capture succeeds");
    assert_eq!(captured.version, (ZammadVersion::V6_5, false));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let default: Value =
        serde_json::from_str(include_str!("../../../data/default-6.5.json")).unwrap();
    assert_eq!(doc["Permission"], default["Permission"]);
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

//! Nothing lost, nothing crashes: graceful shutdown, a damaged database, hostile input,
//! concurrent writers, and `kill -9` at random moments.

use std::ffi::OsStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use reqwest::Method;
use serde_json::{json, Value};
use zammad_links_mock::MockServer;

use crate::helpers::{add_body, remove_body, RunningBinary, TestApp, AGENT};

fn add_dangling(client: &Client, base: &str, target: i64) -> Option<u16> {
    client
        .post(format!("{base}/api/v1/links/add"))
        .basic_auth(AGENT.0, Some(AGENT.1))
        .json(&add_body("normal", target, "34147469"))
        .timeout(Duration::from_secs(10))
        .send()
        .ok()
        .map(|r| r.status().as_u16())
}

fn remove_dangling(client: &Client, base: &str, target: i64) -> Option<u16> {
    client
        .delete(format!("{base}/api/v1/links/remove"))
        .basic_auth(AGENT.0, Some(AGENT.1))
        .json(&remove_body("normal", 147469, target))
        .timeout(Duration::from_secs(10))
        .send()
        .ok()
        .map(|r| r.status().as_u16())
}

/// The targets linked from ticket 147469.
fn targets(client: &Client, base: &str) -> std::collections::HashSet<i64> {
    let body: Value = client
        .get(format!(
            "{base}/api/v1/links?link_object=Ticket&link_object_value=147469"
        ))
        .basic_auth(AGENT.0, Some(AGENT.1))
        .send()
        .unwrap()
        .json()
        .unwrap();
    body["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["link_object_value"].as_i64().unwrap())
        .collect()
}

#[test]
fn sigterm_finishes_flushes_and_exits_0() {
    // Arrange
    let dir = tempfile::TempDir::new().unwrap();
    let db = dir.path().join("db");
    let running = RunningBinary::start(&[OsStr::new("--db"), db.as_os_str()]);
    let client = Client::new();
    assert_eq!(add_dangling(&client, &running.base, 1_000_001), Some(201));
    // Act
    let status = running.signal("-TERM");
    // Assert
    assert_eq!(status.code(), Some(0));
    let again = RunningBinary::start(&[OsStr::new("--db"), db.as_os_str()]);
    assert!(targets(&client, &again.base).contains(&1_000_001));
    assert_eq!(again.signal("-INT").code(), Some(0));
}

#[test]
fn the_body_limit_is_configurable_and_answers_413() {
    let server = MockServer::builder().max_body_bytes(64).start();
    let response = Client::new()
        .post(server.url("/api/v1/links/add"))
        .basic_auth(AGENT.0, Some(AGENT.1))
        .json(&add_body("normal", 147469, "34147471"))
        .send()
        .unwrap();
    assert_eq!(response.status(), 413);
    let body: Value = response.json().unwrap();
    assert_eq!(body, json!({"error": "Request Entity Too Large"}));
    assert_eq!(server.fixtures().links.len(), 2);
}

#[test]
fn a_body_cut_short_answers_400_in_zammads_shape_and_adds_nothing() {
    use std::io::{Read, Write};
    let server = MockServer::start();
    let body = add_body("normal", 147469, "34147471").to_string();
    let credentials = "dGVzdEB0ZXN0LmRlOnRlc3Q="; // test@test.de:test
    let head = format!(
        "POST /api/v1/links/add HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {credentials}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len() + 10
    );
    let mut stream = std::net::TcpStream::connect(server.address()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // Act: the head promises ten bytes more than are sent before the client stops writing.
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    stream.shutdown(std::net::Shutdown::Write).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    // Assert
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    let json: Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert!(json["error"]
        .as_str()
        .unwrap()
        .starts_with("The request body could not be read"));
    assert_eq!(server.fixtures().links.len(), 2);
}

#[test]
fn an_unreadable_database_stops_start_up_with_a_clear_message() {
    let dir = tempfile::TempDir::new().unwrap();
    std::fs::write(dir.path().join("conf"), vec![0xffu8; 300]).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_zammad-links-mock"))
        .arg("--db")
        .arg(dir.path())
        .args(["--bind", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot use the database"), "{stderr}");
}

#[test]
fn a_database_that_lost_its_data_is_never_silently_refilled() {
    // Arrange: an initialised folder whose sled files are then lost.
    let dir = tempfile::TempDir::new().unwrap();
    drop(MockServer::builder().db_dir(dir.path()).start());
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name() != Some(OsStr::new("zammad-links-mock.initialized")) {
            if path.is_dir() {
                std::fs::remove_dir_all(&path).unwrap();
            } else {
                std::fs::remove_file(&path).unwrap();
            }
        }
    }
    // Act
    let result = MockServer::builder().db_dir(dir.path()).try_start();
    // Assert
    let message = zammad_links_mock::error_chain(&result.unwrap_err());
    assert!(message.contains("the database is damaged"), "{message}");
    // `--reset` is the way out.
    let server = MockServer::builder().db_dir(dir.path()).reset(true).start();
    assert_eq!(server.fixtures().links.len(), 2);
}

/// A corpus of bad requests: (method, path, content type, body, Authorization).
fn hostile_corpus() -> Vec<(Method, String, &'static str, Vec<u8>, String)> {
    use base64::Engine as _;
    let agent = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("test@test.de:test")
    );
    let mut corpus = Vec::new();
    let mut push = |method: Method, path: String, content_type, body: Vec<u8>, auth: String| {
        corpus.push((method, path, content_type, body, auth))
    };
    let json_ct = "application/json";
    let link_paths = ["/api/v1/links", "/api/v1/links/add", "/api/v1/links/remove"];
    let methods = [Method::GET, Method::POST, Method::DELETE];
    // Malformed JSON on every call.
    for body in [
        "{",
        "{\"link_type\": }",
        "[1,2",
        "nul",
        "\"unterminated",
        "{\"a\":1}}",
        "\u{0}",
    ] {
        for (path, method) in link_paths.iter().zip(&methods) {
            push(
                method.clone(),
                path.to_string(),
                json_ct,
                body.as_bytes().to_vec(),
                agent.clone(),
            );
        }
    }
    // JSON of the wrong shape.
    for body in [
        "[]",
        "[{\"link_type\":\"normal\"}]",
        "42",
        "\"text\"",
        "null",
        "true",
        "{}",
    ] {
        for (path, method) in link_paths.iter().zip(&methods) {
            push(
                method.clone(),
                path.to_string(),
                json_ct,
                body.as_bytes().to_vec(),
                agent.clone(),
            );
        }
    }
    // Wrong types, huge, negative and fractional values, overlong strings, control
    // characters and NUL bytes, in every parameter. Adds always carry a source that cannot
    // be found, so none of them may change anything.
    let bad_values = [
        json!(null),
        json!(true),
        json!([]),
        json!({}),
        json!([1, 2]),
        json!({"a": 1}),
        json!(1e300),
        json!(-1e300),
        json!("99999999999999999999999999"),
        json!(-5),
        json!(1.5),
        json!("x".repeat(10_000)),
        json!("\u{0}\u{1}\u{7f}"),
        json!("12abc"),
        json!(""),
        json!("Ticket\u{0}"),
        json!(9_223_372_036_854_775_807i64),
    ];
    let add_keys = [
        "link_type",
        "link_object_target",
        "link_object_target_value",
        "link_object_source",
        "link_object_source_number",
    ];
    for key in add_keys {
        for value in &bad_values {
            let mut body = add_body("normal", 147469, "no-such-number");
            body[key] = value.clone();
            if key == "link_object_source_number" || key == "link_object_source" {
                // The value under test is the source itself.
            } else {
                body["link_object_source_number"] = json!("no-such-number");
            }
            push(
                Method::POST,
                "/api/v1/links/add".into(),
                json_ct,
                body.to_string().into_bytes(),
                agent.clone(),
            );
        }
    }
    for key in [
        "link_type",
        "link_object_source",
        "link_object_source_value",
        "link_object_target",
        "link_object_target_value",
    ] {
        for value in &bad_values {
            // Never a full, valid pair, so nothing can match.
            let mut body = remove_body("normal", 147469, 147470);
            body["link_object_target_value"] = json!(424242);
            body[key] = value.clone();
            push(
                Method::DELETE,
                "/api/v1/links/remove".into(),
                json_ct,
                body.to_string().into_bytes(),
                agent.clone(),
            );
        }
    }
    for value in &bad_values {
        if value
            .as_str()
            .is_some_and(|s| s.chars().count() <= 250 && !s.is_empty())
        {
            continue; // a short name is a valid (and created) link object, not bad input
        }
        let body = json!({"link_object": value.clone(), "link_object_value": value.clone()});
        push(
            Method::GET,
            "/api/v1/links".into(),
            json_ct,
            body.to_string().into_bytes(),
            agent.clone(),
        );
    }
    // Query strings that are not what a client sends.
    for query in [
        "link_object_value=%ff%fe",
        "%zz=1",
        "link_object=Ticket&link_object_value=1e99",
        "a[b][c]=1",
        "&&&=",
        "link_object_value=-0",
    ] {
        push(
            Method::GET,
            format!("/api/v1/links?{query}"),
            json_ct,
            Vec::new(),
            agent.clone(),
        );
    }
    // Bad ticket ids on the ticket call.
    for id in [
        "-1",
        "0",
        "1.5",
        "1e5",
        "%00",
        "99999999999999999999",
        "abc",
        "147469x",
        "%20",
    ] {
        push(
            Method::GET,
            format!("/api/v1/tickets/{id}"),
            json_ct,
            Vec::new(),
            agent.clone(),
        );
        push(
            Method::GET,
            format!("/api/v1/tickets/{id}?all=true"),
            json_ct,
            Vec::new(),
            agent.clone(),
        );
    }
    // Form bodies and other content types with bad values.
    for body in [
        "link_object_source_number=%ff",
        "link_type=&link_object_source=Ticket",
        "=&=&",
        "%%%",
    ] {
        push(
            Method::POST,
            "/api/v1/links/add".into(),
            "application/x-www-form-urlencoded",
            body.as_bytes().to_vec(),
            agent.clone(),
        );
    }
    // Wrong methods and paths.
    for method in [Method::PUT, Method::PATCH, Method::DELETE, Method::POST] {
        push(
            method,
            "/api/v1/links".into(),
            json_ct,
            b"{}".to_vec(),
            agent.clone(),
        );
    }
    for path in [
        "/api/v1/links/add/x",
        "/api/v1/link",
        "/api/v1/tickets/abc",
        "/api/v1/tickets/99999999999999999999",
        "/__mock/nope",
        "/%00",
        "/api/v1/links/%2e%2e/add",
    ] {
        push(Method::GET, path.into(), json_ct, Vec::new(), agent.clone());
    }
    // Malformed Authorization headers.
    for auth in [
        "".to_string(),
        "Basic".into(),
        "Basic !!!".into(),
        "Basic dGVzdA==".into(),
        "Token".into(),
        "Token token=".into(),
        "Bearer".into(),
        "Bearer \"\"".into(),
        format!("Basic {}", "A".repeat(20_000)),
        "Negotiate abc".into(),
        format!("Token token={}", "x".repeat(5000)),
        "Basic Og==".into(),
    ] {
        push(
            Method::GET,
            "/api/v1/links?link_object=Ticket&link_object_value=147469".into(),
            json_ct,
            Vec::new(),
            auth.clone(),
        );
        push(
            Method::POST,
            "/api/v1/links/add".into(),
            json_ct,
            add_body("normal", 147471, "34147469")
                .to_string()
                .into_bytes(),
            auth,
        );
    }
    // Oversized bodies.
    let huge = format!("{{\"link_type\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    for (path, method) in link_paths.iter().zip(&methods) {
        push(
            method.clone(),
            path.to_string(),
            json_ct,
            huge.clone().into_bytes(),
            agent.clone(),
        );
    }
    // Malformed fixture documents.
    for doc in [
        "{",
        "[]",
        "{\"Ticket\": []}",
        "{\"Ticket\": {\"x\": {}}}",
        "{\"Link\": [{\"link_type\": 1}]}",
        "{\"Tickets\": {}}",
        "{\"User\": {\"1\": {\"id\": 1, \"password\": 5}}}",
        "{\"Token\": [{\"token\": \"\", \"user_id\": 1}]}",
    ] {
        for method in [Method::PUT, Method::POST] {
            push(
                method,
                "/__mock/fixtures".into(),
                json_ct,
                doc.as_bytes().to_vec(),
                String::new(),
            );
        }
    }
    corpus
}

#[test]
fn hostile_input_gets_a_clear_4xx_and_changes_nothing() {
    // Arrange
    let app = TestApp::start();
    let export = || {
        app.request(Method::GET, "/__mock/fixtures")
            .send()
            .unwrap()
            .text()
            .unwrap()
    };
    let before = export();
    let corpus = hostile_corpus();
    assert!(corpus.len() >= 300, "{} requests", corpus.len());
    // Act / Assert
    for (method, path, content_type, body, auth) in corpus {
        let mut request = app
            .request(method.clone(), &path)
            .header("Content-Type", content_type)
            .body(body.clone());
        if !auth.is_empty() {
            request = request.header("Authorization", auth);
        }
        let response = request.send().unwrap();
        let status = response.status().as_u16();
        let text = response.text().unwrap();
        let shown = String::from_utf8_lossy(&body[..body.len().min(120)]).into_owned();
        assert!(
            status < 500,
            "{method} {path} {shown:?} answered {status}: {text}"
        );
        if status >= 400 {
            let parsed: Value = serde_json::from_str(&text)
                .unwrap_or_else(|_| panic!("{method} {path} {shown:?}: not JSON: {text}"));
            assert!(
                parsed["error"].is_string(),
                "{method} {path} {shown:?}: {text}"
            );
        }
    }
    assert_eq!(export(), before);
    assert_eq!(
        app.get_links("Ticket", 147469).text().unwrap(),
        crate::helpers::SEED_GET_147469
    );
}

#[test]
fn concurrent_writers_leave_both_ends_in_agreement_and_sled_equal_to_memory() {
    // Arrange
    let dir = tempfile::TempDir::new().unwrap();
    let server = MockServer::builder().db_dir(dir.path()).workers(2).start();
    let base = server.uri();
    // Act: 8 threads add and remove the same few links and their own ones at once.
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let base = base.clone();
            std::thread::spawn(move || {
                let client = Client::new();
                for i in 0..60 {
                    let shared = 900 + (i % 3);
                    let own = 10_000 + t * 1000 + i;
                    assert!(matches!(
                        add_dangling(&client, &base, shared),
                        Some(201 | 422)
                    ));
                    let added = client
                        .post(format!("{base}/api/v1/links/add"))
                        .basic_auth(AGENT.0, Some(AGENT.1))
                        .json(&add_body("normal", own, "34147469"))
                        .send()
                        .unwrap();
                    let status = added.status();
                    assert_eq!(status, 201, "{own}: {}", added.text().unwrap());
                    if i % 2 == 0 {
                        assert_eq!(remove_dangling(&client, &base, shared), Some(201));
                        assert_eq!(remove_dangling(&client, &base, own), Some(201));
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    // Assert: every link is seen from both of its ends.
    let client = Client::new();
    let doc: Value = client
        .get(server.url("/__mock/fixtures"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let links = doc["Link"].as_array().unwrap();
    let from_source = targets(&client, &base);
    for link in links
        .iter()
        .filter(|l| l["link_object_source_value"] == 147469)
    {
        let target = link["link_object_target_value"].as_i64().unwrap();
        assert!(from_source.contains(&target));
        let body: Value = client
            .get(server.url(&format!(
                "/api/v1/links?link_object=Ticket&link_object_value={target}"
            )))
            .basic_auth(AGENT.0, Some(AGENT.1))
            .send()
            .unwrap()
            .json()
            .unwrap();
        assert!(
            body["links"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["link_object_value"] == 147469),
            "{target}"
        );
    }
    let own = links
        .iter()
        .filter(|l| {
            l["link_object_source_value"] == 147469
                && (10_000..20_000).contains(&l["link_object_target_value"].as_i64().unwrap())
        })
        .count();
    assert_eq!(own, 8 * 30, "each thread keeps its 30 odd own links");
    // …and the database equals memory: a restart answers the same export.
    let exported = client
        .get(server.url("/__mock/fixtures"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    drop(server);
    let server = MockServer::builder().db_dir(dir.path()).start();
    let again = client
        .get(server.url("/__mock/fixtures"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert_eq!(again, exported);
}

#[test]
fn kill_9_at_random_moments_loses_no_acknowledged_write() {
    let dir = tempfile::TempDir::new().unwrap();
    let db = dir.path().join("db");
    let mut seed = Instant::now().elapsed().as_nanos() as u64 | 1;
    let mut random = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let acknowledged_adds = Arc::new(Mutex::new(Vec::<i64>::new()));
    let acknowledged_removes = Arc::new(Mutex::new(Vec::<i64>::new()));
    let (mut checked_adds, mut checked_removes) = (0, 0);
    let cycles = 6;
    for cycle in 0..cycles {
        let running = RunningBinary::start(&[OsStr::new("--db"), db.as_os_str()]);
        // Every acknowledged write of the earlier cycles is there, and nothing removed is back.
        let client = Client::new();
        let present = targets(&client, &running.base);
        for target in acknowledged_adds.lock().unwrap().iter() {
            assert!(
                present.contains(target),
                "cycle {cycle}: acknowledged add {target} is lost"
            );
        }
        for target in acknowledged_removes.lock().unwrap().iter() {
            assert!(
                !present.contains(target),
                "cycle {cycle}: removed {target} came back"
            );
        }
        checked_adds = acknowledged_adds.lock().unwrap().len();
        checked_removes = acknowledged_removes.lock().unwrap().len();
        // Drive concurrent writers, then kill the process at a random moment.
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let (base, stop) = (running.base.clone(), stop.clone());
                let (adds, removes) = (acknowledged_adds.clone(), acknowledged_removes.clone());
                std::thread::spawn(move || {
                    let client = Client::new();
                    let mut n = 0;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        let target = 1_000_000 * (cycle + 1) + 10_000 * w + n;
                        n += 1;
                        if add_dangling(&client, &base, target) != Some(201) {
                            break;
                        }
                        adds.lock().unwrap().push(target);
                        if n % 3 == 0 {
                            // Once a remove is sent, the link's fate is open until it is
                            // acknowledged: it is checked only as a removal.
                            adds.lock().unwrap().retain(|t| *t != target);
                            if remove_dangling(&client, &base, target) != Some(201) {
                                break;
                            }
                            removes.lock().unwrap().push(target);
                        }
                    }
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(150 + random(600)));
        running.signal("-KILL");
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for writer in writers {
            writer.join().unwrap();
        }
    }
    // A last start checks the last cycle's writes.
    let running = RunningBinary::start(&[OsStr::new("--db"), db.as_os_str()]);
    let present = targets(&Client::new(), &running.base);
    let adds = acknowledged_adds.lock().unwrap().clone();
    let removes = acknowledged_removes.lock().unwrap().clone();
    for target in &adds {
        assert!(
            present.contains(target),
            "acknowledged add {target} is lost"
        );
    }
    for target in &removes {
        assert!(!present.contains(target), "removed {target} came back");
    }
    running.signal("-KILL");
    println!(
        "kill -9 crash test: {cycles} cycles; {} acknowledged adds and {} acknowledged removes checked (earlier cycles' checks: {checked_adds} adds, {checked_removes} removes)",
        adds.len(),
        removes.len()
    );
}

//! Regression tests named after the issue that found them.

use reqwest::blocking::Client;
use reqwest::Method;
use serde_json::{json, Value};
use zammad_links_mock::{MockServer, StartError};

use crate::helpers::{add_body, TestApp, AGENT};

// See: issue 13, point 3.
#[test]
fn wrong_methods_on_admin_resources_answer_a_json_405_with_allow() {
    let app = TestApp::start();
    for (method, path, allowed) in [
        ("PATCH", "/__mock/fixtures", "GET, PUT, POST"),
        ("TRACE", "/__mock/fixtures", "GET, PUT, POST"),
        ("PROPFIND", "/__mock/fixtures", "GET, PUT, POST"),
        ("get", "/__mock/fixtures", "GET, PUT, POST"),
        ("GET", "/__mock/reset", "POST"),
        ("PUT", "/__mock/requests", "GET, DELETE"),
    ] {
        let response = app
            .request(Method::from_bytes(method.as_bytes()).unwrap(), path)
            .send()
            .unwrap();
        assert_eq!(response.status(), 405, "{method} {path}");
        let allow = response.headers()["allow"].to_str().unwrap().to_owned();
        assert_eq!(allow, allowed, "{method} {path}");
        let body: Value = response.json().unwrap();
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .starts_with("Method Not Allowed"),
            "{method} {path}: {body}"
        );
    }
}

// See: issue 13, point 5.
#[test]
fn numbers_and_booleans_as_link_types_are_cast_as_ruby_writes_them() {
    let app = TestApp::start();
    for (link_type, stored) in [
        (json!(1e-7), "1.0e-07"),
        (json!(0.000001), "1.0e-06"),
        (json!(1e3), "1000.0"),
        (json!(1.5), "1.5"),
        (json!(true), "t"),
        (json!(7), "7"),
    ] {
        let mut body = add_body("normal", 147469, "34147471");
        body["link_type"] = link_type;
        assert_eq!(app.add_link(body).status(), 201);
        let links = app.links_of(147469);
        assert!(
            links
                .iter()
                .any(|(t, _, id)| t == &json!(stored) && *id == 147471),
            "{stored}: {links:?}"
        );
    }
}

// See: issue 13, point 7.
#[test]
fn an_open_admin_api_on_a_network_address_stops_start_up() {
    // The library refuses it…
    let refused = MockServer::builder()
        .bind("0.0.0.0:0".parse().unwrap())
        .try_start();
    assert!(matches!(
        refused,
        Err(StartError::AdminOpenOnNetwork { .. })
    ));
    // …and so does the binary, naming the ways out.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_zammad-links-mock"))
        .args(["--bind", "0.0.0.0:0", "--in-memory"])
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--admin-token"), "{stderr}");
    assert!(stderr.contains("--admin-open"), "{stderr}");
    assert!(stderr.contains("--no-admin"), "{stderr}");
}

// See: issue 13, point 7.
#[test]
fn a_network_bind_starts_with_an_admin_token_or_admin_open_or_no_admin() {
    for extra in [
        &["--admin-token", "s3cret"][..],
        &["--admin-open"][..],
        &["--no-admin"][..],
    ] {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_zammad-links-mock"))
            .args(["--bind", &format!("0.0.0.0:{port}"), "--in-memory"])
            .args(extra)
            .env("RUST_LOG", "warn")
            .spawn()
            .unwrap();
        let client = Client::new();
        let served = (0..400).any(|_| {
            let ok = client
                .get(format!("http://127.0.0.1:{port}/api/v1/users/me"))
                .basic_auth(AGENT.0, Some(AGENT.1))
                .send()
                .is_ok_and(|r| r.status() == 200);
            if !ok {
                std::thread::sleep(std::time::Duration::from_millis(25));
            }
            ok
        });
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(served, "{extra:?}");
    }
}

/// A's body of `GET` links of 147469, B's, or A merged with M's: what the swap test accepts.
fn link_bodies_and_exports(
    app: &TestApp,
    a: &Value,
    b: &Value,
    m: &Value,
) -> (Vec<String>, Vec<Value>) {
    let admin = |method: Method, body: Option<&Value>| {
        let request = app.request(method, "/__mock/fixtures");
        let request = match body {
            Some(body) => request.json(body),
            None => request,
        };
        request.send().unwrap()
    };
    let read = || {
        let body = app.get_links("Ticket", 147469).text().unwrap();
        let export: Value = admin(Method::GET, None).json().unwrap();
        (body, export)
    };
    let mut bodies = Vec::new();
    let mut exports = Vec::new();
    assert_eq!(admin(Method::PUT, Some(a)).status(), 204);
    let (body, export) = read();
    bodies.push(body);
    exports.push(export);
    assert_eq!(admin(Method::PUT, Some(b)).status(), 204);
    let (body, export) = read();
    bodies.push(body);
    exports.push(export);
    assert_eq!(admin(Method::PUT, Some(a)).status(), 204);
    assert_eq!(admin(Method::POST, Some(m)).status(), 204);
    let (body, export) = read();
    bodies.push(body);
    exports.push(export);
    (bodies, exports)
}

// See: issue 13, point 2.
#[test]
fn readers_see_a_whole_document_while_fixtures_are_swapped_reset_and_merged() {
    // Arrange: A is the default data set plus bulk; B links 147469 to one ticket only and
    // renames it; M adds a parent link and renames another ticket.
    let mut a: Value = serde_json::from_str(zammad_links_mock::DEFAULT_DATA).unwrap();
    // Bulk, so that rebuilding memory takes long enough for readers to land inside it.
    let template = a["Ticket"]["147470"].clone();
    for id in 1..=400 {
        let mut ticket = template.clone();
        ticket["id"] = json!(id);
        ticket["number"] = json!(format!("9{id}"));
        a["Ticket"][id.to_string()] = ticket;
    }
    // A is the start-up document, so that a reset goes back to it; two workers, so that
    // readers are answered while a swap runs on the other one.
    let db_dir = tempfile::TempDir::new().unwrap();
    let start = zammad_links_mock::FixtureDocument::from_value(a.clone()).unwrap();
    let app = TestApp {
        server: MockServer::builder()
            .db_dir(db_dir.path())
            .fixtures(start)
            .workers(2)
            .start(),
        // A fresh connection per request: a pooled one that the server closed while idle
        // (keep-alive) would fail a request for reasons that have nothing to do with swaps.
        client: Client::builder().pool_max_idle_per_host(0).build().unwrap(),
        db_dir,
    };
    let mut b = a.clone();
    b["Link"] = json!([a["Link"][1]]);
    b["Ticket"]["147471"]["title"] = json!("Renamed in B");
    let mut m = json!({"Ticket": {"147470": a["Ticket"]["147470"].clone()}});
    m["Ticket"]["147470"]["title"] = json!("Renamed by M");
    m["Link"] = json!([{"id": 9, "link_type": "parent", "link_object_source": "Ticket",
        "link_object_source_value": 147470, "link_object_target": "Ticket",
        "link_object_target_value": 147469, "created_at": "2021-11-03T10:17:02.000Z"}]);
    let (bodies, exports) = link_bodies_and_exports(&app, &a, &b, &m);
    assert_eq!(bodies.len(), 3);
    assert!(bodies[0] != bodies[1] && bodies[0] != bodies[2] && bodies[1] != bodies[2]);
    // Act: one thread swaps (B, reset to A, merge M, A) while two read links and one exports.
    let stop = std::sync::atomic::AtomicBool::new(false);
    let torn = std::sync::atomic::AtomicUsize::new(0);
    let reads = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..3 {
            scope.spawn(|| {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let response = app.get_links("Ticket", 147469);
                    let status = response.status();
                    let body = response.text().unwrap();
                    reads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if status != 200 || !bodies.contains(&body) {
                        torn.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            });
        }
        scope.spawn(|| {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let export: Value = app
                    .request(Method::GET, "/__mock/fixtures")
                    .send()
                    .unwrap()
                    .json()
                    .unwrap();
                if !exports.contains(&export) {
                    torn.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
        });
        for _ in 0..10 {
            let put = |doc: &Value| {
                app.request(Method::PUT, "/__mock/fixtures")
                    .json(doc)
                    .send()
            };
            assert_eq!(put(&b).unwrap().status(), 204);
            let reset = app.request(Method::POST, "/__mock/reset").send().unwrap();
            assert_eq!(reset.status(), 204);
            let merge = app
                .request(Method::POST, "/__mock/fixtures")
                .json(&m)
                .send();
            assert_eq!(merge.unwrap().status(), 204);
            assert_eq!(put(&a).unwrap().status(), 204);
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    // Assert
    let reads = reads.into_inner();
    assert!(reads > 20, "only {reads} reads ran");
    assert_eq!(torn.into_inner(), 0, "torn answers among {reads} reads");
}

/// Removes sled's files from `folder` and keeps the mock's mark: an initialised database
/// whose data is gone, which every start must refuse until `--reset`.
fn lose_the_data_of(folder: &std::path::Path) {
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name() == Some(std::ffi::OsStr::new("zammad-links-mock.initialized")) {
            continue;
        }
        if path.is_dir() {
            std::fs::remove_dir_all(&path).unwrap();
        } else {
            std::fs::remove_file(&path).unwrap();
        }
    }
}

// See: #20
#[test]
fn a_folder_is_free_again_once_its_server_is_dropped_or_its_start_refused() {
    // Each thread walks one folder through start, drop, a refused start and `--reset`, over
    // and over: every start must see the folder free, never "already open in this process".
    // Eight threads on two cores on purpose: a busy machine is where the defect showed.
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                let dir = tempfile::TempDir::new().unwrap();
                for round in 0..10 {
                    // Arrange: a server with an idle connection. The connection's task on
                    // actix's worker thread holds a copy of the state, dropped only when that
                    // thread winds down, after the server reported that it stopped.
                    let server = MockServer::builder().db_dir(dir.path()).reset(true).start();
                    let idle = std::net::TcpStream::connect(server.address()).unwrap();
                    drop(server);
                    drop(idle);
                    lose_the_data_of(dir.path());
                    // Act
                    let refused = MockServer::builder().db_dir(dir.path()).try_start();
                    let again = MockServer::builder()
                        .db_dir(dir.path())
                        .reset(true)
                        .try_start();
                    // Assert
                    let refused = zammad_links_mock::error_chain(&refused.unwrap_err());
                    assert!(
                        refused.contains("its data is gone"),
                        "round {round}: {refused}"
                    );
                    let again = again.map_err(|e| zammad_links_mock::error_chain(&e));
                    assert!(again.is_ok(), "round {round}: {again:?}");
                }
            });
        }
    });
}

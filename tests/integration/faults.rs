//! Faults on demand (issue 24): every kind of rule and of match, counts and seeded fractions,
//! the state after a replaced answer, the bounded hold, reset, the admin routes, the journal's
//! mark, `--faults FILE` and `--latency`, and real clients' retry loops against rules.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use reqwest::blocking::{Client, Response};
use reqwest::Method;
use serde_json::{json, Value};
use zammad_links_mock::{
    Delay, Fault, FaultRule, HoldEnd, MockServer, StoreMode, ZammadRoute, ZammadVersion,
};

use crate::helpers::{add_body, RunningBinary, AGENT, SEED_GET_147469};

const CUSTOMER: (&str, &str) = ("nicole.braun@zammad.org", "test");
const TOKEN: &str = "zammad-links-mock-token-user-3";
const LINKS: &str = "/api/v1/links?link_object=Ticket&link_object_value=147469";

fn start() -> MockServer {
    start_with(MockServer::builder())
}

fn start_with(builder: zammad_links_mock::MockServerBuilder) -> MockServer {
    let _ = env_logger::builder().is_test(true).try_init();
    builder.store(StoreMode::Memory).start()
}

fn client() -> Client {
    Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

fn get_links(server: &MockServer, (login, password): (&str, &str)) -> Response {
    client()
        .get(server.url(LINKS))
        .basic_auth(login, Some(password))
        .send()
        .unwrap()
}

fn add_link(server: &MockServer, body: &Value) -> Response {
    client()
        .post(server.url("/api/v1/links/add"))
        .basic_auth(AGENT.0, Some(AGENT.1))
        .json(body)
        .send()
        .unwrap()
}

fn admin(server: &MockServer, method: Method, path: &str, body: Option<&str>) -> (u16, Value) {
    let mut request = client().request(method, server.url(path));
    if let Some(body) = body {
        request = request
            .header("Content-Type", "application/json")
            .body(body.to_owned());
    }
    let response = request.send().unwrap();
    let status = response.status().as_u16();
    (status, response.json().unwrap_or(Value::Null))
}

fn answer(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().unwrap_or(Value::Null))
}

fn humanized(text: &str) -> Value {
    json!({"error": text, "error_human": text})
}

fn is_masked(body: &Value) -> bool {
    let text = body["error"].as_str().unwrap_or("");
    body.as_object().is_some_and(|o| o.len() == 1)
        && text.len() == "Error ID 12345678: Please contact your administrator.".len()
        && text.starts_with("Error ID ")
        && text.ends_with(": Please contact your administrator.")
}

/// The links of ticket 147469 by their linked ticket ids.
fn linked(server: &MockServer) -> Vec<i64> {
    let body: Value = get_links(server, AGENT).json().unwrap();
    body["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["link_object_value"].as_i64().unwrap())
        .collect()
}

// ---- what a rule can do -------------------------------------------------------------------

#[test]
fn a_latency_rule_delays_the_call_and_then_runs_it() {
    // Arrange
    let server = start();
    server
        .add_fault(FaultRule::new(Fault::Latency(Delay::Fixed(300))).route(ZammadRoute::LinksAdd));
    // Act
    let started = Instant::now();
    let response = add_link(&server, &add_body("normal", 147469, "34147471"));
    // Assert: late, but the link was added as usual.
    assert!(started.elapsed() >= Duration::from_millis(300));
    let (status, row) = answer(response);
    assert_eq!((status, row["id"].clone()), (201, json!(5)));
    assert_eq!(linked(&server), [147470, 147471, 147471]);
    let started = Instant::now();
    assert_eq!(get_links(&server, AGENT).status(), 200);
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "the list is not delayed"
    );
}

#[test]
fn a_latency_range_draws_each_wait_within_it() {
    let server = start();
    server.add_fault(
        FaultRule::new(Fault::Latency(Delay::Range { min: 100, max: 250 })).fraction(1.0, 9),
    );
    for _ in 0..3 {
        let started = Instant::now();
        assert_eq!(get_links(&server, AGENT).status(), 200);
        let waited = started.elapsed();
        assert!(waited >= Duration::from_millis(100), "{waited:?}");
        assert!(waited < Duration::from_millis(2000), "{waited:?}");
    }
}

#[test]
fn a_respond_rule_answers_any_status_body_and_headers_instead() {
    // Arrange
    let server = start();
    let (status, rule) = admin(
        &server,
        Method::POST,
        "/__mock/faults",
        Some(
            r#"{"kind": "respond", "status": 503, "body": {"error": "later"},
                 "headers": {"Retry-After": "7"}, "route": "links#index", "times": 1}"#,
        ),
    );
    assert_eq!(status, 201);
    // Act
    let first = get_links(&server, AGENT);
    // Assert
    assert_eq!(first.headers()["retry-after"], "7");
    assert_eq!(
        first.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    assert_eq!(answer(first), (503, json!({"error": "later"})));
    assert_eq!(get_links(&server, AGENT).text().unwrap(), SEED_GET_147469);
    let (_, listed) = admin(
        &server,
        Method::GET,
        &format!("/__mock/faults/{}", rule["id"]),
        None,
    );
    assert_eq!(
        (listed["fired"].clone(), listed["spent"].clone()),
        (json!(1), json!(true))
    );
    // A string body goes as text.
    server.add_fault(FaultRule::new(Fault::Respond {
        status: 200,
        body: Some(json!("plain words")),
        headers: Vec::new(),
    }));
    let text = get_links(&server, AGENT);
    assert_eq!(text.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(text.text().unwrap(), "plain words");
}

#[test]
fn a_drop_rule_closes_the_connection_without_an_answer() {
    // Arrange
    let server = start();
    server.add_fault(
        FaultRule::new(Fault::Drop)
            .route(ZammadRoute::LinksIndex)
            .times(1),
    );
    // Act: a raw request, to see that not one byte comes back.
    let mut stream = std::net::TcpStream::connect(server.address()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(stream, "GET {LINKS} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut received = Vec::new();
    let read = stream.read_to_end(&mut received);
    // Assert
    assert!(read.is_ok() || received.is_empty(), "{read:?}");
    assert!(
        received.is_empty(),
        "{}",
        String::from_utf8_lossy(&received)
    );
    assert_eq!(
        get_links(&server, AGENT).status(),
        200,
        "only the next call"
    );
    let journal = server.requests();
    assert_eq!(journal[0].status, 444);
    assert_eq!(journal[0].fault.as_ref().unwrap().kind, "drop");
}

#[test]
fn a_hold_outlasts_the_clients_timeout_and_ends_within_its_bound() {
    // Arrange: hold the list for 1.5 s, then answer as Zammad's nginx does.
    let server = start();
    server.add_fault(
        FaultRule::new(Fault::Hold {
            ms: 1500,
            then: HoldEnd::GatewayTimeout,
        })
        .route(ZammadRoute::LinksIndex),
    );
    let impatient = Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    // Act
    let started = Instant::now();
    let gave_up = impatient
        .get(server.url(LINKS))
        .basic_auth(AGENT.0, Some(AGENT.1))
        .send();
    // Assert: the client gave up; the server answers everything else meanwhile.
    assert!(gave_up.unwrap_err().is_timeout());
    assert!(started.elapsed() < Duration::from_millis(1500));
    let health = client().get(server.url("/__mock/health")).send().unwrap();
    assert_eq!(health.status(), 200);
    // A patient client gets the 504 when the hold ends.
    let started = Instant::now();
    let late = get_links(&server, AGENT);
    assert!(started.elapsed() >= Duration::from_millis(1500));
    assert_eq!(late.status(), 504);
    assert!(late
        .text()
        .unwrap()
        .contains("<h1>504 Gateway Time-out</h1>"));
}

#[test]
fn a_hold_that_ends_in_a_drop_closes_the_connection_when_its_time_is_up() {
    // Arrange: by exact path.
    let server = start();
    server.add_fault(
        FaultRule::new(Fault::Hold {
            ms: 400,
            then: HoldEnd::Drop,
        })
        .path("/api/v1/links")
        .times(1),
    );
    // Act
    let started = Instant::now();
    let closed = client()
        .get(server.url(LINKS))
        .basic_auth(AGENT.0, Some(AGENT.1))
        .send();
    // Assert: no answer, and no timeout of the client's either: the server closed it.
    let error = closed.unwrap_err();
    assert!(!error.is_timeout(), "{error}");
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!(server.requests()[0].status, 444);
    assert_eq!(server.requests()[0].fault.as_ref().unwrap().kind, "hold");
    assert_eq!(get_links(&server, AGENT).status(), 200);
}

#[test]
fn a_hold_past_the_bound_is_refused() {
    let server = start();
    let (status, body) = admin(
        &server,
        Method::POST,
        "/__mock/faults",
        Some(r#"{"kind": "hold", "ms": 300001}"#),
    );
    assert_eq!(status, 422);
    assert!(body["error"]
        .as_str()
        .unwrap()
        .starts_with("rule.ms: at most 300000 ms"));
    assert!(server.faults().is_empty());
}

#[test]
fn the_masked_500_is_masked_for_non_admins_and_raw_for_admins() {
    // Arrange
    let server = start();
    server.add_fault(FaultRule::new(Fault::InternalError {
        message: Some("undefined method `id' for nil:NilClass".into()),
    }));
    // Act
    let (status, customer) = answer(get_links(&server, CUSTOMER));
    let (admin_status, admin) = answer(get_links(&server, AGENT));
    // Assert
    assert_eq!(status, 500);
    assert!(is_masked(&customer), "{customer}");
    assert_eq!(
        (admin_status, admin),
        (
            500,
            json!({"error": "undefined method `id' for nil:NilClass"})
        )
    );
    // Wrong credentials: Zammad never reaches the action; the usual 401, the rule not fired.
    let (status, body) = answer(get_links(&server, ("test@test.de", "wrong")));
    assert_eq!(
        (status, body),
        (401, humanized("Invalid BasicAuth credentials"))
    );
    assert_eq!(server.faults()[0].fired, 2);
}

#[test]
fn the_proxy_pages_are_nginxs_own() {
    let server = start();
    let id = server.add_fault(FaultRule::new(Fault::BadGateway).times(1));
    server.add_fault(FaultRule::new(Fault::GatewayTimeout).times(1));
    let bad = get_links(&server, AGENT);
    assert_eq!(bad.status(), 502);
    assert_eq!(bad.headers()["content-type"], "text/html");
    assert_eq!(bad.headers()["server"], "nginx");
    assert_eq!(
        bad.text().unwrap(),
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
         <center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n\
         </body>\r\n</html>\r\n"
    );
    let timeout = get_links(&server, AGENT);
    assert_eq!(timeout.status(), 504);
    assert!(timeout
        .text()
        .unwrap()
        .contains("<title>504 Gateway Time-out</title>"));
    assert_eq!(get_links(&server, AGENT).status(), 200);
    assert_eq!(server.requests()[0].fault.as_ref().unwrap().rule, id);
}

#[test]
fn maintenance_mode_stops_logged_in_users_and_lets_admins_through() {
    // Arrange
    let server = start();
    server.add_fault(FaultRule::new(Fault::Maintenance));
    // Act
    let customer = get_links(&server, CUSTOMER);
    // Assert
    assert_eq!(customer.headers()["x-failure"], "Maintenance mode enabled!");
    assert_eq!(
        answer(customer),
        (403, humanized("Maintenance mode enabled!"))
    );
    assert_eq!(get_links(&server, AGENT).text().unwrap(), SEED_GET_147469);
    let nobody = client().get(server.url(LINKS)).send().unwrap();
    assert_eq!(answer(nobody), (403, humanized("Authentication required")));
    assert_eq!(
        (server.faults()[0].matched, server.faults()[0].fired),
        (1, 1)
    );
}

#[test]
fn too_many_requests_answers_as_rack_attack_with_or_without_retry_after() {
    let server = start();
    server.add_fault(
        FaultRule::new(Fault::TooManyRequests {
            retry_after: Some(2),
        })
        .times(1),
    );
    server.add_fault(FaultRule::new(Fault::TooManyRequests { retry_after: None }).times(1));
    let first = get_links(&server, AGENT);
    assert_eq!(first.status(), 429);
    assert_eq!(first.headers()["retry-after"], "2");
    assert_eq!(first.headers()["content-type"], "text/plain");
    assert_eq!(first.text().unwrap(), "Retry later\n");
    let second = get_links(&server, AGENT);
    assert_eq!(second.status(), 429);
    assert!(second.headers().get("retry-after").is_none());
}

#[test]
fn a_revoked_token_gets_zammads_401_for_each_way_of_sending_it() {
    for (version, bearer_text) in [
        (ZammadVersion::V5_0, "Invalid token!"),
        (ZammadVersion::V6_5, "The provided token is invalid."),
    ] {
        let server = start_with(MockServer::builder().zammad_version(version));
        server.add_fault(FaultRule::new(Fault::TokenRevoked));
        let send = |authorization: &str| {
            let response = client()
                .get(server.url(LINKS))
                .header("Authorization", authorization)
                .send()
                .unwrap();
            let failure = response.headers()["x-failure"].to_str().unwrap().to_owned();
            let (status, body) = answer(response);
            assert_eq!(body["error"], failure.as_str());
            (status, body)
        };
        assert_eq!(
            send(&format!("Token token={TOKEN}")),
            (401, humanized("Can't find User for Token"))
        );
        assert_eq!(
            send(&format!("Bearer {TOKEN}")),
            (401, humanized(bearer_text))
        );
        assert_eq!(
            send("Basic dGVzdEB0ZXN0LmRlOnRlc3Q="),
            (401, humanized("Invalid BasicAuth credentials"))
        );
    }
}

// ---- which calls a rule matches -------------------------------------------------------------

#[test]
fn rules_match_by_method_path_route_and_caller() {
    let server = start();
    let by_method = server.add_fault(FaultRule::new(Fault::BadGateway).method("DELETE"));
    let by_prefix = server.add_fault(FaultRule::new(Fault::BadGateway).path("/api/v1/tickets/*"));
    let by_route = server.add_fault(FaultRule::new(Fault::BadGateway).route(ZammadRoute::UsersMe));
    let by_login =
        server.add_fault(FaultRule::new(Fault::BadGateway).caller_login("Nicole.Braun@zammad.org"));
    let status = |method: Method, path: &str, who: (&str, &str)| {
        client()
            .request(method, server.url(path))
            .basic_auth(who.0, Some(who.1))
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(status(Method::DELETE, "/api/v1/links/remove", AGENT), 502);
    assert_eq!(status(Method::GET, "/api/v1/tickets/147469", AGENT), 502);
    assert_eq!(status(Method::GET, "/api/v1/tickets", AGENT), 200);
    assert_eq!(status(Method::GET, "/api/v1/users/me.json", AGENT), 502);
    assert_eq!(status(Method::GET, LINKS, AGENT), 200);
    assert_eq!(status(Method::GET, LINKS, CUSTOMER), 502);
    let fired: Vec<(u64, u64)> = server.faults().iter().map(|s| (s.id, s.fired)).collect();
    assert_eq!(
        fired,
        [(by_method, 1), (by_prefix, 1), (by_route, 1), (by_login, 1)]
    );
    // By id, and only after authentication: a wrong password meets no caller rule.
    server.clear_faults();
    server.add_fault(FaultRule::new(Fault::BadGateway).caller_id(3));
    assert_eq!(status(Method::GET, LINKS, AGENT), 502);
    // The customer gets their usual answer (no `ticket.agent`: 403).
    assert_eq!(status(Method::GET, LINKS, CUSTOMER), 403);
    assert_eq!(status(Method::GET, LINKS, ("test@test.de", "wrong")), 401);
}

#[test]
fn faults_never_reach_health_the_admin_api_or_the_page() {
    let server = start();
    server.add_fault(FaultRule::new(Fault::Drop));
    for path in [
        "/__mock/health",
        "/__mock/requests",
        "/__mock/faults",
        "/__mock/ui",
        "/__mock/ui/app.js",
    ] {
        let response = client().get(server.url(path)).send().unwrap();
        assert_eq!(response.status(), 200, "{path}");
    }
    assert_eq!(server.faults()[0].matched, 0);
    let (status, body) = admin(
        &server,
        Method::POST,
        "/__mock/faults",
        Some(r#"{"kind": "drop", "path": "/__mock/*"}"#),
    );
    assert_eq!(status, 422, "{body}");
}

// ---- how often ------------------------------------------------------------------------------

#[test]
fn a_seeded_fraction_gives_the_same_sequence_twice() {
    let sequence = |seed: u64| {
        let server = start();
        server.add_fault(FaultRule::new(Fault::BadGateway).fraction(0.4, seed));
        let statuses: Vec<u16> = (0..30)
            .map(|_| get_links(&server, AGENT).status().as_u16())
            .collect();
        let status = &server.faults()[0];
        assert_eq!(status.matched, 30);
        assert_eq!(
            status.fired as usize,
            statuses.iter().filter(|&&s| s == 502).count()
        );
        statuses
    };
    let first = sequence(2024);
    assert_eq!(first, sequence(2024));
    assert_ne!(first, sequence(2025));
    assert!(first.contains(&502) && first.contains(&200), "{first:?}");
}

#[test]
fn a_link_add_that_fails_once_then_succeeds_leaves_no_half_written_link() {
    // Arrange
    let server = start();
    server.add_fault(
        FaultRule::new(Fault::InternalError { message: None })
            .route(ZammadRoute::LinksAdd)
            .times(1),
    );
    let body = add_body("normal", 147469, "34147471");
    // Act
    let (failed, error) = answer(add_link(&server, &body));
    let links_between = linked(&server);
    let export_between = server.fixtures();
    let (added, row) = answer(add_link(&server, &body));
    // Assert
    assert_eq!(failed, 500);
    assert_eq!(
        error,
        json!({"error": "zammad-links-mock fault rule 1: internal_error"})
    );
    assert_eq!(links_between, [147470, 147471], "nothing was written");
    assert_eq!(export_between.links.len(), 2);
    // The refused add used no link id: the retry gets the seed's id 5.
    assert_eq!((added, row["id"].clone()), (201, json!(5)));
    let journal = server.requests();
    assert_eq!(
        journal[0].body, body,
        "the body of the faulted call is noted"
    );
    let fault = journal[0].fault.as_ref().unwrap();
    assert_eq!((fault.rule, fault.kind.as_str()), (1, "internal_error"));
    assert!(journal[1].fault.is_none());
}

// ---- the admin API, reset, the journal --------------------------------------------------------

#[test]
fn rules_are_listed_removed_replaced_and_cleared_over_the_admin_api() {
    let server = start();
    let (status, first) = admin(
        &server,
        Method::POST,
        "/__mock/faults",
        Some(r#"{"kind": "drop", "route": "links#add"}"#),
    );
    assert_eq!(status, 201);
    assert_eq!(
        first,
        json!({"id": 1, "kind": "drop", "route": "links#add", "matched": 0, "fired": 0, "spent": false})
    );
    let (status, listing) = admin(&server, Method::GET, "/__mock/faults", None);
    assert_eq!((status, listing["latency"].clone()), (200, Value::Null));
    assert_eq!(listing["faults"], json!([first]));
    let (status, body) = admin(
        &server,
        Method::PUT,
        "/__mock/faults",
        Some(r#"{"faults": [{"kind": "bad_gateway"}, {"kind": "maintenance", "caller": 2}]}"#),
    );
    assert_eq!(status, 200);
    let ids: Vec<Value> = body["faults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    assert_eq!(ids, [json!(2), json!(3)]);
    assert_eq!(
        admin(&server, Method::DELETE, "/__mock/faults/2", None).0,
        204
    );
    assert_eq!(
        admin(&server, Method::DELETE, "/__mock/faults/2", None).0,
        404
    );
    assert_eq!(
        admin(&server, Method::GET, "/__mock/faults/3", None).1["kind"],
        "maintenance"
    );
    // A bad document changes nothing and names the place.
    let (status, body) = admin(
        &server,
        Method::PUT,
        "/__mock/faults",
        Some(r#"{"faults": [{"kind": "drop"}, {"kind": "explode"}]}"#),
    );
    assert_eq!(status, 422);
    assert!(body["error"]
        .as_str()
        .unwrap()
        .starts_with("faults[1].kind: unknown kind \"explode\""));
    assert_eq!(server.faults().len(), 1);
    assert_eq!(
        admin(&server, Method::DELETE, "/__mock/faults", None).0,
        204
    );
    assert!(server.faults().is_empty());
    assert_eq!(admin(&server, Method::PATCH, "/__mock/faults", None).0, 405);
}

#[test]
fn the_admin_token_guards_the_fault_routes() {
    let server = start_with(
        MockServer::builder().admin(zammad_links_mock::AdminAccess::Token("s3cret".into())),
    );
    let (status, _) = admin(
        &server,
        Method::POST,
        "/__mock/faults",
        Some(r#"{"kind": "drop"}"#),
    );
    assert_eq!(status, 401);
    assert!(server.faults().is_empty());
}

#[test]
fn reset_clears_added_rules_and_brings_back_the_start_up_ones() {
    // Arrange
    let server =
        start_with(MockServer::builder().fault(FaultRule::new(Fault::BadGateway).times(1)));
    assert_eq!(get_links(&server, AGENT).status(), 502);
    server.add_fault(FaultRule::new(Fault::Drop));
    // Act
    let (status, _) = admin(&server, Method::POST, "/__mock/reset", None);
    // Assert
    assert_eq!(status, 204);
    let rules = server.faults();
    assert_eq!(rules.len(), 1);
    assert_eq!(
        (rules[0].id, rules[0].fired, rules[0].rule.fault.clone()),
        (1, 0, Fault::BadGateway)
    );
    assert_eq!(get_links(&server, AGENT).status(), 502);
    assert_eq!(get_links(&server, AGENT).status(), 200);
    // The library's reset does the same; added rules get ids never used before.
    assert_eq!(server.add_fault(FaultRule::new(Fault::Drop)), 3);
    server.reset();
    assert_eq!(server.faults().len(), 1);
}

#[test]
fn the_journal_marks_faulted_entries_and_leaves_others_as_they_were() {
    let server = start();
    server.add_fault(FaultRule::new(Fault::Latency(Delay::Fixed(1))).route(ZammadRoute::UsersMe));
    server.add_fault(
        FaultRule::new(Fault::BadGateway)
            .route(ZammadRoute::LinksIndex)
            .times(1),
    );
    get_links(&server, AGENT);
    get_links(&server, AGENT);
    client()
        .get(server.url("/api/v1/users/me"))
        .basic_auth(AGENT.0, Some(AGENT.1))
        .send()
        .unwrap();
    let (_, journal) = admin(&server, Method::GET, "/__mock/requests", None);
    let faults: Vec<Value> = journal
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.get("fault").cloned().unwrap_or(Value::Null))
        .collect();
    assert_eq!(
        faults,
        [
            json!({"rule": 2, "kind": "bad_gateway"}),
            Value::Null,
            json!({"rule": 1, "kind": "latency"})
        ]
    );
    assert!(
        journal[1].as_object().unwrap().get("fault").is_none(),
        "the key is left out"
    );
}

// ---- start-up: the file, the run-wide latency -------------------------------------------------

#[test]
fn a_faults_file_sets_the_start_up_rules_of_the_binary() {
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("faults.json");
    std::fs::write(
        &file,
        r#"{"faults": [{"kind": "too_many_requests", "retry_after": 3, "route": "links#index", "times": 1}]}"#,
    )
    .unwrap();
    let app = RunningBinary::start(&[
        "--in-memory".as_ref(),
        "--faults".as_ref(),
        file.as_os_str(),
    ]);
    let get = || {
        client()
            .get(format!("{}{LINKS}", app.base))
            .basic_auth(AGENT.0, Some(AGENT.1))
            .send()
            .unwrap()
    };
    let first = get();
    assert_eq!(
        (
            first.status().as_u16(),
            first.headers()["retry-after"].to_str().unwrap()
        ),
        (429, "3")
    );
    assert_eq!(get().status(), 200);
    // The rule comes back with a reset.
    client()
        .post(format!("{}/__mock/reset", app.base))
        .send()
        .unwrap();
    assert_eq!(get().status(), 429);
}

#[test]
fn a_bad_faults_file_stops_start_up_in_one_line_with_exit_code_2() {
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("faults.json");
    std::fs::write(
        &file,
        r#"{"faults": [{"kind": "drop"}, {"kind": "drop"}, {"kind": "crash"}]}"#,
    )
    .unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_zammad-links-mock"))
        .args(["--in-memory", "--bind", "127.0.0.1:0", "--faults"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("faults[2].kind: unknown kind \"crash\""),
        "{stderr}"
    );
    let missing = std::process::Command::new(env!("CARGO_BIN_EXE_zammad-links-mock"))
        .args([
            "--in-memory",
            "--bind",
            "127.0.0.1:0",
            "--faults",
            "/nonexistent/faults.json",
        ])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn latency_for_a_whole_run_delays_every_zammad_call_but_not_the_admin_api() {
    let app = RunningBinary::start(&[
        "--in-memory".as_ref(),
        "--latency".as_ref(),
        "250ms".as_ref(),
    ]);
    let started = Instant::now();
    let response = client()
        .get(format!("{}{LINKS}", app.base))
        .basic_auth(AGENT.0, Some(AGENT.1))
        .send()
        .unwrap();
    assert_eq!(response.text().unwrap(), SEED_GET_147469);
    assert!(started.elapsed() >= Duration::from_millis(250));
    let started = Instant::now();
    let listing: Value = client()
        .get(format!("{}/__mock/faults", app.base))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(started.elapsed() < Duration::from_millis(250));
    assert_eq!(listing["latency"], 250);
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_zammad-links-mock"))
        .args(["--in-memory", "--latency", "soon"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

// ---- real clients against rules ---------------------------------------------------------------

#[test]
fn capture_waits_out_a_429_retry_after_set_by_a_rule_and_succeeds() {
    // Arrange: the first two list calls are throttled with Retry-After: 1.
    let server = start();
    server.add_fault(
        FaultRule::new(Fault::TooManyRequests {
            retry_after: Some(1),
        })
        .route(ZammadRoute::LinksIndex)
        .times(2),
    );
    let dir = tempfile::TempDir::new().unwrap();
    let out = dir.path().join("captured.json");
    let mut options = zammad_links_mock::CaptureOptions::new(
        server.uri(),
        zammad_links_mock::Credentials::Token(TOKEN.into()),
        out.clone(),
    );
    options.tickets = vec![147469];
    options.zammad_version = ZammadVersion::V5_0;
    options.concurrency = 1;
    options.timeout = Duration::from_secs(10);
    // Act
    let started = Instant::now();
    let captured = zammad_links_mock::capture(&options, &())
        .expect("the capture succeeds after the rate limit");
    // Assert
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "waited as Retry-After said"
    );
    assert_eq!((captured.tickets, captured.links), (3, 2));
    assert_eq!(server.faults()[0].fired, 2);
    let throttled = server.requests().iter().filter(|e| e.status == 429).count();
    assert_eq!(throttled, 2);
}

#[test]
fn zammad_py_sees_the_masked_500_set_by_a_rule() {
    // Arrange: an agent without `admin` (sees the mask), and the default admin (sees details).
    let python = crate::releases::python_with_clients();
    let server = start();
    let agent = json!({"User": {"4": {"id": 4, "login": "agent@example.com", "password": "test",
        "firstname": "A", "lastname": "Gent", "email": "agent@example.com", "active": true,
        "role_ids": [2], "group_ids": {"1": ["full"]}, "organization_id": null}}});
    server
        .merge_fixtures(&zammad_links_mock::FixtureDocument::from_value(agent).unwrap())
        .unwrap();
    server.add_fault(
        FaultRule::new(Fault::InternalError {
            message: Some("PG::ConnectionBad".into()),
        })
        .route(ZammadRoute::LinksIndex),
    );
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/clients/python_faults.py"
    );
    for (login, want) in [
        ("agent@example.com", "masked"),
        (AGENT.0, "PG::ConnectionBad"),
    ] {
        // Act
        let output = std::process::Command::new(&python)
            .arg(script)
            .args([server.uri().as_str(), login, "test", want])
            .output()
            .unwrap();
        // Assert
        assert!(
            output.status.success(),
            "{login}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert_eq!(server.faults()[0].fired, 2);
}

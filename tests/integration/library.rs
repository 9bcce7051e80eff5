//! The in-process `MockServer` API, as a Rust test suite uses it.

use serde_json::Value;
use zammad_links_mock::{FixtureDocument, MockServer};

use crate::helpers::{Fixture, AGENT, SEED_GET_147469};

fn seed_get(server: &MockServer) -> String {
    reqwest::blocking::Client::new()
        .get(server.url("/api/v1/links?link_object=Ticket&link_object_value=147469"))
        .basic_auth(AGENT.0, Some(AGENT.1))
        .send()
        .unwrap()
        .text()
        .unwrap()
}

#[test]
fn start_serves_the_default_data_set_on_a_free_loopback_port() {
    let first = MockServer::start();
    let second = MockServer::start();
    assert!(first.uri().starts_with("http://127.0.0.1:"));
    assert_ne!(first.address(), second.address());
    assert_eq!(seed_get(&first), SEED_GET_147469);
}

#[test]
fn dropping_the_handle_stops_the_server() {
    let server = MockServer::start();
    let address = server.address();
    drop(server);
    assert!(std::net::TcpStream::connect(address).is_err());
}

#[test]
fn load_fixtures_reset_and_fixtures_mirror_the_admin_api() {
    // Arrange
    let server = MockServer::start();
    let doc = FixtureDocument::from_value(Fixture::new().ticket(1, "1001").build()).unwrap();
    // Act / Assert: replace.
    server.load_fixtures(&doc);
    assert_eq!(seed_get(&server), r#"{"links":[],"assets":{}}"#);
    assert!(server.fixtures().links.is_empty());
    // Merge.
    let merged = FixtureDocument::from_json(
        r#"{"Link": [{"link_type": "normal", "link_object_source": "Ticket", "link_object_source_value": 147469,
                       "link_object_target": "Ticket", "link_object_target_value": 1}]}"#,
    )
    .unwrap();
    server.merge_fixtures(&merged).unwrap();
    assert_eq!(server.fixtures().links.len(), 1);
    // Reset.
    server.reset();
    assert_eq!(seed_get(&server), SEED_GET_147469);
}

#[test]
fn requests_lists_what_the_code_under_test_called() {
    let server = MockServer::start();
    seed_get(&server);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/api/v1/links");
    assert_eq!(requests[0].status, 200);
    server.clear_requests();
    assert!(server.requests().is_empty());
}

#[test]
fn a_builder_database_folder_survives_a_restart() {
    let dir = tempfile::TempDir::new().unwrap();
    {
        let server = MockServer::builder().db_dir(dir.path()).start();
        let doc = FixtureDocument::from_value(Fixture::new().ticket(1, "1001").build()).unwrap();
        server.load_fixtures(&doc);
    }
    let server = MockServer::builder().db_dir(dir.path()).start();
    let tickets: Vec<i64> = server
        .fixtures()
        .records
        .iter()
        .filter(|r| r.record.kind == zammad_links_mock::ModelKind::Ticket)
        .map(|r| r.record.id)
        .collect();
    assert_eq!(tickets, [1]);
}

#[test]
#[should_panic(expected = "zammad-links-mock could not start: cannot listen on")]
fn a_busy_address_panics_with_a_message_for_the_reader() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    MockServer::builder()
        .bind(taken.local_addr().unwrap())
        .start();
}

// The same smoke test under the three runtimes a Rust test suite uses (wiremock's
// `tests/tokio.rs` idea): the server owns its runtime, so none of them can stall it.

fn smoke() {
    let server = MockServer::start();
    let answer: Value = serde_json::from_str(&seed_get(&server)).unwrap();
    assert_eq!(answer["links"].as_array().unwrap().len(), 2);
}

#[test]
fn works_under_a_plain_test() {
    smoke();
}

#[tokio::test]
async fn works_under_tokio_test() {
    let server = MockServer::start();
    let response = reqwest::Client::new()
        .get(server.url("/api/v1/links?link_object=Ticket&link_object_value=147469"))
        .basic_auth(AGENT.0, Some(AGENT.1))
        .send()
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), SEED_GET_147469);
}

#[actix_rt::test]
async fn works_under_actix_rt_test() {
    // Blocking calls from an actix test run on a helper thread, as a test would do.
    let body = std::thread::spawn(|| {
        let server = MockServer::start();
        seed_get(&server)
    })
    .join()
    .unwrap();
    assert_eq!(body, SEED_GET_147469);
    let server = MockServer::start();
    drop(server);
}

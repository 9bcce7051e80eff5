//! The admin API under `/__mock/`: reset, fixtures (replace, merge, export) and the journal.

use reqwest::Method;
use serde_json::{json, Value};
use zammad_links_mock::{AdminAccess, MockServer};

use crate::helpers::{add_body, remove_body, Fixture, TestApp, AGENT};

fn admin(app: &TestApp, method: Method, path: &str) -> reqwest::blocking::RequestBuilder {
    app.request(method, path)
}

#[test]
fn reset_goes_back_to_the_start_up_fixtures_and_their_link_ids() {
    // Arrange
    let app = TestApp::start();
    app.remove_link(remove_body("normal", 147469, 147470));
    app.add_link(add_body("normal", 147470, "34147471"));
    // Act
    let response = admin(&app, Method::POST, "/__mock/reset").send().unwrap();
    // Assert
    assert_eq!(response.status(), 204);
    assert_eq!(
        app.get_links("Ticket", 147469).text().unwrap(),
        crate::helpers::SEED_GET_147469
    );
    let row: Value = app
        .add_link(add_body("normal", 147469, "34147471"))
        .json()
        .unwrap();
    assert_eq!(row["id"], 5);
}

#[test]
fn put_fixtures_replaces_the_whole_state() {
    let app = TestApp::start();
    let doc = Fixture::new()
        .ticket(1, "1001")
        .ticket(2, "1002")
        .link("normal", 1, 2)
        .build();
    let response = admin(&app, Method::PUT, "/__mock/fixtures")
        .json(&doc)
        .send()
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(app.links_of(1), vec![(json!("normal"), "Ticket".into(), 2)]);
    assert!(app.links_of(147469).is_empty());
}

#[test]
fn post_fixtures_merges_records_and_links() {
    let app = TestApp::start();
    let doc = json!({
        "Ticket": {"5": {"id": 5, "number": "5005", "group_id": 1, "title": "merged"}},
        "Link": [
            {"link_type": "normal", "link_object_source": "Ticket", "link_object_source_value": 147469,
             "link_object_target": "Ticket", "link_object_target_value": 5},
            // Already there: left as it is.
            {"link_type": "normal", "link_object_source": "Ticket", "link_object_source_value": 147469,
             "link_object_target": "Ticket", "link_object_target_value": 147470}
        ]
    });
    let response = admin(&app, Method::POST, "/__mock/fixtures")
        .json(&doc)
        .send()
        .unwrap();
    assert_eq!(response.status(), 204);
    let links = app.links_of(147469);
    assert_eq!(links.len(), 3);
    assert_eq!(links[2], (json!("normal"), "Ticket".into(), 5));
    // The merged link took the next id; the sequence moved on.
    let row: Value = app
        .add_link(add_body("normal", 147470, "34147471"))
        .json()
        .unwrap();
    assert_eq!(row["id"], 6);
}

#[test]
fn a_malformed_fixture_document_is_refused_whole_with_422_and_changes_nothing() {
    // Arrange
    let app = TestApp::start();
    let before = admin(&app, Method::GET, "/__mock/fixtures")
        .send()
        .unwrap()
        .text()
        .unwrap();
    // The first section is fine; the link row is not.
    let doc = json!({
        "Ticket": {"9": {"id": 9, "number": "9009"}},
        "Link": [{"link_type": "normal", "link_object_source": "Ticket", "link_object_source_value": 9,
                  "link_object_target": "Ticket", "link_object_target_value": "x"}]
    });
    for method in [Method::PUT, Method::POST] {
        // Act
        let response = admin(&app, method, "/__mock/fixtures")
            .json(&doc)
            .send()
            .unwrap();
        // Assert
        assert_eq!(response.status(), 422);
        let body: Value = response.json().unwrap();
        assert_eq!(
            body["error"],
            "Link[0].link_object_target_value: expected an integer, found a string"
        );
    }
    let after = admin(&app, Method::GET, "/__mock/fixtures")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert_eq!(after, before);
}

#[test]
fn a_merge_with_a_taken_link_id_is_refused_whole() {
    let app = TestApp::start();
    let doc = json!({
        "Ticket": {"9": {"id": 9, "number": "9009"}},
        "Link": [{"id": 3, "link_type": "normal", "link_object_source": "Ticket", "link_object_source_value": 9,
                  "link_object_target": "Ticket", "link_object_target_value": 147469}]
    });
    let response = admin(&app, Method::POST, "/__mock/fixtures")
        .json(&doc)
        .send()
        .unwrap();
    assert_eq!(response.status(), 422);
    assert_eq!(
        response.json::<Value>().unwrap()["error"],
        "Link[0].id: 3 is already the id of another link"
    );
    assert!(app.links_of(9).is_empty());
}

#[test]
fn an_export_loaded_back_gives_the_same_state() {
    // Arrange: change the default state a little.
    let app = TestApp::start();
    app.add_link(add_body("parent", 147471, "34147470"));
    app.remove_link(remove_body("normal", 147469, 147470));
    let export = admin(&app, Method::GET, "/__mock/fixtures")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(!export.contains("\"password\":"));
    // Act: load it into a fresh server.
    let other = TestApp::start();
    let response = admin(&other, Method::PUT, "/__mock/fixtures")
        .header("Content-Type", "application/json")
        .body(export.clone())
        .send()
        .unwrap();
    // Assert
    assert_eq!(response.status(), 204);
    let again = admin(&other, Method::GET, "/__mock/fixtures")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert_eq!(again, export);
    // Tokens came along; passwords did not.
    let by_token = other
        .request(
            Method::GET,
            "/api/v1/links?link_object=Ticket&link_object_value=147471",
        )
        .header(
            "Authorization",
            "Token token=zammad-links-mock-token-user-3",
        )
        .send()
        .unwrap();
    assert_eq!(by_token.status(), 200);
    assert_eq!(other.get_links("Ticket", 147471).status(), 401);
}

#[test]
fn the_journal_lists_zammad_calls_and_can_be_cleared() {
    // Arrange
    let app = TestApp::start();
    app.get_links("Ticket", 147469);
    app.add_link(add_body("normal", 147469, "99999999"));
    app.request(Method::GET, "/api/v1/links").send().unwrap();
    // Act
    let entries: Value = admin(&app, Method::GET, "/__mock/requests")
        .send()
        .unwrap()
        .json()
        .unwrap();
    // Assert
    let entries = entries.as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0]["method"], "GET");
    assert_eq!(entries[0]["path"], "/api/v1/links");
    assert_eq!(
        entries[0]["query"],
        "link_object=Ticket&link_object_value=147469"
    );
    assert_eq!(entries[0]["status"], 200);
    assert_eq!(entries[0]["user"], 3);
    assert_eq!(entries[1]["body"]["link_object_source_number"], "99999999");
    assert_eq!(entries[1]["status"], 422);
    assert_eq!(entries[2]["status"], 403);
    assert_eq!(entries[2]["user"], Value::Null);
    assert!(entries[2]["time"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        admin(&app, Method::DELETE, "/__mock/requests")
            .send()
            .unwrap()
            .status(),
        204
    );
    let entries: Value = admin(&app, Method::GET, "/__mock/requests")
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(entries, json!([]));
}

#[test]
fn the_journal_is_bounded() {
    let server = MockServer::builder().journal_limit(2).start();
    let client = reqwest::blocking::Client::new();
    for value in [1, 2, 3] {
        client
            .get(server.url(&format!(
                "/api/v1/links?link_object=Ticket&link_object_value={value}"
            )))
            .basic_auth(AGENT.0, Some(AGENT.1))
            .send()
            .unwrap();
    }
    let queries: Vec<String> = server.requests().into_iter().map(|e| e.query).collect();
    assert_eq!(
        queries,
        [
            "link_object=Ticket&link_object_value=2",
            "link_object=Ticket&link_object_value=3"
        ]
    );
}

#[test]
fn an_admin_token_is_required_when_configured() {
    let server = MockServer::builder()
        .admin(AdminAccess::Token("s3cret".into()))
        .start();
    let client = reqwest::blocking::Client::new();
    let refused = client.post(server.url("/__mock/reset")).send().unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(
        refused.text().unwrap(),
        r#"{"error":"admin token required"}"#
    );
    let wrong = client
        .post(server.url("/__mock/reset"))
        .bearer_auth("nope")
        .send()
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let allowed = client
        .post(server.url("/__mock/reset"))
        .bearer_auth("s3cret")
        .send()
        .unwrap();
    assert_eq!(allowed.status(), 204);
    assert_eq!(
        client
            .get(server.url("/__mock/health"))
            .send()
            .unwrap()
            .status(),
        200
    );
}

#[test]
fn no_admin_switches_the_admin_api_off_but_keeps_health() {
    let server = MockServer::builder().admin(AdminAccess::Off).start();
    let client = reqwest::blocking::Client::new();
    let response = client.get(server.url("/__mock/fixtures")).send().unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.text().unwrap(),
        r#"{"error":"No route matches [GET] /__mock/fixtures","error_human":"No route matches [GET] /__mock/fixtures"}"#
    );
    assert_eq!(
        client
            .get(server.url("/__mock/health"))
            .send()
            .unwrap()
            .status(),
        200
    );
}

//! The ticket and user calls around the Links API.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{Fixture, TestApp, AGENT};

fn get(app: &TestApp, path: &str, (login, password): (&str, &str)) -> reqwest::blocking::Response {
    app.request(Method::GET, path)
        .basic_auth(login, Some(password))
        .send()
        .unwrap()
}

#[test]
fn a_ticket_answers_its_columns_with_its_number() {
    let app = TestApp::start();
    let response = get(&app, "/api/v1/tickets/147471", AGENT);
    assert_eq!(response.status(), 200);
    let ticket: Value = response.json().unwrap();
    assert_eq!(ticket["number"], "34147471");
    assert_eq!(ticket["title"], "Test Ticket #3");
    assert!(ticket.get("article_ids").is_none());
    assert_eq!(ticket["service_number"], "");
}

#[test]
fn a_missing_ticket_answers_zammads_404() {
    let app = TestApp::start();
    let response = get(&app, "/api/v1/tickets/99", AGENT);
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.text().unwrap(),
        r#"{"error":"Couldn't find Ticket with 'id'=99","error_human":"Couldn't find Ticket with 'id'=99"}"#
    );
}

#[test]
fn a_ticket_the_caller_may_not_read_is_403() {
    let app = TestApp::with_fixture(
        Fixture::new()
            .group(2, "Other")
            .user(7, "customer", &[3], json!({}))
            .ticket(1, "1001")
            .ticket_in(2, "1002", 2, 7)
            .build(),
    );
    assert_eq!(get(&app, "/api/v1/tickets/2", AGENT).status(), 403);
    // The customer reads their own ticket but not another.
    assert_eq!(
        get(&app, "/api/v1/tickets/2", ("customer", "test")).status(),
        200
    );
    assert_eq!(
        get(&app, "/api/v1/tickets/1", ("customer", "test")).status(),
        403
    );
    assert_eq!(
        app.request(Method::GET, "/api/v1/tickets/1")
            .send()
            .unwrap()
            .status(),
        403
    );
}

#[test]
fn all_true_answers_links_and_assets_with_the_ticket_first() {
    let app = TestApp::start();
    let body: Value = get(&app, "/api/v1/tickets/147469?all=true", AGENT)
        .json()
        .unwrap();
    assert_eq!(body["ticket_id"], 147469);
    assert_eq!(body["ticket_article_ids"], json!([464963]));
    assert_eq!(
        body["links"],
        json!([{"link_type": "normal", "link_object": "Ticket", "link_object_value": 147470},
               {"link_type": "normal", "link_object": "Ticket", "link_object_value": 147471}])
    );
    let tickets: Vec<&String> = body["assets"]["Ticket"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(tickets, ["147469", "147470", "147471"]);
    assert_eq!(body["tags"], json!([]));
}

#[test]
fn users_me_answers_the_callers_attributes_without_password() {
    let app = TestApp::start();
    let response = get(&app, "/api/v1/users/me", AGENT);
    assert_eq!(response.status(), 200);
    let text = response.text().unwrap();
    assert!(!text.contains("password"));
    let me: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(me["login"], "test@test.de");
    assert_eq!(me["role_ids"], json!([1, 2]));
}

#[test]
fn a_customer_sees_other_users_reduced_in_the_assets_of_their_ticket() {
    // Arrange: ticket 2 belongs to customer 7; its creator is user 3.
    let app = TestApp::with_fixture(
        Fixture::new()
            .user(7, "customer", &[3], json!({}))
            .ticket(1, "1001")
            .ticket_in(2, "1002", 1, 7)
            .build(),
    );
    // Act
    let body: Value = get(&app, "/api/v1/tickets/2?all=true", ("customer", "test"))
        .json()
        .unwrap();
    // Assert: user 3 is reduced to what Zammad shows customers; the customer's own record
    // loses its contact details.
    let other = body["assets"]["User"]["3"].as_object().unwrap();
    let keys: Vec<&String> = other.keys().collect();
    assert_eq!(keys, ["id", "firstname", "lastname", "active"]);
    let own = body["assets"]["User"]["7"].as_object().unwrap();
    assert_eq!(own["login"], "customer");
    assert!(own.get("phone").is_none());
    assert_eq!(body["assets"]["Role"]["3"]["name"], "Role_3");
}

//! The `assets` sideload over HTTP.

use serde_json::{json, Value};

use crate::helpers::{Fixture, TestApp};

#[test]
fn custom_attributes_come_back_in_their_fixture_order() {
    let app = TestApp::with_fixture(
        Fixture::new()
            .ticket(1, "1001")
            .record(
                "Ticket",
                2,
                json!({"id": 2, "zeta": "z", "number": "1002", "group_id": 1, "alpha": {"b": 1, "a": 2},
                       "service_number": "", "owner_id": 1, "customer_id": 3}),
            )
            .link("normal", 1, 2)
            .build(),
    );
    let text = app.get_links("Ticket", 1).text().unwrap();
    assert!(text.contains(
        r#""2":{"id":2,"zeta":"z","number":"1002","group_id":1,"alpha":{"b":1,"a":2},"service_number":"","owner_id":1,"customer_id":3}"#
    ), "{text}");
}

#[test]
fn passwords_never_appear_in_any_response() {
    let app = TestApp::start();
    let text = app.get_links("Ticket", 147469).text().unwrap();
    assert!(!text.contains("password"));
}

#[test]
fn each_record_appears_once_and_the_queried_ticket_never() {
    // Arrange: 1 links to 2 and 3, both created by user 3.
    let app = TestApp::with_fixture(
        Fixture::new()
            .ticket(1, "1001")
            .ticket(2, "1002")
            .ticket(3, "1003")
            .link("normal", 1, 2)
            .link("normal", 3, 1)
            .build(),
    );
    // Act
    let body: Value = app.get_links("Ticket", 1).json().unwrap();
    // Assert
    let tickets: Vec<&String> = body["assets"]["Ticket"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(tickets, ["2", "3"]);
    let users: Vec<&String> = body["assets"]["User"].as_object().unwrap().keys().collect();
    assert_eq!(users, ["3"]);
    let models: Vec<&String> = body["assets"].as_object().unwrap().keys().collect();
    assert_eq!(models, ["Ticket", "User", "Role", "Group"]);
}

#[test]
fn an_object_without_links_has_empty_assets() {
    let app = TestApp::start();
    assert_eq!(
        app.get_links("Ticket", 1).text().unwrap(),
        r#"{"links":[],"assets":{}}"#
    );
}

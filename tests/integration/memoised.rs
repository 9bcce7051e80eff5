//! What the links list reuses between requests (issue 16): each linked ticket's assets
//! closure, each caller's answers to the permission questions, the records' rendered JSON.
//! Every test first asks once so that the reused data exists, then makes one change and
//! asserts that the next answer shows it: a touch, a merge, a replacement, a reset, a record
//! that arrives, a user, role, group, permission or token that changes.

use reqwest::blocking::Response;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{add_body, Fixture, TestApp, AGENT, SEED_GET_147469};

fn body(response: Response) -> Value {
    assert_eq!(response.status(), 200);
    response.json().unwrap()
}

/// The seed's GET, parsed, as the default agent.
fn seed_get(app: &TestApp) -> Value {
    body(app.get_links("Ticket", 147469))
}

fn merge(app: &TestApp, doc: Value) {
    let response = app
        .request(Method::POST, "/__mock/fixtures")
        .json(&doc)
        .send()
        .unwrap();
    assert_eq!(response.status(), 204, "{}", response.text().unwrap());
}

/// The default data set's record `section`/`id` with `changes` applied.
fn default_record(section: &str, id: i64, changes: Value) -> Value {
    let default: Value = serde_json::from_str(zammad_links_mock::DEFAULT_DATA).unwrap();
    let mut record = default[section][id.to_string()].clone();
    for (key, value) in changes.as_object().unwrap() {
        record[key] = value.clone();
    }
    record
}

fn linked_values(response: &Value) -> Vec<i64> {
    response["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|link| link["link_object_value"].as_i64().unwrap())
        .collect()
}

#[test]
fn a_linked_ticket_touched_by_an_add_shows_its_new_updated_at() {
    // Arrange
    let app = TestApp::start();
    let before = seed_get(&app);
    // Act: linking 147470 to 147471 touches both.
    let response = app.add_link(add_body("normal", 147470, "34147471"));
    assert_eq!(response.status(), 201);
    // Assert
    let after = seed_get(&app);
    let shown = &after["assets"]["Ticket"]["147470"]["updated_at"];
    assert_ne!(shown, &before["assets"]["Ticket"]["147470"]["updated_at"]);
    let ticket: Value = app
        .request(Method::GET, "/api/v1/tickets/147470")
        .basic_auth(AGENT.0, Some(AGENT.1))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(shown, &ticket["updated_at"]);
    assert_eq!(
        after["assets"]["Ticket"]["147471"]["updated_at"],
        ticket_updated_at(&app, 147471)
    );
}

fn ticket_updated_at(app: &TestApp, id: i64) -> Value {
    let ticket: Value = app
        .request(Method::GET, &format!("/api/v1/tickets/{id}"))
        .basic_auth(AGENT.0, Some(AGENT.1))
        .send()
        .unwrap()
        .json()
        .unwrap();
    ticket["updated_at"].clone()
}

#[test]
fn a_merged_user_shows_in_every_list_that_pulls_it_in() {
    // Arrange: user 1 is every seed ticket's owner.
    let app = TestApp::start();
    assert_eq!(seed_get(&app)["assets"]["User"]["1"]["lastname"], json!(""));
    // Act
    merge(
        &app,
        json!({"User": {"1": default_record("User", 1, json!({"lastname": "Renamed"}))}}),
    );
    // Assert
    assert_eq!(
        seed_get(&app)["assets"]["User"]["1"]["lastname"],
        json!("Renamed")
    );
}

#[test]
fn a_record_that_was_missing_shows_once_it_arrives() {
    // Arrange: ticket 2's owner 77 does not exist yet.
    let mut owned = Fixture::new()
        .ticket(1, "1001")
        .ticket(2, "1002")
        .link("normal", 1, 2);
    owned = owned.record(
        "Ticket",
        2,
        json!({"id": 2, "number": "1002", "group_id": 1, "owner_id": 77, "customer_id": 3,
               "created_by_id": 3, "updated_by_id": 3}),
    );
    let app = TestApp::with_fixture(owned.build());
    let before = body(app.get_links("Ticket", 1));
    assert!(before["assets"]["User"].get("77").is_none());
    // Act
    merge(
        &app,
        json!({"User": {"77": {"id": 77, "login": "late", "firstname": "Late",
                               "created_by_id": 1, "updated_by_id": 1}}}),
    );
    // Assert
    let after = body(app.get_links("Ticket", 1));
    assert_eq!(after["assets"]["User"]["77"]["firstname"], json!("Late"));
}

#[test]
fn role_and_group_changes_show_in_the_assets() {
    // Arrange
    let app = TestApp::start();
    let before = seed_get(&app);
    assert_eq!(
        before["assets"]["Role"]["2"]["note"],
        json!("To work on Tickets.")
    );
    assert_eq!(before["assets"]["Group"]["1"]["name"], json!("Users"));
    // Act
    merge(
        &app,
        json!({
            "Role": {"2": default_record("Role", 2, json!({"note": "Works on tickets."}))},
            "Group": {"1": default_record("Group", 1, json!({"name": "Support"}))}
        }),
    );
    // Assert
    let after = seed_get(&app);
    assert_eq!(
        after["assets"]["Role"]["2"]["note"],
        json!("Works on tickets.")
    );
    assert_eq!(after["assets"]["Group"]["1"]["name"], json!("Support"));
}

#[test]
fn replace_and_reset_show_at_once() {
    // Arrange
    let app = TestApp::start();
    seed_get(&app);
    let default: Value = serde_json::from_str(zammad_links_mock::DEFAULT_DATA).unwrap();
    let mut replaced = default.clone();
    replaced["Ticket"]["147470"]["title"] = json!("Replaced");
    // Act: replace
    let response = app
        .request(Method::PUT, "/__mock/fixtures")
        .json(&replaced)
        .send()
        .unwrap();
    assert_eq!(response.status(), 204);
    // Assert
    assert_eq!(
        seed_get(&app)["assets"]["Ticket"]["147470"]["title"],
        json!("Replaced")
    );
    // Act: reset
    let response = app.request(Method::POST, "/__mock/reset").send().unwrap();
    assert_eq!(response.status(), 204);
    // Assert: byte for byte the seed again.
    assert_eq!(
        app.get_links("Ticket", 147469).text().unwrap(),
        SEED_GET_147469
    );
}

/// An agent (user 4, role Agent) with `read` on group 1 only; ticket 1 links tickets 2 (group
/// 1) and 3 (group 2).
fn two_groups() -> TestApp {
    TestApp::with_fixture(
        Fixture::new()
            .group(2, "Other")
            .user(4, "reader", &[2], json!({"1": ["read"]}))
            .ticket(1, "1001")
            .ticket_in(2, "1002", 1, 3)
            .ticket_in(3, "1003", 2, 3)
            .link("normal", 1, 2)
            .link("normal", 1, 3)
            .token(json!({"token": "tok-reader", "user_id": 4}))
            .build(),
    )
}

fn reader_list(app: &TestApp) -> Response {
    app.get_links_as(("reader", "test"), "Ticket", 1)
}

fn reader_user(group_ids: Value) -> Value {
    json!({"id": 4, "login": "reader", "firstname": "F", "lastname": "L", "email": "reader",
           "active": true, "role_ids": [2], "group_ids": group_ids, "created_by_id": 1,
           "updated_by_id": 1})
}

#[test]
fn a_change_of_a_users_group_access_shows_at_once() {
    // Arrange
    let app = two_groups();
    assert_eq!(linked_values(&body(reader_list(&app))), vec![2]);
    // Act: read on group 2 as well (the password stays: a merge keeps it).
    merge(
        &app,
        json!({"User": {"4": reader_user(json!({"1": ["read"], "2": ["read"]}))}}),
    );
    // Assert
    assert_eq!(linked_values(&body(reader_list(&app))), vec![2, 3]);
    // Act: no group at all.
    merge(&app, json!({"User": {"4": reader_user(json!({}))}}));
    // Assert
    assert_eq!(linked_values(&body(reader_list(&app))), Vec::<i64>::new());
}

#[test]
fn a_ticket_moved_to_another_group_leaves_the_list_at_once() {
    // Arrange
    let app = two_groups();
    assert_eq!(linked_values(&body(reader_list(&app))), vec![2]);
    // Act
    merge(
        &app,
        json!({"Ticket": {"2": {"id": 2, "number": "1002", "group_id": 2, "owner_id": 1,
                                "customer_id": 3, "created_by_id": 3, "updated_by_id": 3}}}),
    );
    // Assert
    assert_eq!(linked_values(&body(reader_list(&app))), Vec::<i64>::new());
}

#[test]
fn a_role_that_loses_a_permission_takes_it_from_its_users_at_once() {
    // Arrange
    let app = two_groups();
    assert_eq!(reader_list(&app).status(), 200);
    let default: Value = serde_json::from_str(zammad_links_mock::DEFAULT_DATA).unwrap();
    let mut agent_role = default["Role"]["2"].clone();
    // Act: the Agent role without ticket.agent (permission 53).
    let kept: Vec<Value> = agent_role["permission_ids"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|id| **id != json!(53))
        .cloned()
        .collect();
    agent_role["permission_ids"] = Value::Array(kept);
    merge(&app, json!({"Role": {"2": agent_role}}));
    // Assert
    let response = reader_list(&app);
    assert_eq!(response.status(), 403);
    assert_eq!(
        response.json::<Value>().unwrap()["error"],
        json!("Not authorized")
    );
}

#[test]
fn a_renamed_permission_is_no_longer_held() {
    // Arrange
    let app = two_groups();
    assert_eq!(reader_list(&app).status(), 200);
    // Act: permission 53 (`ticket.agent`) under another name.
    let default: Value = serde_json::from_str(zammad_links_mock::DEFAULT_DATA).unwrap();
    let mut permission = default["Permission"]["53"].clone();
    assert_eq!(permission["name"], json!("ticket.agent"));
    permission["name"] = json!("ticket.agent_renamed");
    merge(&app, json!({"Permission": {"53": permission}}));
    // Assert
    assert_eq!(reader_list(&app).status(), 403);
}

#[test]
fn a_token_whose_permissions_change_answers_with_the_new_ones() {
    // Arrange
    let app = two_groups();
    let list = |app: &TestApp| {
        app.request(
            Method::GET,
            "/api/v1/links?link_object=Ticket&link_object_value=1",
        )
        .header("Authorization", "Token token=tok-reader")
        .send()
        .unwrap()
    };
    assert_eq!(linked_values(&body(list(&app))), vec![2]);
    // Act: the token limited to `user_preferences`.
    merge(
        &app,
        json!({"Token": [{"token": "tok-reader", "user_id": 4, "permissions": ["user_preferences"]}]}),
    );
    // Assert
    assert_eq!(list(&app).status(), 403);
    // Act: the token's own list dropped again.
    merge(
        &app,
        json!({"Token": [{"token": "tok-reader", "user_id": 4}]}),
    );
    // Assert
    assert_eq!(linked_values(&body(list(&app))), vec![2]);
}

#[test]
fn a_password_change_refuses_the_old_password_at_once() {
    // Arrange
    let app = two_groups();
    assert_eq!(reader_list(&app).status(), 200);
    // Act
    let mut user = reader_user(json!({"1": ["read"]}));
    user["password"] = json!("new");
    merge(&app, json!({"User": {"4": user}}));
    // Assert
    assert_eq!(reader_list(&app).status(), 401);
    assert_eq!(
        app.get_links_as(("reader", "new"), "Ticket", 1).status(),
        200
    );
}

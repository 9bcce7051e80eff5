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

/// The keys of a JSON object, in the order they were sent.
fn keys_of(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

#[test]
fn expand_true_adds_the_association_names_after_the_ids() {
    // See: #13 (point 6)
    // Arrange
    let app = TestApp::start();
    let plain: Value = get(&app, "/api/v1/tickets/147469", AGENT).json().unwrap();
    // Act
    let response = get(&app, "/api/v1/tickets/147469?expand=true", AGENT);
    // Assert: every column in the plain order, the `_ids` lists, then the names in the
    // order of Ticket's associations (articles exist, so `articles` is dropped again).
    assert_eq!(response.status(), 200);
    let body: Value = response.json().unwrap();
    let mut expected = keys_of(&plain);
    expected.extend([
        "article_ids",
        "ticket_time_accounting_ids",
        "group",
        "ticket_time_accounting",
        "state",
        "priority",
        "owner",
        "customer",
        "created_by",
        "updated_by",
        "create_article_type",
        "create_article_sender",
    ]);
    assert_eq!(keys_of(&body), expected);
    let names: Vec<&Value> = expected[expected.len() - 10..]
        .iter()
        .map(|key| &body[key])
        .collect();
    assert_eq!(
        names,
        [
            &json!("Users"),
            &json!([]),
            &json!("open"),
            &json!("2 normal"),
            &json!("-"),
            &json!("test@test.de"),
            &json!("test@test.de"),
            &json!("test@test.de"),
            &json!("phone"),
            &json!("Customer"),
        ]
    );
    assert_eq!(body["article_ids"], json!([464963]));
}

#[test]
fn expand_is_switched_on_only_by_zammads_yes_values_from_query_or_body() {
    // See: #13 (point 6)
    let app = TestApp::start();
    let state_of =
        |response: reqwest::blocking::Response| response.json::<Value>().unwrap()["state"].clone();
    assert_eq!(
        state_of(get(&app, "/api/v1/tickets/147469?expand=1", AGENT)),
        "open"
    );
    let from_body = app
        .request(Method::GET, "/api/v1/tickets/147469")
        .basic_auth(AGENT.0, Some(AGENT.1))
        .json(&json!({"expand": true}))
        .send()
        .unwrap();
    assert_eq!(state_of(from_body), "open");
    // Zammad 5.0 reads anything else as no, and answers the plain columns.
    assert_eq!(
        state_of(get(&app, "/api/v1/tickets/147469?expand=yes", AGENT)),
        Value::Null
    );
    assert_eq!(
        state_of(get(&app, "/api/v1/tickets/147469?expand=false", AGENT)),
        Value::Null
    );
}

#[test]
fn full_true_answers_the_id_and_the_tickets_own_assets() {
    // See: #13 (point 6)
    let app = TestApp::start();
    let response = get(&app, "/api/v1/tickets/147469?full=true", AGENT);
    assert_eq!(response.status(), 200);
    let body: Value = response.json().unwrap();
    assert_eq!(keys_of(&body), ["id", "assets"]);
    assert_eq!(body["id"], 147469);
    // Zammad 5.0's ticket assets pull in its users (and theirs), not its state or priority.
    assert_eq!(
        keys_of(&body["assets"]),
        ["Ticket", "User", "Role", "Group"]
    );
    assert_eq!(keys_of(&body["assets"]["Ticket"]), ["147469"]);
    assert_eq!(keys_of(&body["assets"]["User"]), ["3", "1"]);
    assert_eq!(
        body["assets"]["Ticket"]["147469"]["article_ids"],
        json!([464963])
    );
    assert!(!body.to_string().contains("password"));
}

#[test]
fn expand_wins_over_full_and_full_over_all() {
    // See: #13 (point 6): `tickets_controller.rb#show` checks them in this order.
    let app = TestApp::start();
    let both: Value = get(&app, "/api/v1/tickets/147469?full=true&expand=true", AGENT)
        .json()
        .unwrap();
    assert_eq!(both["state"], "open");
    let full_and_all: Value = get(&app, "/api/v1/tickets/147469?all=true&full=true", AGENT)
        .json()
        .unwrap();
    assert_eq!(keys_of(&full_and_all), ["id", "assets"]);
}

#[test]
fn fixture_states_and_priorities_override_the_seeded_names_by_id() {
    // See: #13 (point 6)
    // Arrange: state 2 and priority 2 renamed; ticket 2 is in state 1, priority 4 (only
    // the fixture knows it).
    let fixture = Fixture::new()
        .ticket(1, "1001")
        .ticket(2, "1002")
        .record(
            "Ticket::State",
            2,
            json!({"id": 2, "name": "in progress", "state_type_id": 2}),
        )
        .record("Ticket::Priority", 2, json!({"id": 2, "name": "medium"}))
        .record("TicketPriority", 4, json!({"id": 4, "name": "4 urgent"}))
        .build();
    let mut fixture = fixture;
    for (id, state, priority) in [(1, 2, 2), (2, 1, 4)] {
        let ticket = &mut fixture["Ticket"][id.to_string()];
        ticket["state_id"] = json!(state);
        ticket["priority_id"] = json!(priority);
    }
    let app = TestApp::with_fixture(fixture);
    // Act
    let one: Value = get(&app, "/api/v1/tickets/1?expand=true", AGENT)
        .json()
        .unwrap();
    let two: Value = get(&app, "/api/v1/tickets/2?expand=true", AGENT)
        .json()
        .unwrap();
    // Assert
    assert_eq!(
        (&one["state"], &one["priority"]),
        (&json!("in progress"), &json!("medium"))
    );
    assert_eq!(
        (&two["state"], &two["priority"]),
        (&json!("new"), &json!("4 urgent"))
    );
    // The sections are part of the state: an export carries them.
    let export: Value = app
        .request(Method::GET, "/__mock/fixtures")
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(export["Ticket::State"]["2"]["name"], "in progress");
    assert_eq!(keys_of(&export["Ticket::Priority"]), ["2", "4"]);
}

#[test]
fn a_state_without_a_name_is_refused_whole_with_422() {
    // See: #13 (point 6)
    let app = TestApp::start();
    let doc = json!({
        "Ticket": {"9": {"id": 9, "number": "9009"}},
        "Ticket::State": {"2": {"id": 2, "state_type_id": 2}}
    });
    let response = app
        .request(Method::POST, "/__mock/fixtures")
        .json(&doc)
        .send()
        .unwrap();
    assert_eq!(response.status(), 422);
    assert_eq!(
        response.json::<Value>().unwrap()["error"],
        "Ticket::State[\"2\"].name: missing"
    );
    assert_eq!(get(&app, "/api/v1/tickets/9", AGENT).status(), 404);
}

#[test]
fn users_me_expand_true_adds_role_organization_and_group_names() {
    // See: #13 (point 6)
    let app = TestApp::start();
    let response = get(&app, "/api/v1/users/me?expand=true", AGENT);
    assert_eq!(response.status(), 200);
    let text = response.text().unwrap();
    assert!(!text.contains("password"));
    let me: Value = serde_json::from_str(&text).unwrap();
    let keys = keys_of(&me);
    assert_eq!(
        keys[keys.len() - 8..],
        [
            "accounts",
            "roles",
            "organizations",
            "authorizations",
            "karma_user",
            "groups",
            "created_by",
            "updated_by"
        ]
    );
    assert_eq!(me["roles"], json!(["Admin", "Agent"]));
    assert_eq!(me["organizations"], json!([]));
    assert_eq!(me["groups"], json!({"Users": ["full"]}));
    assert_eq!(
        (&me["created_by"], &me["updated_by"]),
        (&json!("-"), &json!("-"))
    );
    assert_eq!(me["login"], "test@test.de");
}

#[test]
fn users_me_full_true_answers_the_id_and_the_users_assets() {
    // See: #13 (point 6)
    let app = TestApp::start();
    let body: Value = get(&app, "/api/v1/users/me?full=true", AGENT)
        .json()
        .unwrap();
    assert_eq!(keys_of(&body), ["id", "assets"]);
    assert_eq!(body["id"], 3);
    assert_eq!(keys_of(&body["assets"]["User"])[0], "3");
    assert_eq!(body["assets"]["Role"]["1"]["name"], "Admin");
}

//! The three link calls, against the default data set unless a test builds its own.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{add_body, remove_body, Fixture, TestApp, AGENT, SEED_GET_147469};

#[test]
fn seed_get_answers_the_seed_response_byte_for_byte() {
    // Arrange
    let app = TestApp::start();
    // Act
    let response = app.get_links("Ticket", 147469);
    // Assert
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().unwrap(), SEED_GET_147469);
}

#[test]
fn get_with_a_json_body_answers_the_same_as_the_query_string() {
    let app = TestApp::start();
    let response = app
        .request(Method::GET, "/api/v1/links")
        .basic_auth(AGENT.0, Some(AGENT.1))
        .json(&json!({"link_object": "Ticket", "link_object_value": "147469"}))
        .send()
        .unwrap();
    assert_eq!(response.text().unwrap(), SEED_GET_147469);
}

#[test]
fn the_query_string_wins_over_the_body_on_a_clash() {
    let app = TestApp::start();
    let response = app
        .request(Method::GET, "/api/v1/links?link_object_value=147469")
        .basic_auth(AGENT.0, Some(AGENT.1))
        .json(&json!({"link_object": "Ticket", "link_object_value": 147470}))
        .send()
        .unwrap();
    assert_eq!(response.text().unwrap(), SEED_GET_147469);
}

#[test]
fn seed_add_answers_201_with_id_5_and_the_seed_row() {
    // Arrange
    let app = TestApp::start();
    // Act: the seed's request, values as strings exactly as the seed sends them.
    let response = app.add_link(json!({
        "link_type": "normal",
        "link_object_target": "Ticket",
        "link_object_target_value": "147469",
        "link_object_source": "Ticket",
        "link_object_source_number": "34147471"
    }));
    // Assert
    assert_eq!(response.status(), 201);
    let row: Value = response.json().unwrap();
    let keys: Vec<&str> = row
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "id",
            "link_type_id",
            "link_object_source_id",
            "link_object_source_value",
            "link_object_target_id",
            "link_object_target_value",
            "created_at",
            "updated_at"
        ]
    );
    assert_eq!(row["id"], 5);
    assert_eq!(row["link_type_id"], 1);
    assert_eq!(row["link_object_source_id"], 1);
    assert_eq!(row["link_object_source_value"], 147471);
    assert_eq!(row["link_object_target_id"], 1);
    assert_eq!(row["link_object_target_value"], 147469);
    let created = row["created_at"].as_str().unwrap();
    assert_eq!(created.len(), "2021-11-03T10:40:14.528Z".len());
    assert!(created.ends_with('Z'));
    assert_eq!(row["updated_at"], row["created_at"]);
}

#[test]
fn seed_remove_answers_201_and_removes_both_orientations() {
    // Arrange: the seed's add made (normal, 147471→147469) beside the default (147469→147471).
    let app = TestApp::start();
    assert_eq!(
        app.add_link(add_body("normal", 147469, "34147471"))
            .status(),
        201
    );
    // Act: the seed's remove.
    let response = app.remove_link(remove_body("normal", 147471, 147469));
    // Assert: 201; the body is the row the reverse match removed (link 4).
    assert_eq!(response.status(), 201);
    let removed: Value = response.json().unwrap();
    assert_eq!(removed.as_array().unwrap().len(), 1);
    assert_eq!(removed[0]["id"], 4);
    assert_eq!(removed[0]["created_at"], "2021-11-03T10:17:01.410Z");
    assert_eq!(
        app.links_of(147469),
        vec![(json!("normal"), "Ticket".to_owned(), 147470)]
    );
    assert!(app.links_of(147471).is_empty());
}

#[test]
fn remove_in_the_stored_orientation_answers_an_empty_array() {
    let app = TestApp::start();
    let response = app.remove_link(remove_body("normal", 147469, 147470));
    assert_eq!(response.status(), 201);
    assert_eq!(response.text().unwrap(), "[]");
    assert!(app.links_of(147470).is_empty());
}

#[test]
fn removing_a_link_that_does_not_exist_answers_201_with_an_empty_array() {
    let app = TestApp::start();
    let response = app.remove_link(remove_body("normal", 147470, 147471));
    assert_eq!(response.status(), 201);
    assert_eq!(response.text().unwrap(), "[]");
    assert_eq!(app.links_of(147469).len(), 2);
}

#[test]
fn a_parent_link_shows_child_from_the_source_and_parent_from_the_target() {
    // Arrange
    let app = TestApp::start();
    // Act: 147470 (by number) as parent of 147471: stored as (parent, 147470→147471).
    let response = app.add_link(add_body("parent", 147471, "34147470"));
    // Assert: `parent` was created as link type 2.
    let row: Value = response.json().unwrap();
    assert_eq!(row["link_type_id"], 2);
    assert!(app
        .links_of(147471)
        .contains(&(json!("parent"), "Ticket".into(), 147470)));
    assert!(app
        .links_of(147470)
        .contains(&(json!("child"), "Ticket".into(), 147471)));
}

#[test]
fn an_unknown_link_type_is_created_and_shows_null_from_the_source() {
    let app = TestApp::start();
    let row: Value = app
        .add_link(add_body("related", 147471, "34147470"))
        .json()
        .unwrap();
    assert_eq!(row["link_type_id"], 2);
    assert!(app
        .links_of(147471)
        .contains(&(json!("related"), "Ticket".into(), 147470)));
    assert!(app
        .links_of(147470)
        .contains(&(Value::Null, "Ticket".into(), 147471)));
}

#[test]
fn the_list_shows_source_rows_first_then_target_rows_each_by_id() {
    // Arrange: ticket 1 is the target of link 1, the source of 2, the target of 3.
    let app = TestApp::with_fixture(
        Fixture::new()
            .ticket(1, "1001")
            .ticket(2, "1002")
            .ticket(3, "1003")
            .ticket(4, "1004")
            .link("normal", 2, 1)
            .link("parent", 1, 3)
            .link("child", 4, 1)
            .build(),
    );
    // Act
    let links = app.links_of(1);
    // Assert
    assert_eq!(
        links,
        vec![
            (json!("child"), "Ticket".into(), 3),
            (json!("normal"), "Ticket".into(), 2),
            (json!("child"), "Ticket".into(), 4),
        ]
    );
}

#[test]
fn a_reverse_duplicate_is_accepted_and_listed_twice() {
    let app = TestApp::start();
    // The default data has (normal, 147469→147470); add (normal, 147470→147469).
    assert_eq!(
        app.add_link(add_body("normal", 147469, "34147470"))
            .status(),
        201
    );
    let to_147470 = app
        .links_of(147469)
        .into_iter()
        .filter(|(_, _, v)| *v == 147470)
        .count();
    assert_eq!(to_147470, 2);
}

#[test]
fn a_self_link_is_accepted_and_listed_twice() {
    let app = TestApp::start();
    assert_eq!(
        app.add_link(add_body("normal", 147470, "34147470"))
            .status(),
        201
    );
    let links = app.links_of(147470);
    assert_eq!(
        links.iter().filter(|(_, _, v)| *v == 147470).count(),
        2,
        "{links:?}"
    );
}

#[test]
fn a_duplicate_answers_zammad_5_0s_422_and_uses_up_an_id() {
    // Arrange
    let app = TestApp::start();
    // Act: (normal, 147469→147470) exists as link 3.
    let response = app.add_link(add_body("normal", 147470, "34147469"));
    // Assert
    assert_eq!(response.status(), 422);
    assert_eq!(
        response.text().unwrap(),
        r#"{"error":"Object already exists!","error_human":"Object already exists!"}"#
    );
    // PostgreSQL's sequence moved on: the next link is 6, not 5.
    let row: Value = app
        .add_link(add_body("normal", 147469, "34147471"))
        .json()
        .unwrap();
    assert_eq!(row["id"], 6);
}

#[test]
fn an_unknown_source_number_answers_no_such_object() {
    let app = TestApp::start();
    let response = app.add_link(add_body("normal", 147469, "99999999"));
    assert_eq!(response.status(), 422);
    assert_eq!(response.text().unwrap(), r#"{"error":"No such object!"}"#);
    assert_eq!(app.links_of(147469).len(), 2);
}

#[test]
fn a_source_object_other_than_ticket_or_kb_translation_is_no_such_object() {
    let app = TestApp::start();
    let mut body = add_body("normal", 147469, "34147470");
    body["link_object_source"] = json!("User");
    let response = app.add_link(body);
    assert_eq!(response.status(), 422);
    assert_eq!(response.text().unwrap(), r#"{"error":"No such object!"}"#);
}

#[test]
fn an_unknown_target_id_creates_a_dangling_link() {
    let app = TestApp::start();
    let response = app.add_link(add_body("normal", 555, "34147470"));
    assert_eq!(response.status(), 201);
    // The dangling end stays in the list (its record doesn't exist) and has no assets.
    let body: Value = app.get_links("Ticket", 555).json().unwrap();
    assert_eq!(
        body["links"],
        json!([{"link_type": "normal", "link_object": "Ticket", "link_object_value": 147470}])
    );
    let from_source: Value = app.get_links("Ticket", 147470).json().unwrap();
    assert!(from_source["links"].as_array().unwrap().contains(
        &json!({"link_type": "normal", "link_object": "Ticket", "link_object_value": 555})
    ));
    assert!(from_source["assets"]["Ticket"].get("555").is_none());
}

#[test]
fn a_missing_link_type_answers_attribute_required() {
    let app = TestApp::start();
    let mut body = add_body("normal", 147469, "34147471");
    body.as_object_mut().unwrap().remove("link_type");
    let response = app.add_link(body);
    assert_eq!(response.status(), 422);
    assert_eq!(
        response.text().unwrap(),
        r#"{"error":"Attribute 'link_type_id' required!","error_human":"Attribute 'link_type_id' required!"}"#
    );
}

#[test]
fn a_missing_target_value_answers_attribute_required() {
    let app = TestApp::start();
    let mut body = add_body("normal", 147469, "34147471");
    body.as_object_mut()
        .unwrap()
        .remove("link_object_target_value");
    let response = app.add_link(body);
    assert_eq!(response.status(), 422);
    assert!(response
        .text()
        .unwrap()
        .contains("Attribute 'link_object_target_value' required!"));
}

fn updated_at_of(app: &TestApp, listed_from: i64, ticket: i64) -> String {
    let body: Value = app.get_links("Ticket", listed_from).json().unwrap();
    body["assets"]["Ticket"][ticket.to_string()]["updated_at"]
        .as_str()
        .unwrap_or_else(|| panic!("ticket {ticket} in the assets of {listed_from}: {body}"))
        .to_owned()
}

#[test]
fn a_failed_duplicate_add_still_touches_both_tickets() {
    // Arrange
    let app = TestApp::start();
    let before_target = updated_at_of(&app, 147469, 147470);
    let before_source = updated_at_of(&app, 147470, 147469);
    // Act: a duplicate of link 3.
    assert_eq!(
        app.add_link(add_body("normal", 147470, "34147469"))
            .status(),
        422
    );
    // Assert
    assert_ne!(updated_at_of(&app, 147469, 147470), before_target);
    assert_ne!(updated_at_of(&app, 147470, 147469), before_source);
}

#[test]
fn remove_touches_both_ends_of_each_removed_row() {
    let app = TestApp::start();
    let before = updated_at_of(&app, 147469, 147471);
    assert_eq!(
        app.add_link(add_body("normal", 147470, "34147471"))
            .status(),
        201
    );
    let after_add = updated_at_of(&app, 147470, 147471);
    assert_ne!(after_add, before);
    std::thread::sleep(std::time::Duration::from_millis(5));
    app.remove_link(remove_body("normal", 147471, 147470));
    assert_ne!(updated_at_of(&app, 147469, 147471), after_add);
}

#[test]
fn remove_with_the_wrong_type_keeps_the_link() {
    // Arrange: (parent, 147470→147471): 147470 is the parent of 147471.
    let app = TestApp::start();
    app.add_link(add_body("parent", 147471, "34147470"));
    // Act: the type mirrored (`child`, 7.0.1 test 70): neither (child, 147470→147471) nor
    // the reverse (parent, 147471→147470) is stored.
    app.remove_link(remove_body("child", 147470, 147471));
    // Assert
    assert!(app
        .links_of(147471)
        .contains(&(json!("parent"), "Ticket".into(), 147470)));
    // With the type 147471 sees, the link goes from both sides.
    app.remove_link(remove_body("parent", 147470, 147471));
    assert!(!app.links_of(147471).iter().any(|(_, _, v)| *v == 147470));
    assert!(!app.links_of(147470).iter().any(|(_, _, v)| *v == 147471));
}

#[test]
fn remove_without_a_link_type_matches_nothing() {
    let app = TestApp::start();
    let mut body = remove_body("normal", 147469, 147470);
    body.as_object_mut().unwrap().remove("link_type");
    let response = app.remove_link(body);
    assert_eq!(response.status(), 201);
    assert_eq!(response.text().unwrap(), "[]");
    assert_eq!(app.links_of(147469).len(), 2);
}

#[test]
fn remove_with_a_number_instead_of_an_id_removes_nothing() {
    // zammad-py sends `link_object_source_number`, which remove ignores.
    let app = TestApp::start();
    let response = app.remove_link(json!({
        "link_type": "normal",
        "link_object_source": "Ticket", "link_object_source_number": "34147469",
        "link_object_target": "Ticket", "link_object_target_value": 147470,
    }));
    assert_eq!(response.status(), 201);
    assert_eq!(app.links_of(147469).len(), 2);
}

#[test]
fn an_unknown_link_object_in_the_list_is_empty_and_created() {
    // Arrange
    let app = TestApp::start();
    // Act
    let response = app.get_links("Foo", 1);
    // Assert: empty, and `Foo` took link object id 6 (the seeds hold 1–5), so the next new
    // name gets 7.
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().unwrap(), r#"{"links":[],"assets":{}}"#);
    let mut body = add_body("normal", 1, "34147470");
    body["link_object_target"] = json!("Bar");
    let row: Value = app.add_link(body).json().unwrap();
    assert_eq!(row["link_object_target_id"], 7);
}

#[test]
fn a_missing_link_object_or_value_lists_nothing() {
    let app = TestApp::start();
    let response = app
        .request(Method::GET, "/api/v1/links")
        .basic_auth(AGENT.0, Some(AGENT.1))
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().unwrap(), r#"{"links":[],"assets":{}}"#);
}

#[test]
fn kb_answer_translations_link_by_id_and_sideload_under_their_assets_key() {
    // Arrange
    let app = TestApp::with_fixture(
        Fixture::new()
            .ticket(1, "1001")
            .record(
                "KnowledgeBase::Answer::Translation",
                7,
                json!({"id": 7, "title": "How to link", "created_by_id": 3, "updated_by_id": 3}),
            )
            .build(),
    );
    // Act: the translation (by id, in `link_object_source_number`) as source of ticket 1.
    let response = app.add_link(json!({
        "link_type": "normal",
        "link_object_target": "Ticket", "link_object_target_value": 1,
        "link_object_source": "KnowledgeBase::Answer::Translation", "link_object_source_number": 7,
    }));
    // Assert
    assert_eq!(response.status(), 201);
    let row: Value = response.json().unwrap();
    assert_eq!(row["link_object_source_id"], 6);
    let body: Value = app.get_links("Ticket", 1).json().unwrap();
    assert_eq!(
        body["links"],
        json!([{"link_type": "normal", "link_object": "KnowledgeBase::Answer::Translation", "link_object_value": 7}])
    );
    assert_eq!(
        body["assets"]["KnowledgeBaseAnswerTranslation"]["7"]["title"],
        "How to link"
    );
}

#[test]
fn the_json_suffix_routes_like_zammads() {
    let app = TestApp::start();
    let response = app
        .request(
            Method::GET,
            "/api/v1/links.json?link_object=Ticket&link_object_value=147469",
        )
        .basic_auth(AGENT.0, Some(AGENT.1))
        .send()
        .unwrap();
    assert_eq!(response.text().unwrap(), SEED_GET_147469);
}

#[test]
fn unknown_routes_and_wrong_methods_answer_404_with_a_json_body() {
    let app = TestApp::start();
    let response = app
        .request(Method::GET, "/api/v1/links/add")
        .basic_auth(AGENT.0, Some(AGENT.1))
        .send()
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.text().unwrap(),
        r#"{"error":"No route matches [GET] /api/v1/links/add","error_human":"No route matches [GET] /api/v1/links/add"}"#
    );
}

#[test]
fn a_broken_json_body_answers_400_and_changes_nothing() {
    let app = TestApp::start();
    let response = app
        .request(Method::POST, "/api/v1/links/add")
        .basic_auth(AGENT.0, Some(AGENT.1))
        .header("Content-Type", "application/json")
        .body("{\"link_type\": ")
        .send()
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().unwrap();
    assert!(body["error"].is_string());
    assert_eq!(app.links_of(147469).len(), 2);
}

#[test]
fn health_answers_ok() {
    let app = TestApp::start();
    let response = app.request(Method::GET, "/__mock/health").send().unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().unwrap(), r#"{"status":"ok"}"#);
}

// Zammad's own request spec (spec/requests/links_spec.rb, cases 1 and 2 of the spec's §8).
#[test]
fn zammad_spec_an_agent_sees_a_linked_ticket_of_their_group() {
    let app = TestApp::with_fixture(
        Fixture::new()
            .ticket(1, "1001")
            .ticket(2, "1002")
            .link("normal", 1, 2)
            .build(),
    );
    assert_eq!(app.links_of(1), vec![(json!("normal"), "Ticket".into(), 2)]);
}

#[test]
fn zammad_spec_an_agent_does_not_see_a_linked_ticket_of_another_group() {
    let app = TestApp::with_fixture(
        Fixture::new()
            .group(2, "Other")
            .ticket(1, "1001")
            .ticket_in(2, "1002", 2, 99)
            .link("normal", 1, 2)
            .build(),
    );
    let body: Value = app.get_links("Ticket", 1).json().unwrap();
    assert_eq!(body, json!({"links": [], "assets": {}}));
}

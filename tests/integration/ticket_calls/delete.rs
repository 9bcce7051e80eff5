//! `DELETE /api/v1/tickets/:id` (spec §5), and what outlives a call: created tickets, their
//! links and the sequences across a restart and a `kill -9`, a reset, an export and its
//! re-import, and the page's graph (§11.1, §11.7).

use std::ffi::OsStr;

use reqwest::Method;
use serde_json::{json, Value};
use tempfile::TempDir;

use super::{every_line, humanized, minimal, App, CHANGE_AGENT, CUSTOMER, PLAIN_AGENT};
use crate::helpers::{RunningBinary, AGENT};

#[test]
fn only_admin_may_delete_and_the_others_learn_why_in_zammads_words() {
    for version in every_line() {
        let app = App::start(version).with_extra_users();
        let mut body = minimal("x");
        body["customer_id"] = json!(2);
        let (_, ticket) = app.create(body);
        let id = ticket["id"].as_i64().unwrap();
        // Act (§5.1, §5.2; Zammad's request spec 15, 16, 19)
        let missing = app.delete_as(AGENT, 99999);
        let by_agent = app.delete_as(PLAIN_AGENT, id);
        let by_customer = app.delete_as(CUSTOMER, id);
        let by_change_agent = app.delete_as(CHANGE_AGENT, id);
        let by_admin = app.delete_as(AGENT, id);
        // Assert
        let parse =
            |(status, text): (u16, String)| (status, serde_json::from_str::<Value>(&text).unwrap());
        let admin_required = humanized("Not authorized (admin permission required)!");
        assert_eq!(
            parse(missing),
            (404, humanized("Couldn't find Ticket with 'id'=99999"))
        );
        assert_eq!(
            parse(by_agent),
            (403, admin_required.clone()),
            "{version:?}"
        );
        assert_eq!(parse(by_customer), (403, admin_required), "{version:?}");
        assert_eq!(
            parse(by_change_agent),
            (403, humanized("Not authorized")),
            "{version:?}"
        );
        assert_eq!(by_admin, (200, String::new()), "{version:?}");
        assert_eq!(app.ticket(id).0, 404);
        assert_eq!(
            app.get(&format!("/api/v1/ticket_articles/by_ticket/{id}"))
                .0,
            404
        );
    }
}

#[test]
fn a_deleted_tickets_links_go_and_every_neighbour_is_touched() {
    for version in every_line() {
        let app = App::start(version);
        let mut body = minimal("x");
        body["links"] = json!({"Ticket": {"normal": [147469], "child": [147470]}});
        let (_, ticket) = app.create(body);
        let id = ticket["id"].as_i64().unwrap();
        // One link the other way round too.
        let add = json!({"link_type": "normal", "link_object_target": "Ticket",
                         "link_object_target_value": id, "link_object_source": "Ticket",
                         "link_object_source_number": "34147471"});
        assert_eq!(
            app.call(Method::POST, "/api/v1/links/add", Some(AGENT), add)
                .status(),
            201
        );
        let before: Vec<Value> = [147469, 147470, 147471]
            .iter()
            .map(|t| app.ticket(*t).1)
            .collect();
        std::thread::sleep(std::time::Duration::from_millis(5));
        // Act (§5.4)
        assert_eq!(app.delete_as(AGENT, id).0, 200, "{version:?}");
        // Assert
        for (n, neighbour) in [147469, 147470, 147471].into_iter().enumerate() {
            assert!(
                app.links_of(neighbour)
                    .iter()
                    .all(|(_, other)| *other != id),
                "{version:?}"
            );
            let (_, after) = app.ticket(neighbour);
            assert_ne!(
                after["updated_at"], before[n]["updated_at"],
                "{version:?}: {neighbour}"
            );
            assert_eq!(after["updated_by_id"], before[n]["updated_by_id"]);
        }
        // The data set's links stay.
        assert_eq!(
            app.links_of(147469),
            [(json!("normal"), 147470), (json!("normal"), 147471)],
            "{version:?}"
        );
        assert!(!app.exported_ids("Ticket::Article").contains(&464966));
    }
}

#[test]
fn created_tickets_links_and_sequences_survive_a_restart_and_reset_goes_back() {
    let version = zammad_links_mock::ZammadVersion::default();
    let app = App::start(version);
    let mut body = minimal("x");
    body["links"] = json!({"Ticket": {"normal": [147469]}});
    let (_, first) = app.create(body);
    let deleted = app.create_simple("to delete");
    assert_eq!(app.delete_as(AGENT, deleted).0, 200);
    let dir = stop(app);
    // Act: the same folder again.
    let app = App::start_in(version, dir);
    // Assert (§11.1: ids and numbers are never reused, also after a delete)
    assert_eq!(app.ticket(147472).1["title"], "x");
    assert_eq!(app.links_of(147472), [(json!("normal"), 147469)]);
    let (_, next) = app.create(minimal("after restart"));
    assert_eq!(
        (&next["id"], &next["number"]),
        (&json!(147474), &json!("34147474"))
    );
    assert_eq!(next["article_ids"], json!([464968]));
    // A reset is the start-up state, sequences included.
    assert_eq!(
        app.call(Method::POST, "/__mock/reset", None, Value::Null)
            .status(),
        204
    );
    assert_eq!(app.ticket(147472).0, 404);
    assert_eq!(app.exported_ids("Ticket::Article"), Vec::<i64>::new());
    let (_, again) = app.create(minimal("after reset"));
    assert_eq!(
        (&again["id"], &again["number"]),
        (&json!(147472), &json!("34147472"))
    );
    assert_eq!(first["id"], again["id"]);
}

fn stop(app: App) -> TempDir {
    let App { server, dir, .. } = app;
    drop(server);
    dir
}

#[test]
fn an_export_holds_the_articles_and_loads_back_with_the_sequences_past_them() {
    let app = App::start(zammad_links_mock::ZammadVersion::default());
    let mut body = minimal("x");
    body["customer_id"] = json!("guess:new.one@example.com");
    body["links"] = json!({"Ticket": {"normal": [147469]}});
    app.create(body);
    let (_, export) = app.get("/__mock/fixtures");
    assert!(
        export["Ticket::Article"]["464966"].is_object(),
        "{}",
        export["Ticket::Article"]
    );
    // Act: the export is the whole state.
    let put = app.call(Method::PUT, "/__mock/fixtures", None, export.clone());
    // Assert
    assert_eq!(put.status(), 204);
    let (_, again) = app.get("/__mock/fixtures");
    assert_eq!(again["Ticket"], export["Ticket"]);
    assert_eq!(again["Ticket::Article"], export["Ticket::Article"]);
    assert_eq!(again["Link"], export["Link"]);
    // An export has no passwords: the token stands in for the agent.
    let next: Value = app
        .client
        .post(app.server.url("/api/v1/tickets"))
        .header(
            "Authorization",
            "Token token=zammad-links-mock-token-user-3",
        )
        .json(&minimal("y"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        (&next["id"], &next["article_ids"]),
        (&json!(147473), &json!([464967]))
    );
    assert_eq!(app.exported_ids("User"), [1, 2, 3, 4]);
}

#[test]
fn the_pages_graph_shows_a_created_ticket_and_forgets_a_deleted_one() {
    let app = App::start(zammad_links_mock::ZammadVersion::default());
    let mut body = minimal("x");
    body["links"] = json!({"Ticket": {"parent": [147469]}});
    let (_, ticket) = app.create(body);
    let id = ticket["id"].as_i64().unwrap();
    // Act
    let (status, graph) = app.get(&format!("/__mock/graph?ticket={id}"));
    // Assert (the page draws from this answer)
    assert_eq!(status, 200, "{graph}");
    let tickets: Vec<i64> = graph["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert!(
        tickets.contains(&id) && tickets.contains(&147469),
        "{graph}"
    );
    assert_eq!(app.delete_as(AGENT, id).0, 200);
    assert_eq!(app.get(&format!("/__mock/graph?ticket={id}")).0, 404);
    let (_, around) = app.get("/__mock/graph?ticket=147469");
    assert!(!around.to_string().contains(&id.to_string()), "{around}");
}

#[test]
fn creates_and_deletes_survive_kill_9() {
    let folder = TempDir::new().unwrap();
    let db = folder.path().join("db");
    let client = reqwest::blocking::Client::new();
    let running = RunningBinary::start(&[OsStr::new("--db"), db.as_os_str()]);
    let send = |base: &str, method: Method, path: &str, body: Value| {
        let response = client
            .request(method, format!("{base}{path}"))
            .basic_auth(AGENT.0, Some(AGENT.1))
            .json(&body)
            .send()
            .unwrap();
        (
            response.status().as_u16(),
            response.json::<Value>().unwrap_or(Value::Null),
        )
    };
    let mut body = minimal("durable");
    body["links"] = json!({"Ticket": {"normal": [147470]}});
    assert_eq!(
        send(&running.base, Method::POST, "/api/v1/tickets", body).0,
        201
    );
    assert_eq!(
        send(
            &running.base,
            Method::POST,
            "/api/v1/tickets",
            minimal("gone")
        )
        .0,
        201
    );
    assert_eq!(
        send(
            &running.base,
            Method::DELETE,
            "/api/v1/tickets/147473",
            Value::Null
        )
        .0,
        200
    );
    // Act: no chance to flush anything not already durable.
    running.signal("-KILL");
    let running = RunningBinary::start(&[OsStr::new("--db"), db.as_os_str()]);
    // Assert
    let (status, ticket) = send(
        &running.base,
        Method::GET,
        "/api/v1/tickets/147472",
        Value::Null,
    );
    assert_eq!((status, &ticket["title"]), (200, &json!("durable")));
    assert_eq!(
        send(
            &running.base,
            Method::GET,
            "/api/v1/tickets/147473",
            Value::Null
        )
        .0,
        404
    );
    let (_, links) = send(
        &running.base,
        Method::GET,
        "/api/v1/links?link_object=Ticket&link_object_value=147470",
        Value::Null,
    );
    assert!(links["links"].to_string().contains("147472"), "{links}");
    let (_, next) = send(
        &running.base,
        Method::POST,
        "/api/v1/tickets",
        minimal("next"),
    );
    assert_eq!(
        (&next["id"], &next["number"]),
        (&json!(147474), &json!("34147474"))
    );
}

#[test]
fn every_call_is_journaled() {
    let app = App::start(zammad_links_mock::ZammadVersion::default());
    let id = app.create_simple("x");
    app.update_as(AGENT, id, json!({"title": "y"}));
    app.delete_as(AGENT, id);
    // Act
    let journal = app.server.requests();
    // Assert
    let calls: Vec<(String, String, u16)> = journal
        .iter()
        .map(|e| (e.method.clone(), e.path.clone(), e.status))
        .collect();
    let path = format!("/api/v1/tickets/{id}");
    assert_eq!(
        calls,
        [
            ("POST".to_owned(), "/api/v1/tickets".to_owned(), 201),
            ("PUT".to_owned(), path.clone(), 200),
            ("DELETE".to_owned(), path, 200),
        ]
    );
}

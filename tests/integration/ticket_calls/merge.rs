//! `PUT /api/v1/ticket_merge/:source_ticket_id/:target_ticket_number` (spec §6): the checks
//! of §6.1 in each column's order, the effects of §6.2 (articles, the `merged` note, the
//! links deleted, re-pointed and added, the two tickets), the answer of §6.3, and what a
//! restart, the journal and the router show of a merge.

use reqwest::Method;
use serde_json::{json, Value};
use zammad_links_mock::{FixtureDocument, ZammadVersion};

use super::{
    answer, every_line, humanized, minimal, App, Column, ADMIN_ONLY, ADMIN_ONLY_TOKEN,
    CHANGE_AGENT, CUSTOMER, PLAIN_AGENT,
};
use crate::helpers::AGENT;

impl App {
    /// `PUT /api/v1/ticket_merge/:source/:target_number` as `who`.
    fn merge_as(&self, who: (&str, &str), source: impl ToString, target: &str) -> (u16, Value) {
        let path = format!("/api/v1/ticket_merge/{}/{target}", source.to_string());
        answer(self.call(Method::PUT, &path, Some(who), Value::Null))
    }

    /// The ticket's record as the export holds it (with its `*_ids`).
    fn exported_ticket(&self, id: i64) -> Value {
        let (_, export) = self.get("/__mock/fixtures");
        export["Ticket"][id.to_string()].clone()
    }

    /// The exported link row `id`, if it exists.
    fn exported_link(&self, id: i64) -> Option<Value> {
        let (_, export) = self.get("/__mock/fixtures");
        export["Link"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == id)
            .cloned()
    }

    /// `POST /api/v1/links/add` of (`link_type`, `source` → `target`), both tickets.
    fn link(&self, link_type: &str, source: i64, target: i64) {
        let number = self.ticket(source).1["number"].clone();
        let add = json!({"link_type": link_type, "link_object_target": "Ticket",
                         "link_object_target_value": target, "link_object_source": "Ticket",
                         "link_object_source_number": number});
        let response = self.call(Method::POST, "/api/v1/links/add", Some(AGENT), add);
        assert_eq!(response.status(), 201, "{}", response.text().unwrap());
    }

    /// The number of ticket `id`.
    fn number(&self, id: i64) -> String {
        self.ticket(id).1["number"].as_str().unwrap().to_owned()
    }
}

fn failed(message: &str) -> Value {
    json!({"result": "failed", "message": message})
}

/// A ticket in group 2, where [`CHANGE_AGENT`] has no access, created by [`PLAIN_AGENT`]:
/// its id and number.
fn in_other_group(app: &App) -> (i64, String) {
    let mut body = minimal("elsewhere");
    body["group_id"] = json!(2);
    let (status, ticket) = app.create_as(PLAIN_AGENT, body);
    assert_eq!(status, 201, "{ticket}");
    (
        ticket["id"].as_i64().unwrap(),
        ticket["number"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn a_caller_without_ticket_agent_is_refused_in_the_lines_words() {
    for version in every_line() {
        let app = App::start(version).with_extra_users();
        // Act (§6.1 first row; Zammad's request spec 23)
        let by_customer = app.merge_as(CUSTOMER, 147470, "34147471");
        let by_admin_only = app.merge_as(ADMIN_ONLY, 147470, "34147471");
        let by_token = answer(
            app.client
                .put(app.server.url("/api/v1/ticket_merge/147470/34147471"))
                .header("Authorization", format!("Token token={ADMIN_ONLY_TOKEN}"))
                .send()
                .unwrap(),
        );
        // Assert
        let (user, token) = match app.column() {
            Column::V50 => ("Not authorized (user)!", "Not authorized (token)!"),
            _ => ("User authorization failed.", "Token authorization failed."),
        };
        assert_eq!(by_customer, (403, humanized(user)), "{version:?}");
        assert_eq!(by_admin_only, (403, humanized(user)), "{version:?}");
        assert_eq!(by_token, (403, humanized(token)), "{version:?}");
        assert_eq!(app.ticket(147470).1["state_id"], 2);
    }
}

#[test]
fn unknown_tickets_are_answered_200_failed_with_exactly_two_keys() {
    for version in every_line() {
        let app = App::start(version);
        // Act (§6.1; the third-party suite's 30)
        let no_target = app.merge_as(AGENT, 147470, "99999");
        let no_source = app.merge_as(AGENT, 99999, "34147471");
        let unparsable_source = app.merge_as(AGENT, "abc", "34147471");
        // Assert
        let (target, source) = match app.column() {
            Column::V50 => ("No such target ticket number!", "No such source ticket!"),
            _ => (
                "The target ticket number could not be found.",
                "The source ticket could not be found.",
            ),
        };
        assert_eq!(no_target, (200, failed(target)), "{version:?}");
        assert_eq!(no_source, (200, failed(source)), "{version:?}");
        assert_eq!(unparsable_source, (200, failed(source)), "{version:?}");
        assert_eq!(no_target.1.as_object().unwrap().len(), 2);
        // Nothing changed.
        assert_eq!(app.links_of(147469).len(), 2);
    }
}

#[test]
fn the_checks_come_in_each_columns_order() {
    for version in every_line() {
        let app = App::start(version).with_extra_users();
        let (hidden, hidden_number) = in_other_group(&app);
        let mine = app.create_simple("mine");
        let column = app.column();
        // Act (§6.1): a target the caller may not update, and a source that does not exist.
        let hidden_target_no_source = app.merge_as(CHANGE_AGENT, 99999, &hidden_number);
        let hidden_source = app.merge_as(CHANGE_AGENT, hidden, "34147471");
        let hidden_target = app.merge_as(CHANGE_AGENT, mine, &hidden_number);
        // Assert: 5.0 authorizes the target before it looks for the source.
        let not_authorized = (403, humanized("Not authorized"));
        let source_missing = match column {
            Column::V50 => not_authorized.clone(),
            _ => (200, failed("The source ticket could not be found.")),
        };
        assert_eq!(hidden_target_no_source, source_missing, "{version:?}");
        assert_eq!(hidden_source, not_authorized, "{version:?}");
        assert_eq!(hidden_target, not_authorized, "{version:?}");
        // `read` and `change` on the group suffice (Zammad's request spec 24).
        let (status, body) = app.merge_as(CHANGE_AGENT, mine, "34147471");
        assert_eq!(
            (status, &body["result"]),
            (200, &json!("success")),
            "{body}"
        );
    }
}

#[test]
fn a_merged_target_and_the_ticket_itself_are_refused_with_both_keys() {
    for version in every_line() {
        let app = App::start(version);
        assert_eq!(app.merge_as(AGENT, 147470, "34147471").0, 200);
        // Act (§6.1 last rows)
        let into_merged = app.merge_as(AGENT, 147469, "34147470");
        let into_itself = app.merge_as(AGENT, 147469, "34147469");
        // Assert
        let (merged, itself) = match app.column() {
            Column::V50 => (
                "ticket already merged, no merge into merged ticket possible",
                "Can't merge ticket with it self!",
            ),
            _ => (
                "It is not possible to merge into an already merged ticket.",
                "A ticket cannot be merged into itself.",
            ),
        };
        assert_eq!(into_merged, (422, humanized(merged)), "{version:?}");
        assert_eq!(into_itself, (422, humanized(itself)), "{version:?}");
        // The source's own state is not checked: a merged ticket merges again.
        let (status, body) = app.merge_as(AGENT, 147470, "34147469");
        assert_eq!(
            (status, &body["result"]),
            (200, &json!("success")),
            "{body}"
        );
        assert_eq!(app.links_of(147470), [(json!("parent"), 147469)]);
    }
}

#[test]
fn the_default_data_sets_example_comes_out_exactly() {
    for version in every_line() {
        let app = App::start(version);
        let (_, target_before) = app.ticket(147471);
        let (_, neighbour_before) = app.ticket(147469);
        std::thread::sleep(std::time::Duration::from_millis(5));
        // Act (§6.2's example)
        let (status, body) = app.merge_as(AGENT, 147470, "34147471");
        // Assert: link 3 (twin of link 4) gone, the parent row is link 5.
        assert_eq!(status, 200, "{version:?}: {body}");
        assert_eq!(app.links_of(147469), [(json!("normal"), 147471)]);
        assert_eq!(
            app.links_of(147471),
            [(json!("child"), 147470), (json!("normal"), 147469)],
            "{version:?}"
        );
        assert_eq!(app.links_of(147470), [(json!("parent"), 147471)]);
        assert!(app.exported_link(3).is_none());
        let parent = app.exported_link(5).unwrap();
        assert_eq!(
            (
                &parent["link_type"],
                &parent["link_object_source_value"],
                &parent["link_object_target_value"]
            ),
            (&json!("parent"), &json!(147471), &json!(147470))
        );
        // §6.3: exactly three keys; the target as it was, the source as it is now.
        let (_, source_after) = app.ticket(147470);
        let (_, target_after) = app.ticket(147471);
        assert_eq!(
            body,
            json!({"result": "success", "target_ticket": target_before,
                   "source_ticket": source_after}),
            "{version:?}"
        );
        assert_ne!(target_after["updated_at"], target_before["updated_at"]);
        assert_eq!(
            target_after["updated_by_id"],
            target_before["updated_by_id"]
        );
        // §6.2.4: the source.
        assert_eq!(
            (
                &source_after["state_id"],
                &source_after["owner_id"],
                &source_after["updated_by_id"]
            ),
            (&json!(5), &json!(1), &json!(3)),
            "{version:?}"
        );
        assert_eq!(source_after["updated_at"], target_after["updated_at"]);
        // The twin's other end was touched by its delete.
        let (_, neighbour_after) = app.ticket(147469);
        assert_eq!(neighbour_after["updated_at"], target_after["updated_at"]);
        assert_eq!(
            neighbour_after["updated_by_id"],
            neighbour_before["updated_by_id"]
        );
        // §6.2.1–2: the data set's article ids (no records) moved; the note is 464966.
        let target = app.exported_ticket(147471);
        let source = app.exported_ticket(147470);
        assert_eq!(
            target["article_ids"],
            json!([464964, 464965]),
            "{version:?}"
        );
        assert_eq!(source["article_ids"], json!([464966]), "{version:?}");
        assert_eq!(source["article_count"], 1);
        let recounted = match app.column() {
            Column::V701 => 2,
            _ => 1,
        };
        assert_eq!(target["article_count"], recounted, "{version:?}");
    }
}

#[test]
fn articles_move_to_the_target_and_the_source_gets_the_merged_note() {
    for version in every_line() {
        let app = App::start(version);
        let source = app.create_simple("source");
        let target = app.create_simple("target");
        let (_, before) = app.get(&format!("/api/v1/ticket_articles/by_ticket/{source}"));
        let moved = before[0].clone();
        std::thread::sleep(std::time::Duration::from_millis(5));
        // Act
        let (status, body) = app.merge_as(AGENT, source, &app.number(target));
        // Assert
        assert_eq!(status, 200, "{body}");
        let (_, on_target) = app.get(&format!("/api/v1/ticket_articles/by_ticket/{target}"));
        let on_target = on_target.as_array().unwrap();
        assert_eq!(on_target.len(), 2, "{version:?}");
        let arrived = on_target.iter().find(|a| a["id"] == moved["id"]).unwrap();
        assert_eq!(arrived["ticket_id"], target);
        assert_ne!(arrived["updated_at"], moved["updated_at"]);
        assert_eq!(arrived["body"], moved["body"]);
        let (_, on_source) = app.get(&format!("/api/v1/ticket_articles/by_ticket/{source}"));
        let note = &on_source.as_array().unwrap()[..];
        assert_eq!(note.len(), 1, "{version:?}: {on_source}");
        let note = &note[0];
        assert_eq!(
            note["id"].as_i64().unwrap(),
            moved["id"].as_i64().unwrap() + 2
        );
        assert_eq!(
            (
                &note["body"],
                &note["type"],
                &note["sender"],
                &note["internal"]
            ),
            (
                &json!("merged"),
                &json!("note"),
                &json!("Agent"),
                &json!(false)
            ),
            "{version:?}"
        );
        assert_eq!(
            (&note["from"], &note["created_by_id"], &note["ticket_id"]),
            (&json!("Max Mustermann"), &json!(3), &json!(source))
        );
        let recounted = match app.column() {
            Column::V701 => 2,
            _ => 1,
        };
        assert_eq!(app.exported_ticket(target)["article_count"], recounted);
        assert_eq!(app.exported_ticket(source)["article_count"], 1);
    }
}

#[test]
fn links_held_in_both_directions_are_deleted_as_twins_or_re_pointed_untouched() {
    for version in every_line() {
        let app = App::start(version);
        let [s, t, x, y, z] = ["s", "t", "x", "y", "z"].map(|title| app.create_simple(title));
        app.link("normal", s, x); // 5: S→X, twin of T→X
        app.link("normal", t, x); // 6
        app.link("child", y, s); // 7: Y→S, twin of Y→T
        app.link("child", y, t); // 8
        app.link("normal", s, z); // 9: S→Z, no twin
        app.link("normal", y, s); // 10: Y→S, no twin (T→Y's direction differs)
        app.link("normal", t, y); // 11
        let before = |id| app.ticket(id).1["updated_at"].clone();
        let (x_before, z_before) = (before(x), before(z));
        let (row_9, row_10) = (
            app.exported_link(9).unwrap(),
            app.exported_link(10).unwrap(),
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
        // Act
        let (status, body) = app.merge_as(AGENT, s, &app.number(t));
        // Assert: the twins are gone, their other ends touched.
        assert_eq!(status, 200, "{body}");
        assert!(app.exported_link(5).is_none() && app.exported_link(7).is_none());
        assert_ne!(app.ticket(x).1["updated_at"], x_before, "{version:?}");
        // The others keep their ids and timestamps, with the target at the source's end.
        let moved_9 = app.exported_link(9).unwrap();
        let moved_10 = app.exported_link(10).unwrap();
        assert_eq!(moved_9["link_object_source_value"], t);
        assert_eq!(moved_10["link_object_target_value"], t);
        for (was, is) in [(&row_9, &moved_9), (&row_10, &moved_10)] {
            assert_eq!(was["created_at"], is["created_at"]);
            assert_eq!(was["updated_at"], is["updated_at"]);
        }
        // Re-pointing touches nothing.
        assert_eq!(app.ticket(z).1["updated_at"], z_before, "{version:?}");
        // Both directions agree.
        assert_eq!(app.links_of(z), [(json!("normal"), t)]);
        assert_eq!(
            app.links_of(y),
            [
                (json!("parent"), t),
                (json!("normal"), t),
                (json!("normal"), t)
            ],
            "{version:?}"
        );
        assert_eq!(
            app.links_of(t),
            [
                (json!("normal"), x),
                (json!("normal"), z),
                (json!("normal"), y),
                (json!("child"), s),
                (json!("child"), y),
                (json!("normal"), y),
            ],
            "{version:?}"
        );
        assert_eq!(app.links_of(s), [(json!("parent"), t)]);
    }
}

#[test]
fn a_link_between_the_two_becomes_a_self_link_of_the_target_and_a_parent_row_is_added() {
    for version in every_line() {
        let app = App::start(version);
        let s = app.create_simple("s");
        let t = app.create_simple("t");
        app.link("normal", s, t); // 5
        app.link("parent", t, s); // 6: the row the merge adds, there already
                                  // Act
        let (status, body) = app.merge_as(AGENT, s, &app.number(t));
        // Assert: both rows now run from the target to itself, with their ids.
        assert_eq!(status, 200, "{body}");
        for id in [5, 6] {
            let row = app.exported_link(id).unwrap();
            assert_eq!(
                (
                    &row["link_object_source_value"],
                    &row["link_object_target_value"]
                ),
                (&json!(t), &json!(t)),
                "{version:?}: {row}"
            );
        }
        // Nothing names the source any more, so the parent row is new in every column.
        let parent = app.exported_link(7).unwrap();
        assert_eq!(
            (
                &parent["link_type"],
                &parent["link_object_source_value"],
                &parent["link_object_target_value"]
            ),
            (&json!("parent"), &json!(t), &json!(s))
        );
        assert_eq!(app.links_of(s), [(json!("parent"), t)]);
        assert_eq!(
            app.links_of(t),
            [
                (json!("normal"), t),
                (json!("child"), t),
                (json!("child"), s),
                (json!("normal"), t),
                (json!("parent"), t),
            ],
            "{version:?}"
        );
    }
}

#[test]
fn a_ticket_with_a_thousand_links_merges_them_all() {
    for version in [ZammadVersion::V5_0, ZammadVersion::V7_3] {
        let app = App::start(version);
        let rows: Vec<Value> = (0..1000)
            .map(|n| {
                json!({"id": 100 + n, "link_type": "normal", "link_object_source": "Ticket",
                       "link_object_source_value": 147470, "link_object_target": "Ticket",
                       "link_object_target_value": 800000 + n})
            })
            .collect();
        app.server
            .merge_fixtures(&FixtureDocument::from_value(json!({ "Link": rows })).unwrap())
            .unwrap();
        // Act
        let (status, body) = app.merge_as(AGENT, 147470, "34147471");
        // Assert: the 1,000 rows, then the parent row (1100), then link 4 from 147469.
        assert_eq!(status, 200, "{body}");
        let links = app.links_of(147471);
        assert_eq!(links.len(), 1000 + 1 + 1, "{version:?}");
        assert_eq!(links[0], (json!("normal"), 800000));
        assert_eq!(links[1000], (json!("child"), 147470));
        assert_eq!(links[1001], (json!("normal"), 147469));
        let row = app.exported_link(1099).unwrap();
        assert_eq!(row["link_object_source_value"], 147471);
        assert_eq!(app.links_of(147470), [(json!("parent"), 147471)]);
    }
}

#[test]
fn a_merge_survives_a_restart() {
    let version = ZammadVersion::default();
    let app = App::start(version);
    assert_eq!(app.merge_as(AGENT, 147470, "34147471").0, 200);
    let (_, export) = app.get("/__mock/fixtures");
    let App { server, dir, .. } = app;
    drop(server);
    // Act
    let app = App::start_in(version, dir);
    // Assert
    let (_, again) = app.get("/__mock/fixtures");
    assert_eq!(again["Link"], export["Link"]);
    assert_eq!(again["Ticket"], export["Ticket"]);
    assert_eq!(
        app.links_of(147471),
        [(json!("child"), 147470), (json!("normal"), 147469)]
    );
    assert_eq!(app.links_of(147470), [(json!("parent"), 147471)]);
    // The sequences went on: the next link is 6.
    app.link("normal", 147469, 147470);
    assert!(app.exported_link(6).is_some());
}

#[test]
fn only_put_is_routed_also_with_the_json_suffix_and_the_call_is_journaled() {
    let app = App::start(ZammadVersion::default());
    // Act
    let get = app.get("/api/v1/ticket_merge/147470/34147471");
    let post = answer(app.call(
        Method::POST,
        "/api/v1/ticket_merge/147470/34147471",
        Some(AGENT),
        Value::Null,
    ));
    let unparsable = app
        .client
        .put(app.server.url("/api/v1/ticket_merge/147470/34147471"))
        .basic_auth(AGENT.0, Some(AGENT.1))
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .unwrap()
        .status();
    let put = app.merge_as(AGENT, 147470, "34147471.json");
    // Assert
    assert_eq!(get.0, 404, "{}", get.1);
    assert_eq!(post.0, 404);
    assert_eq!(unparsable, 400);
    assert!(
        get.1["error"]
            .as_str()
            .unwrap()
            .contains("No route matches [GET]"),
        "{}",
        get.1
    );
    assert_eq!((put.0, &put.1["result"]), (200, &json!("success")));
    let calls: Vec<(String, u16)> = app
        .server
        .requests()
        .iter()
        .map(|e| (e.method.clone(), e.status))
        .collect();
    assert_eq!(
        calls,
        [
            ("GET".to_owned(), 404),
            ("POST".to_owned(), 404),
            ("PUT".to_owned(), 400),
            ("PUT".to_owned(), 200)
        ]
    );
}

#[test]
fn a_merge_survives_kill_9_after_its_answer() {
    let folder = tempfile::TempDir::new().unwrap();
    let db = folder.path().join("db");
    let args = [std::ffi::OsStr::new("--db"), db.as_os_str()];
    let client = reqwest::blocking::Client::new();
    let send = |base: &str, method: Method, path: &str| {
        answer(
            client
                .request(method, format!("{base}{path}"))
                .basic_auth(AGENT.0, Some(AGENT.1))
                .send()
                .unwrap(),
        )
    };
    let links = |base: &str, id: i64| {
        send(
            base,
            Method::GET,
            &format!("/api/v1/links?link_object=Ticket&link_object_value={id}"),
        )
        .1["links"]
            .clone()
    };
    let running = crate::helpers::RunningBinary::start(&args);
    let (status, _) = send(
        &running.base,
        Method::PUT,
        "/api/v1/ticket_merge/147470/34147471",
    );
    assert_eq!(status, 200);
    let before: Vec<Value> = [147469, 147470, 147471]
        .iter()
        .map(|id| links(&running.base, *id))
        .collect();
    // Act: no chance to flush anything not already durable.
    running.signal("-KILL");
    let running = crate::helpers::RunningBinary::start(&args);
    // Assert
    let after: Vec<Value> = [147469, 147470, 147471]
        .iter()
        .map(|id| links(&running.base, *id))
        .collect();
    assert_eq!(after, before);
    let (_, source) = send(&running.base, Method::GET, "/api/v1/tickets/147470");
    assert_eq!(source["state_id"], 5);
}

#[test]
fn the_pages_graph_shows_the_merged_ticket_with_its_parent_link() {
    for version in every_line() {
        let app = App::start(version);
        assert_eq!(app.merge_as(AGENT, 147470, "34147471").0, 200);
        // Act
        let (status, graph) = app.get("/__mock/graph?ticket=147471");
        // Assert
        assert_eq!(status, 200, "{graph}");
        let merged: Vec<(i64, bool)> = graph["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["id"].as_i64().unwrap(), t["merged"] == true))
            .collect();
        assert_eq!(
            merged,
            [(147471, false), (147470, true), (147469, false)],
            "{version:?}: {graph}"
        );
        assert!(
            graph["links"]
                .as_array()
                .unwrap()
                .contains(&json!({"id": 5, "type": "parent", "source": 147471, "target": 147470})),
            "{graph}"
        );
    }
    // The page has a style and a legend entry for it.
    let app = App::start(ZammadVersion::default());
    let text = |path: &str| {
        app.call(Method::GET, path, None, Value::Null)
            .text()
            .unwrap()
    };
    assert!(text("/__mock/ui").contains("class=\"key merged\""));
    assert!(text("/__mock/ui/app.js").contains("classes.push(\"merged\")"));
    assert!(text("/__mock/ui/style.css").contains(".node.merged .shape"));
}

#[test]
fn a_pending_source_loses_its_pending_time_as_its_state_changes() {
    for version in every_line() {
        let app = App::start(version);
        let source = app.create_simple("pending");
        let (status, body) = app.update_as(
            AGENT,
            source,
            json!({"state": "pending reminder", "pending_time": "2030-01-01T00:00:00.000Z"}),
        );
        assert_eq!(status, 200, "{version:?}: {body}");
        assert!(!app.ticket(source).1["pending_time"].is_null());
        // Act
        let (status, body) = app.merge_as(AGENT, source, "34147469");
        // Assert
        assert_eq!(status, 200, "{body}");
        let merged = &body["source_ticket"];
        assert_eq!(
            (&merged["state_id"], &merged["pending_time"]),
            (&json!(5), &Value::Null)
        );
        assert_eq!(merged["last_owner_update_at"], Value::Null);
        assert_eq!(app.ticket(source).1, *merged);
    }
}

#[test]
fn in_5_0_the_owner_of_a_ticket_may_merge_it_whatever_its_group() {
    for version in every_line() {
        let app = App::start(version).with_extra_users();
        // A ticket in group 2 owned by the agent with access to group 1 only.
        let mut body = minimal("owned");
        body["group_id"] = json!(2);
        body["owner_id"] = json!(102);
        let (status, ticket) = app.create_as(PLAIN_AGENT, body);
        assert_eq!(
            (status, &ticket["owner_id"]),
            (201, &json!(102)),
            "{ticket}"
        );
        // Act
        let (status, body) = app.merge_as(CHANGE_AGENT, ticket["id"].as_i64().unwrap(), "34147469");
        // Assert (5.0's `TicketPolicy#update?` lets the owner through; 6.5+'s
        // `agent_update_access?` asks the group only)
        match app.column() {
            Column::V50 => assert_eq!((status, &body["result"]), (200, &json!("success"))),
            _ => assert_eq!(
                (status, body),
                (403, humanized("Not authorized")),
                "{version:?}"
            ),
        }
    }
}

#[test]
fn a_re_pointed_rows_other_end_lists_the_target_with_its_assets_after_being_asked_before() {
    for version in every_line() {
        let app = App::start(version);
        let s = app.create_simple("s");
        let t = app.create_simple("t");
        let z = app.create_simple("z");
        app.link("normal", s, z);
        let path = format!("/api/v1/links?link_object=Ticket&link_object_value={z}");
        let (_, before) = app.get(&path);
        assert!(
            before["assets"]["Ticket"][s.to_string()].is_object(),
            "{before}"
        );
        // Act
        assert_eq!(app.merge_as(AGENT, s, &app.number(t)).0, 200);
        // Assert: what was reused for the first answer does not show through.
        let (_, after) = app.get(&path);
        assert_eq!(
            after["links"],
            json!([{"link_type": "normal", "link_object": "Ticket", "link_object_value": t}]),
            "{version:?}"
        );
        let tickets = after["assets"]["Ticket"].as_object().unwrap();
        assert!(tickets.contains_key(&t.to_string()), "{version:?}: {after}");
        assert!(
            !tickets.contains_key(&s.to_string()),
            "{version:?}: {after}"
        );
        assert_eq!(
            tickets[&t.to_string()]["updated_at"],
            app.ticket(t).1["updated_at"]
        );
    }
}

#[test]
fn a_fault_rule_on_the_merge_route_answers_instead_and_changes_nothing() {
    let app = App::start(ZammadVersion::default());
    let rule = json!({"kind": "too_many_requests", "retry_after": 2,
                      "route": "tickets#ticket_merge", "times": 1});
    let added = app.call(Method::POST, "/__mock/faults", None, rule);
    assert!(added.status().is_success(), "{}", added.text().unwrap());
    // Act
    let throttled = app.merge_as(AGENT, 147470, "34147471");
    let links_between = app.links_of(147470);
    let answered = app.merge_as(AGENT, 147470, "34147471");
    // Assert
    assert_eq!(throttled.0, 429, "{}", throttled.1);
    assert_eq!(links_between, [(json!("normal"), 147469)]);
    assert_eq!(
        (answered.0, &answered.1["result"]),
        (200, &json!("success"))
    );
}

#[test]
fn after_a_merge_the_search_finds_the_moved_articles_text_on_the_target_only() {
    for version in every_line() {
        let app = App::start(version);
        let mut body = minimal("source");
        body["article"]["body"] = json!("the toner smells of burnt toast");
        let (status, source) = app.create(body);
        assert_eq!(status, 201, "{source}");
        let source = source["id"].as_i64().unwrap();
        let target = app.create_simple("target");
        let search = "/api/v1/tickets/search?query=burnt%20toast&expand=true";
        let ids = |app: &App| -> Vec<Value> {
            let (status, found) = app.get(search);
            assert_eq!(status, 200, "{version:?}: {found}");
            found
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].clone())
                .collect()
        };
        assert_eq!(ids(&app), [json!(source)], "{version:?}");
        // Act
        let (status, body) = app.merge_as(AGENT, source, &app.number(target));
        // Assert: the article is the target's now (one matching article row, so once on
        // every line); the source holds only its "merged" note.
        assert_eq!(status, 200, "{body}");
        assert_eq!(ids(&app), [json!(target)], "{version:?}");
        let (_, merged) = app.get("/api/v1/tickets/search?query=merged&expand=true");
        let merged: Vec<_> = merged
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].clone())
            .collect();
        assert_eq!(merged, [json!(source)], "{version:?}");
    }
}

//! The five behaviour lines (issues 12 and 21), each on its own default data set: the seed's
//! GET, the rows of the spec's version tables (§1.5–§1.7, §3, §7, §10), authentication, the
//! version call, the ticket calls' line differences, `--zammad-version` as §10.6 maps it, and
//! the real Python clients on every line.

use reqwest::blocking::{Client, Response};
use reqwest::Method;
use serde_json::{json, Value};
use tempfile::TempDir;
use zammad_links_mock::{MockServer, ZammadVersion};

use crate::helpers::{add_body, remove_body, AGENT, SEED_GET_147469};

const V50: ZammadVersion = ZammadVersion::V5_0;
const V65: ZammadVersion = ZammadVersion::V6_5;
const V70: ZammadVersion = ZammadVersion::V7_0;
const V72: ZammadVersion = ZammadVersion::V7_2;
const V73: ZammadVersion = ZammadVersion::V7_3;
const ALL: [ZammadVersion; 5] = [V50, V65, V70, V72, V73];
const CUSTOMER: (&str, &str) = ("nicole.braun@zammad.org", "test");

struct App {
    server: MockServer,
    client: Client,
    _dir: TempDir,
}

impl App {
    fn start(version: ZammadVersion) -> Self {
        let dir = TempDir::new().unwrap();
        let server = MockServer::builder()
            .zammad_version(version)
            .db_dir(dir.path())
            .start();
        Self {
            server,
            client: Client::new(),
            _dir: dir,
        }
    }

    fn call(
        &self,
        method: Method,
        path: &str,
        auth: Option<(&str, &str)>,
        body: Value,
    ) -> Response {
        let mut request = self.client.request(method, self.server.url(path));
        if let Some((login, password)) = auth {
            request = request.basic_auth(login, Some(password));
        }
        request.json(&body).send().unwrap()
    }

    fn by_token(&self, method: Method, path: &str, token: &str, body: Value) -> Response {
        self.client
            .request(method, self.server.url(path))
            .header("Authorization", format!("Token token={token}"))
            .json(&body)
            .send()
            .unwrap()
    }

    fn get(&self, id: i64) -> Response {
        let body = json!({"link_object": "Ticket", "link_object_value": id});
        self.call(Method::GET, "/api/v1/links", Some(AGENT), body)
    }

    fn links_of(&self, id: i64) -> Vec<(Value, i64)> {
        let body: Value = self.get(id).json().unwrap();
        body["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["link_type"].clone(),
                    l["link_object_value"].as_i64().unwrap(),
                )
            })
            .collect()
    }

    fn add(&self, body: Value) -> (u16, Value) {
        answer(self.call(Method::POST, "/api/v1/links/add", Some(AGENT), body))
    }

    fn remove(&self, body: Value) -> (u16, Value) {
        answer(self.call(Method::DELETE, "/api/v1/links/remove", Some(AGENT), body))
    }

    /// Merges `doc` into the state (`POST /__mock/fixtures`).
    fn merge(&self, doc: Value) {
        let merged = self.call(Method::POST, "/__mock/fixtures", None, doc);
        assert!(merged.status().is_success(), "{}", merged.text().unwrap());
    }

    /// A token for the seed's agent (user 3, who holds `admin` and `ticket.agent`) that
    /// carries only `permissions`.
    fn token(&self, token: &str, permissions: &[&str]) {
        self.merge(json!({"Token": [{"token": token, "user_id": 3, "permissions": permissions}]}));
    }

    fn updated_at(&self, id: i64) -> Value {
        let ticket: Value = self
            .call(
                Method::GET,
                &format!("/api/v1/tickets/{id}"),
                Some(AGENT),
                json!({}),
            )
            .json()
            .unwrap();
        ticket["updated_at"].clone()
    }
}

fn answer(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().unwrap_or(Value::Null))
}

fn humanized(text: &str) -> Value {
    json!({"error": text, "error_human": text})
}

fn golden(version: ZammadVersion) -> &'static str {
    match version.line_name() {
        "5.0" => SEED_GET_147469,
        "6.5" => include_str!("../fixtures/seed-get-147469-6.5.json"),
        "7.0" => include_str!("../fixtures/seed-get-147469-7.0.json"),
        "7.2" => include_str!("../fixtures/seed-get-147469-7.2.json"),
        "7.3" => include_str!("../fixtures/seed-get-147469-7.3.json"),
        other => panic!("no golden file for line {other}"),
    }
}

#[test]
fn the_seed_get_answers_each_lines_golden_file() {
    for version in ALL {
        let app = App::start(version);
        let response = app.get(147469);
        assert_eq!(response.status(), 200, "{version:?}");
        assert_eq!(response.text().unwrap(), golden(version), "{version:?}");
    }
}

#[test]
fn from_6_5_the_assets_hold_tickets_and_users_only() {
    let models = |version| {
        let body: Value = App::start(version).get(147469).json().unwrap();
        let assets = body["assets"].as_object().unwrap().clone();
        assets
            .iter()
            .map(|(model, records)| {
                let ids: Vec<String> = records.as_object().unwrap().keys().cloned().collect();
                format!("{model}{ids:?}")
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        models(V50),
        [
            "Ticket[\"147470\", \"147471\"]",
            "User[\"3\", \"1\"]",
            "Role[\"1\", \"2\"]",
            "Group[\"1\"]"
        ]
    );
    for version in [V65, V70, V72, V73] {
        assert_eq!(
            models(version),
            ["Ticket[\"147470\", \"147471\"]", "User[\"3\", \"1\"]"],
            "{version:?}"
        );
    }
}

#[test]
fn each_line_renders_its_record_attributes_and_permission_table() {
    for (version, permissions, agent_ids, ai) in [
        (V65, 75, json!([53, 55, 58, 61, 63]), false),
        (V70, 79, json!([56, 58, 61, 64, 66]), true),
        (V72, 83, json!([60, 62, 65, 68, 70]), true),
        (V73, 83, json!([60, 62, 65, 68, 70]), true),
    ] {
        let body: Value = App::start(version).get(147469).json().unwrap();
        let user = &body["assets"]["User"]["3"];
        assert!(user.get("karma_user_ids").is_none(), "{version:?}");
        assert!(user.get("accounts").is_none(), "{version:?}");
        assert_eq!(user["two_factor_preference_ids"], json!([]), "{version:?}");
        let ticket = body["assets"]["Ticket"]["147470"].as_object().unwrap();
        assert_eq!(
            ticket.get("last_close_at"),
            Some(&Value::Null),
            "{version:?}"
        );
        assert_eq!(
            ticket.get("checklist_id"),
            Some(&Value::Null),
            "{version:?}"
        );
        let keys: Vec<&String> = ticket.keys().collect();
        let ids: Vec<&&String> = keys.iter().filter(|k| k.ends_with("_ids")).collect();
        let mut want = vec![
            "referencing_checklist_ids",
            "article_ids",
            "ticket_time_accounting_ids",
        ];
        if ai {
            want.push("ai_stored_result_ids");
        }
        assert_eq!(ids, want.iter().collect::<Vec<_>>(), "{version:?}");
        let data: Value = serde_json::from_str(version.default_data()).unwrap();
        assert_eq!(
            data["Permission"].as_object().unwrap().len(),
            permissions,
            "{version:?}"
        );
        assert_eq!(
            data["Role"]["2"]["permission_ids"], agent_ids,
            "{version:?}"
        );
        let agent = data["Permission"]["64"]["name"].clone();
        if version == V70 {
            assert_eq!(agent, "ticket.agent");
        }
    }
}

/// Every row of the add table of spec §1.6, per line.
#[test]
fn the_add_cases_answer_as_each_line() {
    let missing_id = humanized(r#"Couldn't find Ticket with [WHERE "tickets"."id" = $1]"#);
    let nil_id = humanized(r#"Couldn't find Ticket with [WHERE "tickets"."id" IS NULL]"#);
    let missing_number = humanized(r#"Couldn't find Ticket with [WHERE "tickets"."number" = $1]"#);
    for version in ALL {
        let app = App::start(version);
        let created = |(status, body): &(u16, Value)| *status == 201 && body["id"].is_u64();
        // Duplicate of link 3 (147469 → 147470).
        let duplicate = app.add(add_body("normal", 147470, "34147469"));
        let reverse = app.add(add_body("normal", 147469, "34147470"));
        let self_link = app.add(add_body("normal", 147470, "34147470"));
        let unknown_source = app.add(add_body("normal", 147470, "999"));
        let mut no_number = add_body("normal", 147470, "x");
        no_number
            .as_object_mut()
            .unwrap()
            .remove("link_object_source_number");
        let no_number = app.add(no_number);
        let unknown_target = app.add(add_body("normal", 99, "34147471"));
        let mut no_target = add_body("normal", 1, "34147471");
        no_target
            .as_object_mut()
            .unwrap()
            .remove("link_object_target_value");
        let no_target = app.add(no_target);
        let unknown_type = app.add(add_body("related", 147471, "34147470"));
        let mut no_type = add_body("x", 147471, "34147469");
        no_type.as_object_mut().unwrap().remove("link_type");
        let no_type = app.add(no_type);
        assert!(created(&reverse), "{version:?}: {reverse:?}");
        assert!(created(&unknown_type), "{version:?}");
        assert_eq!(
            no_type,
            (422, humanized("Attribute 'link_type_id' required!")),
            "{version:?}"
        );
        match version.line_name() {
            "5.0" => {
                assert_eq!(duplicate, (422, humanized("Object already exists!")));
                assert!(created(&self_link));
                assert_eq!(unknown_source, (422, json!({"error": "No such object!"})));
                assert_eq!(no_number, (422, json!({"error": "No such object!"})));
                assert!(created(&unknown_target), "a dangling link");
                assert_eq!(
                    no_target,
                    (
                        422,
                        humanized("Attribute 'link_object_target_value' required!")
                    )
                );
            }
            line => {
                match line {
                    "6.5" | "7.0" => {
                        // The validator refused; the controller answers the unsaved row.
                        assert_eq!(
                            duplicate,
                            (
                                201,
                                json!({"id": null, "link_type_id": 1, "link_object_source_id": 1,
                                       "link_object_source_value": 147469, "link_object_target_id": 1,
                                       "link_object_target_value": 147470, "created_at": null,
                                       "updated_at": null})
                            )
                        );
                        assert!(created(&self_link), "{line}: a self link is stored");
                    }
                    _ => {
                        assert_eq!(duplicate, (422, json!({"error": "Link already exists"})));
                        assert_eq!(
                            self_link,
                            (
                                422,
                                json!({"error": "An object cannot be linked to itself."})
                            )
                        );
                    }
                }
                assert_eq!(unknown_source, (404, missing_number.clone()), "{line}");
                assert_eq!(no_number, (404, nil_id.clone()), "{line}");
                assert_eq!(unknown_target, (404, missing_id.clone()), "{line}");
                assert_eq!(no_target, (404, nil_id.clone()), "{line}");
            }
        }
    }
}

#[test]
fn a_refused_duplicate_uses_up_a_link_id_only_in_5_0_and_stores_nothing_anywhere() {
    for (version, next) in [(V50, 6), (V65, 5), (V70, 5), (V72, 5), (V73, 5)] {
        let app = App::start(version);
        let before = app.updated_at(147470);
        let duplicate = app.add(add_body("normal", 147470, "34147469"));
        assert_ne!(duplicate.0, 500, "{version:?}");
        // Both tickets were touched before the row was refused.
        assert_ne!(app.updated_at(147470), before, "{version:?}");
        assert_eq!(
            app.links_of(147470),
            [(json!("normal"), 147469)],
            "{version:?}: nothing stored"
        );
        let (status, row) = app.add(add_body("normal", 147471, "34147470"));
        assert_eq!(
            (status, row["id"].clone()),
            (201, json!(next)),
            "{version:?}"
        );
    }
}

#[test]
fn from_7_2_a_self_link_uses_up_no_id_and_a_self_duplicate_is_a_duplicate() {
    for version in [V72, V73] {
        let app = App::start(version);
        app.add(add_body("normal", 147470, "34147470"));
        let (status, row) = app.add(add_body("normal", 147471, "34147470"));
        assert_eq!((status, row["id"].clone()), (201, json!(5)), "{version:?}");
    }
    // A self link stored in 7.0 (as on a real 7.1.3, zammad/zammad#6319) lists twice.
    let app = App::start(V70);
    assert_eq!(app.add(add_body("normal", 147470, "34147470")).0, 201);
    let listed = app.links_of(147470);
    assert_eq!(listed.iter().filter(|(_, id)| *id == 147470).count(), 2);
}

#[test]
fn an_unknown_object_is_an_unrescued_error_its_text_shown_to_admins_only() {
    for version in [V65, V70, V72, V73] {
        let app = App::start(version);
        let mut body = add_body("normal", 147471, "34147470");
        body["link_object_target"] = json!("Foo");
        // The seed's agent holds `admin`: Zammad shows it the raw message.
        assert_eq!(
            app.add(body.clone()),
            (500, json!({"error": "[\"Foo\", 147471, nil]"})),
            "{version:?}"
        );
        // A source object name from the query string: the values are strings there.
        let mut query = add_body("normal", 147471, "1");
        query["link_object_source"] = json!("Foo");
        let (status, shown) = answer(app.call(
            Method::POST,
            "/api/v1/links/add?link_object_source_number=1",
            Some(AGENT),
            query,
        ));
        assert_eq!(
            (status, shown),
            (500, json!({"error": "[\"Foo\", nil, \"1\"]"}))
        );
        // A token without `admin`: the masked Error ID.
        app.token("agent-only", &["ticket.agent"]);
        let masked = answer(app.by_token(Method::POST, "/api/v1/links/add", "agent-only", body));
        assert_eq!(masked.0, 500);
        let text = masked.1["error"].as_str().unwrap();
        assert!(
            text.starts_with("Error ID ") && text.ends_with(": Please contact your administrator."),
            "{text}"
        );
        assert!(masked.1.get("error_human").is_none());
        // A bare remove (zammad-cli): no target object at all.
        let bare = app.remove(json!({"link_object_target_value": 147470}));
        assert_eq!(
            bare,
            (500, json!({"error": "[nil, 147470, nil]"})),
            "{version:?}"
        );
    }
    // 5.0 has no policy: the object is created and the row stored.
    let app = App::start(V50);
    let mut body = add_body("normal", 147471, "34147470");
    body["link_object_target"] = json!("Foo");
    assert_eq!(app.add(body).0, 201);
}

#[test]
fn remove_answers_201_with_the_reverse_rows_in_every_line() {
    for version in ALL {
        let app = App::start(version);
        let forward = app.remove(remove_body("normal", 147469, 147470));
        assert_eq!(forward, (201, json!([])), "{version:?}");
        let reverse = app.remove(remove_body("normal", 147471, 147469));
        assert_eq!(reverse.0, 201, "{version:?}");
        assert_eq!(reverse.1[0]["id"], json!(4), "{version:?}");
    }
}

#[test]
fn remove_of_a_missing_target_is_404_after_5_0() {
    for version in ALL {
        let app = App::start(version);
        let missing = app.remove(remove_body("normal", 147469, 99));
        let mut unsent = remove_body("normal", 147469, 1);
        unsent
            .as_object_mut()
            .unwrap()
            .remove("link_object_target_value");
        let unsent = app.remove(unsent);
        if version == V50 {
            assert_eq!(missing.0, 201);
            assert_eq!(unsent, (201, json!([])));
        } else {
            let text = r#"Couldn't find Ticket with [WHERE "tickets"."id" = $1]"#;
            assert_eq!(missing, (404, humanized(text)), "{version:?}");
            let text = r#"Couldn't find Ticket with [WHERE "tickets"."id" IS NULL]"#;
            assert_eq!(unsent, (404, humanized(text)), "{version:?}");
        }
    }
}

#[test]
fn in_7_3_the_list_needs_agent_read_access_to_the_queried_ticket() {
    for version in ALL {
        let app = App::start(version);
        let list = |body: Value| answer(app.call(Method::GET, "/api/v1/links", Some(AGENT), body));
        let missing = list(json!({"link_object": "Ticket", "link_object_value": 99999999}));
        let announcement = list(json!({"link_object": "Announcement", "link_object_value": 1}));
        let nothing = list(json!({}));
        app.token("admin-only", &["admin"]);
        let admin = answer(app.by_token(
            Method::GET,
            "/api/v1/links?link_object=Ticket&link_object_value=147469",
            "admin-only",
            json!({}),
        ));
        if version == V73 {
            for refused in [missing, announcement, nothing, admin] {
                assert_eq!(refused, (403, humanized("Not authorized")));
            }
        } else {
            let empty = (200, json!({"links": [], "assets": {}}));
            assert_eq!(missing, empty, "{version:?}");
            assert_eq!(announcement, empty, "{version:?}");
            assert_eq!(nothing, empty, "{version:?}");
            // An admin without `ticket.agent` passes; the linked tickets are filtered out.
            assert_eq!(admin.0, 200, "{version:?}");
        }
    }
}

#[test]
fn in_7_3_add_and_remove_no_longer_count_customer_access() {
    // An admin (the mock's gate) who is also a customer, and the customer of two tickets it
    // reaches only as their customer (no `ticket.agent`).
    for version in [V65, V70, V72, V73] {
        let app = App::start(version);
        app.merge(json!({
            "User": {"91": {"id": 91, "login": "admin-customer@example.com", "password": "x",
                            "active": true, "role_ids": [1, 3]}},
            "Ticket": {
                "500": {"id": 500, "number": "500", "group_id": 1, "customer_id": 91},
                "501": {"id": 501, "number": "501", "group_id": 1, "customer_id": 91}
            }
        }));
        let login = Some(("admin-customer@example.com", "x"));
        let add = app.call(
            Method::POST,
            "/api/v1/links/add",
            login,
            add_body("normal", 500, "501"),
        );
        let remove = app.call(
            Method::DELETE,
            "/api/v1/links/remove",
            login,
            remove_body("normal", 501, 500),
        );
        if version == V73 {
            assert_eq!(answer(add), (403, humanized("Not authorized")));
            assert_eq!(answer(remove), (403, humanized("Not authorized")));
        } else {
            assert_eq!(add.status(), 201, "{version:?}");
            assert_eq!(remove.status(), 201, "{version:?}");
        }
    }
}

#[test]
fn authentication_refusals_carry_each_lines_texts_and_x_failure() {
    for version in ALL {
        let bearer = if version == V50 {
            "Invalid token!"
        } else {
            "The provided token is invalid."
        };
        let app = App::start(version);
        app.merge(json!({
            "User": {"90": {"id": 90, "login": "gone@example.com", "password": "gone",
                            "active": false, "role_ids": [2]}},
            "Token": [{"token": "gone-token", "user_id": 90}]
        }));
        let none = app.call(Method::GET, "/api/v1/links", None, json!({}));
        assert_eq!(none.headers()["x-failure"], "Authentication required");
        assert_eq!(answer(none), (403, humanized("Authentication required")));
        for login in [("test@test.de", "nope"), ("gone@example.com", "gone")] {
            let wrong = app.call(Method::GET, "/api/v1/links", Some(login), json!({}));
            assert_eq!(
                wrong.headers()["x-failure"],
                "Invalid BasicAuth credentials"
            );
            assert_eq!(
                answer(wrong),
                (401, humanized("Invalid BasicAuth credentials")),
                "{version:?} {login:?}"
            );
        }
        let inactive = answer(app.by_token(Method::GET, "/api/v1/links", "gone-token", json!({})));
        let login_failed = "Login failed. Have you double-checked your credentials and completed \
                            the email verification step?";
        assert_eq!(inactive, (401, humanized(login_failed)), "{version:?}");
        let unknown = app
            .client
            .get(app.server.url("/api/v1/links"))
            .header("Authorization", "Bearer nope")
            .send()
            .unwrap();
        assert_eq!(unknown.headers()["x-failure"], bearer);
        assert_eq!(answer(unknown), (401, humanized(bearer)), "{version:?}");
    }
}

#[test]
fn a_customer_is_refused_every_link_call_in_every_line() {
    for version in ALL {
        let app = App::start(version);
        for (method, path, body) in [
            (
                Method::GET,
                "/api/v1/links",
                json!({"link_object": "Ticket", "link_object_value": 147469}),
            ),
            (
                Method::POST,
                "/api/v1/links/add",
                add_body("normal", 147470, "34147471"),
            ),
            (
                Method::DELETE,
                "/api/v1/links/remove",
                remove_body("normal", 147469, 147470),
            ),
        ] {
            let response = app.call(method, path, Some(CUSTOMER), body);
            assert_eq!(response.headers()["x-failure"], "Not authorized");
            assert_eq!(
                answer(response),
                (403, humanized("Not authorized")),
                "{version:?}"
            );
        }
    }
}

#[test]
fn reset_goes_back_to_the_running_lines_data_set() {
    for version in [V65, V70, V72, V73] {
        // Arrange
        let app = App::start(version);
        assert_eq!(app.remove(remove_body("normal", 147469, 147470)).0, 201);
        // Act
        let reset = app.call(Method::POST, "/__mock/reset", None, json!({}));
        // Assert
        assert!(reset.status().is_success(), "{version:?}");
        assert_eq!(
            app.get(147469).text().unwrap(),
            golden(version),
            "{version:?}"
        );
    }
}

#[test]
fn the_version_call_answers_admins_and_words_its_refusal_as_each_line() {
    for (version, text, user, token, token_of_admin) in [
        (
            V50,
            "5.0.3",
            "Not authorized (user)!",
            "Not authorized (user)!",
            "Not authorized (token)!",
        ),
        (
            V65,
            "6.5.0",
            "User authorization failed.",
            "Token authorization failed.",
            "Token authorization failed.",
        ),
        (
            V73,
            "7.3.0",
            "User authorization failed.",
            "Token authorization failed.",
            "Token authorization failed.",
        ),
    ] {
        let app = App::start(version);
        let admin = app.call(Method::GET, "/api/v1/version", Some(AGENT), json!({}));
        assert_eq!(answer(admin), (200, json!({"version": text})));
        let customer = app.call(Method::GET, "/api/v1/version", Some(CUSTOMER), json!({}));
        assert_eq!(customer.headers()["x-failure"], user);
        assert_eq!(answer(customer), (403, humanized(user)), "{version:?}");
        app.merge(json!({"Token": [{"token": "customer-token", "user_id": 2}]}));
        let by_token = app.by_token(Method::GET, "/api/v1/version", "customer-token", json!({}));
        assert_eq!(answer(by_token), (403, humanized(token)), "{version:?}");
        app.token("no-admin", &["ticket.agent"]);
        let narrowed = app.by_token(Method::GET, "/api/v1/version", "no-admin", json!({}));
        assert_eq!(
            answer(narrowed),
            (403, humanized(token_of_admin)),
            "{version:?}"
        );
        let nobody = app.call(Method::GET, "/api/v1/version", None, json!({}));
        assert_eq!(answer(nobody), (403, humanized("Authentication required")));
    }
}

#[test]
fn the_ticket_index_pages_independently_and_scopes_report_as_each_line() {
    for version in ALL {
        let app = App::start(version);
        let ids = |query: &str, auth: Option<&str>| -> Vec<i64> {
            let path = format!("/api/v1/tickets{query}");
            let response = match auth {
                Some(token) => app.by_token(Method::GET, &path, token, json!({})),
                None => app.call(Method::GET, &path, Some(AGENT), json!({})),
            };
            let list: Value = response.json().unwrap();
            list.as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_i64().unwrap())
                .collect()
        };
        assert_eq!(ids("", None), [147469, 147470, 147471], "{version:?}");
        assert_eq!(ids("?per_page=2", None), [147469, 147470], "{version:?}");
        assert_eq!(ids("?limit=1", None), [147469], "{version:?}");
        assert_eq!(ids("?page=2&per_page=2", None), [147471], "{version:?}");
        assert!(ids("?page=2", None).is_empty(), "{version:?}");
        // Neither `ticket.agent` nor `ticket.customer`, only `report`: 5.0 lists the caller's
        // own customer tickets whatever its permissions; 6.5 lets `report` see every ticket;
        // later lines see none.
        app.token("report-only", &["report"]);
        let seen = ids("", Some("report-only"));
        match version.line_name() {
            "5.0" | "6.5" => assert_eq!(seen, [147469, 147470, 147471], "{version:?}"),
            _ => assert!(seen.is_empty(), "{version:?}: {seen:?}"),
        }
    }
}

#[test]
fn the_ticket_index_answers_expand_and_full_too() {
    let app = App::start(V65);
    let expanded: Value = app
        .call(
            Method::GET,
            "/api/v1/tickets?expand=true&per_page=1",
            Some(AGENT),
            json!({}),
        )
        .json()
        .unwrap();
    assert_eq!(expanded[0]["group"], "Users");
    let full: Value = app
        .call(
            Method::GET,
            "/api/v1/tickets?full=true&per_page=2",
            Some(AGENT),
            json!({}),
        )
        .json()
        .unwrap();
    assert_eq!(full["record_ids"], json!([147469, 147470]));
    let tickets: Vec<&String> = full["assets"]["Ticket"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(tickets, ["147469", "147470"]);
}

#[test]
fn all_true_has_each_lines_keys() {
    for version in ALL {
        let app = App::start(version);
        let all: Value = app
            .call(
                Method::GET,
                "/api/v1/tickets/147469?all=true",
                Some(AGENT),
                json!({}),
            )
            .json()
            .unwrap();
        let keys: Vec<&String> = all.as_object().unwrap().keys().collect();
        let mut want = vec![
            "ticket_id",
            "ticket_article_ids",
            "assets",
            "links",
            "tags",
            "mentions",
            "form_meta",
        ];
        if version != V50 {
            want.insert(6, "time_accountings");
            assert_eq!(all["time_accountings"], json!([]));
        }
        assert_eq!(keys, want, "{version:?}");
        let meta: Vec<&String> = all["form_meta"].as_object().unwrap().keys().collect();
        assert_eq!(
            meta,
            [
                "filter",
                "dependencies",
                "configure_attributes",
                "core_workflow"
            ]
        );
    }
}

#[test]
fn booleans_read_as_each_line_reads_them() {
    for version in ALL {
        let app = App::start(version);
        let shape = |flag: &str| -> bool {
            let body: Value = app
                .call(
                    Method::GET,
                    &format!("/api/v1/tickets/147469?expand={flag}"),
                    Some(AGENT),
                    json!({}),
                )
                .json()
                .unwrap();
            body.get("group").is_some()
        };
        assert!(shape("true") && shape("1"), "{version:?}");
        assert!(!shape("false") && !shape("0") && !shape(""), "{version:?}");
        // `ActiveModel::Type::Boolean` from 6.5 on: anything but its false values.
        assert_eq!(shape("yes"), version != V50, "{version:?}");
        assert_eq!(shape("t"), version != V50, "{version:?}");
        assert!(!shape("off") && !shape("f"), "{version:?}");
    }
}

#[test]
fn a_release_number_answers_as_its_line_and_reports_itself() {
    for (given, reported, self_link_status) in [
        ("7.1.3", "7.1.3", 201),
        ("7.2", "7.2.0", 422),
        ("7.2.1", "7.2.1", 422),
        ("6.5.4", "6.5.4", 201),
    ] {
        let version = ZammadVersion::parse(given).unwrap();
        let app = App::start(version);
        let reported_by = answer(app.call(Method::GET, "/api/v1/version", Some(AGENT), json!({})));
        assert_eq!(reported_by, (200, json!({"version": reported})));
        assert_eq!(
            app.add(add_body("normal", 147470, "34147470")).0,
            self_link_status,
            "{given}"
        );
        // 7.2.1 is the 7.3 line: the links of a missing ticket are refused.
        let missing = app
            .call(
                Method::GET,
                "/api/v1/links?link_object=Ticket&link_object_value=99",
                Some(AGENT),
                json!({}),
            )
            .status();
        assert_eq!(missing == 403, given == "7.2.1", "{given}");
    }
}

#[test]
fn an_unknown_zammad_version_stops_start_up_with_exit_code_2() {
    for given in ["5.2", "7.4", "latest", "6.0"] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_zammad-links-mock"))
            .args(["--in-memory", "--zammad-version", given])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{given}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        for accepted in ["5.0", "6.5", "7.0", "7.1", "7.2", "7.3"] {
            assert!(stderr.contains(accepted), "{given}: {stderr}");
        }
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    }
    let from_env = std::process::Command::new(env!("CARGO_BIN_EXE_zammad-links-mock"))
        .args(["--in-memory"])
        .env("ZAMMAD_MOCK_ZAMMAD_VERSION", "7")
        .output()
        .unwrap();
    assert_eq!(from_env.status.code(), Some(2));
}

#[test]
fn the_binary_answers_as_the_release_the_environment_names() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_zammad-links-mock"))
        .args(["--in-memory", "--bind", &format!("127.0.0.1:{port}")])
        .env("ZAMMAD_MOCK_ZAMMAD_VERSION", "7.2.2")
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/api/v1/version");
    let client = Client::new();
    let mut answered = None;
    for _ in 0..200 {
        if let Ok(response) = client.get(&url).basic_auth(AGENT.0, Some(AGENT.1)).send() {
            answered = Some(answer(response));
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(answered, Some((200, json!({"version": "7.2.2"}))));
}

/// A Python with zammad-py and zammadoo: `ZAMMAD_LINKS_MOCK_TEST_PYTHON` when set (`.ci/run`
/// sets it), else a virtual environment this test makes once under the target folder with
/// `python3 -m venv` and pip (from PyPI). Fails, saying why, when neither works.
pub(crate) fn python_with_clients() -> std::ffi::OsString {
    if let Some(python) = std::env::var_os("ZAMMAD_LINKS_MOCK_TEST_PYTHON") {
        return python;
    }
    let venv = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("python-clients");
    let python = venv.join("bin/python");
    let has_clients = |python: &std::path::Path| {
        std::process::Command::new(python)
            .args(["-c", "import zammad_py, zammadoo"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !has_clients(&python) {
        let made = std::process::Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .is_ok_and(|s| s.success())
            && std::process::Command::new(venv.join("bin/pip"))
                .args(["install", "-q", "zammad-py", "zammadoo"])
                .status()
                .is_ok_and(|s| s.success());
        assert!(
            made && has_clients(&python),
            "this test needs python3 with venv (Debian: python3-venv) and PyPI, or \
             ZAMMAD_LINKS_MOCK_TEST_PYTHON pointing at a Python with zammad-py and zammadoo"
        );
    }
    python.into_os_string()
}

/// The Python clients zammad-py and zammadoo from PyPI list, add and remove links against
/// every line (`tests/clients/python_clients.py`).
#[test]
fn the_python_clients_work_unchanged_against_every_line() {
    let python = python_with_clients();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/clients/python_clients.py"
    );
    for version in ALL {
        let app = App::start(version);
        let output = std::process::Command::new(&python)
            .arg(script)
            .arg(app.server.uri())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{version:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn the_page_the_journal_and_export_work_on_every_line() {
    for version in ALL {
        let app = App::start(version);
        assert_eq!(app.get(147469).status(), 200);
        let graph: Value = app
            .call(Method::GET, "/__mock/graph?ticket=147469", None, json!({}))
            .json()
            .unwrap();
        assert_eq!(graph["links"].as_array().unwrap().len(), 2, "{version:?}");
        let journal: Value = app
            .call(Method::GET, "/__mock/requests", None, json!({}))
            .json()
            .unwrap();
        assert!(
            journal
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["path"] == "/api/v1/links" && e["status"] == 200),
            "{version:?}: {journal}"
        );
        let export = app.call(Method::GET, "/__mock/fixtures", None, json!({}));
        let export: Value = export.json().unwrap();
        let replaced = app.call(Method::PUT, "/__mock/fixtures", None, export);
        assert!(replaced.status().is_success(), "{version:?}");
        // An export holds no passwords, but the token: the seed's GET by token.
        let again = app.by_token(
            Method::GET,
            "/api/v1/links?link_object=Ticket&link_object_value=147469",
            "zammad-links-mock-token-user-3",
            json!({}),
        );
        assert_eq!(again.text().unwrap(), golden(version), "{version:?}");
    }
}

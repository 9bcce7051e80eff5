//! The profiles (issue 12): each Zammad version's answers over HTTP, on its own default data
//! set: the seed's GET, the add cases of the spec's §1.6 table, remove, authentication
//! refusals, a customer, reset, `GET /api/v1/version` and `--zammad-version`.

use reqwest::blocking::{Client, Response};
use reqwest::Method;
use serde_json::{json, Value};
use tempfile::TempDir;
use zammad_links_mock::{MockServer, ZammadVersion};

use crate::helpers::{add_body, remove_body, AGENT, SEED_GET_147469};

const V50: ZammadVersion = ZammadVersion::V5_0;
const V65: ZammadVersion = ZammadVersion::V6_5;
const V70: ZammadVersion = ZammadVersion::V7_0;
const ALL: [ZammadVersion; 3] = [V50, V65, V70];
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

    fn get(&self, id: i64) -> Response {
        let body = json!({"link_object": "Ticket", "link_object_value": id});
        self.call(Method::GET, "/api/v1/links", Some(AGENT), body)
    }

    fn add(&self, body: Value) -> (u16, Value) {
        answer(self.call(Method::POST, "/api/v1/links/add", Some(AGENT), body))
    }
}

fn answer(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().unwrap_or(Value::Null))
}

fn humanized(text: &str) -> Value {
    json!({"error": text, "error_human": text})
}

#[test]
fn the_seed_get_answers_each_profiles_golden_file() {
    for (version, golden) in [
        (V50, SEED_GET_147469),
        (V65, include_str!("../fixtures/seed-get-147469-6.5.json")),
        (V70, include_str!("../fixtures/seed-get-147469-7.0.json")),
    ] {
        let app = App::start(version);
        let response = app.get(147469);
        assert_eq!(response.status(), 200, "{version:?}");
        assert_eq!(response.text().unwrap(), golden, "{version:?}");
    }
}

#[test]
fn the_assets_follow_each_versions_walk() {
    // 6.5: tickets pull in their group first; users their roles. 7.0: neither.
    let models = |version| {
        let body: Value = App::start(version).get(147469).json().unwrap();
        let assets = body["assets"].as_object().unwrap().clone();
        assets
            .iter()
            .map(|(model, records)| {
                let ids: Vec<String> = records.as_object().unwrap().keys().cloned().collect();
                (model.clone(), ids)
            })
            .collect::<Vec<_>>()
    };
    let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        models(V65),
        vec![
            ("Ticket".into(), s(&["147470", "147471"])),
            ("Group".into(), s(&["1"])),
            ("User".into(), s(&["1", "3"])),
            ("Role".into(), s(&["1", "2"])),
        ]
    );
    assert_eq!(
        models(V70),
        vec![
            ("Ticket".into(), s(&["147470", "147471"])),
            ("User".into(), s(&["3", "1"])),
        ]
    );
}

#[test]
fn later_versions_render_their_user_attributes_and_permission_ids() {
    for (version, agent_permissions) in [
        (V65, json!([56, 58, 61, 64, 66])),
        (V70, json!([60, 62, 65, 68, 70])),
    ] {
        let body: Value = App::start(version).get(147469).json().unwrap();
        let user = &body["assets"]["User"]["3"];
        assert_eq!(user["two_factor_preference_ids"], json!([]), "{version:?}");
        assert!(
            user.get("accounts").is_none(),
            "{version:?}: an empty accounts is dropped"
        );
        if version == V65 {
            assert_eq!(
                body["assets"]["Role"]["2"]["permission_ids"],
                agent_permissions
            );
        }
    }
}

#[test]
fn the_add_cases_of_the_spec_table_answer_as_each_version() {
    let missing_id = humanized(r#"Couldn't find Ticket with [WHERE "tickets"."id" = $1]"#);
    let missing_number = humanized(r#"Couldn't find Ticket with [WHERE "tickets"."number" = $1]"#);
    for version in ALL {
        let app = App::start(version);
        let created = |(status, body): (u16, Value)| status == 201 && body["id"].is_u64();
        // Duplicate of link 3 (147469 → 147470).
        let duplicate = app.add(add_body("normal", 147470, "34147469"));
        // Reverse of link 3: allowed everywhere.
        let reverse = app.add(add_body("normal", 147469, "34147470"));
        let self_link = app.add(add_body("normal", 147470, "34147470"));
        let unknown_source = app.add(add_body("normal", 147470, "999"));
        let unknown_target = app.add(add_body("normal", 99, "34147471"));
        let unknown_type = app.add(add_body("related", 147471, "34147470"));
        let mut other_object = add_body("normal", 147471, "34147470");
        other_object["link_object_target"] = json!("Foo");
        let other_object = app.add(other_object);
        assert!(created(reverse), "{version:?}");
        assert!(created(unknown_type), "{version:?}");
        match version {
            ZammadVersion::V5_0 => {
                assert_eq!(duplicate, (422, humanized("Object already exists!")));
                assert!(created(self_link));
                assert_eq!(unknown_source, (422, json!({"error": "No such object!"})));
                assert!(created(unknown_target), "a dangling link");
                assert!(created(other_object), "the object is created");
            }
            ZammadVersion::V6_5 => {
                assert_eq!(duplicate, (422, humanized("This object already exists.")));
                assert!(created(self_link));
                assert_eq!(unknown_source, (404, missing_number.clone()));
                assert_eq!(unknown_target, (404, missing_id.clone()));
                assert_eq!(other_object.0, 500);
            }
            ZammadVersion::V7_0 => {
                assert_eq!(duplicate, (422, json!({"error": "Link already exists"})));
                assert_eq!(
                    self_link,
                    (
                        422,
                        json!({"error": "An object cannot be linked to itself."})
                    )
                );
                assert_eq!(unknown_source, (404, missing_number.clone()));
                assert_eq!(unknown_target, (404, missing_id.clone()));
                assert_eq!(other_object.0, 500);
            }
        }
    }
}

#[test]
fn in_7_0_a_refused_add_uses_up_no_link_id() {
    // Arrange: links 3 and 4 exist; a duplicate and a self link are refused by validators.
    let app = App::start(V70);
    app.add(add_body("normal", 147470, "34147469"));
    app.add(add_body("normal", 147470, "34147470"));
    // Act
    let (status, row) = app.add(add_body("normal", 147471, "34147470"));
    // Assert
    assert_eq!((status, row["id"].clone()), (201, json!(5)));
}

#[test]
fn remove_answers_201_with_the_reverse_rows_in_every_profile() {
    for version in ALL {
        let app = App::start(version);
        let forward = app.call(
            Method::DELETE,
            "/api/v1/links/remove",
            Some(AGENT),
            remove_body("normal", 147469, 147470),
        );
        assert_eq!(answer(forward), (201, json!([])), "{version:?}");
        let reverse = answer(app.call(
            Method::DELETE,
            "/api/v1/links/remove",
            Some(AGENT),
            remove_body("normal", 147471, 147469),
        ));
        assert_eq!(reverse.0, 201, "{version:?}");
        assert_eq!(reverse.1[0]["id"], json!(4), "{version:?}");
    }
}

#[test]
fn remove_of_a_missing_target_is_404_after_5_0() {
    for (version, status) in [(V50, 201), (V65, 404), (V70, 404)] {
        let app = App::start(version);
        let removed = app.call(
            Method::DELETE,
            "/api/v1/links/remove",
            Some(AGENT),
            remove_body("normal", 147469, 99),
        );
        assert_eq!(removed.status().as_u16(), status, "{version:?}");
    }
}

#[test]
fn authentication_refusals_carry_each_versions_texts_and_x_failure() {
    for (version, bearer) in [
        (V50, "Invalid token!"),
        (V65, "The provided token is invalid."),
        (V70, "The provided token is invalid."),
    ] {
        let app = App::start(version);
        let none = app.call(Method::GET, "/api/v1/links", None, json!({}));
        assert_eq!(none.headers()["x-failure"], "Authentication required");
        assert_eq!(answer(none), (403, humanized("Authentication required")));
        let wrong = app.call(
            Method::GET,
            "/api/v1/links",
            Some(("test@test.de", "nope")),
            json!({}),
        );
        assert_eq!(
            wrong.headers()["x-failure"],
            "Invalid BasicAuth credentials"
        );
        assert_eq!(
            answer(wrong),
            (401, humanized("Invalid BasicAuth credentials"))
        );
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
fn a_customer_is_refused_every_link_call_in_every_profile() {
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
fn reset_goes_back_to_the_running_profiles_data_set() {
    for (version, golden) in [
        (V65, include_str!("../fixtures/seed-get-147469-6.5.json")),
        (V70, include_str!("../fixtures/seed-get-147469-7.0.json")),
    ] {
        // Arrange
        let app = App::start(version);
        let removed = app.call(
            Method::DELETE,
            "/api/v1/links/remove",
            Some(AGENT),
            remove_body("normal", 147469, 147470),
        );
        assert_eq!(removed.status(), 201);
        // Act
        let reset = app.call(Method::POST, "/__mock/reset", None, json!({}));
        // Assert
        assert!(reset.status().is_success(), "{version:?}");
        assert_eq!(app.get(147469).text().unwrap(), golden, "{version:?}");
    }
}

#[test]
fn the_version_call_names_the_profile_for_admins_only() {
    for (version, text) in [(V50, "5.0.3"), (V65, "6.5.0"), (V70, "7.0.1")] {
        let app = App::start(version);
        let admin = app.call(Method::GET, "/api/v1/version", Some(AGENT), json!({}));
        assert_eq!(answer(admin), (200, json!({"version": text})));
        let customer = app.call(Method::GET, "/api/v1/version", Some(CUSTOMER), json!({}));
        assert_eq!(customer.headers()["x-failure"], "Not authorized");
        assert_eq!(answer(customer), (403, humanized("Not authorized")));
        let nobody = app.call(Method::GET, "/api/v1/version", None, json!({}));
        assert_eq!(answer(nobody), (403, humanized("Authentication required")));
    }
}

#[test]
fn an_unknown_zammad_version_stops_start_up_with_exit_code_2() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_zammad-links-mock"))
        .args(["--in-memory", "--zammad-version", "6.0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("5.0") && stderr.contains("6.5") && stderr.contains("7.0"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    let from_env = std::process::Command::new(env!("CARGO_BIN_EXE_zammad-links-mock"))
        .args(["--in-memory"])
        .env("ZAMMAD_MOCK_ZAMMAD_VERSION", "7")
        .output()
        .unwrap();
    assert_eq!(from_env.status.code(), Some(2));
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
/// every profile (`tests/clients/python_clients.py`).
#[test]
fn the_python_clients_work_unchanged_against_every_profile() {
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

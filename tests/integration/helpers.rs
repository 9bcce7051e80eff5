//! Shared test plumbing: a [`TestApp`] per test (its own server, port and sled folder), a
//! small [`Fixture`] builder for hand-made data sets, and one typed call per endpoint.

use reqwest::blocking::{Client, RequestBuilder, Response};
use serde_json::{json, Map, Value};
use tempfile::TempDir;
use zammad_links_mock::{FixtureDocument, MockServer};

/// The seed's GET response, compact, keys in the seed's order.
pub const SEED_GET_147469: &str = include_str!("../fixtures/seed-get-147469.json");

/// The default data set's agent and admin.
pub const AGENT: (&str, &str) = ("test@test.de", "test");

/// A running mock on its own database folder, and an HTTP client.
pub struct TestApp {
    pub server: MockServer,
    pub client: Client,
    /// Kept so the folder lives as long as the server.
    pub db_dir: TempDir,
}

impl TestApp {
    /// The default data set on a fresh database.
    pub fn start() -> Self {
        Self::start_with(None, TempDir::new().expect("a temporary folder"))
    }

    /// `fixture` instead of the default data set, on a fresh database.
    pub fn with_fixture(fixture: Value) -> Self {
        Self::start_with(Some(fixture), TempDir::new().expect("a temporary folder"))
    }

    /// A server over `db_dir` (which may already hold a database).
    pub fn start_with(fixture: Option<Value>, db_dir: TempDir) -> Self {
        let _ = env_logger::builder().is_test(true).try_init();
        let mut builder = MockServer::builder().db_dir(db_dir.path());
        if let Some(fixture) = fixture {
            builder =
                builder.fixtures(FixtureDocument::from_value(fixture).expect("a valid fixture"));
        }
        Self {
            server: builder.start(),
            client: Client::new(),
            db_dir,
        }
    }

    /// Stops the server and hands back its database folder.
    pub fn stop(self) -> TempDir {
        drop(self.server);
        self.db_dir
    }

    pub fn request(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.server.url(path))
    }

    /// `GET /api/v1/links` for (`object`, `value`) as the default agent.
    pub fn get_links(&self, object: &str, value: i64) -> Response {
        self.get_links_as(AGENT, object, value)
    }

    pub fn get_links_as(
        &self,
        (login, password): (&str, &str),
        object: &str,
        value: i64,
    ) -> Response {
        self.request(reqwest::Method::GET, "/api/v1/links")
            .basic_auth(login, Some(password))
            .query(&[
                ("link_object", object),
                ("link_object_value", &value.to_string()),
            ])
            .send()
            .expect("the server answers")
    }

    /// The `links` array of `GET /api/v1/links` as (type, object, value) triples.
    pub fn links_of(&self, value: i64) -> Vec<(Value, String, i64)> {
        let body: Value = self.get_links("Ticket", value).json().unwrap();
        body["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["link_type"].clone(),
                    l["link_object"].as_str().unwrap().to_owned(),
                    l["link_object_value"].as_i64().unwrap(),
                )
            })
            .collect()
    }

    /// `POST /api/v1/links/add` with a JSON body as the default agent.
    pub fn add_link(&self, body: Value) -> Response {
        self.request(reqwest::Method::POST, "/api/v1/links/add")
            .basic_auth(AGENT.0, Some(AGENT.1))
            .json(&body)
            .send()
            .expect("the server answers")
    }

    /// `DELETE /api/v1/links/remove` with a JSON body as the default agent.
    pub fn remove_link(&self, body: Value) -> Response {
        self.request(reqwest::Method::DELETE, "/api/v1/links/remove")
            .basic_auth(AGENT.0, Some(AGENT.1))
            .json(&body)
            .send()
            .expect("the server answers")
    }
}

/// The body of an add: `source_number` as `link_type` of ticket `target_id`.
pub fn add_body(link_type: &str, target_id: i64, source_number: &str) -> Value {
    json!({
        "link_type": link_type,
        "link_object_target": "Ticket",
        "link_object_target_value": target_id,
        "link_object_source": "Ticket",
        "link_object_source_number": source_number,
    })
}

/// The body of a remove.
pub fn remove_body(link_type: &str, source_id: i64, target_id: i64) -> Value {
    json!({
        "link_type": link_type,
        "link_object_source": "Ticket",
        "link_object_source_value": source_id,
        "link_object_target": "Ticket",
        "link_object_target_value": target_id,
    })
}

/// Builds small fixture documents in code.
#[derive(Default)]
pub struct Fixture {
    sections: Map<String, Value>,
    links: Vec<Value>,
    tokens: Vec<Value>,
}

impl Fixture {
    /// Zammad's permissions of 5.x, roles Admin/Agent/Customer and an agent and admin user 3
    /// (`test@test.de`/`test`, full access to group 1).
    pub fn new() -> Self {
        let default: Value = serde_json::from_str(zammad_links_mock::DEFAULT_DATA).unwrap();
        let mut fixture = Self::default();
        for section in ["Permission", "Role"] {
            fixture
                .sections
                .insert(section.into(), default[section].clone());
        }
        fixture
            .group(1, "Users")
            .user(3, "test@test.de", &[1, 2], json!({"1": ["full"]}))
    }

    fn put(mut self, section: &str, id: i64, record: Value) -> Self {
        self.sections
            .entry(section.to_owned())
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .unwrap()
            .insert(id.to_string(), record);
        self
    }

    /// A ticket in group 1, customer user 3.
    pub fn ticket(self, id: i64, number: &str) -> Self {
        self.ticket_in(id, number, 1, 3)
    }

    pub fn ticket_in(self, id: i64, number: &str, group_id: i64, customer_id: i64) -> Self {
        self.put(
            "Ticket",
            id,
            json!({"id": id, "group_id": group_id, "number": number, "title": format!("Ticket {id}"),
                   "owner_id": 1, "customer_id": customer_id, "organization_id": null,
                   "updated_by_id": 3, "created_by_id": 3,
                   "created_at": "2021-11-03T10:16:45.092Z", "updated_at": "2021-11-03T10:17:01.428Z"}),
        )
    }

    /// A user with password `test`.
    pub fn user(self, id: i64, login: &str, role_ids: &[i64], group_ids: Value) -> Self {
        self.put(
            "User",
            id,
            json!({"id": id, "login": login, "password": "test", "firstname": "F", "lastname": "L",
                   "email": login, "phone": "123", "active": true, "role_ids": role_ids,
                   "group_ids": group_ids, "organization_id": null, "created_by_id": 1, "updated_by_id": 1}),
        )
    }

    pub fn group(self, id: i64, name: &str) -> Self {
        self.put(
            "Group",
            id,
            json!({"id": id, "name": name, "active": true, "created_by_id": 1, "updated_by_id": 1}),
        )
    }

    pub fn record(self, section: &str, id: i64, record: Value) -> Self {
        self.put(section, id, record)
    }

    pub fn link(mut self, link_type: &str, source: i64, target: i64) -> Self {
        self.links.push(json!({
            "link_type": link_type,
            "link_object_source": "Ticket", "link_object_source_value": source,
            "link_object_target": "Ticket", "link_object_target_value": target,
        }));
        self
    }

    pub fn token(mut self, token: Value) -> Self {
        self.tokens.push(token);
        self
    }

    pub fn build(self) -> Value {
        let mut doc = self.sections;
        doc.insert("Link".into(), Value::Array(self.links));
        doc.insert("Token".into(), Value::Array(self.tokens));
        Value::Object(doc)
    }
}

/// The built binary, started on a free loopback port with `args`, once it answers.
pub struct RunningBinary {
    pub child: std::process::Child,
    pub base: String,
}

impl RunningBinary {
    pub fn start(args: &[&std::ffi::OsStr]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_zammad-links-mock"))
            .arg("--bind")
            .arg(format!("127.0.0.1:{port}"))
            .args(args)
            .env("RUST_LOG", "warn")
            .spawn()
            .expect("the binary starts");
        // Owned by `Self` at once, so a failed start still kills the process on drop.
        let running = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let client = Client::new();
        for _ in 0..400 {
            if client
                .get(format!("{}/__mock/health", running.base))
                .send()
                .is_ok()
            {
                return running;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        panic!("the binary did not answer on {}", running.base);
    }

    /// Sends `signal` (`-TERM`, `-KILL`, …) and waits for the exit status.
    pub fn signal(mut self, signal: &str) -> std::process::ExitStatus {
        std::process::Command::new("kill")
            .arg(signal)
            .arg(self.child.id().to_string())
            .status()
            .expect("kill runs");
        self.child.wait().unwrap()
    }
}

impl Drop for RunningBinary {
    /// A failed test must not leave the process behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

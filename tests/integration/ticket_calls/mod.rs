//! The calls that make, change, merge and delete the tickets an integration links (issues 22
//! and 23, `zammad-ticket-workflow.md` §2–§6), over HTTP against every release line the mock offers.
//! Each module takes one section of the spec; a test names the rule it shows. Where the
//! spec's columns differ, a test asks [`Column`] which one the line answers as (a line
//! without a column of its own answers as the newest column before it).

use reqwest::blocking::{Client, Response};
use reqwest::Method;
use serde_json::{json, Value};
use tempfile::TempDir;
use zammad_links_mock::{FixtureDocument, MockServer, ZammadVersion};

use crate::helpers::AGENT;

/// `POST /api/v1/tickets`: §2.1–§2.5, §2.7–§2.10.
mod create;

/// `links` on create: §2.6 and §11.5.
mod links;

/// The article of a create or an update, and `by_ticket`: §3.
mod articles;

/// `PUT /api/v1/tickets/:id`: §4.
mod update;

/// `GET|POST /api/v1/tickets/search`: §7 and §11.6.
mod search;

/// Real clients (zammad-py, zammadoo, the official PHP client) through a whole round.
mod clients;

/// `DELETE /api/v1/tickets/:id`: §5, and what a restart, a reset, an export and the page's
/// graph show of created and deleted tickets (§11.1, §11.7).
mod delete;

/// `PUT /api/v1/ticket_merge/:source_ticket_id/:target_ticket_number`: §6.
mod merge;

/// The default data set's customer (role Customer, organization 1, shared).
pub const CUSTOMER: (&str, &str) = ("nicole.braun@zammad.org", "test");
/// An agent with `full` on group 1 and without `admin` (see [`App::with_extra_users`]).
pub const PLAIN_AGENT: (&str, &str) = ("plain.agent@example.com", "test");
/// An agent with only `read` and `change` on group 1.
pub const CHANGE_AGENT: (&str, &str) = ("change.agent@example.com", "test");
/// A user with the Admin role only (no `ticket.agent`, no `ticket.customer`).
pub const ADMIN_ONLY: (&str, &str) = ("admin.only@example.com", "test");
/// Another customer, without organization.
pub const OTHER_CUSTOMER: (&str, &str) = ("other.customer@example.com", "test");
/// The token of [`ADMIN_ONLY`].
pub const ADMIN_ONLY_TOKEN: &str = "admin-only-token";

/// The spec's columns (§0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    V50,
    V65,
    V701,
}

impl Column {
    pub fn of(version: ZammadVersion) -> Self {
        match version.line_name() {
            "5.0" => Column::V50,
            "6.5" => Column::V65,
            _ => Column::V701,
        }
    }
}

/// A mock of one release on its own database folder.
pub struct App {
    pub server: MockServer,
    pub client: Client,
    pub version: ZammadVersion,
    pub dir: TempDir,
}

impl App {
    pub fn start(version: ZammadVersion) -> Self {
        Self::start_in(version, TempDir::new().unwrap())
    }

    pub fn start_in(version: ZammadVersion, dir: TempDir) -> Self {
        let _ = env_logger::builder().is_test(true).try_init();
        let start = || {
            MockServer::builder()
                .zammad_version(version)
                .db_dir(dir.path())
                .try_start()
        };
        // A stopped server's last handle on the state can outlive its thread for a moment
        // on a busy machine (the folder is then "already open in this process").
        let mut server = start();
        for _ in 0..50 {
            match &server {
                Err(e) if zammad_links_mock::error_chain(e).contains("already open") => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    server = start();
                }
                _ => break,
            }
        }
        let server = server.unwrap_or_else(|e| panic!("{}", zammad_links_mock::error_chain(&e)));
        Self {
            server,
            client: Client::new(),
            version,
            dir,
        }
    }

    pub fn column(&self) -> Column {
        Column::of(self.version)
    }

    /// Adds groups 2 (`Closed`: no follow-ups), 3 (`Mail`: an e-mail address), 4
    /// (inactive), and users 100–104 with password `test`: [`PLAIN_AGENT`] (101),
    /// [`CHANGE_AGENT`] (102), [`ADMIN_ONLY`] (100, with [`ADMIN_ONLY_TOKEN`]) and
    /// [`OTHER_CUSTOMER`] (103).
    pub fn with_extra_users(self) -> Self {
        let user = |id: i64, login: &str, roles: &[i64], groups: Value| {
            json!({"id": id, "login": login, "email": login, "password": "test",
                   "firstname": "First", "lastname": format!("User{id}"), "active": true,
                   "role_ids": roles, "group_ids": groups, "organization_id": null,
                   "created_by_id": 1, "updated_by_id": 1})
        };
        let group = |id: i64, name: &str, follow_up: &str, address: Value, active: bool| {
            json!({"id": id, "name": name, "follow_up_possible": follow_up,
                   "email_address_id": address, "active": active,
                   "created_by_id": 1, "updated_by_id": 1})
        };
        let all = json!({"1": ["full"], "2": ["full"], "3": ["full"], "4": ["full"]});
        let doc = json!({
            "Group": {
                "2": group(2, "Closed", "new_ticket", Value::Null, true),
                "3": group(3, "Mail", "yes", json!(1), true),
                "4": group(4, "Gone", "yes", Value::Null, false),
            },
            "User": {
                "100": user(100, ADMIN_ONLY.0, &[1], json!({})),
                "101": user(101, PLAIN_AGENT.0, &[2], all),
                "102": user(102, CHANGE_AGENT.0, &[2], json!({"1": ["read", "change"]})),
                "103": user(103, OTHER_CUSTOMER.0, &[3], json!({})),
            },
            "Token": [{"token": ADMIN_ONLY_TOKEN, "user_id": 100}],
        });
        self.server
            .merge_fixtures(&FixtureDocument::from_value(doc).unwrap())
            .unwrap();
        self
    }

    pub fn call(
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
        if !body.is_null() {
            request = request.json(&body);
        }
        request.send().unwrap()
    }

    /// `POST /api/v1/tickets` as `who`.
    pub fn create_as(&self, who: (&str, &str), body: Value) -> (u16, Value) {
        answer(self.call(Method::POST, "/api/v1/tickets", Some(who), body))
    }

    /// `POST /api/v1/tickets` as the default agent.
    pub fn create(&self, body: Value) -> (u16, Value) {
        self.create_as(AGENT, body)
    }

    /// A ticket in group 1 for customer 3 with a note, created by the default agent: its id.
    pub fn create_simple(&self, title: &str) -> i64 {
        let (status, body) = self.create(minimal(title));
        assert_eq!(status, 201, "{body}");
        body["id"].as_i64().unwrap()
    }

    /// `PUT /api/v1/tickets/:id` as `who`.
    pub fn update_as(&self, who: (&str, &str), id: i64, body: Value) -> (u16, Value) {
        answer(self.call(
            Method::PUT,
            &format!("/api/v1/tickets/{id}"),
            Some(who),
            body,
        ))
    }

    /// `DELETE /api/v1/tickets/:id` as `who`: status and body text.
    pub fn delete_as(&self, who: (&str, &str), id: i64) -> (u16, String) {
        let response = self.call(
            Method::DELETE,
            &format!("/api/v1/tickets/{id}"),
            Some(who),
            Value::Null,
        );
        (response.status().as_u16(), response.text().unwrap())
    }

    /// `GET path` as the default agent.
    pub fn get(&self, path: &str) -> (u16, Value) {
        answer(self.call(Method::GET, path, Some(AGENT), Value::Null))
    }

    /// `GET path` as `who`.
    pub fn get_as(&self, who: (&str, &str), path: &str) -> (u16, Value) {
        answer(self.call(Method::GET, path, Some(who), Value::Null))
    }

    /// The ticket's record as `GET /api/v1/tickets/:id` answers it (status, body).
    pub fn ticket(&self, id: i64) -> (u16, Value) {
        self.get(&format!("/api/v1/tickets/{id}"))
    }

    /// The `links` of ticket `id` as (type, value) pairs.
    pub fn links_of(&self, id: i64) -> Vec<(Value, i64)> {
        let (status, body) = self.get(&format!(
            "/api/v1/links?link_object=Ticket&link_object_value={id}"
        ));
        assert_eq!(status, 200, "{body}");
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

    /// The ids of the records of `section` the export holds.
    pub fn exported_ids(&self, section: &str) -> Vec<i64> {
        let (status, body) = self.get("/__mock/fixtures");
        assert_eq!(status, 200);
        let mut ids: Vec<i64> = body[section]
            .as_object()
            .map(|records| records.keys().map(|k| k.parse().unwrap()).collect())
            .unwrap_or_default();
        ids.sort_unstable();
        ids
    }
}

/// A create body: group `Users`, customer 3, a note article.
pub fn minimal(title: &str) -> Value {
    json!({"title": title, "group": "Users", "customer_id": 3, "article": {"body": "first"}})
}

pub fn answer(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().unwrap_or(Value::Null))
}

pub fn humanized(text: &str) -> Value {
    json!({"error": text, "error_human": text})
}

/// Whether `body` is Zammad's masked error (`{"error": "Error ID …: Please contact your
/// administrator."}`, no `error_human`).
pub fn is_masked(body: &Value) -> bool {
    let text = body["error"].as_str().unwrap_or("");
    text.starts_with("Error ID ")
        && text.ends_with(": Please contact your administrator.")
        && body.get("error_human").is_none()
}

/// Every release line the mock offers.
pub fn every_line() -> impl Iterator<Item = ZammadVersion> {
    ZammadVersion::all()
}

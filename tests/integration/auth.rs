//! Authentication, permissions, the per-user list and Zammad's response headers.

use reqwest::blocking::Response;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{Fixture, TestApp};

/// Users: 3 admin+agent (group 1 full), 4 agent (group 1 read), 5 agent (group 2 only),
/// 6 admin without `ticket.agent`, 7 customer, 8 inactive agent, 9 admin and customer.
/// Ticket 1 (group 1) links to 2 (group 1, customer 7), 3 (group 2, customer 9) and 999 (no
/// such ticket).
fn app() -> TestApp {
    TestApp::with_fixture(
        Fixture::new()
            .group(2, "Second")
            .user(4, "reader", &[2], json!({"1": ["read"]}))
            .user(5, "second", &[2], json!({"2": ["full"]}))
            .user(6, "admin-only", &[1], json!({}))
            .user(7, "customer", &[3], json!({}))
            .user(9, "admin-customer", &[1, 3], json!({}))
            .record(
                "User",
                8,
                json!({"id": 8, "login": "gone", "password": "test", "active": false, "role_ids": [2],
                       "group_ids": {"1": ["full"]}}),
            )
            .ticket(1, "1001")
            .ticket_in(2, "1002", 1, 7)
            .ticket_in(3, "1003", 2, 9)
            .link("normal", 1, 2)
            .link("normal", 1, 3)
            .link("normal", 1, 999)
            .token(json!({"token": "tok-reader", "user_id": 4}))
            .token(json!({"token": "tok-gone", "user_id": 8}))
            .token(json!({"token": "tok-prefs-only", "user_id": 3, "permissions": ["user_preferences"]}))
            .token(json!({"token": "tok-agent-only", "user_id": 3, "permissions": ["ticket.agent"]}))
            .build(),
    )
}

fn list(app: &TestApp, auth: Option<&str>, extra: &[(&str, &str)]) -> Response {
    let mut request = app.request(
        Method::GET,
        "/api/v1/links?link_object=Ticket&link_object_value=1",
    );
    if let Some(auth) = auth {
        request = request.header("Authorization", auth);
    }
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    request.send().unwrap()
}

fn basic(login: &str, password: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{login}:{password}"))
    )
}

fn linked_ids(response: Response) -> Vec<i64> {
    assert_eq!(response.status(), 200);
    let body: Value = response.json().unwrap();
    body["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["link_object_value"].as_i64().unwrap())
        .collect()
}

fn assert_error(response: Response, status: u16, text: &str) {
    assert_eq!(response.status(), status);
    assert_eq!(
        response
            .headers()
            .get("X-Failure")
            .and_then(|v| v.to_str().ok()),
        Some(text)
    );
    assert!(response
        .headers()
        .get("Access-Control-Allow-Origin")
        .is_none());
    let body: Value = response.json().unwrap();
    assert_eq!(body, json!({"error": text, "error_human": text}));
}

#[test]
fn no_credentials_is_403_authentication_required() {
    assert_error(list(&app(), None, &[]), 403, "Authentication required");
}

#[test]
fn a_wrong_password_is_401_invalid_basic_auth_credentials() {
    let app = app();
    assert_error(
        list(&app, Some(&basic("test@test.de", "nope")), &[]),
        401,
        "Invalid BasicAuth credentials",
    );
    assert_error(
        list(&app, Some(&basic("nobody", "test")), &[]),
        401,
        "Invalid BasicAuth credentials",
    );
}

#[test]
fn an_inactive_user_is_401_invalid_credentials_by_basic_and_login_failed_by_token() {
    // See: #21 — `Auth::User#can_login?` is asked before the password (`lib/auth.rb`).
    let app = app();
    assert_error(
        list(&app, Some(&basic("gone", "test")), &[]),
        401,
        "Invalid BasicAuth credentials",
    );
    assert_error(
        list(&app, Some("Token token=tok-gone"), &[]),
        401,
        "Login failed. Have you double-checked your credentials and completed the email verification step?",
    );
}

#[test]
fn logins_and_emails_are_case_insensitive() {
    assert_eq!(
        linked_ids(list(&app(), Some(&basic("TEST@Test.DE", "test")), &[])),
        [2, 999]
    );
}

#[test]
fn tokens_authenticate_in_all_three_spellings() {
    let app = app();
    for header in [
        "Token token=tok-reader",
        "Token token=\"tok-reader\"",
        "Token tok-reader",
        "Bearer tok-reader",
    ] {
        assert_eq!(
            linked_ids(list(&app, Some(header), &[])),
            [2, 999],
            "{header}"
        );
    }
}

#[test]
fn unknown_tokens_are_401_with_zammads_texts() {
    let app = app();
    assert_error(
        list(&app, Some("Token token=nope"), &[]),
        401,
        "Can't find User for Token",
    );
    assert_error(list(&app, Some("Bearer nope"), &[]), 401, "Invalid token!");
}

#[test]
fn a_token_permission_list_restricts_its_user() {
    let app = app();
    assert_error(
        list(&app, Some("Token token=tok-prefs-only"), &[]),
        403,
        "Not authorized",
    );
    assert_eq!(
        linked_ids(list(&app, Some("Token token=tok-agent-only"), &[])),
        [2, 999]
    );
}

#[test]
fn a_customer_is_403_not_authorized_on_every_link_call() {
    let app = app();
    let auth = basic("customer", "test");
    assert_error(list(&app, Some(&auth), &[]), 403, "Not authorized");
    for (method, path) in [
        (Method::POST, "/api/v1/links/add"),
        (Method::DELETE, "/api/v1/links/remove"),
    ] {
        let response = app
            .request(method, path)
            .header("Authorization", &auth)
            .json(&json!({"link_type": "normal", "link_object_source": "Ticket", "link_object_source_number": "1002",
                          "link_object_source_value": 2, "link_object_target": "Ticket", "link_object_target_value": 1}))
            .send()
            .unwrap();
        assert_error(response, 403, "Not authorized");
    }
    assert_eq!(
        linked_ids(list(&app, Some(&basic("test@test.de", "test")), &[])),
        [2, 999]
    );
}

#[test]
fn the_list_keeps_only_tickets_the_agent_may_read_and_missing_records() {
    let app = app();
    // Full access to group 1.
    assert_eq!(
        linked_ids(list(&app, Some(&basic("test@test.de", "test")), &[])),
        [2, 999]
    );
    // Read access to group 1 is enough.
    assert_eq!(
        linked_ids(list(&app, Some(&basic("reader", "test")), &[])),
        [2, 999]
    );
    // Only group 2.
    assert_eq!(
        linked_ids(list(&app, Some(&basic("second", "test")), &[])),
        [3, 999]
    );
    // `admin` opens the endpoint but grants no ticket access.
    assert_eq!(
        linked_ids(list(&app, Some(&basic("admin-only", "test")), &[])),
        [999]
    );
}

#[test]
fn the_assets_hold_only_what_the_filter_kept() {
    let body: Value = list(&app(), Some(&basic("second", "test")), &[])
        .json()
        .unwrap();
    let tickets: Vec<&String> = body["assets"]["Ticket"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(tickets, ["3"]);
}

#[test]
fn impersonation_acts_as_the_named_user_by_id_login_or_email() {
    let app = app();
    let admin = basic("test@test.de", "test");
    assert_eq!(
        linked_ids(list(&app, Some(&admin), &[("From", "5")])),
        [3, 999]
    );
    assert_eq!(
        linked_ids(list(&app, Some(&admin), &[("From", "SECOND")])),
        [3, 999]
    );
    assert_eq!(
        linked_ids(list(&app, Some(&admin), &[("X-On-Behalf-Of", "second")])),
        [3, 999]
    );
}

#[test]
fn impersonation_needs_admin_user_and_an_existing_user() {
    let app = app();
    assert_error(
        list(&app, Some(&basic("reader", "test")), &[("From", "5")]),
        403,
        "Current user has no permission to use 'From'/'X-On-Behalf-Of'!",
    );
    assert_error(
        list(
            &app,
            Some(&basic("reader", "test")),
            &[("X-On-Behalf-Of", "5")],
        ),
        403,
        "Current user has no permission to use 'From'/'X-On-Behalf-Of'!",
    );
    assert_error(
        list(
            &app,
            Some(&basic("test@test.de", "test")),
            &[("From", "nobody")],
        ),
        403,
        "No such user 'nobody'",
    );
}

#[test]
fn successful_calls_carry_zammads_headers() {
    let response = list(&app(), Some(&basic("test@test.de", "test")), &[]);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(header("Content-Type"), "application/json; charset=utf-8");
    assert_eq!(
        header("Cache-Control"),
        "no-cache, no-store, max-age=0, must-revalidate"
    );
    assert_eq!(header("Pragma"), "no-cache");
    assert_eq!(header("Expires"), "-1");
    assert_eq!(header("Access-Control-Allow-Origin"), "*");
    assert_eq!(
        header("Access-Control-Allow-Methods"),
        "POST, GET, PUT, DELETE, PATCH, OPTIONS"
    );
}

#[test]
fn an_options_preflight_is_answered_on_any_path() {
    let app = app();
    for path in ["/api/v1/links/add", "/anything/else"] {
        let response = app.request(Method::OPTIONS, path).send().unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["Access-Control-Allow-Origin"], "*");
        assert_eq!(response.headers()["Access-Control-Max-Age"], "1728000");
        assert_eq!(response.text().unwrap(), "");
    }
}

#[test]
fn a_changed_password_or_a_removed_token_takes_effect_on_the_next_request() {
    // Arrange: both credentials have been accepted once (and may be remembered).
    let app = app();
    let old = basic("reader", "test");
    assert_eq!(list(&app, Some(&old), &[]).status(), 200);
    assert_eq!(
        list(&app, Some("Token token=tok-reader"), &[]).status(),
        200
    );
    // Act: a merge gives the reader a new password.
    let merge = json!({"User": {"4": {"id": 4, "login": "reader", "password": "new", "role_ids": [2],
                                       "group_ids": {"1": ["read"]}}}});
    let response = app
        .request(Method::POST, "/__mock/fixtures")
        .json(&merge)
        .send()
        .unwrap();
    assert_eq!(response.status(), 204);
    // Assert
    assert_eq!(list(&app, Some(&old), &[]).status(), 401);
    assert_eq!(list(&app, Some(&basic("reader", "new")), &[]).status(), 200);
    // Act: a replacement without tokens.
    let mut doc: Value = app
        .request(Method::GET, "/__mock/fixtures")
        .send()
        .unwrap()
        .json()
        .unwrap();
    doc["Token"] = json!([]);
    let response = app
        .request(Method::PUT, "/__mock/fixtures")
        .json(&doc)
        .send()
        .unwrap();
    assert_eq!(response.status(), 204);
    // Assert
    assert_eq!(
        list(&app, Some("Token token=tok-reader"), &[]).status(),
        401
    );
}

//! The page at `/__mock/ui` in a real browser (headless Chromium from Debian's `chromium`
//! package, driven over the DevTools protocol by `headless_chrome`), and `GET /__mock/graph`
//! over plain HTTP.
//!
//! A missing Chromium fails these tests with a message saying how to install it: a skipped
//! browser test would let a broken page pass CI. `.ci/run` installs it when missing.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::{Browser, LaunchOptions, Tab};
use reqwest::Method;
use serde_json::{json, Value};
use zammad_links_mock::{AdminAccess, FixtureDocument, MockServer};

use crate::helpers::{add_body, Fixture, TestApp};

/// How long a test waits for the page to show something; the page needs well under a second.
const WAIT: Duration = Duration::from_secs(10);

/// Chromium: `$CHROME` if set, else `chromium` on the `PATH`.
fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("CHROME") {
        return path.into();
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("chromium"))
        .find(|path| path.is_file())
        .expect(
            "the browser tests need Chromium: `apt-get install -y chromium` (Debian's package; \
             .ci/run installs it), or set CHROME to a Chrome or Chromium binary",
        )
}

/// A fresh headless browser; it is closed when dropped, so no test leaves one behind.
fn browser() -> Browser {
    browser_sized(1280, 800)
}

fn browser_sized(width: u32, height: u32) -> Browser {
    let path = chromium();
    let options = LaunchOptions::default_builder()
        .path(Some(path.clone()))
        // Containers and CI run tests as root, where Chromium's sandbox cannot start.
        .sandbox(false)
        .window_size(Some((width, height)))
        .idle_browser_timeout(Duration::from_secs(120))
        .build()
        .expect("valid launch options");
    Browser::new(options)
        .unwrap_or_else(|e| panic!("Chromium ({}) does not start: {e:#}", path.display()))
}

/// A tab showing `url`, loaded.
fn open(browser: &Browser, url: &str) -> std::sync::Arc<Tab> {
    let tab = browser.new_tab().expect("a tab");
    tab.set_default_timeout(WAIT);
    tab.navigate_to(url)
        .and_then(|tab| tab.wait_until_navigated())
        .expect("the page loads");
    tab
}

/// The value of a JavaScript expression, passed through JSON.
fn js(tab: &Tab, expression: &str) -> Value {
    let result = tab
        .evaluate(&format!("JSON.stringify({expression})"), false)
        .expect("the expression runs");
    match result.value {
        Some(Value::String(text)) => serde_json::from_str(&text).expect("JSON"),
        other => panic!("{expression} gave {other:?}"),
    }
}

/// Waits until `expression` is truthy in the page.
fn wait_until(tab: &Tab, expression: &str) {
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        if js(tab, &format!("!!({expression})")) == json!(true) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "waited {WAIT:?} for `{expression}`; the page shows: {}",
        js(tab, "document.body.innerText")
    );
}

/// The ticket nodes as (id, text) pairs, by id.
fn ticket_nodes(tab: &Tab) -> Vec<(String, String)> {
    let nodes = js(
        tab,
        "[...document.querySelectorAll('[data-ticket-id]')]\
         .map(n => [n.dataset.ticketId, n.textContent])",
    );
    let mut nodes: Vec<(String, String)> = serde_json::from_value(nodes).unwrap();
    nodes.sort();
    nodes
}

/// The link edges as (type, source, target), sorted.
fn link_edges(tab: &Tab) -> Vec<(String, String, String)> {
    let edges = js(
        tab,
        "[...document.querySelectorAll('[data-link-type]')]\
         .map(e => [e.dataset.linkType, e.dataset.source, e.dataset.target])",
    );
    let mut edges: Vec<(String, String, String)> = serde_json::from_value(edges).unwrap();
    edges.sort();
    edges
}

// ---- in the browser ------------------------------------------------------------------------

#[test]
fn ticket_147469_shows_its_two_neighbours_with_numbers_and_two_normal_links() {
    // Arrange
    let app = TestApp::start();
    let browser = browser();
    // Act
    let tab = open(&browser, &app.server.url("/__mock/ui?ticket=147469"));
    wait_until(
        &tab,
        "document.querySelectorAll('[data-ticket-id]').length === 3",
    );
    // Assert
    let nodes = ticket_nodes(&tab);
    let ids: Vec<&str> = nodes.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["147469", "147470", "147471"]);
    for (id, text) in &nodes {
        assert!(text.contains(&format!("34{id}")), "{id} shows {text:?}");
    }
    assert_eq!(
        link_edges(&tab),
        [
            ("normal".into(), "147469".into(), "147470".into()),
            ("normal".into(), "147469".into(), "147471".into()),
        ]
    );
    // Pointing at a ticket lights its own links.
    js(
        &tab,
        "(document.querySelector('[data-ticket-id=\"147470\"]')\
         .dispatchEvent(new PointerEvent('pointerenter')), 0)",
    );
    assert_eq!(
        js(
            &tab,
            "[...document.querySelectorAll('.edge.lit')].map(e => e.dataset.target)"
        ),
        json!(["147470"])
    );
    // Everything the page loaded came from the mock itself.
    assert_eq!(
        js(
            &tab,
            "performance.getEntriesByType('resource').every(e => e.name.startsWith(location.origin))"
        ),
        json!(true)
    );
}

#[test]
fn an_added_link_shows_after_a_reload_with_its_journal_entry() {
    // Arrange
    let app = TestApp::start();
    let browser = browser();
    let tab = open(&browser, &app.server.url("/__mock/ui?ticket=147469"));
    wait_until(
        &tab,
        "document.querySelectorAll('[data-link-type]').length === 2",
    );
    // Act: ticket number 34147471 as a normal link of ticket 147470, through Zammad's API.
    assert_eq!(
        app.add_link(add_body("normal", 147470, "34147471"))
            .status(),
        201
    );
    tab.reload(false, None).expect("the page reloads");
    // Assert
    wait_until(
        &tab,
        "document.querySelector('[data-link-type=normal][data-source=\"147471\"][data-target=\"147470\"]')",
    );
    assert_eq!(link_edges(&tab).len(), 3);
    wait_until(
        &tab,
        "document.querySelector('[data-journal-entry][data-method=POST]\
         [data-path=\"/api/v1/links/add\"][data-status=\"201\"]')",
    );
    let first_row = js(
        &tab,
        "document.querySelector('[data-journal-entry]').textContent",
    );
    assert!(
        first_row
            .as_str()
            .unwrap()
            .contains("POST/api/v1/links/add201"),
        "newest first: {first_row}"
    );
}

#[test]
fn the_journal_and_graph_follow_api_calls_while_the_page_is_open() {
    // Arrange
    let app = TestApp::start();
    let browser = browser();
    let tab = open(&browser, &app.server.url("/__mock/ui?ticket=147469"));
    wait_until(
        &tab,
        "document.querySelectorAll('[data-link-type]').length === 2",
    );
    // Act: a link added, the same again (422), and a list, with no reload.
    assert_eq!(
        app.add_link(add_body("child", 147470, "34147471")).status(),
        201
    );
    assert_eq!(
        app.add_link(add_body("child", 147470, "34147471")).status(),
        422
    );
    assert_eq!(app.get_links("Ticket", 147469).status(), 200);
    // Assert: the poll brings the entries, and the write brings the new edge.
    wait_until(
        &tab,
        "document.querySelectorAll('[data-journal-entry]').length === 3",
    );
    wait_until(&tab, "document.querySelector('[data-link-type=child]')");
    let statuses =
        "[...document.querySelectorAll('[data-journal-entry]')].map(r => r.dataset.status)";
    assert_eq!(js(&tab, statuses), json!(["200", "422", "201"]));
    // Filters: by path, then by status class.
    let filter = |id: &str, value: &str| {
        js(
            &tab,
            &format!(
                "(e => (e.value = '{value}', e.dispatchEvent(new Event('input')), 0))\
                 (document.getElementById('{id}'))"
            ),
        );
    };
    filter("filter-path", "/links/add");
    assert_eq!(js(&tab, statuses), json!(["422", "201"]));
    filter("filter-status", "4xx");
    assert_eq!(js(&tab, statuses), json!(["422"]));
    filter("filter-path", "");
    filter("filter-status", "20");
    assert_eq!(js(&tab, statuses), json!(["200", "201"]));
}

#[test]
fn a_click_on_a_ticket_recentres_the_graph_on_it() {
    // Arrange
    let app = TestApp::start();
    let browser = browser();
    let tab = open(&browser, &app.server.url("/__mock/ui?ticket=147469"));
    wait_until(
        &tab,
        "document.querySelector('[data-ticket-id=\"147470\"]')",
    );
    assert_eq!(
        js(
            &tab,
            "document.getElementById('graph').dataset.centerTicket"
        ),
        json!("147469")
    );
    // Act: a real mouse click, at the node's place on the screen.
    tab.find_element("[data-ticket-id=\"147470\"]")
        .and_then(|node| node.click().map(|_| ()))
        .expect("the node can be clicked");
    // Assert
    wait_until(
        &tab,
        "document.getElementById('graph').dataset.centerTicket === '147470'",
    );
    assert_eq!(
        js(
            &tab,
            "document.querySelector('.node.center').dataset.ticketId"
        ),
        json!("147470")
    );
    assert!(
        tab.get_url().ends_with("?ticket=147470"),
        "{}",
        tab.get_url()
    );
    // From 147470, depth 2 reaches 147471 through 147469.
    assert_eq!(ticket_nodes(&tab).len(), 3);

    // The search box takes a ticket number as well as an id.
    js(
        &tab,
        "document.getElementById('search-input').value = '34147471'",
    );
    tab.find_element("#search button")
        .and_then(|button| button.click().map(|_| ()))
        .expect("Show can be clicked");
    wait_until(
        &tab,
        "document.getElementById('graph').dataset.centerTicket === '147471'",
    );

    assert!(
        tab.get_url().ends_with("?ticket=147471"),
        "{}",
        tab.get_url()
    );

    // Depth 0: the ticket alone, marked as cut off (its links lead past the depth).
    js(
        &tab,
        "(e => (e.value = '0', e.dispatchEvent(new Event('change')), 0))\
         (document.getElementById('depth'))",
    );
    wait_until(
        &tab,
        "document.querySelectorAll('[data-ticket-id]').length === 1",
    );
    assert_eq!(
        js(
            &tab,
            "[...document.querySelectorAll('.node.cut-off')].map(n => n.dataset.ticketId)"
        ),
        json!(["147471"])
    );
    assert!(
        tab.get_url().ends_with("?ticket=147471&depth=0"),
        "{}",
        tab.get_url()
    );
}

#[test]
fn upload_reset_and_export_report_the_mocks_answer() {
    // Arrange
    let app = TestApp::start();
    let browser = browser();
    let tab = open(&browser, &app.server.url("/__mock/ui?ticket=147469"));
    wait_until(
        &tab,
        "document.querySelectorAll('[data-link-type]').length === 2",
    );
    let folder = tempfile::TempDir::new().unwrap();
    let bad = folder.path().join("bad.json");
    std::fs::write(&bad, r#"{"Ticket": {"1": {"id": "one"}}}"#).unwrap();
    let merge = folder.path().join("merge.json");
    let link = json!({"Link": [{"link_type": "normal",
        "link_object_source": "Ticket", "link_object_source_value": 147470,
        "link_object_target": "Ticket", "link_object_target_value": 147471}]});
    std::fs::write(&merge, link.to_string()).unwrap();
    let expected_refusal: Value = app
        .request(Method::PUT, "/__mock/fixtures")
        .body(std::fs::read(&bad).unwrap())
        .send()
        .unwrap()
        .json()
        .unwrap();
    let upload = |file: &std::path::Path, mode: &str| {
        tab.find_element("#upload-file")
            .and_then(|input| input.set_input_files(&[file.to_str().unwrap()]).map(|_| ()))
            .expect("a file can be chosen");
        js(
            &tab,
            &format!("document.getElementById('upload-mode').value = '{mode}'"),
        );
        js(&tab, "document.getElementById('status').textContent = ''");
        tab.find_element("#upload button")
            .and_then(|button| button.click().map(|_| ()))
            .expect("Upload can be clicked");
        wait_until(&tab, "document.getElementById('status').textContent");
        js(&tab, "document.getElementById('status').textContent")
    };

    // Act + Assert: a malformed document shows the mock's own message and changes nothing.
    let shown = upload(&bad, "PUT");
    assert_eq!(
        shown,
        json!(format!(
            "upload refused: {}",
            expected_refusal["error"].as_str().unwrap()
        ))
    );
    assert_eq!(
        js(&tab, "document.getElementById('status').dataset.status"),
        json!("error")
    );
    // A merge adds its link, and the graph shows it.
    assert_eq!(
        upload(&merge, "POST"),
        json!("merge.json was merged into the state.")
    );
    wait_until(
        &tab,
        "document.querySelectorAll('[data-link-type]').length === 3",
    );

    // Reset asks first: declined, nothing happens; accepted, the default links are back.
    js(&tab, "(window.confirm = () => false, 0)");
    tab.find_element("#reset")
        .and_then(|b| b.click().map(|_| ()))
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(link_edges(&tab).len(), 3);
    js(&tab, "(window.confirm = () => true, 0)");
    tab.find_element("#reset")
        .and_then(|b| b.click().map(|_| ()))
        .unwrap();
    wait_until(
        &tab,
        "document.querySelectorAll('[data-link-type]').length === 2",
    );
    assert_eq!(
        js(&tab, "document.getElementById('status').textContent"),
        json!("The state is back to the start-up fixtures.")
    );

    // Export: fetched from GET /__mock/fixtures and handed to the browser as a file.
    js(&tab, "(window.__exported = null, URL.createObjectURL = (b) => { window.__exported = b; return 'data:,'; }, 0)");
    tab.find_element("#export")
        .and_then(|b| b.click().map(|_| ()))
        .unwrap();
    wait_until(&tab, "window.__exported");
    assert_eq!(
        js(&tab, "document.getElementById('status').textContent"),
        json!("Export downloaded.")
    );
    let exported = tab
        .evaluate("window.__exported.text()", true)
        .unwrap()
        .value
        .unwrap();
    let exported: Value = serde_json::from_str(exported.as_str().unwrap()).unwrap();
    assert_eq!(exported["Link"].as_array().unwrap().len(), 2);
}

#[test]
fn with_an_admin_token_no_ticket_shows_until_the_token_is_given() {
    // Arrange
    let server = MockServer::builder()
        .admin(AdminAccess::Token("s3cret".into()))
        .start();
    let browser = browser();
    // Act
    let tab = open(&browser, &server.url("/__mock/ui?ticket=147469"));
    wait_until(&tab, "!document.getElementById('token-form').hidden");
    // Assert: asked for the token, and nothing of the state shown.
    assert_eq!(
        js(&tab, "document.querySelectorAll('[data-ticket-id]').length"),
        json!(0)
    );
    assert_eq!(
        js(
            &tab,
            "document.querySelectorAll('[data-journal-entry]').length"
        ),
        json!(0)
    );
    // Act: give the token as a person would.
    tab.find_element("#token-input")
        .and_then(|input| input.type_into("s3cret").map(|_| ()))
        .expect("the token can be typed");
    tab.press_key("Enter").expect("Enter");
    // Assert
    wait_until(
        &tab,
        "document.querySelectorAll('[data-ticket-id]').length === 3",
    );
    assert_eq!(
        js(
            &tab,
            "sessionStorage.getItem('zammad-links-mock.admin-token')"
        ),
        json!("s3cret")
    );
    assert_eq!(js(&tab, "localStorage.length"), json!(0));
}

#[test]
fn with_no_admin_the_page_is_a_404_with_a_json_error() {
    // Arrange
    let server = MockServer::builder().admin(AdminAccess::Off).start();
    let browser = browser();
    // Act
    let tab = open(&browser, &server.url("/__mock/ui?ticket=147469"));
    // Assert: what the browser got is the catch-all's JSON, not the page.
    let shown = js(&tab, "document.body.innerText");
    let body: Value = serde_json::from_str(shown.as_str().unwrap()).expect("a JSON body");
    assert_eq!(body["error"], "No route matches [GET] /__mock/ui");
    for path in [
        "/__mock/ui",
        "/__mock/ui/app.js",
        "/__mock/graph?ticket=147469",
    ] {
        let response = reqwest::blocking::get(server.url(path)).unwrap();
        assert_eq!(response.status(), 404, "{path}");
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
        assert!(
            response.json::<Value>().unwrap()["error"].is_string(),
            "{path}"
        );
    }
}

// ---- over HTTP -------------------------------------------------------------------------

#[test]
fn the_page_names_no_origin_but_its_own() {
    // Arrange
    let app = TestApp::start();
    for path in ["/__mock/ui", "/__mock/ui/app.js", "/__mock/ui/style.css"] {
        // Act
        let response = app.request(Method::GET, path).send().unwrap();
        // Assert
        assert_eq!(response.status(), 200, "{path}");
        let policy = response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(policy.starts_with("default-src 'none'"), "{policy}");
        let text = response.text().unwrap();
        for scheme in [
            "http:", "https:", "ws:", "wss:", "ftp:", "//fonts", "@import",
        ] {
            assert!(!text.contains(scheme), "{path} names {scheme}");
        }
        for attribute in ["src=\"//", "href=\"//", "url(//", "url(\"//"] {
            assert!(
                !text.contains(attribute),
                "{path} has a protocol-relative URL"
            );
        }
    }
}

fn graph(app: &TestApp, query: &str) -> (u16, Value) {
    let response = app
        .request(Method::GET, &format!("/__mock/graph?{query}"))
        .send()
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().expect("a JSON body"))
}

#[test]
fn graph_of_147469_gives_three_tickets_and_two_links_in_one_call() {
    let app = TestApp::start();
    let (status, body) = graph(&app, "ticket=147469");
    assert_eq!(status, 200);
    let ticket = |id: i64, number: &str, title: &str, distance: u32| {
        json!({"id": id, "number": number, "title": title, "exists": true, "distance": distance,
               "cut_off": false, "other_links": 0})
    };
    assert_eq!(
        body,
        json!({
            "center": 147469, "depth": 2, "truncated": false,
            "tickets": [
                ticket(147469, "34147469", "Test Ticket #1", 0),
                ticket(147470, "34147470", "Test Ticket #2", 1),
                ticket(147471, "34147471", "Test Ticket #3", 1),
            ],
            "links": [
                {"id": 3, "type": "normal", "source": 147469, "target": 147470},
                {"id": 4, "type": "normal", "source": 147469, "target": 147471},
            ],
        })
    );
    // By number, the same answer.
    assert_eq!(graph(&app, "number=34147469"), (200, body));
}

#[test]
fn graph_marks_tickets_cut_off_at_the_depth_and_keeps_stored_directions() {
    // Arrange: 1 -parent-> 2 -child-> 3 -related-> 4
    let app = TestApp::with_fixture(
        Fixture::new()
            .ticket(1, "10001")
            .ticket(2, "10002")
            .ticket(3, "10003")
            .ticket(4, "10004")
            .link("parent", 1, 2)
            .link("child", 2, 3)
            .link("related", 3, 4)
            .build(),
    );
    // Act
    let (status, body) = graph(&app, "ticket=1&depth=1");
    // Assert
    assert_eq!(status, 200);
    let cut: Vec<_> = body["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["id"].as_i64().unwrap(), t["cut_off"].as_bool().unwrap()))
        .collect();
    assert_eq!(cut, [(1, false), (2, true)]);
    let (_, deeper) = graph(&app, "ticket=1&depth=5");
    let links: Vec<_> = deeper["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["type"].as_str().unwrap().to_owned(),
                l["source"].clone(),
                l["target"].clone(),
            )
        })
        .collect();
    assert_eq!(
        links,
        [
            ("parent".to_owned(), json!(1), json!(2)),
            ("child".to_owned(), json!(2), json!(3)),
            ("related".to_owned(), json!(3), json!(4)),
        ]
    );
}

#[test]
fn graph_stops_at_the_ticket_limit_and_says_so() {
    let mut fixture = Fixture::new().ticket(1, "10001");
    for id in 2..=40 {
        fixture = fixture
            .ticket(id, &format!("{}", 10000 + id))
            .link("normal", 1, id);
    }
    let app = TestApp::with_fixture(fixture.build());
    let (status, body) = graph(&app, "ticket=1&limit=10");
    assert_eq!(status, 200);
    assert_eq!(body["tickets"].as_array().unwrap().len(), 10);
    assert_eq!(body["links"].as_array().unwrap().len(), 9);
    assert_eq!(body["truncated"], true);
    assert_eq!(body["tickets"][0]["cut_off"], true);
}

#[test]
fn graph_refuses_bad_parameters_with_a_json_error() {
    let app = TestApp::start();
    for (query, status, text) in [
        (
            "ticket=abc",
            400,
            "ticket: expected a ticket id (an integer), got \"abc\"",
        ),
        (
            "ticket=147469&depth=6",
            400,
            "depth: expected 0 to 5, got \"6\"",
        ),
        (
            "ticket=147469&depth=x",
            400,
            "depth: expected 0 to 5, got \"x\"",
        ),
        (
            "ticket=147469&limit=0",
            400,
            "limit: expected 1 to 2000, got \"0\"",
        ),
        ("", 400, "ticket or number: one of them is required"),
        (
            "ticket=1&number=2",
            400,
            "ticket and number: give only one of them",
        ),
        (
            "ticket=99999999999999999999",
            400,
            "ticket: expected a ticket id (an integer), got \"99999999999999999999\"",
        ),
        ("ticket=5", 404, "no ticket 5"),
        ("number=nope", 404, "no ticket number nope"),
    ] {
        assert_eq!(
            graph(&app, query),
            (status, json!({ "error": text })),
            "{query}"
        );
    }
}

#[test]
fn graph_needs_the_admin_token_when_one_is_set() {
    let server = MockServer::builder()
        .admin(AdminAccess::Token("s3cret".into()))
        .start();
    let client = reqwest::blocking::Client::new();
    let url = server.url("/__mock/graph?ticket=147469");
    assert_eq!(client.get(&url).send().unwrap().status(), 401);
    assert_eq!(
        client
            .get(&url)
            .bearer_auth("nope")
            .send()
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        client
            .get(&url)
            .bearer_auth("s3cret")
            .send()
            .unwrap()
            .status(),
        200
    );
    // The page itself loads without it: it asks for the token.
    let page = client.get(server.url("/__mock/ui")).send().unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().unwrap().contains("id=\"token-form\""));
}

// ---- the README's screenshots ----------------------------------------------------------------

/// Writes `docs/ui-147469.png` and `docs/ui-generated-50-links.png` (and, for a look at
/// crowded cases, `target/ui-generated-*.png`):
/// `cargo test --test integration ui::screenshots -- --ignored`.
#[test]
#[ignore = "writes the README's screenshots"]
fn screenshots() {
    let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    let browser = browser_sized(1280, 900);

    let app = TestApp::start();
    let tab = open(&browser, &app.server.url("/__mock/ui?ticket=147469"));
    // A few calls, so that the journal has something to show.
    assert_eq!(app.get_links("Ticket", 147469).status(), 200);
    assert_eq!(
        app.add_link(add_body("parent", 147470, "34147471"))
            .status(),
        201
    );
    assert_eq!(
        app.add_link(add_body("parent", 147470, "34147471"))
            .status(),
        422
    );
    tab.reload(false, None).unwrap();
    wait_until(
        &tab,
        "document.querySelectorAll('[data-journal-entry]').length === 3",
    );
    shoot(&tab, &docs.join("ui-147469.png"));

    // (links per ticket, tickets, depth, file): the README's, then crowded cases kept in
    // `target/` to look at when the layout changes.
    let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target");
    for (links, tickets, depth, out) in [
        (50, 60, 1, docs.join("ui-generated-50-links.png")),
        (200, 230, 1, target.join("ui-generated-200-links.png")),
        (3, 300, 3, target.join("ui-generated-sparse-depth-3.png")),
        (50, 60, 2, target.join("ui-generated-50-links-depth-2.png")),
    ] {
        // Tickets with `links` links on average; the one nearest that count is shown.
        let mut text = Vec::new();
        let spec = zammad_links_mock::GenerateSpec {
            tickets,
            links: tickets * links / 2,
            seed: 7,
            articles: 0,
        };
        zammad_links_mock::write_document(spec, &mut text).unwrap();
        let doc: Value = serde_json::from_slice(&text).unwrap();
        let mut degree = std::collections::HashMap::<i64, u64>::new();
        for link in doc["Link"].as_array().unwrap() {
            for end in ["link_object_source_value", "link_object_target_value"] {
                *degree.entry(link[end].as_i64().unwrap()).or_default() += 1;
            }
        }
        let (&ticket, _) = degree
            .iter()
            .min_by_key(|(id, d)| ((**d as i64 - links as i64).abs(), **id))
            .unwrap();
        let server = MockServer::builder()
            .fixtures(FixtureDocument::from_value(doc).unwrap())
            .start();
        let tab = open(
            &browser,
            &server.url(&format!("/__mock/ui?ticket={ticket}&depth={depth}")),
        );
        wait_until(
            &tab,
            "document.querySelectorAll('[data-ticket-id]').length > 3",
        );
        shoot(&tab, &out);
    }
}

fn shoot(tab: &Tab, path: &std::path::Path) {
    // Let the last poll and layout settle.
    std::thread::sleep(Duration::from_millis(300));
    let png = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .unwrap();
    std::fs::write(path, png).unwrap();
}

/// See: #24. The page reads the active fault rules from `GET /__mock/faults` itself and
/// marks the journal rows a rule answered.
#[test]
fn the_page_shows_the_active_fault_rules_and_marks_the_calls_they_answered() {
    use zammad_links_mock::{Fault, FaultRule, ZammadRoute};
    // Arrange
    let app = TestApp::start();
    let id = app.server.add_fault(
        FaultRule::new(Fault::BadGateway)
            .route(ZammadRoute::LinksIndex)
            .times(1),
    );
    let browser = browser();
    let tab = open(&browser, &app.server.url("/__mock/ui?ticket=147469"));
    wait_until(
        &tab,
        &format!("document.querySelector('[data-fault-rule=\"{id}\"]')"),
    );
    // Act: the rule answers one list call.
    assert_eq!(app.get_links("Ticket", 147469).status(), 502);
    // Assert: the poll shows the row marked and the rule spent.
    wait_until(
        &tab,
        &format!(
            "document.querySelector('[data-journal-entry][data-fault-rule=\"{id}\"]\
             [data-fault-kind=bad_gateway][data-status=\"502\"]')"
        ),
    );
    wait_until(&tab, "document.querySelector('#faults-list li.spent')");
    let line = js(
        &tab,
        "document.querySelector('#faults-list li').textContent",
    );
    assert_eq!(line, json!("#1 bad_gateway · links#index · fired 1 of 1"));
}

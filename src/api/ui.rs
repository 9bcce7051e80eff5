//! The page at `/__mock/ui` and the one admin call it needs that the others do not give:
//! `GET /__mock/graph`, the tickets and links around a ticket to a depth, in one answer
//! (the walk is `neighbourhood`'s).
//!
//! The page's files (`src/ui/`) are compiled in, so the binary needs no folder and no network
//! to show it. The page itself is served to anyone who reaches an admin-enabled mock (it holds
//! no data); every call that gives data sits behind the admin scope's gate, as the other admin
//! calls do. The layout is computed in the page.

use super::admin::AdminError;
use super::answer::JSON_UTF8;
use crate::neighbourhood::{graph_view, GraphQuery, Start};
use crate::state::AppState;
use actix_web::http::header::{
    HeaderValue, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS,
};
use actix_web::{web, HttpRequest, HttpResponse};

const INDEX_HTML: &str = include_str!("../ui/index.html");
const APP_JS: &str = include_str!("../ui/app.js");
const STYLE_CSS: &str = include_str!("../ui/style.css");

/// Everything the page loads comes from this origin; the policy makes the browser hold the
/// page to that, so a later edit that names another host fails loudly instead of leaking.
const PAGE_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

/// Registers the page and its files (`GET /__mock/graph` is in the admin scope). Called only
/// when the admin API is on, so with `--no-admin` they fall through to the catch-all's 404.
pub(super) fn configure_page(cfg: &mut web::ServiceConfig) {
    cfg.route("/__mock/ui", web::get().to(show_page))
        .route("/__mock/ui/app.js", web::get().to(show_script))
        .route("/__mock/ui/style.css", web::get().to(show_style));
}

fn page_file(content_type: &'static str, body: &'static str) -> HttpResponse {
    let mut response = HttpResponse::Ok().body(body);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    // The files change with the binary; `no-cache` revalidates instead of showing an old page.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_POLICY),
    );
    response
}

/// `GET /__mock/ui`: the page. No token needed: it holds no data and asks for the token itself.
pub async fn show_page() -> HttpResponse {
    page_file("text/html; charset=utf-8", INDEX_HTML)
}

/// `GET /__mock/ui/app.js`: the page's script.
pub async fn show_script() -> HttpResponse {
    page_file("text/javascript; charset=utf-8", APP_JS)
}

/// `GET /__mock/ui/style.css`: the page's style sheet.
pub async fn show_style() -> HttpResponse {
    page_file("text/css; charset=utf-8", STYLE_CSS)
}

/// `GET /__mock/graph?ticket=ID|number=N[&depth=0..5][&limit=1..2000]`: the tickets and
/// links around a ticket; 400 on a bad parameter, 404 when nothing is known of the ticket.
pub(super) async fn get_graph(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AdminError> {
    let query = GraphQuery::parse(req.query_string()).map_err(AdminError::BadParameter)?;
    let view = state.view();
    let center = match &query.start {
        Start::Id(id) => *id,
        Start::Number(number) => view
            .records()
            .ticket_by_number(number)
            .map(|record| record.id)
            .ok_or_else(|| AdminError::NotFound(format!("no ticket number {number}")))?,
    };
    let release = state.release();
    let records = view.records();
    let graph = graph_view(&view, center, query.depth, query.limit, |ticket| {
        crate::tickets::is_merged(ticket, records, release)
    });
    drop(view);
    // A ticket id with neither a record nor links is a typo, not an empty picture.
    if !graph.tickets[0].exists && graph.links.is_empty() && graph.tickets[0].other_links == 0 {
        return Err(AdminError::NotFound(format!("no ticket {center}")));
    }
    let body = serde_json::to_string(&graph).expect("a graph always serialises");
    Ok(HttpResponse::Ok().content_type(JSON_UTF8).body(body))
}

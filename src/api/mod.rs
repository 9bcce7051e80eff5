//! The HTTP surface: Zammad's link and ticket routes, the admin routes under `/__mock/`, and
//! the catch-all that answers everything else as Zammad does.
//!
//! The seams: the request body and the caller are extractors (`extract`), the request
//! journal is a middleware (`journal`), the admin API sits in one scope behind one gate
//! (`admin`), and each boundary has one error type mapped to HTTP once (`error::ApiError`
//! for Zammad's routes, `admin::AdminError` for the mock's own). Handlers turn a request
//! into a typed call of `links` and a body of `render`; they hold no logic of their own.

mod admin;
mod error;
mod extract;
mod faults;
mod journal;
mod links;
mod ticket_index;
mod tickets;
mod ui;
mod version;

use std::sync::LazyLock;

use actix_web::http::header::{
    HeaderMap, HeaderName, HeaderValue, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_MAX_AGE, CACHE_CONTROL, CONTENT_TYPE, EXPIRES,
    PRAGMA,
};
use actix_web::http::Method;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpResponseBuilder};

pub use error::ApiError;

use crate::faults::Faults;
use crate::journal::Journal;
use crate::state::AppState;

/// The largest request body the Zammad API routes take by default; larger ones get 413.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// The largest fixture document `PUT`/`POST /__mock/fixtures` take.
pub const MAX_FIXTURE_BYTES: usize = 1024 * 1024 * 1024;

/// Zammad's JSON content type.
const JSON_UTF8: &str = "application/json; charset=utf-8";

/// Who may use the admin API under `/__mock/`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AdminAccess {
    /// Anyone (the default: the mock listens on loopback).
    #[default]
    Open,
    /// Only requests with `Authorization: Bearer <token>`.
    Token(String),
    /// Nobody: the admin routes answer 404 like any unknown route (`/__mock/health` stays).
    Off,
}

/// What the app is built from; cheap to clone into every worker.
#[derive(Debug, Clone)]
pub(crate) struct Wiring {
    pub(crate) state: web::Data<AppState>,
    pub(crate) journal: web::Data<Journal>,
    pub(crate) faults: web::Data<Faults>,
    pub(crate) admin: AdminAccess,
    pub(crate) max_body_bytes: usize,
}

/// The whole app: shared data, Zammad's routes, the admin scope, the catch-all, and the
/// journal around them.
pub(crate) fn app(
    wiring: Wiring,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let noting = Some(wiring.journal.clone()).filter(|journal| journal.is_enabled());
    App::new()
        .app_data(wiring.state)
        .app_data(wiring.journal)
        .app_data(web::PayloadConfig::new(wiring.max_body_bytes))
        .app_data(wiring.faults.clone())
        // Inside the journal (the last `wrap` is the outermost), so faulted calls are noted.
        .wrap(faults::InjectFaults(wiring.faults))
        .wrap(journal::RecordCalls(noting))
        // Zammad's routes first: the router tries routes in order, and they are the hot ones.
        .configure(zammad_routes)
        .route("/__mock/health", web::get().to(admin::health))
        .configure(|cfg| admin::configure(cfg, &wiring.admin))
        .default_service(web::to(catch_all))
}

/// Zammad's routes (`config/routes/link.rb`, `ticket.rb`, `user.rb`, `version.rb`), each also with the
/// `.json` suffix Rails accepts. A request with another method falls through to the
/// catch-all, as an unrouted request does in Rails.
fn zammad_routes(cfg: &mut web::ServiceConfig) {
    for suffix in ["", ".json"] {
        cfg.route(
            &format!("/api/v1/links{suffix}"),
            only(Method::GET).to(links::list_links),
        )
        .route(
            &format!("/api/v1/links/add{suffix}"),
            only(Method::POST).to(links::add_link),
        )
        .route(
            &format!("/api/v1/links/remove{suffix}"),
            only(Method::DELETE).to(links::remove_link),
        )
        .route(
            &format!("/api/v1/tickets{suffix}"),
            only(Method::GET).to(ticket_index::list_tickets),
        )
        .route(
            &format!("/api/v1/users/me{suffix}"),
            only(Method::GET).to(tickets::show_me),
        )
        .route(
            &format!("/api/v1/version{suffix}"),
            only(Method::GET).to(version::show_version),
        );
    }
    cfg.route(
        "/api/v1/tickets/{id}",
        only(Method::GET).to(tickets::show_ticket),
    );
}

/// A route for requests with `method` only. (actix's own method guards also note each
/// method they were asked about in the request's data, for a 405 these routes never give:
/// two allocations per request, a twentieth of the seed's GET in instruction profiles.)
fn only(method: Method) -> actix_web::Route {
    web::route().guard(OnlyMethod(method))
}

/// The guard of [`only`].
struct OnlyMethod(Method);

impl actix_web::guard::Guard for OnlyMethod {
    fn check(&self, ctx: &actix_web::guard::GuardContext<'_>) -> bool {
        ctx.head().method == self.0
    }
}

/// The catch-all: an `OPTIONS` preflight gets 200 with the CORS headers; anything else is
/// Zammad's 404 for an unknown route, always with a JSON body.
async fn catch_all(req: HttpRequest, _body: extract::Body) -> Result<HttpResponse, ApiError> {
    if req.method() == actix_web::http::Method::OPTIONS {
        let mut response = HttpResponse::Ok();
        add_cors_headers(&mut response);
        response.insert_header((CONTENT_TYPE, HeaderValue::from_static("text/plain")));
        return Ok(response.finish());
    }
    Err(ApiError::RouteNotFound {
        method: req.method().to_string(),
        path: req.path().to_owned(),
    })
}

/// Zammad's CORS headers, sent after Basic or Token authentication (the mock has no sessions).
fn add_cors_headers(response: &mut HttpResponseBuilder) {
    for (name, value) in CORS_HEADERS {
        response.insert_header((name, HeaderValue::from_static(value)));
    }
}

// Header names as constants: parsing a name on every response showed up in profiles.
const NO_CACHE_HEADERS: [(HeaderName, &str); 3] = [
    (
        CACHE_CONTROL,
        "no-cache, no-store, max-age=0, must-revalidate",
    ),
    (PRAGMA, "no-cache"),
    (EXPIRES, "-1"),
];

const CORS_HEADERS: [(HeaderName, &str); 4] = [
    (ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
    (
        ACCESS_CONTROL_ALLOW_METHODS,
        "POST, GET, PUT, DELETE, PATCH, OPTIONS",
    ),
    (ACCESS_CONTROL_MAX_AGE, "1728000"),
    (
        ACCESS_CONTROL_ALLOW_HEADERS,
        "Content-Type, Depth, User-Agent, X-File-Size, X-Requested-With, If-Modified-Since, \
         X-File-Name, Cache-Control, Accept-Language",
    ),
];

/// A successful JSON answer with Zammad's headers.
fn json_success(status: actix_web::http::StatusCode, body: String) -> HttpResponse {
    let mut response = HttpResponse::with_body(status, body).map_into_boxed_body();
    *response.headers_mut() = JSON_SUCCESS_HEADERS.clone();
    response
}

/// The headers of a JSON answer of an action that ran to the end (`sets_headers.rb`: no
/// caching, and the CORS headers), built once: inserting them one by one into every response
/// showed up in profiles of the seed's GET (a tenth of the handler's instructions).
static JSON_SUCCESS_HEADERS: LazyLock<HeaderMap> = LazyLock::new(|| {
    let mut headers = HeaderMap::with_capacity(1 + NO_CACHE_HEADERS.len() + CORS_HEADERS.len());
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    for (name, value) in NO_CACHE_HEADERS.iter().chain(&CORS_HEADERS) {
        headers.insert(name.clone(), HeaderValue::from_static(value));
    }
    headers
});

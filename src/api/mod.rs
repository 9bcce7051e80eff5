//! The HTTP surface: Zammad's link and ticket routes, the admin routes under `/__mock/`, and
//! the catch-all that answers everything else as Zammad does. Handlers turn requests into
//! [`Params`](crate::params::Params) and a [`Caller`], call `state`, assemble the JSON and
//! note each Zammad API call in the journal; they hold no logic of their own.

mod admin;
mod error;
mod links;
mod tickets;

use actix_web::http::header::{
    HeaderName, HeaderValue, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_MAX_AGE, CACHE_CONTROL, CONTENT_TYPE, EXPIRES,
    PRAGMA,
};
use actix_web::{web, HttpRequest, HttpResponse, HttpResponseBuilder, ResponseError};

pub use error::ApiError;

use crate::auth::{authenticate, Caller, Credentials};
use crate::journal::JournalEntry;
use crate::model::Millis;
use crate::state::AppState;

/// The largest request body the Zammad API routes take by default; larger ones get 413.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// The largest fixture document `PUT`/`POST /__mock/fixtures` take.
pub const MAX_FIXTURE_BYTES: usize = 1024 * 1024 * 1024;

/// Zammad's JSON content type.
pub(crate) const JSON_UTF8: &str = "application/json; charset=utf-8";

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

/// Registers every route on `cfg`.
pub fn configure(cfg: &mut web::ServiceConfig, admin: &AdminAccess) {
    for suffix in ["", ".json"] {
        cfg.route(
            &format!("/api/v1/links{suffix}"),
            web::get().to(links::list_links),
        )
        .route(
            &format!("/api/v1/links/add{suffix}"),
            web::post().to(links::add_link),
        )
        .route(
            &format!("/api/v1/links/remove{suffix}"),
            web::delete().to(links::remove_link),
        )
        .route(
            &format!("/api/v1/users/me{suffix}"),
            web::get().to(tickets::show_me),
        );
    }
    cfg.route("/api/v1/tickets/{id}", web::get().to(tickets::show_ticket))
        .route("/__mock/health", web::get().to(admin::health));
    if *admin != AdminAccess::Off {
        cfg.app_data(web::Data::new(admin.clone()))
            .route("/__mock/reset", web::post().to(admin::reset_state))
            .service(
                web::resource("/__mock/fixtures")
                    // Whole data sets come through here; API calls keep the smaller limit.
                    .app_data(web::PayloadConfig::new(MAX_FIXTURE_BYTES))
                    .route(web::get().to(admin::get_fixtures))
                    .route(web::put().to(admin::put_fixtures))
                    .route(web::post().to(admin::post_fixtures)),
            )
            .route("/__mock/requests", web::get().to(admin::get_requests))
            .route("/__mock/requests", web::delete().to(admin::delete_requests));
    }
}

/// The catch-all: an `OPTIONS` preflight gets 200 with the CORS headers; anything else is
/// Zammad's 404 for an unknown route, always with a JSON body.
pub async fn catch_all(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    if req.method() == actix_web::http::Method::OPTIONS {
        let mut response = HttpResponse::Ok();
        add_cors_headers(&mut response);
        response.insert_header((CONTENT_TYPE, HeaderValue::from_static("text/plain")));
        return response.finish();
    }
    let error = ApiError::RouteNotFound {
        method: req.method().to_string(),
        path: req.path().to_owned(),
    };
    journaled(&req, &body, &state, None, Err(error))
}

/// Turns a handler's result into the response and notes the call in the journal.
pub(crate) fn journaled(
    req: &HttpRequest,
    body: &[u8],
    state: &AppState,
    user: Option<i64>,
    result: Result<HttpResponse, ApiError>,
) -> HttpResponse {
    let response = result.unwrap_or_else(|error| error.error_response());
    if state.journal.is_enabled() {
        state.journal.record(JournalEntry {
            method: req.method().to_string(),
            path: req.path().to_owned(),
            query: req.query_string().to_owned(),
            body: JournalEntry::body_value(body),
            status: response.status().as_u16(),
            user,
            time: Millis::now().to_string(),
        });
    }
    response
}

/// The headers of an action that ran to the end (`sets_headers.rb`): no caching.
pub(crate) fn add_success_headers(response: &mut HttpResponseBuilder) {
    for (name, value) in NO_CACHE_HEADERS {
        response.insert_header((name, HeaderValue::from_static(value)));
    }
    add_cors_headers(response);
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
pub(crate) fn json_success(status: actix_web::http::StatusCode, body: String) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response.insert_header((CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8)));
    add_success_headers(&mut response);
    response.body(body)
}

/// The authenticated caller of `req`.
pub(crate) fn caller(req: &HttpRequest, state: &AppState) -> Result<Caller, ApiError> {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let authorization = header("Authorization");
    let impersonate = header("From")
        .map(|v| ("From", v))
        .or_else(|| header("X-On-Behalf-Of").map(|v| ("X-On-Behalf-Of", v)));
    let full_check = || {
        authenticate(
            &state.records,
            &state.grants,
            &|token| state.token(token),
            &Credentials::parse(authorization),
            impersonate,
        )
    };
    Ok(match (authorization, impersonate) {
        (Some(authorization), None) => {
            state
                .verified
                .get_or_authenticate(&state.records, authorization, full_check)?
        }
        _ => full_check()?,
    })
}

//! The HTTP surface: Zammad's link and ticket routes, the admin routes under `/__mock/`, and
//! the catch-all that answers everything else as Zammad does. Handlers turn requests into
//! [`Params`](crate::params::Params) and a [`Caller`], call `state`, assemble the JSON and
//! note each Zammad API call in the journal; they hold no logic of their own.

mod admin;
mod error;
mod links;
mod ticket_index;
mod tickets;

use std::future::Future;
use std::pin::Pin;
use std::sync::LazyLock;
use std::task::{Context, Poll};

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::header::{
    HeaderMap, HeaderName, HeaderValue, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_MAX_AGE, AUTHORIZATION, CACHE_CONTROL,
    CONTENT_TYPE, EXPIRES, FROM, PRAGMA,
};
use actix_web::{web, FromRequest, HttpRequest, HttpResponse, HttpResponseBuilder, ResponseError};

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
            &format!("/api/v1/tickets{suffix}"),
            web::get().to(ticket_index::list_tickets),
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

/// A request's body. actix-web's `Bytes` extractor reserves an 8 KiB buffer for every
/// request; most Zammad calls here are GETs without a body, so an HTTP/1 request whose head
/// announces none (no `Content-Length` or `Content-Length: 0`, and no chunked encoding:
/// actix gives it no payload) skips the extractor and its buffer. A body is read, limits and
/// all, by that extractor; its refusals are answered in Zammad's JSON shape (actix's own are
/// plain text).
pub(crate) struct Body(web::Bytes);

impl std::ops::Deref for Body {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl FromRequest for Body {
    type Error = actix_web::Error;
    type Future = BodyFuture;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        match payload {
            Payload::None => BodyFuture::Empty,
            _ => BodyFuture::Reading(Box::pin(web::Bytes::from_request(req, payload))),
        }
    }
}

/// The future of a [`Body`]: ready at once, or reading the payload.
pub(crate) enum BodyFuture {
    Empty,
    Reading(Pin<Box<<web::Bytes as FromRequest>::Future>>),
}

impl Future for BodyFuture {
    type Output = Result<Body, actix_web::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            BodyFuture::Empty => Poll::Ready(Ok(Body(web::Bytes::new()))),
            BodyFuture::Reading(reading) => reading
                .as_mut()
                .poll(cx)
                .map(|read| read.map(Body).map_err(unreadable_body)),
        }
    }
}

fn unreadable_body(error: actix_web::Error) -> actix_web::Error {
    match error.as_error::<PayloadError>() {
        Some(PayloadError::Overflow) => ApiError::BodyTooLarge.into(),
        _ => ApiError::BodyUnreadable(error.to_string()).into(),
    }
}

/// The catch-all: an `OPTIONS` preflight gets 200 with the CORS headers; anything else is
/// Zammad's 404 for an unknown route, always with a JSON body.
pub async fn catch_all(req: HttpRequest, body: Body, state: web::Data<AppState>) -> HttpResponse {
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
    let mut response = HttpResponse::with_body(status, body).map_into_boxed_body();
    *response.headers_mut() = JSON_SUCCESS_HEADERS.clone();
    response
}

/// The headers of a JSON answer of an action that ran to the end (`sets_headers.rb`: no
/// caching, and the CORS headers), built once: inserting them one by one into every response
/// showed up in profiles of the seed's GET (a tenth of the handler's instructions).
pub(crate) static JSON_SUCCESS_HEADERS: LazyLock<HeaderMap> = LazyLock::new(|| {
    let mut headers = HeaderMap::with_capacity(1 + NO_CACHE_HEADERS.len() + CORS_HEADERS.len());
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    for (name, value) in NO_CACHE_HEADERS.iter().chain(&CORS_HEADERS) {
        headers.insert(name.clone(), HeaderValue::from_static(value));
    }
    headers
});

/// `X-On-Behalf-Of`, Zammad's second impersonation header (`From` is the first).
const X_ON_BEHALF_OF: HeaderName = HeaderName::from_static("x-on-behalf-of");

/// The authenticated caller of `req`.
pub(crate) fn caller(req: &HttpRequest, state: &AppState) -> Result<Caller, ApiError> {
    let header = |name: HeaderName| req.headers().get(name).and_then(|v| v.to_str().ok());
    let authorization = header(AUTHORIZATION);
    let impersonate = header(FROM)
        .map(|v| ("From", v))
        .or_else(|| header(X_ON_BEHALF_OF).map(|v| ("X-On-Behalf-Of", v)));
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

//! The HTTP surface: Zammad's link routes, the admin routes under `/__mock/`, and the
//! catch-all that answers everything else as Zammad does. Handlers turn requests into
//! [`Params`](crate::params::Params) and a [`Caller`], call `state`, and
//! assemble the JSON; they hold no logic of their own.

mod admin;
mod error;
mod links;

use actix_web::http::header::{HeaderValue, CONTENT_TYPE};
use actix_web::{web, HttpRequest, HttpResponse, HttpResponseBuilder};

pub use error::ApiError;

use crate::auth::{authenticate, Caller, Credentials};
use crate::state::AppState;

/// Zammad's JSON content type.
pub(crate) const JSON_UTF8: &str = "application/json; charset=utf-8";

/// Registers every route on `cfg`.
pub fn configure(cfg: &mut web::ServiceConfig) {
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
        );
    }
    cfg.route("/__mock/health", web::get().to(admin::health));
}

/// The catch-all: an `OPTIONS` preflight gets 200 with the CORS headers; anything else is
/// Zammad's 404 for an unknown route, always with a JSON body.
pub async fn catch_all(req: HttpRequest) -> Result<HttpResponse, ApiError> {
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

/// The headers of an action that ran to the end (`sets_headers.rb`): no caching.
pub(crate) fn add_success_headers(response: &mut HttpResponseBuilder) {
    response
        .insert_header((
            "Cache-Control",
            "no-cache, no-store, max-age=0, must-revalidate",
        ))
        .insert_header(("Pragma", "no-cache"))
        .insert_header(("Expires", "-1"));
    add_cors_headers(response);
}

/// Zammad's CORS headers, sent after Basic or Token authentication (the mock has no sessions).
fn add_cors_headers(response: &mut HttpResponseBuilder) {
    response
        .insert_header(("Access-Control-Allow-Origin", "*"))
        .insert_header((
            "Access-Control-Allow-Methods",
            "POST, GET, PUT, DELETE, PATCH, OPTIONS",
        ))
        .insert_header(("Access-Control-Max-Age", "1728000"))
        .insert_header((
            "Access-Control-Allow-Headers",
            "Content-Type, Depth, User-Agent, X-File-Size, X-Requested-With, If-Modified-Since, \
             X-File-Name, Cache-Control, Accept-Language",
        ));
}

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
    let credentials = Credentials::parse(header("Authorization"));
    let impersonate = header("From")
        .map(|v| ("From", v))
        .or_else(|| header("X-On-Behalf-Of").map(|v| ("X-On-Behalf-Of", v)));
    Ok(authenticate(
        &state.records,
        &|token| state.token(token),
        &credentials,
        impersonate,
    )?)
}

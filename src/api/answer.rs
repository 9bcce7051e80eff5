//! What every successful answer of Zammad's routes carries: the JSON content type, the
//! action's headers (no caching, CORS after Basic or Token authentication,
//! `sets_headers.rb`), built once; and the `OPTIONS` preflight's CORS headers.

use std::sync::LazyLock;

use actix_web::http::header::{
    HeaderMap, HeaderName, HeaderValue, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_MAX_AGE, CACHE_CONTROL, CONTENT_TYPE, EXPIRES,
    PRAGMA,
};
use actix_web::{HttpResponse, HttpResponseBuilder};

/// Zammad's JSON content type.
pub(super) const JSON_UTF8: &str = "application/json; charset=utf-8";

/// Zammad's CORS headers, sent after Basic or Token authentication (the mock has no sessions).
pub(super) fn add_cors_headers(response: &mut HttpResponseBuilder) {
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
pub(super) fn json_success(status: actix_web::http::StatusCode, body: String) -> HttpResponse {
    let mut response = HttpResponse::with_body(status, body).map_into_boxed_body();
    *response.headers_mut() = JSON_SUCCESS_HEADERS.clone();
    response
}

/// The headers of a JSON answer of an action that ran to the end (`sets_headers.rb`: no
/// caching, and the CORS headers), built once: inserting them one by one into every response
/// showed up in profiles of the seed's GET (a tenth of the handler's instructions).
pub(super) static JSON_SUCCESS_HEADERS: LazyLock<HeaderMap> = LazyLock::new(|| {
    let mut headers = HeaderMap::with_capacity(1 + NO_CACHE_HEADERS.len() + CORS_HEADERS.len());
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    for (name, value) in NO_CACHE_HEADERS.iter().chain(&CORS_HEADERS) {
        headers.insert(name.clone(), HeaderValue::from_static(value));
    }
    headers
});

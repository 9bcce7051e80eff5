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
    set_success_headers(response.headers_mut());
    response
}

/// Puts the headers of a JSON answer of an action that ran to the end into `headers`
/// (`sets_headers.rb`: no caching, and the CORS headers).
///
/// The names and values are built once and cloned in (a clone of a static value is a
/// pointer copy). Inserting into the response's own map keeps the capacity its pooled head
/// already has: assigning a cloned `HeaderMap` instead freed that table and allocated a new
/// one, 2,300 of the seed's GET's 31,700 instructions; inserting names parsed and values
/// checked on every response had been a tenth of the handler's.
pub(super) fn set_success_headers(headers: &mut HeaderMap) {
    for (name, value) in JSON_SUCCESS_HEADERS.iter() {
        headers.insert(name.clone(), value.clone());
    }
}

static JSON_SUCCESS_HEADERS: LazyLock<Vec<(HeaderName, HeaderValue)>> = LazyLock::new(|| {
    let content_type = (CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    let rest = NO_CACHE_HEADERS.iter().chain(&CORS_HEADERS);
    std::iter::once(content_type)
        .chain(rest.map(|(name, value)| (name.clone(), HeaderValue::from_static(value))))
        .collect()
});

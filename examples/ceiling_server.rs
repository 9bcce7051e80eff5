//! The ceiling for `benches/http.sh`: an actix-web server that answers every request with the
//! seed's GET response, precomputed, and the same headers as the mock. Whatever the real
//! handler does beyond this (authentication, lookup, filtering, assets, assembly) shows up as
//! the gap between the two.
//!
//! `cargo run --release --example ceiling_server -- 127.0.0.1:39911 [WORKERS]`

use std::sync::LazyLock;

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, App, HttpResponse, HttpServer};

const BODY: &str = include_str!("../tests/fixtures/seed-get-147469.json");

/// The mock's headers for a JSON success, precomputed like the body.
static HEADERS: LazyLock<HeaderMap> = LazyLock::new(|| {
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("content-type", "application/json; charset=utf-8"),
        (
            "cache-control",
            "no-cache, no-store, max-age=0, must-revalidate",
        ),
        ("pragma", "no-cache"),
        ("expires", "-1"),
        ("access-control-allow-origin", "*"),
        (
            "access-control-allow-methods",
            "POST, GET, PUT, DELETE, PATCH, OPTIONS",
        ),
        ("access-control-max-age", "1728000"),
        (
            "access-control-allow-headers",
            "Content-Type, Depth, User-Agent, X-File-Size, X-Requested-With, If-Modified-Since, \
             X-File-Name, Cache-Control, Accept-Language",
        ),
    ] {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    headers
});

async fn seed() -> HttpResponse {
    let mut response = HttpResponse::with_body(StatusCode::OK, BODY).map_into_boxed_body();
    *response.headers_mut() = HEADERS.clone();
    response
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let bind = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:39911".to_owned());
    let workers = std::env::args()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(2);
    HttpServer::new(|| App::new().default_service(web::to(seed)))
        .workers(workers)
        .bind(bind)?
        .run()
        .await
}

//! The ceiling for `benches/http.sh`: an actix-web server that answers every request with the
//! seed's GET response, precomputed, and the same headers as the mock. Whatever the real
//! handler does beyond this (authentication, lookup, filtering, assets, assembly) shows up as
//! the gap between the two.
//!
//! `cargo run --release --example ceiling_server -- 127.0.0.1:39911 [WORKERS]`

use actix_web::{web, App, HttpResponse, HttpServer};

const BODY: &str = include_str!("../tests/fixtures/seed-get-147469.json");

async fn seed() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Content-Type", "application/json; charset=utf-8"))
        .insert_header((
            "Cache-Control",
            "no-cache, no-store, max-age=0, must-revalidate",
        ))
        .insert_header(("Pragma", "no-cache"))
        .insert_header(("Expires", "-1"))
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
        ))
        .body(BODY)
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

//! The admin API under the reserved prefix `/__mock/`, which is never part of Zammad's API.

use actix_web::HttpResponse;

/// `GET /__mock/health`: 200 `{"status":"ok"}`.
pub async fn health() -> HttpResponse {
    HttpResponse::Ok()
        .content_type(super::JSON_UTF8)
        .body("{\"status\":\"ok\"}")
}

//! `GET /api/v1/version` (`VersionController#index`): `{"version": "…"}`, the running
//! profile's release, for callers with `admin.version` (its policy's `default_permit!`).
//! Clients use it to tell which Zammad they talk to.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};

use super::extract::{state, Body};
use super::{json_success, ApiError};
use crate::auth::Caller;

/// `GET /api/v1/version`: 200 `{"version": "5.0.3"}` and so on, 403 "Not authorized" for a
/// caller without `admin.version` (`controllers/version_controller_policy.rb`, the same in
/// 2021 and 2023).
pub(super) async fn show_version(
    req: HttpRequest,
    _body: Body,
    caller: Result<Caller, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let caller = caller?;
    let state = state(&req)?;
    if !caller.has_permission("admin.version") {
        return Err(ApiError::NotAuthorized);
    }
    let body = serde_json::json!({ "version": state.profile().version }).to_string();
    Ok(json_success(StatusCode::OK, body))
}

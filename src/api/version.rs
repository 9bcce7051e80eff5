//! `GET /api/v1/version` (`VersionController#index`): `{"version": "…"}`, the running
//! release's, for callers with `admin` (its policy's `default_permit!`). Clients use it to
//! tell which Zammad they talk to.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use super::answer::json_success;
use super::extract::Call;
use super::ApiError;
use crate::refusal::Refusal;

/// `GET /api/v1/version`: 200 `{"version": …}`, the running release's; refused for a caller
/// without `admin` (`controllers/version_controller_policy.rb`).
pub(super) async fn show_version(call: Call) -> Result<HttpResponse, ApiError> {
    let caller = call.caller()?;
    // `default_permit!('admin.version')` (5.0) and `('admin')` (2023 on): a permission
    // without a dot is met only by itself, and `admin.version` does not exist, so either way
    // only the holder of `admin` passes.
    if !caller.has_permission("admin") {
        return Err(call.refusal(Refusal::PermissionMissing {
            by_token: caller.by_token(),
            token_denied: caller.user_has_permission("admin"),
        }));
    }
    let body = serde_json::json!({ "version": call.release().version() }).to_string();
    Ok(json_success(StatusCode::OK, body))
}

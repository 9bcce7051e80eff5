//! The request journal as a middleware: after a Zammad API call was answered, note what it
//! asked and how it was answered. The mock's own routes under `/__mock/` are never noted:
//! the journal is about the calls a Zammad client makes.
//!
//! The extractors leave the body and the authenticated user in the request's extensions
//! ([`NotedBody`], [`NotedUser`]) only while the journal is on, so that a run with the
//! journal off pays nothing for it.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpRequest};

use crate::journal::{Journal, JournalEntry};
use crate::model::Millis;

/// The body of the request being answered.
pub(super) struct NotedBody(pub(super) web::Bytes);

/// The user the request being answered acted as, once authenticated.
pub(super) struct NotedUser(pub(super) i64);

/// Whether a request's call is noted.
pub(super) struct Noted;

impl Noted {
    /// Whether `req` will be noted, so its extractors should leave what the journal needs.
    pub(super) fn is_wanted(req: &HttpRequest) -> bool {
        !req.path().starts_with("/__mock/")
            && req
                .app_data::<web::Data<Journal>>()
                .is_some_and(|journal| journal.is_enabled())
    }
}

/// Answers the request, then notes it in the journal.
pub(super) async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if !Noted::is_wanted(req.request()) {
        return next.call(req).await;
    }
    let response = next.call(req).await?;
    let request = response.request();
    if let Some(journal) = request.app_data::<web::Data<Journal>>() {
        let extensions = request.extensions();
        journal.record(JournalEntry {
            method: request.method().to_string(),
            path: request.path().to_owned(),
            query: request.query_string().to_owned(),
            body: JournalEntry::body_value(extensions.get::<NotedBody>().map_or(&[], |b| &b.0)),
            status: response.status().as_u16(),
            user: extensions.get::<NotedUser>().map(|user| user.0),
            time: Millis::now().to_string(),
        });
    }
    Ok(response)
}

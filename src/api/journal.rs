//! The request journal as a middleware ([`RecordCalls`]): after a Zammad API call was
//! answered, note what it asked and how it was answered. The mock's own routes under
//! `/__mock/` are never noted: the journal is about the calls a Zammad client makes.
//!
//! The middleware marks a request it will note ([`Noted`]); only then do the extractors
//! leave the body and the authenticated user in the request's extensions ([`NotedBody`],
//! [`NotedUser`]). With the journal off the middleware only passes requests on and the
//! extractors find no mark: a load run pays next to nothing for the journal.
//!
//! A hand-written `Transform` rather than `middleware::from_fn`: noting a call never changes
//! the response, so the body type stays the service's own, and the seed's GET pays neither a
//! boxed future nor a body conversion (both showed in instruction counts).

use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::{web, HttpMessage, HttpRequest};

use crate::journal::{Journal, JournalEntry};
use crate::model::Millis;

/// The body of the request being answered.
pub(super) struct NotedBody(pub(super) web::Bytes);

/// The user the request being answered acted as, once authenticated.
pub(super) struct NotedUser(pub(super) i64);

/// The mark of a request whose call will be noted.
pub(super) struct Noted;

impl Noted {
    /// Whether `req` will be noted, so its extractors should leave what the journal needs.
    #[inline]
    pub(super) fn is_wanted(req: &HttpRequest) -> bool {
        req.extensions().contains::<Noted>()
    }
}

/// Notes every Zammad API call in the journal; with `None` (the journal is off) it only
/// passes requests on.
pub(super) struct RecordCalls(pub(super) Option<web::Data<Journal>>);

impl<S, B> Transform<S, ServiceRequest> for RecordCalls
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Transform = RecordCallsService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RecordCallsService {
            service: Rc::new(service),
            journal: self.0.clone(),
        }))
    }
}

/// The service [`RecordCalls`] wraps around the app.
pub(super) struct RecordCallsService<S> {
    service: Rc<S>,
    journal: Option<web::Data<Journal>>,
}

impl<S, B> Service<ServiceRequest> for RecordCallsService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Future = Recording<S::Future>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let journal = self
            .journal
            .as_ref()
            .filter(|_| !req.path().starts_with("/__mock/"))
            .cloned();
        if journal.is_some() {
            req.extensions_mut().insert(Noted);
        }
        Recording {
            answering: self.service.call(req),
            journal,
        }
    }
}

pin_project_lite::pin_project! {
    /// The answer being made, noted in `journal` once it is there.
    pub(super) struct Recording<F> {
        #[pin]
        answering: F,
        journal: Option<web::Data<Journal>>,
    }
}

impl<F, B> Future for Recording<F>
where
    F: Future<Output = Result<ServiceResponse<B>, actix_web::Error>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Poll::Ready(answered) = this.answering.poll(cx) else {
            return Poll::Pending;
        };
        if let (Ok(response), Some(journal)) = (&answered, this.journal.take()) {
            note(&journal, response);
        }
        Poll::Ready(answered)
    }
}

fn note<B>(journal: &Journal, response: &ServiceResponse<B>) {
    let request = response.request();
    let extensions = request.extensions();
    journal.record(JournalEntry {
        method: request.method().to_string(),
        path: request.path().to_owned(),
        query: request.query_string().to_owned(),
        body: JournalEntry::body_value(extensions.get::<NotedBody>().map_or(&[], |b| &b.0)),
        status: response.status().as_u16(),
        user: extensions.get::<NotedUser>().map(|user| user.0),
        time: Millis::now().to_string(),
        fault: extensions
            .get::<super::faults::FaultNote>()
            .map(|note| note.0.clone()),
    });
}

//! `zammad-links-mock`: the Zammad helpdesk's Links REST API (`GET /api/v1/links`,
//! `POST /api/v1/links/add`, `DELETE /api/v1/links/remove`) answered exactly as Zammad 5.0
//! does, from memory, with every write persisted in sled.
//!
//! Start it in a test on a free port, with the default data set (the user's example from a
//! real Zammad) or fixtures of your own; it stops when the handle is dropped:
//!
//! ```
//! use zammad_links_mock::MockServer;
//!
//! // Arrange
//! let server = MockServer::start();
//! // Act: any HTTP client; here a plain TCP request to stay dependency-free.
//! use std::io::{Read, Write};
//! let mut stream = std::net::TcpStream::connect(server.address()).unwrap();
//! stream
//!     .write_all(b"GET /__mock/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
//!     .unwrap();
//! let mut answer = String::new();
//! stream.read_to_string(&mut answer).unwrap();
//! // Assert
//! assert!(answer.starts_with("HTTP/1.1 200"));
//! assert!(answer.ends_with("{\"status\":\"ok\"}"));
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod api;
pub mod assets;
pub mod auth;
pub mod capture;
pub mod catalog;
pub mod cli;
pub mod exchange;
pub mod fixtures;
pub mod generate;
pub mod graph;
pub mod journal;
pub mod model;
pub mod params;
pub mod records;
mod server;
pub mod state;
pub mod store;

pub use api::AdminAccess;
pub use fixtures::{FixtureDocument, FixtureError};
pub use journal::JournalEntry;
pub use model::{LinkRow, ObjectRef};
pub use server::{MockServer, MockServerBuilder, StartError, StoreMode};

/// An error and all its causes on one line, `outer: cause: root cause`.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

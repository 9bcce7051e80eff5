//! Faults on demand: rules that make the mock a Zammad in trouble — slow, rate-limited, down
//! or broken — for the calls a test names, so that a client's retries, back-off and timeouts
//! can be tested.
//!
//! This module owns what a rule *is* and *decides*, with no HTTP in it: the rule ([`rule`])
//! and its JSON form with every refusal naming its place ([`json`]), which of Zammad's routes
//! a call is ([`route`]), the live set of rules with their counters, the seeded fractions and
//! the run-wide latency ([`registry`]), and the bodies of Zammad's own failures with where
//! each comes from ([`answer`]). Running a decision — waiting, answering, dropping the
//! connection — and the admin routes under `/__mock/faults` are `api::faults`'s.
//!
//! Rules are test-time weather, not Zammad data: they live in memory only, never in sled, and
//! do not survive a restart. `POST /__mock/reset` takes the state back to start-up, and so the
//! rules back to the start-up rules (`--faults FILE` or the builder's), counters at zero.

pub(crate) mod answer;
mod json;
mod registry;
mod route;
mod rule;

pub use registry::FaultStatus;
pub use route::ZammadRoute;
pub use rule::{
    CallerMatch, Delay, DelayParseError, Fault, FaultRule, FaultsError, HoldEnd, PathMatch,
};

pub(crate) use registry::{CallerFacts, Faults};

/// The longest any rule may make a call wait (latency, hold): 300 s, the `proxy_read_timeout`
/// of Zammad's own nginx configuration (`contrib/nginx/zammad.conf`, `location /`), after
/// which the web server in front of a real Zammad gives up too. It keeps a test from ever
/// hanging the server.
pub const MAX_WAIT_MS: u64 = 300_000;

/// Why a faults file (`--faults FILE`) could not be used.
#[derive(Debug, thiserror::Error)]
pub enum FaultsFileError {
    /// The file cannot be read.
    #[error("cannot read faults file {path}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a valid faults document; the error names the place.
    #[error("faults file {path} is invalid")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong, and where.
        #[source]
        source: FaultsError,
    },
}

/// Reads the faults document at `path` (`{"faults": [rule, …]}`), whole or not at all.
///
/// # Errors
/// When the file cannot be read or is not a valid document.
pub fn read_faults_file(path: &std::path::Path) -> Result<Vec<FaultRule>, FaultsFileError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| FaultsFileError::Io {
        path: shown.clone(),
        source,
    })?;
    FaultRule::document_from_json(&text).map_err(|source| FaultsFileError::Invalid {
        path: shown,
        source,
    })
}

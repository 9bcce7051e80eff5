//! The integration suite: every test talks HTTP to a real server on a free loopback port,
//! with a real sled database in a temporary folder.

/// `TestApp`, the fixture builder and typed calls. Start here when writing a test.
mod helpers;

/// The three link calls: parameters, directions, order, duplicates, errors, side effects.
mod links;

/// The `assets` sideload: what is pulled in, in which order, and what each caller sees.
mod assets;

/// Authentication, permissions, per-user filtering and response headers.
mod auth;

/// Restarts on the same database, `--reset`, and the binary's start-up errors.
mod persistence;

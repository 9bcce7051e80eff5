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

/// What the links list reuses between requests, and every change that must show at once.
mod memoised;

/// The ticket and user calls that link workflows make.
mod tickets;

/// Creating, changing and deleting the tickets an integration links, and their articles
/// (issue 22), for every release line.
mod ticket_calls;

/// The admin API under `/__mock/`.
mod admin;

/// The in-process `MockServer` API, under each test runtime.
mod library;

/// Graceful shutdown, damaged databases, hostile input, concurrency and `kill -9`.
mod robustness;

/// Restarts on the same database, `--reset`, and the binary's start-up errors.
mod persistence;

/// Start-up from a fixture file, streamed; reset reads it again, or refuses when it changed.
mod startfile;

/// The five behaviour lines 5.0, 6.5, 7.0, 7.2 and 7.3 (issues 12 and 21), each on its
/// default data set; `--zammad-version` as the spec's §10.6 maps a release to its line.
mod releases;

/// Regression tests, each named after the issue that found it.
mod regression;

/// A model-based property test: random add/remove/list/merge/reset/restart sequences, with
/// ticket creates (with links) and deletes.
mod model;

/// Damaged database folders: truncated, zeroed, missing files, garbage, a file for a folder.
mod damage;

/// The page at `/__mock/ui` in headless Chromium, and `GET /__mock/graph` behind it.
mod ui;

/// Faults on demand (issue 24): latency, replaced answers, dropped and held connections,
/// Zammad's named failures; matching, counts, seeded fractions, reset, `--faults FILE`.
mod faults;

/// `capture` (issue 14): a mock stands in for a real Zammad, a second one serves the file;
/// the failures are played by small fake servers. Also the mock's ticket index.
mod capture;

/// The container image under chroot as PID 1, and `cargo install --path .` (issue 25); both
/// `#[ignore]`d, run by `.ci/container` once it has built the image and the installed binary.
mod container;

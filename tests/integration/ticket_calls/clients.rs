//! Real clients' own use (issue 22, "How it is shown"): zammad-py and zammadoo from PyPI
//! create tickets, link, list, unlink and delete them against every release line
//! (`tests/clients/python_ticket_clients.py`), and find a ticket by number with their search
//! call, link it, merge two tickets and list the links afterwards (issue 23,
//! `tests/clients/python_search_merge.py`); and the official PHP client's own
//! `test/Integration/LinkIntegrationTest.php`, `TicketIntegrationTest.php` and
//! `SearchIntegrationTest.php`
//! (zammad-api-client-php 3.x) with Debian's PHP, Guzzle and PHPUnit and no Composer
//! (`tests/clients/php_bootstrap.php`), when they are there (skipped, saying so, when not).

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{every_line, App, Column};
use crate::helpers::AGENT;

/// Runs `tests/clients/<script>` with the mock's address and the line's name, against a
/// fresh mock on the default data set of every line; the script exits non-zero on the first
/// difference it sees.
fn python_script_passes_on_every_line(script: &str) {
    let python = crate::releases::python_with_clients();
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clients")
        .join(script);
    for version in every_line() {
        let app = App::start(version);
        // Act
        let output = Command::new(&python)
            .arg(&script)
            .arg(app.server.uri())
            .arg(version.line_name())
            .output()
            .unwrap();
        // Assert
        assert!(
            output.status.success(),
            "{version:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn zammad_py_and_zammadoo_create_link_unlink_and_delete_tickets_on_every_line() {
    python_script_passes_on_every_line("python_ticket_clients.py");
}

#[test]
fn zammad_py_and_zammadoo_find_by_number_link_merge_and_list_on_every_line() {
    python_script_passes_on_every_line("python_search_merge.py");
}

/// Where the PHP client's 3.x tree is: `ZAMMAD_LINKS_MOCK_TEST_PHP_CLIENT` (a checkout of
/// `zammad/zammad-api-client-php` at a 3.x tag), if set.
fn php_client() -> Option<PathBuf> {
    std::env::var_os("ZAMMAD_LINKS_MOCK_TEST_PHP_CLIENT").map(PathBuf::from)
}

/// Whether `program --version` runs.
fn runs(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_php_clients_own_link_and_ticket_tests_pass_where_zammad_takes_their_set_up() {
    let (Some(client), true, true) = (php_client(), runs("php"), runs("phpunit")) else {
        eprintln!(
            "skipped: needs php and phpunit (Debian: php-cli phpunit php-guzzlehttp-guzzle \
             php-guzzlehttp-psr7 php-psr-log php-psr-http-client php-psr-http-factory) and \
             ZAMMAD_LINKS_MOCK_TEST_PHP_CLIENT naming a checkout of zammad-api-client-php 3.x"
        );
        return;
    };
    let bootstrap = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/php_bootstrap.php");
    for version in every_line() {
        // Its set-up creates tickets without an article, which Zammad 5.0 refuses ("article
        // hash is missing"), as a real 5.0 does; later lines take it, and its ticket tests too.
        // Its search test creates nothing, so it runs on every line (issue 23).
        let files: &[(&str, &str)] = match Column::of(version) {
            Column::V50 => &[
                ("LinkIntegrationTest", "article hash is missing"),
                ("SearchIntegrationTest", "OK (2 tests"),
            ],
            Column::V65 | Column::V701 => &[
                ("LinkIntegrationTest", "OK (3 tests"),
                ("TicketIntegrationTest", "OK (9 tests"),
                ("SearchIntegrationTest", "OK (2 tests"),
            ],
        };
        for (file, expected) in files {
            let app = App::start(version);
            // Act: the client's own test, unchanged, against the mock.
            let output = Command::new("phpunit")
                .current_dir(&client)
                .arg("--bootstrap")
                .arg(&bootstrap)
                .arg("--no-configuration")
                .arg(format!("test/Integration/{file}.php"))
                .env("ZAMMAD_PHP_API_CLIENT_UNIT_TESTS_URL", app.server.uri())
                .env("ZAMMAD_PHP_API_CLIENT_UNIT_TESTS_USERNAME", AGENT.0)
                .env("ZAMMAD_PHP_API_CLIENT_UNIT_TESTS_PASSWORD", AGENT.1)
                .env("ZAMMAD_PHP_CLIENT_SRC", client.join("src"))
                .output()
                .unwrap();
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            // Assert
            assert_eq!(
                output.status.success(),
                expected.starts_with("OK"),
                "{version:?} {file}: {text}"
            );
            assert!(text.contains(expected), "{version:?} {file}: {text}");
        }
    }
}

//! `capture` over HTTPS (issue 14: "a real Zammad is behind TLS"). The mock speaks plain
//! HTTP, so a small TLS-terminating front on 127.0.0.1 (tokio-rustls) forwards to it, with a
//! CA and a `localhost` / 127.0.0.1 server certificate made at test time (rcgen). The binary
//! captures through the front with `--ca-cert`, and fails in one line without it.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use tempfile::TempDir;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;
use zammad_links_mock::{FixtureDocument, MockServer};

use super::{
    assert_round_trip, captured_tickets, entries, files_in, links, reach, serve, start_mock, Login,
    DEFAULT_TOKEN,
};

/// A test CA (as PEM, for `--ca-cert`) and the server certificate it signed for
/// `localhost` and 127.0.0.1, with the server's key.
struct Pki {
    ca_pem: String,
    server_chain: Vec<CertificateDer<'static>>,
    server_key: PrivateKeyDer<'static>,
}

fn pki() -> Pki {
    let ca_key = KeyPair::generate().expect("a CA key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "zammad-links-mock test CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca.self_signed(&ca_key).expect("a CA certificate");
    let issuer = Issuer::from_params(&ca, &ca_key);

    let server_key = KeyPair::generate().expect("a server key");
    let mut server = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .expect("server parameters");
    server
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_cert = server
        .signed_by(&server_key, &issuer)
        .expect("a server certificate");
    Pki {
        ca_pem: ca_cert.pem(),
        server_chain: vec![server_cert.der().clone()],
        server_key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
    }
}

/// The TLS front: accepts TLS on 127.0.0.1 and copies bytes both ways to the mock. Stops
/// when dropped (with its runtime).
struct TlsFront {
    port: u16,
    /// Completed TLS handshakes, so that a test can tell the capture really went through TLS.
    handshakes: Arc<AtomicUsize>,
    _runtime: tokio::runtime::Runtime,
}

fn tls_front(upstream: &MockServer, pki: &Pki) -> TlsFront {
    let upstream = upstream.address();
    // The provider is named, not taken from the process default, which two enabled
    // providers would make ambiguous.
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS versions")
    .with_no_client_auth()
    .with_single_cert(pki.server_chain.clone(), pki.server_key.clone_key())
    .expect("the server certificate and key match");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .build()
        .expect("a runtime");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("a loopback port");
    let port = listener.local_addr().expect("its address").port();
    let handshakes = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&handshakes);
    runtime.spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let (acceptor, counted) = (acceptor.clone(), Arc::clone(&counted));
            tokio::spawn(async move {
                // A client that refuses the certificate ends the handshake; so does this.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                counted.fetch_add(1, Ordering::SeqCst);
                let Ok(mut plain) = tokio::net::TcpStream::connect(upstream).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    TlsFront {
        port,
        handshakes,
        _runtime: runtime,
    }
}

/// The binary's `capture` of ticket 147469 through `url`, with `extra` arguments.
fn capture_binary(url: &str, out: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zammad-links-mock"))
        .args(["capture", "--url", url, "--token", DEFAULT_TOKEN])
        .args(["--ticket", "147469", "--timeout", "10s", "--out"])
        .arg(out)
        .args(extra)
        .env("RUST_LOG", "off")
        .output()
        .expect("the binary runs")
}

#[test]
fn the_default_ticket_round_trips_captured_over_https_with_a_ca_cert() {
    // Arrange: the default data set behind TLS, the CA in a file.
    let first = start_mock(FixtureDocument::default_data());
    let pki = pki();
    let front = tls_front(&first, &pki);
    let dir = TempDir::new().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let out = dir.path().join("captured.json");
    let url = format!("https://localhost:{}", front.port);
    // Act
    let output = capture_binary(&url, &out, &["--ca-cert", ca.to_str().unwrap()]);
    // Assert
    assert!(output.status.success(), "{output:?}");
    assert!(
        front.handshakes.load(Ordering::SeqCst) > 0,
        "the capture did not go through TLS"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let token = stdout
        .lines()
        .find(|l| l.starts_with("new API token for test@test.de (user 3)"))
        .and_then(|l| l.rsplit(": ").next())
        .expect("a token line");
    assert_eq!(captured_tickets(&out), vec![147469, 147470, 147471]);
    let login = Login::Token(DEFAULT_TOKEN.into());
    let second = serve(&out);
    let (interior, all) = reach(&first, &login, &[147469], 1);
    assert_round_trip(&first, &login, &second, token, &interior, &all);
    // The first ticket read keeps its exact order, as over plain HTTP.
    let new = Login::Token(token.to_owned());
    assert_eq!(
        entries(&links(&second, &new, 147469)),
        entries(&links(&first, &login, 147469))
    );
}

#[test]
fn without_the_ca_cert_the_capture_fails_in_one_line_and_leaves_no_file() {
    // Arrange
    let first = start_mock(FixtureDocument::default_data());
    let pki = pki();
    let front = tls_front(&first, &pki);
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("captured.json");
    let url = format!("https://localhost:{}", front.port);
    // Act
    let output = capture_binary(&url, &out, &[]);
    // Assert
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!("zammad-links-mock: TLS with {url} failed")),
        "{stderr}"
    );
    assert!(
        stderr.contains("--ca-cert") && stderr.contains("UnknownIssuer"),
        "{stderr}"
    );
    assert_eq!(front.handshakes.load(Ordering::SeqCst), 0);
    assert_eq!(files_in(dir.path()), Vec::<String>::new());
}

#[test]
fn an_unusable_ca_cert_file_fails_in_one_line_before_any_request() {
    // Arrange: a front that counts connections would see none; a closed port says more
    // plainly that nothing is asked (a request would fail as "cannot connect").
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("https://localhost:{port}");
    let dir = TempDir::new().unwrap();
    let missing = dir.path().join("absent.pem");
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "no certificate here\n").unwrap();
    let out = dir.path().join("captured.json");
    for (file, says) in [
        (&missing, "cannot read the CA certificate file"),
        (&empty, "holds no PEM certificate"),
    ] {
        // Act
        let output = capture_binary(&url, &out, &["--ca-cert", file.to_str().unwrap()]);
        // Assert
        assert_eq!(output.status.code(), Some(2), "{output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with("zammad-links-mock: ")
                && stderr.contains(says)
                && stderr.contains(&*file.display().to_string()),
            "{stderr}"
        );
        assert!(!out.exists());
    }
    assert_eq!(files_in(dir.path()), vec!["empty.pem".to_owned()]);
}

//! `zammad-links-mock health`: the container's health check, one `GET /__mock/health` against
//! a running mock, answered by the exit code (0 healthy, 1 not), as Docker's `HEALTHCHECK`
//! reads it. It owns only that probe; the endpoint itself is `api::admin`'s.
//!
//! The image is built `FROM scratch`, so there is no shell and no curl to run a check with:
//! the binary checks itself. The probe is written on `std::net` rather than with reqwest
//! because it needs one plain-HTTP request to an IP address and nothing else: no TLS, no name
//! lookup (a static glibc binary in an empty root file system has no NSS to look names up
//! with), no async runtime started every few seconds, and it keeps working when the `cli`
//! feature's HTTP client is left out.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

/// How long the probe waits to connect, and then for the answer. Docker's own `--timeout`
/// kills a check that hangs; this one gives up first and says why.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(3);

/// The most of an answer the probe reads: `{"status":"ok"}` and its headers are far less.
const MAX_ANSWER_BYTES: u64 = 16 * 1024;

/// Why the mock is not healthy.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HealthError {
    /// Nothing answered on the address.
    #[error("nothing answers on {address}")]
    Connect {
        /// The address probed.
        address: SocketAddr,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The connection broke or timed out before a whole answer.
    #[error("no answer from {address}")]
    Io {
        /// The address probed.
        address: SocketAddr,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Something answered, but not as the mock's health endpoint does.
    #[error("{address} answered {status_line:?}, not 200 {{\"status\":\"ok\"}}")]
    Unhealthy {
        /// The address probed.
        address: SocketAddr,
        /// The answer's first line.
        status_line: String,
    },
}

/// The address to probe for a server told to bind `bind`: an unspecified address (`0.0.0.0`,
/// `::`, as in the container) is reached on loopback of the same family.
pub(crate) fn probe_address(bind: SocketAddr) -> SocketAddr {
    let ip = match bind.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, bind.port())
}

/// One `GET /__mock/health` to `address`.
///
/// # Errors
/// [`HealthError`] when nothing answers in time or the answer is not `200 {"status":"ok"}`.
pub(crate) fn probe(address: SocketAddr, timeout: Duration) -> Result<(), HealthError> {
    let io = |source| HealthError::Io { address, source };
    let mut stream = TcpStream::connect_timeout(&address, timeout)
        .map_err(|source| HealthError::Connect { address, source })?;
    stream.set_read_timeout(Some(timeout)).map_err(io)?;
    stream.set_write_timeout(Some(timeout)).map_err(io)?;
    // HTTP/1.0 with `Connection: close`: the server ends the answer by closing, so reading
    // to the end needs no parsing of lengths or chunks. One write (not `write!`, which
    // writes piece by piece), so that the request is whole before the server can answer.
    let request =
        format!("GET /__mock/health HTTP/1.0\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).map_err(io)?;
    let mut answer = Vec::new();
    stream
        .take(MAX_ANSWER_BYTES)
        .read_to_end(&mut answer)
        .map_err(io)?;
    let answer = String::from_utf8_lossy(&answer);
    let status_line = answer.lines().next().unwrap_or_default();
    let is_ok = status_line.split(' ').nth(1) == Some("200")
        && answer
            .split_once("\r\n\r\n")
            .is_some_and(|(_, body)| body.trim() == r#"{"status":"ok"}"#);
    if is_ok {
        Ok(())
    } else {
        Err(HealthError::Unhealthy {
            address,
            status_line: status_line.to_owned(),
        })
    }
}

/// The subcommand: probe the mock that `bind` describes; silent when healthy, one line on
/// standard error when not. Exit code 1 for unhealthy, because Docker reserves 2.
pub(crate) fn main(bind: SocketAddr) -> ExitCode {
    match probe(probe_address(bind), TIMEOUT) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("zammad-links-mock health: {}", crate::error_chain(&error));
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// A one-shot server on a free port that answers `answer` to the first request.
    fn answering(answer: &'static str) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            // The whole request first, as a server does: answering and closing earlier
            // would make the client's write fail instead.
            let mut request = Vec::new();
            let mut byte = [0u8; 1];
            while !request.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                request.push(byte[0]);
            }
            stream.write_all(answer.as_bytes()).unwrap();
        });
        address
    }

    #[test]
    fn an_unspecified_bind_is_probed_on_loopback_of_its_family() {
        assert_eq!(
            probe_address("0.0.0.0:3000".parse().unwrap()),
            "127.0.0.1:3000".parse::<SocketAddr>().unwrap()
        );
        assert_eq!(
            probe_address("[::]:3000".parse().unwrap()),
            "[::1]:3000".parse::<SocketAddr>().unwrap()
        );
        assert_eq!(
            probe_address("10.1.2.3:80".parse().unwrap()),
            "10.1.2.3:80".parse::<SocketAddr>().unwrap()
        );
    }

    #[test]
    fn the_mocks_own_answer_is_healthy() {
        // Arrange
        let address = answering(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{\"status\":\"ok\"}",
        );
        // Act
        let result = probe(address, TIMEOUT);
        // Assert
        assert!(result.is_ok(), "{result:?}");
    }

    #[test]
    fn another_servers_200_is_not_healthy() {
        // Arrange: something else on the port, answering 200 to anything.
        let address = answering("HTTP/1.1 200 OK\r\n\r\n<html>hello</html>");
        // Act
        let result = probe(address, TIMEOUT);
        // Assert
        assert!(
            matches!(&result, Err(HealthError::Unhealthy { status_line, .. }) if status_line == "HTTP/1.1 200 OK"),
            "{result:?}"
        );
    }

    #[test]
    fn a_closed_port_is_not_healthy_and_says_so() {
        // Arrange: a port that was free a moment ago.
        let address = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        // Act
        let error = probe(address, TIMEOUT).unwrap_err();
        // Assert
        assert!(matches!(error, HealthError::Connect { .. }), "{error:?}");
        assert!(error
            .to_string()
            .starts_with("nothing answers on 127.0.0.1:"));
    }
}

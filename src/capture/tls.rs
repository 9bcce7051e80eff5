//! TLS for capture: the certificates of a `--ca-cert` file (a Zammad behind a company CA),
//! checked as rustls will check them so that a bad file is named in one line, and the rustls
//! error under a failed request, so that an untrusted certificate is said as such.

use std::path::{Path, PathBuf};

use reqwest::Certificate;
use rustls::pki_types::pem::{self, PemObject as _};
use rustls::pki_types::CertificateDer;

/// Why a `--ca-cert` file cannot be used. Each names the file.
#[derive(Debug, thiserror::Error)]
pub enum CaCertError {
    /// The file cannot be read.
    #[error("cannot read the CA certificate file {path}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not well-formed PEM.
    #[error("{path} is not a PEM certificate file ({reason})")]
    NotPem {
        /// The file.
        path: PathBuf,
        /// What is wrong, in one line.
        reason: String,
    },
    /// The file holds no `CERTIFICATE` section.
    #[error("{path} holds no PEM certificate (no -----BEGIN CERTIFICATE----- section)")]
    NoCertificate {
        /// The file.
        path: PathBuf,
    },
    /// A section is PEM but not a certificate rustls can trust.
    #[error("certificate {index} in {path} is not a valid X.509 certificate ({reason})")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Its place in the file, from 1.
        index: usize,
        /// What rustls said.
        reason: String,
    },
}

/// The certificates of the PEM file `path` (one or more `CERTIFICATE` sections; other
/// sections, such as a key, are skipped), for `ZammadClient::new`'s `roots`.
///
/// Each is checked here as rustls will check it, because reqwest only parses them when the
/// client is built, and then says "builder error" without naming the file.
///
/// # Errors
/// [`CaCertError`] for an unreadable file, broken PEM, no certificate or a bad one.
pub fn load_ca_certs(path: &Path) -> Result<Vec<Certificate>, CaCertError> {
    let bytes = std::fs::read(path).map_err(|source| CaCertError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    let mut roots = Vec::new();
    for (n, section) in CertificateDer::pem_slice_iter(&bytes).enumerate() {
        let der = section.map_err(|error| CaCertError::NotPem {
            path: path.to_path_buf(),
            reason: pem_reason(&error),
        })?;
        rustls::RootCertStore::empty()
            .add(der.clone())
            .map_err(|error| CaCertError::Invalid {
                path: path.to_path_buf(),
                index: n + 1,
                reason: match error {
                    // Its Display says "invalid peer certificate", which this is not.
                    rustls::Error::InvalidCertificate(why) => format!("{why:?}"),
                    other => other.to_string(),
                },
            })?;
        roots.push(
            Certificate::from_der(&der).map_err(|error| CaCertError::Invalid {
                path: path.to_path_buf(),
                index: n + 1,
                reason: error.to_string(),
            })?,
        );
    }
    if roots.is_empty() {
        return Err(CaCertError::NoCertificate {
            path: path.to_path_buf(),
        });
    }
    Ok(roots)
}

/// A PEM error in words; the marker lines are shown as text, not as the byte lists that
/// their `Display` prints.
fn pem_reason(error: &pem::Error) -> String {
    let line = |bytes: &[u8]| {
        String::from_utf8_lossy(bytes)
            .trim()
            .chars()
            .take(80)
            .collect::<String>()
    };
    match error {
        // `end_marker` is the section's label ("CERTIFICATE").
        pem::Error::MissingSectionEnd { end_marker } => {
            format!("its -----END {}----- line is missing", line(end_marker))
        }
        pem::Error::IllegalSectionStart { line: start } => {
            format!("malformed line {:?}", line(start))
        }
        other => other.to_string(),
    }
}

/// The rustls error under a failed request, when TLS is why it failed. It comes up inside
/// `io::Error`s (tokio-rustls wraps it, hyper-rustls wraps that again), and an `io::Error`'s
/// `source()` skips the error it wraps, so each link is also unwrapped with `get_ref`.
pub(super) fn tls_error(error: &reqwest::Error) -> Option<rustls::Error> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(link) = next {
        let mut inner = link;
        loop {
            if let Some(tls) = inner.downcast_ref::<rustls::Error>() {
                return Some(tls.clone());
            }
            match inner
                .downcast_ref::<std::io::Error>()
                .and_then(std::io::Error::get_ref)
            {
                Some(wrapped) => inner = wrapped,
                None => break,
            }
        }
        next = link.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;

    use super::super::client::{Credentials, Patience, ZammadClient};
    use super::*;

    /// A self-signed CA certificate made now, as PEM.
    fn ca_pem() -> String {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.self_signed(&key).unwrap().pem()
    }

    fn ca_file(text: &str) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut file, text.as_bytes()).unwrap();
        file
    }

    fn one_line(error: &CaCertError) -> String {
        let text = crate::error_chain(error);
        assert_eq!(text.lines().count(), 1, "{text}");
        text
    }

    #[test]
    fn a_bundle_gives_each_certificate_and_skips_other_sections() {
        let key = rcgen::KeyPair::generate().unwrap().serialize_pem();
        let file = ca_file(&format!("# a bundle\n{}{key}{}", ca_pem(), ca_pem()));
        let roots = load_ca_certs(file.path()).expect("two certificates");
        assert_eq!(roots.len(), 2);
        // And the client takes them.
        let token = Credentials::Token("t".into());
        ZammadClient::new("https://host", &token, Patience::default(), 1, roots).unwrap();
    }

    #[test]
    fn a_missing_file_names_itself_in_one_line() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("absent.pem");
        let error = load_ca_certs(&path).unwrap_err();
        assert!(matches!(error, CaCertError::Unreadable { .. }), "{error:?}");
        let text = one_line(&error);
        assert!(
            text.starts_with(&format!(
                "cannot read the CA certificate file {}: ",
                path.display()
            )),
            "{text}"
        );
    }

    #[test]
    fn a_file_without_certificates_is_refused() {
        for text in [
            "",
            "hello\n",
            &rcgen::KeyPair::generate().unwrap().serialize_pem(),
        ] {
            let file = ca_file(text);
            let error = load_ca_certs(file.path()).unwrap_err();
            assert!(
                matches!(error, CaCertError::NoCertificate { .. }),
                "{error:?}"
            );
            assert!(one_line(&error).contains("holds no PEM certificate"));
        }
    }

    #[test]
    fn broken_pem_is_refused_with_what_is_broken() {
        let pem = ca_pem();
        let cut = pem.replace("-----END CERTIFICATE-----", "");
        let damaged = pem.replacen("MII", "M!I", 1);
        for (text, says) in [
            (cut.as_str(), "-----END CERTIFICATE----- line is missing"),
            (damaged.as_str(), "base64"),
        ] {
            let file = ca_file(text);
            let error = load_ca_certs(file.path()).unwrap_err();
            assert!(matches!(error, CaCertError::NotPem { .. }), "{error:?}");
            let line = one_line(&error);
            assert!(line.contains(says), "{line}");
        }
    }

    #[test]
    fn a_section_that_is_no_certificate_is_refused_by_its_place() {
        let junk = base64::engine::general_purpose::STANDARD.encode(b"not a certificate at all");
        let file = ca_file(&format!(
            "{}-----BEGIN CERTIFICATE-----\n{junk}\n-----END CERTIFICATE-----\n",
            ca_pem()
        ));
        let error = load_ca_certs(file.path()).unwrap_err();
        assert!(
            matches!(error, CaCertError::Invalid { index: 2, .. }),
            "{error:?}"
        );
        assert!(one_line(&error).contains("certificate 2 in"));
    }
}

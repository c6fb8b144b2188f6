//! Reading the receiving server's verdict on a mail: the `Authentication-Results` header
//! (RFC 8601).
//!
//! An IMAP reader cannot check SPF or DMARC itself (it never saw the connecting IP), so it
//! trusts the verdict of the controller's own receiving server, and only that: the topmost
//! header whose `authserv-id` the config lists. Anyone can write an
//! `Authentication-Results` header into a mail; one from a server we do not run, or one
//! below our server's own, proves nothing and is ignored.

use serde::Serialize;

/// One method's result in a header: `dkim=pass header.d=example.test`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MethodResult {
    pub method: String,
    pub result: String,
    /// `ptype.property=value` pairs, e.g. ("header.d", "example.test").
    pub properties: Vec<(String, String)>,
}

/// A parsed header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthResults {
    pub authserv_id: String,
    pub results: Vec<MethodResult>,
}

/// What the trusted server said about the sender's domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Authentication {
    /// Whether the mail provably comes from the From: address's domain.
    pub passed: bool,
    /// The trusted server whose header was read; `None` when no header came from one.
    pub authserv_id: Option<String>,
    /// Why, in words staff can check against the header.
    pub why: String,
}

/// Parses one header value; `None` when it has no authserv-id.
pub fn parse(value: &str) -> Option<AuthResults> {
    let text = strip_comments(value);
    let mut parts = text.split(';');
    let authserv_id = parts
        .next()?
        .split_whitespace()
        .next()?
        .to_ascii_lowercase();
    let mut results = Vec::new();
    for part in parts {
        let mut words = part.split_whitespace();
        let Some((method, result)) = words.next().and_then(|w| w.split_once('=')) else {
            continue;
        };
        // A method may carry a version: "dkim/1=pass".
        let method = method
            .split('/')
            .next()
            .unwrap_or(method)
            .to_ascii_lowercase();
        let properties = words
            .filter_map(|w| w.split_once('='))
            .map(|(k, v)| (k.to_ascii_lowercase(), v.trim_matches('"').to_string()))
            .collect();
        results.push(MethodResult {
            method,
            result: result.to_ascii_lowercase(),
            properties,
        });
    }
    Some(AuthResults {
        authserv_id,
        results,
    })
}

/// Judges the mail's `Authentication-Results` headers (topmost first) for a From: address.
/// Passes on a DMARC pass whose `header.from` is the From: domain, or on a DKIM pass whose
/// signing domain shares the From: domain's organisational domain (relaxed alignment, RFC
/// 7489 § 3.1.1, by the public-suffix list). SPF alone never passes: it speaks of the
/// envelope sender, which the person never sees.
pub fn judge(headers: &[String], trusted: &[String], from_address: &str) -> Authentication {
    let from_domain = from_address
        .rsplit_once('@')
        .map(|(_, d)| d.trim().trim_end_matches('.').to_ascii_lowercase())
        .unwrap_or_default();
    let trusted_header = headers.iter().filter_map(|h| parse(h)).find(|h| {
        trusted
            .iter()
            .any(|t| t.eq_ignore_ascii_case(&h.authserv_id))
    });
    let Some(header) = trusted_header else {
        let why = if headers.is_empty() {
            "the mail has no Authentication-Results header".to_string()
        } else if trusted.is_empty() {
            "no receiving server is trusted ([identity] trusted_authserv_ids is empty)".to_string()
        } else {
            let ids: Vec<String> = headers
                .iter()
                .filter_map(|h| parse(h))
                .map(|h| h.authserv_id)
                .collect();
            format!(
                "no Authentication-Results from a trusted server (found: {})",
                ids.join(", ")
            )
        };
        return Authentication {
            passed: false,
            authserv_id: None,
            why,
        };
    };
    let property = |result: &MethodResult, name: &str| {
        result
            .properties
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim_end_matches('.').to_ascii_lowercase())
    };
    // DMARC evaluated the very From: domain: its header.from must say so (a pass for some
    // other domain, or for none named, says nothing about this mail's sender).
    for result in &header.results {
        if result.method == "dmarc"
            && result.result == "pass"
            && property(result, "header.from").as_deref() == Some(from_domain.as_str())
        {
            return Authentication {
                passed: true,
                authserv_id: Some(header.authserv_id.clone()),
                why: format!("{}: dmarc=pass for {from_domain}", header.authserv_id),
            };
        }
    }
    for result in &header.results {
        if result.method == "dkim" && result.result == "pass" {
            let domain = property(result, "header.d").or_else(|| {
                property(result, "header.i")
                    .and_then(|i| i.rsplit_once('@').map(|(_, d)| d.to_string()))
            });
            if let Some(domain) = domain.filter(|d| dkim_aligned(d, &from_domain)) {
                return Authentication {
                    passed: true,
                    authserv_id: Some(header.authserv_id.clone()),
                    why: format!("{}: dkim=pass signed by {domain}", header.authserv_id),
                };
            }
        }
    }
    let summary: Vec<String> = header
        .results
        .iter()
        .map(|r| format!("{}={}", r.method, r.result))
        .collect();
    Authentication {
        passed: false,
        authserv_id: Some(header.authserv_id.clone()),
        why: format!(
            "{}: {} (no DMARC pass or DKIM pass aligned with {from_domain})",
            header.authserv_id,
            if summary.is_empty() {
                "none".to_string()
            } else {
                summary.join(" ")
            }
        ),
    }
}

/// Relaxed DKIM alignment (RFC 7489 § 3.1.1): the signing domain and the From: domain have
/// the same organisational domain, by the public-suffix list. A signature by a public
/// suffix itself (`d=co.uk`, `d=fi`) aligns with nothing: anyone may register under it.
fn dkim_aligned(signer: &str, from_domain: &str) -> bool {
    let organisational = |domain: &str| psl::domain_str(domain).map(str::to_ascii_lowercase);
    match (organisational(signer), organisational(from_domain)) {
        (Some(signer), Some(from)) => signer == from,
        _ => false,
    }
}

/// Removes `(comments)`, which may nest and may hold `;` or `=`.
fn strip_comments(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut depth = 0usize;
    let mut quoted = false;
    for c in value.chars() {
        match c {
            '"' if depth == 0 => {
                quoted = !quoted;
                out.push(c);
            }
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRUSTED: &str = "mx.kestokauppa.example.test";

    fn trusted() -> Vec<String> {
        vec![TRUSTED.to_string()]
    }

    #[test]
    fn parses_methods_properties_and_comments() {
        let parsed = parse(
            "mx.kestokauppa.example.test 1; dkim=pass (2048-bit key; secure) header.d=example.test header.s=s1; spf=pass smtp.mailfrom=a@example.test; dmarc=pass (p=reject) header.from=example.test",
        )
        .expect("a header");
        assert_eq!(parsed.authserv_id, TRUSTED);
        let methods: Vec<_> = parsed.results.iter().map(|r| r.method.as_str()).collect();
        assert_eq!(methods, ["dkim", "spf", "dmarc"]);
        assert_eq!(
            parsed.results[0].properties[0],
            ("header.d".to_string(), "example.test".to_string())
        );
    }

    #[test]
    fn dmarc_or_aligned_dkim_from_a_trusted_server_passes() {
        let dmarc = vec![format!("{TRUSTED}; dmarc=pass header.from=example.test")];
        assert!(judge(&dmarc, &trusted(), "maija@example.test").passed);
        let dkim = vec![format!("{TRUSTED}; dkim=pass header.d=example.test")];
        assert!(judge(&dkim, &trusted(), "maija@mail.example.test").passed);
        let other_signer = vec![format!("{TRUSTED}; dkim=pass header.d=bulkmailer.test")];
        assert!(!judge(&other_signer, &trusted(), "maija@example.test").passed);
        let spf_only = vec![format!("{TRUSTED}; spf=pass smtp.mailfrom=example.test")];
        assert!(!judge(&spf_only, &trusted(), "maija@example.test").passed);
        let failed = vec![format!("{TRUSTED}; dmarc=fail header.from=example.test")];
        let verdict = judge(&failed, &trusted(), "maija@example.test");
        assert!(!verdict.passed);
        assert!(verdict.why.contains("dmarc=fail"), "{}", verdict.why);
    }

    /// Issue 11, item 11: a DMARC pass that names no domain, or another one, and a DKIM
    /// pass signed by a public suffix prove nothing of the sender.
    #[test]
    fn loose_passes_prove_nothing() {
        let unnamed = vec![format!("{TRUSTED}; dmarc=pass")];
        assert!(!judge(&unnamed, &trusted(), "maija@example.test").passed);
        let other = vec![format!("{TRUSTED}; dmarc=pass header.from=attacker.test")];
        assert!(!judge(&other, &trusted(), "maija@example.test").passed);
        for suffix in ["test", "fi", "co.uk", "github.io"] {
            let signed = vec![format!("{TRUSTED}; dkim=pass header.d={suffix}")];
            let from = format!("maija@shop.{suffix}");
            assert!(!judge(&signed, &trusted(), &from).passed, "d={suffix}");
        }
        // Aligned by the organisational domain, either way round.
        let parent = vec![format!("{TRUSTED}; dkim=pass header.d=example.co.uk")];
        assert!(judge(&parent, &trusted(), "maija@mail.example.co.uk").passed);
        let child = vec![format!("{TRUSTED}; dkim=pass header.d=mail.example.co.uk")];
        assert!(judge(&child, &trusted(), "maija@example.co.uk").passed);
        let sibling = vec![format!("{TRUSTED}; dkim=pass header.d=other.co.uk")];
        assert!(!judge(&sibling, &trusted(), "maija@example.co.uk").passed);
    }

    #[test]
    fn a_header_from_a_server_we_do_not_run_proves_nothing() {
        let forged = vec!["mx.attacker.test; dmarc=pass header.from=example.test".to_string()];
        let verdict = judge(&forged, &trusted(), "maija@example.test");
        assert!(!verdict.passed);
        assert!(verdict.why.contains("mx.attacker.test"), "{}", verdict.why);
        // Our server's own verdict is on top; a forged "pass" below it is never read.
        let stacked = vec![
            format!("{TRUSTED}; dmarc=fail header.from=example.test"),
            format!("{TRUSTED}; dmarc=pass header.from=example.test"),
        ];
        assert!(!judge(&stacked, &trusted(), "maija@example.test").passed);
        assert!(!judge(&[], &trusted(), "maija@example.test").passed);
    }
}

//! The cookie's attributes — `path`, `domain`, `same_site`, `secure`, `http_only`,
//! `partitioned`, `priority` — and the payload `codec`: each value on its own, then the rules
//! that need `Secure`.
//!
//! `partitioned` (CHIPS) is refused without `Secure`, which browsers require of it. It is *not*
//! refused without `same_site = "none"`: a partitioned cookie with `Lax` or `Strict` is valid
//! and stored (keyed by the top-level site) — it is just not sent on cross-site subrequests,
//! so an embed that needs it writes `same_site = "none"` as well; the derive docs say so.

use crate::attr::{closest, RawAttrs};
use crate::config::{Priority, SameSite};
use crate::ctxt::Ctxt;

/// The attribute values after the single-value checks, defaults filled in.
pub struct Attributes {
    pub postcard: bool,
    pub same_site: SameSite,
    pub path: String,
    pub domain: Option<String>,
    pub secure: bool,
    pub http_only: bool,
    pub partitioned: bool,
    pub priority: Option<Priority>,
}

/// Checks each attribute's value on its own.
pub fn check(raw: &RawAttrs, cx: &Ctxt) -> Attributes {
    let postcard = match &raw.codec {
        None => false,
        Some(codec) => {
            match codec.value.as_str() {
                "json" => false,
                "postcard" => true,
                other => {
                    cx.error(
                    codec.span,
                    format_args!("unknown codec `{other}`; expected \"json\" (the default) or \"postcard\""),
                );
                    false
                }
            }
        }
    };

    let same_site = match &raw.same_site {
        None => SameSite::Lax,
        Some(s) => match s.value.to_ascii_lowercase().as_str() {
            "strict" => SameSite::Strict,
            "lax" => SameSite::Lax,
            "none" => SameSite::None,
            other => {
                cx.error(
                    s.span,
                    format_args!("unknown `same_site = \"{other}\"`; expected \"strict\", \"lax\" or \"none\""),
                );
                SameSite::Lax
            }
        },
    };

    if let Some(path) = &raw.path {
        if !path.value.starts_with('/') || !path.value.chars().all(is_attribute_char) {
            cx.error(
                path.span,
                "`path` must start with `/` and contain no `;`, spaces or control characters",
            );
        }
    }
    if let Some(domain) = &raw.domain {
        if let Err(problem) = host_name(&domain.value) {
            cx.error(
                domain.span,
                format_args!(
                    "`domain` must be a host name such as \"example.com\" (labels of letters, \
                     digits and `-`, separated by single dots; one leading dot allowed): {problem}"
                ),
            );
        }
    }

    let priority = raw.priority.as_ref().and_then(|p| {
        const VALUES: &[&str] = &["low", "medium", "high"];
        match p.value.to_ascii_lowercase().as_str() {
            "low" => Some(Priority::Low),
            "medium" => Some(Priority::Medium),
            "high" => Some(Priority::High),
            other => {
                let hint = match closest(other, VALUES) {
                    Some(known) => format!("did you mean \"{known}\"?"),
                    None => {
                        "expected \"low\", \"medium\" or \"high\" (or no `priority`)".to_owned()
                    }
                };
                cx.error(
                    p.span,
                    format_args!("unknown `priority = \"{}\"`; {hint}", p.value),
                );
                None
            }
        }
    });

    Attributes {
        postcard,
        same_site,
        path: raw
            .path
            .as_ref()
            .map_or_else(|| "/".to_owned(), |p| p.value.clone()),
        domain: raw.domain.as_ref().map(|d| d.value.clone()),
        secure: raw.secure.as_ref().is_none_or(|s| s.value),
        http_only: raw.http_only.as_ref().is_none_or(|h| h.value),
        partitioned: raw.partitioned.is_some(),
        priority,
    }
}

/// The attributes browsers only accept on a `Secure` cookie: `SameSite=None` and
/// `Partitioned`.
pub fn need_secure(raw: &RawAttrs, attributes: &Attributes, cx: &Ctxt) {
    if attributes.secure {
        return;
    }
    if attributes.same_site == SameSite::None {
        if let Some(s) = &raw.same_site {
            cx.error(s.span, "`same_site = \"none\"` requires `Secure`: browsers drop such cookies; remove `secure = false`");
        }
    }
    if let Some(partitioned) = raw.partitioned {
        cx.error(
            partitioned,
            "`partitioned` requires `Secure`: browsers refuse a Partitioned cookie without it; \
             remove `secure = false` (or remove `partitioned`)",
        );
    }
}

/// The longest host name (RFC 1035 2.3.4, without the leading dot) and the longest label.
const MAX_HOST_NAME: usize = 253;
const MAX_LABEL: usize = 63;

/// Whether `domain` is a host name a `Domain=` attribute can name: an optional single leading
/// dot (browsers ignore it, and the runtime drops it when writing the header), then one or more
/// labels separated by single dots, each 1 to 63 ASCII letters, digits and `-`, neither
/// starting nor ending with `-`; at most 253 bytes after the leading dot. IPv4 literals pass
/// (browsers match them host-only); IPv6 literals, a trailing dot, `_` and non-ASCII (write an
/// internationalised name in its `xn--` form) do not. `Err` says what is wrong, for the message.
fn host_name(domain: &str) -> Result<(), String> {
    if domain.is_empty() {
        return Err("it is empty".to_owned());
    }
    let host = domain.strip_prefix('.').unwrap_or(domain);
    if host.is_empty() {
        return Err("there is nothing after the leading dot".to_owned());
    }
    if let Some(c) = host
        .chars()
        .find(|&c| !c.is_ascii_alphanumeric() && c != '-' && c != '.')
    {
        return Err(if c.is_ascii() {
            format!("{c:?} is not allowed")
        } else {
            format!(
                "{c:?} is not ASCII; write an internationalised name in its `xn--` (punycode) form"
            )
        });
    }
    if host.len() > MAX_HOST_NAME {
        return Err(format!(
            "it is {} bytes long, over the {MAX_HOST_NAME} a host name may have",
            host.len()
        ));
    }
    if host.starts_with('.') || host.contains("..") {
        return Err("it has two dots in a row (an empty label)".to_owned());
    }
    if host.ends_with('.') {
        return Err("it ends with a dot".to_owned());
    }
    for label in host.split('.') {
        if label.starts_with('-') || label.ends_with('-') {
            return Err(format!("the label `{label}` starts or ends with `-`"));
        }
        if label.len() > MAX_LABEL {
            return Err(format!(
                "a label is {} bytes long, over the {MAX_LABEL} a label may have",
                label.len()
            ));
        }
    }
    Ok(())
}

fn is_attribute_char(c: char) -> bool {
    !c.is_control() && !c.is_whitespace() && c != ';' && c != ','
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_are_accepted() {
        let long_label = "a".repeat(MAX_LABEL);
        // 4 labels of 63 and the 3 dots between them: 255 bytes; one label shorter by 2: 253.
        let longest = format!(
            "{long_label}.{long_label}.{long_label}.{}",
            "a".repeat(MAX_LABEL - 2)
        );
        assert_eq!(longest.len(), MAX_HOST_NAME);
        for domain in [
            "example.com",
            ".example.com",
            ".Example.COM",
            "localhost",
            "a",
            "x.com",
            "a-b.c-d.example",
            "xn--bcher-kva.example",
            "3com.example",
            "127.0.0.1",
            long_label.as_str(),
            longest.as_str(),
            &format!(".{longest}"),
        ] {
            assert_eq!(host_name(domain), Ok(()), "{domain:?}");
        }
    }

    #[test]
    fn other_values_are_refused_with_the_reason() {
        let refused = |domain: &str| host_name(domain).expect_err(domain);
        assert_eq!(refused(""), "it is empty");
        assert_eq!(refused("."), "there is nothing after the leading dot");
        for domain in ["..", "..example.com", "a..com", ".a..com"] {
            assert_eq!(
                refused(domain),
                "it has two dots in a row (an empty label)",
                "{domain:?}"
            );
        }
        assert_eq!(refused("example.com."), "it ends with a dot");
        assert_eq!(refused(".-"), "the label `-` starts or ends with `-`");
        assert_eq!(
            refused("-example.com"),
            "the label `-example` starts or ends with `-`"
        );
        assert_eq!(
            refused("example-.com"),
            "the label `example-` starts or ends with `-`"
        );
        assert_eq!(refused("exa_mple.com"), "'_' is not allowed");
        assert_eq!(refused("example.com/"), "'/' is not allowed");
        assert_eq!(refused("example.com:8080"), "':' is not allowed");
        assert_eq!(refused("[::1]"), "'[' is not allowed");
        assert_eq!(refused("exa mple.com"), "' ' is not allowed");
        assert_eq!(refused("a;b"), "';' is not allowed");
        assert_eq!(refused("a\nb"), "'\\n' is not allowed");
        assert!(refused("bücher.example").starts_with("'ü' is not ASCII"));
        assert_eq!(
            refused(&format!("{}.com", "a".repeat(MAX_LABEL + 1))),
            "a label is 64 bytes long, over the 63 a label may have"
        );
        let too_long = format!("{}.{}", "a".repeat(MAX_LABEL), "b.".repeat(94) + "cc");
        assert_eq!(too_long.len(), 254);
        assert_eq!(
            refused(&too_long),
            "it is 254 bytes long, over the 253 a host name may have"
        );
        // The leading dot does not count towards the length, a second one is refused.
        assert_eq!(
            refused(&format!("..{}", "a".repeat(10))),
            "it has two dots in a row (an empty label)"
        );
    }
}

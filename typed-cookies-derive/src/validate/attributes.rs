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
        if domain.value.is_empty()
            || !domain
                .value
                .chars()
                .all(|c| is_attribute_char(c) && c != '/')
        {
            cx.error(
                domain.span,
                "`domain` must be a host name such as \"example.com\"",
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

fn is_attribute_char(c: char) -> bool {
    !c.is_control() && !c.is_whitespace() && c != ';' && c != ','
}

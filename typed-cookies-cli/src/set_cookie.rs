//! `check-set-cookie`: what a browser does with a `Set-Cookie` line, following RFC 6265bis
//! (draft 20) and what Chromium and Firefox enforce today: cookie prefixes (matched
//! case-insensitively), `SameSite=None` and `Partitioned` requiring `Secure`, the 4096-byte
//! name+value limit, the 1024-byte attribute limit, the 400-day cap on lifetimes, and a
//! `Domain` that is no host name (or not ASCII, an IP address, a single label).
//!
//! Any line is checked without panicking, whatever its characters (the `check_set_cookie` fuzz
//! target and `tests/no_panic.rs` hold it to that), and [`Report::render`] is exactly what the
//! command prints: the line's own characters in it are escaped ([`crate::escape`]).

use serde_json::{json, Value};

use crate::escape;
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The browser ignores the whole line.
    Reject,
    /// Stored, but not as the header seems to ask (or fragile).
    Warn,
    /// What the browser does.
    Info,
}

impl Level {
    /// `reject`, `warn` or `info`.
    pub fn label(self) -> &'static str {
        match self {
            Level::Reject => "reject",
            Level::Warn => "warn",
            Level::Info => "info",
        }
    }
}

/// One thing found.
#[derive(Debug, Clone)]
pub struct Finding {
    /// How serious.
    pub level: Level,
    /// A stable short code for scripts.
    pub code: &'static str,
    /// What it means. It may quote the line's characters unescaped: print it through
    /// [`Report::render`] (or [`crate::escape`]).
    pub message: String,
}

/// The whole verdict on one line.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The cookie's name (as parsed, unescaped).
    pub name: String,
    /// Findings, in order.
    pub findings: Vec<Finding>,
    /// When the stored cookie expires (`None`: session cookie, or rejected).
    pub expires: Option<OffsetDateTime>,
}

/// The 400-day cap of RFC 6265bis on `Max-Age` and `Expires`.
const MAX_LIFETIME: Duration = Duration::days(400);
/// Longest name + value the browser stores.
const MAX_NAME_VALUE: usize = 4096;
/// Longest attribute value the browser honours.
const MAX_ATTRIBUTE: usize = 1024;

impl Report {
    fn push(&mut self, level: Level, code: &'static str, message: impl Into<String>) {
        self.findings.push(Finding {
            level,
            code,
            message: message.into(),
        });
    }

    /// Whether the browser ignores the line.
    pub fn rejected(&self) -> bool {
        self.findings.iter().any(|f| f.level == Level::Reject)
    }

    /// What `check-set-cookie` prints: one `level: message` line per finding, or with `json`
    /// one line of [`Report::to_json`]; either way with the line's control and bidi characters
    /// escaped ([`escape::text`], [`escape::json`]).
    pub fn render(&self, json: bool) -> String {
        if json {
            let mut out = escape::json(&self.to_json().to_string()).into_owned();
            out.push('\n');
            out
        } else {
            self.findings
                .iter()
                .map(|f| format!("{}: {}\n", f.level.label(), escape::text(&f.message)))
                .collect()
        }
    }

    /// The report as JSON (strings unescaped: [`Report::render`] escapes what it prints).
    pub fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "accepted": !self.rejected(),
            "expires": self.expires.and_then(|at| at.format(&time::format_description::well_known::Rfc3339).ok()),
            "findings": self.findings.iter().map(|f| json!({
                "level": f.level.label(),
                "code": f.code,
                "message": f.message,
            })).collect::<Vec<_>>(),
        })
    }
}

fn is_ctl(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f
}

fn trim_ws(s: &str) -> &str {
    s.trim_matches(|c| c == ' ' || c == '\t')
}

/// RFC 6265 token characters (what a cookie name should be).
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b))
}

/// RFC 6265 cookie-octets, optionally in double quotes.
fn is_cookie_value(s: &str) -> bool {
    let inner = s
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s);
    inner.bytes().all(|b| {
        b == 0x21
            || (0x23..=0x2b).contains(&b)
            || (0x2d..=0x3a).contains(&b)
            || (0x3c..=0x5b).contains(&b)
            || (0x5d..=0x7e).contains(&b)
    })
}

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    strip_prefix_ci(s, prefix).is_some()
}

/// `s` after an ASCII `prefix` matched case-insensitively. Never slices inside a character:
/// `split_at_checked` refuses a cut that is not on a character boundary (then `s` cannot
/// start with an ASCII prefix of that length anyway).
fn strip_prefix_ci<'s>(s: &'s str, prefix: &str) -> Option<&'s str> {
    let (head, rest) = s.split_at_checked(prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then_some(rest)
}

/// Checks one `Set-Cookie` line at `now`.
pub fn check(header: &str, now: OffsetDateTime) -> Report {
    let mut r = Report::default();
    let mut line = header.trim_end_matches(['\r', '\n']);
    if let Some(rest) = strip_prefix_ci(trim_ws(line), "set-cookie:") {
        line = rest;
    }
    if line.bytes().any(is_ctl) {
        r.push(
            Level::Reject,
            "control-character",
            "the line contains a control character (other than tab): the browser ignores it entirely",
        );
        return r;
    }
    let (pair, attributes) = line.split_once(';').unwrap_or((line, ""));
    let (name, value) = match pair.split_once('=') {
        Some((n, v)) => (trim_ws(n), trim_ws(v)),
        None => {
            r.push(
                Level::Warn,
                "no-equals",
                "no `=` in the name-value pair: browsers store it as a cookie with an empty name and this value",
            );
            ("", trim_ws(pair))
        }
    };
    r.name = name.to_owned();
    if name.is_empty() && value.is_empty() {
        r.push(
            Level::Reject,
            "empty",
            "empty name and value: the browser ignores the line",
        );
        return r;
    }
    if name.len() + value.len() > MAX_NAME_VALUE {
        r.push(
            Level::Reject,
            "too-large",
            format!(
                "name and value are {} bytes, over the {MAX_NAME_VALUE}-byte limit: the browser ignores the line",
                name.len() + value.len()
            ),
        );
    }
    if !name.is_empty() && !is_token(name) {
        r.push(
            Level::Warn,
            "name-characters",
            "the name is not an RFC 6265 token (spaces, separators or non-ASCII): browsers store it, but many servers will not parse it back",
        );
    }
    if !is_cookie_value(value) {
        r.push(
            Level::Warn,
            "value-characters",
            "the value has characters outside RFC 6265 cookie-octets (space, `\"`, `,`, `\\` or non-ASCII): browsers store it, but servers may split or reject it; percent- or base64url-encode it",
        );
    }
    if name.is_empty() && (starts_with_ci(value, "__Secure-") || starts_with_ci(value, "__Host-")) {
        r.push(
            Level::Reject,
            "prefix-nameless",
            "a nameless cookie whose value starts with a cookie prefix: the browser ignores it",
        );
    }

    let mut expires: Option<OffsetDateTime> = None;
    let mut max_age: Option<i64> = None;
    let mut domain: Option<String> = None;
    let mut path: Option<String> = None;
    let mut secure = false;
    let mut http_only = false;
    let mut same_site: Option<String> = None;
    let mut partitioned = false;
    for attr in attributes.split(';') {
        let (attr_name, attr_value) = match attr.split_once('=') {
            Some((n, v)) => (trim_ws(n), trim_ws(v)),
            None => (trim_ws(attr), ""),
        };
        if attr_name.is_empty() {
            continue;
        }
        if attr_value.len() > MAX_ATTRIBUTE {
            r.push(
                Level::Warn,
                "attribute-too-long",
                format!("the {attr_name} attribute's value is over {MAX_ATTRIBUTE} bytes: the browser ignores the attribute"),
            );
            continue;
        }
        match attr_name.to_ascii_lowercase().as_str() {
            "expires" => match parse_cookie_date(attr_value) {
                Some(at) => expires = Some(at),
                None => r.push(
                    Level::Warn,
                    "expires-unparsable",
                    format!(
                        "Expires={attr_value:?} is not a date the browser understands: ignored"
                    ),
                ),
            },
            "max-age" => {
                let digits = attr_value.strip_prefix('-').unwrap_or(attr_value);
                if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                    // Saturate: a huge Max-Age is capped below anyway.
                    let n = digits.parse::<i64>().unwrap_or(i64::MAX);
                    max_age = Some(if attr_value.starts_with('-') { -n } else { n });
                } else {
                    r.push(
                        Level::Warn,
                        "max-age-invalid",
                        format!("Max-Age={attr_value:?} is not an integer: ignored"),
                    );
                }
            }
            "domain" => {
                let d = attr_value.strip_prefix('.').unwrap_or(attr_value);
                if d.is_empty() {
                    r.push(
                        Level::Warn,
                        "domain-empty",
                        "an empty Domain attribute is ignored",
                    );
                } else {
                    check_domain(&mut r, d);
                    domain = Some(d.to_ascii_lowercase());
                }
            }
            "path" => {
                if attr_value.starts_with('/') {
                    path = Some(attr_value.to_owned());
                } else {
                    r.push(
                        Level::Warn,
                        "path-default",
                        "Path does not start with `/`: the browser uses the request's directory instead",
                    );
                    path = None;
                }
            }
            "secure" => secure = true,
            "httponly" => http_only = true,
            "samesite" => same_site = Some(attr_value.to_ascii_lowercase()),
            "partitioned" => partitioned = true,
            _ => r.push(
                Level::Info,
                "unknown-attribute",
                format!("unknown attribute {attr_name:?}: ignored"),
            ),
        }
    }

    // Prefixes: matched case-insensitively, as RFC 6265bis and current browsers do.
    if starts_with_ci(name, "__Secure-") && !secure {
        r.push(
            Level::Reject,
            "secure-prefix",
            "a __Secure- cookie must have the Secure attribute: the browser ignores it",
        );
    }
    if starts_with_ci(name, "__Host-") {
        if !secure {
            r.push(
                Level::Reject,
                "host-prefix-secure",
                "a __Host- cookie must have the Secure attribute: the browser ignores it",
            );
        }
        if domain.is_some() {
            r.push(
                Level::Reject,
                "host-prefix-domain",
                "a __Host- cookie must not have a Domain attribute: the browser ignores it",
            );
        }
        if path.as_deref() != Some("/") {
            r.push(
                Level::Reject,
                "host-prefix-path",
                "a __Host- cookie must have Path=/: the browser ignores it",
            );
        }
    }
    if (starts_with_ci(name, "__secure-") && !name.starts_with("__Secure-"))
        || (starts_with_ci(name, "__host-") && !name.starts_with("__Host-"))
    {
        r.push(
            Level::Info,
            "prefix-case",
            "the prefix is not in its canonical case: browsers enforce it anyway (case-insensitive match), but servers compare names byte for byte",
        );
    }
    match same_site.as_deref() {
        Some("none") if !secure => r.push(
            Level::Reject,
            "samesite-none-insecure",
            "SameSite=None without Secure: the browser ignores the cookie",
        ),
        Some("none") => r.push(Level::Info, "samesite-none", "SameSite=None: sent on cross-site requests too"),
        Some("strict" | "lax") => {}
        Some(other) => r.push(
            Level::Warn,
            "samesite-unknown",
            format!("SameSite={other:?} is not Strict, Lax or None: treated as if absent (Lax in Chromium)"),
        ),
        None => r.push(
            Level::Info,
            "samesite-default",
            "no SameSite: Chromium treats the cookie as SameSite=Lax, other browsers may send it cross-site",
        ),
    }
    if partitioned && !secure {
        r.push(
            Level::Reject,
            "partitioned-insecure",
            "Partitioned without Secure: the browser ignores the cookie",
        );
    }
    if secure {
        r.push(
            Level::Info,
            "secure",
            "Secure: stored only when set over https (or from localhost)",
        );
    }
    if !http_only {
        r.push(
            Level::Info,
            "not-httponly",
            "no HttpOnly: page scripts can read the cookie",
        );
    }

    // Lifetime: Max-Age wins over Expires; both capped at 400 days.
    // Saturating: `now` is any instant a caller passes, up to the end of `time`'s range.
    let cap = now.saturating_add(MAX_LIFETIME);
    if let Some(secs) = max_age {
        if secs <= 0 {
            r.push(
                Level::Info,
                "delete",
                "Max-Age <= 0: the browser deletes the cookie now",
            );
            r.expires = Some(now);
        } else if secs > MAX_LIFETIME.whole_seconds() {
            r.push(
                Level::Warn,
                "max-age-capped",
                format!(
                    "Max-Age={secs} is over 400 days: capped at 400 days ({})",
                    rfc3339(cap)
                ),
            );
            r.expires = Some(cap);
        } else {
            r.expires = Some(now.saturating_add(Duration::seconds(secs)));
        }
    } else if let Some(at) = expires {
        if at <= now {
            r.push(
                Level::Info,
                "delete",
                "Expires is in the past: the browser deletes the cookie now",
            );
            r.expires = Some(now);
        } else if at > cap {
            r.push(
                Level::Warn,
                "expires-capped",
                format!(
                    "Expires {} is over 400 days away: capped at {}",
                    rfc3339(at),
                    rfc3339(cap)
                ),
            );
            r.expires = Some(cap);
        } else {
            r.expires = Some(at);
        }
    }
    if !r.rejected() {
        let scope = match &domain {
            Some(d) => format!("{d} and its subdomains"),
            None => "the setting host only".to_owned(),
        };
        let until = match r.expires {
            Some(at) if at <= now => "deleted".to_owned(),
            Some(at) => format!("until {}", rfc3339(at)),
            None => "until the browser session ends".to_owned(),
        };
        r.push(
            Level::Info,
            "stored",
            format!(
                "stored as `{name}` for {scope}, path {}, {until}",
                path.as_deref().unwrap_or("(the request's directory)")
            ),
        );
    }
    r
}

/// What the browser makes of a `Domain` value (one leading dot already dropped), without
/// knowing the request's host: one that is not a host name can match no host and the line is
/// ignored (RFC 6265bis also ignores a line whose `Domain` is not ASCII); an IP address or a
/// single label works only when it is the request's host exactly.
fn check_domain(r: &mut Report, domain: &str) {
    let trailing_dot = domain.len() > 1 && domain.ends_with('.');
    let name = if trailing_dot {
        domain.strip_suffix('.').unwrap_or(domain)
    } else {
        domain
    };
    let host_name = name.split('.').all(|label| {
        !label.is_empty()
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    });
    if !domain.is_ascii() {
        r.push(
            Level::Reject,
            "domain-not-ascii",
            format!("Domain={domain:?} is not ASCII: the browser ignores the line (write an internationalized name in its xn-- form)"),
        );
    } else if !host_name {
        r.push(
            Level::Reject,
            "domain-invalid",
            format!("Domain={domain:?} is not a host name (letters, digits, `-`, `_` in dot-separated labels): it matches no host, and the browser ignores the line"),
        );
    } else if trailing_dot {
        r.push(
            Level::Warn,
            "domain-trailing-dot",
            format!("Domain={domain} ends with a dot: it matches only a request host written with that dot (`{name}` is another host to the browser)"),
        );
    } else if domain.parse::<std::net::Ipv4Addr>().is_ok() {
        r.push(
            Level::Info,
            "domain-ip",
            format!("Domain={domain} is an IP address: stored only when it is the request's host exactly, and then for that host only"),
        );
    } else if !domain.contains('.') {
        r.push(
            Level::Warn,
            "domain-single-label",
            format!("Domain={domain} is a single label: browsers ignore the line when it is a public suffix (`com`) and not the request's host; for one host, leave Domain out"),
        );
    }
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// RFC 6265 §5.1.1's lenient cookie-date algorithm.
fn parse_cookie_date(text: &str) -> Option<OffsetDateTime> {
    let is_delim = |b: u8| {
        b == 0x09
            || (0x20..=0x2f).contains(&b)
            || (0x3b..=0x40).contains(&b)
            || (0x5b..=0x60).contains(&b)
            || (0x7b..=0x7e).contains(&b)
    };
    let (mut time, mut day, mut month, mut year) = (None, None, None, None);
    for token in text.split(|c: char| c.is_ascii() && is_delim(c as u8)) {
        if token.is_empty() {
            continue;
        }
        if time.is_none() {
            if let Some(t) = parse_time(token) {
                time = Some(t);
                continue;
            }
        }
        if day.is_none() {
            if let Some(d) = leading_digits(token, 1, 2) {
                day = Some(d);
                continue;
            }
        }
        if month.is_none() {
            // The first three bytes, compared as bytes: a token such as `a€` has no character
            // boundary at 3, and (like any non-ASCII start) names no month.
            let months = [
                "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
            ];
            let head = token.as_bytes().get(..3);
            if let Some(i) = months
                .iter()
                .position(|m| head.is_some_and(|h| h.eq_ignore_ascii_case(m.as_bytes())))
            {
                month = Some(i as u8 + 1);
                continue;
            }
        }
        if year.is_none() {
            if let Some(y) = leading_digits(token, 2, 4) {
                year = Some(y);
                continue;
            }
        }
    }
    let (h, mi, s) = time?;
    let mut year = year?;
    if (70..=99).contains(&year) {
        year += 1900;
    } else if year <= 69 {
        year += 2000;
    }
    if year < 1601 || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    let date = Date::from_calendar_date(
        i32::try_from(year).ok()?,
        Month::try_from(month?).ok()?,
        u8::try_from(day?).ok()?,
    )
    .ok()?;
    let time = Time::from_hms(
        u8::try_from(h).ok()?,
        u8::try_from(mi).ok()?,
        u8::try_from(s).ok()?,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

/// `min..=max` digits at the start of `token`, followed by a non-digit or nothing.
fn leading_digits(token: &str, min: usize, max: usize) -> Option<u32> {
    let n = token.bytes().take_while(u8::is_ascii_digit).count();
    if n < min || n > max {
        return None;
    }
    token.get(..n)?.parse().ok()
}

/// `hh:mm:ss` (1–2 digits each), then anything not a digit.
fn parse_time(token: &str) -> Option<(u32, u32, u32)> {
    let mut parts = token.splitn(3, ':');
    let h = parts.next()?;
    let m = parts.next()?;
    let rest = parts.next()?;
    let full = |p: &str| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit());
    if !full(h) || !full(m) {
        return None;
    }
    let s = leading_digits(rest, 1, 2)?;
    Some((h.parse().ok()?, m.parse().ok()?, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_767_225_600).unwrap() // 2026-01-01
    }

    fn codes(header: &str) -> Vec<&'static str> {
        check(header, now())
            .findings
            .iter()
            .map(|f| f.code)
            .collect()
    }

    #[test]
    fn parses_cookie_dates_like_browsers() {
        let at = |s| parse_cookie_date(s).map(|d| d.unix_timestamp());
        assert_eq!(at("Thu, 01 Jan 2026 00:00:00 GMT"), Some(1_767_225_600));
        assert_eq!(at("Thursday, 01-Jan-26 00:00:00 GMT"), Some(1_767_225_600));
        assert_eq!(at("Jan 1 00:00:00 2026"), Some(1_767_225_600));
        assert_eq!(at("Thu, 31 Feb 2026 00:00:00 GMT"), None);
        assert_eq!(at("tomorrow"), None);
        assert_eq!(at("Thu, 01 Jan 2026 24:00:00 GMT"), None);
        // Multi-byte characters where a month or digits are looked for: no month, no panic.
        assert_eq!(at("a€"), None);
        assert_eq!(at("Thu, 01 J€n 2026 00:00:00 GMT"), None);
        assert_eq!(at("Thu, 01 Jan€ 2026 00:00:00 GMT"), Some(1_767_225_600));
        assert_eq!(at("€€€ 01 Jan 2026 00:00:00"), Some(1_767_225_600));
        assert_eq!(at("1€:00:00 01 Jan 2026"), None);
    }

    #[test]
    fn multi_byte_characters_anywhere_are_findings_not_panics() {
        let r = check("__Host-a=1; Secure; Path=/; Expires=a€", now());
        assert!(!r.rejected(), "{r:?}");
        assert!(codes("__Host-a=1; Secure; Path=/; Expires=a€").contains(&"expires-unparsable"));
        assert!(codes("a=1; Max-Age=1€").contains(&"max-age-invalid"));
        assert!(codes("a=1; Domain=€.example").contains(&"domain-not-ascii"));
        assert!(codes("a=1; Domain=ex€.").contains(&"domain-not-ascii"));
        assert!(codes("a=1; Path=€").contains(&"path-default"));
        assert!(codes("€€€€€€€€€€€: a=1").contains(&"name-characters"));
        assert_eq!(check("sEt-CoOkIe: a=1", now()).name, "a");
        assert_eq!(check("set-cookie€: a=1", now()).name, "set-cookie€: a");
    }

    #[test]
    fn lifetimes_saturate_at_the_end_of_time() {
        let end = time::PrimitiveDateTime::MAX.assume_utc();
        for line in [
            "a=1; Max-Age=3600",
            "a=1; Max-Age=99999999999999999999",
            "a=1; Expires=Fri, 31 Dec 9999 23:59:59 GMT",
        ] {
            let r = check(line, end);
            assert_eq!(r.expires, Some(end), "{line}");
        }
        let start = time::PrimitiveDateTime::MIN.assume_utc();
        let r = check("a=1; Max-Age=99999999999999999999", start);
        assert_eq!(r.expires, Some(start + MAX_LIFETIME));
    }

    #[test]
    fn render_escapes_the_lines_own_characters() {
        let r = check("\u{202e}a\u{85}=1; Domain=x\u{2066}y; Foo\u{9b}=1", now());
        for json in [false, true] {
            let printed = r.render(json);
            let raw = printed
                .split('\n')
                .flat_map(str::chars)
                .any(escape::is_unsafe);
            assert!(!raw, "{printed}");
        }
        let text = r.render(false);
        assert!(
            text.contains("\\u{2066}") && text.contains("\\u{9b}"),
            "{text}"
        );
        let json: Value = serde_json::from_str(&r.render(true)).unwrap();
        assert_eq!(json["name"], "\u{202e}a\u{85}");
        let stored = check("\u{202e}a\u{85}=1", now()).render(false);
        assert!(stored.contains("stored as `\\u{202e}a\\u{85}`"), "{stored}");
    }

    #[test]
    fn a_good_host_cookie_is_stored() {
        let r = check(
            "Set-Cookie: __Host-sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=7200",
            now(),
        );
        assert!(!r.rejected(), "{r:?}");
        assert_eq!(r.expires, Some(now() + Duration::hours(2)));
        assert_eq!(r.name, "__Host-sid");
    }

    #[test]
    fn prefix_rules_are_case_insensitive() {
        assert!(codes("__host-sid=a; Path=/").contains(&"host-prefix-secure"));
        assert!(codes("__HOST-sid=a; Secure; Path=/; Domain=example.com")
            .contains(&"host-prefix-domain"));
        assert!(codes("__Host-sid=a; Secure").contains(&"host-prefix-path"));
        assert!(codes("__SECURE-x=a").contains(&"secure-prefix"));
        assert!(!check("__Secure-x=a; Secure", now()).rejected());
        assert!(codes("__secure-x=a; Secure").contains(&"prefix-case"));
    }

    #[test]
    fn domains_that_are_not_host_names_are_rejected() {
        for bad in [
            "exa mple.com",
            "example.com/path",
            "example.com:443",
            "a..example.com",
            "example.com..",
            "..example.com",
            "[::1]",
        ] {
            let found = codes(&format!("a=b; Domain={bad}"));
            assert!(found.contains(&"domain-invalid"), "{bad}: {found:?}");
            assert!(!found.contains(&"stored"), "{bad}");
        }
        let found = codes("a=b; Domain=bücher.example");
        assert!(found.contains(&"domain-not-ascii"), "{found:?}");
        for good in [
            ".Example.COM",
            "xn--bcher-kva.example",
            "my_host.example",
            "a-b.c",
        ] {
            let r = check(&format!("a=b; Domain={good}"), now());
            assert!(!r.rejected(), "{good}: {r:?}");
            assert!(!codes(&format!("a=b; Domain={good}"))
                .iter()
                .any(|c| c.starts_with("domain-")));
        }
        assert!(codes("a=b; Domain=example.com.").contains(&"domain-trailing-dot"));
        assert!(codes("a=b; Domain=127.0.0.1").contains(&"domain-ip"));
        assert!(codes("a=b; Domain=localhost").contains(&"domain-single-label"));
        assert!(!check("a=b; Domain=localhost", now()).rejected());
    }

    #[test]
    fn rejections_and_caps() {
        assert!(codes("a=b; SameSite=None").contains(&"samesite-none-insecure"));
        assert!(codes("a=b; Partitioned").contains(&"partitioned-insecure"));
        assert!(codes(&format!("a={}", "x".repeat(4096))).contains(&"too-large"));
        assert!(!check(&format!("a={}", "x".repeat(4095)), now()).rejected());
        assert!(codes("a=b\u{1}c").contains(&"control-character"));
        assert!(codes("=").contains(&"empty"));
        let r = check("a=b; Max-Age=99999999", now());
        assert_eq!(r.expires, Some(now() + Duration::days(400)));
        assert!(codes("a=b; Expires=Fri, 01 Jan 2100 00:00:00 GMT").contains(&"expires-capped"));
        assert!(codes("a=b c").contains(&"value-characters"));
        assert!(codes("a=b; Max-Age=0").contains(&"delete"));
        assert!(codes("a=b; SameSite=Sideways").contains(&"samesite-unknown"));
    }
}

//! What the request layer reads in a response: whether the handler already set (or removed) a
//! type's cookie, so the middleware leaves it alone, and a response's `Set-Cookie` relaxed for
//! a local request in development mode.

use crate::cookie::{CookieScope, SealedCookie};

/// Whether one of a response's `Set-Cookie` header values sets (or removes) the cookie a
/// browser knows as `name` with `path` and `domain` (`None`: host-only): the same name and, as
/// browsers tell cookies apart, the same `Path` and `Domain` (one leading dot and case aside).
/// A `Path` that is absent or does not start with `/` counts as `path` (the browser's default
/// path depends on the request). Another `Path` or `Domain` is another cookie, whose removal
/// (say, of a legacy copy) must not cost `name` its renewal. A value without `=` before its
/// first `;` is a nameless cookie (its text is the value), never `name`.
pub(crate) fn sets_cookie<'h>(
    set_cookies: impl IntoIterator<Item = &'h [u8]>,
    name: &str,
    path: &str,
    domain: Option<&str>,
) -> bool {
    let domain = domain.map(|d| d.strip_prefix('.').unwrap_or(d).as_bytes());
    set_cookies
        .into_iter()
        .any(|header| sets_it(header, name.as_bytes(), path.as_bytes(), domain))
}

/// [`sets_cookie`] for one `Set-Cookie` value. The name (before the first `=` or `;`) is
/// compared first, so another cookie's value is never walked; ours is skipped with `memchr`.
fn sets_it(header: &[u8], name: &[u8], path: &[u8], domain: Option<&[u8]>) -> bool {
    let name_end = memchr::memchr2(b'=', b';', header).unwrap_or(header.len());
    // Without `=` before the first `;` the cookie has no name (browsers store `x; Path=/` as
    // a nameless cookie whose value is `x`), so it is never ours.
    if header.get(name_end) != Some(&b'=') || header[..name_end].trim_ascii() != name {
        return false;
    }
    // The attributes start after the first `;` after the value.
    let semicolon = memchr::memchr(b';', &header[name_end + 1..]).map(|at| name_end + 1 + at);
    let attributes = semicolon.map_or(&[][..], |at| &header[at + 1..]);
    // The last of each attribute counts, as in browsers.
    let (mut its_path, mut its_domain) = (None, None);
    for attribute in attributes.split(|&b| b == b';') {
        // Attributes are short: a plain scan, not `memchr`'s set-up per call.
        let (key, value) = match attribute.iter().position(|&b| b == b'=') {
            Some(eq) => (
                attribute[..eq].trim_ascii(),
                attribute[eq + 1..].trim_ascii(),
            ),
            None => (attribute.trim_ascii(), &[][..]),
        };
        if key.eq_ignore_ascii_case(b"path") {
            its_path = value.starts_with(b"/").then_some(value);
        } else if key.eq_ignore_ascii_case(b"domain") {
            let value = value.strip_prefix(b".").unwrap_or(value);
            its_domain = (!value.is_empty()).then_some(value);
        }
    }
    its_path.is_none_or(|p| p == path)
        && match (its_domain, domain) {
            (None, None) => true,
            (Some(its), Some(ours)) => its.eq_ignore_ascii_case(ours),
            _ => false,
        }
}

/// Whether a response's `Set-Cookie`s set (or remove) `T`'s cookie, under the name `scope`
/// gives it too when that differs (a relaxed request: the handler's `Set-Cookie` may not be
/// relaxed yet).
pub(crate) fn sets_cookie_of<'h, T: SealedCookie, I>(
    scope: &impl CookieScope,
    set_cookies: impl Fn() -> I,
) -> bool
where
    I: IntoIterator<Item = &'h [u8]>,
{
    let (path, domain) = (T::CONFIG.path(), T::CONFIG.domain());
    let name = scope.form_of(&T::CONFIG).name();
    sets_cookie(set_cookies(), T::CONFIG.name(), path, domain)
        || (name != T::CONFIG.name() && sets_cookie(set_cookies(), name, path, domain))
}

/// One `Set-Cookie` of a response to a local request in development mode, relaxed
/// ([`relax_set_cookie`](crate::development::relax_set_cookie); `None`: unchanged), each relaxed name logged once (`host`:
/// the request's, for the log).
pub(crate) fn relaxed_set_cookie(header: &[u8], host: Option<&str>) -> Option<String> {
    let text = std::str::from_utf8(header).ok()?;
    let relaxed = crate::development::relax_set_cookie(text)?;
    let name = text.split('=').next().unwrap_or_default().trim();
    let dev_name = relaxed.split('=').next().unwrap_or_default();
    crate::development::warn_once(name, dev_name, host);
    Some(relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`sets_cookie`] as it was first written (split on every `;`, then on `=`), plus the
    /// rule it lacked: a first piece without `=` is a nameless cookie, never ours.
    fn reference(header: &[u8], name: &str, path: &str, domain: Option<&str>) -> bool {
        let trim = |bytes: &[u8]| bytes.trim_ascii().to_vec();
        let domain = domain.map(|d| d.strip_prefix('.').unwrap_or(d).as_bytes().to_vec());
        let mut parts = header.split(|&b| b == b';');
        let pair = parts.next().unwrap_or_default();
        if !pair.contains(&b'=') {
            return false;
        }
        let found = pair.split(|&b| b == b'=').next().unwrap_or_default();
        if trim(found) != name.as_bytes() {
            return false;
        }
        let (mut its_path, mut its_domain) = (None, None);
        for attribute in parts {
            let (key, value) = match attribute.iter().position(|&b| b == b'=') {
                Some(eq) => (trim(&attribute[..eq]), trim(&attribute[eq + 1..])),
                None => (trim(attribute), Vec::new()),
            };
            if key.eq_ignore_ascii_case(b"path") {
                its_path = value.starts_with(b"/").then_some(value);
            } else if key.eq_ignore_ascii_case(b"domain") {
                let value = value.strip_prefix(b".").unwrap_or(&value).to_vec();
                its_domain = (!value.is_empty()).then_some(value);
            }
        }
        its_path.is_none_or(|p| p == path.as_bytes())
            && match (its_domain, domain) {
                (None, None) => true,
                (Some(its), Some(ours)) => its.eq_ignore_ascii_case(&ours),
                _ => false,
            }
    }

    /// Every header of up to four pieces from an alphabet of name, value, separator and
    /// attribute fragments answers as the reference does, for host-only and domain cookies.
    #[test]
    fn answers_as_the_reference_does() {
        let pieces: [&[u8]; 14] = [
            b"sid",
            b" sid ",
            b"=",
            b";",
            b"v",
            b"sid=v",
            b"=x;",
            b" Path=/",
            b"path=/app",
            b"Path=rel",
            b"Domain=.Example.com",
            b"domain=",
            b"; ",
            b"\t",
        ];
        let mut header = Vec::new();
        let mut checked = 0;
        for a in 0..pieces.len() {
            for b in 0..=pieces.len() {
                for c in 0..=pieces.len() {
                    for d in 0..=pieces.len() {
                        header.clear();
                        for i in [Some(a), Some(b), Some(c), Some(d)] {
                            if let Some(piece) = i.and_then(|i| pieces.get(i)) {
                                header.extend_from_slice(piece);
                            }
                        }
                        for (path, domain) in [("/", None), ("/app", Some("example.com"))] {
                            assert_eq!(
                                sets_cookie([header.as_slice()], "sid", path, domain),
                                reference(&header, "sid", path, domain),
                                "{:?} {path} {domain:?}",
                                String::from_utf8_lossy(&header)
                            );
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked > 50_000, "{checked}");
    }
}

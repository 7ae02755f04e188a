//! `cookie-signature`'s `sign` / `unsign`: `value + "." + base64(HMAC-SHA256(secret, value))`
//! without `=` padding, verified against a list of secrets as cookie-parser and
//! express-session do.

use std::fmt;

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine as _;

use super::Secrets;
use crate::error::OpenError;
use crate::interop::{check_len, Digest};

/// `cookie-signature` with the secret list of cookie-parser's `cookieParser(secrets)` or
/// express-session's `secret` option: [`sign`](Self::sign) uses the first secret,
/// [`unsign`](Self::unsign) accepts any of them.
///
/// ```
/// use typed_cookies::interop::express::Signer;
/// use typed_cookies::OpenError;
///
/// let old = Signer::new("old secret");
/// let signer = Signer::new("new secret").fallbacks(["old secret"]);
/// assert_eq!(signer.unsign(&old.sign("hello")).unwrap(), "hello");
/// assert_eq!(old.unsign(&signer.sign("hello")), Err(OpenError::Invalid));
/// ```
#[derive(Clone)]
pub struct Signer {
    secrets: Secrets,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("express::Signer")
            .field("secrets", &self.secrets)
            .finish()
    }
}

impl Signer {
    /// A signer whose only secret is `secret` (a string secret is its UTF-8 bytes, as
    /// Node's `createHmac` takes it).
    ///
    /// ```
    /// use typed_cookies::interop::express::Signer;
    /// // require("cookie-signature").sign("hello", "tobiiscool")
    /// assert_eq!(
    ///     Signer::new("tobiiscool").sign("hello"),
    ///     "hello.DGDUkGlIkCzPz+C0B064FNgHdEjox7ch8tOBGslZ5QI"
    /// );
    /// ```
    pub fn new(secret: impl AsRef<[u8]>) -> Self {
        Self {
            secrets: Secrets::new(secret),
        }
    }

    /// The older secrets after the first in the peer's list (`cookieParser([new, old])`,
    /// `session({ secret: [new, old] })`): they only unsign. Replaces earlier fallbacks.
    ///
    /// ```
    /// use typed_cookies::interop::express::Signer;
    /// let signed = Signer::new("a").sign("v");
    /// assert!(Signer::new("b").unsign(&signed).is_err());
    /// assert_eq!(Signer::new("b").fallbacks(["a"]).unsign(&signed).unwrap(), "v");
    /// ```
    pub fn fallbacks<I, S>(mut self, secrets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        self.secrets.set_fallbacks(secrets);
        self
    }

    /// `sign(value, secret)` with the first secret: `value.signature`.
    ///
    /// ```
    /// let signed = typed_cookies::interop::express::Signer::new("k").sign("a.b");
    /// assert!(signed.starts_with("a.b.") && !signed.ends_with('='));
    /// ```
    pub fn sign(&self, value: &str) -> String {
        let mut out = String::with_capacity(value.len() + 44);
        out.push_str(value);
        out.push('.');
        let tag = Digest::Sha256.hmac(self.secrets.first(), &[value.as_bytes()]);
        STANDARD_NO_PAD.encode_string(tag, &mut out);
        out
    }

    /// `unsign(signed, secret)` tried with each secret: the value before the last `.` when
    /// the signature after it is its HMAC under one of them ([`OpenError::Invalid`] when
    /// none; [`OpenError::Malformed`] without a `.`).
    ///
    /// ```
    /// use typed_cookies::interop::express::Signer;
    /// use typed_cookies::OpenError;
    /// let signer = Signer::new("k");
    /// assert_eq!(signer.unsign(&signer.sign("hi")).unwrap(), "hi");
    /// assert_eq!(signer.unsign(&signer.sign("hi").replace("hi", "ho")), Err(OpenError::Invalid));
    /// assert_eq!(signer.unsign("no signature"), Err(OpenError::Malformed));
    /// ```
    pub fn unsign(&self, signed: &str) -> Result<String, OpenError> {
        check_len(signed)?;
        let (value, sig) = signed.rsplit_once('.').ok_or(OpenError::Malformed)?;
        // cookie-signature compares the text, so only the unpadded, canonical encoding of the
        // tag matches; decoding strictly and comparing the bytes is the same test.
        let tag = STANDARD_NO_PAD
            .decode(sig)
            .map_err(|_| OpenError::Invalid)?;
        let authentic = self
            .secrets
            .iter()
            .any(|secret| Digest::Sha256.verify(secret, &[value.as_bytes()], &tag));
        if !authentic {
            return Err(OpenError::Invalid);
        }
        Ok(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_from_cookie_signature() {
        // cookie-signature's own test: sign('hello', 'tobiiscool')
        let signer = Signer::new("tobiiscool");
        let signed = "hello.DGDUkGlIkCzPz+C0B064FNgHdEjox7ch8tOBGslZ5QI";
        assert_eq!(signer.sign("hello"), signed);
        assert_eq!(signer.unsign(signed).unwrap(), "hello");
        assert_eq!(Signer::new("luna").unsign(signed), Err(OpenError::Invalid));
    }

    #[test]
    fn malformed_signatures_are_invalid_never_panics() {
        let signer = Signer::new("k");
        let good = signer.sign("value");
        for bad in [
            "",
            ".",
            "value.",
            "value.=",
            "value.!!!",
            &format!("{good}="),
            &format!("{good}A"),
            &good[..good.len() - 1],
            &good.replace('.', ","),
            "é.é",
        ] {
            assert!(signer.unsign(bad).is_err(), "{bad:?}");
        }
        assert_eq!(signer.unsign(""), Err(OpenError::Malformed));
        assert_eq!(signer.unsign("value."), Err(OpenError::Invalid));
        let long = "a".repeat(crate::MAX_COOKIE_LEN + 1);
        assert!(matches!(
            signer.unsign(&long),
            Err(OpenError::TooLarge { .. })
        ));
        // The value may itself contain dots: only the last one separates.
        assert_eq!(signer.unsign(&signer.sign("a.b.c")).unwrap(), "a.b.c");
        assert_eq!(signer.unsign(&signer.sign("")).unwrap(), "");
    }

    #[test]
    fn debug_shows_no_secret() {
        let shown = format!("{:?}", Signer::new("hunter2").fallbacks(["swordfish"]));
        assert!(
            !shown.contains("hunter2") && !shown.contains("swordfish"),
            "{shown}"
        );
        assert!(shown.contains("<2 redacted>"), "{shown}");
    }
}

//! `cookie-signature`'s `sign` / `unsign`: `value + "." + base64(HMAC-SHA256(secret, value))`
//! without `=` padding, verified against a list of secrets as cookie-parser and
//! express-session do.

use std::fmt;

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine as _;

use super::Secrets;
use crate::error::{OpenError, SealError};
use crate::interop::{check_len, Digest};

/// `cookie-signature` with the secret list of cookie-parser's `cookieParser(secrets)` or
/// express-session's `secret` option: [`sign`](Self::sign) uses the first secret,
/// [`unsign`](Self::unsign) accepts any of them. An empty secret neither signs nor unsigns
/// (see the [module](super) notes).
///
/// ```
/// use typed_cookies::interop::express::Signer;
/// use typed_cookies::OpenError;
///
/// let old = Signer::new("old secret");
/// let signer = Signer::new("new secret").fallbacks(["old secret"]);
/// assert_eq!(signer.unsign(&old.sign("hello")?).unwrap(), "hello");
/// assert_eq!(old.unsign(&signer.sign("hello")?), Err(OpenError::Invalid));
/// # Ok::<(), typed_cookies::SealError>(())
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
    /// Node's `createHmac` takes it). An empty `secret` (an unset variable read as `""`) is
    /// taken, but [`sign`](Self::sign) then refuses ([`SealError::EmptySecret`]) and
    /// [`unsign`](Self::unsign) verifies nothing ([`OpenError::Invalid`]), as
    /// cookie-parser and express-session refuse an empty secret.
    ///
    /// ```
    /// use typed_cookies::interop::express::Signer;
    /// use typed_cookies::{OpenError, SealError};
    /// // require("cookie-signature").sign("hello", "tobiiscool")
    /// assert_eq!(
    ///     Signer::new("tobiiscool").sign("hello").unwrap(),
    ///     "hello.DGDUkGlIkCzPz+C0B064FNgHdEjox7ch8tOBGslZ5QI"
    /// );
    /// assert!(matches!(Signer::new("").sign("hello"), Err(SealError::EmptySecret { .. })));
    /// // cookie-signature's sign("hello", ""): a signature anyone can make.
    /// let forged = "hello.Q1KybjP+DXaaiSKmuikAQQnwFojiasyebLNH5aWvxNo";
    /// assert_eq!(Signer::new("").unsign(forged), Err(OpenError::Invalid));
    /// ```
    pub fn new(secret: impl AsRef<[u8]>) -> Self {
        Self {
            secrets: Secrets::new(
                secret,
                "Express secret (cookie-parser / express-session `secret`)",
            ),
        }
    }

    /// The older secrets after the first in the peer's list (`cookieParser([new, old])`,
    /// `session({ secret: [new, old] })`): they only unsign. Replaces earlier fallbacks. An
    /// empty one is skipped: it unsigns nothing.
    ///
    /// ```
    /// use typed_cookies::interop::express::Signer;
    /// let signed = Signer::new("a").sign("v").unwrap();
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

    /// `sign(value, secret)` with the first secret: `value.signature`;
    /// [`SealError::EmptySecret`] when the first secret is empty.
    ///
    /// ```
    /// let signed = typed_cookies::interop::express::Signer::new("k").sign("a.b").unwrap();
    /// assert!(signed.starts_with("a.b.") && !signed.ends_with('='));
    /// ```
    pub fn sign(&self, value: &str) -> Result<String, SealError> {
        let tag = Digest::Sha256.hmac(self.secrets.first()?, &[value.as_bytes()]);
        let mut out = String::with_capacity(value.len() + 44);
        out.push_str(value);
        out.push('.');
        STANDARD_NO_PAD.encode_string(tag, &mut out);
        Ok(out)
    }

    /// `unsign(signed, secret)` tried with each secret: the value before the last `.` when
    /// the signature after it is its HMAC under one of them ([`OpenError::Invalid`] when
    /// none, empty secrets never verifying; [`OpenError::Malformed`] without a `.`).
    ///
    /// ```
    /// use typed_cookies::interop::express::Signer;
    /// use typed_cookies::OpenError;
    /// let signer = Signer::new("k");
    /// assert_eq!(signer.unsign(&signer.sign("hi")?).unwrap(), "hi");
    /// assert_eq!(signer.unsign(&signer.sign("hi")?.replace("hi", "ho")), Err(OpenError::Invalid));
    /// assert_eq!(signer.unsign("no signature"), Err(OpenError::Malformed));
    /// # Ok::<(), typed_cookies::SealError>(())
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
            .verifying()
            .any(|(_, secret)| Digest::Sha256.verify(secret, &[value.as_bytes()], &tag));
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
        assert_eq!(signer.sign("hello").unwrap(), signed);
        assert_eq!(signer.unsign(signed).unwrap(), "hello");
        assert_eq!(Signer::new("luna").unsign(signed), Err(OpenError::Invalid));
    }

    #[test]
    fn malformed_signatures_are_invalid_never_panics() {
        let signer = Signer::new("k");
        let good = signer.sign("value").unwrap();
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
        assert_eq!(
            signer.unsign(&signer.sign("a.b.c").unwrap()).unwrap(),
            "a.b.c"
        );
        assert_eq!(signer.unsign(&signer.sign("").unwrap()).unwrap(), "");
    }

    #[test]
    fn empty_secrets_neither_sign_nor_verify() {
        // cookie-signature's sign("v", "") and sign("v", "\0"): the same HMAC key.
        let forged = "v.ksdi13D4gc1BJ0Es4yX6QtG6MAwIeNLsCgeGRePOvFE";
        for empty in [&b""[..], &b"\0"[..], &[0u8; 100][..]] {
            let signer = Signer::new(empty);
            assert!(matches!(
                signer.sign("v"),
                Err(SealError::EmptySecret { .. })
            ));
            assert_eq!(signer.unsign(forged), Err(OpenError::Invalid));
            // As a fallback: skipped, the good secret still works.
            let signer = Signer::new("k").fallbacks([empty]);
            assert_eq!(signer.unsign(forged), Err(OpenError::Invalid));
            assert_eq!(signer.unsign(&signer.sign("v").unwrap()).unwrap(), "v");
        }
        let e = Signer::new("").sign("v").unwrap_err();
        assert_eq!(e.kind(), "empty_secret");
        assert!(e.to_string().contains("Express secret"), "{e}");
        // An empty current secret with a good fallback still opens what the fallback signed.
        let old = Signer::new("old").sign("v").unwrap();
        assert_eq!(
            Signer::new("").fallbacks(["old"]).unsign(&old).unwrap(),
            "v"
        );
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

//! Express's signed cookies: `res.cookie(name, value, { signed: true })` and
//! cookie-parser's `req.signedCookies[name]`, typed through serde.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::{uri, Signer};
use crate::error::{OpenError, SealError};
use crate::interop::{check_len, payload_mismatch};

/// The prefix of a signed cookie value (before percent-encoding).
const SIGNED: &str = "s:";
/// The prefix of a JSON cookie value.
const JSON: &str = "j:";

/// Express's signed cookies with `app.use(cookieParser(secret))`: see [`signed_cookie`].
#[derive(Clone, Debug)]
pub struct SignedCookie {
    signer: Signer,
}

/// Express's signed cookie under cookie-parser's `secret`, as
/// `res.cookie(name, value, { signed: true })` writes it and `req.signedCookies[name]`
/// reads it.
///
/// The value is `s:` + `cookie-signature`'s [`sign`](Signer::sign) of the text, where the
/// text is a string as it is, and anything else (an object, an array, `null`) `j:` + its
/// JSON (which cookie-parser parses back); numbers and booleans are written as their text,
/// as `String(value)` does. Express then percent-encodes it all (`s%3Aj%3A%7B…`), and
/// [`seal`](SignedCookie::seal) returns that encoded value. The signature covers neither the
/// cookie's name nor a purpose: see the [module](super) notes. An empty `secret` seals
/// nothing ([`SealError::EmptySecret`]) and opens nothing ([`OpenError::Invalid`]), as
/// cookie-parser verifies no signed cookie without a secret.
///
/// ```
/// use std::collections::BTreeMap;
/// use typed_cookies::interop::express;
///
/// let cookies = express::signed_cookie("new secret").fallbacks(["old secret"]);
/// let theme = cookies.seal("dark").unwrap();
/// assert!(theme.starts_with("s%3Adark."));
/// assert_eq!(cookies.open::<String>(&theme).unwrap(), "dark");
///
/// let prefs = cookies.seal(&BTreeMap::from([("lang", "fr")])).unwrap();
/// let prefs: BTreeMap<String, String> = cookies.open(&prefs).unwrap();
/// assert_eq!(prefs["lang"], "fr");
/// ```
pub fn signed_cookie(secret: impl AsRef<[u8]>) -> SignedCookie {
    SignedCookie {
        signer: Signer::new(secret),
    }
}

impl SignedCookie {
    /// cookie-parser's older secrets (`cookieParser([new, old])`): they open, only the first
    /// signs. Replaces earlier fallbacks; an empty one is skipped.
    ///
    /// ```
    /// use typed_cookies::interop::express::signed_cookie;
    /// let value = signed_cookie("old").seal(&7).unwrap();
    /// assert_eq!(signed_cookie("new").fallbacks(["old"]).open::<u8>(&value).unwrap(), 7);
    /// ```
    pub fn fallbacks<I, S>(mut self, secrets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        self.signer = self.signer.fallbacks(secrets);
        self
    }

    /// The cookie value `res.cookie(name, value, { signed: true })` writes, percent-encoded
    /// as in its `Set-Cookie` header.
    ///
    /// A string that starts with `j:` is refused ([`SealError::Serialize`]): Express would
    /// write it as it is, and cookie-parser would read it back as JSON. An empty secret is
    /// [`SealError::EmptySecret`].
    ///
    /// ```
    /// use typed_cookies::interop::express::signed_cookie;
    /// let cookies = signed_cookie("k");
    /// assert!(cookies.seal(&[1, 2]).unwrap().starts_with("s%3Aj%3A%5B1%2C2%5D."));
    /// assert!(cookies.seal(&42).unwrap().starts_with("s%3A42."));
    /// assert!(cookies.seal("j:{}").is_err());
    /// ```
    pub fn seal<T: Serialize + ?Sized>(&self, value: &T) -> Result<String, SealError> {
        let json = serde_json::to_string(value).map_err(|e| SealError::Serialize {
            reason: e.to_string(),
        })?;
        let text = match json.as_bytes().first() {
            // A string: as it is (`String(value)`).
            Some(b'"') => {
                let text: String =
                    serde_json::from_str(&json).map_err(|e| SealError::Serialize {
                        reason: e.to_string(),
                    })?;
                if text.starts_with(JSON) {
                    return Err(SealError::Serialize {
                        reason: "a string value that starts with `j:` would read back as JSON \
                                 through cookie-parser; store it inside an object"
                            .to_owned(),
                    });
                }
                text
            }
            // `typeof value === 'object'`: objects, arrays and null.
            Some(b'{' | b'[' | b'n') => format!("{JSON}{json}"),
            // Numbers and booleans: `String(value)`.
            _ => json,
        };
        let value = uri::encode(&format!("{SIGNED}{}", self.signer.sign(&text)?));
        if value.len() > crate::MAX_COOKIE_LEN {
            return Err(SealError::TooLarge {
                len: value.len(),
                max: crate::MAX_COOKIE_LEN,
            });
        }
        Ok(value)
    }

    /// What `req.signedCookies[name]` holds for the cookie's value, as `T`.
    ///
    /// `value` is the cookie's value as it is in the `Cookie:` header: percent-escapes are
    /// decoded as the `cookie` package decodes them (an already decoded value without `%`
    /// reads the same). A value without the `s:` prefix is not a signed cookie
    /// ([`OpenError::Malformed`]); a wrong signature under every secret is
    /// [`OpenError::Invalid`]. A `j:` value opens as its JSON, and any other as a string (or
    /// as a number or boolean when `T` is one and the text is one, which is how Express
    /// writes those); a `j:` value whose JSON is not a `T` opens as its text, `j:` included,
    /// as cookie-parser returns it. Anything else is [`OpenError::PayloadMismatch`].
    ///
    /// ```
    /// use typed_cookies::interop::express::signed_cookie;
    /// use typed_cookies::OpenError;
    /// let cookies = signed_cookie("k");
    /// let value = cookies.seal(&vec![1u8, 2]).unwrap();
    /// assert_eq!(cookies.open::<Vec<u8>>(&value).unwrap(), [1, 2]);
    /// assert!(matches!(cookies.open::<bool>(&value), Err(OpenError::PayloadMismatch { .. })));
    /// assert_eq!(signed_cookie("other").open::<Vec<u8>>(&value), Err(OpenError::Invalid));
    /// assert_eq!(cookies.open::<String>("plain"), Err(OpenError::Malformed));
    /// ```
    pub fn open<T: DeserializeOwned>(&self, value: &str) -> Result<T, OpenError> {
        check_len(value)?;
        let value = uri::decode(value);
        let signed = value.strip_prefix(SIGNED).ok_or(OpenError::Malformed)?;
        let text = self.signer.unsign(signed)?;
        if let Some(json) = text.strip_prefix(JSON) {
            if let Ok(typed) = serde_json::from_str(json) {
                return Ok(typed);
            }
        }
        if let Ok(typed) = T::deserialize(Value::String(text.clone())) {
            return Ok(typed);
        }
        match serde_json::from_str::<Value>(&text) {
            Ok(scalar @ (Value::Number(_) | Value::Bool(_))) => {
                T::deserialize(scalar).map_err(|_| payload_mismatch::<T>())
            }
            _ => Err(payload_mismatch::<T>()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vector_from_express() {
        // Express 4.22.3, cookieParser("keyboard cat"):
        // res.cookie("c", { a: 1 }, { signed: true })
        let cookies = signed_cookie("keyboard cat");
        let value = "s%3Aj%3A%7B%22a%22%3A1%7D.OXIDXB1qbEBn9fsUQ0t8D05a4h%2FkQY1mDqi8vZOcjuk";
        assert_eq!(cookies.seal(&serde_json::json!({"a": 1})).unwrap(), value);
        assert_eq!(
            cookies.open::<Value>(value).unwrap(),
            serde_json::json!({"a": 1})
        );
    }

    #[test]
    fn plain_text_keeps_its_type() {
        let cookies = signed_cookie("k");
        // A string that looks like a number stays a string for a string type…
        let v = cookies.seal("42").unwrap();
        assert_eq!(cookies.open::<String>(&v).unwrap(), "42");
        // …and a number (written as its text, like Express) opens as a number or a string.
        let v = cookies.seal(&42u32).unwrap();
        assert_eq!(cookies.open::<u32>(&v).unwrap(), 42);
        assert_eq!(cookies.open::<String>(&v).unwrap(), "42");
        let v = cookies.seal(&true).unwrap();
        assert!(cookies.open::<bool>(&v).unwrap());
        // Text that is not a number never becomes one, nor an object.
        let v = cookies.seal("{\"a\":1}").unwrap();
        assert!(cookies.open::<Value>(&v).unwrap().is_string());
        assert!(cookies.open::<u32>(&cookies.seal("x").unwrap()).is_err());
        // null is `j:null`, as typeof null === "object".
        let v = cookies.seal(&None::<u8>).unwrap();
        assert!(v.starts_with("s%3Aj%3Anull."));
        assert_eq!(cookies.open::<Option<u8>>(&v).unwrap(), None);
    }

    #[test]
    fn json_that_is_not_t_reads_as_cookie_parser_reads_it() {
        let signer = Signer::new("k");
        // `j:` text that is not JSON, or JSON of another type, is cookie-parser's raw string.
        for text in ["j:{", "j:0", "j:[1]"] {
            let value = uri::encode(&format!("s:{}", signer.sign(text).unwrap()));
            assert_eq!(signed_cookie("k").open::<String>(&value).unwrap(), text);
        }
    }

    #[test]
    fn refuses_what_would_not_read_back() {
        let cookies = signed_cookie("k");
        assert!(matches!(
            cookies.seal("j:[1]"),
            Err(SealError::Serialize { .. })
        ));
        assert!(matches!(
            cookies.seal(&"x".repeat(crate::MAX_COOKIE_LEN)),
            Err(SealError::TooLarge { .. })
        ));
        let bad_map = std::collections::HashMap::from([(vec![1u8], 1)]);
        assert!(matches!(
            cookies.seal(&bad_map),
            Err(SealError::Serialize { .. })
        ));
    }

    #[test]
    fn malformed_values_never_panic() {
        let cookies = signed_cookie("k");
        let good = cookies.seal(&serde_json::json!({"a": [1, "é"]})).unwrap();
        for i in 0..good.len() {
            for cut in [&good[..i], &good[i + 1..]] {
                assert!(cookies.open::<Value>(cut).is_err(), "{cut:?}");
            }
        }
        for bad in [
            "",
            "s:",
            "s%3A",
            "%",
            "s%3A%",
            "s:.",
            "j:{}",
            "s%3Aj%3A%7B.%",
        ] {
            assert!(cookies.open::<Value>(bad).is_err(), "{bad:?}");
        }
        assert_eq!(cookies.open::<Value>("j:{}"), Err(OpenError::Malformed));
        let long = "s:".to_owned() + &"%41".repeat(2000);
        assert!(matches!(
            cookies.open::<Value>(&long),
            Err(OpenError::TooLarge { .. })
        ));
    }

    #[test]
    fn deep_json_is_refused_not_a_crash() {
        let signer = Signer::new("k");
        let deep = format!("j:{}{}", "[".repeat(10_000), "]".repeat(10_000));
        // Too long for a cookie anyway; signed directly to reach the parser.
        let value = format!("s:{}", signer.sign(&deep).unwrap());
        let opened = SignedCookie { signer }.open::<Value>(&value);
        assert!(matches!(opened, Err(OpenError::TooLarge { .. })));
        let signer = Signer::new("k");
        let deep = format!("j:{}{}", "[".repeat(1_500), "]".repeat(1_500));
        let value = format!("s:{}", signer.sign(&deep).unwrap());
        let opened = SignedCookie { signer }.open::<Value>(&value);
        assert_eq!(opened.unwrap(), Value::String(deep));
    }
}

//! The peers as [`Contender`]s, each used the way its documentation shows, with `serde_json`
//! for the payload (they carry strings, not structs):
//!
//! - `cookie`'s `PrivateJar` (AES-256-GCM, cookie name as AAD) and `SignedJar` (HMAC-SHA256);
//!   sealing goes through a jar (`add`, then the value is copied out), opening through the
//!   jar's public `decrypt` / `verify` of a request cookie;
//! - `jsonwebtoken` HS256 with the same fields plus `exp` (validated on decode).
//!
//! Keys and key schedules that can be prepared once are prepared once.

use std::borrow::Cow;

use cookie::{Cookie, CookieJar, Key};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::Contender;

/// The cookie name the jars use (it is part of `PrivateJar`'s AAD).
const NAME: &str = "sid";

/// `cookie`'s master key: 64 bytes (32 signing ‖ 32 encryption).
fn jar_key() -> Key {
    let bytes: Vec<u8> = (0u8..64)
        .map(|i| i.wrapping_mul(37).wrapping_add(11))
        .collect();
    Key::from(&bytes)
}

/// Which of `cookie`'s secure jars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jar {
    /// `PrivateJar`: encrypted and authenticated.
    Private,
    /// `SignedJar`: authenticated.
    Signed,
}

/// `cookie`'s `PrivateJar` or `SignedJar` with `serde_json`.
pub struct CookieJarPeer<P> {
    jar: Jar,
    key: Key,
    sample: P,
}

impl<P> CookieJarPeer<P> {
    /// The peer for `jar`, with a fixed key.
    pub fn new(jar: Jar, sample: P) -> Self {
        Self {
            jar,
            key: jar_key(),
            sample,
        }
    }
}

impl<P: Serialize + DeserializeOwned> Contender for CookieJarPeer<P> {
    type Value = P;

    fn seal(&self) -> String {
        let json = serde_json::to_string(&self.sample).expect("serializes");
        let mut jar = CookieJar::new();
        match self.jar {
            Jar::Private => jar.private_mut(&self.key).add(Cookie::new(NAME, json)),
            Jar::Signed => jar.signed_mut(&self.key).add(Cookie::new(NAME, json)),
        }
        jar.get(NAME).expect("just added").value().to_owned()
    }

    fn open(&self, value: Cow<'static, str>) -> P {
        let jar = CookieJar::new();
        let cookie = Cookie::new(NAME, value);
        let cookie = match self.jar {
            Jar::Private => jar.private(&self.key).decrypt(cookie),
            Jar::Signed => jar.signed(&self.key).verify(cookie),
        };
        serde_json::from_str(cookie.expect("authentic").value()).expect("decodes")
    }

    fn sample(&self) -> &P {
        &self.sample
    }
}

/// `jsonwebtoken` HS256; the claims carry `exp`, which decoding validates.
pub struct JwtPeer<C> {
    header: Header,
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    sample: C,
}

impl<C> JwtPeer<C> {
    /// The peer with a fixed 32-byte secret.
    pub fn new(sample: C) -> Self {
        let secret = *b"jwt-secret-0123456789abcdefghijk";
        Self {
            header: Header::new(Algorithm::HS256),
            encoding: EncodingKey::from_secret(&secret),
            decoding: DecodingKey::from_secret(&secret),
            validation: Validation::new(Algorithm::HS256),
            sample,
        }
    }
}

impl<C: Serialize + DeserializeOwned> Contender for JwtPeer<C> {
    type Value = C;

    fn seal(&self) -> String {
        jsonwebtoken::encode(&self.header, &self.sample, &self.encoding).expect("encodes")
    }

    fn open(&self, value: Cow<'static, str>) -> C {
        jsonwebtoken::decode::<C>(&value, &self.decoding, &self.validation)
            .expect("valid token")
            .claims
    }

    fn sample(&self) -> &C {
        &self.sample
    }
}

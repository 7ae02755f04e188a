//! The kinds of sealed value: signed/encrypted × JSON/postcard typed cookies, and the
//! low-level signer and sealer. One behaviour, one suite, run over every kind.

use typed_cookies::{Codec, Format, KeyRing, Mode, OpenError, SealedCookie};

use crate::Payload;

/// A typed cookie that is a newtype around a payload `P` (what [`cookie_kinds!`] declares).
pub trait Wraps<P>: SealedCookie + Sized {
    /// The cookie holding `payload`.
    fn wrap(payload: P) -> Self;
    /// Its payload.
    fn into_payload(self) -> P;
}

/// Declares the four typed cookies of one payload type — `SignedJson`, `EncryptedJson`,
/// `SignedPostcard`, `EncryptedPostcard`, newtypes implementing [`Wraps`] — with the given
/// cookie names and salts (the derive takes literals only) and a common max age:
///
/// ```ignore
/// typed_cookies_testkit::cookie_kinds! {
///     payload = Rich, max_age = "1h",
///     names = ["p_sj", "p_ej", "p_sp", "p_ep"],
///     salts = ["rt.sj", "rt.ej", "rt.sp", "rt.ep"],
/// }
/// ```
///
/// The derive refuses the same cookie name or salt twice in one crate, so a test binary
/// declaring its own set picks names and salts of its own. The calling crate depends on
/// `serde` (with `derive`) and `typed-cookies` (with `derive`) under those names.
#[macro_export]
macro_rules! cookie_kinds {
    (
        payload = $payload:ty, max_age = $max_age:tt,
        names = [$sj:tt, $ej:tt, $sp:tt, $ep:tt $(,)?],
        salts = [$ssj:tt, $sej:tt, $ssp:tt, $sep:tt $(,)?] $(,)?
    ) => {
        $crate::cookie_kinds!(@one $payload, SignedJson, "Signed, JSON.",
            name = $sj, salt = $ssj, max_age = $max_age);
        $crate::cookie_kinds!(@one $payload, EncryptedJson, "Encrypted, JSON.",
            name = $ej, salt = $sej, max_age = $max_age, encrypt);
        $crate::cookie_kinds!(@one $payload, SignedPostcard, "Signed, postcard.",
            name = $sp, salt = $ssp, max_age = $max_age, codec = "postcard");
        $crate::cookie_kinds!(@one $payload, EncryptedPostcard, "Encrypted, postcard.",
            name = $ep, salt = $sep, max_age = $max_age, encrypt, codec = "postcard");
    };
    (@one $payload:ty, $ty:ident, $doc:tt, $($cookie:tt)*) => {
        #[doc = $doc]
        #[derive(
            Debug,
            Clone,
            PartialEq,
            ::serde::Serialize,
            ::serde::Deserialize,
            ::typed_cookies::SealedCookie,
        )]
        #[cookie($($cookie)*)]
        pub struct $ty(pub $payload);

        impl $crate::Wraps<$payload> for $ty {
            fn wrap(payload: $payload) -> Self {
                Self(payload)
            }
            fn into_payload(self) -> $payload {
                self.0
            }
        }
    };
}

mod types {
    crate::cookie_kinds! {
        payload = crate::Payload, max_age = "1h",
        names = ["tk_sj", "tk_ej", "tk_sp", "tk_ep"],
        salts = [
            "testkit.signed.json",
            "testkit.encrypted.json",
            "testkit.signed.postcard",
            "testkit.encrypted.postcard",
        ],
    }
}
pub use types::{EncryptedJson, EncryptedPostcard, SignedJson, SignedPostcard};

/// Runs a block once per typed kind of [`kinds`](crate::kinds), with `$kind` naming the type:
///
/// ```ignore
/// typed_cookies_testkit::for_each_kind!(K => {
///     let value = K::wrap(sample()).seal(&keys.at(t0())).unwrap();
///     assert_eq!(K::open(&keys.at(t0()), &value).unwrap().into_payload(), sample());
/// });
/// ```
#[macro_export]
macro_rules! for_each_kind {
    ($kind:ident => $body:block) => {{
        {
            type $kind = $crate::kinds::SignedJson;
            $body
        }
        {
            type $kind = $crate::kinds::EncryptedJson;
            $body
        }
        {
            type $kind = $crate::kinds::SignedPostcard;
            $body
        }
        {
            type $kind = $crate::kinds::EncryptedPostcard;
            $body
        }
    }};
}

/// Salt of the low-level [`Kind::Signer`] and [`Kind::Sealer`].
pub const LOW_LEVEL_SALT: &str = "testkit.low-level";

/// The six ways a value is made: the four typed cookies and the low-level signer and sealer
/// (no expiry). Each knows how to seal a [`Payload`] and open it again with a ring, whose
/// clock decides the time (`keys.at(t0())`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// [`SignedJson`].
    SignedJson,
    /// [`EncryptedJson`].
    EncryptedJson,
    /// [`SignedPostcard`].
    SignedPostcard,
    /// [`EncryptedPostcard`].
    EncryptedPostcard,
    /// `keys.signed(LOW_LEVEL_SALT).no_expiry()`.
    Signer,
    /// `keys.encrypted(LOW_LEVEL_SALT).no_expiry()`.
    Sealer,
}

impl Kind {
    /// All six.
    pub const ALL: [Kind; 6] = [
        Kind::SignedJson,
        Kind::EncryptedJson,
        Kind::SignedPostcard,
        Kind::EncryptedPostcard,
        Kind::Signer,
        Kind::Sealer,
    ];

    /// The four typed cookies.
    pub const TYPED: [Kind; 4] = [
        Kind::SignedJson,
        Kind::EncryptedJson,
        Kind::SignedPostcard,
        Kind::EncryptedPostcard,
    ];

    /// Seals `payload` with `keys` at the ring's clock.
    pub fn seal(self, keys: &KeyRing, payload: &Payload) -> String {
        let p = payload.clone();
        match self {
            Kind::SignedJson => SignedJson(p).seal(keys),
            Kind::EncryptedJson => EncryptedJson(p).seal(keys),
            Kind::SignedPostcard => SignedPostcard(p).seal(keys),
            Kind::EncryptedPostcard => EncryptedPostcard(p).seal(keys),
            Kind::Signer => keys.signed(LOW_LEVEL_SALT).no_expiry().seal(&p),
            Kind::Sealer => keys.encrypted(LOW_LEVEL_SALT).no_expiry().seal(&p),
        }
        .expect("a payload of the fixtures fits in a cookie")
    }

    /// Opens `value` as this kind with `keys` at the ring's clock; `Ok` carries the payload.
    pub fn open(self, keys: &KeyRing, value: &str) -> Result<Payload, OpenError> {
        match self {
            Kind::SignedJson => SignedJson::open(keys, value).map(|c| c.0),
            Kind::EncryptedJson => EncryptedJson::open(keys, value).map(|c| c.0),
            Kind::SignedPostcard => SignedPostcard::open(keys, value).map(|c| c.0),
            Kind::EncryptedPostcard => EncryptedPostcard::open(keys, value).map(|c| c.0),
            Kind::Signer => keys.signed(LOW_LEVEL_SALT).no_expiry().open(value),
            Kind::Sealer => keys.encrypted(LOW_LEVEL_SALT).no_expiry().open(value),
        }
    }

    /// The format byte's meaning: mode and codec.
    pub fn format(self) -> Format {
        let (mode, codec) = match self {
            Kind::SignedJson | Kind::Signer => (Mode::Signed, Codec::Json),
            Kind::EncryptedJson | Kind::Sealer => (Mode::Encrypted, Codec::Json),
            Kind::SignedPostcard => (Mode::Signed, Codec::Postcard),
            Kind::EncryptedPostcard => (Mode::Encrypted, Codec::Postcard),
        };
        Format { mode, codec }
    }
}

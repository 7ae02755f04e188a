//! The payloads: the typical session struct and a ~1 KB one, as plain serde structs (for the
//! peers and the floor), as `jsonwebtoken` claims (the same fields plus `exp`), and as our
//! derived cookie types in every mode × codec.

use serde::{Deserialize, Serialize};
use typed_cookies::SealedCookie;

/// Seconds a session lives, everywhere (`max_age`, JWT `exp`).
pub const MAX_AGE: i64 = 7200;

/// Declares one struct with the session fields (plus `extra` ones) and the given attributes.
macro_rules! session_struct {
    ($(#[$attr:meta])* $name:ident { $($field:ident: $ty:ty),* }) => {
        $(#[$attr])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub struct $name {
            /// Account id.
            pub user_id: u64,
            /// Display name (13 chars).
            pub name: String,
            /// Two role names.
            pub roles: Vec<String>,
            /// 32-char CSRF token.
            pub csrf: String,
            /// Login time, unix seconds.
            pub issued: i64,
            $(
                /// Extra field.
                pub $field: $ty,
            )*
        }
    };
}

session_struct!(
    /// The typical session, for the peers and the floor.
    Session {}
);
session_struct!(
    /// The session as `jsonwebtoken` claims.
    SessionClaims { exp: u64 }
);
session_struct!(
    /// A ~1 KB session (about 1 KB of JSON), for the peers and the floor.
    Big { history: Vec<String> }
);
session_struct!(
    /// The ~1 KB session as `jsonwebtoken` claims.
    BigClaims { history: Vec<String>, exp: u64 }
);

session_struct!(
    /// Ours: signed, JSON.
    #[derive(SealedCookie)]
    #[cookie(name = "__Host-s", salt = "bench.signed-json", max_age = 7200)]
    SignedJson {}
);
session_struct!(
    /// Ours: encrypted, JSON.
    #[derive(SealedCookie)]
    #[cookie(name = "__Host-e", salt = "bench.encrypted-json", max_age = 7200, encrypt)]
    EncryptedJson {}
);
session_struct!(
    /// Ours: signed, postcard.
    #[derive(SealedCookie)]
    #[cookie(name = "__Host-sc", salt = "bench.signed-postcard", max_age = 7200, codec = "postcard")]
    SignedPostcard {}
);
session_struct!(
    /// Ours: encrypted, postcard.
    #[derive(SealedCookie)]
    #[cookie(name = "__Host-ec", salt = "bench.encrypted-postcard", max_age = 7200, encrypt, codec = "postcard")]
    EncryptedPostcard {}
);
session_struct!(
    /// Ours, ~1 KB: signed, JSON.
    #[derive(SealedCookie)]
    #[cookie(name = "__Host-bs", salt = "bench.big.signed-json", max_age = 7200)]
    BigSignedJson { history: Vec<String> }
);
session_struct!(
    /// Ours, ~1 KB: encrypted, JSON.
    #[derive(SealedCookie)]
    #[cookie(name = "__Host-be", salt = "bench.big.encrypted-json", max_age = 7200, encrypt)]
    BigEncryptedJson { history: Vec<String> }
);
session_struct!(
    /// Ours, ~1 KB: signed, postcard.
    #[derive(SealedCookie)]
    #[cookie(name = "__Host-bsc", salt = "bench.big.signed-postcard", max_age = 7200, codec = "postcard")]
    BigSignedPostcard { history: Vec<String> }
);
session_struct!(
    /// Ours, ~1 KB: encrypted, postcard.
    #[derive(SealedCookie)]
    #[cookie(name = "__Host-bec", salt = "bench.big.encrypted-postcard", max_age = 7200, encrypt, codec = "postcard")]
    BigEncryptedPostcard { history: Vec<String> }
);
session_struct!(
    /// Ours: ~1 KB, signed, JSON, compressed (issue 16).
    #[derive(SealedCookie)]
    #[cookie(name = "__Host-bsz", salt = "bench.big.signed-json.z", max_age = 7200, compress)]
    BigSignedJsonCompressed { history: Vec<String> }
);
session_struct!(
    /// Ours: ~1 KB, encrypted, JSON, compressed (explicit opt-in: a benchmark, no attacker).
    #[derive(SealedCookie)]
    #[cookie(name = "__Host-bez", salt = "bench.big.encrypted-json.z", max_age = 7200, encrypt, compress = "i_understand_compression_leaks_length")]
    BigEncryptedJsonCompressed { history: Vec<String> }
);
session_struct!(
    /// Ours: ~1 KB, signed, postcard, compressed.
    #[derive(SealedCookie)]
    #[cookie(name = "__Host-bscz", salt = "bench.big.signed-postcard.z", max_age = 7200, codec = "postcard", compress)]
    BigSignedPostcardCompressed { history: Vec<String> }
);
session_struct!(
    /// Ours: ~1 KB, encrypted, postcard, compressed (explicit opt-in).
    #[derive(SealedCookie)]
    #[cookie(name = "__Host-becz", salt = "bench.big.encrypted-postcard.z", max_age = 7200, encrypt, codec = "postcard", compress = "i_understand_compression_leaks_length")]
    BigEncryptedPostcardCompressed { history: Vec<String> }
);

/// The sample session: 13-char name, two roles, 32-char CSRF token.
pub fn session() -> Session {
    Session {
        user_id: 1_234_567,
        name: "Ada Lovelace!".into(),
        roles: vec!["admin".into(), "billing".into()],
        csrf: "f3a9c1d27be84e0a9d6f5b3c2e1a0f98".into(),
        issued: 1_764_000_000,
    }
}

/// The sample ~1 KB session: the session plus 16 history entries of 48 chars.
pub fn big() -> Big {
    let s = session();
    Big {
        user_id: s.user_id,
        name: s.name,
        roles: s.roles,
        csrf: s.csrf,
        issued: s.issued,
        history: (0..16)
            .map(|i| format!("/shop/catalogue/item/{i:04}?ref=recently-viewed-x"))
            .collect(),
    }
}

/// Copies the session fields (and the listed extra ones) into another session struct.
macro_rules! convert {
    ($from:ident => $($to:ident),*; $fields:tt) => {
        $(convert!(@one $from, $to, $fields);)*
    };
    (@one $from:ident, $to:ident, [$($field:ident),*]) => {
        impl From<&$from> for $to {
            fn from(s: &$from) -> Self {
                Self {
                    user_id: s.user_id,
                    name: s.name.clone(),
                    roles: s.roles.clone(),
                    csrf: s.csrf.clone(),
                    issued: s.issued,
                    $($field: s.$field.clone(),)*
                }
            }
        }
    };
}

convert!(Session => SignedJson, EncryptedJson, SignedPostcard, EncryptedPostcard; []);
convert!(Big => BigSignedJson, BigEncryptedJson, BigSignedPostcard, BigEncryptedPostcard; [history]);
convert!(Big => BigSignedJsonCompressed, BigEncryptedJsonCompressed, BigSignedPostcardCompressed, BigEncryptedPostcardCompressed; [history]);

/// The session as claims expiring `MAX_AGE` from now.
pub fn session_claims() -> SessionClaims {
    let s = session();
    SessionClaims {
        user_id: s.user_id,
        name: s.name,
        roles: s.roles,
        csrf: s.csrf,
        issued: s.issued,
        exp: exp(),
    }
}

/// The ~1 KB session as claims expiring `MAX_AGE` from now.
pub fn big_claims() -> BigClaims {
    let s = big();
    BigClaims {
        user_id: s.user_id,
        name: s.name,
        roles: s.roles,
        csrf: s.csrf,
        issued: s.issued,
        history: s.history,
        exp: exp(),
    }
}

fn exp() -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs();
    now + MAX_AGE as u64
}

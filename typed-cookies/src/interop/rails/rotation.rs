//! [`Rotation`]: an older cookie configuration of a Rails app (`cookies_rotations`) whose
//! cookies still open.

use std::fmt;

use zeroize::Zeroizing;

use crate::interop::{Digest, Secret};

/// An older configuration whose cookies still open (`config.action_dispatch.cookies_rotations`):
/// an old `secret_key_base`, the key generator's old digest (the Rails 7.0 upgrade), or an
/// old signed-cookie digest. What is not set is the jar's own setting.
///
/// ```
/// use typed_cookies::interop::{rails::{CookieJar, Defaults, Rotation}, Digest};
///
/// let secret = "0123456789abcdef".repeat(8);
/// let rails61 = CookieJar::new(&secret).unwrap();
/// // After `config.load_defaults 7.0`, with the upgrade guide's rotation of SHA-1 keys:
/// let rails70 = CookieJar::new(&secret).unwrap()
///     .load_defaults(Defaults::V7_0)
///     .rotate(Rotation::new().key_generator_digest(Digest::Sha1));
/// let old = rails61.encrypted("cart").seal(&[1, 2]).unwrap();
/// assert_eq!(rails70.encrypted("cart").open::<Vec<u8>>(&old).unwrap(), [1, 2]);
/// ```
#[derive(Clone, Default)]
pub struct Rotation {
    pub(super) secret_key_base: Option<Secret>,
    pub(super) key_generator_digest: Option<Digest>,
    pub(super) iterations: Option<u32>,
    pub(super) signed_cookie_digest: Option<Digest>,
}

impl fmt::Debug for Rotation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("rails::Rotation")
            .field(
                "secret_key_base",
                &self.secret_key_base.as_ref().map(|_| "<redacted>"),
            )
            .field("key_generator_digest", &self.key_generator_digest)
            .field("iterations", &self.iterations)
            .field("signed_cookie_digest", &self.signed_cookie_digest)
            .finish()
    }
}

impl Rotation {
    /// A rotation that changes nothing yet.
    ///
    /// ```
    /// let r = typed_cookies::interop::rails::Rotation::new();
    /// assert!(format!("{r:?}").contains("secret_key_base: None"));
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The old `secret_key_base` (an empty one is ignored: it never made a Rails cookie).
    ///
    /// ```
    /// use typed_cookies::interop::rails::{CookieJar, Rotation};
    /// let v = CookieJar::new("old").unwrap().signed("c").seal(&1).unwrap();
    /// let jar = CookieJar::new("new").unwrap().rotate(Rotation::new().secret_key_base("old"));
    /// assert_eq!(jar.signed("c").open::<u8>(&v).unwrap(), 1);
    /// ```
    pub fn secret_key_base(mut self, secret: impl AsRef<[u8]>) -> Self {
        self.secret_key_base = Some(Zeroizing::new(secret.as_ref().to_vec()));
        self
    }

    /// The key generator's old digest (`hash_digest_class`).
    ///
    /// ```
    /// use typed_cookies::interop::{rails::Rotation, Digest};
    /// let r = Rotation::new().key_generator_digest(Digest::Sha1);
    /// assert!(format!("{r:?}").contains("Sha1"));
    /// ```
    pub fn key_generator_digest(mut self, digest: Digest) -> Self {
        self.key_generator_digest = Some(digest);
        self
    }

    /// The key generator's old iteration count.
    ///
    /// ```
    /// let r = typed_cookies::interop::rails::Rotation::new().iterations(2);
    /// assert!(format!("{r:?}").contains("Some(2)"));
    /// ```
    pub fn iterations(mut self, iterations: u32) -> Self {
        self.iterations = Some(iterations);
        self
    }

    /// The old digest of signed cookies (`cookies.rotate :signed, digest: "SHA256"`).
    ///
    /// ```
    /// use typed_cookies::interop::{rails::{CookieJar, Rotation}, Digest};
    /// let sha256 = CookieJar::new("k").unwrap().signed_cookie_digest(Digest::Sha256);
    /// let v = sha256.signed("c").seal(&1).unwrap();
    /// let jar = CookieJar::new("k").unwrap()
    ///     .rotate(Rotation::new().signed_cookie_digest(Digest::Sha256));
    /// assert_eq!(jar.signed("c").open::<u8>(&v).unwrap(), 1);
    /// ```
    pub fn signed_cookie_digest(mut self, digest: Digest) -> Self {
        self.signed_cookie_digest = Some(digest);
        self
    }
}

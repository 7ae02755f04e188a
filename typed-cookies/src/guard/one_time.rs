//! [`OneTimeSealer`]: runtime one-time tokens — a reset link, an invite, a download URL — under
//! a salt chosen at run time (or built from parts), opened exactly once through a [`Guard`]'s
//! store.

use serde::de::DeserializeOwned;
use serde::Serialize;
use time::Duration;

use crate::error::{OpenError, SealError};
use crate::guard::Guard;
use crate::seal::{Guarding, Sealer, SealerBuilder};
use crate::store::SessionId;
use crate::wire::claims::Claims;

/// Seals values that open once: each carries a random id (in its authenticated claims), and
/// opening claims that id in the store atomically (`SET NX` with a TTL in Redis), so a second
/// open — by the same user, an attacker who saw the link, or a concurrent request on another
/// server — is [`OpenError::AlreadyUsed`]. Made by [`SealerBuilder::one_time`]. It fails
/// closed: when the store cannot answer, opening is [`OpenError::StoreUnavailable`].
///
/// Its values live in a namespace of their own, in the runtime sealers' domain (HKDF info
/// `typed-cookies/v1/runtime/<mode>+one-time/<salt digest>`, see FORMAT.md): a derived
/// `one_time`, `revocable` or `replay` type with the same salt neither opens its tokens nor
/// has its values opened by it ([`OpenError::Invalid`] both ways), and a plain
/// [`Sealer`](crate::Sealer) of the salt refuses them too. A salt that includes data is
/// built from parts, as for any runtime sealer
/// (`keys.signed_parts(["invite", team]).one_time(..)`).
///
/// Its ids are claimed in the store under the namespace `runtime:<salt digest>` (64 hex
/// digits, whatever the salt's length); with [`SealerBuilder::also_open_legacy`], a legacy
/// token is claimed under its legacy salt, as before.
///
/// ```
/// # block_on::run(async {
/// use typed_cookies::guard::Guard;
/// use typed_cookies::store::MemoryStore;
/// use typed_cookies::time::Duration;
/// use typed_cookies::{Key, KeyRing, OpenError};
///
/// let keys = KeyRing::new(Key::generate());
/// let guard = Guard::new(MemoryStore::new());
/// let reset = keys.signed("accounts.password-reset").one_time(Duration::hours(1));
///
/// let token = reset.seal(&7u64).unwrap();
/// assert_eq!(reset.open::<u64>(&guard, &token).await, Ok(7));
/// assert_eq!(reset.open::<u64>(&guard, &token).await, Err(OpenError::AlreadyUsed));
/// # });
/// # mod block_on { pub fn run<F: std::future::Future>(f: F) -> F::Output {
/// #     struct Noop; impl std::task::Wake for Noop { fn wake(self: std::sync::Arc<Self>) {} }
/// #     let waker = std::task::Waker::from(std::sync::Arc::new(Noop));
/// #     let mut cx = std::task::Context::from_waker(&waker);
/// #     let mut f = std::pin::pin!(f);
/// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } } } }
/// ```
#[derive(Clone)]
pub struct OneTimeSealer {
    sealer: Sealer,
    /// The store namespace its ids are claimed under: `runtime:<salt digest>`. Neither shown
    /// by `Debug` nor logged: the digest is an unkeyed SHA-256 of the salt's parts, which a
    /// dictionary inverts when they hold personal data (`signed_parts(["reset", email])`).
    namespace: Box<str>,
}

/// The sealer (mode, compression, lifetime; no salt) and `namespace: ..`: the store namespace
/// is a digest of the salt, which a dictionary inverts for a salt built from personal data.
impl std::fmt::Debug for OneTimeSealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OneTimeSealer")
            .field("sealer", &self.sealer)
            .finish_non_exhaustive()
    }
}

impl SealerBuilder {
    /// A sealer of one-time values that expire after `max_age` (their store entry expires with
    /// them). See [`OneTimeSealer`].
    ///
    /// # Panics
    ///
    /// If `max_age` is zero or negative, as [`SealerBuilder::max_age`].
    pub fn one_time(self, max_age: Duration) -> OneTimeSealer {
        let sealer = self.build(Some(Self::positive(max_age)), true);
        OneTimeSealer {
            namespace: format!("runtime:{}", sealer.salt()).into(),
            sealer,
        }
    }
}

impl OneTimeSealer {
    /// Seals `value` with a fresh one-time id. Needs no store: the id is claimed when opened.
    pub fn seal<T: Serialize + ?Sized>(&self, value: &T) -> Result<String, SealError> {
        let claims = Claims {
            session_id: SessionId::generate(),
            epoch: 0,
            nonce: 0,
            subject: None,
        };
        let guarding = Guarding {
            claims: Some(&claims),
            tracked: true,
            binding: None,
        };
        let now = self.sealer.ring().unix_now();
        self.sealer.engine_with(guarding).seal(value, now, now)
    }

    /// Opens `token` if it is authentic, fresh, and its first use: verified, then claimed in
    /// `guard`'s store.
    pub async fn open<T: DeserializeOwned>(
        &self,
        guard: &Guard,
        token: &str,
    ) -> Result<T, OpenError> {
        let now = self.sealer.ring().unix_now();
        let guarding = Guarding {
            claims: None,
            tracked: true,
            binding: None,
        };
        let (opened, legacy) = self
            .sealer
            .open_in_domains(guarding, |engine| engine.open::<T>(token, now))?;
        let namespace = legacy.unwrap_or(&self.namespace);
        let id = opened.session_id().ok_or(OpenError::Malformed)?;
        let until = opened.expires_at().map_or(now, |at| at.unix_timestamp());
        let store = guard.store().ok_or(OpenError::StoreUnavailable)?;
        match store.claim(namespace, id, until, now).await {
            Ok(true) => Ok(opened.into_value()),
            Ok(false) => Err(OpenError::AlreadyUsed),
            Err(error) => {
                // Not the namespace: a digest of the salt (or the legacy salt itself), which
                // may be built from personal data.
                #[cfg(feature = "tracing")]
                tracing::warn!(
                    token = "runtime one-time",
                    mode = self.sealer.mode().label(),
                    legacy = legacy.is_some(),
                    %error,
                    "revocation store unavailable; one-time token refused"
                );
                let _ = error;
                Err(OpenError::StoreUnavailable)
            }
        }
    }
}

//! Stolen-cookie defences: the [`Guard`] seals and opens the types that declare them.
//!
//! A sealed cookie copied to another machine works there until it expires, and signing out
//! only deletes the browser's copy. Types opt in, per defence, and pay nothing otherwise:
//!
//! | declared | what it stops | cost per open |
//! |---|---|---|
//! | `bind = "user_agent"`, `"ip"`, `"app"` (any, comma-separated) | a value replayed from another browser or network | a SHA-256 of the bound parts; no store |
//! | `revocable` | a value used after sign-out ([`Guard::revoke`]) or after "sign out everywhere" ([`Guard::sign_out_everywhere`]) | one store read |
//! | `one_time` | a second use of a reset link, an invite, a download URL | one atomic store write |
//! | `replay = "10s"` | an older copy of a session used beside (or after) the real one: the whole session is revoked | a store read and an atomic write, and a new value on every response |
//! | `if_store_down = "accept"` | (availability) accept and log instead of refusing when the store cannot answer | — |
//!
//! A bound or tracked type is not [`Stateless`](crate::Stateless), so the plain
//! [`SealedCookie::seal`]/[`SealedCookie::open`] — and the adapters' `Sealed<T>`, `Opened<T>`,
//! `SetCookie::new` and `refresh` — do not compile for it: every path to its values goes
//! through the guard. (A hand-written `impl Stateless` for one only moves that to run time:
//! [`OpenError::NeedsGuard`].) The framework adapters take the guard from app state like the
//! key ring (`Guarded<T>`, and the `guarded` middleware in place of `refresh`). They build the
//! [`ClientContext`] from the request: the `User-Agent`, the client IP from the guard's
//! [`ClientIp`] source, and, for `bind = "app"`, the [`AppBinding`] the application put into
//! the request's extensions in a middleware of its own.
//!
//! ```
//! # tokio_test_stub::block_on(async {
//! use serde::{Deserialize, Serialize};
//! use typed_cookies::guard::{ClientContext, Guard};
//! use typed_cookies::store::MemoryStore;
//! use typed_cookies::{Key, KeyRing, OpenError, SealedCookie};
//!
//! #[derive(Serialize, Deserialize, SealedCookie)]
//! #[cookie(name = "__Host-sid", salt = "docs.guard.v1", max_age = "8h", encrypt, revocable, bind = "user_agent")]
//! struct Session { user_id: u64 }
//!
//! let keys = KeyRing::new(Key::generate());
//! let guard = Guard::new(MemoryStore::new());
//! let browser = ClientContext::new().user_agent("Firefox/140");
//!
//! let issued = guard.issue(&keys, &Session { user_id: 7 }, Some("user:7"), &browser).await.unwrap();
//! let opened = guard.open::<Session>(&keys, issued.value(), &browser).await.unwrap();
//! assert_eq!(opened.value().user_id, 7);
//!
//! // Copied to another browser: does not authenticate.
//! let thief = ClientContext::new().user_agent("curl/8");
//! assert_eq!(guard.open::<Session>(&keys, issued.value(), &thief).await.err(), Some(OpenError::Invalid));
//!
//! // Signed out: the copy left in any browser is refused.
//! guard.revoke(&keys, opened.opened()).await.unwrap();
//! assert_eq!(guard.open::<Session>(&keys, issued.value(), &browser).await.err(), Some(OpenError::Revoked));
//! # });
//! # mod tokio_test_stub { pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     // The memory store never waits, so one poll finishes.
//! #     struct Noop; impl std::task::Wake for Noop { fn wake(self: std::sync::Arc<Self>) {} }
//! #     let waker = std::task::Waker::from(std::sync::Arc::new(Noop));
//! #     let mut cx = std::task::Context::from_waker(&waker);
//! #     let mut f = std::pin::pin!(f);
//! #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } } } }
//! ```

mod app_binding;
mod client_ip;
mod context;
mod one_time;
mod sign_out;

use std::sync::Arc;

use rand::RngCore as _;

pub use app_binding::AppBinding;
pub use client_ip::ClientIp;
pub use context::ClientContext;
pub use one_time::OneTimeSealer;
pub use sign_out::SignOutError;

use crate::cookie::sealed_cookie::{open_guarded, session_set_cookie};
use crate::cookie::{cookie_header, CookieScope, SealedCookie, Tracking};
use time::Duration;

use crate::error::{OpenError, SealError};
use crate::keys::KeyRing;
use crate::seal::DEFAULT_CLOCK_SKEW;
use crate::seal::{Guarding, Opened};
use crate::store::{RevocationStore, Rotation, SessionId, StoreError};
use crate::wire::claims::{Claims, MAX_SUBJECT_LEN};

/// Seals and opens bound and tracked cookie types: the client binding, and the revocation
/// store's checks (deny list, subject epoch, one-time claim, replay nonce). Cheap to clone;
/// share one per application (axum: app state with `Guard: FromRef<S>`; actix-web:
/// `app_data`).
#[derive(Clone)]
pub struct Guard {
    store: Option<Arc<dyn RevocationStore>>,
    client_ip: ClientIp,
    clock_skew: Duration,
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard")
            .field("store", &self.store.is_some())
            .field("client_ip", &self.client_ip)
            .field("clock_skew", &self.clock_skew)
            .finish()
    }
}

/// A new session: its `Set-Cookie` header value, the sealed value, and its session id.
#[derive(Clone, PartialEq, Eq)]
pub struct Issued {
    set_cookie: String,
    session_id: Option<SessionId>,
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issued")
            .field("session_id", &self.session_id)
            .finish_non_exhaustive()
    }
}

impl Issued {
    /// The `Set-Cookie` header value.
    pub fn set_cookie(&self) -> &str {
        &self.set_cookie
    }

    /// The sealed value alone (what the browser will send back).
    pub fn value(&self) -> &str {
        // `name=value; attributes`: a sealed value is base64url, so it holds neither.
        let pair = self.set_cookie.split(';').next().unwrap_or_default();
        pair.split_once('=').map_or("", |(_, value)| value)
    }

    /// The session id of a tracked type (`None` for a bound-only type).
    pub fn session_id(&self) -> Option<SessionId> {
        self.session_id
    }
}

/// A value that passed every check, and, for a `replay` type, the `Set-Cookie` the response
/// must carry (the session's next value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked<T> {
    opened: Opened<T>,
    renewed: Option<String>,
}

impl<T> Checked<T> {
    /// The opened value and its metadata.
    pub fn opened(&self) -> &Opened<T> {
        &self.opened
    }

    /// The value.
    pub fn value(&self) -> &T {
        self.opened.value()
    }

    /// The opened value, by move.
    pub fn into_opened(self) -> Opened<T> {
        self.opened
    }

    /// The `Set-Cookie` header value the response must carry: the session's next value after a
    /// replay-detection rotation. A response that drops it leaves the browser with a value the
    /// store will treat as replayed once the grace window has passed. `None` inside the grace
    /// window: the rotating request's response carries the next value, and this one is
    /// [`superseded`](Opened::superseded).
    pub fn renewed(&self) -> Option<&str> {
        self.renewed.as_deref()
    }
}

fn random_nonce() -> u64 {
    rand::thread_rng().next_u64()
}

/// What every store step of [`Guard::open`] works on: the value's claims, the time, and until
/// when store entries about its session must live ([`until`]).
struct Step<'a> {
    claims: &'a Claims,
    now: i64,
    until: i64,
}

/// `until` for store entries about `opened`'s session: when the *session* ends whatever
/// happens — its absolute expiry (creation + `max_age`, which every tracked type has) — not
/// the presented copy's idle deadline: another copy of the session, resealed later, lives
/// until the absolute expiry, and a deny entry or replay record must outlive every copy.
/// Plus `skew`: a server whose clock is behind this one's still opens the value that much
/// later, and the entry (and its Redis TTL, counted from this server's clock) must outlive it
/// there too.
fn until<T>(opened: &Opened<T>, now: i64, skew: Duration) -> i64 {
    let meta = opened.meta();
    meta.expires_at
        .unwrap_or(now.saturating_add(400 * 86_400))
        .saturating_add(skew.whole_seconds())
}

fn warn_store(name: &'static str, error: &StoreError, accepted: bool) {
    #[cfg(feature = "tracing")]
    tracing::warn!(
        cookie = name,
        %error,
        accepted,
        "revocation store unavailable"
    );
    let _ = (name, error, accepted);
}

impl Guard {
    /// A guard over `store` (a [`MemoryStore`](crate::store::MemoryStore) for one process, a
    /// `RedisStore` for a fleet).
    pub fn new(store: impl RevocationStore) -> Self {
        Self::from_arc(Arc::new(store))
    }

    /// A guard over a shared store.
    pub fn from_arc(store: Arc<dyn RevocationStore>) -> Self {
        Self {
            store: Some(store),
            client_ip: ClientIp::Peer,
            clock_skew: DEFAULT_CLOCK_SKEW,
        }
    }

    /// A guard without a store: enough for types that are only bound (`bind`); tracked types
    /// are refused as if the store were down.
    pub fn stateless() -> Self {
        Self {
            store: None,
            client_ip: ClientIp::Peer,
            clock_skew: DEFAULT_CLOCK_SKEW,
        }
    }

    /// Where the adapters take the client IP from for `bind = "ip"` (default: the TCP peer).
    pub fn with_client_ip(mut self, source: ClientIp) -> Self {
        self.client_ip = source;
        self
    }

    /// How far apart the clocks of the servers sharing the store may be (default
    /// [`DEFAULT_CLOCK_SKEW`], the tolerance opens give an issue time in the future): every
    /// store entry is kept that much past the value's own expiry, so it outlives the value on
    /// a server whose clock is behind. Negative values count as zero.
    pub fn with_clock_skew(mut self, skew: Duration) -> Self {
        self.clock_skew = skew.max(Duration::ZERO);
        self
    }

    /// The tolerated clock skew between servers.
    pub fn clock_skew(&self) -> Duration {
        self.clock_skew
    }

    /// The configured client-IP source.
    pub fn client_ip(&self) -> ClientIp {
        self.client_ip
    }

    /// The store, if any.
    pub fn store(&self) -> Option<&Arc<dyn RevocationStore>> {
        self.store.as_ref()
    }

    fn require_store(&self, operation: &'static str) -> Result<&dyn RevocationStore, StoreError> {
        // Made only when missing: the reason is a `String`, an allocation on every open else.
        self.store.as_deref().ok_or_else(|| StoreError {
            operation,
            reason: "this guard has no store (Guard::stateless)".into(),
        })
    }

    /// Seals a new session of `T` (a sign-in): a fresh session id for tracked types, stamped
    /// with `subject`'s current epoch (read from the store), so that the next
    /// [`Guard::sign_out_everywhere`] ends it, and bound to `client` as `T` declares.
    ///
    /// `subject`, when given, is 1 to 255 bytes (the user's id): `Some("")` is refused with
    /// [`SealError::EmptySubject`] (it would be an anonymous session in disguise, which
    /// "sign out everywhere" cannot end), a longer one with [`SealError::SubjectTooLong`];
    /// pass `None` for an anonymous session. Both are programming mistakes: the adapters
    /// answer a returned one with a logged 500.
    ///
    /// `client` must carry every part `T` binds besides the user agent: a type with
    /// `bind = "ip"` (or `"app"`) and a context without an IP (or app bytes) is refused with
    /// [`SealError::MissingClientPart`] — sealed, the value would be bound to "no address" and
    /// never open from a real request. Take the context from the request with the adapters'
    /// `client_context_of::<T>` (the same one the `Guarded<T>` extractor builds). A missing
    /// user agent is allowed: a request without `User-Agent` is bound as having none.
    ///
    /// The store is consulted only for tracked types: for the subject's epoch, and to start
    /// the replay nonce of a `replay` type. When it cannot answer, the sign-in fails
    /// ([`SealError::StoreUnavailable`]) unless the type says `if_store_down = "accept"`.
    pub async fn issue<T: SealedCookie>(
        &self,
        keys: &impl CookieScope,
        value: &T,
        subject: Option<&str>,
        client: &ClientContext,
    ) -> Result<Issued, SealError> {
        let scope = keys;
        let keys = scope.keys();
        let config = &T::CONFIG;
        if let Some(part) = client.missing_part(config.binding()) {
            return Err(SealError::MissingClientPart {
                name: config.name(),
                part,
            });
        }
        let now = keys.unix_now();
        let binding = client.digest(config.binding());
        match subject {
            Some("") => return Err(SealError::EmptySubject),
            Some(subject) if subject.len() > MAX_SUBJECT_LEN => {
                return Err(SealError::SubjectTooLong { len: subject.len() })
            }
            _ => {}
        }
        let claims = match config.tracking() {
            Tracking::None => None,
            Tracking::Revocable | Tracking::OneTime => {
                if let Err(error) = self.require_store("issue") {
                    self.or_fail_open::<T, _>(Err(error), ())?;
                }
                let session_id = SessionId::generate();
                let nonce = if config.replay_grace().is_some() {
                    random_nonce()
                } else {
                    0
                };
                let epoch = match subject {
                    Some(subject) if config.tracking() == Tracking::Revocable => {
                        let status = match self.require_store("status") {
                            Ok(store) => {
                                store
                                    .status(config.salt(), session_id, Some(subject), now)
                                    .await
                            }
                            Err(e) => Err(e),
                        };
                        self.or_fail_open::<T, _>(status.map(|s| s.epoch), 0)?
                    }
                    _ => 0,
                };
                if config.replay_grace().is_some() {
                    let lifetime = config.max_age().map_or(400 * 86_400, |d| d.whole_seconds());
                    let started = match self.require_store("start_nonce") {
                        Ok(store) => {
                            store
                                .start_nonce(
                                    config.salt(),
                                    session_id,
                                    nonce,
                                    now.saturating_add(lifetime)
                                        .saturating_add(self.clock_skew.whole_seconds()),
                                    now,
                                )
                                .await
                        }
                        Err(e) => Err(e),
                    };
                    self.or_fail_open::<T, _>(started, ())?;
                }
                Some(Claims {
                    session_id,
                    epoch,
                    nonce,
                    subject: subject.map(Into::into),
                })
            }
        };
        let guarding = Guarding {
            claims: claims.as_ref(),
            tracked: claims.is_some(),
            binding: binding.as_ref(),
        };
        let set_cookie = session_set_cookie(value, scope, now, now, guarding)?;
        Ok(Issued {
            set_cookie,
            session_id: claims.map(|c| c.session_id),
        })
    }

    /// The store's answer, or what a fail-open type accepts instead (logged either way).
    fn or_fail_open<T: SealedCookie, V>(
        &self,
        result: Result<V, StoreError>,
        fallback: V,
    ) -> Result<V, SealError> {
        match result {
            Ok(v) => Ok(v),
            Err(error) => {
                let accept = T::CONFIG.fails_open();
                warn_store(T::CONFIG.name(), &error, accept);
                if accept {
                    Ok(fallback)
                } else {
                    Err(SealError::StoreUnavailable)
                }
            }
        }
    }

    /// Opens a value of `T` from `client`: authentication under the binding, freshness, then
    /// the store's checks in order — deny list and epoch (`revocable`), first-use claim
    /// (`one_time`), nonce rotation (`replay`, which may hand back a renewed `Set-Cookie`).
    /// A replayed value revokes its whole session before it is refused. An earlier value
    /// replaced within the grace window (a request in flight while others renewed the
    /// session) opens [`superseded`](Opened::superseded): readable, never written back.
    ///
    /// The defence pipeline, one step each: the cookie layer's one entry for guarded types
    /// (`open_guarded`: authentication under the binding, freshness), then the revocation
    /// check or the one-time claim by the type's tracking, then the replay nonce's rotation.
    pub async fn open<T: SealedCookie>(
        &self,
        keys: &impl CookieScope,
        value: &str,
        client: &ClientContext,
    ) -> Result<Checked<T>, OpenError> {
        self.open_bytes(keys, value.as_bytes(), client).await
    }

    /// [`Guard::open`] of a value as the request carried it, not yet checked to be UTF-8:
    /// base64url decoding refuses every byte outside its alphabet ([`OpenError::Malformed`]),
    /// so a UTF-8 check first would only walk the value once more (the adapters' path).
    pub(crate) async fn open_bytes<T: SealedCookie>(
        &self,
        keys: &impl CookieScope,
        value: &[u8],
        client: &ClientContext,
    ) -> Result<Checked<T>, OpenError> {
        let scope = keys;
        let keys = scope.keys();
        let config = &T::CONFIG;
        let now = keys.unix_now();
        let binding = client.digest(config.binding());
        let mut opened = open_guarded::<T>(keys, value, now, binding.as_ref())?;
        if !matches!(config.tracking(), Tracking::OneTime) && config.replay_grace().is_none() {
            // Nothing below changes `opened` (no one-time claim, no replay nonce): the same
            // steps over the claims in place, without the copy of them (and of the subject,
            // an allocation) that the other types need.
            if let (Tracking::Revocable, Some(claims)) = (config.tracking(), opened.claims()) {
                let step = Step {
                    claims,
                    now,
                    until: until(&opened, now, self.clock_skew),
                };
                self.check_revocation::<T>(&step).await?;
            }
            return Ok(Checked {
                opened,
                renewed: None,
            });
        }
        let Some(claims) = opened.claims().cloned() else {
            return Ok(Checked {
                opened,
                renewed: None,
            });
        };
        let step = Step {
            claims: &claims,
            now,
            until: until(&opened, now, self.clock_skew),
        };
        match config.tracking() {
            Tracking::None => {}
            Tracking::Revocable => self.check_revocation::<T>(&step).await?,
            Tracking::OneTime => self.claim_once(&step, &mut opened).await?,
        }
        let renewed = self.rotate_replay_nonce(scope, &step, &mut opened).await?;
        Ok(Checked { opened, renewed })
    }

    /// The store's refusal to answer, or what a fail-open type accepts instead (logged either
    /// way): the open-side twin of [`Guard::or_fail_open`].
    fn store_down<T: SealedCookie>(error: StoreError) -> Result<(), OpenError> {
        let accept = T::CONFIG.fails_open();
        warn_store(T::CONFIG.name(), &error, accept);
        if accept {
            Ok(())
        } else {
            Err(OpenError::StoreUnavailable)
        }
    }

    /// `revocable`: refused ([`OpenError::Revoked`]) when the session is on the deny list or
    /// older than its subject's epoch ("sign out everywhere").
    async fn check_revocation<T: SealedCookie>(&self, step: &Step<'_>) -> Result<(), OpenError> {
        let status = match self.require_store("status") {
            Ok(store) => {
                let subject = step.claims.subject.as_deref();
                store
                    .status(T::CONFIG.salt(), step.claims.session_id, subject, step.now)
                    .await
            }
            Err(e) => Err(e),
        };
        match status {
            Ok(status) if status.revoked || step.claims.epoch < status.epoch => {
                Err(OpenError::Revoked)
            }
            Ok(_) => Ok(()),
            Err(error) => Self::store_down::<T>(error),
        }
    }

    /// `one_time`: claims the value's first use ([`OpenError::AlreadyUsed`] after it); a
    /// claimed value is never resealed (a reseal would be a second copy).
    async fn claim_once<T: SealedCookie>(
        &self,
        step: &Step<'_>,
        opened: &mut Opened<T>,
    ) -> Result<(), OpenError> {
        let claimed = match self.require_store("claim") {
            Ok(store) => {
                let (ns, id) = (T::CONFIG.salt(), step.claims.session_id);
                store.claim(ns, id, step.until, step.now).await
            }
            Err(e) => Err(e),
        };
        match claimed {
            Ok(true) => {
                opened.clear_refresh();
                Ok(())
            }
            Ok(false) => Err(OpenError::AlreadyUsed),
            Err(error) => Self::store_down::<T>(error),
        }
    }

    /// `replay`: moves the session's nonce on and returns the renewed `Set-Cookie` (written in
    /// `scope`'s form); inside the grace window the value opens
    /// [`superseded`](Opened::superseded); an older nonce is a replay, which revokes the whole
    /// session before it is refused ([`OpenError::Replayed`]). `None` for other types.
    async fn rotate_replay_nonce<T: SealedCookie>(
        &self,
        scope: &impl CookieScope,
        step: &Step<'_>,
        opened: &mut Opened<T>,
    ) -> Result<Option<String>, OpenError> {
        let config = &T::CONFIG;
        let Some(grace) = config.replay_grace() else {
            return Ok(None);
        };
        let Some(store) = self.store.as_deref() else {
            Self::store_down::<T>(StoreError {
                operation: "rotate_nonce",
                reason: "this guard has no store (Guard::stateless)".into(),
            })?;
            return Ok(None);
        };
        let (ns, id) = (config.salt(), step.claims.session_id);
        let next = random_nonce();
        let rotation = store
            .rotate_nonce(
                ns,
                id,
                step.claims.nonce,
                next,
                grace.whole_seconds(),
                step.until,
                step.now,
            )
            .await;
        match rotation {
            Ok(Rotation::Rotated) => {
                opened.set_nonce(next);
                opened.clear_refresh();
                // Cannot fail: the same value with a nonce of the same size opened.
                let renewed = opened
                    .to_set_cookie(scope)
                    .map_err(|_| OpenError::StoreUnavailable)?;
                Ok(Some(renewed))
            }
            // A request that was in flight while another rotated: the other response carries
            // the next value, so this one must not reseal the previous nonce (arriving last, it
            // would leave the browser with a stale one), nor may the handler write it back
            // (`SealError::Superseded`).
            Ok(Rotation::Grace) => {
                opened.clear_refresh();
                opened.supersede();
                Ok(None)
            }
            Ok(Rotation::Unknown | Rotation::Replayed) => {
                #[cfg(feature = "tracing")]
                tracing::warn!(
                    cookie = config.name(),
                    session = %id,
                    "replayed session value: an older copy was used; the session is revoked"
                );
                if let Err(error) = store.revoke(ns, id, step.until, step.now).await {
                    warn_store(config.name(), &error, false);
                }
                Err(OpenError::Replayed)
            }
            Err(error) => Self::store_down::<T>(error).map(|()| None),
        }
    }

    /// [`Guard::open`] for `T`'s cookie in a request's `Cookie:` header values (matched
    /// byte-exactly; a name present twice is [`OpenError::DuplicateCookie`]); `Ok(None)` when
    /// absent.
    pub async fn open_from_cookie_headers<'h, T: SealedCookie>(
        &self,
        keys: &impl CookieScope,
        headers: impl IntoIterator<Item = &'h [u8]>,
        client: &ClientContext,
    ) -> Result<Option<Checked<T>>, OpenError> {
        // A request's view relaxed in development mode reads the unprefixed name.
        match cookie_header::find(headers, keys.form_of(&T::CONFIG).name())? {
            None => Ok(None),
            Some(value) => self.open(keys, value, client).await.map(Some),
        }
    }

    /// Signs `opened`'s session out for real: its id goes on the deny list until the session
    /// would have expired anyway, so every copy of it (in this browser's history, in another
    /// machine's cookie jar) is refused as [`OpenError::Revoked`]. Nothing to do for an
    /// untracked value.
    pub async fn revoke<T: SealedCookie>(
        &self,
        keys: &KeyRing,
        opened: &Opened<T>,
    ) -> Result<(), StoreError> {
        let Some(id) = opened.session_id() else {
            return Ok(());
        };
        let now = keys.unix_now();
        self.require_store("revoke")?
            .revoke(
                T::CONFIG.salt(),
                id,
                until(opened, now, self.clock_skew),
                now,
            )
            .await
    }
}

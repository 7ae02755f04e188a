//! What a type declares about stolen-cookie defences: the client [`Binding`] authenticated
//! beside its values (`bind = ".."`) and how it is [`Tracking`]-ed server-side (`revocable`,
//! `one_time`, `replay = ".."`, `if_store_down = ".."`). Read through
//! [`CookieConfig`](crate::CookieConfig); enforced by [`Guard`](crate::guard::Guard).

/// Which parts of the request a type's values are bound to (`bind = "user_agent, ip"`): a
/// value replayed with other parts fails to authenticate ([`OpenError::Invalid`]).
///
/// [`OpenError::Invalid`]: crate::OpenError::Invalid
///
/// ```
/// use typed_cookies::Binding;
/// let both = Binding::USER_AGENT.and(Binding::IP);
/// assert!(both.user_agent() && both.ip() && !both.app());
/// assert!(Binding::NONE.is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Binding(u8);

impl Binding {
    /// Not bound.
    pub const NONE: Binding = Binding(0);
    /// The `User-Agent` header, byte for byte.
    pub const USER_AGENT: Binding = Binding(1);
    /// The client's IP prefix: /24 for IPv4, /64 for IPv6, from the source the application
    /// configures (see `ClientIp` in the adapters) — never a client-supplied header by default.
    pub const IP: Binding = Binding(2);
    /// Bytes the application supplies ([`ClientContext::app`](crate::guard::ClientContext::app)):
    /// a TLS channel or device identifier, a tenant, anything.
    pub const APP: Binding = Binding(4);

    /// Both.
    pub const fn and(self, other: Binding) -> Binding {
        Binding(self.0 | other.0)
    }

    /// Bound to nothing.
    pub const fn is_none(self) -> bool {
        self.0 == 0
    }

    /// Bound to the user agent.
    pub const fn user_agent(self) -> bool {
        self.0 & 1 != 0
    }

    /// Bound to the client IP prefix.
    pub const fn ip(self) -> bool {
        self.0 & 2 != 0
    }

    /// Bound to application-supplied bytes.
    pub const fn app(self) -> bool {
        self.0 & 4 != 0
    }
}

/// How a type's values are checked against the revocation store.
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use typed_cookies::{SealedCookie, Tracking};
///
/// #[derive(Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "__Host-sid", salt = "docs.tracking.v1", max_age = "8h", encrypt, revocable, replay = "10s")]
/// struct Session { user_id: u64 }
///
/// assert_eq!(Session::CONFIG.tracking(), Tracking::Revocable);
/// assert_eq!(Session::CONFIG.replay_grace().map(|d| d.whole_seconds()), Some(10));
/// assert!(!Session::CONFIG.fails_open());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Tracking {
    /// Stateless (the default): no store is consulted.
    #[default]
    None,
    /// Values carry a session id and their subject's epoch; opening checks the deny list and
    /// the epoch (one store read); `Guard::revoke` and `Guard::sign_out_everywhere` end them.
    Revocable,
    /// Values open exactly once (an atomic first-use claim in the store).
    OneTime,
}

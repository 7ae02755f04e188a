//! The payload most tests seal.

use serde::{Deserialize, Serialize};

/// A session-like payload: an id, some text and a list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Payload {
    /// A user id.
    pub user: u64,
    /// Free text.
    pub name: String,
    /// A list of short strings.
    pub roles: Vec<String>,
}

/// A small payload: user 42, "Ada", one role.
pub fn sample() -> Payload {
    Payload {
        user: 42,
        name: "Ada".into(),
        roles: vec!["admin".into()],
    }
}

/// A larger, session-like payload: user 4242, "Grace Hopper", two roles.
pub fn profile() -> Payload {
    Payload {
        user: 4242,
        name: "Grace Hopper".into(),
        roles: vec!["admin".into(), "billing".into()],
    }
}

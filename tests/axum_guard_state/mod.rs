//! The axum router state of the guarded-session tests (`guard/`, `binding/`, `replay/`,
//! `revocation/`): the key ring and the
//! guard, each taken from it with `FromRef`, as the adapters' extractors and `guarded`
//! middleware take them.

#![allow(dead_code)]

use axum::extract::FromRef;
use typed_cookies::guard::Guard;
use typed_cookies::store::MemoryStore;
use typed_cookies::KeyRing;

/// The key ring and the guard.
#[derive(Clone)]
pub struct AppState {
    pub keys: KeyRing,
    pub guard: Guard,
}

impl AppState {
    /// `keys` and a guard over a fresh `MemoryStore`: the state every axum app of these tests
    /// starts from.
    pub fn new(keys: KeyRing) -> AppState {
        AppState {
            keys,
            guard: Guard::new(MemoryStore::new()),
        }
    }
}

impl FromRef<AppState> for KeyRing {
    fn from_ref(state: &AppState) -> KeyRing {
        state.keys.clone()
    }
}

impl FromRef<AppState> for Guard {
    fn from_ref(state: &AppState) -> Guard {
        state.guard.clone()
    }
}

use serde::{Deserialize, Serialize};
use typed_cookies::{Binding, SealedCookie, Tracking};

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(name = "__Host-sid", salt = "ui.pass.defences.v1", max_age = "8h", encrypt, replay = "5s", bind = "user_agent,ip", if_store_down = "refuse")]
struct Session {
    user: String,
}

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(name = "__Host-reset", salt = "ui.pass.defences.reset.v1", max_age = "1h", one_time, if_store_down = "accept")]
struct Reset {
    user: String,
}

fn main() {
    assert_eq!(Session::CONFIG.binding(), Binding::USER_AGENT.and(Binding::IP));
    assert_eq!(Session::CONFIG.tracking(), Tracking::Revocable);
    assert_eq!(Reset::CONFIG.tracking(), Tracking::OneTime);
    assert!(Reset::CONFIG.fails_open());
}

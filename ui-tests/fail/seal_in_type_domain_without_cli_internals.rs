// A runtime sealer, of a salt that reaches the code at run time, cannot be made to seal in the
// derived types' domain (and so mint a `#[derive(SealedCookie)]` type's value): the hidden
// `SealerBuilder::__seal_in_type_domain` exists only with typed-cookies' `cli-internals`
// feature, which only the `typed-cookies` command turns on. If this compiles, the gate is gone.
use typed_cookies::time::Duration;
use typed_cookies::{Key, KeyRing};

fn main() {
    let keys = KeyRing::new(Key::generate());
    let salt: String = ["shop", "session", "v1"].join(".");
    let sealer = keys
        .signed(&salt)
        .also_open_legacy(&salt)
        .__seal_in_type_domain()
        .max_age(Duration::hours(1));
    let _ = sealer.seal(&"admin");
}

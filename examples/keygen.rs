//! Prints a new random key as base64, ready for `APP_KEYS` / `KeyRing::from_env`.
//!
//! `cargo run --example keygen` — to rotate, prepend the new key: `NEW,OLD`.

fn main() {
    let key = typed_cookies::Key::generate();
    eprintln!("new key {} (keep the line below secret)", key.id());
    println!("{}", key.to_base64());
}

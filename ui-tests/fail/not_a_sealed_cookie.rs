use serde::{Deserialize, Serialize};
use typed_cookies::SealedCookie;

#[derive(Serialize, Deserialize)]
struct Session {
    user_id: u64,
}

/// What an extractor or response part (`Sealed<T>`, `Removal<T>`) asks of its type.
fn removal_of<T: SealedCookie>() -> String {
    T::removal()
}

fn main() {
    // Forgot the derive: the error says what to add.
    let _ = removal_of::<Session>();
}

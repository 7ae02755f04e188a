// A type that is no cookie type at all, asked to be `Stateless` (as `Sealed<T>` and the plain
// API do): the message stays true ("not a stateless sealed cookie type"), and its last note
// says that a type without the derive is not a cookie type.
use typed_cookies::Stateless;

#[derive(serde::Serialize, serde::Deserialize)]
struct Session {
    user_id: u64,
}

fn extract<T: Stateless>() {}

fn main() {
    extract::<Session>();
}

use typed_cookies::SealedCookie;

#[derive(SealedCookie)]
#[cookie(name = "sid", salt = "app.session.v1", max_age = "2h")]
union Session {
    user_id: u64,
    flags: u32,
}

fn main() {}

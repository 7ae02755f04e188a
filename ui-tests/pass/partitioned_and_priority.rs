use serde::{Deserialize, Serialize};
use typed_cookies::time::OffsetDateTime;
use typed_cookies::{Key, KeyRing, Priority, SameSite, SealedCookie};

/// A cookie for a widget embedded in other sites: partitioned per top-level site (CHIPS),
/// sent cross-site (`SameSite=None`), kept longest when Chromium evicts cookies.
#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-widget",
    salt = "ui.widget.v1",
    max_age = "1h",
    same_site = "none",
    partitioned,
    priority = "high"
)]
struct Widget {
    visitor: u64,
}

/// `priority` alone, written in any case.
#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(name = "theme", salt = "ui.theme.v1", max_age = "7d", priority = "Low")]
struct Theme {
    dark: bool,
}

fn main() {
    assert!(Widget::CONFIG.partitioned());
    assert_eq!(Widget::CONFIG.priority(), Some(Priority::High));
    assert_eq!(Widget::CONFIG.same_site(), SameSite::None);
    assert!(!Theme::CONFIG.partitioned());
    assert_eq!(Theme::CONFIG.priority(), Some(Priority::Low));

    let key: Vec<u8> = (1..=32).collect();
    let keys = KeyRing::new(Key::from_bytes(&key).unwrap());
    let t = OffsetDateTime::from_unix_timestamp(1_767_225_600).unwrap(); // 2026-01-01T00:00:00Z
    let keys = keys.at(t);

    let widget = Widget { visitor: 7 };
    let value = widget.seal(&keys).unwrap();
    assert_eq!(
        widget.to_set_cookie(&keys).unwrap(),
        format!(
            "__Host-widget={value}; HttpOnly; SameSite=None; Partitioned; Secure; Path=/; \
             Max-Age=3600; Expires=Thu, 01 Jan 2026 01:00:00 GMT; Priority=High"
        )
    );
    assert_eq!(Widget::open(&keys, &value).unwrap(), widget);
    // The removal carries both too: a browser deletes a partitioned cookie only through a
    // partitioned Set-Cookie.
    assert_eq!(
        Widget::removal(),
        "__Host-widget=; HttpOnly; SameSite=None; Partitioned; Secure; Path=/; Max-Age=0; \
         Expires=Thu, 01 Jan 1970 00:00:00 GMT; Priority=High"
    );

    let theme = Theme { dark: true };
    let value = theme.seal(&keys).unwrap();
    assert_eq!(
        theme.to_set_cookie(&keys).unwrap(),
        format!(
            "theme={value}; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=604800; \
             Expires=Thu, 08 Jan 2026 00:00:00 GMT; Priority=Low"
        )
    );
    assert_eq!(
        Theme::removal(),
        "theme=; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=0; \
         Expires=Thu, 01 Jan 1970 00:00:00 GMT; Priority=Low"
    );
}

//! The fuzzers' seed corpus (`fuzz/corpus/<target>/`) stays meaningful: every `valid-*` seed
//! still opens with the fuzzers' fixed keys and clock (so a wire-format change can't silently
//! turn the seeds into noise), and every `invalid-*` seed is still refused. For
//! `check_set_cookie`, "opens" means the browser would store the line: every seed goes through
//! the target's own oracle (`typed_cookies_cli::fuzzing::check_set_cookie`), which asserts it
//! does not panic and prints nothing raw, and its verdict must match its name.
//!
//! `REGENERATE_FUZZ_CORPUS=1 cargo test --test fuzz_corpus` rewrites the seeds. The types,
//! keys and times are the fuzz targets' own: `typed_cookies_testkit::fuzz`, which the fuzz
//! crate (outside the workspace: it needs `cargo fuzz` to build) re-exports.

use std::path::{Path, PathBuf};

use typed_cookies::{KeyRing, SealedCookie};
use typed_cookies_cli::fuzzing::check_set_cookie;
use typed_cookies_testkit::fuzz as fuzz_shared;
use typed_cookies_testkit::fuzz::{
    fallback_key, keys, now, sealed_at, EncryptedCookie, Payload, SignedCookie, LOW_LEVEL_SALT,
};

fn payload() -> Payload {
    Payload {
        user: 42,
        name: "Ada Lovelace ✓".into(),
        roles: vec!["admin".into(), "ops".into()],
    }
}

/// The seeds: (target, file name, contents).
fn seeds() -> Vec<(&'static str, &'static str, String)> {
    let keys = keys();
    let old = KeyRing::new(fallback_key());
    let p = payload();
    let t = sealed_at();
    let signer = keys.signed(LOW_LEVEL_SALT).no_expiry();
    let sealer = keys.encrypted(LOW_LEVEL_SALT).no_expiry();
    let signed = SignedCookie(p.clone()).seal(&keys.at(t)).unwrap();
    let encrypted = EncryptedCookie(p.clone()).seal(&keys.at(t)).unwrap();
    let low_signed = signer.at(t).seal(&p).unwrap();
    let low_sealed = sealer.at(t).seal(&p).unwrap();
    vec![
        ("open_signed", "valid-signer", low_signed.clone()),
        (
            "open_signed",
            "valid-signer-fallback-key",
            old.signed(LOW_LEVEL_SALT)
                .no_expiry()
                .at(t).seal(&p)
                .unwrap(),
        ),
        (
            "open_signed",
            "valid-signer-string",
            signer.at(t).seal("a plain string").unwrap(),
        ),
        ("open_signed", "valid-typed", signed.clone()),
        ("open_signed", "invalid-encrypted-value", low_sealed.clone()),
        (
            "open_signed",
            "invalid-truncated",
            low_signed[..low_signed.len() - 5].to_owned(),
        ),
        ("open_signed", "invalid-padded", format!("{low_signed}==")),
        ("open_encrypted", "valid-sealer", low_sealed.clone()),
        (
            "open_encrypted",
            "valid-sealer-fallback-key",
            old.encrypted(LOW_LEVEL_SALT)
                .no_expiry()
                .at(t).seal(&p)
                .unwrap(),
        ),
        ("open_encrypted", "valid-typed", encrypted.clone()),
        ("open_encrypted", "invalid-signed-value", low_signed.clone()),
        (
            "open_encrypted",
            "invalid-standard-alphabet",
            low_sealed.replace('-', "+").replace('_', "/") + "+/",
        ),
        (
            "cookie_header",
            "valid-both",
            format!("theme=dark; fz_sid={signed}; fz_enc={encrypted}; lang=en"),
        ),
        (
            "cookie_header",
            "valid-signed-only",
            format!("fz_sid={signed}"),
        ),
        (
            "cookie_header",
            "invalid-duplicate",
            format!("fz_sid={signed}; fz_sid={signed}"),
        ),
        (
            "cookie_header",
            "invalid-quoted",
            format!("fz_enc=\"{encrypted}\"; fz_sid=x"),
        ),
        ("cookie_header", "invalid-others-only", "a=1; b=2;c".into()),
        (
            "cookie_lookup",
            "valid-exact",
            format!(" \tfz_sid={signed}\t; theme=dark"),
        ),
        (
            "cookie_lookup",
            "valid-beside-look-alikes",
            format!("\u{2000}fz_sid=x; fz_sid={signed}; fz_sid\u{3000}=y; Fz_sid=z; \u{feff}fz_sid={signed}"),
        ),
        (
            "cookie_lookup",
            "invalid-look-alike-only",
            format!("\u{a0}fz_sid={signed}; \u{85}fz_sid={signed}"),
        ),
        ("cookie_lookup", "invalid-case", format!("FZ_SID={signed}")),
        (
            "check_set_cookie",
            "valid-host-cookie",
            "Set-Cookie: __Host-sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=7200"
                .into(),
        ),
        // `Expires=a€` panicked (a byte slice inside `€` where a month was looked for).
        (
            "check_set_cookie",
            "valid-expires-multi-byte",
            "__Host-a=1; Secure; Path=/; Expires=a€".into(),
        ),
        (
            "check_set_cookie",
            "valid-multi-byte-values",
            "a=€; Expires=Thu, 01 J€n 2026 0€:00:00 GMT😀; Max-Age=1😀; Path=/é; SameSite=L€x"
                .into(),
        ),
        (
            "check_set_cookie",
            "valid-bidi-and-c1",
            "\u{202e}sid\u{85}\u{9b}2J=1; Path=/\u{2066}; X\u{200f}=\u{61c}".into(),
        ),
        (
            "check_set_cookie",
            "valid-dates-and-caps",
            "a=1; Expires=Thursday, 01-Jan-99 23:59:59 GMT; Max-Age=99999999999999999999999"
                .into(),
        ),
        (
            "check_set_cookie",
            "invalid-domain-multi-byte",
            "a=1; Domain=bü€.example.".into(),
        ),
        (
            "check_set_cookie",
            "invalid-host-prefix",
            "__HOST-a=1; Path=/; Expires=a€".into(),
        ),
        (
            "check_set_cookie",
            "invalid-control-character",
            "a=1\u{1b}[2J; Path=/".into(),
        ),
        (
            "check_set_cookie",
            "invalid-samesite-none",
            "a=€; SameSite=None; Partitioned".into(),
        ),
    ]
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus")
}

/// Whether `contents` opens through the target `target`.
fn opens(target: &str, contents: &str) -> bool {
    let keys = keys();
    let now = now();
    match target {
        "open_signed" => {
            keys.signed(LOW_LEVEL_SALT)
                .no_expiry()
                .at(now)
                .open::<Payload>(contents)
                .is_ok()
                || keys
                    .signed(LOW_LEVEL_SALT)
                    .no_expiry()
                    .at(now)
                    .open::<String>(contents)
                    .is_ok()
                || SignedCookie::open(&keys.at(now), contents).is_ok()
        }
        "open_encrypted" => {
            keys.encrypted(LOW_LEVEL_SALT)
                .no_expiry()
                .at(now)
                .open::<Payload>(contents)
                .is_ok()
                || EncryptedCookie::open(&keys.at(now), contents).is_ok()
        }
        "cookie_header" => {
            matches!(
                SignedCookie::from_cookie_header(&keys.at(now), contents),
                Ok(Some(_))
            ) || matches!(
                EncryptedCookie::from_cookie_header(&keys.at(now), contents),
                Ok(Some(_))
            )
        }
        "cookie_lookup" => {
            fuzz_shared::check_lookup(contents);
            matches!(
                SignedCookie::from_cookie_header(&keys.at(now), contents),
                Ok(Some(_))
            )
        }
        "check_set_cookie" => !check_set_cookie(contents, now).rejected(),
        other => panic!("unknown target {other}"),
    }
}

#[test]
fn seed_corpus_is_current() {
    let dir = corpus_dir();
    if std::env::var_os("REGENERATE_FUZZ_CORPUS").is_some() {
        for (target, name, contents) in seeds() {
            std::fs::create_dir_all(dir.join(target)).unwrap();
            std::fs::write(dir.join(target).join(name), contents).unwrap();
        }
    }
    let mut checked = 0;
    for target in [
        "open_signed",
        "open_encrypted",
        "cookie_header",
        "cookie_lookup",
        "check_set_cookie",
    ] {
        // Only the named seeds: libFuzzer adds hash-named finds to the same directory.
        let mut entries: Vec<_> = std::fs::read_dir(dir.join(target))
            .unwrap_or_else(|e| panic!("{}: {e}", dir.join(target).display()))
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy();
                name.starts_with("valid-") || name.starts_with("invalid-")
            })
            .collect();
        entries.sort();
        let valid = entries
            .iter()
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("valid-")
            })
            .count();
        assert!(valid >= 2, "{target}: only {valid} valid seeds");
        for path in entries {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let contents = std::fs::read_to_string(&path).unwrap();
            let expected = name.starts_with("valid-");
            assert_eq!(
                opens(target, &contents),
                expected,
                "{target}/{name} should {}open; regenerate with REGENERATE_FUZZ_CORPUS=1",
                if expected { "" } else { "not " }
            );
            checked += 1;
        }
    }
    assert!(checked >= 30, "{checked} seeds");
}

/// The seeds made now have the same meaning as the committed ones (the fuzz crate re-exports
/// these very definitions, so the corpus and the targets cannot drift apart).
#[test]
fn freshly_made_seeds_behave_like_their_names_say() {
    for (target, name, contents) in seeds() {
        assert_eq!(
            opens(target, &contents),
            name.starts_with("valid-"),
            "{target}/{name}"
        );
    }
}

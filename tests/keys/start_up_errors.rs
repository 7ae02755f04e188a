//! What a `main` returning `Result<_, E>` (or `Result<_, Box<dyn Error>>`) prints for the
//! errors met at start-up — key rings, development mode, the revocation store, sign-out, the
//! interop constructors' secrets: the message (`Debug` writes the `Display` text), never the
//! enum. And the messages of the usual `APP_KEYS` mistakes (a key in quotes, a short key),
//! which say what to do and never echo the key.

use std::error::Error;

use typed_cookies::development::development_mode_allowed;
use typed_cookies::guard::SignOutError;
use typed_cookies::store::StoreError;
use typed_cookies::{Key, KeyError, KeyRing};
use typed_cookies_testkit::primary_key;

/// Checks that `Debug` (what `fn main() -> Result<(), E>` prints after `Error: `), the
/// alternate `Debug` and a `Box<dyn Error>`'s `Debug` are all the `Display` message, and
/// returns it.
fn prints_its_message<E: Error + 'static>(error: E) -> String {
    let message = error.to_string();
    assert_eq!(format!("{error:?}"), message);
    assert_eq!(format!("{error:#?}"), message);
    let boxed: Box<dyn Error> = Box::new(error);
    assert_eq!(format!("{boxed:?}"), message);
    assert!(
        !message.contains(" {") && !message.contains("Some("),
        "reads as a sentence, not a struct: {message}"
    );
    message
}

/// Asserts that `message` holds no 8-character piece of `key` (the base64 text given).
fn echoes_nothing_of(message: &str, key: &str) {
    let key: Vec<char> = key.chars().collect();
    for piece in key.windows(8) {
        let piece: String = piece.iter().collect();
        assert!(
            !message.contains(&piece),
            "{message:?} echoes {piece:?} of the key"
        );
    }
}

#[test]
fn key_errors_print_their_message() {
    let seven: Vec<u8> = (0u8..32).map(|i| i % 7).collect();
    let mut run: Vec<u8> = (0u8..32).collect();
    run[4..12].fill(0xee);
    let hex: String = (0u8..32).map(|i| format!("{:02x}", i * 7 + 3)).collect();
    let missing = std::env::temp_dir().join("typed-cookies-start-up-errors-no-such-file");
    let errors = [
        Key::from_bytes(&[1; 16]).unwrap_err(),
        Key::from_bytes(&seven).unwrap_err(),
        Key::from_bytes(&run).unwrap_err(),
        Key::from_bytes(b"correct horse battery staple, longer").unwrap_err(),
        Key::from_base64("***").unwrap_err(),
        Key::from_base64(&hex).unwrap_err(),
        Key::from_base64(&format!("'{}'", primary_key().to_base64())).unwrap_err(),
        KeyRing::from_env("TYPED_COOKIES_START_UP_SURELY_UNSET").unwrap_err(),
        KeyRing::from_file(&missing).unwrap_err(),
        KeyRing::from_base64_list(" , ").unwrap_err(),
        KeyRing::from_base64_list(&format!("{}, %%%", primary_key().to_base64())).unwrap_err(),
        KeyRing::with_fallbacks(primary_key(), [primary_key()]).unwrap_err(),
    ];
    for error in errors {
        let message = prints_its_message(error);
        echoes_nothing_of(&message, &primary_key().to_base64());
    }
}

/// The case: `KeyRing::from_env("APP_KEYS")?` in a `main` returning
/// `Box<dyn Error>`, with a 16-byte key, printed `InList { var: Some(..), .. }`.
#[test]
fn a_short_key_from_the_environment_names_the_keygen_command() {
    // Only this test touches this variable.
    let var = "TYPED_COOKIES_START_UP_SHORT";
    let short = "AAECAwQFBgcICQoLDA0ODw=="; // 16 bytes
    std::env::set_var(var, short);
    let error = KeyRing::from_env(var).unwrap_err();
    std::env::remove_var(var);
    assert_eq!(
        error,
        KeyError::InList {
            var: Some(var.into()),
            position: 1,
            count: 1,
            error: Box::new(KeyError::TooShort { len: 16 }),
        },
        "the variants still match"
    );
    let message = prints_its_message(error);
    assert_eq!(
        message,
        "key 1 of 1 in `TYPED_COOKIES_START_UP_SHORT`: key is 16 bytes long; at least 32 bytes \
         of random secret are required (make one with `typed-cookies keygen`, or \
         `Key::generate()` in code)"
    );
    echoes_nothing_of(&message, short);
}

/// A `.env` line `APP_KEYS="NEW,OLD"` read by something that keeps the quotes (a container's
/// env file, systemd's `Environment=`) gives entries `"NEW` and `OLD"`.
#[test]
fn a_key_in_quotes_is_named_as_such() {
    // Only this test touches this variable.
    let var = "TYPED_COOKIES_START_UP_QUOTED";
    let (new, old) = (Key::generate().to_base64(), Key::generate().to_base64());
    std::env::set_var(var, format!("\"{new},{old}\""));
    let error = KeyRing::from_env(var).unwrap_err();
    std::env::remove_var(var);
    assert_eq!(
        error,
        KeyError::InList {
            var: Some(var.into()),
            position: 1,
            count: 2,
            error: Box::new(KeyError::Quoted),
        }
    );
    let message = prints_its_message(error);
    assert!(
        message.starts_with(
            "key 1 of 2 in `TYPED_COOKIES_START_UP_QUOTED`: the key is wrapped in quotes: remove them"
        ),
        "{message}"
    );
    echoes_nothing_of(&message, &new);
    echoes_nothing_of(&message, &old);

    let key = primary_key().to_base64();
    for quoted in [
        format!("\"{key}\""),
        format!("'{key}'"),
        format!("  \"{key}\"\n"),
        format!("\"{key}"),
        format!("{key}'"),
        "\"\"".to_owned(),
        "'".to_owned(),
    ] {
        let error = Key::from_base64(&quoted).unwrap_err();
        assert_eq!(error, KeyError::Quoted, "{quoted}");
        assert!(!error.to_string().contains("not valid base64"), "{error}");
    }
    // The same key without its quotes opens as the fixed key; quotes inside are not base64.
    assert_eq!(Key::from_base64(&key).unwrap().id(), primary_key().id());
    assert_eq!(
        Key::from_base64(&format!("{}\"{}", &key[..20], &key[20..])).unwrap_err(),
        KeyError::InvalidBase64
    );
}

#[test]
fn other_start_up_errors_print_their_message() {
    let store = StoreError {
        operation: "connect",
        reason: "timed out after 2s".into(),
    };
    assert_eq!(
        prints_its_message(store.clone()),
        "revocation store unavailable during connect: timed out after 2s"
    );
    assert_eq!(
        prints_its_message(SignOutError::Store(store)),
        "revocation store unavailable during connect: timed out after 2s"
    );
    prints_its_message(SignOutError::EmptySubject);
    prints_its_message(SignOutError::SubjectTooLong { len: 300 });
    for (value, debug_build) in [(None, false), (Some("0"), true), (Some("yes"), true)] {
        let message = prints_its_message(development_mode_allowed(value, debug_build).unwrap_err());
        assert!(
            message.starts_with("development mode refused: "),
            "{message}"
        );
    }
}

#[cfg(feature = "redis")]
#[test]
fn a_redis_url_that_does_not_parse_prints_its_message() {
    use typed_cookies::store::RedisStore;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let error = runtime
        .block_on(RedisStore::builder("redis://:hunter2@[not a host").build())
        .expect_err("invalid URL");
    let message = prints_its_message(error);
    assert!(
        message.starts_with("revocation store unavailable during connect: invalid Redis URL"),
        "{message}"
    );
    assert!(!message.contains("hunter2"), "{message}");
}

#[cfg(feature = "laravel")]
#[test]
fn laravel_app_key_errors_print_their_message() {
    use typed_cookies::interop::laravel::{Cipher, Encrypter};
    let short = "base64:AAECAwQFBgcICQoLDA0ODw==";
    for app_key in ["", short, "base64:%%%"] {
        let Err(error) = Encrypter::new(app_key, Cipher::Aes256Cbc) else {
            panic!("{app_key:?} accepted");
        };
        let message = prints_its_message(error);
        echoes_nothing_of(&message, &short["base64:".len()..]);
    }
    let Err(error) = "Rot13".parse::<Cipher>() else {
        panic!("a cipher Laravel lacks accepted");
    };
    prints_its_message(error);
}

#[cfg(feature = "rails")]
#[test]
fn rails_secret_errors_print_their_message() {
    use typed_cookies::interop::rails::{MessageEncryptor, MessageVerifier};
    let Err(error) = MessageEncryptor::new(b"sixteen bytes!!!") else {
        panic!("a 16-byte AES-256 key accepted");
    };
    assert!(!prints_its_message(error).contains("sixteen"));
    let Err(error) = MessageVerifier::new("") else {
        panic!("an empty secret accepted");
    };
    prints_its_message(error);
}

#[cfg(feature = "iron")]
#[test]
fn iron_password_errors_print_their_message() {
    use typed_cookies::interop::iron::Sealer;
    let Err(error) = Sealer::new("too short a password") else {
        panic!("a short password accepted");
    };
    assert!(!prints_its_message(error).contains("too short a"));
    let Err(error) = Sealer::with_id("not-an-id", "a_password_of_at_least_32_characters_") else {
        panic!("an id with `-` accepted");
    };
    prints_its_message(error);
}

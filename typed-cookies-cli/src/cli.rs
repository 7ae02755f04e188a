//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Keys, sealed values and Set-Cookie headers of typed-cookies (and of Django, Flask,
/// iron-session, Rails, Express and Laravel).
///
/// Exit codes: 0 valid, 1 invalid / expired / rejected, 2 usage error (bad flags, keys not found).
/// Keys and secrets are read from an environment variable (--keys-env) or a file (--keys-file),
/// never from the command line.
#[derive(Debug, Parser)]
// No styles: clap's text is printed through the command's escaping (`output::clap_error`),
// which would show color codes as escapes.
#[command(
    name = "typed-cookies",
    version,
    propagate_version = true,
    styles = clap::builder::Styles::plain()
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a key (base64), or with --ring N a comma-separated ring line for an
    /// environment variable such as APP_KEYS.
    Keygen(KeygenArgs),
    /// Prepend a new primary key to a ring line (read from --keys-env, --keys-file or stdin)
    /// and print the new line; older keys stay as fallbacks that still open values.
    Rotate(RotateArgs),
    /// Print the public id of each key of a ring (primary first), as it appears in sealed
    /// values' headers. Reads the ring from --keys-env, --keys-file or stdin.
    KeyId(KeyIdArgs),
    /// Show what a value contains: without keys its (unauthenticated) header and signed payload;
    /// with keys, whether it is valid and its payload, and for a tracked value (`revocable`,
    /// `one_time`, `replay`, one-time tokens) its session id, subject, epoch and replay nonce.
    /// No revocation store is consulted: revocation status is NOT checked.
    Inspect(InspectArgs),
    /// Seal a JSON payload (argument or stdin) into a value.
    Seal(SealArgs),
    /// Open a value: verify or decrypt it, check its age, print its payload as JSON. A tracked
    /// value's session id, subject, epoch and replay nonce go to stderr (or into --json); no
    /// revocation store is consulted, so revocation status is NOT checked.
    Open(OpenArgs),
    /// Say what a browser does with a Set-Cookie header line; exit 1 if it would reject it.
    CheckSetCookie(CheckSetCookieArgs),
}

/// Where a key ring (or a foreign format's secrets) comes from.
#[derive(Debug, Clone, Default, Args)]
pub struct KeySource {
    /// Read the keys from this environment variable. typed-cookies: comma-separated base64
    /// keys, primary first. --django/--flask: the secret key, then fallbacks, one per line.
    /// --iron: passwords one per line, as `ID=PASSWORD` or a bare password (id 1). --rails:
    /// `secret_key_base`, then old ones; --express/--express-session/--cookie-session: the
    /// secret (or keygrip key), then old ones; --laravel: `APP_KEY` (`base64:…`), then
    /// previous keys; one per line, the first seals.
    #[arg(long, value_name = "VAR", conflicts_with = "keys_file")]
    pub keys_env: Option<String>,
    /// Read the keys from this file (same contents as --keys-env). Warns if the file is
    /// readable by group or others.
    #[arg(long, value_name = "PATH")]
    pub keys_file: Option<PathBuf>,
}

impl KeySource {
    /// Whether keys were given at all.
    pub fn is_given(&self) -> bool {
        self.keys_env.is_some() || self.keys_file.is_some()
    }
}

/// `keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Generate N keys as one comma-separated ring line (the first is the primary).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=32))]
    pub ring: Option<u8>,
}

/// `rotate`.
#[derive(Debug, Args)]
pub struct RotateArgs {
    /// The current ring.
    #[command(flatten)]
    pub keys: KeySource,
    /// Keep at most N keys (the new primary and the N-1 newest fallbacks); older keys are
    /// dropped, and values they sealed no longer open.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..))]
    pub keep: Option<u8>,
}

/// `key-id`.
#[derive(Debug, Args)]
pub struct KeyIdArgs {
    /// The ring.
    #[command(flatten)]
    pub keys: KeySource,
    /// Print JSON: `[{"id": "65e6b8b0", "primary": true}, ...]`.
    #[arg(long)]
    pub json: bool,
}

/// Which format a value is in, and the options of ours.
#[derive(Debug, Clone, Default, Args)]
pub struct FormatArgs {
    /// A Django `signing.dumps` value (TimestampSigner, JSON); --salt defaults to
    /// `django.core.signing`.
    #[arg(long, group = "interop")]
    pub django: bool,
    /// The `sessionid` cookie of Django's signed_cookies session engine (max age two weeks
    /// unless --max-age).
    #[arg(long, group = "interop")]
    pub django_session: bool,
    /// Flask's `session` cookie (itsdangerous, salt `cookie-session`, max age 31 days unless
    /// --max-age).
    #[arg(long, group = "interop")]
    pub flask: bool,
    /// An iron-session (v8) cookie: @hapi/iron `Fe26.2` seal, highest password id seals, ttl
    /// 14 days unless --max-age.
    #[arg(long, group = "interop")]
    pub iron: bool,
    /// A Rails cookie (ActionDispatch's jar): `cookies.encrypted[NAME]` or the session cookie
    /// by default, `cookies.signed[NAME]` with --rails-cookie signed. Needs --name (its
    /// purpose `cookie.NAME` is checked); --max-age on seal is `expires:`. The value's own
    /// expiry is always checked.
    #[arg(long, group = "interop")]
    pub rails: bool,
    /// An Express signed cookie (`res.cookie(name, value, { signed: true })`, read by
    /// cookie-parser): `s:` + the value (`j:` + JSON for objects), HMAC-SHA256. Never expires.
    #[arg(long, group = "interop")]
    pub express: bool,
    /// express-session's `connect.sid` cookie: the signed session id (a JSON string as the
    /// payload and in output). Never expires here: the session lives in the app's store.
    #[arg(long, group = "interop")]
    pub express_session: bool,
    /// A cookie-session cookie: the base64 JSON session in `NAME` (default `session`) and its
    /// keygrip signature in `NAME.sig` (give it with --sig). Never expires.
    #[arg(long, group = "interop")]
    pub cookie_session: bool,
    /// A Laravel encrypted value: with --name, the `EncryptCookies` cookie NAME (its name
    /// prefix is checked); without, a `Crypt::encrypt` / `encryptString` value. Payloads
    /// print as JSON when the plaintext is a JSON object or array, else as a JSON string.
    /// Never expires.
    #[arg(long, group = "interop")]
    pub laravel: bool,
    /// The cookie's name: required by --rails, the session cookie's name for
    /// --cookie-session (default `session`), the cookie of --laravel.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// --rails: which jar. `encrypted` (default when opening and sealing) and `session` are
    /// the same (AES-256-GCM); `inspect` picks by the value's structure when not given.
    #[arg(long, value_name = "KIND", value_enum)]
    pub rails_cookie: Option<RailsCookie>,
    /// --rails: the `config.load_defaults` version whose cookie settings apply (default 6.1;
    /// 7 and later derive keys with SHA-256; 5.2 cookies carry no purpose).
    #[arg(long, value_name = "VERSION", value_enum)]
    pub rails_version: Option<RailsVersion>,
    /// --cookie-session: the `NAME.sig` cookie's value (required to open or verify).
    #[arg(long, value_name = "SIG")]
    pub sig: Option<String>,
    /// --cookie-session: keygrip's hash (`new Keygrip(keys, "sha256")`; default sha1).
    #[arg(long, value_name = "HASH", value_enum)]
    pub digest: Option<KeygripDigest>,
    /// --laravel: `config('app.cipher')` (default AES-256-CBC).
    #[arg(long, value_name = "CIPHER")]
    pub cipher: Option<String>,
    /// --laravel: whether the plaintext is a PHP-serialized string (`s:N:"…";`). Default when
    /// sealing: yes without --name (`encrypt()`), no with --name (cookies since Laravel
    /// 5.6.30); opening accepts both unless told. Only strings are read, never PHP objects.
    #[arg(
        long,
        value_name = "yes|no",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub php_serialize: Option<bool>,
    /// The salt (namespace) the value is sealed under. Required for typed-cookies values:
    /// `seal` writes what a `#[derive(SealedCookie)]` JSON type with `salt = "SALT"` opens
    /// (see `seal --runtime`); `open` and `inspect` also open a runtime sealer's values, and
    /// tracked values (a `revocable`, `one_time` or `replay` type's, a runtime one-time token)
    /// as the value's header says. A value bound to its client (`bind`) cannot be verified
    /// here: its binding is authenticated but not carried in the value.
    #[arg(
        long,
        value_name = "SALT",
        conflicts_with_all = ["rails", "express", "express_session", "cookie_session", "laravel"]
    )]
    pub salt: Option<String>,
    /// A typed-cookies value in encrypted mode (signed otherwise). `inspect` follows the
    /// value's header without it; a mode that does not match is named, and tried the other way.
    #[arg(long, conflicts_with = "interop")]
    pub encrypted: bool,
    /// A typed-cookies value with the postcard codec (only its header can be shown: its
    /// namespace includes the Rust type's schema fingerprint).
    #[arg(long, conflicts_with = "interop")]
    pub postcard: bool,
    /// Refuse values older than this: `90s`, `15m`, `2h`, `7d`, `2w` or seconds. For
    /// typed-cookies values, counted from the session's creation (required to seal with
    /// --runtime or to open; `seal` for a derived type needs none: its own `max_age` decides).
    /// --rails: the `expires:` of a sealed cookie (seal only).
    #[arg(
        long,
        value_name = "DURATION",
        value_parser = crate::duration::parse,
        conflicts_with_all = ["express", "express_session", "cookie_session", "laravel"]
    )]
    pub max_age: Option<time::Duration>,
    /// The value never expires (typed-cookies `.no_expiry()`).
    #[arg(long, conflicts_with_all = ["max_age", "interop"])]
    pub no_expiry: bool,
    /// Compress the payload when that makes it shorter (seal only). Django: `compress=True`.
    /// typed-cookies: a type opens such a value only with `#[cookie(compress)]` (encrypted:
    /// `compress = "i_understand_compression_leaks_length"`), a runtime sealer only with
    /// `.compress()` / `.compress_leaking_length()`.
    #[arg(long, conflicts_with_all = ["flask", "iron", "rails", "express", "express_session", "cookie_session", "laravel"])]
    pub compress: bool,
}

/// `--rails-cookie`: which of a Rails app's cookie jars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RailsCookie {
    /// `cookies.signed[NAME]`: readable, HMAC-signed.
    Signed,
    /// `cookies.encrypted[NAME]`: AES-256-GCM (and the AES-256-CBC of Rails < 5.2).
    Encrypted,
    /// The `CookieStore` session cookie (`_app_session`): an encrypted cookie.
    Session,
}

/// `--rails-version`: the `config.load_defaults` whose cookie settings apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum RailsVersion {
    /// Rails 5.2: cookies without a purpose.
    #[value(name = "5.2")]
    V5_2,
    /// Rails 6.0 and 6.1: keys by PBKDF2-HMAC-SHA1.
    #[value(name = "6.1", alias = "6.0")]
    #[default]
    V6_1,
    /// Rails 7.0 and later (7.1, 7.2, 8.0): keys by PBKDF2-HMAC-SHA256.
    #[value(name = "7", aliases = ["7.0", "7.1", "7.2", "8", "8.0"])]
    V7,
}

/// `--digest`: keygrip's hash for --cookie-session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum KeygripDigest {
    /// HMAC-SHA1, keygrip's default.
    #[default]
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

impl FormatArgs {
    /// Refuses a stack's options without its stack (a usage error), rather than ignoring them.
    pub fn check(&self) -> Result<(), crate::Failure> {
        let options: [(&str, bool, bool); 4] = [
            (
                "--name is for --rails, --cookie-session and --laravel",
                self.name.is_some(),
                self.rails || self.cookie_session || self.laravel,
            ),
            (
                "--rails-cookie and --rails-version are for --rails",
                self.rails_cookie.is_some() || self.rails_version.is_some(),
                self.rails,
            ),
            (
                "--sig and --digest are for --cookie-session",
                self.sig.is_some() || self.digest.is_some(),
                self.cookie_session,
            ),
            (
                "--cipher and --php-serialize are for --laravel",
                self.cipher.is_some() || self.php_serialize.is_some(),
                self.laravel,
            ),
        ];
        match options.iter().find(|(_, given, stack)| *given && !*stack) {
            Some((message, _, _)) => Err(crate::Failure::usage(*message)),
            None => Ok(()),
        }
    }

    /// Which foreign format, if any.
    pub fn interop(&self) -> Option<crate::interop::Interop> {
        use crate::interop::Interop;
        if self.django {
            Some(Interop::Django)
        } else if self.django_session {
            Some(Interop::DjangoSession)
        } else if self.flask {
            Some(Interop::Flask)
        } else if self.iron {
            Some(Interop::Iron)
        } else if self.rails {
            Some(Interop::Rails)
        } else if self.express {
            Some(Interop::Express)
        } else if self.express_session {
            Some(Interop::ExpressSession)
        } else if self.cookie_session {
            Some(Interop::CookieSession)
        } else if self.laravel {
            Some(Interop::Laravel)
        } else {
            None
        }
    }
}

/// `inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The cookie value (without `name=`).
    #[arg(value_name = "VALUE")]
    pub value: String,
    /// Keys to verify or decrypt with (optional: without, only the public header is shown).
    #[command(flatten)]
    pub keys: KeySource,
    /// The value's format and options.
    #[command(flatten)]
    pub format: FormatArgs,
    /// Print one JSON object. With keys: `verdict`, `message`, `domain`, `payload`, times, and
    /// `tracked`; a tracked value adds `claims` (`session_id`, `subject`, `epoch`,
    /// `epoch_reading`: none, counter or time, `epoch_time`, `replay_nonce`) and
    /// `revocation_checked: false`.
    #[arg(long)]
    pub json: bool,
}

/// `seal`.
#[derive(Debug, Args)]
pub struct SealArgs {
    /// The payload as JSON; read from stdin when absent.
    #[arg(value_name = "PAYLOAD_JSON")]
    pub payload: Option<String>,
    /// The keys: the primary seals.
    #[command(flatten)]
    pub keys: KeySource,
    /// The format and options.
    #[command(flatten)]
    pub format: FormatArgs,
    /// typed-cookies: seal in a runtime sealer's domain (what `keys.signed(SALT)` /
    /// `keys.encrypted(SALT)` opens) instead of the derived types' (what a
    /// `#[derive(SealedCookie)]` JSON type with `salt = "SALT"` opens, the default).
    #[arg(long, conflicts_with = "interop")]
    pub runtime: bool,
}

/// `open`.
#[derive(Debug, Args)]
pub struct OpenArgs {
    /// The value; read from stdin when absent.
    #[arg(value_name = "VALUE")]
    pub value: Option<String>,
    /// The keys: any of them opens.
    #[command(flatten)]
    pub keys: KeySource,
    /// The format and options.
    #[command(flatten)]
    pub format: FormatArgs,
    /// Print one JSON object with the verdict, payload and times instead of the bare payload
    /// (for typed-cookies values, `domain` says which opened it: `derived`, `runtime`, or
    /// `legacy` for a one-time token from before runtime sealers had their own domain;
    /// `tracked`, and for a tracked value `claims` and `revocation_checked: false`, as
    /// `inspect --json`).
    #[arg(long)]
    pub json: bool,
}

/// `check-set-cookie`.
#[derive(Debug, Args)]
pub struct CheckSetCookieArgs {
    /// The header line, with or without the leading `Set-Cookie:`.
    #[arg(value_name = "HEADER")]
    pub header: String,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

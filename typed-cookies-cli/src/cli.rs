//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Keys, sealed values and Set-Cookie headers of typed-cookies (and of Django, Flask and
/// iron-session).
///
/// Exit codes: 0 valid, 1 invalid / expired / rejected, 2 usage error (bad flags, keys not found).
/// Keys and secrets are read from an environment variable (--keys-env) or a file (--keys-file),
/// never from the command line.
#[derive(Debug, Parser)]
#[command(name = "typed-cookies", version, propagate_version = true)]
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
    /// with keys, whether it is valid and its payload.
    Inspect(InspectArgs),
    /// Seal a JSON payload (argument or stdin) into a value.
    Seal(SealArgs),
    /// Open a value: verify or decrypt it, check its age, print its payload as JSON.
    Open(OpenArgs),
    /// Say what a browser does with a Set-Cookie header line; exit 1 if it would reject it.
    CheckSetCookie(CheckSetCookieArgs),
}

/// Where a key ring (or a foreign format's secrets) comes from.
#[derive(Debug, Clone, Default, Args)]
pub struct KeySource {
    /// Read the keys from this environment variable. typed-cookies: comma-separated base64
    /// keys, primary first. --django/--flask: the secret key, then fallbacks, one per line.
    /// --iron: passwords one per line, as `ID=PASSWORD` or a bare password (id 1).
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
    #[arg(long, group = "foreign")]
    pub django: bool,
    /// The `sessionid` cookie of Django's signed_cookies session engine (max age two weeks
    /// unless --max-age).
    #[arg(long, group = "foreign")]
    pub django_session: bool,
    /// Flask's `session` cookie (itsdangerous, salt `cookie-session`, max age 31 days unless
    /// --max-age).
    #[arg(long, group = "foreign")]
    pub flask: bool,
    /// An iron-session (v8) cookie: @hapi/iron `Fe26.2` seal, highest password id seals, ttl
    /// 14 days unless --max-age.
    #[arg(long, group = "foreign")]
    pub iron: bool,
    /// The salt (namespace) the value is sealed under. Required for typed-cookies values.
    #[arg(long, value_name = "SALT")]
    pub salt: Option<String>,
    /// A typed-cookies value in encrypted mode (signed otherwise).
    #[arg(long, conflicts_with = "foreign")]
    pub encrypted: bool,
    /// A typed-cookies value with the postcard codec (only its header can be shown: its
    /// namespace includes the Rust type's schema fingerprint).
    #[arg(long, conflicts_with = "foreign")]
    pub postcard: bool,
    /// Refuse values older than this: `90s`, `15m`, `2h`, `7d`, `2w` or seconds. For
    /// typed-cookies values, counted from the session's creation.
    #[arg(long, value_name = "DURATION", value_parser = crate::duration::parse)]
    pub max_age: Option<time::Duration>,
    /// The value never expires (typed-cookies `.no_expiry()`).
    #[arg(long, conflicts_with_all = ["max_age", "foreign"])]
    pub no_expiry: bool,
    /// Compress the payload when that makes it shorter (Django `compress=True`; seal only).
    #[arg(long, conflicts_with_all = ["flask", "iron"])]
    pub compress: bool,
}

impl FormatArgs {
    /// Which foreign format, if any.
    pub fn foreign(&self) -> Option<crate::foreign::Foreign> {
        use crate::foreign::Foreign;
        if self.django {
            Some(Foreign::Django)
        } else if self.django_session {
            Some(Foreign::DjangoSession)
        } else if self.flask {
            Some(Foreign::Flask)
        } else if self.iron {
            Some(Foreign::Iron)
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
    /// Print one JSON object.
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
    /// Print one JSON object with the verdict, payload and times instead of the bare payload.
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

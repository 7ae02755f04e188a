//! typed-cookies values under `--salt`: the sealer `seal` writes with, and opening for `open`
//! and `inspect` — in every domain a value of that salt may come from, tracked or not as the
//! value's own header says (format bit `0x80`, authenticated like the rest of the header), and
//! never consulting a store.
//!
//! When a value does not open, the verdict names what is wrong where the keys can tell: a
//! wrong mode is tried the other way, and "opens as encrypted, not signed" is said only when
//! it did open so (the header is authenticated: only a key holder writes such a value). What
//! cannot be told apart — a wrong salt, a value bound to its client (the binding is
//! authenticated but not carried, so nothing in the value says it is bound), a forgery — is
//! listed as the possible causes, never guessed from unauthenticated bytes.

use serde_json::Value;
use time::Duration;
use typed_cookies::{Codec, Inspection, KeyRing, Mode, OpenError, Opened, Sealer, SealerBuilder};

use crate::cli::FormatArgs;
use crate::verdict::Verdict;
use crate::Failure;

/// Which derivation domain (and kind of sealer) opened a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Domain {
    /// A `#[derive(SealedCookie)]` JSON type of the salt (also a runtime sealer's value from
    /// before runtime sealers had a domain of their own: the same namespace).
    Derived,
    /// A runtime sealer of the salt (`keys.signed(salt)`; for a tracked value its
    /// `.one_time(..)` tokens).
    Runtime,
    /// A runtime one-time token from before runtime sealers had a domain of their own
    /// (what `also_open_legacy(salt)` still opens).
    Legacy,
}

impl Domain {
    /// The `domain` of `--json`.
    pub fn label(self) -> &'static str {
        match self {
            Domain::Derived => "derived",
            Domain::Runtime => "runtime",
            Domain::Legacy => "legacy",
        }
    }

    /// What sealed it, for people.
    pub fn describe(self, tracked: bool) -> &'static str {
        match (self, tracked) {
            (Domain::Derived, false) => "derived type's (a `#[derive(SealedCookie)]` JSON type of this salt; `seal` writes these; a `revocable`, `one_time` or `replay` type refuses it)",
            (Domain::Derived, true) => "derived type's, tracked (a `revocable`, `one_time` or `replay` `#[derive(SealedCookie)]` JSON type of this salt, issued by `Guard::issue`)",
            (Domain::Runtime, false) => "runtime sealer's (`keys.signed(salt)` / `keys.encrypted(salt)`; `seal --runtime` writes these)",
            (Domain::Runtime, true) => "runtime one-time token's (`keys.signed(salt).one_time(..)` / `keys.encrypted(salt).one_time(..)`)",
            (Domain::Legacy, _) => "runtime one-time token's, legacy domain (sealed before runtime sealers had a domain of their own; `also_open_legacy(salt)` opens it)",
        }
    }
}

/// A value of ours that opened.
pub struct OpenedOurs {
    /// The payload and what the authenticated header and claims say.
    pub opened: Opened<Value>,
    /// Where it opened.
    pub domain: Domain,
    /// Whether it carries claims (session id, subject, epoch, replay nonce).
    pub tracked: bool,
}

/// The salt, checked to be given, and a builder of `mode` for it.
fn builder<'a>(
    ring: &KeyRing,
    args: &'a FormatArgs,
    mode: Mode,
) -> Result<(SealerBuilder, &'a str), Failure> {
    let salt = args.salt.as_deref().ok_or_else(|| {
        Failure::usage("typed-cookies values need --salt (the namespace they were sealed under)")
    })?;
    if args.postcard {
        return Err(Failure::usage(
            "postcard values cannot be verified, opened or sealed here: their namespace includes the Rust type's schema fingerprint, which only the derived type knows; `inspect` without keys shows their header",
        ));
    }
    let builder = match mode {
        Mode::Signed => ring.signed(salt),
        Mode::Encrypted => ring.encrypted(salt),
    };
    Ok((builder, salt))
}

/// `--max-age` (`Some`), `--no-expiry` (`None`), or neither: a usage error if `required`.
fn lifetime(args: &FormatArgs, required: bool) -> Result<Option<Duration>, Failure> {
    match (args.max_age, args.no_expiry) {
        (Some(max_age), _) => Ok(Some(max_age)),
        (None, false) if required => Err(Failure::usage(
            "say how long values live: --max-age DURATION, or --no-expiry",
        )),
        (None, _) => Ok(None),
    }
}

fn with_lifetime(builder: SealerBuilder, lifetime: Option<Duration>) -> Sealer {
    match lifetime {
        Some(max_age) => builder.max_age(max_age),
        None => builder.no_expiry(),
    }
}

/// `seal`'s sealer: in the derived types' domain (what a `#[derive(SealedCookie)]` JSON type
/// of the salt opens), or with `runtime` in a runtime sealer's (`keys.signed(salt)`). The
/// salt is the user's own, given on the command line: no one else's data is glued into it
/// (the aliasing that separate domains prevent). With `--compress` it compresses when that
/// makes the value shorter, in either mode: the payload is the key holder's own, typed on the
/// command line, not an attacker's guess beside a secret (what makes compressing encrypted
/// values dangerous), and the value opens only where compression is accepted (a `compress`
/// type, a compressing sealer), as it would be sealed there.
pub fn sealer(
    ring: &KeyRing,
    args: &FormatArgs,
    mode: Mode,
    runtime: bool,
) -> Result<Sealer, Failure> {
    let (builder, salt) = builder(ring, args, mode)?;
    // A derived type's lifetime is its own `max_age`, checked when it opens (the value carries
    // none): only a runtime sealer's value needs one said here.
    let lifetime = lifetime(args, runtime)?;
    let builder = if args.compress {
        builder.compress_leaking_length()
    } else {
        builder
    };
    let builder = if runtime {
        builder
    } else {
        builder.also_open_legacy(salt).__seal_in_type_domain()
    };
    Ok(with_lifetime(builder, lifetime))
}

/// Opens `value` under `--salt` in `mode`, tracked or not as its header says, with no store.
/// The outer error is a usage error (no salt, postcard, no lifetime when `lifetime_required`);
/// the inner one the refusal, explained.
pub fn open(
    ring: &KeyRing,
    args: &FormatArgs,
    mode: Mode,
    lifetime_required: bool,
    value: &str,
) -> Result<Result<OpenedOurs, Verdict>, Failure> {
    let (builder, salt) = builder(ring, args, mode)?;
    let lifetime = lifetime(args, lifetime_required)?;
    // The header's own account of the value (the same refusals as the engine's before
    // authentication): tracked or not, and the key it names.
    let seen = match typed_cookies::inspect(value) {
        Ok(seen) => seen,
        Err(error) => return Ok(Err(Verdict::of(&error))),
    };
    Ok(
        match attempt(builder, salt, lifetime, value, seen.tracked) {
            Ok(opened) => Ok(opened),
            Err(error) => Err(explain(ring, args, &seen, lifetime, value, &error)),
        },
    )
}

/// Opens in every domain a value of `salt` may come from. Untracked: the runtime sealer's,
/// then the derived types'. Tracked: the derived types' (`revocable`, `one_time`, `replay`
/// types), then the runtime one-time sealer's and its legacy one.
fn attempt(
    builder: SealerBuilder,
    salt: &str,
    lifetime: Option<Duration>,
    value: &str,
    tracked: bool,
) -> Result<OpenedOurs, OpenError> {
    // Opening only: what compression leaks is a concern of whoever seals.
    let builder = builder.compress_leaking_length().also_open_legacy(salt);
    let opened = |(opened, legacy), legacy_domain| OpenedOurs {
        opened,
        domain: if legacy {
            legacy_domain
        } else {
            Domain::Runtime
        },
        tracked,
    };
    match with_lifetime(builder.clone(), lifetime).__open_as::<Value>(value, tracked) {
        Err(OpenError::Invalid) if tracked => builder
            .__one_time_reader(lifetime)
            .__open_as::<Value>(value, true)
            .map(|found| opened(found, Domain::Legacy)),
        other => other.map(|found| opened(found, Domain::Derived)),
    }
}

/// The verdict on a refusal, saying more than the library's error where the keys can tell.
fn explain(
    ring: &KeyRing,
    args: &FormatArgs,
    seen: &Inspection,
    lifetime: Option<Duration>,
    value: &str,
    error: &OpenError,
) -> Verdict {
    let text = match error {
        OpenError::Invalid => Some(invalid(seen)),
        OpenError::WrongFormat { found, .. } if found.codec == Codec::Postcard => Some(format!(
            "wrong format: {error} (postcard values open only through their Rust type: its schema fingerprint is part of their namespace; `inspect` without keys shows the header)"
        )),
        OpenError::WrongFormat { expected, found } if found.mode != expected.mode => {
            Some(wrong_mode(ring, args, seen, lifetime, value, expected.mode, found.mode))
        }
        _ => None,
    };
    Verdict::explained(error, text)
}

/// `Invalid`: what it was tried as, and every cause the command cannot tell apart.
fn invalid(seen: &Inspection) -> String {
    let tried = if seen.tracked {
        "as its header says, tracked: as a `revocable` / `one_time` / `replay` type's value and as a runtime one-time token"
    } else {
        "as its header says, untracked: as a derived type's and as a runtime sealer's value"
    };
    format!(
        "invalid: does not authenticate under this salt ({tried}). Possible causes: wrong salt or keys (the key its header names, {}, is in the ring); a value bound to its client (`bind = ..`: the binding is authenticated but not carried in the value, so nothing in it says it is bound, and it cannot be verified without the client's user agent, IP or app bytes); tampered or forged",
        seen.key_id
    )
}

/// `WrongFormat` on the mode: whether the value opens in the mode its header names.
fn wrong_mode(
    ring: &KeyRing,
    args: &FormatArgs,
    seen: &Inspection,
    lifetime: Option<Duration>,
    value: &str,
    asked: Mode,
    found: Mode,
) -> String {
    let hint = match found {
        Mode::Encrypted => "add --encrypted",
        Mode::Signed => "drop --encrypted",
    };
    let (found_label, asked_label) = (found.label(), asked.label());
    let outcome = builder(ring, args, found)
        .map_err(|_| OpenError::Invalid)
        .and_then(|(builder, salt)| attempt(builder, salt, lifetime, value, seen.tracked));
    match outcome {
        Ok(_) => format!(
            "wrong mode: the value is {found_label}, not {asked_label}, and opens as {found_label} with these keys and this salt ({hint})"
        ),
        Err(error) => {
            let as_found = match &error {
                OpenError::Invalid => invalid(seen),
                other => Verdict::of(other).text().to_owned(),
            };
            format!(
                "wrong mode: the value's header says {found_label}, not {asked_label} ({hint}); as {found_label} it does not open either: {as_found}"
            )
        }
    }
}

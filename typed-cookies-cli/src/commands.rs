//! What each subcommand does.

use std::io::Read;

use serde_json::{json, Map, Value};
use time::OffsetDateTime;
use typed_cookies::{Codec, Key, KeyRing, Mode, OpenError, Opened, Sealer};
use zeroize::Zeroizing;

use crate::cli::{
    CheckSetCookieArgs, Cli, Command, FormatArgs, InspectArgs, KeyIdArgs, KeygenArgs, OpenArgs,
    RotateArgs, SealArgs,
};
use crate::duration::human;
use crate::foreign::{self, Foreign, ForeignSealer};
use crate::render::{hex, json_line, rfc3339, when};
use crate::{output, secrets, Failure};
use typed_cookies_cli::set_cookie;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Keygen(args) => keygen(&args),
        Command::Rotate(args) => rotate(&args),
        Command::KeyId(args) => key_id(&args),
        Command::Inspect(args) => args.format.check().and_then(|()| inspect(&args)),
        Command::Seal(args) => args.format.check().and_then(|()| seal(&args)),
        Command::Open(args) => args.format.check().and_then(|()| open(&args)),
        Command::CheckSetCookie(args) => check_set_cookie(&args),
    }
}

fn keygen(args: &KeygenArgs) -> Result<(), Failure> {
    let keys: Vec<Key> = (0..args.ring.unwrap_or(1))
        .map(|_| Key::generate())
        .collect();
    let line = Zeroizing::new(
        keys.iter()
            .map(|k| Zeroizing::new(k.to_base64()))
            .map(|k| k.to_string())
            .collect::<Vec<_>>()
            .join(","),
    );
    output::text(line.as_str())?;
    let ids: Vec<String> = keys.iter().map(|k| k.id().to_string()).collect();
    output::note(&format!("key id {} (primary first)", ids.join(", ")));
    Ok(())
}

fn rotate(args: &RotateArgs) -> Result<(), Failure> {
    let text = secrets::require(&args.keys, true, "rotate")?;
    // Validates every entry and refuses duplicates; messages name positions only.
    secrets::ring(&text)?;
    let new = Key::generate();
    let mut entries: Vec<Zeroizing<String>> = vec![Zeroizing::new(new.to_base64())];
    entries.extend(
        text.split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(|e| Zeroizing::new(e.to_owned())),
    );
    let before = entries.len() - 1;
    if let Some(keep) = args.keep {
        entries.truncate(usize::from(keep));
    }
    let line = Zeroizing::new(
        entries
            .iter()
            .map(|e| e.as_str())
            .collect::<Vec<_>>()
            .join(","),
    );
    let ring = secrets::ring(&line)?;
    output::text(line.as_str())?;
    let ids: Vec<String> = ring.key_ids().iter().map(ToString::to_string).collect();
    let dropped = (before + 1).saturating_sub(entries.len());
    output::note(&format!(
        "new primary {}; ring {}{}",
        ring.primary().id(),
        ids.join(", "),
        if dropped > 0 {
            format!(" ({dropped} oldest dropped: values they sealed no longer open)")
        } else {
            String::new()
        }
    ));
    Ok(())
}

fn key_id(args: &KeyIdArgs) -> Result<(), Failure> {
    let text = secrets::require(&args.keys, true, "key-id")?;
    let ring = secrets::ring(&text)?;
    let ids = ring.key_ids();
    if args.json {
        let list: Vec<Value> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| json!({ "id": id.to_string(), "primary": i == 0 }))
            .collect();
        output::json(&Value::Array(list))?;
    } else {
        for (i, id) in ids.iter().enumerate() {
            output::text(&format!(
                "{id} {}",
                if i == 0 { "primary" } else { "fallback" }
            ))?;
        }
    }
    Ok(())
}

/// What an open said, for people and for JSON.
struct Verdict {
    kind: &'static str,
    text: String,
    expired_at: Option<OffsetDateTime>,
}

impl Verdict {
    fn valid() -> Self {
        Self {
            kind: "valid",
            text: "valid".into(),
            expired_at: None,
        }
    }

    fn of(error: &OpenError) -> Self {
        let (text, expired_at) = match error {
            OpenError::Expired { at } => (format!("expired at {}", rfc3339(*at)), Some(*at)),
            OpenError::UnknownKey { key_id } => {
                (format!("unknown key {key_id} (not in the ring)"), None)
            }
            OpenError::Invalid => (
                "invalid (tampered, forged, wrong salt or wrong keys)".to_owned(),
                None,
            ),
            OpenError::WrongFormat { expected, found } => {
                let hint = if found.mode != expected.mode {
                    if found.mode == Mode::Encrypted {
                        " (add --encrypted)"
                    } else {
                        " (drop --encrypted)"
                    }
                } else {
                    ""
                };
                (format!("wrong format: {error}{hint}"), None)
            }
            other => (format!("{}: {other}", other.kind().replace('_', " ")), None),
        };
        Self {
            kind: error.kind(),
            text,
            expired_at,
        }
    }

    fn is_valid(&self) -> bool {
        self.kind == "valid"
    }

    fn insert_into(&self, map: &mut Map<String, Value>) {
        map.insert("verdict".into(), self.kind.into());
        map.insert("message".into(), self.text.clone().into());
        if let Some(at) = self.expired_at {
            map.insert("expired_at".into(), rfc3339(at).into());
        }
    }
}

/// What a sealer of ours is for, and so the derivation domain(s) it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    /// `seal`: in the derived types' domain (what a `#[derive(SealedCookie)]` JSON type of the
    /// salt opens), or with `--runtime` in a runtime sealer's (`keys.signed(salt)`).
    Seal {
        /// `--runtime`.
        runtime: bool,
    },
    /// Opening in the runtime sealer's domain only.
    OpenRuntime,
    /// Opening in both: the runtime domain, then the derived types'.
    OpenBoth,
}

/// The domain names `--json` output uses.
const RUNTIME: &str = "runtime";
const DERIVED: &str = "derived";

/// Our sealer for the flags, the ring and the mode. One that opens (and never seals) also
/// accepts compressed values, which types declaring `compress` write.
fn our_sealer(
    ring: &KeyRing,
    args: &FormatArgs,
    mode: Mode,
    lifetime_required: bool,
    purpose: Use,
) -> Result<Sealer, Failure> {
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
    // Opening only: what compression leaks is a concern of whoever seals. And the derived
    // types' domain too (the runtime sealers' legacy one), so `--salt` opens the cookie of a
    // `#[derive(SealedCookie)]` JSON type as well as a runtime sealer's value. Sealing: in the
    // derived types' domain unless `--runtime`, so that `seal --salt X` mints what the user's
    // `#[cookie(salt = X)]` type opens. The salt is the user's own, given on the command
    // line: no one else's data is glued into it (the aliasing that separate domains prevent).
    let builder = match purpose {
        Use::Seal { runtime: true } => builder,
        Use::Seal { runtime: false } => builder.also_open_legacy(salt).__seal_in_type_domain(),
        Use::OpenRuntime => builder.compress_leaking_length(),
        Use::OpenBoth => builder.compress_leaking_length().also_open_legacy(salt),
    };
    match (args.max_age, args.no_expiry) {
        (Some(max_age), _) => Ok(builder.max_age(max_age)),
        (None, true) => Ok(builder.no_expiry()),
        (None, false) if lifetime_required => Err(Failure::usage(
            "say how long values live: --max-age DURATION, or --no-expiry",
        )),
        (None, false) => Ok(builder.no_expiry()),
    }
}

fn mode_of(args: &FormatArgs) -> Mode {
    if args.encrypted {
        Mode::Encrypted
    } else {
        Mode::Signed
    }
}

/// Opens a value of ours in both domains: the runtime sealer's, then the derived types'
/// (tried only when the first did not authenticate it, as `also_open_legacy` does), and says
/// which one opened it.
fn open_ours(
    ring: &KeyRing,
    args: &FormatArgs,
    mode: Mode,
    lifetime_required: bool,
    value: &str,
) -> Result<Result<(Opened<Value>, &'static str), OpenError>, Failure> {
    let runtime = our_sealer(ring, args, mode, lifetime_required, Use::OpenRuntime)?;
    Ok(match runtime.open_with_metadata::<Value>(value) {
        Err(OpenError::Invalid) => our_sealer(ring, args, mode, lifetime_required, Use::OpenBoth)?
            .open_with_metadata::<Value>(value)
            .map(|opened| (opened, DERIVED)),
        other => other.map(|opened| (opened, RUNTIME)),
    })
}

/// Metadata of an opened value of ours, and the domain that opened it.
fn opened_fields(opened: &Opened<Value>, domain: &str, map: &mut Map<String, Value>) {
    map.insert("domain".into(), domain.into());
    map.insert("key_id".into(), opened.key_id().to_string().into());
    map.insert(
        "sealed_with_primary".into(),
        opened.sealed_with_primary().into(),
    );
    map.insert("issued_at".into(), rfc3339(opened.issued_at()).into());
    map.insert("created_at".into(), rfc3339(opened.created_at()).into());
    if let Some(at) = opened.expires_at() {
        map.insert("expires_at".into(), rfc3339(at).into());
    }
}

fn inspect(args: &InspectArgs) -> Result<(), Failure> {
    let value = args.value.trim();
    if let Some(kind) = args.format.foreign() {
        return inspect_foreign(kind, value, args);
    }
    let now = OffsetDateTime::now_utc();
    let mut out = Map::new();
    let mut lines: Vec<(&str, String)> = Vec::new();
    out.insert("format".into(), "typed-cookies".into());
    let seen = match typed_cookies::inspect(value) {
        Ok(seen) => seen,
        Err(error) => {
            let verdict = Verdict::of(&error);
            if args.json {
                verdict.insert_into(&mut out);
                output::json(&Value::Object(out))?;
            } else {
                output::text(&format!("verdict     {}", verdict.text))?;
            }
            return Err(Failure::silent_invalid());
        }
    };
    let mode = match seen.format.mode {
        Mode::Signed => "signed",
        Mode::Encrypted => "encrypted",
    };
    out.insert("version".into(), seen.version.into());
    out.insert("mode".into(), mode.into());
    out.insert("codec".into(), seen.format.codec.label().into());
    out.insert("compressed".into(), seen.compressed.into());
    out.insert("tracked".into(), seen.tracked.into());
    out.insert("key_id".into(), seen.key_id.to_string().into());
    out.insert("issued_at".into(), rfc3339(seen.issued_at).into());
    out.insert("created_at".into(), rfc3339(seen.created_at).into());
    let age = now - seen.created_at;
    out.insert("age_seconds".into(), age.whole_seconds().into());
    out.insert("size".into(), seen.len.into());
    out.insert("payload_size".into(), seen.payload_len.into());
    lines.push((
        "version",
        format!(
            "{}{}",
            seen.version,
            if seen.version == 2 {
                " (carries the session's creation time)"
            } else {
                " (created = issued)"
            }
        ),
    ));
    lines.push(("mode", mode.into()));
    lines.push(("codec", seen.format.codec.label().into()));
    lines.push((
        "compressed",
        if seen.compressed {
            "yes (raw DEFLATE; the payload size below is the deflated size)".into()
        } else {
            "no".into()
        },
    ));
    lines.push((
        "tracked",
        if seen.tracked {
            "yes (carries a session id checked against a revocation store)".into()
        } else {
            "no".into()
        },
    ));
    lines.push(("key id", seen.key_id.to_string()));
    lines.push(("issued", when(seen.issued_at, now)));
    lines.push(("created", when(seen.created_at, now)));
    lines.push(("age", human(age)));
    lines.push((
        "size",
        format!(
            "{} characters ({} bytes: {} header, {} payload, {} nonce/tag/MAC)",
            seen.len,
            seen.raw_len,
            seen.header_len,
            seen.payload_len,
            seen.raw_len - seen.header_len - seen.payload_len
        ),
    ));
    if let Some(payload) = &seen.unverified_payload {
        match seen.format.codec {
            Codec::Json => match serde_json::from_slice::<Value>(payload) {
                Ok(v) => {
                    lines.push((
                        "payload",
                        format!("{}  (UNVERIFIED: anyone can write this)", json_line(&v)),
                    ));
                    out.insert("unverified_payload".into(), v);
                }
                Err(_) => {
                    lines.push((
                        "payload",
                        format!("not JSON: {} (UNVERIFIED)", hex(payload)),
                    ));
                    out.insert("unverified_payload_hex".into(), hex(payload).into());
                }
            },
            _ => {
                lines.push((
                    "payload",
                    format!("{} (postcard hex; UNVERIFIED)", hex(payload)),
                ));
                out.insert("unverified_payload_hex".into(), hex(payload).into());
            }
        }
    } else if seen.format.mode == Mode::Signed {
        lines.push((
            "payload",
            "compressed, and does not inflate (UNVERIFIED: anyone can write this)".into(),
        ));
    } else {
        lines.push((
            "payload",
            "encrypted (give keys and --salt to decrypt)".into(),
        ));
    }

    let mut result = Ok(());
    if args.keys.is_given() {
        let text = secrets::require(&args.keys, false, "inspect")?;
        let ring = secrets::ring(&text)?;
        let mode = if args.format.encrypted {
            Mode::Encrypted
        } else {
            seen.format.mode
        };
        let verdict = match open_ours(&ring, &args.format, mode, false, value)? {
            Ok((opened, domain)) => {
                opened_fields(&opened, domain, &mut out);
                lines.push((
                    "domain",
                    if domain == DERIVED {
                        "derived type's (a `#[derive(SealedCookie)]` JSON type of this salt; `seal` writes these)".into()
                    } else {
                        "runtime sealer's (`keys.signed(salt)` / `keys.encrypted(salt)`; `seal --runtime` writes these)".into()
                    },
                ));
                let key = format!(
                    "{} ({})",
                    opened.key_id(),
                    if opened.sealed_with_primary() {
                        "primary"
                    } else {
                        "fallback: reseal to move it to the primary key"
                    }
                );
                lines.push(("sealed by", key));
                if let Some(at) = opened.expires_at() {
                    lines.push(("expires", when(at, now)));
                } else {
                    lines.push(("expires", "not checked (no --max-age)".into()));
                }
                lines.push(("payload", json_line(opened.value())));
                out.insert("payload".into(), opened.into_value());
                Verdict::valid()
            }
            Err(error) => Verdict::of(&error),
        };
        if !verdict.is_valid() {
            result = Err(Failure::silent_invalid());
        }
        lines.push(("verdict", verdict.text.clone()));
        verdict.insert_into(&mut out);
    }
    if args.json {
        output::json(&Value::Object(out))?;
    } else {
        for (label, text) in lines {
            output::text(&format!("{label:<11} {text}"))?;
        }
    }
    result
}

fn inspect_foreign(kind: Foreign, value: &str, args: &InspectArgs) -> Result<(), Failure> {
    // Rails, Express and Laravel values show their structure without keys; the others need them.
    let text = if kind.inspects_without_keys() {
        secrets::read(&args.keys, false)?
    } else {
        Some(secrets::require(&args.keys, false, kind.label())?)
    };
    let mut out = Map::new();
    let mut lines: Vec<(&str, String)> = Vec::new();
    out.insert("format".into(), kind.label().into());
    out.insert("size".into(), value.len().into());
    lines.push(("format", kind.label().into()));
    lines.push(("size", format!("{} characters", value.len())));
    let mut result = Ok(());
    match foreign::unverified(kind, value, OffsetDateTime::now_utc()) {
        Some(Ok(seen)) => {
            lines.extend(seen.lines);
            out.extend(seen.fields);
        }
        Some(Err(error)) => {
            // Not such a value at all: nothing to verify.
            let verdict = Verdict::of(&error);
            verdict.insert_into(&mut out);
            lines.push(("verdict", verdict.text));
            return print_inspection(args.json, out, lines).and(Err(Failure::silent_invalid()));
        }
        None => {}
    }
    match kind.expiry_note() {
        Some(note) => lines.push(("expiry", note.into())),
        None => {
            let max_age = ForeignSealer::max_age_note(kind, &args.format);
            if let Some(max_age) = max_age {
                out.insert("max_age_seconds".into(), max_age.whole_seconds().into());
            }
            lines.push(("max age", max_age.map_or("none".to_owned(), human)));
        }
    }
    if let Some(text) = text {
        kind.check_open(&args.format)?;
        let sealer = ForeignSealer::for_inspect(kind, &text, &args.format, value)?;
        let verdict = match sealer.open(value) {
            Ok(payload) => {
                lines.push(("payload", json_line(&payload)));
                out.insert("payload".into(), payload);
                Verdict::valid()
            }
            Err(error) => Verdict::of(&error),
        };
        verdict.insert_into(&mut out);
        if !verdict.is_valid() {
            result = Err(Failure::silent_invalid());
        }
        lines.push(("verdict", verdict.text));
    }
    print_inspection(args.json, out, lines)?;
    result
}

/// `inspect`'s output: one JSON object, or the labelled lines.
fn print_inspection(
    json: bool,
    out: Map<String, Value>,
    lines: Vec<(&str, String)>,
) -> Result<(), Failure> {
    if json {
        output::json(&Value::Object(out))
    } else {
        lines
            .into_iter()
            .try_for_each(|(label, text)| output::text(&format!("{label:<11} {text}")))
    }
}

/// The argument, or stdin (trimmed).
fn arg_or_stdin(arg: Option<&str>, what: &str) -> Result<String, Failure> {
    match arg {
        Some(text) => Ok(text.trim().to_owned()),
        None => {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).map_err(|e| {
                Failure::usage(format!("cannot read the {what} from stdin: {}", e.kind()))
            })?;
            Ok(text.trim().to_owned())
        }
    }
}

fn seal(args: &SealArgs) -> Result<(), Failure> {
    let text = arg_or_stdin(args.payload.as_deref(), "payload")?;
    let payload: Value = serde_json::from_str(&text)
        .map_err(|e| Failure::usage(format!("the payload is not JSON: {e}")))?;
    let what = args.format.foreign().map_or("seal", Foreign::label);
    let keys = secrets::require(&args.keys, false, what)?;
    let sealed = match args.format.foreign() {
        Some(kind) => ForeignSealer::new(kind, &keys, &args.format)?.seal(&payload),
        None => {
            let ring = secrets::ring(&keys)?;
            let purpose = Use::Seal {
                runtime: args.runtime,
            };
            our_sealer(&ring, &args.format, mode_of(&args.format), true, purpose)?
                .seal(&payload)
                .map(|value| vec![value])
        }
    };
    let sealed = sealed.map_err(|e| Failure::invalid(format!("cannot seal: {e}")))?;
    for line in sealed {
        output::text(&line)?;
    }
    Ok(())
}

fn open(args: &OpenArgs) -> Result<(), Failure> {
    let value = arg_or_stdin(args.value.as_deref(), "value")?;
    let mut out = Map::new();
    let what = args.format.foreign().map_or("open", Foreign::label);
    let keys = secrets::require(&args.keys, false, what)?;
    let result = match args.format.foreign() {
        Some(kind) => {
            out.insert("format".into(), kind.label().into());
            kind.check_open(&args.format)?;
            ForeignSealer::new(kind, &keys, &args.format)?.open(&value)
        }
        None => {
            out.insert("format".into(), "typed-cookies".into());
            let ring = secrets::ring(&keys)?;
            open_ours(&ring, &args.format, mode_of(&args.format), true, &value)?.map(
                |(opened, domain)| {
                    opened_fields(&opened, domain, &mut out);
                    opened.into_value()
                },
            )
        }
    };
    let verdict = match &result {
        Ok(_) => Verdict::valid(),
        Err(error) => Verdict::of(error),
    };
    if args.json {
        verdict.insert_into(&mut out);
        if let Ok(payload) = &result {
            out.insert("payload".into(), payload.clone());
        }
        output::json(&Value::Object(out))?;
    } else if let Ok(payload) = &result {
        output::json(payload)?;
    }
    match result {
        Ok(_) => Ok(()),
        Err(_) if args.json => Err(Failure::silent_invalid()),
        Err(_) => Err(Failure::invalid(verdict.text)),
    }
}

fn check_set_cookie(args: &CheckSetCookieArgs) -> Result<(), Failure> {
    let now = OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let report = set_cookie::check(&args.header, now);
    output::rendered(&report.render(args.json))?;
    if report.rejected() {
        Err(Failure::silent_invalid())
    } else {
        Ok(())
    }
}

//! What each subcommand does.

use std::io::Read;

use serde_json::{json, Map, Value};
use time::OffsetDateTime;
use typed_cookies::{Codec, Key, Mode};
use zeroize::Zeroizing;

use crate::cli::{
    CheckSetCookieArgs, Cli, Command, FormatArgs, InspectArgs, KeyIdArgs, KeygenArgs, OpenArgs,
    RotateArgs, SealArgs,
};
use crate::duration::human;
use crate::interop::{self, Interop, InteropSealer};
use crate::ours::{self, OpenedOurs};
use crate::render::{hex, json_line, rfc3339, when};
use crate::verdict::Verdict;
use crate::{claims, output, secrets, Failure};
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

/// Metadata of an opened value of ours: the domain that opened it, the key, the times, and a
/// tracked value's claims (`claims`).
fn opened_fields(ours: &OpenedOurs, map: &mut Map<String, Value>) {
    let opened = &ours.opened;
    map.insert("domain".into(), ours.domain.label().into());
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
    claims::insert_into(opened, map);
}

fn mode_of(args: &FormatArgs) -> Mode {
    if args.encrypted {
        Mode::Encrypted
    } else {
        Mode::Signed
    }
}

/// The verdict on a value of ours that opened: a tracked one says that no store was asked.
fn opened_verdict(ours: &OpenedOurs) -> Verdict {
    if ours.tracked {
        Verdict::valid_because(
            "valid (authentic and fresh; revocation status NOT checked: no store was consulted)",
        )
    } else {
        Verdict::valid()
    }
}

fn inspect(args: &InspectArgs) -> Result<(), Failure> {
    let value = args.value.trim();
    if let Some(kind) = args.format.interop() {
        return inspect_interop(kind, value, args);
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
                output::text(&format!("verdict     {}", verdict.text()))?;
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
        let verdict = match ours::open(&ring, &args.format, mode, false, value)? {
            Ok(ours) => {
                opened_fields(&ours, &mut out);
                let opened = &ours.opened;
                lines.push(("domain", ours.domain.describe(ours.tracked).into()));
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
                lines.extend(claims::lines(opened));
                lines.push(("payload", json_line(opened.value())));
                let verdict = opened_verdict(&ours);
                out.insert("payload".into(), ours.opened.into_value());
                verdict
            }
            Err(verdict) => verdict,
        };
        if !verdict.is_valid() {
            result = Err(Failure::silent_invalid());
        }
        lines.push(("verdict", verdict.text().to_owned()));
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

fn inspect_interop(kind: Interop, value: &str, args: &InspectArgs) -> Result<(), Failure> {
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
    match interop::unverified(kind, value, OffsetDateTime::now_utc()) {
        Some(Ok(seen)) => {
            lines.extend(seen.lines);
            out.extend(seen.fields);
        }
        Some(Err(error)) => {
            // Not such a value at all: nothing to verify.
            let verdict = Verdict::of(&error);
            verdict.insert_into(&mut out);
            lines.push(("verdict", verdict.text().to_owned()));
            return print_inspection(args.json, out, lines).and(Err(Failure::silent_invalid()));
        }
        None => {}
    }
    match kind.expiry_note() {
        Some(note) => lines.push(("expiry", note.into())),
        None => {
            let max_age = InteropSealer::max_age_note(kind, &args.format);
            if let Some(max_age) = max_age {
                out.insert("max_age_seconds".into(), max_age.whole_seconds().into());
            }
            lines.push(("max age", max_age.map_or("none".to_owned(), human)));
        }
    }
    if let Some(text) = text {
        kind.check_open(&args.format)?;
        let sealer = InteropSealer::for_inspect(kind, &text, &args.format, value)?;
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
        lines.push(("verdict", verdict.text().to_owned()));
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
    let what = args.format.interop().map_or("seal", Interop::label);
    let keys = secrets::require(&args.keys, false, what)?;
    let sealed = match args.format.interop() {
        Some(kind) => InteropSealer::new(kind, &keys, &args.format)?.seal(&payload),
        None => {
            let ring = secrets::ring(&keys)?;
            ours::sealer(&ring, &args.format, mode_of(&args.format), args.runtime)?
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
    let what = args.format.interop().map_or("open", Interop::label);
    let keys = secrets::require(&args.keys, false, what)?;
    // The payload and the verdict, or the refusal; and what a tracked value's claims say.
    let mut notes = Vec::new();
    let result: Result<(Value, Verdict), Verdict> = match args.format.interop() {
        Some(kind) => {
            out.insert("format".into(), kind.label().into());
            kind.check_open(&args.format)?;
            InteropSealer::new(kind, &keys, &args.format)?
                .open(&value)
                .map(|payload| (payload, Verdict::valid()))
                .map_err(|error| Verdict::of(&error))
        }
        None => {
            out.insert("format".into(), "typed-cookies".into());
            let ring = secrets::ring(&keys)?;
            ours::open(&ring, &args.format, mode_of(&args.format), true, &value)?.map(|ours| {
                opened_fields(&ours, &mut out);
                notes = claims::lines(&ours.opened);
                let verdict = opened_verdict(&ours);
                (ours.opened.into_value(), verdict)
            })
        }
    };
    let verdict = match &result {
        Ok((_, verdict)) | Err(verdict) => verdict,
    };
    if args.json {
        verdict.insert_into(&mut out);
        if let Ok((payload, _)) = &result {
            out.insert("payload".into(), payload.clone());
        }
        output::json(&Value::Object(out))?;
    } else if let Ok((payload, _)) = &result {
        // The payload alone on stdout, for pipes; a tracked value's claims, and that no
        // store was consulted, on stderr.
        output::json(payload)?;
        for (label, text) in &notes {
            output::note(&format!("{label}: {text}"));
        }
    }
    match result {
        Ok(_) => Ok(()),
        Err(_) if args.json => Err(Failure::silent_invalid()),
        Err(verdict) => Err(Failure::invalid(verdict.text())),
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

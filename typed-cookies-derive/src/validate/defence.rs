//! Stolen-cookie defences: `bind` (which request parts), `revocable`, `one_time`,
//! `replay = ".."` (implies `revocable`) and `if_store_down`, alone and against the lifetime:
//! server-side entries expire with the value, so a tracked type needs a `max_age`.

use crate::attr::{closest, RawAttrs};
use crate::config::{Defence, Tracking};
use crate::ctxt::Ctxt;

use super::lifetime::seconds_of;

const BIND_PARTS: &[&str] = &["user_agent", "ip", "app"];

/// The longest replay grace window: a copy used this long after its replacement is a replay.
const MAX_REPLAY_GRACE: u32 = 300;

/// Checks the defence keys; `max_age` is the checked lifetime (`None`: `no_expiry` or refused).
pub fn check(raw: &RawAttrs, max_age: Option<u32>, cx: &Ctxt) -> Defence {
    let mut defence = Defence::default();
    if let Some(bind) = &raw.bind {
        let parts: Vec<&str> = bind.value.split(',').map(str::trim).collect();
        if parts.iter().all(|p| p.is_empty()) {
            cx.error(
                bind.span,
                "`bind` needs at least one of `user_agent`, `ip`, `app`, e.g. `bind = \"user_agent\"`",
            );
        }
        for part in parts.iter().filter(|p| !p.is_empty()) {
            match *part {
                "user_agent" => defence.bind_user_agent = true,
                "ip" => defence.bind_ip = true,
                "app" => defence.bind_app = true,
                other => {
                    let hint = closest(other, BIND_PARTS)
                        .map(|k| format!("; did you mean `{k}`?"))
                        .unwrap_or_default();
                    cx.error(
                        bind.span,
                        format!("unknown `bind` part `{other}`: expected `user_agent`, `ip` or `app`, comma-separated{hint}"),
                    );
                }
            }
        }
    }
    if let (Some(_), Some(one_time)) = (raw.revocable, raw.one_time) {
        cx.error(
            one_time,
            "`one_time` and `revocable` exclude each other: a one-time value is used up by its first open; keep one",
        );
    }
    if let (Some(replay), Some(_)) = (&raw.replay, raw.one_time) {
        cx.error(
            replay.span,
            "`replay` detection is for sessions that are opened many times; a `one_time` value cannot be replayed",
        );
    }
    defence.tracking = match (raw.revocable, raw.one_time) {
        (Some(_), _) => Tracking::Revocable,
        (None, Some(_)) => Tracking::OneTime,
        (None, None) => Tracking::None,
    };
    if let Some(replay) = &raw.replay {
        match seconds_of("replay", &replay.value) {
            Ok(secs) if secs > MAX_REPLAY_GRACE => cx.error(
                replay.span,
                format!("`replay` grace window of {secs}s is over {MAX_REPLAY_GRACE}s: a stolen copy could be used for that long beside the real one; a few seconds covers concurrent requests"),
            ),
            Ok(secs) => {
                defence.replay = Some(secs);
                defence.tracking = Tracking::Revocable;
            }
            Err(message) => cx.error(replay.span, message),
        }
    }
    let tracked = defence.tracking != Tracking::None || raw.replay.is_some();
    if tracked && max_age.is_none() {
        if let Some(no_expiry) = raw.no_expiry {
            cx.error(
                no_expiry,
                "a `revocable`, `one_time` or `replay` type needs a `max_age`: its store entries expire with its values",
            );
        }
    }
    if let Some(down) = &raw.if_store_down {
        match down.value.as_str() {
            "refuse" => {}
            "accept" => defence.fail_open = true,
            other => cx.error(
                down.span,
                format!("`if_store_down` is `\"refuse\"` (the default) or `\"accept\"`, not `\"{other}\"`"),
            ),
        }
        if !tracked {
            cx.error(
                down.span,
                "`if_store_down` only applies to `revocable`, `one_time` or `replay` types",
            );
        }
    }
    defence
}

//! Step 1, parse: every `#[cookie(...)]` attribute into [`RawAttrs`], each value kept with its
//! span. Unknown keys, duplicates and wrong literal types are reported to the [`Ctxt`], not
//! returned early, so one build reports every mistake. Nothing here checks what a value means.

use proc_macro2::Span;
use syn::spanned::Spanned as _;
use syn::{Attribute, Expr, ExprLit, ExprUnary, Lit, UnOp};

use crate::ctxt::Ctxt;

/// Every key `#[cookie(...)]` accepts.
pub const KEYS: &[&str] = &[
    "name",
    "salt",
    "max_age",
    "no_expiry",
    "encrypt",
    "compress",
    "codec",
    "path",
    "domain",
    "same_site",
    "secure",
    "http_only",
    "partitioned",
    "flash",
    "priority",
    "replaces",
    "idle",
    "refresh",
    "clear_invalid",
    "bind",
    "revocable",
    "one_time",
    "replay",
    "if_store_down",
    "crate",
];

/// A value and where it was written.
#[derive(Clone)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

/// A duration (`max_age`, `idle`, `refresh`) as written: a string with a unit, or a (possibly
/// negative) integer of seconds.
#[derive(Clone)]
pub enum DurationLit {
    Text(String),
    Seconds { digits: String, negative: bool },
}

/// The attribute's keys as written, not yet checked against each other.
#[derive(Default)]
pub struct RawAttrs {
    /// Span of the first `cookie` attribute, for "missing key" errors (`None`: no attribute).
    pub attr_span: Option<Span>,
    pub name: Option<Spanned<String>>,
    pub salt: Option<Spanned<String>>,
    pub max_age: Option<Spanned<DurationLit>>,
    pub no_expiry: Option<Span>,
    pub encrypt: Option<Span>,
    /// `compress` (value `None`) or `compress = ".."` (the string, checked in validation).
    pub compress: Option<Spanned<Option<String>>>,
    pub codec: Option<Spanned<String>>,
    pub path: Option<Spanned<String>>,
    pub domain: Option<Spanned<String>>,
    pub same_site: Option<Spanned<String>>,
    pub secure: Option<Spanned<bool>>,
    pub http_only: Option<Spanned<bool>>,
    /// `partitioned`: the CHIPS `Partitioned` attribute.
    pub partitioned: Option<Span>,
    /// `flash`: read once, deleted by the response of the request that carried it.
    pub flash: Option<Span>,
    /// `priority = ".."`: Chromium's `Priority` attribute.
    pub priority: Option<Spanned<String>>,
    /// `crate = ".."`; [`crate::ast::Input`] takes it out and resolves the default.
    pub krate: Option<Spanned<syn::Path>>,
    /// `replaces = "OldType"`: this type sets the same cookie as `OldType` on purpose.
    pub replaces: Option<Spanned<syn::Path>>,
    /// `idle = "30m"`: the inactivity timeout (same syntax as `max_age`).
    pub idle: Option<Spanned<DurationLit>>,
    /// `refresh = "10m"`: reseal once a value is this old (same syntax as `max_age`).
    pub refresh: Option<Spanned<DurationLit>>,
    /// `clear_invalid = false`: keep cookies that do not open instead of deleting them.
    pub clear_invalid: Option<Spanned<bool>>,
    /// `bind = "user_agent, ip"`: the request parts values are bound to.
    pub bind: Option<Spanned<String>>,
    /// `revocable`: values carry a session id and epoch checked against the store.
    pub revocable: Option<Span>,
    /// `one_time`: values open once.
    pub one_time: Option<Span>,
    /// `replay = "10s"`: replay detection with this grace window.
    pub replay: Option<Spanned<DurationLit>>,
    /// `if_store_down = "refuse" | "accept"`.
    pub if_store_down: Option<Spanned<String>>,
    /// Keys the user wrote but got wrong (bad value, or a misspelling of them): already
    /// reported, so validation does not add "missing `key`" on top.
    pub attempted: Vec<String>,
    /// An attribute could not be parsed at all (not `#[cookie(...)]`, or broken syntax): keys
    /// after the break were never seen, so "missing `key`" errors would be noise.
    pub syntax_error: bool,
}

impl RawAttrs {
    /// Whether `key` was written, rightly or wrongly, or may have been lost to a syntax error.
    pub fn mentions(&self, key: &str) -> bool {
        self.syntax_error || self.attempted.iter().any(|k| k == key)
    }
}

/// Parses every `#[cookie(...)]` among `attrs`, reporting problems to `cx`.
pub fn parse(attrs: &[Attribute], cx: &Ctxt) -> RawAttrs {
    let mut raw = RawAttrs::default();
    let mut attempted = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("cookie")) {
        raw.attr_span.get_or_insert(attr.path().span());
        let result = attr.parse_nested_meta(|meta| {
            let key_span = meta.path.span();
            // `crate` is a keyword, so the path is printed rather than read as an ident.
            let key = quote::ToTokens::to_token_stream(&meta.path)
                .to_string()
                .replace(' ', "");
            let value: Option<Expr> = if meta.input.peek(syn::Token![=]) {
                Some(meta.value()?.parse()?)
            } else {
                None
            };
            let mut entry = Entry {
                key: &key,
                key_span,
                value,
                cx,
                attempted: &mut attempted,
            };
            match key.as_str() {
                "name" => entry.string(&mut raw.name),
                "salt" => entry.string(&mut raw.salt),
                "codec" => entry.string(&mut raw.codec),
                "path" => entry.string(&mut raw.path),
                "domain" => entry.string(&mut raw.domain),
                "same_site" => entry.string(&mut raw.same_site),
                "secure" => entry.boolean(&mut raw.secure),
                "http_only" => entry.boolean(&mut raw.http_only),
                "no_expiry" => entry.flag(&mut raw.no_expiry),
                "encrypt" => entry.flag(&mut raw.encrypt),
                "compress" => entry.flag_or_string(&mut raw.compress),
                "partitioned" => entry.flag(&mut raw.partitioned),
                "flash" => entry.flag(&mut raw.flash),
                "priority" => entry.string(&mut raw.priority),
                "max_age" => entry.max_age(&mut raw.max_age),
                "idle" => entry.max_age(&mut raw.idle),
                "refresh" => entry.max_age(&mut raw.refresh),
                "clear_invalid" => entry.boolean(&mut raw.clear_invalid),
                "bind" => entry.string(&mut raw.bind),
                "revocable" => entry.flag(&mut raw.revocable),
                "one_time" => entry.flag(&mut raw.one_time),
                "replay" => entry.max_age(&mut raw.replay),
                "if_store_down" => entry.string(&mut raw.if_store_down),
                "crate" => entry.path(&mut raw.krate),
                "replaces" => entry.type_path(&mut raw.replaces),
                _ => entry.unknown(),
            }
            Ok(())
        });
        if let Err(e) = result {
            raw.syntax_error = true;
            cx.syn_error(e);
        }
    }
    raw.attempted = attempted;
    raw
}

/// One `key [= value]` of the attribute being parsed.
struct Entry<'a> {
    key: &'a str,
    key_span: Span,
    value: Option<Expr>,
    cx: &'a Ctxt,
    /// See [`RawAttrs::attempted`].
    attempted: &'a mut Vec<String>,
}

impl Entry<'_> {
    /// Reports `message` on `span` and remembers that this key was written, if wrongly.
    fn wrong(&mut self, span: Span, message: impl std::fmt::Display) {
        self.attempted.push(self.key.to_owned());
        self.cx.error(span, message);
    }

    /// Stores `value` in `slot` unless the key was already given.
    fn store<T>(&mut self, slot: &mut Option<T>, value: T) {
        if slot.is_some() {
            self.cx.error(
                self.key_span,
                format!("duplicate `{}`; give each key once", self.key),
            );
        } else {
            *slot = Some(value);
        }
    }

    fn missing_value(&mut self, example: &str) {
        self.wrong(
            self.key_span,
            format!(
                "`{}` needs a value, e.g. `{} = {example}`",
                self.key, self.key
            ),
        );
    }

    fn string(&mut self, slot: &mut Option<Spanned<String>>) {
        match self.value.take() {
            Some(Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            })) => self.store(
                slot,
                Spanned {
                    value: s.value(),
                    span: s.span(),
                },
            ),
            Some(other) => self.wrong(
                other.span(),
                format!(
                    "`{}` takes a string literal, e.g. `{} = \"...\"`",
                    self.key, self.key
                ),
            ),
            None => self.missing_value("\"...\""),
        }
    }

    fn boolean(&mut self, slot: &mut Option<Spanned<bool>>) {
        match self.value.take() {
            Some(Expr::Lit(ExprLit {
                lit: Lit::Bool(b), ..
            })) => self.store(
                slot,
                Spanned {
                    value: b.value,
                    span: b.span,
                },
            ),
            Some(other) => self.wrong(
                other.span(),
                format!(
                    "`{}` takes `true` or `false`, e.g. `{} = false`",
                    self.key, self.key
                ),
            ),
            None => self.missing_value("false"),
        }
    }

    fn flag(&mut self, slot: &mut Option<Span>) {
        match self.value.take() {
            None => self.store(slot, self.key_span),
            Some(other) => self.wrong(
                other.span(),
                format!(
                    "`{}` is a flag and takes no value; write just `{}`",
                    self.key, self.key
                ),
            ),
        }
    }

    /// A bare flag (`None`) or a string literal (`Some`).
    fn flag_or_string(&mut self, slot: &mut Option<Spanned<Option<String>>>) {
        match self.value.take() {
            None => self.store(
                slot,
                Spanned {
                    value: None,
                    span: self.key_span,
                },
            ),
            Some(Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            })) => self.store(
                slot,
                Spanned {
                    value: Some(s.value()),
                    span: s.span(),
                },
            ),
            Some(other) => self.wrong(
                other.span(),
                format!(
                    "`{}` is a flag (`{}`) or takes a string literal (`{} = \"...\"`)",
                    self.key, self.key, self.key
                ),
            ),
        }
    }

    fn max_age(&mut self, slot: &mut Option<Spanned<DurationLit>>) {
        let parsed = match self.value.take() {
            Some(Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            })) => Some(Spanned {
                value: DurationLit::Text(s.value()),
                span: s.span(),
            }),
            Some(Expr::Lit(ExprLit {
                lit: Lit::Int(i), ..
            })) if i.suffix().is_empty() => Some(Spanned {
                value: DurationLit::Seconds {
                    digits: i.base10_digits().to_owned(),
                    negative: false,
                },
                span: i.span(),
            }),
            Some(Expr::Unary(ExprUnary {
                op: UnOp::Neg(_),
                expr,
                ..
            })) => match *expr {
                Expr::Lit(ExprLit {
                    lit: Lit::Int(i), ..
                }) if i.suffix().is_empty() => Some(Spanned {
                    value: DurationLit::Seconds {
                        digits: i.base10_digits().to_owned(),
                        negative: true,
                    },
                    span: i.span(),
                }),
                other => {
                    self.wrong_max_age(other.span());
                    None
                }
            },
            Some(other) => {
                self.wrong_max_age(other.span());
                None
            }
            None => {
                self.missing_value("\"2h\"");
                None
            }
        };
        if let Some(parsed) = parsed {
            self.store(slot, parsed);
        }
    }

    fn wrong_max_age(&mut self, span: Span) {
        let message = format!(
            "`{}` takes a duration string (\"90s\", \"15m\", \"2h\", \"7d\") or a whole number of seconds",
            self.key
        );
        self.wrong(span, message);
    }

    /// A path written in a string (`crate = ".."`, `replaces = ".."`): `not_a_path` is the
    /// error for a string that does not parse, `not_a_string` for any other value, `example`
    /// the value shown when none is given.
    fn string_path(
        &mut self,
        slot: &mut Option<Spanned<syn::Path>>,
        not_a_path: String,
        not_a_string: String,
        example: &str,
    ) {
        match self.value.take() {
            Some(Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            })) => match s.parse::<syn::Path>() {
                Ok(path) => self.store(
                    slot,
                    Spanned {
                        value: path,
                        span: s.span(),
                    },
                ),
                Err(_) => self.wrong(s.span(), not_a_path),
            },
            Some(other) => self.wrong(other.span(), not_a_string),
            None => self.missing_value(example),
        }
    }

    fn path(&mut self, slot: &mut Option<Spanned<syn::Path>>) {
        self.string_path(
            slot,
            "`crate` takes a path, e.g. `crate = \"my_app::typed_cookies\"`".into(),
            "`crate` takes a path in a string, e.g. `crate = \"my_app::typed_cookies\"`".into(),
            "\"my_app::typed_cookies\"",
        );
    }

    fn type_path(&mut self, slot: &mut Option<Spanned<syn::Path>>) {
        let example = "e.g. `replaces = \"OldSession\"`";
        self.string_path(
            slot,
            format!("`replaces` takes the path of a type, {example}"),
            format!("`replaces` takes the path of a type in a string, {example}"),
            "\"OldSession\"",
        );
    }

    fn unknown(&mut self) {
        let hint = match closest(self.key, KEYS) {
            Some(known) => {
                // The user meant `known`: don't also report it missing.
                self.attempted.push(known.to_owned());
                format!("; did you mean `{known}`?")
            }
            None => format!(
                "; expected one of {}",
                KEYS.iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        self.cx.error(
            self.key_span,
            format!("unknown key `{}` in #[cookie(...)]{hint}", self.key),
        );
    }
}

/// The entry of `known` that `word` is most likely a misspelling of, if any is close enough.
pub fn closest<'k>(word: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|known| (strsim::jaro_winkler(word, known), *known))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, known)| known)
}

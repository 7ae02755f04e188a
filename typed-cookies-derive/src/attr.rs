//! Step 1, parse: every `#[cookie(...)]` attribute into [`RawAttrs`], each value kept with its
//! span. Unknown keys, duplicates and wrong literal types are collected, not returned early, so
//! one build reports every mistake.

use proc_macro2::Span;
use syn::spanned::Spanned as _;
use syn::{Attribute, Expr, ExprLit, ExprUnary, Lit, UnOp};

/// Every key `#[cookie(...)]` accepts.
pub const KEYS: &[&str] = &[
    "name",
    "salt",
    "max_age",
    "no_expiry",
    "encrypt",
    "codec",
    "path",
    "domain",
    "same_site",
    "secure",
    "http_only",
    "replaces",
    "idle",
    "refresh",
    "clear_invalid",
    "crate",
];

/// A value and where it was written.
#[derive(Clone)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

/// A `max_age` as written: a string with a unit, or a (possibly negative) integer of seconds.
#[derive(Clone)]
pub enum MaxAge {
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
    pub max_age: Option<Spanned<MaxAge>>,
    pub no_expiry: Option<Span>,
    pub encrypt: Option<Span>,
    pub codec: Option<Spanned<String>>,
    pub path: Option<Spanned<String>>,
    pub domain: Option<Spanned<String>>,
    pub same_site: Option<Spanned<String>>,
    pub secure: Option<Spanned<bool>>,
    pub http_only: Option<Spanned<bool>>,
    pub krate: Option<Spanned<syn::Path>>,
    /// `replaces = "OldType"`: this type sets the same cookie as `OldType` on purpose.
    pub replaces: Option<Spanned<syn::Path>>,
    /// `idle = "30m"`: the inactivity timeout (same syntax as `max_age`).
    pub idle: Option<Spanned<MaxAge>>,
    /// `refresh = "10m"`: reseal once a value is this old (same syntax as `max_age`).
    pub refresh: Option<Spanned<MaxAge>>,
    /// `clear_invalid = false`: keep cookies that do not open instead of deleting them.
    pub clear_invalid: Option<Spanned<bool>>,
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

/// Collects errors; [`Errors::finish`] combines them into one `syn::Error`.
#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    pub fn push(&mut self, span: Span, message: impl std::fmt::Display) {
        let error = syn::Error::new(span, message);
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    pub fn push_error(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// Adds every error of `other` after those already collected.
    pub fn append(&mut self, other: Errors) {
        if let Some(error) = other.0 {
            self.push_error(error);
        }
    }

    pub fn finish(self) -> Result<(), syn::Error> {
        self.0.map_or(Ok(()), Err)
    }
}

/// Parses every `#[cookie(...)]` among `attrs`, recording problems in `errors`.
pub fn parse(attrs: &[Attribute], errors: &mut Errors) -> RawAttrs {
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
            let mut cx = Entry {
                key: &key,
                key_span,
                value,
                errors: &mut *errors,
                attempted: &mut attempted,
            };
            match key.as_str() {
                "name" => cx.string(&mut raw.name),
                "salt" => cx.string(&mut raw.salt),
                "codec" => cx.string(&mut raw.codec),
                "path" => cx.string(&mut raw.path),
                "domain" => cx.string(&mut raw.domain),
                "same_site" => cx.string(&mut raw.same_site),
                "secure" => cx.boolean(&mut raw.secure),
                "http_only" => cx.boolean(&mut raw.http_only),
                "no_expiry" => cx.flag(&mut raw.no_expiry),
                "encrypt" => cx.flag(&mut raw.encrypt),
                "max_age" => cx.max_age(&mut raw.max_age),
                "idle" => cx.max_age(&mut raw.idle),
                "refresh" => cx.max_age(&mut raw.refresh),
                "clear_invalid" => cx.boolean(&mut raw.clear_invalid),
                "crate" => cx.path(&mut raw.krate),
                "replaces" => cx.type_path(&mut raw.replaces),
                _ => cx.unknown(),
            }
            Ok(())
        });
        if let Err(e) = result {
            raw.syntax_error = true;
            errors.push_error(e);
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
    errors: &'a mut Errors,
    /// See [`RawAttrs::attempted`].
    attempted: &'a mut Vec<String>,
}

impl Entry<'_> {
    /// Reports `message` on `span` and remembers that this key was written, if wrongly.
    fn wrong(&mut self, span: Span, message: impl std::fmt::Display) {
        self.attempted.push(self.key.to_owned());
        self.errors.push(span, message);
    }

    /// Stores `value` in `slot` unless the key was already given.
    fn store<T>(&mut self, slot: &mut Option<T>, value: T) {
        if slot.is_some() {
            self.errors.push(
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

    fn max_age(&mut self, slot: &mut Option<Spanned<MaxAge>>) {
        let parsed = match self.value.take() {
            Some(Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            })) => Some(Spanned {
                value: MaxAge::Text(s.value()),
                span: s.span(),
            }),
            Some(Expr::Lit(ExprLit {
                lit: Lit::Int(i), ..
            })) if i.suffix().is_empty() => Some(Spanned {
                value: MaxAge::Seconds {
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
                    value: MaxAge::Seconds {
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

    fn path(&mut self, slot: &mut Option<Spanned<syn::Path>>) {
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
                Err(_) => self.wrong(
                    s.span(),
                    "`crate` takes a path, e.g. `crate = \"my_app::typed_cookies\"`",
                ),
            },
            Some(other) => self.wrong(
                other.span(),
                "`crate` takes a path in a string, e.g. `crate = \"my_app::typed_cookies\"`",
            ),
            None => self.missing_value("\"my_app::typed_cookies\""),
        }
    }

    fn type_path(&mut self, slot: &mut Option<Spanned<syn::Path>>) {
        let example = "e.g. `replaces = \"OldSession\"`";
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
                Err(_) => self.wrong(
                    s.span(),
                    format!("`replaces` takes the path of a type, {example}"),
                ),
            },
            Some(other) => self.wrong(
                other.span(),
                format!("`replaces` takes the path of a type in a string, {example}"),
            ),
            None => self.missing_value("\"OldSession\""),
        }
    }

    fn unknown(&mut self) {
        let closest = KEYS
            .iter()
            .map(|known| (strsim::jaro_winkler(self.key, known), *known))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, known)| known);
        let hint = match closest {
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
        self.errors.push(
            self.key_span,
            format!("unknown key `{}` in #[cookie(...)]{hint}", self.key),
        );
    }
}

//! Flask's `TaggedJSONSerializer.tag` as a serde serializer: a Rust value becomes the JSON a
//! Flask session holds.
//!
//! Tags travel **out of band**. Only the [`tag`](super::tag) wrappers make one, and they ask
//! for it through serde's newtype-struct *name* (a `&'static str` in the program, never
//! data). Every JSON object the value makes — a map, a struct, an enum variant — whose only
//! key is one of Flask's tags is escaped exactly as Flask's `TagDict` escapes such a dict
//! (`{" di": {"<key>__": …}}`), so whatever keys and strings the data holds, Flask loads the
//! same plain `dict`s and `str`s, never a `Markup`, tuple, bytes, UUID or datetime.

use base64::Engine as _;
use serde::ser::{self, Error as _, Serialize};
use serde_json::{Error, Map, Value};

use super::python::{format_http_date, parse_rfc3339, parse_uuid, uuid_hex};

/// Every tag Flask's `TaggedJSONSerializer` registers (its `tags`): what a dict's only key
/// must not be unescaped.
pub(super) const TAGS: [&str; 6] = [DICT, " t", " b", " m", " u", " d"];

/// The tag of an escaped dict (`TagDict`).
pub(super) const DICT: &str = " di";

/// The Python type a [`tag`](super::tag) wrapper asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Tuple,
    Bytes,
    Markup,
    Uuid,
    DateTime,
}

impl Kind {
    const ALL: [Kind; 5] = [
        Kind::Tuple,
        Kind::Bytes,
        Kind::Markup,
        Kind::Uuid,
        Kind::DateTime,
    ];

    /// The newtype-struct name the wrapper serializes under: the out-of-band channel.
    /// Serializers other than [`to_value`] see a newtype struct and write its plain form.
    pub(super) const fn name(self) -> &'static str {
        match self {
            Kind::Tuple => "$typed_cookies::interop::flask::tag::Tuple",
            Kind::Bytes => "$typed_cookies::interop::flask::tag::Bytes",
            Kind::Markup => "$typed_cookies::interop::flask::tag::Markup",
            Kind::Uuid => "$typed_cookies::interop::flask::tag::Uuid",
            Kind::DateTime => "$typed_cookies::interop::flask::tag::DateTime",
        }
    }

    fn of(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// The key of Flask's one-key object for this type.
    const fn key(self) -> &'static str {
        match self {
            Kind::Tuple => " t",
            Kind::Bytes => " b",
            Kind::Markup => " m",
            Kind::Uuid => " u",
            Kind::DateTime => " d",
        }
    }

    /// What the wrapper makes, for messages.
    const fn article(self) -> &'static str {
        match self {
            Kind::Tuple => "a tuple (tag::Tuple)",
            Kind::Bytes => "bytes (tag::Bytes)",
            Kind::Markup => "Markup (tag::Markup)",
            Kind::Uuid => "a UUID (tag::Uuid)",
            Kind::DateTime => "a datetime (tag::DateTime)",
        }
    }

    /// Flask's tagged object for the wrapper's plain form (what its `Deserialize` reads), or
    /// why the plain form cannot be one.
    fn tag(self, plain: Value) -> Result<Value, Error> {
        let json = match (self, plain) {
            (Kind::Tuple, Value::Array(items)) => Value::Array(items),
            (Kind::Markup, Value::String(text)) => Value::String(text),
            (Kind::Bytes, Value::Array(items)) => {
                let bytes = items
                    .iter()
                    .map(|n| n.as_u64().and_then(|n| u8::try_from(n).ok()))
                    .collect::<Option<Vec<u8>>>()
                    .ok_or_else(|| Error::custom("flask tag::Bytes: not a byte sequence"))?;
                Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
            }
            (Kind::Uuid, Value::String(text)) => {
                let id = parse_uuid(&text)
                    .ok_or_else(|| Error::custom("flask tag::Uuid: not a UUID"))?;
                Value::String(uuid_hex(id))
            }
            (Kind::DateTime, Value::String(text)) => {
                let date = parse_rfc3339(&text)
                    .and_then(format_http_date)
                    .ok_or_else(|| Error::custom(YEARS))?;
                Value::String(date)
            }
            (kind, _) => {
                return Err(Error::custom(format_args!(
                    "flask tag::{kind:?} holds a value of the wrong shape \
                     (a Tuple wraps a tuple, array or Vec)"
                )))
            }
        };
        Ok(single(self.key(), json))
    }
}

const YEARS: &str = "flask tag::DateTime: Flask reads back only the years 100 to 9999 in UTC";

/// `value` as Flask's tagged JSON (see the module documentation).
pub(super) fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, Error> {
    value.serialize(Tagger)
}

/// `value` as the tagged JSON of a whole Flask session: [`to_value`], refused unless Flask's
/// `open_session` can make its session `dict` of it — an object that is not a tag (an escaped
/// dict is one), or `null` (Flask starts an empty session). Anything else makes
/// `open_session` raise, and Flask answer 500 to every request carrying the cookie.
pub(super) fn to_session<T: Serialize + ?Sized>(value: &T) -> Result<Value, Error> {
    let value = to_value(value)?;
    let what = match &value {
        Value::Null => return Ok(value),
        Value::Object(map) if map.len() == 1 => {
            let key = map.keys().next().map(String::as_str);
            match Kind::ALL.into_iter().find(|kind| Some(kind.key()) == key) {
                Some(kind) => kind.article(),
                None => return Ok(value),
            }
        }
        Value::Object(_) => return Ok(value),
        Value::Array(_) => "a list",
        Value::String(_) => "a string",
        Value::Number(_) => "a number",
        Value::Bool(_) => "a bool",
    };
    Err(Error::custom(format_args!(
        "a Flask session must be a map or struct (or unit/None for an empty session), not \
         {what}: Flask could not load it as its session dict and would answer 500 to every \
         request carrying the cookie"
    )))
}

/// A one-key object, unescaped: only for tags and for [`object`]'s input.
fn single(key: &str, value: Value) -> Value {
    let mut map = Map::new();
    map.insert(key.to_owned(), value);
    Value::Object(map)
}

/// An object the data made, escaped as `TagDict` does when its only key is a tag.
fn object(map: Map<String, Value>) -> Value {
    if map.len() != 1 || !map.keys().all(|key| TAGS.contains(&key.as_str())) {
        return Value::Object(map);
    }
    let escaped = map
        .into_iter()
        .map(|(k, v)| (format!("{k}__"), v))
        .collect();
    single(DICT, Value::Object(escaped))
}

/// A map key as serde_json writes it (strings, numbers, bools, unit variants…), so keys are
/// always plain strings here, a tag wrapper's included.
fn key_string<K: Serialize + ?Sized>(key: &K) -> Result<String, Error> {
    use ser::SerializeMap as _;
    let mut map = ser::Serializer::serialize_map(serde_json::value::Serializer, Some(1))?;
    map.serialize_key(key)?;
    map.serialize_value(&())?;
    match map.end()? {
        Value::Object(map) => map.into_iter().next().map(|(key, _)| key),
        _ => None,
    }
    .ok_or_else(|| Error::custom("key must be a string"))
}

/// The serializer: serde_json's `Value` serializer for scalars, its own containers.
struct Tagger;

macro_rules! scalars {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(fn $method(self, v: $ty) -> Result<Value, Error> {
            ser::Serializer::$method(serde_json::value::Serializer, v)
        })*
    };
}

impl ser::Serializer for Tagger {
    type Ok = Value;
    type Error = Error;
    type SerializeSeq = Seq;
    type SerializeTuple = Seq;
    type SerializeTupleStruct = Seq;
    type SerializeTupleVariant = Seq;
    type SerializeMap = Obj;
    type SerializeStruct = Obj;
    type SerializeStructVariant = Obj;

    scalars!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
    );

    fn serialize_none(self) -> Result<Value, Error> {
        Ok(Value::Null)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<Value, Error> {
        Ok(Value::Null)
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, Error> {
        Ok(Value::Null)
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, Error> {
        Ok(Value::String(variant.to_owned()))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<Value, Error> {
        let plain = value.serialize(Tagger)?;
        match Kind::of(name) {
            Some(kind) => kind.tag(plain),
            None => Ok(plain),
        }
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value, Error> {
        let mut map = Map::new();
        map.insert(variant.to_owned(), value.serialize(Tagger)?);
        Ok(object(map))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Seq, Error> {
        Ok(Seq::new(len, None))
    }

    fn serialize_tuple(self, len: usize) -> Result<Seq, Error> {
        Ok(Seq::new(Some(len), None))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Seq, Error> {
        Ok(Seq::new(Some(len), None))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Seq, Error> {
        Ok(Seq::new(Some(len), Some(variant)))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Obj, Error> {
        Ok(Obj::new(None))
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Obj, Error> {
        Ok(Obj::new(None))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Obj, Error> {
        Ok(Obj::new(Some(variant)))
    }
}

/// An array being written (in an enum variant's object when `variant` is set).
struct Seq {
    items: Vec<Value>,
    variant: Option<&'static str>,
}

impl Seq {
    fn new(len: Option<usize>, variant: Option<&'static str>) -> Self {
        Self {
            items: Vec::with_capacity(len.unwrap_or(0).min(256)),
            variant,
        }
    }

    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.items.push(value.serialize(Tagger)?);
        Ok(())
    }

    fn finish(self) -> Value {
        let array = Value::Array(self.items);
        match self.variant {
            Some(variant) => object(Map::from_iter([(variant.to_owned(), array)])),
            None => array,
        }
    }
}

impl ser::SerializeSeq for Seq {
    type Ok = Value;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

impl ser::SerializeTuple for Seq {
    type Ok = Value;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

impl ser::SerializeTupleStruct for Seq {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

impl ser::SerializeTupleVariant for Seq {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

/// An object being written (in an enum variant's object when `variant` is set).
struct Obj {
    map: Map<String, Value>,
    key: Option<String>,
    variant: Option<&'static str>,
}

impl Obj {
    fn new(variant: Option<&'static str>) -> Self {
        Self {
            map: Map::new(),
            key: None,
            variant,
        }
    }

    fn insert<T: Serialize + ?Sized>(&mut self, key: String, value: &T) -> Result<(), Error> {
        self.map.insert(key, value.serialize(Tagger)?);
        Ok(())
    }

    fn finish(self) -> Value {
        let object_ = object(self.map);
        match self.variant {
            Some(variant) => object(Map::from_iter([(variant.to_owned(), object_)])),
            None => object_,
        }
    }
}

impl ser::SerializeMap for Obj {
    type Ok = Value;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.key = Some(key_string(key)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let key = self
            .key
            .take()
            .ok_or_else(|| Error::custom("map value without a key"))?;
        self.insert(key, value)
    }
    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

impl ser::SerializeStruct for Obj {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.insert(key.to_owned(), value)
    }
    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

impl ser::SerializeStructVariant for Obj {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.insert(key.to_owned(), value)
    }
    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;
    use serde_json::json;

    use super::super::tag;
    use super::*;

    /// The old in-band mark (before tags travelled out of band).
    const OLD_MARK: &str = "\u{0}typed-cookies/flask-tag:";

    #[test]
    fn user_dicts_whose_only_key_is_a_tag_are_escaped_like_flask() {
        for key in TAGS {
            // TaggedJSONSerializer().tag({key: {key: "x"}})
            let data = json!({ key: { key: "x" } });
            let escaped = format!("{key}__");
            assert_eq!(
                to_value(&data).unwrap(),
                json!({" di": { escaped.clone(): {" di": { escaped: "x" }}}}),
            );
            // Beside another key, or as a string, a tag is plain.
            let data = json!({ key: key, "other": [key] });
            assert_eq!(to_value(&data).unwrap(), data);
        }
    }

    #[test]
    fn no_data_becomes_a_tag() {
        for key in TAGS {
            let old = format!("{OLD_MARK}{key}");
            let name = Kind::ALL.map(Kind::name);
            for spelled in [old.as_str(), name[0], name[2], name[4]] {
                let data = json!({ spelled: "<script>" });
                assert_eq!(to_value(&data).unwrap(), data);
                let map = BTreeMap::from([(spelled, key)]);
                assert_eq!(to_value(&map).unwrap(), json!({ spelled: key }));
            }
            // A tag wrapper used as a map key is a plain key (escaped as any other).
            let map = std::collections::HashMap::from([(tag::Markup(key.to_owned()), 1)]);
            let escaped = format!("{key}__");
            assert_eq!(to_value(&map).unwrap(), json!({" di": { escaped: 1 }}));
        }
    }

    #[test]
    fn field_and_variant_names_that_spell_a_tag_are_escaped() {
        #[derive(Serialize)]
        struct Field {
            #[serde(rename = " m")]
            html: String,
        }
        #[derive(Serialize)]
        enum Variant {
            #[serde(rename = " t")]
            Newtype(u8),
            #[serde(rename = " b")]
            Tuple(u8, u8),
            #[serde(rename = " d")]
            Struct {
                #[serde(rename = " u")]
                id: u8,
            },
        }
        let html = Field { html: "<i>".into() };
        assert_eq!(to_value(&html).unwrap(), json!({" di": {" m__": "<i>"}}));
        assert_eq!(
            to_value(&[
                Variant::Newtype(1),
                Variant::Tuple(1, 2),
                Variant::Struct { id: 3 }
            ])
            .unwrap(),
            json!([
                {" di": {" t__": 1}},
                {" di": {" b__": [1, 2]}},
                {" di": {" d__": {" di": {" u__": 3}}}},
            ])
        );
    }

    #[test]
    fn wrappers_are_tagged_and_checked() {
        let at = time::OffsetDateTime::from_unix_timestamp(1_445_412_480).unwrap();
        assert_eq!(
            to_value(&(
                tag::Tuple((1, tag::Bytes(vec![0, 1]))),
                tag::Uuid(0x1234),
                tag::DateTime(at),
                tag::Markup("<b>".into()),
            ))
            .unwrap(),
            json!([
                {" t": [1, {" b": "AAE="}]},
                {" u": "00000000000000000000000000001234"},
                {" d": "Wed, 21 Oct 2015 07:28:00 GMT"},
                {" m": "<b>"},
            ])
        );
        // Flask could not read these back as what they claim.
        assert!(to_value(&tag::Tuple("ab")).is_err());
        assert!(to_value(&tag::Tuple(5)).is_err());
        let year_50 = at.replace_year(50).unwrap();
        assert!(to_value(&tag::DateTime(year_50)).is_err());
        // Outside a Flask session they write what they read.
        assert_eq!(
            serde_json::to_value(tag::Tuple((1, 2))).unwrap(),
            json!([1, 2])
        );
        assert_eq!(
            serde_json::to_value(tag::Bytes(vec![7])).unwrap(),
            json!([7])
        );
        assert_eq!(
            serde_json::to_value(tag::Markup("<b>".into())).unwrap(),
            "<b>"
        );
    }

    #[test]
    fn a_session_is_an_object_flask_makes_a_dict_of() {
        // TAGS is the escaped dict's tag and each wrapper's.
        let keys = Kind::ALL.map(Kind::key);
        assert!(TAGS.iter().all(|tag| *tag == DICT || keys.contains(tag)));
        for ok in [
            json!({}),
            json!({"a": 1}),
            json!(null),
            json!({" m": "x", "a": 1}),
        ] {
            assert_eq!(to_session(&ok).unwrap(), ok);
        }
        // A user dict whose only key spells a tag is escaped: still a dict to Flask.
        assert_eq!(
            to_session(&json!({" t": 1})).unwrap(),
            json!({" di": {" t__": 1}})
        );
        fn refused<T: Serialize + ?Sized>(value: &T) -> String {
            let message = to_session(value).unwrap_err().to_string();
            assert!(message.contains("must be a map or struct"), "{message}");
            message
        }
        assert!(refused(&"text").contains("not a string"));
        assert!(refused(&[1, 2]).contains("not a list"));
        assert!(refused(&(1, "a")).contains("not a list"));
        assert!(refused(&5).contains("not a number"));
        assert!(refused(&false).contains("not a bool"));
        assert!(refused(&tag::Tuple((1, "a"))).contains("tag::Tuple"));
        assert!(refused(&tag::Bytes(vec![1])).contains("tag::Bytes"));
        assert!(refused(&tag::Markup("<b>".into())).contains("tag::Markup"));
        assert!(refused(&tag::Uuid(1)).contains("tag::Uuid"));
        let at = time::OffsetDateTime::from_unix_timestamp(0).unwrap();
        assert!(refused(&tag::DateTime(at)).contains("tag::DateTime"));
    }

    #[test]
    fn keys_are_written_as_serde_json_writes_them() {
        let map = BTreeMap::from([(1u8, true)]);
        assert_eq!(to_value(&map).unwrap(), json!({"1": true}));
        let bad = BTreeMap::from([((1, 2), 3)]);
        assert!(to_value(&bad).is_err());
    }
}

//! Just enough of Kubernetes' protobuf encoding to read a TokenRequest: `kubectl create token`
//! posts one as `application/vnd.kubernetes.protobuf` (the `k8s\0` magic, a `runtime.Unknown`
//! envelope, then the message). Answers stay JSON, which kubectl also accepts. Any other
//! protobuf body gets a 415 from the caller.

use serde_json::{Value, json};

use super::status::ApiError;

pub const CONTENT_TYPE: &str = "application/vnd.kubernetes.protobuf";

const MAGIC: &[u8] = b"k8s\x00";

/// Whether a Content-Type header names the protobuf encoding.
pub fn is_protobuf(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|ct| ct.split(';').next().unwrap_or("").trim() == CONTENT_TYPE)
}

/// One field of a protobuf message.
enum Field<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

fn malformed() -> ApiError {
    ApiError::bad_request("malformed protobuf TokenRequest")
}

fn varint(bytes: &[u8], at: &mut usize) -> Result<u64, ApiError> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at).ok_or_else(malformed)?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(malformed())
}

/// The (field number, value) pairs of one message.
fn fields(bytes: &[u8]) -> Result<Vec<(u64, Field<'_>)>, ApiError> {
    let mut at = 0;
    let mut out = Vec::new();
    while at < bytes.len() {
        let key = varint(bytes, &mut at)?;
        let field = match key & 7 {
            0 => Field::Varint(varint(bytes, &mut at)?),
            1 | 5 => {
                at += if key & 7 == 1 { 8 } else { 4 };
                Field::Fixed
            }
            2 => {
                let len = usize::try_from(varint(bytes, &mut at)?).map_err(|_| malformed())?;
                let end = at
                    .checked_add(len)
                    .filter(|end| *end <= bytes.len())
                    .ok_or_else(malformed)?;
                let slice = &bytes[at..end];
                at = end;
                Field::Bytes(slice)
            }
            _ => return Err(malformed()),
        };
        out.push((key >> 3, field));
    }
    if at > bytes.len() {
        return Err(malformed());
    }
    Ok(out)
}

fn text(bytes: &[u8]) -> Value {
    json!(String::from_utf8_lossy(bytes))
}

/// A protobuf-encoded TokenRequest as the JSON object the token handler reads (spec only).
pub fn token_request(body: &[u8]) -> Result<Value, ApiError> {
    let envelope = body.strip_prefix(MAGIC).ok_or_else(malformed)?;
    let raw = fields(envelope)?
        .into_iter()
        .find_map(|(number, field)| match (number, field) {
            (2, Field::Bytes(raw)) => Some(raw),
            _ => None,
        })
        .ok_or_else(malformed)?;
    let mut spec = serde_json::Map::new();
    for (number, field) in fields(raw)? {
        let (2, Field::Bytes(spec_bytes)) = (number, field) else {
            continue;
        };
        let mut audiences = Vec::new();
        for (number, field) in fields(spec_bytes)? {
            match (number, field) {
                (1, Field::Bytes(audience)) => audiences.push(text(audience)),
                (3, Field::Bytes(bound)) => {
                    let mut reference = serde_json::Map::new();
                    for (number, field) in fields(bound)? {
                        let key = match number {
                            1 => "kind",
                            2 => "apiVersion",
                            3 => "name",
                            4 => "uid",
                            _ => continue,
                        };
                        if let Field::Bytes(value) = field {
                            reference.insert(key.into(), text(value));
                        }
                    }
                    spec.insert("boundObjectRef".into(), Value::Object(reference));
                }
                (4, Field::Varint(seconds)) => {
                    spec.insert("expirationSeconds".into(), json!(seconds as i64));
                }
                _ => {}
            }
        }
        if !audiences.is_empty() {
            spec.insert("audiences".into(), Value::Array(audiences));
        }
    }
    Ok(json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": spec}))
}

//! `multipart/form-data` requests: file parts from bytes or streamed from a file, and the
//! decoding of the answer of a request that generated code built itself (progenitor cannot
//! build multipart requests).

use std::fmt;
use std::path::PathBuf;

use bytes::Bytes;
use reqwest::multipart::Part;
use serde::de::DeserializeOwned;

use crate::call::{CallOptions, Response, ResponseMeta};
use crate::client::Operation;
use crate::error::{DecodeError, from_progenitor, progenitor_error_response};
use crate::{Error, ValidationError, Validator, Violation};

enum Source {
    Bytes(Bytes),
    Path(PathBuf),
}

/// A file to upload as one part of a multipart request: bytes in memory, or a file on disk
/// that is streamed (never read whole into memory) when the request is sent.
pub struct FilePart {
    source: Source,
    file_name: Option<String>,
    content_type: Option<String>,
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("FilePart");
        match &self.source {
            Source::Bytes(b) => d.field("bytes", &b.len()),
            Source::Path(p) => d.field("path", p),
        };
        d.field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}

impl FilePart {
    /// A file whose content is `bytes`.
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Self {
        FilePart {
            source: Source::Bytes(bytes.into()),
            file_name: None,
            content_type: None,
        }
    }

    /// The file at `path`, streamed when the request is sent. Its file name defaults to the
    /// path's last component.
    pub fn from_path(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        FilePart {
            source: Source::Path(path),
            file_name,
            content_type: None,
        }
    }

    /// The file name the part carries (`filename=` of its `Content-Disposition`).
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// The part's content type, such as `application/pdf` (default:
    /// `application/octet-stream`).
    pub fn content_type(mut self, mime: impl Into<String>) -> Self {
        self.content_type = Some(mime.into());
        self
    }

    /// The size in bytes, when known without touching the file system (bytes in memory).
    pub fn known_len(&self) -> Option<u64> {
        match &self.source {
            Source::Bytes(b) => Some(b.len() as u64),
            Source::Path(_) => None,
        }
    }

    /// Checks what can be checked without I/O: the size of in-memory bytes against
    /// `max_bytes`, and the content type's syntax. Violations are recorded at `json_name`.
    pub fn validate_into(&self, v: &mut Validator, json_name: &str, max_bytes: Option<u64>) {
        if let (Some(len), Some(max)) = (self.known_len(), max_bytes) {
            check_size(v, json_name, len, max);
        }
        if let Some(ct) = &self.content_type
            && !is_media_type(ct)
        {
            v.violation(Some(json_name), bad_media_type(ct));
        }
    }

    /// The multipart part, with the size of a file on disk checked against `max_bytes` first
    /// (a violation is an [`Error::Validation`] at `json_name`, and nothing is sent). A file
    /// is streamed with its length announced.
    pub async fn into_part<E>(
        self,
        json_name: &str,
        max_bytes: Option<u64>,
    ) -> Result<Part, Error<E>> {
        let mut v = Validator::new();
        self.validate_into(&mut v, json_name, max_bytes);
        v.finish().map_err(Error::Validation)?;
        let part = match self.source {
            Source::Bytes(b) => {
                Part::stream_with_length(reqwest::Body::from(b.clone()), b.len() as u64)
            }
            Source::Path(path) => {
                let open = |e: std::io::Error| {
                    Error::Other(format!(
                        "cannot read the file {} for `{json_name}`: {e}",
                        path.display()
                    ))
                };
                let file = tokio::fs::File::open(&path).await.map_err(open)?;
                let len = file.metadata().await.map_err(open)?.len();
                if let Some(max) = max_bytes {
                    let mut v = Validator::new();
                    check_size(&mut v, json_name, len, max);
                    v.finish().map_err(Error::Validation)?;
                }

                Part::stream_with_length(reqwest::Body::from(file), len)
            }
        };
        let part = match self.file_name {
            Some(name) => part.file_name(name),
            None => part,
        };
        let ct = self
            .content_type
            .unwrap_or_else(|| "application/octet-stream".to_owned());
        // The syntax was checked above; reqwest's parser refusing it anyway is still the
        // caller's content type at fault.
        part.mime_str(&ct).map_err(|_| {
            Error::Validation(ValidationError {
                violations: vec![Violation {
                    path: json_name.to_owned(),
                    message: bad_media_type(&ct),
                }],
            })
        })
    }
}

fn check_size(v: &mut Validator, json_name: &str, len: u64, max: u64) {
    if len > max {
        v.violation(
            Some(json_name),
            format!("the file must be at most {max} bytes (got {len})"),
        );
    }
}

fn bad_media_type(ct: &str) -> String {
    format!("content type {ct:?} is not a valid media type")
}

/// A minimal media type syntax check (`type/subtype` of token characters, optional
/// parameters), so a bad content type is a validation error rather than a failed send.
fn is_media_type(s: &str) -> bool {
    let essence = s.split(';').next().unwrap_or_default().trim();
    let token = |t: &str| {
        !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    essence
        .split_once('/')
        .is_some_and(|(ty, sub)| token(ty) && token(sub))
}

/// Decodes the answer to a request of `operation` that generated code built itself and sent
/// with `options`: a status in `success` gives its JSON body as `T`, with the response's
/// metadata; a status in `errors` gives [`Error::Api`] with the body parsed as `E` (or
/// [`Error::UnexpectedResponse`] when it does not parse); any other status gives
/// [`Error::UnexpectedResponse`] with the raw body.
pub async fn decode_json<T: DeserializeOwned, E: DeserializeOwned>(
    mut response: reqwest::Response,
    success: &[u16],
    errors: &[u16],
    operation: &Operation,
    options: &CallOptions,
) -> Result<Response<T>, Error<E>> {
    let status = response.status();
    if success.contains(&status.as_u16()) {
        let headers = std::mem::take(response.headers_mut());
        let body = response.bytes().await.map_err(Error::from)?;
        return match serde_json::from_slice(&body) {
            Ok(output) => Ok(Response::new(
                output,
                ResponseMeta::new(status, headers, operation.request_id_header, options),
            )),
            Err(source) => Err(Error::Decode {
                status: Some(status),
                body,
                source: DecodeError::Json(source),
            }),
        };
    }
    // The same handling as the progenitor-generated operations.
    let error = if errors.contains(&status.as_u16()) {
        progenitor_error_response(response).await
    } else {
        progenitor_client::Error::UnexpectedResponse(response)
    };
    Err(from_progenitor(error, operation.request_id_header).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_sizes_and_names_not_content() {
        let p = FilePart::from_bytes(&b"secret invoice"[..])
            .file_name("a.pdf")
            .content_type("application/pdf");
        let d = format!("{p:?}");
        assert!(d.contains("14") && d.contains("a.pdf"), "{d}");
        assert!(!d.contains("secret"), "{d}");
    }

    #[test]
    fn size_and_content_type_are_validated_before_io() {
        let p = FilePart::from_bytes(vec![0u8; 11]).content_type("not a type");
        let mut v = Validator::new();
        p.validate_into(&mut v, "file", Some(10));
        let e = v.finish().unwrap_err().to_string();
        assert!(
            e.contains("file: the file must be at most 10 bytes (got 11)"),
            "{e}"
        );
        assert!(e.contains("not a valid media type"), "{e}");
        let ok = FilePart::from_bytes(vec![0u8; 10]).content_type("application/pdf; q=1");
        let mut v = Validator::new();
        ok.validate_into(&mut v, "file", Some(10));
        assert!(v.finish().is_ok());
    }

    #[tokio::test]
    async fn a_file_on_disk_is_measured_before_sending() {
        let dir = std::env::temp_dir().join(format!("payspec-mp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("big.bin");
        std::fs::write(&path, vec![1u8; 20]).unwrap();
        let err = FilePart::from_path(&path)
            .into_part::<()>("file", Some(19))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Validation(_)), "{err:?}");
        assert!(
            FilePart::from_path(&path)
                .into_part::<()>("file", Some(20))
                .await
                .is_ok()
        );
        let missing = FilePart::from_path(dir.join("none"))
            .into_part::<()>("file", None)
            .await
            .unwrap_err();
        assert!(matches!(&missing, Error::Other(m) if m.contains("cannot read the file")));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

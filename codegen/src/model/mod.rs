//! The model both front ends produce and every emitter reads: servers, security schemes,
//! operations (method, path, parameters, bodies and their wire formats, security, retry class,
//! pagination), webhooks, rate limits and the facts about types that the generated code checks
//! (validation rules, open enums, tagged unions, error bodies).
//!
//! The OpenAPI front end (`spec.rs`) and the DataContract front end (`dcs/openapi.rs`) fill the
//! same [`Api`]; what only a DataContract provider has (its authentication member,
//! outcome member and success value) is the [`DcsClient`] part. Every spec error is raised by a
//! front end while it builds the model, so emitters never meet an unchecked spec. Each operation
//! remembers where it was written ([`Operation::pointer`]), so later checks can name the place.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToSnakeCase;
use serde_json::Value;

/// An `example` from the spec: a JSON value, as written. Emitters read it as data (to build the
/// docs' examples); it is the only JSON value the model carries.
pub type Example = Value;

mod contracts;
mod types;

pub use contracts::{ArrayType, Class, Contracts, EnumType, MemberDef, QName, TypeRef};
pub use types::{Limits, Object, Property, Schema, Ty};

/// A server from `servers`, named by `x-server-name`.
#[derive(Debug, Clone)]
pub struct Server {
    pub url: String,
    pub name: String,
    pub description: String,
}

/// How a security scheme puts its credential on a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemeKind {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// `Authorization: Basic base64(id:secret)`.
    Basic,
    /// A header carrying the key as is.
    ApiKeyHeader(String),
}

/// A security scheme of `components.securitySchemes`.
#[derive(Debug, Clone)]
pub struct Scheme {
    pub name: String,
    pub kind: SchemeKind,
    pub description: String,
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
}

/// An operation parameter.
#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub location: ParamLocation,
    pub required: bool,
    pub description: String,
    /// The parameter's type and limits.
    pub ty: Ty,
    /// Its `example` (or its schema's), as written.
    pub example: Option<Example>,
}

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    /// Every method, in the order an OpenAPI path item lists them.
    pub const ALL: [Method; 8] = [
        Method::Get,
        Method::Put,
        Method::Post,
        Method::Delete,
        Method::Options,
        Method::Head,
        Method::Patch,
        Method::Trace,
    ];

    /// The lowercase name, as an OpenAPI path item keys it.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Put => "put",
            Method::Post => "post",
            Method::Delete => "delete",
            Method::Options => "options",
            Method::Head => "head",
            Method::Patch => "patch",
            Method::Trace => "trace",
        }
    }

    /// Safe methods (GET, HEAD, OPTIONS): retried by default.
    pub fn is_safe(self) -> bool {
        matches!(self, Method::Get | Method::Head | Method::Options)
    }
}

/// What the client may do when an attempt fails without a definite answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Safe to repeat: retried on transient failures (`x-idempotent: true`, or a safe method).
    Idempotent,
    /// Sent once: never retried.
    Once,
    /// Moves money (`x-moves-money: true`): sent once, and its docs say how to find out
    /// whether a failed call took effect.
    MovesMoney,
}

/// A wire format of a request or response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `application/json`.
    Json,
    /// `application/xml` (.NET DataContractSerializer XML).
    Xml,
}

/// One operation.
#[derive(Debug, Clone)]
pub struct Operation {
    pub id: String,
    pub method: Method,
    pub path: String,
    /// Where the operation is written: the JSON pointer of its object in the spec.
    pub pointer: String,
    pub summary: String,
    pub description: String,
    pub params: Vec<Param>,
    /// The request body's schema (component or contract) name.
    pub body: Option<String>,
    /// The JSON request body's `example` (or the first of its `examples`), as written.
    pub body_example: Option<Example>,
    /// The `multipart/form-data` request body's component schema name.
    pub multipart: Option<String>,
    /// The multipart body's `example` (or the first of its `examples`), as written.
    pub multipart_example: Option<Example>,
    /// The success body's schema (component or contract) name (`None`: no body).
    pub success: Option<String>,
    /// The formats the body and the success body can travel in (JSON for an OpenAPI
    /// provider; JSON or XML, chosen per client, for a DataContract provider).
    pub formats: Vec<Format>,
    /// The documented success statuses.
    pub success_statuses: Vec<u16>,
    /// The documented error statuses whose body is `error`.
    pub error_statuses: Vec<u16>,
    /// The documented error body's component schema name, shared by every error status.
    pub error: Option<String>,
    /// Whether, and how, the client may retry it.
    pub retry: Retry,
    /// Alternatives of scheme sets; one alternative must be satisfied.
    pub security: Vec<Vec<String>>,
    /// `x-pagination`: the operation returns one page of a cursor-paginated listing.
    pub pagination: Option<Pagination>,
    /// `x-idempotency-key` (the operation's, or the document's): the header, lowercase, that
    /// carries a key unique to each call; with it, the call may be retried.
    pub idempotency_header: Option<String>,
    /// `x-request-id` (the operation's, or the document's): the response header, lowercase,
    /// with the provider's id of the request.
    pub request_id_header: Option<String>,
}

/// `x-pagination` of an operation.
#[derive(Debug, Clone)]
pub struct Pagination {
    /// The request body property the cursor is sent in.
    pub cursor: String,
    /// The response body property with the next page's cursor.
    pub next_cursor: String,
    /// The response body property with the page's items.
    pub items: String,
}

/// `x-rate-limit` of the document.
#[derive(Debug, Clone, Default)]
pub struct RateLimit {
    /// Concurrent requests allowed per key: the client's default `max_in_flight`.
    pub max_in_flight: Option<u64>,
    /// Requests per minute allowed per key (documented; the server answers 429 beyond).
    pub requests_per_minute: Option<u64>,
}

/// A `oneOf` of `$ref`s with a `discriminator`: a tagged union.
#[derive(Debug, Clone)]
pub struct Union {
    pub name: String,
    pub description: String,
    /// The tag property.
    pub property: String,
    /// Tag value and member schema name, in `oneOf` order.
    pub variants: Vec<(String, String)>,
}

impl Operation {
    /// The Rust method name (progenitor's, too).
    pub fn rust_name(&self) -> String {
        self.id.to_snake_case()
    }

    /// The name of the operation's static entry in the generated table (`ops::GET_ORDER`).
    pub fn table_name(&self) -> String {
        self.rust_name().to_uppercase()
    }

    /// Safe to retry automatically without a key.
    pub fn is_idempotent(&self) -> bool {
        self.retry == Retry::Idempotent
    }

    /// Retried on transient failures: safe to repeat, or sent with an idempotency key.
    pub fn is_retried(&self) -> bool {
        self.is_idempotent() || self.idempotency_header.is_some()
    }

    /// `x-moves-money`.
    pub fn moves_money(&self) -> bool {
        self.retry == Retry::MovesMoney
    }

    /// The name of the method that sends the `multipart/form-data` body: the operation's own
    /// when that is its only body, `<name>_multipart` beside the JSON method otherwise.
    pub fn multipart_method_name(&self) -> String {
        if self.body.is_some() {
            format!("{}_multipart", self.rust_name())
        } else {
            self.rust_name()
        }
    }
}

/// A forward-compatible enum (`x-open-enum: true`).
#[derive(Debug, Clone)]
pub struct OpenEnum {
    pub name: String,
    pub description: String,
    /// Wire value and its documentation.
    pub values: Vec<(String, String)>,
}

/// A webhook of `x-webhooks`.
#[derive(Debug, Clone)]
pub struct Webhook {
    pub key: String,
    pub description: String,
    pub header: String,
    pub encoding: String,
    pub payload: String,
}

/// Where an error body keeps a piece of information: a property of its own, or the first of
/// several JSON pointers that resolves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Locator {
    Property(String),
    Pointers(Vec<String>),
}

/// `x-error-message` / `x-error-details` / `x-error-code` of an error body schema.
#[derive(Debug, Clone, Default)]
pub struct ErrorBodyExt {
    pub message: Option<Locator>,
    pub details: Option<Locator>,
    /// The open enum of the provider's error codes, and where the code is.
    pub code: Option<(String, Vec<String>)>,
}

/// Everything codegen reads from one provider's spec.
#[derive(Debug, Clone, Default)]
pub struct Api {
    pub title: String,
    pub description: String,
    pub version: String,
    pub servers: Vec<Server>,
    pub schemes: Vec<Scheme>,
    pub operations: Vec<Operation>,
    pub webhooks: Vec<Webhook>,
    /// `x-rate-limit`.
    pub rate_limit: Option<RateLimit>,
    pub open_enums: Vec<OpenEnum>,
    pub error_bodies: BTreeMap<String, ErrorBodyExt>,
    /// Component schemas, by name.
    pub types: BTreeMap<String, Schema>,
    /// Whether any schema uses `format: epoch-millis`.
    pub uses_epoch_millis: bool,
    /// Component schemas reachable from a request body: these get client-side validation.
    pub request_schemas: BTreeSet<String>,
    /// Tagged unions (`oneOf` + `discriminator`).
    pub unions: Vec<Union>,
    /// Schemas used as `multipart/form-data` bodies (never seen by progenitor).
    pub multipart_schemas: BTreeSet<String>,
    /// A DataContract provider's client settings (`x-dcs-client`, `x-response-codes`).
    pub dcs: Option<DcsClient>,
    /// A DataContract provider's contracts (from its XSDs); empty for an OpenAPI provider.
    pub contracts: Contracts,
}

/// `x-dcs-client.recovery`: how a caller finds out whether a money-moving call that failed
/// without an answer took effect.
#[derive(Debug, Clone)]
pub struct Recovery {
    /// The `operationId` of the look-up.
    pub operation: String,
    /// The request member the caller sets before calling and looks up by afterwards.
    pub member: String,
    /// The guidance, Markdown; `{operation}` stands for a link to the look-up method.
    pub guidance: String,
}

/// A documented response code of a DataContract provider (`x-response-codes`).
#[derive(Debug, Clone)]
pub struct ResponseCode {
    /// The code.
    pub code: String,
    /// What it means.
    pub description: String,
    /// The operations the provider's documentation lists it for.
    pub operations: Vec<String>,
}

/// What a DataContract client needs beyond the operations: where the key travels and how an
/// answer says whether it succeeded.
#[derive(Debug, Clone)]
pub struct DcsClient {
    /// `x-response-codes`.
    pub response_codes: Vec<ResponseCode>,
    /// `x-dcs-client.authentication`: the request member that carries the key.
    pub auth_member: String,
    /// `x-dcs-client.response-code`.
    pub code_member: String,
    /// `x-dcs-client.response-message`.
    pub message_member: String,
    /// `x-dcs-client.success`.
    pub success: String,
    /// `x-dcs-client.error-type`, or derived from the title's last word (`Acme Pay` →
    /// `PayError`).
    pub error_type: String,
    /// `x-dcs-client.recovery`.
    pub recovery: Option<Recovery>,
}

impl Api {
    /// Whether `property` of `schema` is the tag of a tagged union `schema` belongs to (the
    /// union writes and reads it; the member's struct has no field for it).
    pub fn is_union_tag(&self, schema: &str, property: &str) -> bool {
        self.unions
            .iter()
            .any(|u| u.property == property && u.variants.iter().any(|(_, m)| m == schema))
    }
}

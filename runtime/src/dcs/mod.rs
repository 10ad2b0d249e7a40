//! .NET DataContract wire formats: the XML of `DataContractSerializer` and the JSON of Json.NET.
//!
//! Generated DataContract types (see `payspec-codegen`'s DataContract emitter) call into this
//! module: [`XmlReader`] and [`XmlWriter`] implement the rules of DataContractSerializer's XML
//! (member order, per-member namespaces, `dNpM` prefixes, `i:nil`, arrays, value formats), and
//! [`json`] holds the helpers for Json.NET-style JSON (PascalCase, enums as integers,
//! case-insensitive keys on input, nulls never written).
//!
//! Where the real serializer silently drops data (a member after its slot, a member in the wrong
//! namespace, a collection item with the wrong name) [`XmlReader`] reports an error instead;
//! it never turns bad input into a default. It refuses DOCTYPEs (so no entity expansion) and
//! enforces [`XmlLimits`].

mod client;
mod enums;
pub mod json;
mod value;
mod xml_read;
mod xml_write;

pub use client::{DcsBuildError, DcsClient, WireFormat};
pub use enums::{DcsEnum, UnknownEnumValue};
pub use value::{XmlScalar, default_date_time};
pub use xml_read::{Elem, Member, Next, XmlLimits, XmlReader};
pub use xml_write::XmlWriter;

use std::fmt;

/// `http://www.w3.org/2001/XMLSchema-instance`, the namespace of `i:nil`.
pub const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// `http://schemas.microsoft.com/2003/10/Serialization/Arrays`, where `ArrayOfstring` lives.
pub const ARRAYS_NS: &str = "http://schemas.microsoft.com/2003/10/Serialization/Arrays";
/// `http://schemas.microsoft.com/2003/10/Serialization/`, DataContractSerializer's own namespace
/// (`z:Id`, `z:Ref`, which these contracts never use).
pub const SERIALIZATION_NS: &str = "http://schemas.microsoft.com/2003/10/Serialization/";

/// A DataContract class: a struct whose XML content is a sequence of member elements.
pub trait XmlClass: Sized + Default {
    /// The contract name (the element name of a root or of a collection item).
    const NAME: &'static str;
    /// The contract namespace.
    const NS: &'static str;

    /// Reads the members of `elem` (a non-nil element) up to and including its end tag.
    fn read_content<'i>(r: &mut XmlReader<'i>, elem: &Elem<'i>) -> Result<Self, XmlError>;

    /// Writes the member elements (not the enclosing element).
    fn write_content(&self, w: &mut XmlWriter) -> Result<(), XmlError>;
}

/// A root contract: a request or response body.
pub trait DataContract: XmlClass + serde::Serialize + serde::de::DeserializeOwned {
    /// `Area.Name`, as the seed and `processone-codec` name the contract.
    const QUALIFIED_NAME: &'static str;

    /// Reads an XML body with the default [`XmlLimits`].
    fn from_xml(input: &[u8]) -> Result<Self, XmlError> {
        Self::from_xml_with(input, &XmlLimits::default())
    }

    /// Reads an XML body with the given limits.
    fn from_xml_with(input: &[u8], limits: &XmlLimits) -> Result<Self, XmlError> {
        XmlReader::read_document(input, limits, Self::NAME, Self::NS, |r, e| {
            Self::read_content(r, e)
        })
    }

    /// Writes the XML body exactly as DataContractSerializer (through `XmlWriter`) writes it:
    /// UTF-8, no declaration, no indentation.
    fn to_xml(&self) -> Result<Vec<u8>, XmlError> {
        let mut w = XmlWriter::new();
        w.root(Self::NAME, Self::NS);
        self.write_content(&mut w)?;
        w.end();
        Ok(w.finish())
    }

    /// Reads a JSON body (keys case-insensitive, unknown keys ignored).
    fn from_json(input: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(input)
    }

    /// Writes a compact JSON body (PascalCase, enums as integers, nulls omitted).
    fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::to_vec(self)
    }
}

/// What went wrong reading or writing DataContract XML.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum XmlErrorKind {
    /// Not well-formed XML (or not UTF-8).
    Syntax,
    /// A `<!DOCTYPE>`: refused, so no entity can be declared or expanded.
    DocType,
    /// The document is larger than [`XmlLimits::max_bytes`].
    TooLarge,
    /// Elements nest deeper than [`XmlLimits::max_depth`].
    TooDeep,
    /// The root element has another name or namespace than the contract.
    WrongRoot,
    /// A prefix that no `xmlns:` declares.
    UndeclaredPrefix,
    /// A known member after its slot (or twice): the real serializer would silently drop it.
    OutOfOrder,
    /// A known member name in another namespace: the real serializer would silently drop it.
    WrongNamespace,
    /// A collection item with another name or namespace than the item contract.
    WrongItem,
    /// `i:nil` on a member that cannot be null.
    NilNotAllowed,
    /// A value that is not valid for its type (number, boolean, date-time, enum name).
    InvalidValue,
    /// Markup where text was expected, or text where elements were expected.
    UnexpectedContent,
    /// An attribute this format does not support (`i:type`, `z:Id`, `z:Ref`).
    UnsupportedAttribute,
    /// A value that cannot be written (an enum value without a name, a character XML forbids).
    Unencodable,
}

/// An error reading or writing DataContract XML, with the member path where it happened.
///
/// Messages never contain string member values (they may be secrets); they may contain the
/// text of a number, boolean, date-time or enum name that failed to parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XmlError {
    kind: XmlErrorKind,
    path: Vec<String>,
    position: Option<u64>,
    message: String,
}

impl XmlError {
    pub(crate) fn new(kind: XmlErrorKind, message: impl Into<String>) -> XmlError {
        XmlError {
            kind,
            path: Vec::new(),
            position: None,
            message: message.into(),
        }
    }

    pub(crate) fn at_position(mut self, position: u64) -> XmlError {
        if self.position.is_none() {
            self.position = Some(position);
        }
        self
    }

    /// Adds the enclosing member name to the path (called while the error propagates out).
    pub fn in_member(mut self, name: &str) -> XmlError {
        self.path.push(name.to_owned());
        self
    }

    /// Adds the enclosing collection index to the path.
    pub fn in_item(mut self, index: usize) -> XmlError {
        self.path.push(format!("[{index}]"));
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &XmlErrorKind {
        &self.kind
    }

    /// The member path, outermost first, e.g. `ChargeCreditCardRequest/Amount`.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for part in self.path.iter().rev() {
            if !out.is_empty() && !part.starts_with('[') {
                out.push('/');
            }
            out.push_str(part);
        }
        out
    }

    /// The byte offset in the input where the problem was found, when reading.
    pub fn position(&self) -> Option<u64> {
        self.position
    }
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path();
        if !path.is_empty() {
            write!(f, "at {path}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(p) = self.position {
            write!(f, " (byte {p})")?;
        }
        Ok(())
    }
}

impl std::error::Error for XmlError {}

/// XML whitespace: space, tab, line feed, carriage return.
pub(crate) fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// Shows at most 64 characters of network text in an error message.
pub(crate) fn shown(text: &str) -> String {
    const SHOWN: usize = 64;
    let mut out: String = text.chars().take(SHOWN).collect();
    if text.chars().nth(SHOWN).is_some() {
        out.push_str("...");
    }
    format!("{out:?}")
}

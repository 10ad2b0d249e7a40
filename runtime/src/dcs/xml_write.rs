//! Writes XML byte for byte as DataContractSerializer does through `XmlWriter.Create`.
//!
//! The namespace rules are those of .NET's `XmlWellFormedWriter` driven by the serializer:
//! - an element is written in its member's namespace: unprefixed when that is the default
//!   namespace in scope, with the prefix already bound to it if there is one, otherwise with an
//!   implicit `xmlns="..."` written after the element's explicit attributes;
//! - a member whose type is a class or collection declares the type's namespace as
//!   `xmlns:dNpM` (N = element depth, the root being 1; M counts declarations on the element,
//!   from 1) unless a prefix for it is already in scope, even when the member is nil;
//! - the root declares `xmlns:i` (XML Schema instance) before its implicit `xmlns`;
//! - nil is `<X i:nil="true" />`; an element without content is `<X />`; a string is always
//!   `<X>text</X>`, even when empty.

use super::enums::DcsEnum;
use super::value::{XmlScalar, escape_text};
use super::{XSI_NS, XmlClass, XmlError, XmlErrorKind};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Prefix {
    Default,
    Xsi,
    Generated { depth: u32, n: u32 },
}

struct Binding {
    prefix: Prefix,
    ns: &'static str,
}

struct Frame {
    local: &'static str,
    prefix: Prefix,
    bindings_len: usize,
    declared: u32,
}

/// A DataContractSerializer-compatible XML writer (see the module documentation).
pub struct XmlWriter {
    out: Vec<u8>,
    bindings: Vec<Binding>,
    stack: Vec<Frame>,
    tag_open: bool,
    implicit_default: Option<&'static str>,
    scratch: String,
}

impl Default for XmlWriter {
    fn default() -> Self {
        XmlWriter::new()
    }
}

impl XmlWriter {
    /// An empty writer.
    pub fn new() -> XmlWriter {
        XmlWriter {
            out: Vec::with_capacity(1024),
            bindings: Vec::new(),
            stack: Vec::new(),
            tag_open: false,
            implicit_default: None,
            scratch: String::new(),
        }
    }

    /// The written bytes.
    pub fn finish(self) -> Vec<u8> {
        self.out
    }

    /// Starts the root element: `<Name xmlns:i="..." xmlns="ns"`.
    pub fn root(&mut self, local: &'static str, ns: &'static str) {
        self.start(local, ns);
        self.out.extend_from_slice(b" xmlns:i=\"");
        self.out.extend_from_slice(XSI_NS.as_bytes());
        self.out.push(b'"');
        self.bindings.push(Binding {
            prefix: Prefix::Xsi,
            ns: XSI_NS,
        });
    }

    fn lookup(&self, ns: &str) -> Option<Prefix> {
        for (i, b) in self.bindings.iter().enumerate().rev() {
            if b.ns == ns {
                let shadowed = self.bindings[i + 1..].iter().any(|l| l.prefix == b.prefix);
                if !shadowed {
                    return Some(b.prefix);
                }
            }
        }
        None
    }

    fn push_prefix(&mut self, prefix: Prefix) {
        match prefix {
            Prefix::Default => {}
            Prefix::Xsi => self.out.extend_from_slice(b"i:"),
            Prefix::Generated { depth, n } => {
                use std::io::Write;
                let _ = write!(self.out, "d{depth}p{n}:");
            }
        }
    }

    fn close_start_tag(&mut self) {
        if let Some(ns) = self.implicit_default.take() {
            self.out.extend_from_slice(b" xmlns=\"");
            self.out.extend_from_slice(ns.as_bytes());
            self.out.push(b'"');
        }
    }

    fn open_content(&mut self) {
        if self.tag_open {
            self.close_start_tag();
            self.out.push(b'>');
            self.tag_open = false;
        }
    }

    /// Starts an element in namespace `ns`.
    pub fn start(&mut self, local: &'static str, ns: &'static str) {
        self.open_content();
        let bindings_len = self.bindings.len();
        let prefix = match self.lookup(ns) {
            Some(p) => p,
            None => {
                self.bindings.push(Binding {
                    prefix: Prefix::Default,
                    ns,
                });
                self.implicit_default = Some(ns);
                Prefix::Default
            }
        };
        self.out.push(b'<');
        self.push_prefix(prefix);
        self.out.extend_from_slice(local.as_bytes());
        self.stack.push(Frame {
            local,
            prefix,
            bindings_len,
            declared: 0,
        });
        self.tag_open = true;
    }

    /// Declares the namespace of a member's class or collection type as `xmlns:dNpM`, unless a
    /// prefix for it is already in scope. Call right after [`XmlWriter::start`].
    pub fn type_ns(&mut self, ns: &'static str) {
        if self.lookup(ns).is_some() {
            return;
        }
        let depth = self.stack.len() as u32;
        let Some(frame) = self.stack.last_mut() else {
            return;
        };
        frame.declared += 1;
        let prefix = Prefix::Generated {
            depth,
            n: frame.declared,
        };
        {
            use std::io::Write;
            let _ = write!(self.out, " xmlns:d{depth}p{}=\"", frame.declared);
        }
        self.out.extend_from_slice(ns.as_bytes());
        self.out.push(b'"');
        self.bindings.push(Binding { prefix, ns });
    }

    fn pop(&mut self) {
        if let Some(frame) = self.stack.pop() {
            self.bindings.truncate(frame.bindings_len);
        }
    }

    fn end_tag(&mut self) {
        if let Some(frame) = self.stack.last() {
            let (prefix, local) = (frame.prefix, frame.local);
            self.out.extend_from_slice(b"</");
            self.push_prefix(prefix);
            self.out.extend_from_slice(local.as_bytes());
            self.out.push(b'>');
        }
        self.pop();
    }

    /// Ends the current element as nil: `i:nil="true" />`.
    pub fn nil(&mut self) {
        self.out.extend_from_slice(b" i:nil=\"true\"");
        self.close_start_tag();
        self.out.extend_from_slice(b" />");
        self.tag_open = false;
        self.pop();
    }

    /// Writes escaped text and ends the current element.
    pub fn text(&mut self, text: &str) -> Result<(), XmlError> {
        self.open_content();
        escape_text(text, &mut self.out)
            .map_err(|m| XmlError::new(XmlErrorKind::Unencodable, m))?;
        self.end_tag();
        Ok(())
    }

    /// Ends the current element (`<X />` if nothing was written inside it).
    pub fn end(&mut self) {
        if self.tag_open {
            self.close_start_tag();
            self.out.extend_from_slice(b" />");
            self.tag_open = false;
            self.pop();
        } else {
            self.end_tag();
        }
    }

    // ---- members, as generated code writes them ----

    /// A string member (nillable).
    pub fn string(
        &mut self,
        local: &'static str,
        ns: &'static str,
        value: Option<&str>,
    ) -> Result<(), XmlError> {
        self.start(local, ns);
        match value {
            None => {
                self.nil();
                Ok(())
            }
            Some(s) => self.text(s).map_err(|e| e.in_member(local)),
        }
    }

    /// A value-type member.
    pub fn scalar<T: XmlScalar>(
        &mut self,
        local: &'static str,
        ns: &'static str,
        value: &T,
    ) -> Result<(), XmlError> {
        self.scratch.clear();
        let mut text = std::mem::take(&mut self.scratch);
        let r = value
            .format_xml(&mut text)
            .map_err(|m| XmlError::new(XmlErrorKind::Unencodable, m).in_member(local));
        if r.is_ok() {
            self.start(local, ns);
            self.open_content();
            self.out.extend_from_slice(text.as_bytes());
            self.end_tag();
        }
        self.scratch = text;
        r
    }

    /// A nullable value-type member.
    pub fn opt_scalar<T: XmlScalar>(
        &mut self,
        local: &'static str,
        ns: &'static str,
        value: Option<&T>,
    ) -> Result<(), XmlError> {
        match value {
            Some(v) => self.scalar(local, ns, v),
            None => {
                self.start(local, ns);
                self.nil();
                Ok(())
            }
        }
    }

    /// A class member.
    pub fn class<C: XmlClass>(
        &mut self,
        local: &'static str,
        ns: &'static str,
        value: Option<&C>,
    ) -> Result<(), XmlError> {
        self.start(local, ns);
        self.type_ns(C::NS);
        match value {
            None => self.nil(),
            Some(v) => {
                v.write_content(self).map_err(|e| e.in_member(local))?;
                self.end();
            }
        }
        Ok(())
    }

    /// An `ArrayOfstring` member: items `string` in the Arrays namespace, nillable.
    pub fn string_list<S: AsRef<str>>(
        &mut self,
        local: &'static str,
        ns: &'static str,
        value: Option<&[Option<S>]>,
    ) -> Result<(), XmlError> {
        self.start(local, ns);
        self.type_ns(super::ARRAYS_NS);
        let Some(items) = value else {
            self.nil();
            return Ok(());
        };
        for (i, item) in items.iter().enumerate() {
            self.string(
                "string",
                super::ARRAYS_NS,
                item.as_ref().map(|s| s.as_ref()),
            )
            .map_err(|e| e.in_item(i).in_member(local))?;
        }
        self.end();
        Ok(())
    }

    /// A collection of enum values: items named after the enum, in its namespace.
    pub fn enum_list<E: DcsEnum>(
        &mut self,
        local: &'static str,
        ns: &'static str,
        value: Option<&[E]>,
    ) -> Result<(), XmlError> {
        self.start(local, ns);
        self.type_ns(E::ENUM_NS);
        let Some(items) = value else {
            self.nil();
            return Ok(());
        };
        for (i, item) in items.iter().enumerate() {
            self.scalar(E::ENUM_NAME, E::ENUM_NS, item)
                .map_err(|e| e.in_item(i).in_member(local))?;
        }
        self.end();
        Ok(())
    }

    /// A collection of a class: items named after the class, in its namespace, nillable.
    pub fn class_list<C: XmlClass>(
        &mut self,
        local: &'static str,
        ns: &'static str,
        value: Option<&[Option<C>]>,
    ) -> Result<(), XmlError> {
        self.start(local, ns);
        self.type_ns(C::NS);
        let Some(items) = value else {
            self.nil();
            return Ok(());
        };
        for (i, item) in items.iter().enumerate() {
            self.class(C::NAME, C::NS, item.as_ref())
                .map_err(|e| e.in_item(i).in_member(local))?;
        }
        self.end();
        Ok(())
    }
}

//! Reads DataContractSerializer XML, reporting what the real reader would silently drop.

use std::borrow::Cow;

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

use super::enums::DcsEnum;
use super::value::XmlScalar;
use super::{SERIALIZATION_NS, XSI_NS, XmlClass, XmlError, XmlErrorKind};

/// Limits on what [`XmlReader`] accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XmlLimits {
    /// Largest document, in bytes (default 64 MiB).
    pub max_bytes: usize,
    /// Deepest element nesting, the root being 1 (default 64).
    pub max_depth: usize,
}

impl Default for XmlLimits {
    fn default() -> Self {
        XmlLimits {
            max_bytes: 64 * 1024 * 1024,
            max_depth: 64,
        }
    }
}

/// One member of a class, as the wire names it: local name and the namespace of the class
/// that declares it. A class lists its members in wire order (base class first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Member {
    /// The element's local name.
    pub local: &'static str,
    /// The element's namespace.
    pub ns: &'static str,
}

/// An element whose content is about to be read.
#[derive(Debug)]
pub struct Elem<'i> {
    start: BytesStart<'i>,
    empty: bool,
    nil: bool,
}

impl Elem<'_> {
    /// The element's local name.
    pub fn local_name(&self) -> &str {
        self.start.local_name().into_inner()
    }

    /// `<X ... />`: no content.
    pub fn is_empty(&self) -> bool {
        self.empty
    }

    /// Carries `i:nil="true"`.
    pub fn is_nil(&self) -> bool {
        self.nil
    }
}

/// What [`XmlReader::next_member`] found.
#[derive(Debug)]
pub enum Next<'i> {
    /// The member at this index of the member list, whose content is to be read next.
    Member(usize, Elem<'i>),
    /// The end of the enclosing element.
    End,
}

/// A pull reader over one document (see [`XmlReader::read_document`]).
pub struct XmlReader<'i> {
    r: NsReader<&'i [u8]>,
    depth: usize,
    max_depth: usize,
}

fn syntax(e: impl std::fmt::Display) -> XmlError {
    XmlError::new(XmlErrorKind::Syntax, format!("malformed XML: {e}"))
}

fn is_space(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

impl<'i> XmlReader<'i> {
    /// Reads a whole document whose root must be `local` in `ns`; `read` reads the root's
    /// content. Refuses DOCTYPEs, non-UTF-8 input, content after the root and oversize or
    /// overdeep documents.
    pub fn read_document<T>(
        input: &'i [u8],
        limits: &XmlLimits,
        local: &'static str,
        ns: &'static str,
        read: impl FnOnce(&mut XmlReader<'i>, &Elem<'i>) -> Result<T, XmlError>,
    ) -> Result<T, XmlError> {
        if input.len() > limits.max_bytes {
            return Err(XmlError::new(
                XmlErrorKind::TooLarge,
                format!(
                    "document of {} bytes is over the limit of {} bytes",
                    input.len(),
                    limits.max_bytes
                ),
            ));
        }
        let body = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
        let text = std::str::from_utf8(body).map_err(|e| {
            XmlError::new(XmlErrorKind::Syntax, format!("not UTF-8: {e}"))
                .at_position(e.valid_up_to() as u64)
        })?;
        let mut r = NsReader::from_str(text);
        r.config_mut().check_end_names = true;
        r.config_mut().expand_empty_elements = false;
        let mut reader = XmlReader {
            r,
            depth: 0,
            max_depth: limits.max_depth,
        };
        let result = reader.document(local, ns, read);
        let pos = reader.r.buffer_position();
        result.map_err(|e| e.at_position(pos))
    }

    fn document<T>(
        &mut self,
        local: &'static str,
        ns: &'static str,
        read: impl FnOnce(&mut XmlReader<'i>, &Elem<'i>) -> Result<T, XmlError>,
    ) -> Result<T, XmlError> {
        let root = loop {
            match self.r.read_event().map_err(syntax)? {
                Event::Decl(d) => {
                    if let Some(enc) = d.encoding() {
                        let enc = enc.map_err(syntax)?;
                        if !enc.eq_ignore_ascii_case("utf-8") {
                            return Err(XmlError::new(
                                XmlErrorKind::Syntax,
                                format!(
                                    "encoding {} is not supported (UTF-8 only)",
                                    super::shown(&enc)
                                ),
                            ));
                        }
                    }
                }
                Event::Comment(_) | Event::PI(_) => {}
                Event::Text(t) if is_space(&t.xml10_content()) => {}
                Event::DocType(_) => {
                    return Err(XmlError::new(
                        XmlErrorKind::DocType,
                        "a DOCTYPE is not accepted (no DTDs, no entity declarations)",
                    ));
                }
                Event::Start(e) => break (e, false),
                Event::Empty(e) => break (e, true),
                Event::Eof => return Err(syntax("no root element")),
                _ => return Err(syntax("content before the root element")),
            }
        };
        let (start, empty) = root;
        {
            let (res, found_local) = self.r.resolver().resolve_element(start.name());
            let found_ns = match res {
                ResolveResult::Bound(n) => n.0,
                ResolveResult::Unbound => "",
                ResolveResult::Unknown(p) => {
                    return Err(XmlError::new(
                        XmlErrorKind::UndeclaredPrefix,
                        format!(
                            "undeclared prefix {}",
                            super::shown(&String::from_utf8_lossy(p.as_ref()))
                        ),
                    ));
                }
            };
            if found_local.as_ref() != local || found_ns != ns {
                return Err(XmlError::new(
                    XmlErrorKind::WrongRoot,
                    format!(
                        "root element is {{{}}}{}, expected {{{ns}}}{local}",
                        super::shown(found_ns),
                        super::shown(found_local.as_ref())
                    ),
                ));
            }
        }
        let nil = self.nil_attribute(&start)?;
        if nil {
            return Err(XmlError::new(
                XmlErrorKind::NilNotAllowed,
                "the root element is nil",
            ));
        }
        if !empty {
            self.enter()?;
        }
        let elem = Elem { start, empty, nil };
        let value = read(self, &elem).map_err(|e| e.in_member(local))?;
        loop {
            match self.r.read_event().map_err(syntax)? {
                Event::Eof => return Ok(value),
                Event::Comment(_) | Event::PI(_) => {}
                Event::Text(t) if is_space(&t.xml10_content()) => {}
                _ => return Err(syntax("content after the root element")),
            }
        }
    }

    fn enter(&mut self) -> Result<(), XmlError> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(XmlError::new(
                XmlErrorKind::TooDeep,
                format!("elements nest deeper than {}", self.max_depth),
            ));
        }
        Ok(())
    }

    /// Whether `start` carries `i:nil="true"`; refuses `i:type`, `z:Id`, `z:Ref`.
    fn nil_attribute(&self, start: &BytesStart<'_>) -> Result<bool, XmlError> {
        if is_space(start.attributes_raw()) {
            return Ok(false);
        }
        let mut nil = false;
        for attr in start.attributes() {
            let attr = attr.map_err(syntax)?;
            if attr.key.as_namespace_binding().is_some() {
                continue;
            }
            let (res, local) = self.r.resolver().resolve_attribute(attr.key);
            let ns = match res {
                ResolveResult::Bound(n) => n.0,
                ResolveResult::Unbound => continue,
                ResolveResult::Unknown(p) => {
                    return Err(XmlError::new(
                        XmlErrorKind::UndeclaredPrefix,
                        format!(
                            "undeclared attribute prefix {}",
                            super::shown(&String::from_utf8_lossy(p.as_ref()))
                        ),
                    ));
                }
            };
            if ns == XSI_NS && local.as_ref() == "nil" {
                let v = attr
                    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .map_err(syntax)?;
                nil = bool::parse_xml(&v).map_err(|m| {
                    XmlError::new(XmlErrorKind::InvalidValue, format!("i:nil: {m}"))
                })?;
            } else if (ns == XSI_NS && local.as_ref() == "type") || ns == SERIALIZATION_NS {
                return Err(XmlError::new(
                    XmlErrorKind::UnsupportedAttribute,
                    format!(
                        "attribute {} is not supported by these contracts",
                        super::shown(local.as_ref())
                    ),
                ));
            }
        }
        Ok(nil)
    }

    /// Reads to the next member element of the current class, or its end.
    ///
    /// `members` is the class's member list in wire order and `cursor` the index after the last
    /// member read. A member found later in the list skips the ones between (they keep their
    /// defaults, as in the real serializer). A known member found before the cursor (out of
    /// order, or repeated) or a known name in another namespace is an error: the real
    /// serializer would drop it silently. Unknown elements are skipped, as the real one does.
    pub fn next_member(
        &mut self,
        members: &[Member],
        cursor: &mut usize,
    ) -> Result<Next<'i>, XmlError> {
        loop {
            let (start, empty) = match self.content_event()? {
                Some(x) => x,
                None => return Ok(Next::End),
            };
            let found = {
                let (res, local) = self.r.resolver().resolve_element(start.name());
                let ns = resolved_ns(res)?;
                let local = local.as_ref();
                let from = (*cursor).min(members.len());
                match members[from..]
                    .iter()
                    .position(|m| m.local == local && m.ns == ns)
                {
                    Some(j) => Ok(Some(from + j)),
                    None => {
                        if let Some(m) = members[..from]
                            .iter()
                            .find(|m| m.local == local && m.ns == ns)
                        {
                            Err(XmlError::new(
                                XmlErrorKind::OutOfOrder,
                                format!(
                                    "member {} appears after its place (or twice); the real serializer would silently drop it",
                                    m.local
                                ),
                            ))
                        } else if let Some(m) = members.iter().find(|m| m.local == local) {
                            Err(XmlError::new(
                                XmlErrorKind::WrongNamespace,
                                format!(
                                    "member {} is in namespace {}, expected {}; the real serializer would silently drop it",
                                    m.local,
                                    super::shown(ns),
                                    m.ns
                                ),
                            ))
                        } else {
                            Ok(None)
                        }
                    }
                }
            }?;
            match found {
                Some(index) => {
                    *cursor = index + 1;
                    let nil = self.nil_attribute(&start)?;
                    if !empty {
                        self.enter()?;
                    }
                    return Ok(Next::Member(index, Elem { start, empty, nil }));
                }
                None => {
                    // Unknown element: skipped, as the real serializer skips it.
                    if !empty {
                        self.skip_open_element()?;
                    }
                }
            }
        }
    }

    /// Reads to the next collection item (`local` in `ns`), or the collection's end. Any other
    /// element is an error (the real serializer would silently drop it).
    fn next_item(
        &mut self,
        local: &'static str,
        ns: &'static str,
    ) -> Result<Option<Elem<'i>>, XmlError> {
        let Some((start, empty)) = self.content_event()? else {
            return Ok(None);
        };
        {
            let (res, found) = self.r.resolver().resolve_element(start.name());
            let found_ns = resolved_ns(res)?;
            if found.as_ref() != local || found_ns != ns {
                return Err(XmlError::new(
                    XmlErrorKind::WrongItem,
                    format!(
                        "collection item {{{}}}{} where {{{ns}}}{local} was expected; the real serializer would silently drop it",
                        super::shown(found_ns),
                        super::shown(found.as_ref())
                    ),
                ));
            }
        }
        let nil = self.nil_attribute(&start)?;
        if !empty {
            self.enter()?;
        }
        Ok(Some(Elem { start, empty, nil }))
    }

    /// The next child element of a class or collection, or `None` at its end.
    fn content_event(&mut self) -> Result<Option<(BytesStart<'i>, bool)>, XmlError> {
        loop {
            match self.r.read_event().map_err(syntax)? {
                Event::Start(e) => return Ok(Some((e, false))),
                Event::Empty(e) => return Ok(Some((e, true))),
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    return Ok(None);
                }
                Event::Text(t) if is_space(&t.xml10_content()) => {}
                Event::CData(c) if is_space(&c.xml10_content()) => {}
                Event::Comment(_) | Event::PI(_) => {}
                Event::DocType(_) => {
                    return Err(XmlError::new(
                        XmlErrorKind::DocType,
                        "a DOCTYPE inside the document",
                    ));
                }
                Event::Eof => return Err(syntax("unexpected end of document")),
                _ => {
                    return Err(XmlError::new(
                        XmlErrorKind::UnexpectedContent,
                        "text where member elements were expected",
                    ));
                }
            }
        }
    }

    /// Skips the rest of `elem`'s content.
    pub fn skip(&mut self, elem: &Elem<'i>) -> Result<(), XmlError> {
        if !elem.empty {
            // `elem` was entered when it was read: leave it too.
            self.depth = self.depth.saturating_sub(1);
            self.skip_open_element()?;
        }
        Ok(())
    }

    /// Skips to the end of the element whose start tag was just read (not counted in
    /// `depth`), enforcing the depth limit inside it and XML's character rules.
    fn skip_open_element(&mut self) -> Result<(), XmlError> {
        let mut nested = 1usize;
        if self.depth + nested > self.max_depth {
            return Err(XmlError::new(
                XmlErrorKind::TooDeep,
                format!("elements nest deeper than {}", self.max_depth),
            ));
        }
        loop {
            match self.r.read_event().map_err(syntax)? {
                Event::Start(_) => {
                    nested += 1;
                    if self.depth + nested > self.max_depth {
                        return Err(XmlError::new(
                            XmlErrorKind::TooDeep,
                            format!("elements nest deeper than {}", self.max_depth),
                        ));
                    }
                }
                Event::End(_) => {
                    nested -= 1;
                    if nested == 0 {
                        return Ok(());
                    }
                }
                Event::Text(t) => check_chars(&t.xml10_content())?,
                Event::CData(c) => check_chars(&c.xml10_content())?,
                Event::DocType(_) => {
                    return Err(XmlError::new(
                        XmlErrorKind::DocType,
                        "a DOCTYPE inside the document",
                    ));
                }
                Event::Eof => return Err(syntax("unexpected end of document")),
                _ => {}
            }
        }
    }

    /// The text content of `elem` (entities resolved, line ends normalized), to its end tag.
    pub fn text(&mut self, elem: &Elem<'i>) -> Result<Cow<'i, str>, XmlError> {
        if elem.empty {
            return Ok(Cow::Borrowed(""));
        }
        let mut acc: Option<Cow<'i, str>> = None;
        fn push<'a>(acc: &mut Option<Cow<'a, str>>, part: Cow<'a, str>) {
            match acc {
                None => *acc = Some(part),
                Some(a) => a.to_mut().push_str(&part),
            }
        }
        loop {
            match self.r.read_event().map_err(syntax)? {
                Event::Text(t) => {
                    let part = t.xml10_content();
                    check_chars(&part)?;
                    push(&mut acc, part);
                }
                Event::CData(c) => {
                    let part = c.xml10_content();
                    check_chars(&part)?;
                    push(&mut acc, part);
                }
                Event::GeneralRef(g) => {
                    let s: Cow<'i, str> = if g.is_char_ref() {
                        match g.resolve_char_ref().map_err(syntax)? {
                            Some(c) => Cow::Owned(c.to_string()),
                            None => return Err(syntax("invalid character reference")),
                        }
                    } else {
                        let name = g.into_inner();
                        match quick_xml::escape::resolve_predefined_entity(&name) {
                            Some(s) => Cow::Borrowed(s),
                            None => {
                                return Err(syntax(format!(
                                    "undeclared entity &{};",
                                    name.chars().take(32).collect::<String>()
                                )));
                            }
                        }
                    };
                    push(&mut acc, s);
                }
                Event::Comment(_) | Event::PI(_) => {}
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    return Ok(acc.unwrap_or(Cow::Borrowed("")));
                }
                Event::Eof => return Err(syntax("unexpected end of document")),
                _ => {
                    return Err(XmlError::new(
                        XmlErrorKind::UnexpectedContent,
                        "an element inside a simple value",
                    ));
                }
            }
        }
    }

    // ---- members, as generated code reads them ----

    /// A string member (nillable).
    pub fn string(&mut self, elem: Elem<'i>) -> Result<Option<String>, XmlError> {
        if elem.nil {
            self.skip(&elem)?;
            return Ok(None);
        }
        Ok(Some(self.text(&elem)?.into_owned()))
    }

    /// A value-type member: nil is refused, as the real serializer refuses it.
    pub fn scalar<T: XmlScalar>(&mut self, elem: Elem<'i>) -> Result<T, XmlError> {
        if elem.nil {
            return Err(XmlError::new(
                XmlErrorKind::NilNotAllowed,
                format!("i:nil on a {} member that cannot be null", T::XSD_TYPE),
            ));
        }
        let text = self.text(&elem)?;
        T::parse_xml(&text).map_err(|m| XmlError::new(XmlErrorKind::InvalidValue, m))
    }

    /// A nullable value-type member.
    pub fn opt_scalar<T: XmlScalar>(&mut self, elem: Elem<'i>) -> Result<Option<T>, XmlError> {
        if elem.nil {
            self.skip(&elem)?;
            return Ok(None);
        }
        self.scalar(elem).map(Some)
    }

    /// A class member.
    pub fn class<C: XmlClass>(&mut self, elem: Elem<'i>) -> Result<Option<C>, XmlError> {
        if elem.nil {
            self.skip(&elem)?;
            return Ok(None);
        }
        C::read_content(self, &elem).map(Some)
    }

    /// Reads a class's members with `read` until its end tag; a generated
    /// [`XmlClass::read_content`] is a call to this.
    pub fn members<C: Default>(
        &mut self,
        elem: &Elem<'i>,
        members: &[Member],
        read: impl FnMut(&mut XmlReader<'i>, &mut C, usize, Elem<'i>) -> Result<(), XmlError>,
    ) -> Result<C, XmlError> {
        self.members_from(elem, members, C::default(), read)
    }

    /// [`XmlReader::members`] starting from `value` instead of `C::default()`: a class whose
    /// `Default` holds documented defaults starts from .NET's zero values, which is what
    /// DataContractSerializer leaves in members the XML does not have.
    pub fn members_from<C>(
        &mut self,
        elem: &Elem<'i>,
        members: &[Member],
        mut value: C,
        mut read: impl FnMut(&mut XmlReader<'i>, &mut C, usize, Elem<'i>) -> Result<(), XmlError>,
    ) -> Result<C, XmlError> {
        if elem.empty {
            return Ok(value);
        }
        let mut cursor = 0;
        while let Next::Member(index, child) = self.next_member(members, &mut cursor)? {
            read(self, &mut value, index, child).map_err(|e| match members.get(index) {
                Some(m) => e.in_member(m.local),
                None => e,
            })?;
        }
        Ok(value)
    }

    fn list<T>(
        &mut self,
        elem: Elem<'i>,
        local: &'static str,
        ns: &'static str,
        mut item: impl FnMut(&mut XmlReader<'i>, Elem<'i>) -> Result<T, XmlError>,
    ) -> Result<Option<Vec<T>>, XmlError> {
        if elem.nil {
            self.skip(&elem)?;
            return Ok(None);
        }
        let mut out = Vec::new();
        if elem.empty {
            return Ok(Some(out));
        }
        while let Some(e) = self.next_item(local, ns)? {
            let i = out.len();
            out.push(item(self, e).map_err(|e| e.in_item(i))?);
        }
        Ok(Some(out))
    }

    /// An `ArrayOfstring` member.
    pub fn string_list(&mut self, elem: Elem<'i>) -> Result<Option<Vec<Option<String>>>, XmlError> {
        self.list(elem, "string", super::ARRAYS_NS, |r, e| r.string(e))
    }

    /// A collection of enum values.
    pub fn enum_list<E: DcsEnum>(&mut self, elem: Elem<'i>) -> Result<Option<Vec<E>>, XmlError> {
        self.list(elem, E::ENUM_NAME, E::ENUM_NS, |r, e| r.scalar::<E>(e))
    }

    /// A collection of a class (items nillable).
    pub fn class_list<C: XmlClass>(
        &mut self,
        elem: Elem<'i>,
    ) -> Result<Option<Vec<Option<C>>>, XmlError> {
        self.list(elem, C::NAME, C::NS, |r, e| r.class::<C>(e))
    }
}

/// Refuses characters XML 1.0 does not allow as raw text (the real reader refuses them; a
/// character reference such as `&#x1;` is resolved separately and accepted, as it accepts it).
fn check_chars(text: &str) -> Result<(), XmlError> {
    let bad = text
        .bytes()
        .any(|b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
        || (text.as_bytes().contains(&0xEF) && text.contains(['\u{FFFE}', '\u{FFFF}']));
    if bad {
        return Err(XmlError::new(
            XmlErrorKind::Syntax,
            "a character XML 1.0 does not allow in text",
        ));
    }
    Ok(())
}

fn resolved_ns<'a>(res: ResolveResult<'a>) -> Result<&'a str, XmlError> {
    match res {
        ResolveResult::Bound(n) => Ok(n.0),
        ResolveResult::Unbound => Ok(""),
        ResolveResult::Unknown(p) => Err(XmlError::new(
            XmlErrorKind::UndeclaredPrefix,
            format!(
                "undeclared prefix {}",
                super::shown(&String::from_utf8_lossy(p.as_ref()))
            ),
        )),
    }
}

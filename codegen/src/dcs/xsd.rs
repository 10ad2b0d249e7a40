//! Reads DataContract XSDs (the dialect of .NET's `XsdDataContractExporter`) into a model.
//!
//! Accepted: one schema per namespace; `complexType` with a `sequence` of `minOccurs="0"`
//! elements, optionally inside `complexContent/extension` (inheritance); `ArrayOf...` types
//! (one `maxOccurs="unbounded"` element); enums as `xs:string` restrictions with optional
//! `EnumerationValue` annotations; member appinfo `DefaultValue EmitDefaultValue="false"` and
//! `payspec:Sensitive`. Member types: `xs:string`, `xs:int`, `xs:decimal`, `xs:dateTime`,
//! `xs:boolean`, enums, classes and collections. Anything else is refused with the schema
//! file and type named, so the generated code never guesses.

use crate::model::{ArrayType, Class, Contracts, EnumType, MemberDef, QName, TypeRef};

const XS: &str = "http://www.w3.org/2001/XMLSchema";
const SER: &str = "http://schemas.microsoft.com/2003/10/Serialization/";
const PAYSPEC: &str = "urn:payspec";

fn doc_of(node: roxmltree::Node<'_, '_>) -> Option<String> {
    let ann = node
        .children()
        .find(|c| c.has_tag_name((XS, "annotation")))?;
    let d = ann
        .children()
        .find(|c| c.has_tag_name((XS, "documentation")))?;
    let text = d.text().unwrap_or("").trim().to_string();
    (!text.is_empty()).then_some(text)
}

fn appinfo<'a, 'i>(node: roxmltree::Node<'a, 'i>) -> Vec<roxmltree::Node<'a, 'i>> {
    node.children()
        .filter(|c| c.has_tag_name((XS, "annotation")))
        .flat_map(|a| a.children().filter(|c| c.has_tag_name((XS, "appinfo"))))
        .flat_map(|a| a.children().filter(|c| c.is_element()))
        .collect()
}

fn resolve(node: roxmltree::Node<'_, '_>, qname: &str) -> Result<QName, String> {
    let (prefix, local) = qname.split_once(':').unwrap_or(("", qname));
    let ns = node
        .lookup_namespace_uri(if prefix.is_empty() {
            None
        } else {
            Some(prefix)
        })
        .ok_or_else(|| format!("undeclared prefix in {qname:?}"))?;
    Ok((ns.to_string(), local.to_string()))
}

fn elements<'a, 'i>(
    node: roxmltree::Node<'a, 'i>,
) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> {
    node.children().filter(|c| c.is_element())
}

/// A problem in one XSD: which file, which line, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XsdError {
    /// The file stem (`Transaction` for `Transaction.xsd`); `None` when the problem is between
    /// files (a reference to a type no file declares).
    pub stem: Option<String>,
    /// The line (1-based), when the problem is in one place.
    pub line: Option<u32>,
    /// The column (1-based) on that line.
    pub column: Option<u32>,
    /// What is wrong.
    pub message: String,
}

/// A problem found inside one schema item, with the byte offset of the node it is about when
/// that is more precise than the item itself.
struct Located {
    at: Option<usize>,
    message: String,
}

impl From<String> for Located {
    fn from(message: String) -> Self {
        Located { at: None, message }
    }
}

impl From<&str> for Located {
    fn from(message: &str) -> Self {
        Located::from(message.to_string())
    }
}

/// A problem about node `n`.
fn at(n: roxmltree::Node<'_, '_>, message: String) -> Located {
    Located {
        at: Some(n.range().start),
        message,
    }
}

/// Parses schemas given as (file stem, text).
pub fn parse(files: &[(String, String)]) -> Result<Contracts, XsdError> {
    let mut out = Contracts::default();
    // Pass 1: namespaces and type names.
    let mut docs = Vec::new();
    for (stem, text) in files {
        let doc = roxmltree::Document::parse(text).map_err(|e| XsdError {
            stem: Some(stem.clone()),
            line: Some(e.pos().row),
            column: Some(e.pos().col),
            message: e.to_string(),
        })?;
        docs.push((stem.clone(), doc));
    }
    for (stem, doc) in &docs {
        let schema = doc.root_element();
        let tns = schema
            .attribute("targetNamespace")
            .unwrap_or("")
            .to_string();
        if tns == SER {
            continue;
        }
        if schema.attribute("elementFormDefault") != Some("qualified") {
            return Err(XsdError {
                stem: Some(stem.clone()),
                line: Some(doc.text_pos_at(schema.range().start).row),
                column: Some(doc.text_pos_at(schema.range().start).col),
                message: "elementFormDefault must be \"qualified\"".into(),
            });
        }
        if let Some(other) = out.areas.insert(tns.clone(), stem.clone()) {
            return Err(XsdError {
                stem: Some(stem.clone()),
                line: Some(doc.text_pos_at(schema.range().start).row),
                column: Some(doc.text_pos_at(schema.range().start).col),
                message: format!(
                    "targetNamespace {tns} is also the namespace of {other}.xsd: the exporter writes one schema per namespace"
                ),
            });
        }
    }
    for (stem, doc) in &docs {
        let schema = doc.root_element();
        let tns = schema
            .attribute("targetNamespace")
            .unwrap_or("")
            .to_string();
        if tns == SER {
            continue;
        }
        check_global_elements(doc).map_err(|(at, message)| XsdError {
            stem: Some(stem.clone()),
            line: Some(doc.text_pos_at(at).row),
            column: Some(doc.text_pos_at(at).col),
            message,
        })?;
        for node in elements(schema) {
            let name = node.attribute("name").unwrap_or("").to_string();
            let fail = |l: Located| XsdError {
                stem: Some(stem.clone()),
                line: Some(doc.text_pos_at(l.at.unwrap_or(node.range().start)).row),
                column: Some(doc.text_pos_at(l.at.unwrap_or(node.range().start)).col),
                message: format!("{name}: {}", l.message),
            };
            if node.has_tag_name((XS, "complexType")) {
                parse_complex(&mut out, stem, &tns, &name, node).map_err(fail)?;
            } else if node.has_tag_name((XS, "simpleType")) {
                let e = parse_enum(stem, &tns, &name, node).map_err(|m| fail(m.into()))?;
                out.enums.insert((tns.clone(), name), e);
            } else if node.has_tag_name((XS, "element")) || node.has_tag_name((XS, "import")) {
                // Global elements mirror the types; imports are resolved by namespace.
            } else {
                return Err(fail(
                    format!("unsupported schema item <{}>", node.tag_name().name()).into(),
                ));
            }
        }
    }
    check_references(&out).map_err(|message| XsdError {
        stem: None,
        line: None,
        column: None,
        message,
    })?;
    Ok(out)
}

fn parse_complex(
    out: &mut Contracts,
    stem: &str,
    tns: &str,
    name: &str,
    node: roxmltree::Node<'_, '_>,
) -> Result<(), Located> {
    let doc = doc_of(node);
    let mut base = None;
    let mut seq = None;
    for c in elements(node) {
        if c.has_tag_name((XS, "sequence")) {
            seq = Some(c);
        } else if c.has_tag_name((XS, "complexContent")) {
            let ext = elements(c)
                .find(|e| e.has_tag_name((XS, "extension")))
                .ok_or("complexContent without extension")?;
            base = Some(resolve(
                ext,
                ext.attribute("base").ok_or("extension without base")?,
            )?);
            seq = elements(ext).find(|e| e.has_tag_name((XS, "sequence")));
        } else if !c.has_tag_name((XS, "annotation")) {
            return Err(at(
                c,
                format!("unsupported <{}> in a complexType", c.tag_name().name()),
            ));
        }
    }
    let items: Vec<_> = seq.map(|s| elements(s).collect()).unwrap_or_default();
    if let Some(i) = items.iter().find(|i| !i.has_tag_name((XS, "element"))) {
        return Err(at(
            *i,
            format!("unsupported <{}> in a sequence", i.tag_name().name()),
        ));
    }
    // A collection: one unbounded element.
    if base.is_none() && items.len() == 1 && items[0].attribute("maxOccurs") == Some("unbounded") {
        let item = items[0];
        let item_name = item
            .attribute("name")
            .ok_or("item without name")?
            .to_string();
        let ty = member_type(item)?;
        if !matches!(ty, TypeRef::String | TypeRef::Enum(_) | TypeRef::Class(_)) {
            return Err(format!("collection items of type {ty:?} are not supported").into());
        }
        out.arrays.insert(
            (tns.to_string(), name.to_string()),
            ArrayType {
                ns: tns.to_string(),
                item_name,
                item: ty,
                item_nillable: items[0].attribute("nillable") == Some("true"),
            },
        );
        return Ok(());
    }
    let mut members: Vec<MemberDef> = Vec::new();
    for m in items {
        let mname = m
            .attribute("name")
            .ok_or_else(|| at(m, "member without name".into()))?
            .to_string();
        let fail = |what: String| at(m, format!("member {mname}: {what}"));
        if let Some(prev) = members.last()
            && mname.encode_utf16().cmp(prev.name.encode_utf16()) != std::cmp::Ordering::Greater
        {
            return Err(fail(format!(
                "comes after {}, but DataContractSerializer writes a class's own members in ordinal order ({mname} before {}); explicit member order is not supported, so list the members in that order",
                prev.name, prev.name
            )));
        }
        if m.attribute("minOccurs") != Some("0") {
            return Err(fail("minOccurs must be \"0\"".into()));
        }
        if m.attribute("maxOccurs").is_some() {
            return Err(fail("maxOccurs is only for collection types".into()));
        }
        let ty = member_type(m).map_err(fail)?;
        let nillable = m.attribute("nillable") == Some("true");
        let mut omit_null = false;
        let mut sensitive = false;
        let mut default = None;
        for info in appinfo(m) {
            if info.has_tag_name((SER, "DefaultValue")) {
                omit_null = info.attribute("EmitDefaultValue") == Some("false");
            } else if info.has_tag_name((PAYSPEC, "Sensitive")) {
                sensitive = info.text().map(str::trim) == Some("true");
            } else if info.has_tag_name((PAYSPEC, "Default")) {
                let text = info.text().unwrap_or_default().trim().to_string();
                let ok = match &ty {
                    TypeRef::Bool => text == "true" || text == "false",
                    TypeRef::Int => text.parse::<i32>().is_ok(),
                    TypeRef::Decimal => decimal_parts(&text).is_some(),
                    _ => false,
                };
                if nillable || !ok {
                    return Err(at(
                        info,
                        format!(
                            "member {mname}: payspec:Default {text:?} is not a value of this member (supported on non-nillable xs:boolean, xs:int and xs:decimal members)"
                        ),
                    ));
                }
                default = Some(text);
            } else {
                return Err(at(
                    info,
                    format!(
                        "member {mname}: unsupported appinfo <{}>",
                        info.tag_name().name()
                    ),
                ));
            }
        }
        if omit_null && !nillable {
            return Err(fail(
                "EmitDefaultValue=false is supported on nillable members only".into(),
            ));
        }
        members.push(MemberDef {
            line: m.document().text_pos_at(m.range().start).row,
            name: mname,
            ns: tns.to_string(),
            ty,
            nillable,
            omit_null,
            sensitive,
            default,
            doc: doc_of(m),
        });
    }
    out.classes.insert(
        (tns.to_string(), name.to_string()),
        Class {
            area: stem.to_string(),
            name: name.to_string(),
            ns: tns.to_string(),
            doc,
            base,
            members,
        },
    );
    Ok(())
}

/// The mantissa and scale of an `xs:decimal` literal (`-12.50` → (-1250, 2)).
pub(crate) fn decimal_parts(text: &str) -> Option<(i128, u32)> {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole
            .chars()
            .chain(fraction.chars())
            .all(|c| c.is_ascii_digit())
        || whole.len() + fraction.len() > 28
    {
        return None;
    }
    let mantissa: i128 = format!("{whole}{fraction}").parse().ok()?;
    Some((
        if neg { -mantissa } else { mantissa },
        fraction.len() as u32,
    ))
}

fn member_type(m: roxmltree::Node<'_, '_>) -> Result<TypeRef, String> {
    let ty = m.attribute("type").ok_or("element without type")?;
    let (ns, local) = resolve(m, ty)?;
    if ns == XS {
        return match local.as_str() {
            "string" => Ok(TypeRef::String),
            "int" => Ok(TypeRef::Int),
            "decimal" => Ok(TypeRef::Decimal),
            "dateTime" => Ok(TypeRef::DateTime),
            "boolean" => Ok(TypeRef::Bool),
            other => Err(format!("xs:{other} is not supported")),
        };
    }
    // Classified once every schema is read (see `classify`).
    Ok(TypeRef::Class((ns, local)))
}

fn parse_enum(
    stem: &str,
    tns: &str,
    name: &str,
    node: roxmltree::Node<'_, '_>,
) -> Result<EnumType, String> {
    let r = elements(node)
        .find(|c| c.has_tag_name((XS, "restriction")))
        .ok_or("simpleType without restriction")?;
    if resolve(r, r.attribute("base").unwrap_or(""))? != (XS.to_string(), "string".to_string()) {
        return Err("only xs:string enumerations are supported".into());
    }
    let mut values = Vec::new();
    for (pos, e) in elements(r)
        .filter(|c| c.has_tag_name((XS, "enumeration")))
        .enumerate()
    {
        let vname = e
            .attribute("value")
            .ok_or("enumeration without value")?
            .to_string();
        let position = i32::try_from(pos).map_err(|_| "too many values")?;
        let mut value = position;
        for info in appinfo(e) {
            if info.has_tag_name((SER, "EnumerationValue")) {
                value = info
                    .text()
                    .unwrap_or("")
                    .trim()
                    .parse()
                    .map_err(|_| format!("{vname}: EnumerationValue is not an int"))?;
                if value == position {
                    return Err(format!(
                        "{vname}: EnumerationValue {value} is its position; the exporter writes EnumerationValue only where a value is not its position, so remove it"
                    ));
                }
            }
        }
        values.push((vname, value, doc_of(e)));
    }
    if values.is_empty() {
        return Err("an enum needs at least one value".into());
    }
    Ok(EnumType {
        area: stem.to_string(),
        name: name.to_string(),
        ns: tns.to_string(),
        doc: doc_of(node),
        values,
    })
}

/// The exporter writes, after every type, a global element of the same name:
/// `<xs:element name="X" nillable="true" type="tns:X" />`. Each type needs one and each global
/// element names its own type.
fn check_global_elements(doc: &roxmltree::Document<'_>) -> Result<(), (usize, String)> {
    let schema = doc.root_element();
    let tns = schema.attribute("targetNamespace").unwrap_or("");
    let types: Vec<roxmltree::Node<'_, '_>> = elements(schema)
        .filter(|n| n.has_tag_name((XS, "complexType")) || n.has_tag_name((XS, "simpleType")))
        .collect();
    let globals: Vec<roxmltree::Node<'_, '_>> = elements(schema)
        .filter(|n| n.has_tag_name((XS, "element")))
        .collect();
    for g in &globals {
        let name = g.attribute("name").unwrap_or("");
        let ty = g
            .attribute("type")
            .map(|t| resolve(*g, t))
            .transpose()
            .map_err(|e| (g.range().start, e))?;
        let own = ty
            .as_ref()
            .is_some_and(|(ns, local)| ns == tns && local == name);
        if !own || g.attribute("nillable") != Some("true") {
            return Err((
                g.range().start,
                format!(
                    "global element {name}: the exporter writes <xs:element name=\"{name}\" nillable=\"true\" type=\"tns:{name}\" /> after the type {name}"
                ),
            ));
        }
    }
    for t in &types {
        let name = t.attribute("name").unwrap_or("");
        if !globals.iter().any(|g| g.attribute("name") == Some(name)) {
            return Err((
                t.range().start,
                format!(
                    "{name}: no global element <xs:element name=\"{name}\" nillable=\"true\" type=\"tns:{name}\" /> (the exporter writes one after every type)"
                ),
            ));
        }
    }
    Ok(())
}

/// Turns provisional `Class` references into `Enum` / `Array` / `Class` and checks that every
/// referenced type exists and every base is a class.
fn check_references(out: &Contracts) -> Result<(), String> {
    for c in out.classes.values() {
        if let Some(b) = &c.base
            && !out.classes.contains_key(b)
        {
            return Err(format!(
                "{}: base {{{}}}{} is not a class",
                c.name, b.0, b.1
            ));
        }
    }
    Ok(())
}

impl Contracts {
    /// Resolves every member and item type in place (call once after [`parse`]).
    pub fn resolve_types(&mut self) -> Result<(), XsdError> {
        let snapshot_enums: Vec<QName> = self.enums.keys().cloned().collect();
        let snapshot_arrays: Vec<QName> = self.arrays.keys().cloned().collect();
        let snapshot_classes: Vec<QName> = self.classes.keys().cloned().collect();
        let snapshot_string_arrays: Vec<QName> = self
            .arrays
            .iter()
            .filter(|(_, a)| a.item == TypeRef::String)
            .map(|(q, _)| q.clone())
            .collect();
        let classify = |ty: &TypeRef| -> Result<TypeRef, String> {
            match ty {
                TypeRef::Class(q) => {
                    if snapshot_enums.contains(q) {
                        Ok(TypeRef::Enum(q.clone()))
                    } else if snapshot_arrays.contains(q) {
                        Ok(TypeRef::Array(q.clone()))
                    } else if snapshot_classes.contains(q) {
                        Ok(TypeRef::Class(q.clone()))
                    } else {
                        Err(format!("unknown type {{{}}}{}", q.0, q.1))
                    }
                }
                other => Ok(other.clone()),
            }
        };
        for c in self.classes.values_mut() {
            for m in &mut c.members {
                let fail = |e: String| XsdError {
                    stem: Some(c.area.clone()),
                    line: Some(m.line),
                    column: None,
                    message: format!("{}: member {}: {e}", c.name, m.name),
                };
                m.ty = classify(&m.ty).map_err(fail)?;
                let ok = match &m.ty {
                    TypeRef::String | TypeRef::Class(_) | TypeRef::Array(_) => m.nillable,
                    _ => true,
                };
                let string_array = match &m.ty {
                    TypeRef::Array(q) => snapshot_string_arrays.contains(q),
                    _ => false,
                };
                if m.sensitive && !(m.ty == TypeRef::String || string_array) {
                    return Err(fail(
                        "only strings and string collections can be marked sensitive".into(),
                    ));
                }
                if !ok {
                    return Err(fail(
                        "strings, classes and collections must be nillable=\"true\": the exporter writes every reference type so, and without it the importer makes null unwritable"
                            .into(),
                    ));
                }
            }
        }
        let areas = self.areas.clone();
        for (q, a) in self.arrays.iter_mut() {
            let fail = |message: String| XsdError {
                stem: areas.get(&q.0).cloned(),
                line: None,
                column: None,
                message: format!("{}: {message}", q.1),
            };
            a.item = classify(&a.item).map_err(fail)?;
            if matches!(a.item, TypeRef::Array(_)) {
                return Err(fail("collections of collections are not supported".into()));
            }
        }
        Ok(())
    }
}

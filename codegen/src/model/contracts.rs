//! The contracts of a DataContract provider, as its XSDs declare them: classes with their
//! members in wire order, collections and enums, each with its namespace. The DataContract front
//! end (`dcs/xsd.rs`) fills them; the DataContract emitters read them.

use std::collections::BTreeMap;

/// A qualified type name: namespace and local name.
pub type QName = (String, String);

/// Every type of a set of schemas.
#[derive(Debug, Clone, Default)]
pub struct Contracts {
    /// Classes (not collections), keyed by qualified name.
    pub classes: BTreeMap<QName, Class>,
    /// Collection types (`ArrayOf...`), keyed by qualified name.
    pub arrays: BTreeMap<QName, ArrayType>,
    /// Enums, keyed by qualified name.
    pub enums: BTreeMap<QName, EnumType>,
    /// Area name of each namespace (the schema file stem).
    pub areas: BTreeMap<String, String>,
}

/// A DataContract class.
#[derive(Debug, Clone)]
pub struct Class {
    /// The schema file stem (PaymentToken, CreditCard, DataContracts, ...).
    pub area: String,
    /// The contract name.
    pub name: String,
    /// The contract namespace.
    pub ns: String,
    /// `xs:documentation`.
    pub doc: Option<String>,
    /// The base class.
    pub base: Option<QName>,
    /// Members declared by this class (not inherited), in wire order.
    pub members: Vec<MemberDef>,
}

/// A member as a class declares it.
#[derive(Debug, Clone)]
pub struct MemberDef {
    /// The element name (also the JSON key).
    pub name: String,
    /// The declaring class's namespace (the element's namespace on the wire).
    pub ns: String,
    /// Its type.
    pub ty: TypeRef,
    /// `nillable="true"`: the member can be null.
    pub nillable: bool,
    /// `EmitDefaultValue="false"`: a null value is left out instead of written as nil.
    pub omit_null: bool,
    /// Marked `payspec:Sensitive`.
    pub sensitive: bool,
    /// `xs:documentation`.
    pub doc: Option<String>,
    /// `payspec:Default`: the value the provider documents when the member is left out (the
    /// type's `Default` and JSON without the member give it; XML without it reads as .NET's
    /// zero value, as DataContractSerializer does).
    pub default: Option<String>,
    /// The line of its `xs:element` in its XSD, for messages.
    pub line: u32,
}

/// A member type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeRef {
    /// `xs:string`
    String,
    /// `xs:int`
    Int,
    /// `xs:decimal`
    Decimal,
    /// `xs:dateTime`
    DateTime,
    /// `xs:boolean`
    Bool,
    /// An enum.
    Enum(QName),
    /// A class.
    Class(QName),
    /// A collection.
    Array(QName),
}

/// A collection type.
#[derive(Debug, Clone)]
pub struct ArrayType {
    /// The collection's namespace.
    pub ns: String,
    /// The item element name.
    pub item_name: String,
    /// The item type: `String`, `Enum` or `Class`.
    pub item: TypeRef,
    /// Items can be nil.
    pub item_nillable: bool,
}

/// An enum.
#[derive(Debug, Clone)]
pub struct EnumType {
    /// The schema file stem.
    pub area: String,
    /// The contract name.
    pub name: String,
    /// The contract namespace.
    pub ns: String,
    /// `xs:documentation`.
    pub doc: Option<String>,
    /// Members: name, integer value, documentation.
    pub values: Vec<(String, i32, Option<String>)>,
}

impl Contracts {
    /// Members of a class in wire order: the deepest base's first.
    pub fn all_members(&self, class: &Class) -> Vec<MemberDef> {
        let mut chain = vec![class];
        let mut cur = class;
        while let Some(b) = &cur.base {
            match self.classes.get(b) {
                Some(bc) => {
                    chain.push(bc);
                    cur = bc;
                }
                None => break,
            }
        }
        chain
            .iter()
            .rev()
            .flat_map(|c| c.members.iter().cloned())
            .collect()
    }
}

//! Where things are written in a spec: the line of every JSON pointer of a YAML (or JSON)
//! document, so that an error found in the parsed document can name the line to edit.

use std::collections::BTreeMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// `key` escaped as one JSON pointer token (RFC 6901: `~` → `~0`, `/` → `~1`).
pub fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Visits every object of `v` with its JSON pointer, parents before children.
pub fn walk_objects(
    v: &serde_json::Value,
    visit: &mut impl FnMut(&str, &serde_json::Map<String, serde_json::Value>),
) {
    fn go(
        v: &serde_json::Value,
        pointer: &mut String,
        visit: &mut impl FnMut(&str, &serde_json::Map<String, serde_json::Value>),
    ) {
        let children: Box<dyn Iterator<Item = (String, &serde_json::Value)>> = match v {
            serde_json::Value::Object(map) => {
                visit(pointer, map);
                Box::new(map.iter().map(|(k, c)| (escape_pointer(k), c)))
            }
            serde_json::Value::Array(items) => {
                Box::new(items.iter().enumerate().map(|(i, c)| (i.to_string(), c)))
            }
            _ => return,
        };
        for (token, child) in children {
            let len = pointer.len();
            pointer.push('/');
            pointer.push_str(&token);
            go(child, pointer, visit);
            pointer.truncate(len);
        }
    }
    go(v, &mut String::new(), visit);
}

/// The lines of a document's nodes, by JSON pointer (RFC 6901).
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    lines: BTreeMap<String, (usize, usize)>,
}

impl SourceMap {
    /// Reads the positions of `text`'s nodes. A document the YAML parser refuses gives an empty
    /// map (serde_yaml reports the syntax error itself, with its line).
    pub fn of_yaml(text: &str) -> SourceMap {
        let mut receiver = Receiver {
            stack: Vec::new(),
            lines: BTreeMap::new(),
        };
        let mut parser = Parser::new_from_str(text);
        if parser.load(&mut receiver, false).is_err() {
            return SourceMap::default();
        }
        SourceMap {
            lines: receiver.lines,
        }
    }

    /// The line (1-based) where `pointer` is written, or, when it names something the document
    /// does not have (a member that is missing), the line of its nearest written ancestor.
    pub fn line(&self, pointer: &str) -> Option<usize> {
        self.position(pointer).map(|(line, _)| line)
    }

    /// The line and column (both 1-based) where `pointer` is written, or those of its nearest
    /// written ancestor.
    pub fn position(&self, pointer: &str) -> Option<(usize, usize)> {
        let mut p = pointer;
        loop {
            if let Some(at) = self.lines.get(p) {
                return Some(*at);
            }
            let cut = p.rfind('/')?;
            p = &p[..cut];
        }
    }
}

/// A container being read, with the pointer it lives at.
enum Frame {
    Mapping {
        pointer: String,
        key: Option<String>,
    },
    Sequence {
        pointer: String,
        index: usize,
    },
}

struct Receiver {
    stack: Vec<Frame>,
    lines: BTreeMap<String, (usize, usize)>,
}

/// The 1-based line and column of a parser mark.
fn position(mark: Marker) -> (usize, usize) {
    (mark.line(), mark.col() + 1)
}

impl Receiver {
    /// The pointer of the node that starts now, recording keys and items as they appear; `None`
    /// when the event is a mapping key (recorded, not a node of its own).
    fn node_pointer(&mut self, ev: &Event, mark: Marker) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Sequence { pointer, index }) => {
                let p = format!("{pointer}/{index}");
                *index += 1;
                self.lines.entry(p.clone()).or_insert(position(mark));
                Some(p)
            }
            Some(Frame::Mapping { pointer, key }) => match key.take() {
                Some(k) => Some(format!("{pointer}/{}", escape_pointer(&k))),
                None => {
                    let k = match ev {
                        Event::Scalar(v, ..) => v.clone(),
                        _ => String::from("?"),
                    };
                    let p = format!("{pointer}/{}", escape_pointer(&k));
                    self.lines.entry(p).or_insert(position(mark));
                    *key = Some(k);
                    None
                }
            },
        }
    }
}

impl MarkedEventReceiver for Receiver {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let Some(pointer) = self.node_pointer(&ev, mark) else {
                    // A complex key: its contents are not addressable by a pointer.
                    self.stack.push(Frame::Sequence {
                        pointer: String::from("/?"),
                        index: 0,
                    });
                    return;
                };
                self.lines.entry(pointer.clone()).or_insert(position(mark));
                self.stack.push(if matches!(ev, Event::MappingStart(..)) {
                    Frame::Mapping { pointer, key: None }
                } else {
                    Frame::Sequence { pointer, index: 0 }
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            Event::Scalar(..) | Event::Alias(..) => {
                if let Some(pointer) = self.node_pointer(&ev, mark) {
                    self.lines.entry(pointer).or_insert(position(mark));
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "\
openapi: 3.0.3
info:
  title: Acme
paths:
  /orders/{id}:
    get:
      operationId: getOrder
      parameters:
        - name: id
          in: path
        - {name: expand, in: query}
components:
  schemas:
    Order: {type: object, properties: {id: {type: string}}}
";

    #[test]
    fn pointers_map_to_the_lines_they_are_written_on() {
        let m = SourceMap::of_yaml(DOC);
        assert_eq!(m.line(""), Some(1));
        assert_eq!(m.line("/info/title"), Some(3));
        assert_eq!(m.line("/paths/~1orders~1{id}"), Some(5));
        assert_eq!(m.line("/paths/~1orders~1{id}/get/operationId"), Some(7));
        assert_eq!(m.line("/paths/~1orders~1{id}/get/parameters/0"), Some(9));
        assert_eq!(
            m.line("/paths/~1orders~1{id}/get/parameters/1/in"),
            Some(11)
        );
        assert_eq!(
            m.line("/components/schemas/Order/properties/id/type"),
            Some(14)
        );
    }

    #[test]
    fn columns_count_from_one() {
        let m = SourceMap::of_yaml(DOC);
        assert_eq!(m.position("/info/title"), Some((3, 3)));
        assert_eq!(
            m.position("/paths/~1orders~1{id}/get/parameters/1/in"),
            Some((11, 26))
        );
    }

    #[test]
    fn a_missing_member_gets_its_nearest_ancestor() {
        let m = SourceMap::of_yaml(DOC);
        assert_eq!(m.line("/paths/~1orders~1{id}/get/responses/200"), Some(6));
        assert_eq!(m.line("/nowhere"), Some(1));
    }

    #[test]
    fn json_documents_have_lines_too() {
        let m = SourceMap::of_yaml("{\n  \"a\": {\n    \"b\": [1,\n      2]\n  }\n}\n");
        assert_eq!(m.line("/a/b/1"), Some(4));
    }
}

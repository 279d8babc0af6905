//! Input documents to the model: shape detection, extraction and linking.
//!
//! Every shape of spec section 5 is read here and nowhere else. Keys are matched
//! case-insensitively. A field Azure would reject becomes an AML-INP-004 issue and an
//! "uncertain" value in the model; an unresolved template expression becomes AML-INP-005.

mod extract;
pub mod template;
mod terraform;
pub mod wire;
pub use terraform::AFTER_APPLY;

/// The value the template evaluator gives `resourceGroup().location` and
/// `deployment().location`. It stays a string while expressions compute with it
/// (`concat('Storage.', location)`); reading turns it into `Region::Deployment`
/// (`net::Region::read`, `net::Address::parse`), and nothing after reading compares it.
pub const DEPLOYMENT_REGION: &str = "$region";

use crate::json::{self, Node, Value};
use crate::model::{DocumentInfo, InputIssue, Loc, Model, Shape};

/// One input document: a file name and its text.
#[derive(Clone, Debug)]
pub struct Document {
    pub name: String,
    pub text: String,
}

impl Document {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Document {
        Document { name: name.into(), text: text.into() }
    }
}

/// A document's bytes as text: UTF-8 (with or without a byte-order mark), or UTF-16
/// with its byte-order mark (what Windows PowerShell's `Out-File` writes).
pub fn decode(bytes: Vec<u8>) -> Result<String, String> {
    let utf16 = |rest: &[u8], little: bool| -> Result<String, String> {
        if rest.len() % 2 != 0 {
            return Err("UTF-16 text with an odd number of bytes".into());
        }
        let units = rest.chunks_exact(2).map(|p| match p {
            [a, b] if little => u16::from_le_bytes([*a, *b]),
            [a, b] => u16::from_be_bytes([*a, *b]),
            _ => 0,
        });
        Ok(char::decode_utf16(units).map(|c| c.unwrap_or('\u{FFFD}')).collect())
    };
    match bytes.as_slice() {
        [0xFF, 0xFE, rest @ ..] => utf16(rest, true),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, false),
        _ => String::from_utf8(bytes)
            .map_err(|e| format!("not UTF-8 text (byte {}); save it as UTF-8 or UTF-16 with a byte-order mark", e.utf8_error().valid_up_to())),
    }
}

/// Reads every document into one model and links its resources.
pub fn read(documents: &[Document]) -> Model {
    read_with(documents, &[])
}

/// `read`, with what some documents (templates, Terraform documents) read as made elsewhere
/// (by index; `wire::prepare`'s bytes): the page's, which has no template evaluation or
/// Terraform translation of its own. Bytes that don't decode count as none.
pub fn read_with(documents: &[Document], translations: &[Option<&[u8]>]) -> Model {
    let mut model = Model::default();
    let mut parsed: Vec<Option<Node>> = Vec::new();
    for (index, doc) in documents.iter().enumerate() {
        let mut info = DocumentInfo { name: doc.name.clone(), ..DocumentInfo::default() };
        match json::parse_document(&doc.text) {
            Ok(parsed_doc) => {
                for (key, pos) in &parsed_doc.duplicates {
                    model.issues.push(InputIssue {
                        kind: crate::model::Diagnostic::InvalidJson,
                        message: format!(
                            "{}:{}:{}: member `{key}` is given twice in one object; the last value is used, as Azure and JSON.parse do: remove the other",
                            doc.name, pos.line, pos.column
                        ),
                        loc: Some(Loc { document: index, pointer: String::new(), line: pos.line, column: pos.column, address: None }),
                        warn: true,
                    });
                }
                parsed.push(Some(parsed_doc.root));
            }
            Err(_) if terraform::is_plan_stream(&doc.text) => {
                info.shape = Shape::TerraformPlanStream;
                model.issues.push(InputIssue {
                    kind: crate::model::Diagnostic::Unrecognised,
                    message: format!(
                        "`{}` is the message stream of `terraform plan -json`, which holds no resource values; run `terraform plan -out tfplan && terraform show -json tfplan > plan.json` and paste plan.json",
                        doc.name
                    ),
                    loc: Some(Loc { document: index, pointer: String::new(), line: 1, column: 1, address: None }),
                    warn: true,
                });
                parsed.push(None);
            }
            Err(e) => {
                info.shape = Shape::InvalidJson;
                info.parse_error = Some((e.pos.line, e.pos.column, e.message.clone()));
                model.issues.push(InputIssue {
                    kind: crate::model::Diagnostic::InvalidJson,
                    message: format!("{}:{}:{}: {}", doc.name, e.pos.line, e.pos.column, e.message),
                    loc: Some(Loc { document: index, pointer: String::new(), line: e.pos.line, column: e.pos.column, address: None }),
                    warn: false,
                });
                parsed.push(None);
            }
        }
        model.documents.push(info);
    }
    // The page keeps its first load small: there a pasted service-tag file is not read
    // (the page fetches the built-in table; the CLI takes a newer file).
    #[cfg(not(feature = "web"))]
    read_service_tags(&mut model, &mut parsed);
    // Parameters files apply to every template among the inputs.
    // (A copy: each document is handed over to its reader, which may take it apart.)
    let parameters = parsed.iter().flatten().find(|n| is_parameters_file(n)).cloned();
    for (index, node) in parsed.into_iter().enumerate() {
        let Some(node) = node else { continue };
        let mut reader = extract::Reader::new(&mut model, index);
        reader.translation = translations.get(index).copied().flatten().and_then(wire::decode);
        reader.document(node, parameters.as_ref());
    }
    extract::link(&mut model);
    model
}

#[cfg(not(feature = "web"))]
/// Takes the service-tag documents (the published file, `az network list-service-tags`
/// output) out of the parsed list: the first becomes the model's service-tag data.
fn read_service_tags(model: &mut Model, parsed: &mut [Option<Node>]) {
    for (index, slot) in parsed.iter_mut().enumerate() {
        if !slot.as_ref().is_some_and(crate::service_tags::TagPrefixes::is_service_tag_json) {
            continue;
        }
        let Some(node) = slot.take() else { continue };
        let name = model.documents.get(index).map(|d| d.name.clone()).unwrap_or_default();
        let loc = Some(Loc { document: index, pointer: String::new(), line: node.pos.line, column: node.pos.column, address: None });
        let message = match crate::service_tags::TagPrefixes::from_json(&node) {
            Ok(_) if model.service_tags.is_some() => Some(format!("`{name}` is a second service-tag document; the first one given is used")),
            Ok((table, skipped)) => {
                if let Some(info) = model.documents.get_mut(index) {
                    info.shape = Shape::ServiceTags(table.change_number);
                    info.resources.push(format!("{} service tags", table.len()));
                }
                model.service_tags = Some(crate::model::PastedTags { document: index, table: std::sync::Arc::new(table) });
                (skipped > 0).then(|| format!("`{name}`: {skipped} service-tag entries or prefixes could not be read and were left out"))
            }
            Err(e) => Some(format!("`{name}` looks like service-tag data but can't be used: {e}")),
        };
        if let Some(message) = message {
            model.issues.push(InputIssue { kind: crate::model::Diagnostic::Unrecognised, message, loc, warn: true });
        }
    }
}

pub(crate) fn is_parameters_file(node: &Node) -> bool {
    let schema = node.get("$schema").and_then(|s| s.as_str()).unwrap_or_default().to_ascii_lowercase();
    if schema.contains("deploymentparameters") {
        return true;
    }
    node.get("resources").is_none()
        && node.get("responses").is_none()
        && node.get("type").is_none()
        && node
            .get("parameters")
            .and_then(|p| p.as_object())
            .is_some_and(|members| !members.is_empty() && members.iter().all(|(_, v)| v.get("value").is_some() || v.get("reference").is_some()))
}

/// Text of a string node, or the symbol of an unresolved one.
pub(crate) fn text_of(node: &Node) -> Option<String> {
    match &node.value {
        Value::String(s) | Value::Unresolved(s) => Some(s.to_string()),
        _ => None,
    }
}

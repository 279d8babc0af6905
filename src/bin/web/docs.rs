//! The checks' documentation, fetched from `rules.json` beside the page the first time a
//! reader opens it. The page's wasm carries no docs (10 KB of its first load); the build
//! writes `rules.json` from the same catalogue as `amlvnet rules --format json`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// One check's documentation.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct DocText {
    pub what: String,
    pub why: String,
    pub example: String,
    pub fix: String,
    pub source: String,
}

/// Loaded, or why not.
#[derive(Clone, PartialEq)]
pub enum Docs {
    Loading,
    Ready(Rc<HashMap<String, DocText>>),
    Failed(String),
}

thread_local! {
    static LOADED: RefCell<Option<Docs>> = const { RefCell::new(None) };
    static WAITING: RefCell<Vec<Callback<Docs>>> = const { RefCell::new(Vec::new()) };
}

/// Reads `rules.json` (the catalogue as `amlvnet rules --format json` writes it).
fn parse(text: &str) -> Result<HashMap<String, DocText>, String> {
    let root = amlvnet::json::parse(text).map_err(|e| e.to_string())?;
    let mut out = HashMap::new();
    for c in root.as_array().unwrap_or_default() {
        let field = |k: &str| c.get("docs").and_then(|d| d.get(k)).and_then(|v| v.as_str()).unwrap_or_default().to_string();
        if let Some(id) = c.get("id").and_then(|v| v.as_str()) {
            out.insert(
                id.to_string(),
                DocText { what: field("what"), why: field("why"), example: field("example"), fix: field("fix"), source: field("source") },
            );
        }
    }
    Ok(out)
}

async fn fetch() -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    // The offline single file (amlvnet.html) carries rules.json in a data block.
    if let Some(text) = window.document().and_then(|d| d.get_element_by_id("amlvnet-rules")).and_then(|e| e.text_content()) {
        return Ok(text);
    }
    String::from_utf8(fetch_bytes("rules.json").await?).map_err(|_| "rules.json is not text".to_string())
}

/// A file beside the page, as bytes (the checks' docs, the service-tag prefixes).
pub async fn fetch_bytes(file: &str) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(file)).await.map_err(|_| format!("{file} could not be fetched"))?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| "not a response".to_string())?;
    if !response.ok() {
        return Err(format!("{file}: HTTP {}", response.status()));
    }
    let buffer = wasm_bindgen_futures::JsFuture::from(response.array_buffer().map_err(|_| "no body".to_string())?)
        .await
        .map_err(|_| format!("{file} could not be read"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

fn finish(docs: Docs) {
    LOADED.with(|l| *l.borrow_mut() = Some(docs.clone()));
    for cb in WAITING.with(|w| std::mem::take(&mut *w.borrow_mut())) {
        cb.emit(docs.clone());
    }
}

/// The documentation, loading it once for the whole page.
#[hook]
pub fn use_docs() -> Docs {
    let state = use_state(|| LOADED.with(|l| l.borrow().clone()).unwrap_or(Docs::Loading));
    {
        let state = state.clone();
        use_effect_with((), move |_| {
            if *state == Docs::Loading {
                let first = WAITING.with(|w| {
                    let mut w = w.borrow_mut();
                    w.push(Callback::from(move |d| state.set(d)));
                    w.len() == 1
                });
                if first && LOADED.with(|l| l.borrow().is_none()) {
                    wasm_bindgen_futures::spawn_local(async {
                        finish(match fetch().await.and_then(|t| parse(&t)) {
                            Ok(map) => Docs::Ready(Rc::new(map)),
                            Err(e) => Docs::Failed(e),
                        });
                    });
                }
            }
        });
    }
    (*state).clone()
}

#[derive(Properties, PartialEq)]
pub struct CheckDocsProps {
    pub id: &'static str,
    /// The catalogue's longer form (with the failing example).
    #[prop_or(false)]
    pub full: bool,
}

/// A check's documentation, in a finding or in the catalogue.
#[component]
pub fn CheckDocs(props: &CheckDocsProps) -> Html {
    let docs = use_docs();
    let d = match &docs {
        Docs::Loading => return html! { <p class="docs-loading">{ "Loading the check's documentation…" }</p> },
        Docs::Failed(why) => {
            return html! { <p class="docs-loading">{ format!("The documentation could not be loaded ({why}); `amlvnet explain {}` prints it.", props.id) }</p> }
        }
        Docs::Ready(map) => map.get(props.id).cloned().unwrap_or_default(),
    };
    if props.full {
        html! {
            <>
                <p><strong>{ "What it checks. " }</strong>{ d.what }</p>
                <p><strong>{ "Why. " }</strong>{ d.why }</p>
                <p><strong>{ "Example that fails. " }</strong><code>{ d.example }</code></p>
                <p><strong>{ "Fix. " }</strong>{ d.fix }</p>
                <p class="source">{ format!("Source: {}", d.source) }</p>
            </>
        }
    } else {
        html! {
            <>
                <h4>{ "Why it matters" }</h4><p>{ d.why }</p>
                <h4>{ "What it checks" }</h4><p>{ d.what }</p>
                <h4>{ "How to fix" }</h4><p>{ d.fix }</p>
                <p class="source">{ format!("Source: {}", d.source) }{ " · " }<a href={format!("#/rules/{}", props.id)}>{ "all about this check" }</a></p>
            </>
        }
    }
}

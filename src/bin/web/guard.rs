//! The guard: documents whose reading can take long (templates, whose expressions compute,
//! and anything over 1 MB) are read and checked first in a Web Worker that runs this same
//! wasm module (`www/worker.js`), each such document alone (and all together when two of
//! them could meet, or when only their sum is over 1 MB), under a time limit (10 s). Only
//! what finished there is checked here, so the page never freezes for longer than the
//! limit: the core is deterministic, what the worker finished in time finishes here in
//! about that time, and what joins documents (links by key) is linear. A document that
//! runs past the limit or traps the worker (a panic, memory exhausted, a stack overflow) is
//! named and set aside, the worker is replaced, and the other documents are checked. Plain
//! JSON of at most 1 MB is checked here at once: its reading is linear, with fixed bounds
//! (depth, name lengths), and the worker's round trip would double the re-check of an edit.
//!
//! The worker's keeper is `www/keeper.js` (start, time, terminate and replace the worker;
//! in Rust with web-sys it cost the page 6 KB), which index.html's `amlvnetGuard` loads on
//! first use. It takes `{ glue, module, names, texts, alone, together, done }` and calls
//! `done(index, why)`, `why` null when every step finished (`index`: the document; -1: all
//! of them together). The worker is started with the page's own compiled module
//! (`wasm_bindgen::module()`) and script (the `modulepreload` link Trunk writes): nothing
//! is compiled or fetched twice. The offline single file has no such link and no worker
//! file: there, as in a browser that refuses the worker, documents are checked here
//! without a time limit.

use crate::state::{Doc, Verdict};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};

/// The page's script for the worker to import (the `modulepreload` link Trunk writes),
/// and `amlvnetGuard`, which loads the keeper (index.html): `None` where either is missing.
fn keeper() -> Option<(String, js_sys::Function)> {
    let glue = gloo::utils::document().query_selector("link[rel=modulepreload]").ok().flatten()?.get_attribute("href")?;
    let keeper = Reflect::get(&gloo::utils::window(), &"amlvnetGuard".into()).ok()?.dyn_into().ok()?;
    Some((glue, keeper))
}

/// Checks `docs` in the worker; `done` gets the verdict. A run under way for other
/// documents is abandoned (its worker replaced); documents the worker already finished
/// alone are not read alone again (the keeper remembers their texts).
pub fn run(docs: &[Doc], done: impl FnOnce(Verdict) + 'static) {
    let Some((glue, keeper)) = keeper() else {
        done(Verdict::Cleared);
        return;
    };
    // Each template or big text alone (they alone can compute long); then all together
    // when two of them could meet, or when only their sum is big (what joins documents is
    // linear: links by key).
    let (names, texts, alone) = (Array::new(), Array::new(), Array::new());
    let mut count = 0usize;
    for d in docs {
        let by_itself = crate::state::guard_alone(d);
        count = count.saturating_add(usize::from(by_itself));
        names.push(&d.name.as_str().into());
        texts.push(&(*d.text).into());
        alone.push(&by_itself.into());
    }
    let together = count >= 2 || count == 0;
    let answer = Closure::once_into_js(move |index: JsValue, why: JsValue| {
        done(match why.as_string() {
            None => Verdict::Cleared,
            Some(why) => Verdict::Stopped { index: index.as_f64().and_then(|i| (i >= 0.0).then_some(i as usize)), why },
        })
    });
    let run = Object::new();
    for (key, value) in [
        ("glue", JsValue::from(glue)),
        ("module", wasm_bindgen::module()),
        ("names", names.into()),
        ("texts", texts.into()),
        ("alone", alone.into()),
        ("together", together.into()),
        ("done", answer),
    ] {
        let _ = Reflect::set(&run, &key.into(), &value);
    }
    // The keeper never throws: a worker the browser refuses answers "cleared", and the
    // documents are checked here, as without a worker.
    let _ = keeper.call1(&JsValue::NULL, &run);
}

/// In the worker: a panic's message, for the page (posted before the trap that follows).
pub fn post_panic(text: String) {
    let message = Object::new();
    let _ = Reflect::set(&message, &"panic".into(), &text.into());
    let global = js_sys::global();
    if let Ok(post) = Reflect::get(&global, &"postMessage".into()).and_then(|p| p.dyn_into::<js_sys::Function>()) {
        let _ = post.call1(&global, &message);
    }
}

/// In the worker: reads and checks the documents (called by `www/worker.js`).
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn guard_check(names: Array, texts: Array, trap: bool) {
    if trap {
        // The browser tests' stand-in for a document that traps the checker.
        #[allow(clippy::panic)]
        {
            panic!("the browser tests asked for a trap");
        }
    }
    let text = |v: JsValue| v.as_string().unwrap_or_default();
    let documents: Vec<amlvnet::Document> = names.iter().zip(texts.iter()).map(|(n, t)| amlvnet::Document::new(text(n), text(t))).collect();
    std::hint::black_box(amlvnet::check(&documents, &amlvnet::Options::default()));
}

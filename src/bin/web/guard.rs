//! The guard: documents whose reading can take long (templates, whose expressions compute;
//! Terraform plans and states, which are translated; anything over 1 MB) are read first in
//! a Web Worker (`www/worker.js`), each such document alone (and all together when two of
//! them could meet, or when only their sum is over 1 MB), under a time limit (10 s). The
//! worker runs the JavaScript API (amlvnet.js beside the page, fetched when a document
//! first needs the worker): the page's wasm has no template evaluation or Terraform
//! translation (its size budget), so the worker hands each template, plan or state over
//! as bytes (`prepared.rs`, `input::wire`), which the page reads; the rest it only times.
//! Only what finished there is checked here, so the page never freezes for longer than
//! the limit: what is left to do here (reading the handed-over resources, linking, the
//! checks) is linear. A document that runs past the limit or traps the worker (memory
//! exhausted, a stack overflow) is named and set aside, the worker is replaced, and the
//! other documents are checked. Plain JSON of at most 1 MB is checked here at once: its
//! reading is linear, with fixed bounds (depth, name lengths), and the worker's round trip
//! would double the re-check of an edit.
//!
//! The worker's keeper is `www/keeper.js` (start, time, terminate and replace the worker;
//! in Rust with web-sys it cost the page 6 KB), which index.html's `amlvnetGuard` loads on
//! first use. It takes `{ names, texts, alone, prepare, together, prepared, done }`, calls
//! `prepared(index, bytes)` as each document to prepare is read and `done(index, why)` at
//! the end, `why` null when every step finished (`index`: the document; -1: all of them
//! together). The offline single file has no worker file: its `amlvnetGuard` runs the
//! JavaScript API inline, on the page, without the time limit (`scripts/build-offline.mjs`);
//! in a browser that refuses the worker, templates and Terraform documents say they can't
//! be read here.

use crate::state::{Doc, Verdict};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};

/// `amlvnetGuard`, which loads the keeper (index.html).
fn keeper() -> Option<js_sys::Function> {
    Reflect::get(&gloo::utils::window(), &"amlvnetGuard".into()).ok()?.dyn_into().ok()
}

/// Checks `docs` in the worker; `done` gets the verdict. A run under way for other
/// documents is abandoned (its worker replaced); documents the worker already finished
/// alone are not read alone again (the keeper remembers their texts).
pub fn run(docs: &[Doc], done: impl FnOnce(Verdict) + 'static) {
    let Some(keeper) = keeper() else {
        done(Verdict::Cleared);
        return;
    };
    // Each template or big text alone (they alone can compute long); then all together
    // when two of them could meet, or when only their sum is big (what joins documents is
    // linear: links by key).
    let (names, texts, alone, prepare) = (Array::new(), Array::new(), Array::new(), Array::new());
    let mut count = 0usize;
    for (i, d) in docs.iter().enumerate() {
        let by_itself = crate::state::guard_alone(d);
        count = count.saturating_add(usize::from(by_itself));
        names.push(&d.name.as_str().into());
        texts.push(&(*d.text).into());
        alone.push(&by_itself.into());
        prepare.push(&(crate::state::computes(d) && crate::prepared::cached(docs, i).is_none()).into());
    }
    let texts_of: Vec<std::rc::Rc<str>> = docs.iter().map(|d| d.text.clone()).collect();
    let prepared = Closure::<dyn Fn(JsValue, JsValue)>::new(move |index: JsValue, bytes: JsValue| {
        let index = index.as_f64().map(|i| i as usize).filter(|&i| i < texts_of.len());
        if let (Some(index), Ok(bytes)) = (index, bytes.dyn_into::<js_sys::Uint8Array>()) {
            crate::prepared::store(&texts_of, index, bytes.to_vec());
        }
    })
    .into_js_value();
    let together = count >= 2 || count == 0;
    let answer = Closure::once_into_js(move |index: JsValue, why: JsValue| {
        done(match why.as_string() {
            None => Verdict::Cleared,
            Some(why) => Verdict::Stopped { index: index.as_f64().and_then(|i| (i >= 0.0).then_some(i as usize)), why },
        })
    });
    let run = Object::new();
    for (key, value) in [
        ("names", names.into()),
        ("texts", texts.into()),
        ("alone", alone.into()),
        ("prepare", prepare.into()),
        ("prepared", prepared),
        ("together", together.into()),
        ("done", answer),
    ] {
        let _ = Reflect::set(&run, &key.into(), &value);
    }
    // The keeper never throws: a worker the browser refuses answers "cleared", and the
    // documents are checked here, as without a worker.
    let _ = keeper.call1(&JsValue::NULL, &run);
}

//! The service-tag prefix table (`prefixes.bin`, about 70 KB brotli), fetched from the
//! page's own origin the first time a document needs it, so the first load stays small.
//! Until it arrives (or if it can't), checks answer as without IP lists (spec 1.5), and
//! the report says so (`service_tags.prefixes: false`).

use std::cell::Cell;
use wasm_bindgen::JsCast;

thread_local! {
    /// A fetch is under way or done: ask once per page.
    static ASKED: Cell<bool> = const { Cell::new(false) };
}

async fn fetch() -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str("prefixes.bin")).await.map_err(|_| "prefixes.bin could not be fetched")?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| "not a response")?;
    if !response.ok() {
        return Err(format!("prefixes.bin: HTTP {}", response.status()));
    }
    let buffer = wasm_bindgen_futures::JsFuture::from(response.array_buffer().map_err(|_| "no body")?).await.map_err(|_| "prefixes.bin could not be read")?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Fetches and installs the table once; `done` runs when it is in use.
pub fn load(done: impl FnOnce() + 'static) {
    if ASKED.with(|a| a.replace(true)) {
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        match fetch().await.and_then(|bytes| crate::timed("data-tags-ms", || amlvnet::service_tags::provide(&bytes).map(|_| ()))) {
            Ok(()) => done(),
            Err(e) => gloo::console::warn!(format!("service-tag prefixes unavailable: {e}")),
        }
    });
}

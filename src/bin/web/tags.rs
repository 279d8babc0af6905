//! The service-tag prefix table (`prefixes.bin`, about 70 KB brotli), fetched from the
//! page's own origin the first time a document needs it, so the first load stays small.
//! Until it arrives (or if it can't), checks answer as without IP lists (spec 1.5), and
//! the report says so (`service_tags.prefixes: false`).

use std::cell::Cell;

thread_local! {
    /// A fetch is under way or done: ask once per page.
    static ASKED: Cell<bool> = const { Cell::new(false) };
}

/// Fetches and installs the table once; `done` runs when it is in use.
pub fn load(done: impl FnOnce() + 'static) {
    if ASKED.with(|a| a.replace(true)) {
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        // Without the table (offline from file://, a failed fetch) the report keeps
        // saying `service_tags.prefixes: false` and the lattice answers.
        if let Ok(bytes) = crate::docs::fetch_bytes("prefixes.bin").await {
            // `data-tags-ms`: building the table (e2e/measure.mjs reports it).
            if crate::timed("data-tags-ms", || amlvnet::service_tags::provide(&bytes).is_ok()) {
                done();
            }
        }
    });
}

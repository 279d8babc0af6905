//! Documents that compute, read in the guard's worker: the page's wasm has no template
//! evaluation or Terraform translation (27 and 28 KB of brotli its 250 KB budget has no
//! room for). The worker runs the JavaScript API (amlvnet.js beside the page), which reads
//! each template, plan or state as the CLI does and hands it over as bytes the core reads
//! (`input::wire`, `input::read_with`); this is where the page keeps them.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// A text and what it reads as.
type Entry = (Rc<str>, Rc<[u8]>);

thread_local! {
    /// By the text's address: an unchanged document keeps its `Rc<str>`, so a lookup is
    /// free; the entry holds the text, so its address can't be reused by another.
    static CACHE: RefCell<HashMap<usize, Entry>> = RefCell::default();
    /// How many have arrived: the page reads its documents again when this changes.
    static ARRIVED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// How many documents the worker has read so far (see `ARRIVED`).
pub fn arrived() -> u32 {
    ARRIVED.with(std::cell::Cell::get)
}

fn key(text: &Rc<str>) -> usize {
    Rc::as_ptr(text).cast::<u8>() as usize
}

/// What `text` reads as, if the worker has read it.
pub fn cached(text: &Rc<str>) -> Option<Rc<[u8]>> {
    CACHE.with(|c| c.borrow().get(&key(text)).map(|(_, b)| b.clone()))
}

/// Keeps what the worker read `text` as.
pub fn store(text: &Rc<str>, bytes: Vec<u8>) {
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        // Documents are few: what texts no longer pasted read as goes.
        if c.len() >= 8 {
            c.clear();
        }
        c.insert(key(text), (text.clone(), bytes.into()));
    });
    ARRIVED.with(|a| a.set(a.get().wrapping_add(1)));
}

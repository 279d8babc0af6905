//! Documents that compute, read in the guard's worker: the page's wasm has no template
//! evaluation or Terraform translation (27 and 28 KB of brotli its 250 KB budget has no
//! room for). The worker runs the JavaScript API (amlvnet.js beside the page), which reads
//! each template, plan or state as the CLI does and hands it over as bytes the core reads
//! (`input::wire`, `input::read_with`); this is where the page keeps them.

use crate::state::Doc;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// A document, by the address of its text, and the documents it may read with: a
/// template reads with the first parameters file among the documents (a text that holds
/// `arameters`: `parameters`, `deploymentParameters`), so what it reads as holds while
/// those are the same. An unchanged document keeps its `Rc<str>`, so its key stays.
type Key = (Vec<usize>, usize);

/// What a document read as, and the texts its key names, held so that their addresses
/// can't be reused by others while the key names them.
type Entry = (Vec<Rc<str>>, Rc<[u8]>);

thread_local! {
    static CACHE: RefCell<HashMap<Key, Entry>> = RefCell::default();
    /// How many have arrived: the page reads its documents again when this changes.
    static ARRIVED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

fn address(text: &Rc<str>) -> usize {
    Rc::as_ptr(text).cast::<u8>() as usize
}

/// The key of the document at `index` among `texts`, and the texts it names.
fn key(texts: &[&Rc<str>], index: usize) -> (Key, Vec<Rc<str>>) {
    let named: Vec<Rc<str>> = texts.iter().enumerate().filter(|&(i, t)| i == index || t.contains("arameters")).map(|(_, t)| Rc::clone(t)).collect();
    ((named.iter().map(address).collect(), texts.get(index).map_or(0, |t| address(t))), named)
}

/// How many documents the worker has read so far (see `ARRIVED`).
pub fn arrived() -> u32 {
    ARRIVED.with(std::cell::Cell::get)
}

/// What the document at `index` of `docs` reads as, if the worker has read it.
pub fn cached(docs: &[Doc], index: usize) -> Option<Rc<[u8]>> {
    // (Without templates or plans nothing is stored, and nothing is looked for.)
    if CACHE.with(|c| c.borrow().is_empty()) {
        return None;
    }
    let texts: Vec<&Rc<str>> = docs.iter().map(|d| &d.text).collect();
    let (key, _) = key(&texts, index);
    CACHE.with(|c| c.borrow().get(&key).map(|(_, b)| b.clone()))
}

/// Keeps what the worker read the document at `index` of the set `texts` as.
pub fn store(texts: &[Rc<str>], index: usize, bytes: Vec<u8>) {
    let (key, named) = key(&texts.iter().collect::<Vec<_>>(), index);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        // Sets are few: what the sets no longer pasted read as goes.
        if c.len() >= 8 {
            c.clear();
        }
        c.insert(key, (named, bytes.into()));
    });
    ARRIVED.with(|a| a.set(a.get().wrapping_add(1)));
}

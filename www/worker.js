// The page's guard (src/bin/web/guard.rs): the JavaScript API (amlvnet.js beside the page),
// in a worker, reads documents first, so that one which runs too long or traps stops this
// worker, never the page. It runs { id, names, texts, alone, prepare, together, trap }:
// each document marked `prepare` (a template or Terraform document, which the page's own
// wasm can't read) is read as the CLI reads it and handed over as bytes; each marked
// `alone` and not `prepare` (a big text) is read and checked by itself; then, if
// `together`, all of them at once. Answers: { id, at } before each step (the document's
// index; -1: all together), { id, at, bytes } for a document read for the page,
// { id, done: true }, or { id, at, error } when a step threw or trapped.
const api = import('./amlvnet.js').then(async (m) => { await m.default(); return m; });
self.onmessage = async ({ data }) => {
  const { id, names, texts, alone, prepare, together, trap } = data;
  let at = -2;
  try {
    const m = await api;
    const docs = names.map((name, i) => ({ name, text: texts[i] }));
    for (at = 0; at < names.length; at++) {
      if (!alone[at] && !prepare[at]) continue;
      self.postMessage({ id, at });
      // The browser tests' stand-in for a document that traps the checker.
      if (trap) m.__trapForTests();
      if (prepare[at]) {
        const bytes = m.__prepare(docs, at);
        if (bytes) self.postMessage({ id, at, bytes }, [bytes.buffer]);
      } else {
        m.check([docs[at]], {});
      }
    }
    if (together) {
      at = -1;
      self.postMessage({ id, at });
      m.check(docs, {});
    }
    self.postMessage({ id, done: true });
  } catch (e) {
    self.postMessage({ id, at, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  }
};

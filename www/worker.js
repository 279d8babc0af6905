// The page's guard (src/bin/web/guard.rs): the page's own wasm module, in a worker, reads
// and checks documents first, so that one which runs too long or traps stops this worker,
// never the page. The page sends { glue, module } once (its script's URL and compiled
// module: nothing is fetched twice), then runs { id, names, texts, alone, together, trap }:
// each document marked `alone` by itself, then, if `together`, all of them at once.
// Answers: { id, at } before each step (the document's index; -1: all together),
// { id, done: true }, or { id, at, error } when a step threw or trapped (a panic's text
// comes first: { panic }).
let ready = null;
self.onmessage = async ({ data }) => {
  if (data.glue) {
    ready = import(data.glue).then(async (m) => { await m.default({ module_or_path: data.module }); return m; });
    return;
  }
  const { id, names, texts, alone, together, trap } = data;
  let at = -2;
  try {
    const m = await ready;
    for (at = 0; at < names.length; at++) {
      if (!alone[at]) continue;
      self.postMessage({ id, at });
      m.guard_check([names[at]], [texts[at]], trap);
    }
    if (together) {
      at = -1;
      self.postMessage({ id, at });
      m.guard_check(names, texts, false);
    }
    self.postMessage({ id, done: true });
  } catch (e) {
    self.postMessage({ id, at, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  }
};

// The guard's keeper (src/bin/web/guard.rs): runs the page's documents through worker.js
// under a time limit. keep({ names, texts, alone, prepare, together, prepared, done })
// reads the documents marked `alone` or `prepare` one by one, calling prepared(index,
// bytes) for each document the worker read for the page, then, if `together`, all at
// once, and calls done(index, why), why null when every step finished (index: the
// document being read; -1: all of them together). A run past the limit, or one that
// traps, ends the worker; the next run gets a fresh one. Texts a run finished (up to 5 MB
// each) are remembered and not read alone again. index.html loads this module the first
// time a document needs it. The browser tests set window.amlvnetGuardLimitMs and
// window.amlvnetGuardTrap.
export const keep = (() => {
  let worker = null, current = null, id = 0, broken = false, cleared = new Set();
  const end = (why) => {
    const run = current;
    current = null;
    if (!run) return;
    clearTimeout(run.timer);
    if (why !== null) { worker?.terminate(); worker = null; }
    else { if (cleared.size > 16) cleared.clear(); for (const t of run.texts) if (t.length < 5e6) cleared.add(t); }
    run.done(run.at, why);
  };
  return (run) => {
    if (current) { clearTimeout(current.timer); current = null; worker?.terminate(); worker = null; }
    if (broken) return run.done(-2, null);
    try {
      if (!worker) {
        worker = new Worker('worker.js', { type: 'module' });
        worker.onmessage = ({ data }) => {
          if (!current || data.id !== current.id) return;
          if (data.bytes) { current.prepared(data.at, data.bytes); return; }
          if ('at' in data) current.at = data.at;
          if (data.done) end(null);
          else if (data.error) end(`it stopped the checker (${data.error})`);
        };
        // The worker's script could not run here: check on the page, as without one.
        worker.onerror = () => { broken = true; worker = null; end(null); };
      }
      const limit = window.amlvnetGuardLimitMs ?? 10000;
      const alone = run.texts.map((t, i) => run.alone[i] && !cleared.has(t));
      // The worker starts with the first document to read (else all of them): the limit
      // can pass before its first word arrives.
      const first = run.texts.findIndex((_, i) => alone[i] || run.prepare[i]);
      current = { id: ++id, at: first, done: run.done, prepared: run.prepared, texts: run.texts,
        timer: setTimeout(() => end(`it ran past the time limit (${limit % 1000 ? `${limit} ms` : `${limit / 1000} s`})`), limit) };
      worker.postMessage({ id, names: run.names, texts: run.texts, alone, prepare: run.prepare, together: run.together, trap: !!window.amlvnetGuardTrap });
    } catch {
      broken = true;
      current = null;
      run.done(-2, null);
    }
  };
})();

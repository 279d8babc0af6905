//! The amlvnet page: paste or drop Azure network JSON, read what will break Azure ML
//! compute and how to fix it. Everything runs here; nothing leaves the page.

mod decoder;
mod docs;
mod flowpanel;
mod guard;
mod inputs;
mod prepared;
mod results;
mod state;
mod tags;
mod zip;

use amlvnet::report::Report;
use gloo::timers::callback::Timeout;
use inputs::{Documents, Scenario};
use state::{Action, State, EXAMPLES};
use std::rc::Rc;
use yew::prelude::*;

/// The model read from the documents, compared by identity.
#[derive(Clone)]
struct ModelRef(Rc<ReadDocuments>);

/// The model read from the documents (no document: the contract's empty report).
type ReadDocuments = amlvnet::model::Model;

impl PartialEq for ModelRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// The report with the model and options that made it, compared by identity.
#[derive(Clone)]
struct Shared(Rc<(Report, Rc<ReadDocuments>, amlvnet::Options)>);

impl PartialEq for Shared {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Reducible for State {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new((*self).clone().apply(action))
    }
}

// Talc instead of the default dlmalloc: reading a document allocates a lot, and Talc is
// faster and smaller in wasm (e2e/measure.mjs measures the re-check).
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    std::panic::set_hook(Box::new(|info| {
        let Some(window) = web_sys::window() else { return };
        let text = format!("amlvnet stopped unexpectedly: {info}. Reload the page; your input was not sent anywhere.");
        if let Some(doc) = window.document() {
            if let Some(banner) = doc.get_element_by_id("panic") {
                banner.set_text_content(Some(&text));
                let _ = banner.set_attribute("class", "panic shown");
            }
        }
    }));
    set_mark("data-start-ms", amlvnet::json::fixed(now(), 0));
    // The pre-rendered copy of the first results (scripts/prerender.mjs) goes now, with
    // its whole version if that is still waiting; Yew renders in a microtask of this same
    // task, so no frame is painted in between.
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        for id in ["prerender", "prerender-rest"] {
            if let Some(copy) = doc.get_element_by_id(id) {
                copy.remove();
            }
        }
    }
    yew::Renderer::<App>::new().render();
}

/// A summary click that opens or closes a `<details>` whose content renders on demand.
fn toggle(open: &UseStateHandle<bool>) -> Callback<MouseEvent> {
    let open = open.clone();
    Callback::from(move |e: MouseEvent| {
        e.prevent_default();
        open.set(!*open);
    })
}

/// `12.3`, always with one decimal (as `{:.1}` would, without float formatting).
fn one_decimal(x: f64) -> String {
    let t = amlvnet::json::fixed(x, 1);
    if t.contains('.') {
        t
    } else {
        format!("{t}.0")
    }
}

/// Milliseconds since navigation.
fn now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or_default()
}

/// Writes a timing into a body attribute; e2e/measure.mjs reads `data-start-ms`,
/// `data-first-results-ms`, `data-read-ms`, `data-check-ms`, `data-commit-at` and
/// `data-rendered-at`.
fn set_mark(attribute: &str, value: String) {
    if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
        let _ = body.set_attribute(attribute, &value);
    }
}

/// Runs `work` and records how long it took in a body attribute.
pub(crate) fn timed<T>(attribute: &str, work: impl FnOnce() -> T) -> T {
    let start = now();
    let out = work();
    set_mark(attribute, amlvnet::json::fixed(now() - start, 2));
    out
}

/// Reads and checks every compiled-in example a few times (tens of ms, once per page
/// load), so that the browser has compiled the hot paths with its optimising tier before
/// the user pastes a big document.
fn warm_up() {
    let documents: Vec<_> = EXAMPLES.iter().map(|(_, name, text)| amlvnet::Document::new(*name, *text)).collect();
    for _ in 0..8 {
        for d in &documents {
            std::hint::black_box(amlvnet::check(std::slice::from_ref(d), &amlvnet::Options::default()));
        }
    }
}

fn current_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// The first state, and whether the URL's share link is still to be read (`read_link`).
fn initial_state() -> (State, bool) {
    if current_hash().starts_with("#s=") {
        (State::new(), true)
    } else {
        (State::default(), false)
    }
}

/// Reads the URL's share link into the page: the browser inflates it (`zip`), and its
/// state replaces the empty first one; a link that can't be read says why, over the example.
fn read_link(state: UseReducerHandle<State>, said: UseStateHandle<Option<String>>, reading: UseStateHandle<bool>) {
    wasm_bindgen_futures::spawn_local(async move {
        let read = match state::share::deflated(&current_hash()) {
            Ok(bytes) => match zip::decompress(&bytes, state::share::MAX_PAYLOAD).await {
                Ok(inflated) => state::share::state_of(inflated),
                Err(zip::Inflate::TooLarge) => Err(state::share::TOO_LARGE.into()),
                Err(zip::Inflate::Damaged) => Err(state::share::DAMAGED.into()),
            },
            Err(e) => Err(e),
        };
        match read {
            Ok((s, left_out)) => {
                state.dispatch(Action::Load(Box::new(s)));
                said.set(left_out);
            }
            Err(e) => {
                state.dispatch(Action::Load(Box::default()));
                said.set(Some(format!("The share link could not be read: {e}. An example is shown instead.")));
            }
        }
        reading.set(false);
    });
}

#[component]
fn App() -> Html {
    let first = use_memo((), |_| initial_state());
    let state = {
        let first = first.clone();
        use_reducer(move || first.0.clone())
    };
    let link_said = use_state(|| None::<String>);
    let reading = use_state(|| first.1);
    {
        let (state, link_said, reading) = (state.clone(), link_said.clone(), reading.clone());
        use_effect_with((), move |_| {
            if *reading {
                read_link(state, link_said, reading);
            }
        });
    }
    let link_error = (*link_said).clone();
    let hash = use_state(current_hash);
    let error_text = use_state(String::new);
    let flow_open = use_state(|| false);
    {
        let hash = hash.clone();
        use_effect_with((), move |_| {
            let listener = gloo::events::EventListener::new(&gloo::utils::window(), "hashchange", move |_| hash.set(current_hash()));
            move || drop(listener)
        });
    }
    use_effect_with((), |_| {
        set_mark("data-first-results-ms", amlvnet::json::fixed(now(), 0));
        // Once the page is idle, warm the checker up (see `warm_up`).
        Timeout::new(400, || timed("data-warm-ms", warm_up)).forget();
    });
    // Documents the guard must see first are checked here once its worker finished them.
    {
        let handle = state.clone();
        use_effect_with(state.checked.clone(), move |docs| {
            if handle.guard == state::Guard::Waiting {
                let docs = docs.clone();
                guard::run(&docs.clone(), move |verdict| handle.dispatch(Action::Guarded { docs, verdict }));
            }
        });
    }
    // When a document was set aside, the other templates and Terraform documents the run
    // did not reach are read in a worker of their own; the model is read again after.
    let translated = use_state(prepared::arrived);
    {
        let translated = translated.clone();
        use_effect_with((state.checking.clone(), state.guard.clone()), move |(docs, guard)| {
            if matches!(guard, state::Guard::Stopped(_)) && docs.iter().enumerate().any(|(i, d)| state::computes(d) && prepared::cached(docs, i).is_none()) {
                guard::run(docs, move |_| translated.set(prepared::arrived()));
            }
        });
    }
    let report = {
        let docs = state.checking.clone();
        let options = state.options();
        // Documents are read once per edit; a scenario change only re-runs the checks.
        // Templates and Terraform documents are read with what the guard's worker read
        // them as (`prepared.rs`); the model is read again when some arrive.
        let translated = translated.clone();
        let model = use_memo((docs.clone(), *translated), |(docs, _)| {
            let documents: Vec<_> = docs.iter().map(|d| amlvnet::Document::new(d.name.clone(), &*d.text)).collect();
            let translations: Vec<_> = (0..docs.len()).map(|i| prepared::cached(docs, i)).collect();
            let translations: Vec<Option<&[u8]>> = translations.iter().map(|t| t.as_deref()).collect();
            timed("data-read-ms", || amlvnet::input::read_with(&documents, &translations))
        });
        // The service-tag prefixes come from the page's origin the first time a document
        // needs them (`service_tags::wanted`); the report is re-checked when they arrive.
        let tags_loaded = use_state(|| amlvnet::service_tags::builtin().is_some());
        {
            let tags_loaded = tags_loaded.clone();
            use_effect_with(ModelRef(model.clone()), move |ModelRef(model)| {
                if !*tags_loaded && amlvnet::service_tags::wanted(model) {
                    tags::load(move || tags_loaded.set(true));
                }
            });
        }
        use_memo((ModelRef(model), options, *tags_loaded), move |(ModelRef(model), options, _)| {
            let report = timed("data-check-ms", || amlvnet::check_model(model, options));
            (report, model.clone(), options.clone())
        })
    };
    // When a report's results are in the DOM (e2e/measure.mjs: an edit's full re-check is
    // `data-rendered-at` minus `data-commit-at`, the end of the typing pause).
    let shared = Shared(report.clone());
    use_effect_with(shared.clone(), |_| set_mark("data-rendered-at", amlvnet::json::fixed(now(), 2)));
    if hash.starts_with("#/rules") && !hash.starts_with("#s=") {
        return html! { <>{ header() }<main id="main">{ results::catalogue() }</main></> };
    }
    if *reading {
        return html! { <>{ header() }<main id="main"><p class="reading" role="status">{ "Reading the share link…" }</p></main></> };
    }
    let shared_results = shared.clone();
    let (report, _, _) = &*report;
    // While "Test a flow" is open, its script gets the current documents on each render.
    if *flow_open {
        flowpanel::publish(&state.checked, report.scenario.region_name());
    }
    html! {
        <>
            { header() }
            if let Some(e) = link_error { <p class="link-error" role="alert">{ e }</p> }
            if state.guard == state::Guard::Waiting { <p class="guard-wait" role="status">{ "Checking the documents in the background…" }</p> }
            if let state::Guard::Stopped(said) = &state.guard { <p class="link-error guard" role="alert">{ said }</p> }
            <main id="main" class="layout">
                <section class="inputs" aria-label="Inputs">
                    <Scenario state={state.clone()} report={shared.clone()} />
                    <Documents state={state.clone()} report={shared} />
                    <decoder::ErrorDecoder text={error_text} />
                    { flowpanel::view(&flow_open) }
                </section>
                <section class="results" aria-label="Results" aria-live="polite">
                    { results::results(report, &state, &shared_results) }
                </section>
            </main>
        </>
    }
}

fn header() -> Html {
    html! {
        <header class="top">
            <h1>{ "amlvnet: Azure ML training network checker" }</h1>
            <p class="subtitle">{ "Paste your NSG, subnet, route table, template, Terraform plan or compute JSON. See what will break Azure ML compute, and how to fix it. Nothing leaves this page." }</p>
            <nav><a href="#/">{ "Checker" }</a>{ " · " }<a href="#/rules">{ "All checks" }</a>{ " · " }<a href="embed.html">{ "Embedding example" }</a>{ " · " }<a href="amlvnet.html" download="amlvnet.html">{ "Download for offline use" }</a></nav>
        </header>
    }
}

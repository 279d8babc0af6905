//! The amlvnet page: paste or drop Azure network JSON, read what will break Azure ML
//! compute and how to fix it. Everything runs here; nothing leaves the page.

mod decoder;
mod docs;
mod flowpanel;
mod state;
mod tags;
mod zip;

use amlvnet::report::{json, markdown, sarif, Finding, Report, Status};
use amlvnet::rules;
use gloo::timers::callback::Timeout;
use state::{Action, State, EXAMPLES, REGIONS};
use std::rc::Rc;
use wasm_bindgen::JsCast;
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
    set_mark("data-start-ms", amlvnet::json::fixed(now(), 0));
    std::panic::set_hook(Box::new(|info| {
        let text = format!("amlvnet stopped unexpectedly: {info}. Reload the page; your input was not sent anywhere.");
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            if let Some(banner) = doc.get_element_by_id("panic") {
                banner.set_text_content(Some(&text));
                let _ = banner.set_attribute("class", "panic shown");
            }
        }
    }));
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

const ORDER: [Status; 6] = [Status::Fail, Status::Warn, Status::Unknown, Status::Pass, Status::Info, Status::NotApplicable];

fn status_label(s: Status) -> &'static str {
    match s {
        Status::Fail => "Fail",
        Status::Warn => "Warn",
        Status::Unknown => "Unknown",
        Status::Pass => "Pass",
        Status::Info => "Info",
        Status::NotApplicable => "Not applicable",
    }
}

/// A summary click that opens or closes a `<details>` whose content renders on demand.
fn toggle(open: &UseStateHandle<bool>) -> Callback<MouseEvent> {
    let open = open.clone();
    Callback::from(move |e: MouseEvent| {
        e.prevent_default();
        open.set(!*open);
    })
}

/// Milliseconds since navigation.
/// `12.3`, always with one decimal (as `{:.1}` would, without float formatting).
fn one_decimal(x: f64) -> String {
    let t = amlvnet::json::fixed(x, 1);
    if t.contains('.') {
        t
    } else {
        format!("{t}.0")
    }
}

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
    let report = {
        let docs = state.checked.clone();
        let options = state.options();
        // Documents are read once per edit; a scenario change only re-runs the checks.
        let model = use_memo(docs, |docs| {
            let documents: Vec<_> = docs.iter().map(|d| amlvnet::Document::new(d.name.clone(), &*d.text)).collect();
            timed("data-read-ms", || amlvnet::input::read(&documents))
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
        return html! { <>{ header() }<main id="main">{ catalogue() }</main></> };
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
            <main id="main" class="layout">
                <section class="inputs" aria-label="Inputs">
                    <Scenario state={state.clone()} report={shared.clone()} />
                    <Documents state={state.clone()} report={shared} />
                    <decoder::ErrorDecoder text={error_text} />
                    { flowpanel::view(&flow_open) }
                </section>
                <section class="results" aria-label="Results" aria-live="polite">
                    { results(report, &state, &shared_results) }
                </section>
            </main>
        </>
    }
}

fn header() -> Html {
    html! {
        <header class="top">
            <h1>{ "amlvnet: Azure ML training network checker" }</h1>
            <p class="subtitle">{ "Paste your NSG, subnet, route table, template or compute JSON. See what will break Azure ML compute, and how to fix it. Nothing leaves this page." }</p>
            <nav><a href="#/">{ "Checker" }</a>{ " · " }<a href="#/rules">{ "All checks" }</a>{ " · " }<a href="embed.html">{ "Embedding example" }</a>{ " · " }<a href="amlvnet.html" download="amlvnet.html">{ "Download for offline use" }</a></nav>
        </header>
    }
}

#[derive(Properties, PartialEq)]
struct ScenarioProps {
    state: UseReducerHandle<State>,
    report: Shared,
}

fn select_value(e: &Event) -> String {
    e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()).map(|s| s.value()).unwrap_or_default()
}

fn input_value(e: &InputEvent) -> String {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .map(|s| s.value())
        .or_else(|| e.target().and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok()).map(|s| s.value()))
        .unwrap_or_default()
}

#[component]
fn Scenario(props: &ScenarioProps) -> Html {
    let s = &props.state;
    let sc = &props.report.0 .0.scenario;
    let on = |f: fn(String) -> Action| {
        let s = s.clone();
        Callback::from(move |e: Event| s.dispatch(f(select_value(&e))))
    };
    let on_region = {
        let s = s.clone();
        Callback::from(move |e: InputEvent| s.dispatch(Action::Region(input_value(&e))))
    };
    let implied = |choice: &str, value: String| {
        if choice.is_empty() {
            html! { <span class="implied">{ format!("using: {value}") }</span> }
        } else {
            html! {}
        }
    };
    html! {
        <fieldset class="scenario">
            <legend>{ "Scenario" }</legend>
            <label for="compute">{ "Compute" }</label>
            <select id="compute" onchange={on(Action::Compute)}>
                { for [("", "From the documents"), ("cluster", "Compute cluster"), ("instance", "Compute instance"), ("vm", "Attached VM"), ("hdinsight", "HDInsight"), ("databricks", "Databricks")]
                    .iter().map(|(v, l)| html! { <option value={*v} selected={s.compute == *v}>{ *l }</option> }) }
            </select>
            { implied(&s.compute, sc.compute.as_str().to_string()) }
            <label for="public-ip">{ "Public IP" }</label>
            <select id="public-ip" onchange={on(Action::PublicIp)}>
                { for [("", "From the documents"), ("yes", "Yes"), ("no", "No public IP")].iter().map(|(v, l)| html! { <option value={*v} selected={s.public_ip == *v}>{ *l }</option> }) }
            </select>
            { implied(&s.public_ip, if sc.public_ip { "yes".into() } else { "no".into() }) }
            <label for="region">{ "Region" }</label>
            <input id="region" list="regions" value={s.region.clone()} oninput={on_region} placeholder="westus2" autocomplete="off" />
            <datalist id="regions">{ for REGIONS.iter().map(|r| html! { <option value={*r} /> }) }</datalist>
            { implied(&s.region, sc.region_label().to_string()) }
            <label for="profile">{ "Profile" }</label>
            <select id="profile" onchange={on(Action::Profile)}>
                <option value="2022-07" selected={s.profile == "2022-07"}>{ "2022-07 (the article)" }</option>
                <option value="2023-04" selected={s.profile == "2023-04"}>{ "2023-04 (GA docs)" }</option>
            </select>
            { for sc.notes.iter().filter(|n| n.overridden).map(|n| html! { <p class="disagree" role="note">{ &n.text }</p> }) }
        </fieldset>
    }
}

#[derive(Properties, PartialEq)]
struct DocumentsProps {
    state: UseReducerHandle<State>,
    report: Shared,
}

fn read_files(files: Option<web_sys::FileList>, state: UseReducerHandle<State>, readers: Rc<std::cell::RefCell<Vec<gloo::file::callbacks::FileReader>>>) {
    let Some(files) = files else { return };
    for i in 0..files.length() {
        let Some(file) = files.get(i) else { continue };
        let file = gloo::file::File::from(file);
        let name = file.name();
        let s = state.clone();
        if file.size() > state::READ_MAX_BYTES {
            s.dispatch(Action::Refuse { name, bytes: file.size() });
            continue;
        }
        let reader = gloo::file::callbacks::read_as_text(&file, move |text| {
            let text = text.unwrap_or_else(|e| format!("could not read the file: {e}"));
            s.dispatch(Action::Add { name, text });
        });
        readers.borrow_mut().push(reader);
    }
}

#[component]
fn Documents(props: &DocumentsProps) -> Html {
    let s = props.state.clone();
    let readers = use_mut_ref(Vec::new);
    let pending = use_mut_ref(|| None::<Timeout>);
    let dragging = use_state(|| false);
    let on_example = {
        let s = s.clone();
        Callback::from(move |e: Event| {
            if let Ok(i) = select_value(&e).parse::<usize>() {
                s.dispatch(Action::Example(i));
            }
        })
    };
    let on_dismiss = {
        let s = s.clone();
        Callback::from(move |_| s.dispatch(Action::DismissRefused))
    };
    let on_add = {
        let s = s.clone();
        Callback::from(move |_| s.dispatch(Action::Add { name: String::new(), text: String::new() }))
    };
    let on_files = {
        let (s, readers) = (s.clone(), readers.clone());
        Callback::from(move |e: Event| {
            let files = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()).and_then(|i| i.files());
            read_files(files, s.clone(), readers.clone());
        })
    };
    let on_drop = {
        let (s, readers, dragging) = (s.clone(), readers.clone(), dragging.clone());
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            read_files(e.data_transfer().and_then(|d| d.files()), s.clone(), readers.clone());
        })
    };
    let on_over = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let on_leave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let cards = s.docs.iter().enumerate().map(|(i, d)| {
        let info = props.report.0 .0.documents.get(i).filter(|_| s.checked.get(i).is_some_and(|c| c.id == d.id));
        let id = d.id;
        let on_edit = {
            let (s, pending) = (s.clone(), pending.clone());
            Callback::from(move |e: InputEvent| {
                s.dispatch(Action::Edit { id, text: input_value(&e) });
                let s2 = s.clone();
                *pending.borrow_mut() = Some(Timeout::new(120, move || {
                    set_mark("data-commit-at", amlvnet::json::fixed(now(), 2));
                    s2.dispatch(Action::Commit)
                }));
            })
        };
        let on_rename = {
            let s = s.clone();
            Callback::from(move |e: InputEvent| s.dispatch(Action::Rename { id, name: input_value(&e) }))
        };
        let on_remove = {
            let s = s.clone();
            Callback::from(move |_| s.dispatch(Action::Remove(id)))
        };
        // A paste too big for the editor goes around it (see `EDITOR_MAX_BYTES`).
        let on_paste = {
            let (s, pending) = (s.clone(), pending.clone());
            Callback::from(move |e: Event| {
                let Some(paste) = e.dyn_ref::<web_sys::ClipboardEvent>() else { return };
                let Some(pasted) = paste.clipboard_data().and_then(|d| d.get_data("text/plain").ok()) else { return };
                let Some(area) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok()) else { return };
                if pasted.len() <= state::EDITOR_MAX_BYTES {
                    return;
                }
                e.prevent_default();
                let (start, end) = (area.selection_start().ok().flatten().unwrap_or(0), area.selection_end().ok().flatten().unwrap_or(0));
                pending.borrow_mut().take();
                set_mark("data-commit-at", amlvnet::json::fixed(now(), 2));
                s.dispatch(Action::Replace { id, text: state::splice_utf16(&area.value(), start, end, &pasted) });
            })
        };
        let on_show = {
            let s = s.clone();
            Callback::from(move |_| s.dispatch(Action::ShowText(id)))
        };
        let error = info.and_then(|i| i.error.clone());
        html! {
            <article class={classes!("card", error.as_ref().map(|_| "bad"))} key={id.to_string()}>
                <div class="card-head">
                    <label class="visually-hidden" for={format!("name-{id}")}>{ "File name" }</label>
                    <input id={format!("name-{id}")} class="doc-name" value={d.name.clone()} oninput={on_rename} />
                    <span class="shape">{ info.map(|i| i.shape_label.clone()).unwrap_or_else(|| "checking…".into()) }</span>
                    <button class="remove" onclick={on_remove} aria-label={format!("Remove {}", d.name)}>{ "Remove" }</button>
                </div>
                if let Some((line, column, message)) = error.clone() {
                    <div class="parse-error" role="alert">
                        <p>{ format!("Not JSON: line {line}, column {column}: {message}") }</p>
                        <pre class="bad-line">{ bad_line(&d.text, line, column) }</pre>
                    </div>
                }
                if let Some(lines) = d.hidden_lines {
                    <div class="hidden-text">
                        <p>{ format!("{} MB, {} lines: too big for the editor (laying it out would freeze the page for seconds). The checks read all of it.", one_decimal(d.text.len() as f64 / 1e6), thousands(lines)) }</p>
                        <button onclick={on_show}>{ "Show and edit the text" }</button>
                    </div>
                } else {
                    <label class="visually-hidden" for={format!("text-{id}")}>{ format!("JSON of {}", d.name) }</label>
                    // Uncontrolled: the text is set when the editor is created (a new document has
                    // a new id, so a new card) and then only the user changes it. A controlled
                    // textarea would copy the whole text out of the DOM on every render to compare it.
                    <textarea id={format!("text-{id}")} class="editor" spellcheck="false" defaultvalue={d.text.clone()} oninput={on_edit} onpaste={on_paste}
                        placeholder="Paste JSON here: az network nsg show, a subnet, a route table, an ARM template, az ml compute show…" />
                }
                if let Some(i) = info {
                    if !i.resources.is_empty() {
                        <details class="found"><summary>{ format!("{} resources found", i.resources.len()) }</summary>
                            <ul>{ for i.resources.iter().map(|r| html! { <li>{ r }</li> }) }</ul>
                        </details>
                    }
                }
            </article>
        }
    });
    html! {
        <div class={classes!("documents", (*dragging).then_some("dragging"))} ondrop={on_drop} ondragover={on_over} ondragleave={on_leave}>
            <div class="doc-tools">
                <label for="example">{ "Start from an example" }</label>
                <select id="example" onchange={on_example}>
                    <option value="" selected=true>{ "Choose…" }</option>
                    { for EXAMPLES.iter().enumerate().map(|(i, (label, _, _))| html! { <option value={i.to_string()}>{ *label }</option> }) }
                </select>
                <button onclick={on_add}>{ "Add a document" }</button>
                <label class="file-pick">{ "Open files…" }<input type="file" multiple=true accept=".json,application/json" onchange={on_files} /></label>
            </div>
            <p class="hint">{ "Drop JSON files anywhere in this column. Several documents are linked by resource ID or name." }</p>
            if !s.refused.is_empty() {
                <div class="refused" role="alert">
                    { for s.refused.iter().map(|r| html! { <p>{ r }</p> }) }
                    <button onclick={on_dismiss}>{ "Dismiss" }</button>
                </div>
            }
            { for cards }
        </div>
    }
}

/// 780009 -> "780,009".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The offending line with a caret under the column.
fn bad_line(text: &str, line: u32, column: u32) -> String {
    let content: String = text.lines().nth((line as usize).saturating_sub(1)).unwrap_or("").chars().take(300).collect();
    let pad = " ".repeat((column as usize).saturating_sub(1).min(300));
    format!("{content}\n{pad}^")
}

fn results(report: &Report, state: &State, shared: &Shared) -> Html {
    if report.documents.is_empty() {
        return html! { <p class="empty">{ "No document yet: paste one, drop files, or start from an example." }</p> };
    }
    let counts = report.summary();
    html! {
        <>
            <h2 elementtiming="results">{ format!("Results: scenario {} · profile {}", report.scenario.key(), report.profile.as_str()) }</h2>
            <ul class="counts" aria-label="Counts per status">
                { for ORDER.iter().map(|s| html! { <li class={classes!("count", s.as_str())}><span class="n">{ counts.iter().find(|(x, _)| x == s).map(|(_, n)| *n).unwrap_or(0) }</span>{ " " }{ status_label(*s) }</li> }) }
            </ul>
            <div class="downloads">{ "Download the report: " }
                { download_button("JSON", "amlvnet-report.json", "application/json", shared, |r| json::report(r).pretty()) }
                { download_button("SARIF", "amlvnet-report.sarif", "application/sarif+json", shared, |r| sarif::render(r).pretty()) }
                { download_button("Markdown", "amlvnet-report.md", "text/markdown", shared, markdown::render) }
            </div>
            <ShareLink state={state.clone()} />
            <ProfileDiff report={shared.clone()} />
            { for report.fixes_by_nsg.iter().map(nsg_fix_view) }
            { for ORDER.iter().map(|s| group(report, *s, shared)) }
            <p class="privacy">{ format!("Checked {} document(s) in this browser. Nothing was sent anywhere.", state.checked.len()) }</p>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct ShareProps {
    state: State,
}

/// A link that carries the inputs in the URL fragment (never sent to a server).
#[component]
fn ShareLink(props: &ShareProps) -> Html {
    let redact = use_state(|| true);
    let link = use_state(String::new);
    let on_redact = {
        let redact = redact.clone();
        Callback::from(move |e: Event| {
            let checked = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()).map(|i| i.checked()).unwrap_or(true);
            redact.set(checked);
        })
    };
    let on_share = {
        let (state, redact, link) = (props.state.clone(), redact.clone(), link.clone());
        Callback::from(move |_| {
            let (payload, link) = (state::share::payload(&state, *redact), link.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let Ok(deflated) = zip::compress(&payload).await else {
                    link.set("this browser could not compress the documents into a link: download the report or share the files".into());
                    return;
                };
                let location = gloo::utils::window().location();
                let base = format!("{}{}", location.origin().unwrap_or_default(), location.pathname().unwrap_or_default());
                let url = format!("{base}#{}", state::share::fragment(&deflated));
                if url.len() > state::share::MAX_LINK {
                    link.set("the documents are too large for a link: download the report or share the files".into());
                    return;
                }
                let _ = gloo::utils::window().navigator().clipboard().write_text(&url);
                link.set(url);
            });
        })
    };
    html! {
        <div class="share">
            <button class="share-button" onclick={on_share}>{ "Copy share link" }</button>
            <label><input type="checkbox" checked={*redact} onchange={on_redact} />{ " redact subscription IDs and public IPs" }</label>
            if !link.is_empty() {
                <label class="visually-hidden" for="share-url">{ "Share link" }</label>
                <input id="share-url" class="share-url" readonly=true value={(*link).clone()} />
            }
        </div>
    }
}

/// A button that renders the report in one format when clicked (not on every render).
fn download_button(label: &'static str, file: &'static str, mime: &'static str, shared: &Shared, render: fn(&Report) -> String) -> Html {
    let shared = shared.clone();
    let onclick = Callback::from(move |_| {
        let body = render(&shared.0 .0);
        let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(&body));
        let bag = web_sys::BlobPropertyBag::new();
        bag.set_type(mime);
        let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &bag) else { return };
        let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
        if let Some(a) = gloo::utils::document().create_element("a").ok().and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok()) {
            a.set_href(&url);
            a.set_download(file);
            a.click();
        }
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    html! { <button class="download" {onclick}>{ label }</button> }
}

#[derive(Properties, PartialEq)]
struct DiffProps {
    report: Shared,
}

/// What differs under the other profile; computed when opened.
#[component]
fn ProfileDiff(props: &DiffProps) -> Html {
    let open = use_state(|| false);
    let toggle = toggle(&open);
    let (report, model, options) = &*props.report.0;
    let other_profile = if options.profile == amlvnet::Profile::Mid2022 { amlvnet::Profile::Ga2023 } else { amlvnet::Profile::Mid2022 };
    let body = if *open {
        let other = amlvnet::check_model(model, &amlvnet::Options { profile: other_profile, ..options.clone() });
        // By a map of the other report's findings: linear in a tenant's export too.
        let key = |f: &Finding| format!("{}\u{0}{}", f.id, f.subject.as_ref().map_or("", |s| s.name.as_str()));
        let mut theirs: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for (i, o) in other.findings.iter().enumerate() {
            theirs.entry(key(o)).or_insert(i);
        }
        let diffs: Vec<(&Finding, Status)> = report
            .findings
            .iter()
            .filter_map(|f| theirs.get(&key(f)).and_then(|&i| other.findings.get(i)).filter(|o| o.status != f.status).map(|o| (f, o.status)))
            .collect();
        html! {
            <>
            <p>{ format!("{} finding(s) differ under profile {}.", diffs.len(), other_profile.as_str()) }</p>
            <ul>{ for diffs.iter().map(|(f, s)| html! { <li><code>{ f.id }</code>{ format!(" {}: {} here, {} under {}", f.title, f.status, s, other_profile.as_str()) }</li> }) }</ul>
            </>
        }
    } else {
        html! {}
    };
    html! {
        <details class="diff" open={*open}>
            <summary onclick={toggle}>{ format!("What changes under profile {}", other_profile.as_str()) }</summary>
            { body }
        </details>
    }
}

fn group(report: &Report, status: Status, shared: &Shared) -> Html {
    let count = report.findings.iter().filter(|f| f.status == status).count();
    if count == 0 {
        return html! {};
    }
    html! { <Group {status} {count} report={shared.clone()} /> }
}

#[derive(Properties, PartialEq)]
struct GroupProps {
    status: Status,
    count: usize,
    report: Shared,
}

/// The findings of one status; closed groups render their items only when opened.
#[component]
fn Group(props: &GroupProps) -> Html {
    let open = use_state(|| matches!(props.status, Status::Fail | Status::Warn | Status::Unknown));
    let toggle = toggle(&open);
    let report = &props.report.0 .0;
    let status = props.status;
    html! {
        <details class={classes!("group", status.as_str())} open={*open}>
            <summary onclick={toggle}><h3>{ format!("{} ({})", status_label(status), props.count) }</h3></summary>
            if *open {
            <ul class="findings">{ for report.findings.iter().enumerate().filter(|(_, f)| f.status == status).map(|(index, f)| {
                let key = format!("{}-{}-{}", f.id, f.subject.as_ref().map(|s| s.name.as_str()).unwrap_or(""), index);
                html! { <FindingView key={key} report={props.report.clone()} {index} /> }
            }) }</ul>
            }
        </details>
    }
}

#[derive(Properties, PartialEq)]
struct FindingProps {
    report: Shared,
    index: usize,
}

/// One finding; its details (docs, trace tables, fix) are rendered only when opened, so a
/// 1,000-rule NSG doesn't put a million cells in the page.
#[component]
fn FindingView(props: &FindingProps) -> Html {
    let open = use_state(|| false);
    let report = &props.report.0 .0;
    let Some(f) = report.findings.get(props.index) else { return html! {} };
    let check = rules::find(f.id);
    let subject = f.subject.as_ref().map(|s| format!(" · {}", s.name)).unwrap_or_default();
    let at = f.location.as_ref().filter(|l| l.line > 0).map(|l| format!("{} line {}, column {}", report.document_name(l), l.line, l.column));
    let toggle = toggle(&open);
    html! {
        <li class={classes!("finding", f.status.as_str())}>
            <details open={*open}>
                <summary onclick={toggle}>
                    <span class={classes!("badge", f.status.as_str())}>{ f.status.as_str() }</span>
                    <code class="id">{ f.id }</code>
                    <span class="title">{ f.title }{ subject }</span>
                    <span class="message">{ &f.message }</span>
                </summary>
                if *open {
                <div class="detail">
                    if let Some(at) = at { <p class="where">{ format!("Where: {at}") }</p> }
                    { for f.flows.iter().take(1).map(|_| flows_table(f)) }
                    { trace_table(report, f) }
                    if let Some(fix) = &f.fix { { fix_view(fix) } }
                    if let Some(c) = check {
                        <div class="docs"><docs::CheckDocs id={c.id} /></div>
                    }
                </div>
                }
            </details>
        </li>
    }
}

fn flows_table(f: &Finding) -> Html {
    html! {
        <table class="flows">
            <caption>{ "Required flows" }</caption>
            <thead><tr><th scope="col">{ "Direction" }</th><th scope="col">{ "Source" }</th><th scope="col">{ "Port" }</th><th scope="col">{ "Destination" }</th><th scope="col">{ "Verdict" }</th></tr></thead>
            <tbody>
                { for f.flows.iter().map(|fl| html! {
                    <tr class={fl.status.as_str()}>
                        <td>{ fl.direction }</td><td>{ &fl.source }</td><td>{ format!("{} {}", fl.protocol.to_ascii_uppercase(), fl.port) }</td>
                        <td>{ &fl.destination }</td><td><span class={classes!("badge", fl.status.as_str())}>{ fl.status.as_str() }</span></td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

fn trace_table(report: &Report, f: &Finding) -> Html {
    let Some(flow) = f.flows.iter().find(|fl| fl.status != Status::Pass).or_else(|| f.flows.first()) else { return html! {} };
    html! {
        <>
        { for flow.hops.iter().map(|hop| {
            let Some(table) = report.nsgs.get(hop.nsg_index) else { return html! {} };
            let direction = flow.direction;
            html! {
                <table class="trace">
                    <caption>{ format!("NSG {} ({} level), {} rules in evaluation order, for {} {} {}", table.name, hop.level, direction.to_lowercase(), flow.protocol.to_ascii_uppercase(), flow.port, flow.destination) }</caption>
                    <thead><tr><th scope="col">{ "Priority" }</th><th scope="col">{ "Name" }</th><th scope="col">{ "Access" }</th><th scope="col">{ "Protocol" }</th><th scope="col">{ "Source" }</th><th scope="col">{ "Src ports" }</th><th scope="col">{ "Destination" }</th><th scope="col">{ "Dst ports" }</th><th scope="col">{ "Role" }</th></tr></thead>
                    <tbody>
                    { for table.rules.iter().enumerate().filter(|(_, r)| r.direction == direction || r.direction == "?").map(|(i, r)| {
                        let deciding = hop.deciding == Some(i);
                        let role = if deciding { Some(amlvnet::report::Role::Deciding) } else { hop.trace.iter().find(|(t, _)| *t == i).map(|(_, role)| *role) };
                        html! {
                            <tr class={classes!(deciding.then_some("deciding"), role.filter(|_| !deciding).map(|_| "partial"), r.is_default.then_some("default"))}>
                                <td>{ r.priority.map(|p| p.to_string()).unwrap_or_else(|| "?".into()) }</td><td>{ &r.name }</td><td>{ &r.access }</td><td>{ &r.protocol }</td>
                                <td>{ &r.source }</td><td>{ &r.source_ports }</td><td>{ &r.destination }</td><td>{ &r.destination_ports }</td>
                                <td>{ role.map(amlvnet::report::Role::label).unwrap_or("") }</td>
                            </tr>
                        }
                    }) }
                    </tbody>
                </table>
            }
        }) }
        </>
    }
}

fn fix_view(fix: &amlvnet::report::Fix) -> Html {
    html! {
        <div class="fix">
            <h4>{ "Fix" }</h4>
            <p>{ &fix.summary }</p>
            { snippets(&fix.az, &fix.arm, &fix.bicep) }
        </div>
    }
}

/// When a report's fixes add several rules to one NSG: all of them as one change (one az
/// script, one ARM `securityRules` array, one Bicep block), distinct names and priorities.
fn nsg_fix_view(group: &amlvnet::report::NsgFix) -> Html {
    html! {
        <details class="fix combined">
            <summary>{ format!("The {} rules the fixes add to NSG {}, as one change", group.rules.len(), group.nsg) }</summary>
            { snippets(&group.az, &group.arm, &group.bicep) }
        </details>
    }
}

/// A fix in each language, each with a copy button.
fn snippets(az: &str, arm: &json::J, bicep: &str) -> Html {
    let copy = |text: String| {
        Callback::from(move |_| {
            let clipboard = gloo::utils::window().navigator().clipboard();
            let _ = clipboard.write_text(&text);
        })
    };
    html! {
        { for [("az", az.to_string()), ("ARM", arm.pretty()), ("Bicep", bicep.to_string())].into_iter().filter(|(_, t)| !t.is_empty()).map(|(label, text)| html! {
            <div class="snippet">
                <div class="snippet-head"><span>{ label }</span><button class="copy" onclick={copy(text.clone())} aria-label={format!("Copy the {label} fix")}>{ "Copy" }</button></div>
                <pre><code>{ text }</code></pre>
            </div>
        }) }
    }
}

fn catalogue() -> Html {
    html! {
        <section class="catalogue">
            <h2>{ "All checks" }</h2>
            <p>{ "The same catalogue as `amlvnet rules`; each ID is stable and linkable." }</p>
            { for rules::catalogue().iter().map(|c| html! {
                <article id={c.id} class="rule">
                    <h3><a href={format!("#/rules/{}", c.id)}>{ c.id }</a>{ " " }{ c.title }</h3>
                    <p class="meta">{ format!("{} · severity {} · applies to {}", c.name, c.severity.as_str(), c.applies_to()) }</p>
                    <docs::CheckDocs id={c.id} full=true />
                </article>
            }) }
        </section>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands() {
        let cases = [(0, "0"), (999, "999"), (1000, "1,000"), (780_009, "780,009"), (12_345_678, "12,345,678")];
        for (n, text) in cases {
            assert_eq!(super::thousands(n), text);
        }
    }
}

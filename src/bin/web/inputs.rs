//! The inputs column: the scenario's choices and the documents (paste, drop, open,
//! examples), each document's shape, what was found in it and where it is broken.

use crate::state::{self, Action, State, EXAMPLES, REGIONS};
use crate::Shared;
use crate::{now, one_decimal, set_mark};
use gloo::timers::callback::Timeout;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub(crate) struct ScenarioProps {
    pub(crate) state: UseReducerHandle<State>,
    pub(crate) report: Shared,
}

fn select_value(e: &Event) -> String {
    e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()).map(|s| s.value()).unwrap_or_default()
}

pub(crate) fn input_value(e: &InputEvent) -> String {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .map(|s| s.value())
        .or_else(|| e.target().and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok()).map(|s| s.value()))
        .unwrap_or_default()
}

#[component]
pub(crate) fn Scenario(props: &ScenarioProps) -> Html {
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
pub(crate) struct DocumentsProps {
    pub(crate) state: UseReducerHandle<State>,
    pub(crate) report: Shared,
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
pub(crate) fn Documents(props: &DocumentsProps) -> Html {
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
    let cards = s.docs.iter().map(|d| {
        // The report's documents are `checking`'s (the guard may hold one back).
        let info = s.checking.iter().position(|c| c.id == d.id).and_then(|p| props.report.0 .0.documents.get(p));
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
                    <span class="shape">{ info.map(|i| i.shape_label.clone()).unwrap_or_else(|| {
                        // Not in the report: set aside by the guard (named above the results), or not read yet.
                        let aside = matches!(s.guard, state::Guard::Stopped(_)) && s.checked.iter().any(|c| c.id == id);
                        if aside { "set aside" } else { "checking…" }.into()
                    }) }</span>
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
                        placeholder="Paste JSON here: az network nsg show, a subnet, a route table, an ARM template, az ml compute show, terraform show -json…" />
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

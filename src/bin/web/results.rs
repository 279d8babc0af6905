//! The results column: counts, downloads, the share link, the profile diff, the
//! combined fixes, the findings by status with their trace and fix, and the catalogue.

use crate::state::{self, State};
use crate::{docs, toggle, zip, Shared};
use amlvnet::report::{json, markdown, sarif, Finding, Report, Status};
use amlvnet::rules;
use wasm_bindgen::JsCast;
use yew::prelude::*;

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

pub(crate) fn results(report: &Report, state: &State, shared: &Shared) -> Html {
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
                { download_button("SARIF", "amlvnet-report.sarif", "application/sarif+json", shared, |r| sarif::render(r, amlvnet::rules::catalogue()).pretty()) }
                { download_button("Markdown", "amlvnet-report.md", "text/markdown", shared, markdown::render) }
            </div>
            <ShareLink state={state.clone()} />
            <ProfileDiff report={shared.clone()} />
            { for report.fixes_by_nsg.iter().map(nsg_fix_view) }
            { for ORDER.iter().map(|s| group(report, *s, shared)) }
            <p class="privacy">{ format!("Checked {} document(s) in this browser. Nothing was sent anywhere.", state.checking.len()) }</p>
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
    let at = f.location.as_ref().filter(|l| l.line > 0).map(|l| {
        let address = l.address.as_ref().map(|a| format!(" ({a})")).unwrap_or_default();
        format!("{} line {}, column {}{address}", report.document_name(l), l.line, l.column)
    });
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
            { snippets(fix.terraform.as_deref(), &fix.az, &fix.arm, &fix.bicep) }
        </div>
    }
}

/// When a report's fixes add several rules to one NSG: all of them as one change (one az
/// script, one ARM `securityRules` array, one Bicep block), distinct names and priorities.
fn nsg_fix_view(group: &amlvnet::report::NsgFix) -> Html {
    html! {
        <details class="fix combined">
            <summary>{ format!("The {} rules the fixes add to NSG {}, as one change", group.rules.len(), group.nsg) }</summary>
            { snippets(None, &group.az, &group.arm, &group.bicep) }
        </details>
    }
}

/// A fix in each language, each with a copy button; the HCL first for a Terraform document.
fn snippets(terraform: Option<&str>, az: &str, arm: &json::J, bicep: &str) -> Html {
    let copy = |text: String| {
        Callback::from(move |_| {
            let clipboard = gloo::utils::window().navigator().clipboard();
            let _ = clipboard.write_text(&text);
        })
    };
    html! {
        { for [("Terraform", terraform.unwrap_or_default().to_string()), ("az", az.to_string()), ("ARM", arm.pretty()), ("Bicep", bicep.to_string())].into_iter().filter(|(_, t)| !t.is_empty()).map(|(label, text)| html! {
            <div class="snippet">
                <div class="snippet-head"><span>{ label }</span><button class="copy" onclick={copy(text.clone())} aria-label={format!("Copy the {label} fix")}>{ "Copy" }</button></div>
                <pre><code>{ text }</code></pre>
            </div>
        }) }
    }
}

pub(crate) fn catalogue() -> Html {
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

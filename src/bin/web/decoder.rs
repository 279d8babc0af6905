//! "Have an error message instead?": the error decoder (`amlvnet explain-error`) in the
//! page. The text is decoded as it is typed; nothing leaves the page.

use amlvnet::rules::errors::{explain_error, ErrorMatch};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DecoderProps {
    /// The pasted text, kept by the app so that it survives a visit to the catalogue.
    pub text: UseStateHandle<String>,
}

#[component]
pub fn ErrorDecoder(props: &DecoderProps) -> Html {
    let text = props.text.clone();
    let on_input = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| text.set(crate::inputs::input_value(&e)))
    };
    let matches = use_memo((*text).clone(), |t| explain_error(t));
    html! {
        <details class="decoder" open={!text.is_empty()}>
            <summary>{ "Have an error message instead?" }</summary>
            <label for="error-text">{ "Azure ML, Databricks or Terraform error text" }</label>
            <textarea id="error-text" spellcheck="false" rows="5" value={(*text).clone()} oninput={on_input}
                placeholder="e.g. The specified subnet has PrivateLinkServiceNetworkPolicies or PrivateEndpointNetworkEndpoints enabled" />
            <div aria-live="polite">
                if text.trim().is_empty() {
                } else if matches.is_empty() {
                    <p>{ "No known network error in this text. Paste the network JSON as a document instead: the checker tells what is wrong with it." }</p>
                } else {
                    { for matches.iter().map(explained) }
                }
            </div>
        </details>
    }
}

fn explained(m: &ErrorMatch) -> Html {
    let e = m.error;
    html! {
        <div class="explained">
            <p><strong>{ e.code }</strong>{ ": " }{ e.title }</p>
            if !m.rules.is_empty() {
                <p>{ "The rules it lists:" }</p>
                <ul>
                    { for m.rules.iter().map(|r| html! {
                        <li>{ format!("Missing rule \"{}\" ({} {}) → {}", r.name, r.direction, r.port, r.check.unwrap_or("no check of the catalogue")) }</li>
                    }) }
                </ul>
                <p>{ "The checks that decide it:" }</p>
            }
            <ul>
                { for e.checks.iter().map(|c| html! { <li><a href={format!("#/rules/{}", c.id)}>{ c.id }</a>{ ": " }{ c.title }</li> }) }
            </ul>
            <p>{ "Paste: " }{ e.paste }</p>
            <p>{ "Fix: " }{ e.fix }</p>
            <p class="source">{ "Seen in: " }{ e.source }</p>
        </div>
    }
}

//! "Test a flow": one flow through the NSGs of the pasted documents (`amlvnet flow`).
//! The panel itself is plain JavaScript over the JavaScript API (`www/flow-panel.js`,
//! `amlvnet.js`), loaded from the page's own origin the first time it is opened, so it
//! costs the page's first load almost nothing. While it is open the app keeps
//! `window.amlvnetFlowInput` current: the documents and the region, as JSON text.

use crate::state::Doc;
use amlvnet::report::json::J;
use yew::prelude::*;

/// The documents and region last handed to the panel.
type Published = Option<(std::rc::Rc<Vec<Doc>>, Option<String>)>;

thread_local! {
    /// Renders that change neither the documents nor the region skip the copy.
    static PUBLISHED: std::cell::RefCell<Published> = const { std::cell::RefCell::new(None) };
}

/// Hands the documents and region to the panel (`{ documents: [{ name, text }], region }`)
/// when they changed since the last time, and loads the panel's script once.
pub fn publish(docs: &std::rc::Rc<Vec<Doc>>, region: Option<&str>) {
    let same = PUBLISHED.with(|p| p.borrow().as_ref().is_some_and(|(d, r)| std::rc::Rc::ptr_eq(d, docs) && r.as_deref() == region));
    if same {
        return;
    }
    PUBLISHED.with(|p| *p.borrow_mut() = Some((docs.clone(), region.map(str::to_string))));
    let documents = J::Arr(docs.iter().map(|d| J::obj(vec![("name", J::s(d.name.as_str())), ("text", J::s(&*d.text))])).collect());
    let input = J::obj(vec![("documents", documents), ("region", J::s(region.unwrap_or_default()))]).compact();
    let _ = js_sys::Reflect::set(&gloo::utils::window(), &"amlvnetFlowInput".into(), &input.into());
    let document = gloo::utils::document();
    if document.get_element_by_id("flow-panel-script").is_none() {
        if let Ok(script) = document.create_element("script") {
            let _ = script.set_attribute("id", "flow-panel-script");
            let _ = script.set_attribute("type", "module");
            let _ = script.set_attribute("src", "flow-panel.js");
            let _ = gloo::utils::body().append_child(&script);
        }
    }
}

/// The panel's frame; `open` says whether the reader has it open.
pub fn view(open: &UseStateHandle<bool>) -> Html {
    let ontoggle = {
        let open = open.clone();
        Callback::from(move |e: Event| open.set(e.target_dyn_into::<web_sys::Element>().is_some_and(|d| d.has_attribute("open"))))
    };
    html! {
        <details class="flow-test" {ontoggle}>
            <summary>{ "Test a flow" }</summary>
            <div id="flow-panel"><p>{ "Loading the flow tester from this site…" }</p></div>
        </details>
    }
}

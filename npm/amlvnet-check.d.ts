// Types of the <amlvnet-check> element (amlvnet-check.js).
import type { AmlvnetReport } from "./amlvnet.js";

export declare class AmlvnetCheck extends HTMLElement {
  static observedAttributes: string[];
  /** The last report, or null before the first check. */
  report: AmlvnetReport | null;
}

declare global {
  interface HTMLElementTagNameMap {
    "amlvnet-check": AmlvnetCheck;
  }
  interface HTMLElementEventMap {
    /** Dispatched after each check; `detail` is the JSON report of `amlvnet check --format json`. */
    "amlvnet-report": CustomEvent<AmlvnetReport>;
  }
}

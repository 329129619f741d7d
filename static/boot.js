// Loads the app. A file rather than Trunk's inline loader so the
// Content-Security-Policy can forbid inline scripts.
import init from "./web.js";
init({ module_or_path: new URL("./web_bg.wasm", import.meta.url) });

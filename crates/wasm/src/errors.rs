//! [`IdvError`] in JS: an instance of the `IdvError` class of
//! `idv_error.js` (a real `Error` subclass, exported by every entry), with
//! the SPEC section 5 fields.

use idv_sessions::error::IdvError;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/idv_error.js")]
extern "C" {
    #[wasm_bindgen(js_name = idvError)]
    fn make(
        message: &str,
        code: &str,
        provider: JsValue,
        http_status: JsValue,
        retryable: bool,
        retry_after_ms: JsValue,
    ) -> JsValue;

    #[wasm_bindgen(js_name = idvErrorClass)]
    fn class() -> JsValue;
}

/// An [`IdvError`] as a JS `IdvError`.
pub(crate) fn to_js_error(error: &IdvError) -> JsValue {
    make(
        &error.message,
        error.code.as_str(),
        error
            .provider
            .map_or(JsValue::UNDEFINED, |p| JsValue::from_str(p.as_str())),
        error.http_status.map_or(JsValue::UNDEFINED, JsValue::from),
        error.retryable,
        error
            .retry_after_ms
            .map_or(JsValue::UNDEFINED, |ms| JsValue::from_f64(ms as f64)),
    )
}

/// The `IdvError` class, for the package entries to export as `IdvError`
/// (not a public name: the entries export the class itself).
#[wasm_bindgen(js_name = __idvErrorClass, skip_typescript)]
pub fn idv_error_class() -> JsValue {
    class()
}

#[wasm_bindgen(module = "/src/guarded.js")]
extern "C" {
    fn harden(
        error_class: &JsValue,
        sync_methods: &js_sys::Array,
        client: &JsValue,
        stream: &JsValue,
    );
}

/// Called once by every package entry with the exported classes: makes
/// `free()` harmless, checks `this` in every method and makes a
/// `SessionStream` an async iterator (see `guarded.js`).
/// Not a public name.
#[wasm_bindgen(js_name = __harden, skip_typescript)]
pub fn harden_classes(client: JsValue, stream: JsValue) {
    let sync = js_sys::Array::of2(
        &JsValue::from_str("sessions"),
        &JsValue::from_str("__badRows"),
    );
    harden(&class(), &sync, &client, &stream);
}

/// True when `value` is an error of this package: an `IdvError` (from any
/// copy of the package), or any `Error` named `IdvError` with a `code`.
/// Never throws, whatever `value` is.
#[wasm_bindgen(js_name = isIdvError, unchecked_return_type = "value is IdvError")]
pub fn is_idv_error(#[wasm_bindgen(unchecked_param_type = "unknown")] value: JsValue) -> bool {
    value.is_instance_of::<js_sys::Error>()
        && super::args::get(&value, "name").as_string().as_deref() == Some("IdvError")
        && super::args::get(&value, "code").is_string()
}

//! The uniffi binding generator, built against this crate's uniffi version:
//! `cargo run -p fieldwork-ffi --bin uniffi-bindgen -- generate --library <lib> --language kotlin ...`

fn main() {
    uniffi::uniffi_bindgen_main()
}

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| qcls_fuzz::lsp::run(data));

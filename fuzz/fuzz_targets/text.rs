#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| qcls_fuzz::text::run(data));

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        // `qcls`, `qcls serve`, `qcls --stdio` (and `qcls serve --stdio`) start the server.
        None | Some("serve") | Some("--stdio") => qcls::server::run_stdio(),
        Some(other) => {
            eprintln!("qcls: unknown command {other:?}; usage: qcls [serve] [--stdio]");
            ExitCode::from(2)
        }
    }
}

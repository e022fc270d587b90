use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// qcls: checks Horizon Robotics quant_config files, and serves them to editors over LSP.
#[derive(Parser)]
#[command(name = "qcls", version, about)]
struct Cli {
    /// Speak LSP over stdin/stdout (the same as `qcls serve`).
    #[arg(long)]
    stdio: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the language server over stdin/stdout (the default).
    Serve {
        /// Accepted for editors that pass it; stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
    /// Check quant_config files and directories, printing diagnostics.
    Check {
        /// The model to check node names against (overrides pairing).
        #[arg(long, value_name = "PATH")]
        model: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
        format: CheckFormat,
        /// Files, or directories searched for quant_config files.
        #[arg(required = true, value_name = "FILE|DIR")]
        paths: Vec<PathBuf>,
    },
    /// Print the JSON Schema of quant_config (draft-07).
    Schema,
}

#[derive(Clone, Copy, ValueEnum)]
enum CheckFormat {
    Human,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None | Some(Command::Serve { .. }) => {
            let _ = cli.stdio;
            qcls::cli::serve()
        }
        Some(Command::Check {
            model,
            format,
            paths,
        }) => {
            let format = match format {
                CheckFormat::Human => qcls::cli::check::Format::Human,
                CheckFormat::Json => qcls::cli::check::Format::Json,
            };
            qcls::cli::check::run(&paths, model.as_deref(), format)
        }
        Some(Command::Schema) => {
            print!("{}", qcls::spec::schema::schema_text());
            ExitCode::SUCCESS
        }
    }
}

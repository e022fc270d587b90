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
    /// What the language server logs to stderr and to the client's log: off, error, warn,
    /// info, debug or trace. By default the client's log gets info and stderr only warnings
    /// and errors (editors show stderr as errors, and the client's log has the rest).
    #[arg(long, global = true, value_name = "LEVEL")]
    log_level: Option<String>,
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
        /// The chip (e.g. nash-e, bayes-e): picks the toolchain profile.
        #[arg(long, value_name = "MARCH")]
        march: Option<String>,
        /// The toolchain release: oe3 (default) or hmct-2.8.
        #[arg(long, value_name = "RELEASE")]
        toolchain: Option<String>,
        /// The language of the messages: en (default) or zh-CN.
        #[arg(long, value_name = "LOCALE", default_value = "en")]
        locale: String,
        #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
        format: CheckFormat,
        /// Files, or directories searched for quant_config files.
        #[arg(required = true, value_name = "FILE|DIR")]
        paths: Vec<PathBuf>,
    },
    /// Print the effective precision of every node input and the setting that decided it.
    Explain {
        /// The model to explain against (overrides pairing).
        #[arg(long, value_name = "PATH")]
        model: Option<PathBuf>,
        /// The chip (e.g. nash-e, bayes-e): picks the toolchain profile.
        #[arg(long, value_name = "MARCH")]
        march: Option<String>,
        /// The toolchain release: oe3 (default) or hmct-2.8.
        #[arg(long, value_name = "RELEASE")]
        toolchain: Option<String>,
        /// table, csv or json; html draws the precision map as one self-contained page, svg as
        /// a static picture (models of up to 2000 nodes).
        #[arg(long, value_enum, default_value_t = ExplainFormat::Table)]
        format: ExplainFormat,
        /// Only the nodes that node_config names (table, csv and json).
        #[arg(long)]
        only_overridden: bool,
        /// Write to this file instead of standard output.
        #[arg(short = 'o', long = "output", value_name = "OUT")]
        output: Option<PathBuf>,
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Print the JSON Schema of quant_config (draft-07).
    Schema,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExplainFormat {
    Table,
    Csv,
    Json,
    Html,
    Svg,
}

#[derive(Clone, Copy, ValueEnum)]
enum CheckFormat {
    Human,
    Json,
}

fn main() -> ExitCode {
    // Before anything big is allocated: every command reads models and configs.
    qcls::without_huge_pages();
    let cli = Cli::parse();
    match cli.command {
        None | Some(Command::Serve { .. }) => {
            let _ = cli.stdio;
            let level = match cli.log_level.as_deref() {
                None => None,
                Some(name) => match qcls::server::log::parse_level(name) {
                    Some(level) => Some(level),
                    None => {
                        eprintln!(
                            "qcls: --log-level {name}: expected one of {}",
                            qcls::server::log::LEVELS.join(", ")
                        );
                        return ExitCode::from(2);
                    }
                },
            };
            qcls::server::run_stdio(level)
        }
        Some(Command::Check {
            model,
            march,
            toolchain,
            locale,
            format,
            paths,
        }) => {
            let overrides = qcls::cli::Overrides {
                model: model.as_deref(),
                march: march.as_deref(),
                toolchain: toolchain.as_deref(),
                locale: qcls::spec::Locale::from_tag(&locale),
            };
            let format = match format {
                CheckFormat::Human => qcls::cli::check::Format::Human,
                CheckFormat::Json => qcls::cli::check::Format::Json,
            };
            qcls::cli::check::run(&paths, overrides, format)
        }
        Some(Command::Explain {
            model,
            march,
            toolchain,
            format,
            only_overridden,
            output,
            file,
        }) => {
            let overrides = qcls::cli::Overrides {
                model: model.as_deref(),
                march: march.as_deref(),
                toolchain: toolchain.as_deref(),
                locale: qcls::spec::Locale::En,
            };
            use qcls::cli::explain::Format;
            let format = match format {
                ExplainFormat::Table => Format::Table,
                ExplainFormat::Csv => Format::Csv,
                ExplainFormat::Json => Format::Json,
                ExplainFormat::Html => Format::Html,
                ExplainFormat::Svg => Format::Svg,
            };
            qcls::cli::explain::run(&file, overrides, format, only_overridden, output.as_deref())
        }
        Some(Command::Schema) => {
            print!("{}", qcls::spec::schema::schema_text());
            ExitCode::SUCCESS
        }
    }
}

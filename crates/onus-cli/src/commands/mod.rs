//! One file per subcommand.

mod audit;
mod check;
mod completions;
mod crm;
mod diff;
mod duties;
mod explain;
mod init;
mod load;
mod matrix;
mod oscal;
mod render;
mod schema;
mod serve;

use clap::{Subcommand, ValueEnum};

use crate::error::CliError;

#[derive(Subcommand)]
pub enum Command {
    /// Check models and their upstream chains.
    Check(check::Args),
    /// Show the resolved matrix: who holds each area, per offering.
    Matrix(matrix::Args),
    /// Show one party's duties (default: the customer).
    Duties(duties::Args),
    /// Render the documents people read: a Markdown page, an HTML trust page, the stack diagram (SVG), an XLSX workbook.
    Render(render::Args),
    /// What changed between two versions of a model, classified for the customer.
    Diff(diff::Args),
    /// The Customer Responsibility Matrix: every control of a baseline, who holds it, per offering.
    Crm(crm::Args),
    /// OSCAL: export a model as a component definition or SSP, import one back.
    Oscal(oscal::Args),
    /// Run the portal: published models, tenants and accounts, on SQLite or PostgreSQL.
    Serve(serve::ServeArgs),
    /// Check a model and publish it (with its upstream chain) to a portal's database.
    Publish(serve::PublishArgs),
    /// Portal administration for automation: create a user, mint an API token.
    Admin(serve::AdminArgs),
    /// The portal's hash-chained audit log: verify it in the database or an exported file.
    Audit(audit::Args),
    /// Write a commented starter model.
    Init(init::Args),
    /// Print the JSON Schema of the model format, for editors.
    Schema,
    /// Explain a diagnostic code (or all of them, as Markdown).
    Explain(explain::Args),
    /// Print a shell completion script: `onus completions bash > /etc/bash_completion.d/onus`.
    Completions(completions::Args),
    /// Print the man page (roff): `onus man > onus.1`.
    #[command(hide = true)]
    Man,
}

impl Command {
    /// Whether the command runs the portal, which handles its signals itself.
    pub fn serves(&self) -> bool {
        matches!(self, Command::Serve(_))
    }
}

pub fn run(command: Command) -> Result<(), CliError> {
    match command {
        Command::Check(args) => check::run(args),
        Command::Matrix(args) => matrix::run(args),
        Command::Duties(args) => duties::run(args),
        Command::Render(args) => render::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Crm(args) => crm::run(args),
        Command::Oscal(args) => oscal::run(args),
        Command::Serve(args) => serve::serve(args),
        Command::Publish(args) => serve::publish(args),
        Command::Admin(args) => serve::admin(args),
        Command::Audit(args) => audit::run(args),
        Command::Init(args) => init::run(args),
        Command::Schema => schema::run(),
        Command::Explain(args) => explain::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Man => completions::man(),
    }
}

/// Formats of the `matrix` and `duties` views.
#[derive(Clone, Copy, ValueEnum)]
pub enum ViewFormat {
    Table,
    Markdown,
    Csv,
    Json,
}

impl ViewFormat {
    pub fn to_export(self) -> onus_export::Format {
        match self {
            ViewFormat::Table => onus_export::Format::Table {
                width: crate::output::table_width(),
            },
            ViewFormat::Markdown => onus_export::Format::Markdown,
            ViewFormat::Csv => onus_export::Format::Csv,
            ViewFormat::Json => onus_export::Format::Json,
        }
    }
}

//! Subcommands, one file each: each defines its clap `Args` and a `run` returning the exit code.

pub mod can;
pub mod classify;
pub mod diff;
pub mod graph;
pub mod inventory;
pub mod is_public;
pub mod scan;
pub mod synth;
pub mod train;
pub mod who_can;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Finds, proves and ranks the routes by which data can leave an AWS organization.
#[derive(Debug, Parser)]
#[command(name = "leakpath", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// What an export holds: accounts, principals, policies, buckets, network, coverage.
    Inventory(inventory::Args),
    /// Every confirmed route by which data leaves the zone of trust.
    Scan(scan::Args),
    /// Could any request of this shape be allowed? With the witness and deciding statements.
    Can(can::Args),
    /// Block Public Access's verdict on one resource policy.
    IsPublic(is_public::Args),
    /// Every principal and outside actor that can perform an action on a resource.
    WhoCan(who_can::Args),
    /// The access graph (or one route) as Graphviz dot.
    Graph(graph::Args),
    /// Sensitivity labels for files or folders of sample data.
    Classify(classify::Args),
    /// Retrain the sensitivity classifier.
    Train(train::Args),
    /// Routes opened and closed between two exports, with the changes that caused them.
    Diff(diff::Args),
    /// Write a generated export in the standard layout (deterministic per seed).
    Synth(synth::Args),
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Inventory(a) => inventory::run(a),
        Command::Scan(a) => scan::run(a),
        Command::Can(a) => can::run(a),
        Command::IsPublic(a) => is_public::run(a),
        Command::WhoCan(a) => who_can::run(a),
        Command::Graph(a) => graph::run(a),
        Command::Classify(a) => classify::run(a),
        Command::Train(a) => train::run(a),
        Command::Synth(a) => synth::run(a),
        Command::Diff(a) => diff::run(a),
    }
}

//! GitHub: the event, the inputs, workflow commands, the REST API (octocrab), and the
//! `bench-bot action` entrypoint that ties them together.

pub mod action;
pub mod api;
pub mod commands;
pub mod event;
pub mod inputs;
mod publish;

pub use action::run;
pub use publish::post_saved_report;

//! GitHub: the event payload, the action's inputs, workflow commands, the REST API
//! (octocrab) and publishing a report through it. The `bench-bot action` command that
//! ties them together is `app::action`.

pub mod alert;
pub mod api;
pub mod commands;
pub mod event;
pub mod inputs;
pub mod publish;
mod shapes;

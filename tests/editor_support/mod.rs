//! Readers for the editor grammars, just enough to list the words each
//! one treats as keywords (shared by the `editor_*` integration tests).

pub mod json;
pub mod textmate;
pub mod tree_sitter;
pub mod vim;

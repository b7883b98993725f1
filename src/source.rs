//! Every source text the program was built from, by [`FileId`].
//!
//! Spans only carry a `FileId`; diagnostics look the text and the display
//! name up here when they are rendered.

#![forbid(unsafe_code)]

use crate::syntax::ast::{FileId, Span};

pub struct SourceFile {
    /// What diagnostics call the file: the path as the user gave it, or
    /// `<stdlib>/list.dl`, `<repl>`.
    pub name: String,
    pub text: String,
}

impl SourceFile {
    /// The file is part of the standard library, not the user's program.
    pub fn is_library(&self) -> bool {
        self.name.starts_with(STDLIB_PREFIX)
    }
}

/// What the names of the standard library's files start with.
pub const STDLIB_PREFIX: &str = "<stdlib>/";

#[derive(Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.files.push(SourceFile {
            name: name.into(),
            text: text.into(),
        });
        FileId((self.files.len() - 1) as u32)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// `file:line:col` of the start of `span`, as a diagnostic's header
    /// shows it (line and column from 1, the column in characters).
    pub fn place(&self, span: Span) -> String {
        let Some(file) = self.files.get(span.file.0 as usize) else {
            return "?".to_string();
        };
        let start = (span.start as usize).min(file.text.len());
        let before = file.text.get(..start).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        format!("{}:{line}:{column}", file.name)
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }
}

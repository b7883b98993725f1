//! Every source text the program was built from, by [`FileId`].
//!
//! Spans only carry a `FileId`; diagnostics look the text and the display
//! name up here when they are rendered.

#![forbid(unsafe_code)]

use crate::syntax::ast::FileId;

pub struct SourceFile {
    /// What diagnostics call the file: the path as the user gave it, or
    /// `<stdlib>/list.dl`, `<repl>`.
    pub name: String,
    pub text: String,
}

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

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }
}

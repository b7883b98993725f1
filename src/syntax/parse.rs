//! The parser's public API: files, REPL input, primitive type schemes,
//! and whether REPL input is unfinished.

use crate::diagnostics::Diagnostic;
use crate::syntax::ast::*;
use crate::syntax::grammar;
use crate::syntax::lexer::Lexer;
use crate::syntax::parse_error;
use crate::syntax::sugar::{Builder, Top, TOPLEVEL_FILE};
use lalrpop_util::ParseError;

/// The file's items, or every diagnostic found. `assert` reports the
/// file as [`TOPLEVEL_FILE`]; [`parse_named_module`] gives its name.
pub fn parse_module(file: FileId, text: &str) -> Result<Vec<UntypedItem>, Vec<Diagnostic>> {
    parse_named_module(file, TOPLEVEL_FILE, text)
}

/// The items of the file called `name` (the name an `assert` in it
/// reports), or every diagnostic found.
pub fn parse_named_module(
    file: FileId,
    name: &str,
    text: &str,
) -> Result<Vec<UntypedItem>, Vec<Diagnostic>> {
    let tops = parse_tops(Builder::named(file, name, text), text)?;
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for top in tops {
        match top {
            Top::Item(item) => items.push(item),
            Top::Expr(e) => errors.push(parse_error::bare_expression(e.span)),
        }
    }
    if errors.is_empty() {
        Ok(items)
    } else {
        Err(errors)
    }
}

/// REPL: an expression, or items (`let x = 1` without `in` is an item;
/// `let x = 1 in x` is an expression; `type`, `open`, `import` are items).
pub fn parse_repl_input(file: FileId, text: &str) -> Result<ReplInput<()>, Vec<Diagnostic>> {
    let tops = parse_tops(Builder::new(file, text), text)?;
    let exprs = tops.iter().filter(|t| matches!(t, Top::Expr(_))).count();
    if exprs == 1 && tops.len() == 1 {
        if let Some(Top::Expr(e)) = tops.into_iter().next() {
            return Ok(ReplInput::Expr(e));
        }
        return Ok(ReplInput::Items(Vec::new()));
    }
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for top in tops {
        match top {
            Top::Item(item) => items.push(item),
            Top::Expr(e) => errors.push(parse_error::expression_among_items(e.span)),
        }
    }
    if errors.is_empty() {
        Ok(ReplInput::Items(items))
    } else {
        Err(errors)
    }
}

/// True when `text` fails to parse only because it ends too early (open
/// bracket, `let` without body, `match` with no arm, unterminated string
/// or comment, trailing operator): the REPL then asks for more lines.
pub fn is_incomplete(text: &str) -> bool {
    let builder = Builder::new(FileId(0), text);
    match grammar::ModuleParser::new().parse(&builder, Lexer::new(text)) {
        Ok(_) => false,
        Err(ParseError::UnrecognizedEof { .. }) => true,
        Err(ParseError::User { error }) => matches!(error.code, "E002" | "E004"),
        Err(_) => false,
    }
}

/// Parses a primitive's type as written in runtime/prims.rs, e.g.
/// `'a * 'b -> 'a where 'a : diff, 'b : num`. Returns the type and the
/// (type variable name without quote, class name) constraints.
pub fn parse_type_scheme(text: &str) -> Result<(TypeExpr, Vec<(String, String)>), String> {
    let (ty_text, constraints_text) = split_where(text);
    let builder = Builder::new(FileId(0), ty_text);
    let ty = grammar::TypeOnlyParser::new()
        .parse(&builder, Lexer::new(ty_text))
        .map_err(|e| {
            let d = parse_error::to_diagnostic(FileId(0), ty_text, e);
            format!("bad type `{}`: {}", ty_text.trim(), d.message)
        })?;
    let constraints = match constraints_text {
        Some(c) => parse_constraints(c)?,
        None => Vec::new(),
    };
    Ok((ty, constraints))
}

/// Splits at the word `where` (not a keyword, so the grammar cannot).
fn split_where(text: &str) -> (&str, Option<&str>) {
    let bytes = text.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'\'';
    for (i, _) in text.match_indices("where") {
        let before_ok = i == 0 || !is_word(bytes[i - 1]);
        let after = i + "where".len();
        let after_ok = after == bytes.len() || !is_word(bytes[after]);
        if before_ok && after_ok {
            return (&text[..i], Some(&text[after..]));
        }
    }
    (text, None)
}

/// `'a : num, 'b : diff` or `'a, 'b : diff` (a variable without a class
/// takes the class of the next one that has one).
fn parse_constraints(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut result = Vec::new();
    let mut waiting = Vec::new();
    for part in text.split(',') {
        let (var, class) = match part.split_once(':') {
            Some((v, c)) => (v.trim(), Some(c.trim())),
            None => (part.trim(), None),
        };
        let name = var
            .strip_prefix('\'')
            .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .ok_or_else(|| {
                format!(
                    "bad constraint `{}`: expected a type variable like `'a`",
                    part.trim()
                )
            })?;
        waiting.push(name.to_string());
        if let Some(class) = class {
            if class.is_empty() || !class.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!("bad class name in constraint `{}`", part.trim()));
            }
            result.extend(waiting.drain(..).map(|v| (v, class.to_string())));
        }
    }
    if let Some(v) = waiting.first() {
        return Err(format!("constraint on `'{v}` has no class"));
    }
    Ok(result)
}

fn parse_tops(builder: Builder, text: &str) -> Result<Vec<Top>, Vec<Diagnostic>> {
    let file = builder.file;
    let result = grammar::ModuleParser::new().parse(&builder, Lexer::new(text));
    let mut diagnostics = builder.into_diagnostics();
    match result {
        Ok(tops) if diagnostics.is_empty() => Ok(tops),
        Ok(_) => Err(diagnostics),
        Err(e) => {
            diagnostics.push(parse_error::to_diagnostic(file, text, e));
            diagnostics.sort_by_key(|d| d.labels.first().map(|l| l.span.start));
            Err(diagnostics)
        }
    }
}

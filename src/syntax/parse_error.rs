//! Parse errors in the user's words.
//!
//! lalrpop reports an unexpected token with the set of terminals it would
//! have accepted. That set is translated into a phrase ("expected `then`
//! after the condition of `if`"), using what is still open at the error —
//! brackets, and keywords waiting for their partner — which [`Context`]
//! (in [`crate::syntax::open_constructs`]) finds by re-reading the tokens
//! before the error.
//!
//! Codes: E101 unexpected token, E102 unexpected end of input, E103 a bare
//! top-level expression, E104 an unclosed bracket (`(`, `[`, `[|`, `{`,
//! `begin`, `do`), E105 a closing bracket with nothing to close, E106
//! nesting too deep (see [`crate::syntax::depth`]).

use crate::diagnostics::Diagnostic;
use crate::syntax::ast::{FileId, Span};
use crate::syntax::lexer::LexError;
use crate::syntax::open_constructs::{closer_of, Context, Frame};
use crate::syntax::token::Token;
use lalrpop_util::ParseError;

const BARE_EXPRESSION: &str =
    "a top-level expression must be bound with `let () = …` or `let _ = …`";

pub fn bare_expression(span: Span) -> Diagnostic {
    Diagnostic::error("E103", BARE_EXPRESSION)
        .with_label(span, "this expression is not bound by a `let`")
        .with_note("write `let () = …` to run it for its effect (as in OCaml)")
}

pub fn expression_among_items(span: Span) -> Diagnostic {
    Diagnostic::error(
        "E103",
        "enter either one expression or some items (`let`, `type`, `open`, `import`), not both",
    )
    .with_label(span, "this expression is not bound by a `let`")
    .with_note("bind it with `let () = …` or enter it on its own")
}

/// An argument at the start of a line, after a function on an earlier one.
pub fn glued_line(span: Span) -> Diagnostic {
    Diagnostic::error("E103", BARE_EXPRESSION)
        .with_label(
            span,
            "this line would be read as an argument of the call on the line above",
        )
        .with_note("start it with `let () =`, or indent it if it does continue the line above")
}

pub fn to_diagnostic(
    file: FileId,
    text: &str,
    error: ParseError<usize, Token, LexError>,
) -> Diagnostic {
    match error {
        ParseError::User { error } => error.to_diagnostic(file),
        ParseError::InvalidToken { location } => Diagnostic::error("E001", "unexpected character")
            .with_label(Span::new(file, location, location), ""),
        ParseError::UnrecognizedEof { location, expected } => {
            let found = Found {
                span: Span::new(file, location, location),
                token: None,
                text: String::new(),
            };
            explain(file, text, found, &expected)
        }
        ParseError::UnrecognizedToken {
            token: (l, token, r),
            expected,
        } => {
            let found = Found {
                span: Span::new(file, l, r),
                token: Some(token),
                text: text[l..r].to_string(),
            };
            explain(file, text, found, &expected)
        }
        ParseError::ExtraToken { token: (l, _, r) } => {
            Diagnostic::error("E101", format!("unexpected `{}`", shorten(&text[l..r])))
                .with_label(Span::new(file, l, r), "nothing more was expected here")
        }
    }
}

/// The offending token, or the end of input.
struct Found {
    span: Span,
    token: Option<Token>,
    text: String,
}

impl Found {
    fn describe(&self) -> String {
        match &self.token {
            None => "the end of the input".into(),
            Some(Token::String(_)) => "a string".into(),
            Some(_) => format!("`{}`", shorten(&self.text)),
        }
    }

    fn code(&self) -> &'static str {
        if self.token.is_some() {
            "E101"
        } else {
            "E102"
        }
    }

    fn label(&self) -> String {
        match self.token {
            None => "the input ends here".into(),
            Some(_) => format!("unexpected {}", self.describe()),
        }
    }
}

fn explain(file: FileId, text: &str, found: Found, expected: &[String]) -> Diagnostic {
    let context = Context::before(text, found.span.start as usize);
    let expects = |terminal: &str| expected.iter().any(|e| e.trim_matches('"') == terminal);
    let span = |(l, r): (usize, usize)| Span::new(file, l, r);
    let eof = found.token.is_none();
    let at_end = if eof { "unexpected end of input: " } else { "" };
    let with_found = |phrase: String| {
        if eof {
            format!("{at_end}{phrase}")
        } else {
            format!("{phrase}, found {}", found.describe())
        }
    };
    let keyword = context.innermost_keyword();

    if let Some(Frame::Bracket { open, close, at }) = context.innermost_bracket() {
        if expects(close) {
            return Diagnostic::error("E104", format!("unclosed `{open}` — expected `{close}`"))
                .with_label(
                    found.span,
                    format!("expected `{close}` before {}", found.describe()),
                )
                .with_label(span(*at), format!("this `{open}` is never closed"));
        }
    }
    if let Some(frame) = keyword {
        let phrase = match frame {
            Frame::If { .. } if expects("then") => {
                Some("expected `then` after the condition of `if`")
            }
            Frame::Let {
                local: true,
                seen_eq: true,
                ..
            } if expects("in") => Some("expected `in` after the binding of `let … =`"),
            Frame::Let { seen_eq: false, .. } if expects("=") => {
                Some("expected `=` in the `let` binding")
            }
            Frame::Match { .. } if expects("with") => {
                Some("expected `with` after the expression being matched")
            }
            Frame::Arm { .. } if expects("->") => {
                Some("expected `->` after the pattern of this arm")
            }
            Frame::Fun { .. } if expects("->") => {
                Some("expected `->` after the parameters of `fun`")
            }
            Frame::Shift { .. } if expects("->") => Some("expected `->` after `shift k`"),
            Frame::Loop { keyword: "for", .. } if expects("to") => {
                Some("expected `to` or `downto` after the start value of `for`")
            }
            Frame::Loop { keyword: "for", .. } if expects("do") => {
                Some("expected `do` after the bounds of `for`")
            }
            Frame::Loop {
                keyword: "while", ..
            } if expects("do") => Some("expected `do` after the condition of `while`"),
            _ => None,
        };
        if let Some(phrase) = phrase {
            let (opener, at) = frame.opener();
            let mut diagnostic = Diagnostic::error(found.code(), with_found(phrase.to_string()))
                .with_label(found.span, found.label())
                .with_label(span(at), format!("the `{opener}` is here"));
            if matches!(frame, Frame::Let { .. })
                && (at.0 == 0 || text.as_bytes()[at.0 - 1] == b'\n')
            {
                diagnostic = diagnostic.with_note(
                    "this `let` starts a line: if it begins a new top-level definition, the expression before it is unfinished",
                );
            }
            return diagnostic;
        }
        if let Frame::Let {
            local: false,
            seen_eq: true,
            at,
        } = frame
        {
            if found.token == Some(Token::In) {
                return Diagnostic::error("E103", BARE_EXPRESSION)
                    .with_label(found.span, "this `in` makes the `let` a top-level expression")
                    .with_label(span(*at), "the `let` is here")
                    .with_note("a top-level definition has no `in`; to run an expression, write `let () = let … in …`");
            }
        }
    }
    if let Some(Frame::Do { at }) = keyword {
        if expects("done") {
            return Diagnostic::error("E104", "unclosed `do` — expected `done`")
                .with_label(
                    found.span,
                    format!("expected `done` before {}", found.describe()),
                )
                .with_label(span(*at), "this `do` is never closed");
        }
    }
    if let Some(token) = &found.token {
        if starts_expression(token) && expects("type") && context.innermost_bracket().is_none() {
            let start = found.span.start as usize;
            let line_end = text[start..]
                .find(['\r', '\n'])
                .map_or(text.len(), |i| start + i);
            let line = Span::new(file, start, line_end.max(found.span.end as usize));
            return Diagnostic::error("E103", BARE_EXPRESSION)
                .with_label(line, "an expression cannot start here")
                .with_note("write `let () = …` to run it for its effect (as in OCaml)");
        }
        if let Some(open) = closer_of(token) {
            if !context.has_open(open) && !expects("fun") {
                return Diagnostic::error("E105", format!("unmatched `{}`", found.text))
                    .with_label(
                        found.span,
                        format!("there is no `{open}` for this to close"),
                    );
            }
        }
    }

    let previous = context.previous.as_ref().map(|(p, _)| p.as_str());
    let after = match previous {
        Some(prev) => format!(" after `{}`", shorten(prev)),
        None => String::new(),
    };
    let only = |allowed: &[&str]| {
        expected
            .iter()
            .all(|e| allowed.contains(&e.trim_matches('"')))
    };
    let mut notes = Vec::new();
    let phrase = if expects("fun") {
        format!("expected an expression{after}")
    } else if expects("_") {
        format!("expected a pattern{after}")
    } else if previous == Some("type") && expects("Ident") {
        "expected the name of the type after `type`".to_string()
    } else if expects("TypeVar") {
        format!("expected a type{after}")
    } else if previous == Some(".") && only(&["Ident", "UpperIdent", "("]) {
        "expected a name or `(` after `.`".to_string()
    } else if expects("Ident") && only(&["Ident", "UpperIdent"]) {
        format!("expected a name{after}")
    } else if expects("UpperIdent") && only(&["UpperIdent"]) {
        if matches!(found.token, Some(Token::Ident(_))) {
            notes.push("constructor and module names start with a capital letter");
        }
        if matches!(previous, Some("open" | "import")) {
            format!("expected a module name{after}")
        } else {
            format!("expected a constructor name{after}")
        }
    } else if expected.is_empty() || expected.len() > 4 {
        String::new()
    } else {
        let names: Vec<String> = expected.iter().map(|e| terminal_name(e)).collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => {
                format!("expected {} or {last}", rest.join(", "))
            }
            _ => format!("expected {}", names.join("")),
        }
    };
    let message = if phrase.is_empty() {
        format!("unexpected {}", found.describe())
    } else {
        with_found(phrase)
    };
    if let Some(note) = found.token.as_ref().and_then(stray_keyword_note) {
        notes.push(note);
    }
    let mut diagnostic =
        Diagnostic::error(found.code(), message).with_label(found.span, found.label());
    for note in notes {
        diagnostic = diagnostic.with_note(note);
    }
    diagnostic
}

/// Why a keyword that closes a construct may appear with nothing open.
fn stray_keyword_note(token: &Token) -> Option<&'static str> {
    match token {
        Token::Else => Some(
            "no `if … then` is waiting for this `else`; note that `;` ends an `if` branch: \
             write `if c then (a; b) else …` or use `begin … end`",
        ),
        Token::Then => Some("no `if` is waiting for this `then`"),
        Token::In => Some("no local `let` is waiting for this `in`"),
        Token::With => Some("no `match` (or record `{ e with … }`) is waiting for this `with`"),
        Token::Do => Some("`do` follows the header of a `for` or `while` loop"),
        _ => None,
    }
}

/// A terminal of the grammar as the user knows it.
fn terminal_name(terminal: &str) -> String {
    match terminal {
        "Ident" => "a name".into(),
        "UpperIdent" => "a constructor or module name".into(),
        "TypeVar" => "a type variable".into(),
        "IntLit" => "an integer".into(),
        "FloatLit" => "a float".into(),
        "StringLit" => "a string".into(),
        quoted => format!("`{}`", quoted.trim_matches('"')),
    }
}

fn shorten(text: &str) -> String {
    if text.chars().count() > 24 {
        let head: String = text.chars().take(20).collect();
        format!("{head}…")
    } else {
        text.to_string()
    }
}

fn starts_expression(token: &Token) -> bool {
    matches!(
        token,
        Token::If
            | Token::Match
            | Token::Fun
            | Token::Function
            | Token::For
            | Token::While
            | Token::Begin
            | Token::Shift
            | Token::Reset
            | Token::Ref
            | Token::Not
            | Token::Bang
            | Token::LParen
            | Token::LBracket
            | Token::LArray
            | Token::LBrace
            | Token::Ident(_)
            | Token::UpperIdent(_)
            | Token::Int(_)
            | Token::Float(_)
            | Token::String(_)
            | Token::True
            | Token::False
    )
}

//! Adapts the logos tokens to the stream lalrpop expects, doing the parts
//! of lexing a regular expression cannot: nested block comments, string
//! escapes, and precise lexical errors.
//!
//! Lexical error codes:
//! - E001 unexpected character
//! - E002 unterminated string literal
//! - E003 invalid escape sequence in a string literal
//! - E004 unterminated block comment
//! - E006 `*)` outside a comment
//!
//! (E005, an integer literal out of range, is reported by the parser,
//! because `-9223372036854775808` is only valid when negated.)

use crate::diagnostics::Diagnostic;
use crate::syntax::ast::{FileId, Span};
use crate::syntax::token::Token;
use logos::Logos;

/// A lexical error: code, message, and the byte range it is about.
#[derive(Clone, Debug, PartialEq)]
pub struct LexError {
    pub code: &'static str,
    pub message: String,
    pub label: String,
    pub start: usize,
    pub end: usize,
}

impl LexError {
    fn new(
        code: &'static str,
        message: impl Into<String>,
        label: impl Into<String>,
        start: usize,
        end: usize,
    ) -> LexError {
        LexError {
            code,
            message: message.into(),
            label: label.into(),
            start,
            end,
        }
    }

    pub fn to_diagnostic(&self, file: FileId) -> Diagnostic {
        Diagnostic::error(self.code, self.message.clone())
            .with_label(Span::new(file, self.start, self.end), self.label.clone())
    }
}

pub type Spanned = Result<(usize, Token, usize), LexError>;

/// The token stream of one source text. It ends after the first error.
pub struct Lexer<'a> {
    inner: logos::Lexer<'a, Token>,
    text: &'a str,
    failed: bool,
}

impl<'a> Lexer<'a> {
    pub fn new(text: &'a str) -> Lexer<'a> {
        Lexer {
            inner: Token::lexer(text),
            text,
            failed: false,
        }
    }

    fn next_token(&mut self) -> Option<Spanned> {
        loop {
            let result = self.inner.next()?;
            let span = self.inner.span();
            let (start, end) = (span.start, span.end);
            return Some(match result {
                Ok(Token::BlockCommentOpen) => match comment_length(&self.text[end..]) {
                    Some(len) => {
                        self.inner.bump(len);
                        continue;
                    }
                    None => Err(LexError::new(
                        "E004",
                        "unterminated comment",
                        "this comment is never closed with `*)`",
                        start,
                        end,
                    )),
                },
                Ok(Token::BlockCommentClose) => Err(LexError::new(
                    "E006",
                    "`*)` outside a comment",
                    "no comment is open here",
                    start,
                    end,
                )),
                Ok(Token::String(raw)) => {
                    decode_string(&raw, start).map(|s| (start, Token::String(s), end))
                }
                Ok(token) => Ok((start, token, end)),
                Err(()) => Err(self.unexpected_at(start)),
            });
        }
    }

    fn unexpected_at(&self, start: usize) -> LexError {
        let ch = self.text[start..].chars().next().unwrap_or(' ');
        if ch == '"' {
            return LexError::new(
                "E002",
                "unterminated string literal",
                "this string is never closed with `\"`",
                start,
                start + 1,
            );
        }
        let end = start + ch.len_utf8();
        let shown = if ch.is_control() {
            format!("{:?}", ch)
        } else {
            format!("`{ch}`")
        };
        let label = match ch {
            '\'' => "dlang has no character literals: use a string such as \"a\"",
            _ => "not part of any token",
        };
        LexError::new(
            "E001",
            format!("unexpected character {shown}"),
            label,
            start,
            end,
        )
    }
}

impl Iterator for Lexer<'_> {
    type Item = Spanned;

    fn next(&mut self) -> Option<Spanned> {
        if self.failed {
            return None;
        }
        let item = self.next_token();
        if matches!(item, Some(Err(_))) {
            self.failed = true;
        }
        item
    }
}

/// Bytes from just after an opening `(*` to just after its matching `*)`,
/// counting nested comments; `None` when the comment never closes.
fn comment_length(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    let mut depth = 1usize;
    let mut i = 0;
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'(', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b')') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// Decodes the escapes of a string literal. `raw` includes the quotes and
/// starts at byte `offset` of the source (for error spans).
///
/// Escapes: `\n \t \r \b \0 \\ \" \'`, `\xHH` (ASCII only, so strings
/// stay UTF-8), `\u{H…}` (any Unicode scalar value), and a backslash at
/// the end of a line, which skips the line break and the next line's
/// leading blanks (as in OCaml).
pub fn decode_string(raw: &str, offset: usize) -> Result<String, LexError> {
    let body = &raw[1..raw.len() - 1];
    let base = offset + 1;
    let mut out = String::with_capacity(body.len());
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((j, e)) = chars.next() else {
            return Err(bad_escape(base + i, base + i + 1, "\\"));
        };
        let simple = match e {
            'n' => Some('\n'),
            't' => Some('\t'),
            'r' => Some('\r'),
            'b' => Some('\u{8}'),
            '0' => Some('\0'),
            '\\' => Some('\\'),
            '"' => Some('"'),
            '\'' => Some('\''),
            _ => None,
        };
        if let Some(s) = simple {
            out.push(s);
            continue;
        }
        match e {
            '\n' => while chars.next_if(|(_, c)| *c == ' ' || *c == '\t').is_some() {},
            'x' => {
                let hex: String = (0..2)
                    .filter_map(|_| chars.next_if(|(_, c)| c.is_ascii_hexdigit()))
                    .map(|(_, c)| c)
                    .collect();
                let end = base + j + 1 + hex.len();
                match u8::from_str_radix(&hex, 16) {
                    Ok(code) if hex.len() == 2 && code < 0x80 => out.push(char::from(code)),
                    _ => {
                        return Err(bad_escape(base + i, end, &body[i..end - base]).with_note(
                            "`\\xHH` takes two hex digits of an ASCII character; use `\\u{…}` for others",
                        ))
                    }
                }
            }
            'u' => {
                let (end, decoded) = unicode_escape(body, j + 1);
                match decoded {
                    Some(ch) => {
                        out.push(ch);
                        while chars.peek().is_some_and(|(k, _)| *k < end) {
                            chars.next();
                        }
                    }
                    None => {
                        return Err(bad_escape(base + i, base + end, &body[i..end]).with_note(
                            "write a Unicode escape as `\\u{1F600}` (1 to 6 hex digits)",
                        ))
                    }
                }
            }
            other => {
                let end = j + other.len_utf8();
                return Err(bad_escape(base + i, base + end, &body[i..end]).with_note(
                    "valid escapes are \\n \\t \\r \\b \\0 \\\\ \\\" \\' \\xHH \\u{H…}",
                ));
            }
        }
    }
    Ok(out)
}

/// Parses `{H…}` starting at byte `at` of `body` (just after `\u`).
/// Returns the end of what was examined and the character, if valid.
fn unicode_escape(body: &str, at: usize) -> (usize, Option<char>) {
    let rest = &body[at..];
    if !rest.starts_with('{') {
        return (at, None);
    }
    let Some(close) = rest.find('}') else {
        return (at + 1, None);
    };
    let digits = &rest[1..close];
    let end = at + close + 1;
    let valid =
        !digits.is_empty() && digits.len() <= 6 && digits.chars().all(|c| c.is_ascii_hexdigit());
    let ch = if valid {
        u32::from_str_radix(digits, 16)
            .ok()
            .and_then(char::from_u32)
    } else {
        None
    };
    (end, ch)
}

fn bad_escape(start: usize, end: usize, text: &str) -> LexError {
    LexError::new(
        "E003",
        format!("invalid escape sequence `{text}` in a string"),
        "invalid escape",
        start,
        end,
    )
}

impl LexError {
    fn with_note(mut self, note: &str) -> LexError {
        self.label = format!("{}: {note}", self.label);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<Token> {
        Lexer::new(text)
            .filter_map(|t| t.ok())
            .map(|(_, t, _)| t)
            .collect()
    }

    fn first_error(text: &str) -> LexError {
        Lexer::new(text).find_map(|t| t.err()).expect("an error")
    }

    #[test]
    fn nested_comments_are_skipped() {
        assert_eq!(
            tokens("1 (* a (* b *) c *) 2"),
            vec![Token::Int("1".into()), Token::Int("2".into())]
        );
        assert_eq!(tokens("# line\n3"), vec![Token::Int("3".into())]);
    }

    #[test]
    fn unterminated_comment_points_at_its_opening() {
        let e = first_error("x (* a (* b *)");
        assert_eq!((e.code, e.start, e.end), ("E004", 2, 4));
    }

    #[test]
    fn stray_comment_close() {
        assert_eq!(first_error("a *) b").code, "E006");
    }

    #[test]
    fn string_escapes() {
        assert_eq!(
            tokens(r#""a\tb\n\"\\\u{e9}\x41""#),
            vec![Token::String("a\tb\n\"\\éA".into())]
        );
        assert_eq!(tokens("\"a\\\n   b\""), vec![Token::String("ab".into())]);
    }

    #[test]
    fn bad_escape_points_at_the_escape() {
        let e = first_error(r#"x = "ab\qc""#);
        assert_eq!((e.code, e.start, e.end), ("E003", 7, 9));
        let e = first_error(r#""\u{110000}""#);
        assert_eq!(e.code, "E003");
    }

    #[test]
    fn unterminated_string() {
        let e = first_error("let s = \"abc");
        assert_eq!((e.code, e.start, e.end), ("E002", 8, 9));
    }

    #[test]
    fn user_operators_take_the_level_of_their_first_character() {
        let op = |s: &str| s.to_string();
        assert_eq!(
            tokens("|> @@ +. ** **. *! $ &"),
            vec![
                Token::InfixCmp(op("|>")),
                Token::InfixConcat(op("@@")),
                Token::InfixAdd(op("+.")),
                Token::StarStar,
                Token::InfixPow(op("**.")),
                Token::InfixMul(op("*!")),
                Token::InfixCmp(op("$")),
                Token::InfixCmp(op("&")),
            ]
        );
        // The operators of §3 stay tokens of their own.
        assert_eq!(
            tokens("-> <- || && := :: ++ <= |]"),
            vec![
                Token::Arrow,
                Token::LeftArrow,
                Token::BarBar,
                Token::AmpAmp,
                Token::ColonEq,
                Token::ColonColon,
                Token::PlusPlus,
                Token::Le,
                Token::RArray,
            ]
        );
        // `( * )` is multiplication, `(*` a comment.
        assert_eq!(
            tokens("( * )"),
            vec![Token::LParen, Token::Star, Token::RParen]
        );
        assert_eq!(tokens("(*)*)"), vec![]);
    }

    #[test]
    fn unexpected_character() {
        let e = first_error("let x = 1 ? 2");
        assert_eq!((e.code, e.start, e.end), ("E001", 10, 11));
        let e = first_error("é");
        assert_eq!((e.code, e.start, e.end), ("E001", 0, 2));
    }
}

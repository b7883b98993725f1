//! Keywords of the tree-sitter grammar: with `word: $ => $.identifier`,
//! every string token that looks like a name is a keyword.

use std::collections::BTreeSet;

fn is_word(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_lowercase() || c == '_')
}

/// The tokens of grammar.js that look like names: its keywords.
pub fn grammar_keywords(source: &str) -> BTreeSet<String> {
    grammar_tokens(source)
        .into_iter()
        .filter(|token| is_word(token))
        .collect()
}

/// Single-quoted strings of grammar.js that are tokens: not field
/// names (`field('body', …)`) nor the grammar's own `name:`. Comments,
/// double-quoted strings and regex literals (grammar.js divides
/// nothing, so every other `/` starts one) are skipped.
pub fn grammar_tokens(source: &str) -> BTreeSet<String> {
    let mut tokens = BTreeSet::new();
    let mut code = String::new();
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                chars.by_ref().find(|&c| c == '\n');
            }
            '/' if chars.peek() == Some(&'*') => {
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
            }
            '/' => skip_regex(&mut chars),
            '"' | '`' => {
                read_quoted(&mut chars, c);
            }
            '\'' => {
                let text = read_quoted(&mut chars, '\'');
                let before = code.trim_end();
                let is_label = before.ends_with("field(") || before.ends_with("name:");
                if !is_label {
                    tokens.insert(text);
                }
                code.push_str("''");
            }
            _ => code.push(c),
        }
    }
    tokens
}

fn read_quoted(chars: &mut impl Iterator<Item = char>, quote: char) -> String {
    let mut text = String::new();
    while let Some(c) = chars.next() {
        match c {
            '\\' => text.extend(chars.next()),
            c if c == quote => break,
            c => text.push(c),
        }
    }
    text
}

fn skip_regex(chars: &mut impl Iterator<Item = char>) {
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' => in_class = true,
            ']' => in_class = false,
            '/' if !in_class => break,
            _ => {}
        }
    }
}

/// Double-quoted words on the keyword and boolean capture lines of
/// highlights.scm (predicate lines, `(#any-of? …)`, excluded).
pub fn highlighted_keywords(source: &str) -> BTreeSet<String> {
    source
        .lines()
        .filter(|line| !line.trim_start().starts_with(';') && !line.contains('#'))
        .filter(|line| line.contains("@keyword") || line.contains("@boolean"))
        .flat_map(|line| line.split('"').skip(1).step_by(2))
        .filter(|text| is_word(text))
        .map(str::to_string)
        .collect()
}

#[test]
fn field_names_are_not_keywords() {
    let words = grammar_keywords(
        "// 'if'\nname: 'dlang', x: ($) => seq('let', field('body', /[a-z']+/), 'in', \"'fun'\")",
    );
    let expected: BTreeSet<String> = ["let", "in"].map(String::from).into();
    assert_eq!(words, expected);
}

//! Which words a TextMate grammar highlights as keywords.

use super::json::Value;
use std::collections::BTreeSet;

/// Keyword scopes: `keyword.*` (control, operator words, `shift`…)
/// and the boolean literals, which the lexer also lists as keywords.
fn is_keyword_scope(scope: &str) -> bool {
    scope.starts_with("keyword.") || scope.starts_with("constant.language.boolean")
}

/// Collects the words of every rule that gives a keyword scope, either
/// to its whole match (`name`) or to a capture group. Words are read
/// from the whole regex, so a rule scoping a keyword must not spell
/// other words outside character classes.
pub fn collect_keyword_words(value: &Value, found: &mut BTreeSet<String>) {
    match value {
        Value::Object(fields) => {
            let regexes: Vec<&str> = ["match", "begin", "end"]
                .iter()
                .filter_map(|key| value.get(key).and_then(Value::as_str))
                .collect();
            let named_keyword = value
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(is_keyword_scope);
            let captures_keyword = ["captures", "beginCaptures", "endCaptures"]
                .iter()
                .filter_map(|key| value.get(key))
                .any(|captures| match captures {
                    Value::Object(groups) => groups.iter().any(|(_, group)| {
                        group
                            .get("name")
                            .and_then(Value::as_str)
                            .is_some_and(is_keyword_scope)
                    }),
                    _ => false,
                });
            if named_keyword || captures_keyword {
                for regex in regexes {
                    found.extend(regex_words(regex));
                }
            }
            for (_, field) in fields {
                collect_keyword_words(field, found);
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_keyword_words(item, found);
            }
        }
        _ => {}
    }
}

/// The literal words an Oniguruma regex spells, skipping escapes
/// (`\b`, `\w`, `\(`) and character classes (`[a-z_]`).
pub fn regex_words(regex: &str) -> BTreeSet<String> {
    let mut literal = String::new();
    let mut chars = regex.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
                literal.push(' ');
            }
            '[' => {
                // A `]` first in the class (after an optional `^`) is literal.
                if chars.peek() == Some(&'^') {
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    chars.next();
                }
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        ']' => break,
                        _ => {}
                    }
                }
                literal.push(' ');
            }
            _ => literal.push(c),
        }
    }
    literal
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '\''))
        .map(|w| w.trim_matches('\''))
        .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()))
        .map(str::to_string)
        .collect()
}

#[test]
fn regex_words_skips_escapes_and_classes() {
    let words = regex_words(r"(?<![\w'])(let|and)\s+(?:(rec)\s+)?([a-z_][\w']*)(?=\s*\()");
    let expected: BTreeSet<String> = ["let", "and", "rec"].map(String::from).into();
    assert_eq!(words, expected);
    assert!(regex_words(r"\*\*|[-+*/%]|[]a]|[^]b]").is_empty());
}

//! The editor grammars under `editor/` must highlight exactly the lexer's
//! keywords (`dlang::syntax::token::KEYWORDS`): every one of them, and no
//! word the lexer does not treat as a keyword. The grammars' behaviour on
//! real code is tested by `editor/check.sh` (Node and Vim); this test
//! needs neither, so it runs with a plain `cargo test`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use dlang::syntax::token::KEYWORDS;

fn editor_file(relative: &str) -> (PathBuf, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("editor")
        .join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    (path, text)
}

fn lexer_keywords() -> BTreeSet<String> {
    KEYWORDS.iter().map(|k| k.to_string()).collect()
}

/// Fails with the words missing from, and the words extra in, `found`.
fn assert_same_keywords(grammar: &str, found: &BTreeSet<String>) {
    let expected = lexer_keywords();
    let missing: Vec<_> = expected.difference(found).collect();
    let extra: Vec<_> = found.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{grammar} is out of step with KEYWORDS in src/syntax/token.rs:\n  \
         keywords it does not highlight: {missing:?}\n  \
         words it highlights as keywords that the lexer lacks: {extra:?}"
    );
}

#[test]
fn textmate_grammar_highlights_exactly_the_lexer_keywords() {
    let (path, text) = editor_file("vscode/syntaxes/dlang.tmLanguage.json");
    let grammar = json::parse(&text)
        .unwrap_or_else(|err| panic!("{} is not valid JSON: {err}", path.display()));
    let mut found = BTreeSet::new();
    textmate::collect_keyword_words(&grammar, &mut found);
    assert_same_keywords("editor/vscode/syntaxes/dlang.tmLanguage.json", &found);
}

#[test]
fn vim_syntax_highlights_exactly_the_lexer_keywords() {
    let (_, text) = editor_file("vim/syntax/dlang.vim");
    let items = vim::syntax_items(&text);

    let misplaced: Vec<_> = items
        .iter()
        .filter(|item| item.kind != "keyword" && vim::is_keyword_group(&item.group))
        .map(|item| &item.group)
        .collect();
    assert!(
        misplaced.is_empty(),
        "keyword groups must be filled with `syn keyword` only, so this test sees them: {misplaced:?}"
    );

    let found: BTreeSet<String> = items
        .iter()
        .filter(|item| item.kind == "keyword" && vim::is_keyword_group(&item.group))
        .flat_map(|item| item.words.iter().cloned())
        .collect();
    assert_same_keywords("editor/vim/syntax/dlang.vim", &found);

    // A top-level group holding a keyword would shadow its highlighting.
    let lexer = lexer_keywords();
    for item in &items {
        if item.kind == "keyword" && !vim::is_keyword_group(&item.group) && !item.contained {
            let clashes: Vec<_> = item.words.iter().filter(|w| lexer.contains(*w)).collect();
            assert!(
                clashes.is_empty(),
                "{} highlights lexer keywords as something else: {clashes:?}",
                item.group
            );
        }
    }
}

#[test]
fn vscode_manifest_points_at_the_grammar() {
    let (_, manifest) = editor_file("vscode/package.json");
    let manifest = json::parse(&manifest).expect("editor/vscode/package.json is valid JSON");
    let grammars = manifest
        .get("contributes")
        .and_then(|c| c.get("grammars"))
        .and_then(json::Value::as_array)
        .expect("package.json contributes grammars");
    let grammar = &grammars[0];
    assert_eq!(
        grammar.get("scopeName").and_then(json::Value::as_str),
        Some("source.dlang")
    );
    let path = grammar
        .get("path")
        .and_then(json::Value::as_str)
        .expect("grammar path");
    let (_, text) = editor_file(&format!("vscode/{path}"));
    let grammar = json::parse(&text).expect("grammar is valid JSON");
    assert_eq!(
        grammar.get("scopeName").and_then(json::Value::as_str),
        Some("source.dlang")
    );

    let (_, config) = editor_file("vscode/language-configuration.json");
    let config = json::parse(&config).expect("language-configuration.json is valid JSON");
    let comments = config.get("comments").expect("comments");
    assert_eq!(
        comments.get("lineComment").and_then(json::Value::as_str),
        Some("#")
    );
}

/// Which words a TextMate grammar highlights as keywords.
mod textmate {
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
}

/// The `syn` items of a Vim syntax file.
mod vim {
    pub struct SyntaxItem {
        /// `keyword`, `match`, `region`, …
        pub kind: String,
        pub group: String,
        /// For `syn keyword`: the keywords (options such as `contained`
        /// left out).
        pub words: Vec<String>,
        pub contained: bool,
    }

    /// By the syntax file's convention, the groups holding lexer keywords.
    pub fn is_keyword_group(group: &str) -> bool {
        group.starts_with("dlang") && group.ends_with("Keyword")
    }

    pub fn syntax_items(source: &str) -> Vec<SyntaxItem> {
        // Lines starting with `\` continue the previous one.
        let mut lines: Vec<String> = Vec::new();
        for line in source.lines() {
            let trimmed = line.trim_start();
            match (trimmed.strip_prefix('\\'), lines.last_mut()) {
                (Some(rest), Some(last)) => last.push_str(rest),
                _ => lines.push(trimmed.to_string()),
            }
        }
        lines
            .iter()
            .filter_map(|line| {
                let mut tokens = line.split_whitespace();
                let command = tokens.next()?;
                if !matches!(command, "syn" | "synt" | "synta" | "syntax") {
                    return None;
                }
                let kind = tokens.next()?.to_string();
                if !matches!(kind.as_str(), "keyword" | "match" | "region") {
                    return None;
                }
                let group = tokens.next()?.to_string();
                let rest: Vec<&str> = tokens.collect();
                let contained = rest.contains(&"contained");
                let words = if kind == "keyword" {
                    rest.iter()
                        .filter(|t| !is_option(t))
                        .map(|t| t.to_string())
                        .collect()
                } else {
                    Vec::new()
                };
                Some(SyntaxItem {
                    kind,
                    group,
                    words,
                    contained,
                })
            })
            .collect()
    }

    fn is_option(token: &str) -> bool {
        const FLAGS: &[&str] = &[
            "contained",
            "transparent",
            "skipwhite",
            "skipnl",
            "skipempty",
            "conceal",
            "display",
            "fold",
            "oneline",
            "extend",
            "keepend",
            "excludenl",
        ];
        FLAGS.contains(&token) || token.contains('=')
    }
}

/// Just enough JSON to read the VS Code grammar and manifests, so the
/// crate needs no JSON dependency for one test.
mod json {
    pub enum Value {
        /// `null`, `true`, `false` or a number: never looked into here.
        Scalar,
        String(String),
        Array(Vec<Value>),
        Object(Vec<(String, Value)>),
    }

    impl Value {
        pub fn get(&self, key: &str) -> Option<&Value> {
            match self {
                Value::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
                _ => None,
            }
        }

        pub fn as_str(&self) -> Option<&str> {
            match self {
                Value::String(s) => Some(s),
                _ => None,
            }
        }

        pub fn as_array(&self) -> Option<&Vec<Value>> {
            match self {
                Value::Array(items) => Some(items),
                _ => None,
            }
        }
    }

    pub fn parse(text: &str) -> Result<Value, String> {
        let mut parser = Parser {
            chars: text.chars().collect(),
            pos: 0,
        };
        let value = parser.parse_value()?;
        parser.skip_whitespace();
        if parser.pos != parser.chars.len() {
            return Err(format!("trailing text at character {}", parser.pos));
        }
        Ok(value)
    }

    struct Parser {
        chars: Vec<char>,
        pos: usize,
    }

    impl Parser {
        fn skip_whitespace(&mut self) {
            while self.chars.get(self.pos).is_some_and(|c| c.is_whitespace()) {
                self.pos += 1;
            }
        }

        fn next_char(&mut self) -> Result<char, String> {
            let c = *self.chars.get(self.pos).ok_or("unexpected end of JSON")?;
            self.pos += 1;
            Ok(c)
        }

        fn expect_char(&mut self, expected: char) -> Result<(), String> {
            self.skip_whitespace();
            match self.next_char()? {
                c if c == expected => Ok(()),
                c => Err(format!(
                    "expected {expected:?}, found {c:?} at character {}",
                    self.pos - 1
                )),
            }
        }

        fn expect_word(&mut self, word: &str) -> Result<Value, String> {
            for expected in word.chars() {
                if self.next_char()? != expected {
                    return Err(format!("bad literal near character {}", self.pos));
                }
            }
            Ok(Value::Scalar)
        }

        fn parse_value(&mut self) -> Result<Value, String> {
            self.skip_whitespace();
            match self.chars.get(self.pos).copied() {
                Some('{') => self.parse_object(),
                Some('[') => self.parse_array(),
                Some('"') => self.parse_string().map(Value::String),
                Some('t') => self.expect_word("true"),
                Some('f') => self.expect_word("false"),
                Some('n') => self.expect_word("null"),
                Some(c) if c == '-' || c.is_ascii_digit() => self.parse_number(),
                Some(c) => Err(format!("unexpected {c:?} at character {}", self.pos)),
                None => Err("unexpected end of JSON".to_string()),
            }
        }

        fn parse_object(&mut self) -> Result<Value, String> {
            self.expect_char('{')?;
            let mut fields = Vec::new();
            self.skip_whitespace();
            if self.chars.get(self.pos) == Some(&'}') {
                self.pos += 1;
                return Ok(Value::Object(fields));
            }
            loop {
                self.skip_whitespace();
                let key = self.parse_string()?;
                self.expect_char(':')?;
                fields.push((key, self.parse_value()?));
                self.skip_whitespace();
                match self.next_char()? {
                    ',' => continue,
                    '}' => return Ok(Value::Object(fields)),
                    c => return Err(format!("expected ',' or '}}', found {c:?}")),
                }
            }
        }

        fn parse_array(&mut self) -> Result<Value, String> {
            self.expect_char('[')?;
            let mut items = Vec::new();
            self.skip_whitespace();
            if self.chars.get(self.pos) == Some(&']') {
                self.pos += 1;
                return Ok(Value::Array(items));
            }
            loop {
                items.push(self.parse_value()?);
                self.skip_whitespace();
                match self.next_char()? {
                    ',' => continue,
                    ']' => return Ok(Value::Array(items)),
                    c => return Err(format!("expected ',' or ']', found {c:?}")),
                }
            }
        }

        fn parse_string(&mut self) -> Result<String, String> {
            self.expect_char('"')?;
            let mut out = String::new();
            loop {
                match self.next_char()? {
                    '"' => return Ok(out),
                    '\\' => match self.next_char()? {
                        'n' => out.push('\n'),
                        't' => out.push('\t'),
                        'r' => out.push('\r'),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        'u' => {
                            let hex: String =
                                (0..4).map(|_| self.next_char()).collect::<Result<_, _>>()?;
                            let code = u32::from_str_radix(&hex, 16)
                                .map_err(|_| format!("bad \\u escape {hex:?}"))?;
                            out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                        }
                        c => out.push(c),
                    },
                    c => out.push(c),
                }
            }
        }

        fn parse_number(&mut self) -> Result<Value, String> {
            let start = self.pos;
            while self
                .chars
                .get(self.pos)
                .is_some_and(|c| c.is_ascii_digit() || "+-.eE".contains(*c))
            {
                self.pos += 1;
            }
            let text: String = self.chars[start..self.pos].iter().collect();
            text.parse::<f64>()
                .map(|_| Value::Scalar)
                .map_err(|_| format!("bad number {text:?}"))
        }
    }
}

//! The tokens of dlang (§1 of the language reference), recognised by logos.
//!
//! Block comments nest, which a regular expression cannot express, so
//! `(*` is a token of its own here and [`super::lexer`] skips the comment
//! by counting. [`KEYWORDS`] is the single list of keywords: the editor
//! grammars are tested against it.

use logos::Logos;

/// Every keyword of the language, as written in source.
pub const KEYWORDS: &[&str] = &[
    "let",
    "rec",
    "and",
    "in",
    "fun",
    "function",
    "if",
    "then",
    "else",
    "match",
    "with",
    "when",
    "type",
    "of",
    "as",
    "open",
    "import",
    "for",
    "to",
    "downto",
    "while",
    "do",
    "done",
    "begin",
    "end",
    "not",
    "shift",
    "reset",
    "true",
    "false",
    "ref",
    "mod",
    "mutable",
    "exception",
    "try",
    "assert",
];

#[derive(Logos, Clone, Debug, PartialEq)]
#[logos(skip r"[ \t\r\n\f]+")]
pub enum Token {
    #[regex(r"#[^\n]*", logos::skip, allow_greedy = true)]
    LineComment,
    /// Start of a (nested) block comment; the lexer adapter skips it.
    #[token("(*")]
    BlockCommentOpen,
    /// A `*)` outside any comment: always an error.
    #[token("*)")]
    BlockCommentClose,

    // Keywords.
    #[token("let")]
    Let,
    #[token("rec")]
    Rec,
    #[token("and")]
    And,
    #[token("in")]
    In,
    #[token("fun")]
    Fun,
    #[token("function")]
    Function,
    #[token("if")]
    If,
    #[token("then")]
    Then,
    #[token("else")]
    Else,
    #[token("match")]
    Match,
    #[token("with")]
    With,
    #[token("when")]
    When,
    #[token("type")]
    Type,
    #[token("of")]
    Of,
    #[token("as")]
    As,
    #[token("open")]
    Open,
    #[token("import")]
    Import,
    #[token("for")]
    For,
    #[token("to")]
    To,
    #[token("downto")]
    Downto,
    #[token("while")]
    While,
    #[token("do")]
    Do,
    #[token("done")]
    Done,
    #[token("begin")]
    Begin,
    #[token("end")]
    End,
    #[token("not")]
    Not,
    #[token("shift")]
    Shift,
    #[token("reset")]
    Reset,
    #[token("true")]
    True,
    #[token("false")]
    False,
    #[token("ref")]
    Ref,
    /// `mod`, infix `%` (OCaml's spelling).
    #[token("mod")]
    Mod,
    #[token("mutable")]
    Mutable,
    #[token("exception")]
    Exception,
    #[token("try")]
    Try,
    #[token("assert")]
    Assert,

    // Names and literals.
    #[regex(r"[a-z_][A-Za-z0-9_']*", |lex| lex.slice().to_string())]
    Ident(String),
    #[regex(r"[A-Z][A-Za-z0-9_']*", |lex| lex.slice().to_string())]
    UpperIdent(String),
    #[regex(r"'[a-z_][A-Za-z0-9_]*", |lex| lex.slice()[1..].to_string())]
    TypeVar(String),
    /// Integer literal text (digits and `_`); converted by the parser so an
    /// out-of-range literal is a diagnostic, not a lexer failure.
    #[regex(r"[0-9][0-9_]*", |lex| lex.slice().to_string())]
    Int(String),
    #[regex(r"[0-9][0-9_]*\.[0-9_]*([eE][+-]?[0-9][0-9_]*)?", |lex| lex.slice().to_string())]
    #[regex(r"[0-9][0-9_]*[eE][+-]?[0-9][0-9_]*", |lex| lex.slice().to_string())]
    Float(String),
    /// Raw string literal text including the quotes; escapes are decoded
    /// by the lexer adapter, which reports bad escapes with their span.
    #[regex(r#""([^"\\]|\\(.|\n))*""#, |lex| lex.slice().to_string())]
    String(String),

    // Punctuation and operators.
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("[|")]
    LArray,
    #[token("|]")]
    RArray,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token(",")]
    Comma,
    #[token(";")]
    Semi,
    #[token(";;")]
    SemiSemi,
    #[token(":")]
    Colon,
    #[token("::")]
    ColonColon,
    #[token(":=")]
    ColonEq,
    #[token("=")]
    Eq,
    #[token("<>")]
    Ne,
    #[token("<")]
    Lt,
    #[token(">")]
    Gt,
    #[token("<=")]
    Le,
    #[token(">=")]
    Ge,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("%")]
    Percent,
    #[token("**")]
    StarStar,
    #[token("@")]
    At,
    #[token("^")]
    Caret,
    #[token("++")]
    PlusPlus,
    #[token("->")]
    Arrow,
    #[token("<-")]
    LeftArrow,
    #[token("|")]
    Bar,
    #[token("||")]
    BarBar,
    #[token("&&")]
    AmpAmp,
    #[token("!")]
    Bang,
    #[token(".")]
    Dot,
    #[token("_", priority = 10)]
    Underscore,

    // User-defined infix operators (§11): any other run of operator
    // characters, at the level its first character gives it, as in
    // OCaml's table. The operators above are tokens of their own and win
    // over these (their priority is lower than any literal token's), so
    // `->`, `||` or `<-` never become user operators; `***` is a `**…`.
    /// `**…`: level 11, right associative.
    #[regex(r"\*\*[!$%&*+\-./:<=>?@^|~]+", |lex| lex.slice().to_string(), priority = 2)]
    InfixPow(String),
    /// `*… /… %…`: level 10, left associative (`+.`'s siblings `*.` `/.`).
    #[regex(r"[*/%][!$%&*+\-./:<=>?@^|~]*", |lex| lex.slice().to_string(), priority = 1)]
    InfixMul(String),
    /// `+… -…`: level 9, left associative.
    #[regex(r"[+\-][!$%&*+\-./:<=>?@^|~]*", |lex| lex.slice().to_string(), priority = 1)]
    InfixAdd(String),
    /// `@… ^…`: level 8, right associative (`@@`).
    #[regex(r"[@^][!$%&*+\-./:<=>?@^|~]*", |lex| lex.slice().to_string(), priority = 1)]
    InfixConcat(String),
    /// `=… <… >… |… &… $…`: level 7, left associative (`|>`).
    #[regex(r"[=<>|&$][!$%&*+\-./:<=>?@^|~]*", |lex| lex.slice().to_string(), priority = 1)]
    InfixCmp(String),
}

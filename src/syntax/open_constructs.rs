//! What is still open at a position of the source: brackets, and
//! keywords waiting for their partner (`if` for `then`, `let` for `=` and
//! `in`, `match` for `with`, `fun` for `->`, loops for `do`/`done`).
//! Parse errors use it to name the construct the user left unfinished.

use crate::syntax::lexer::Lexer;
use crate::syntax::token::Token;

/// For a closing bracket, its opening one.
pub fn closer_of(token: &Token) -> Option<&'static str> {
    match token {
        Token::RParen => Some("("),
        Token::RBracket => Some("["),
        Token::RArray => Some("[|"),
        Token::RBrace => Some("{"),
        Token::End => Some("begin"),
        Token::Done => Some("do"),
        _ => None,
    }
}

/// Something open at the error: a bracket, or a keyword that waits for
/// its partner. Positions are byte ranges of the opening token.
#[derive(Clone, Debug)]
pub enum Frame {
    Bracket {
        open: &'static str,
        close: &'static str,
        at: (usize, usize),
    },
    Let {
        at: (usize, usize),
        local: bool,
        seen_eq: bool,
    },
    If {
        at: (usize, usize),
    },
    Match {
        at: (usize, usize),
    },
    /// A match arm's pattern, waiting for `->`.
    Arm {
        at: (usize, usize),
    },
    /// A match arm's body: a `|` starts the next arm.
    ArmBody {
        at: (usize, usize),
    },
    Fun {
        at: (usize, usize),
    },
    Shift {
        at: (usize, usize),
    },
    Loop {
        keyword: &'static str,
        at: (usize, usize),
    },
    Do {
        at: (usize, usize),
    },
}

impl Frame {
    pub fn opener(&self) -> (&'static str, (usize, usize)) {
        match *self {
            Frame::Bracket { open, at, .. } => (open, at),
            Frame::Let { at, .. } => ("let", at),
            Frame::If { at } => ("if", at),
            Frame::Match { at } => ("match", at),
            Frame::Arm { at } | Frame::ArmBody { at } => ("match", at),
            Frame::Fun { at } => ("fun", at),
            Frame::Shift { at } => ("shift", at),
            Frame::Loop { keyword, at } => (keyword, at),
            Frame::Do { at } => ("do", at),
        }
    }

    pub fn is_bracket(&self) -> bool {
        matches!(self, Frame::Bracket { .. } | Frame::Do { .. })
    }
}

/// What is open just before a position, and the token before it.
pub struct Context {
    frames: Vec<Frame>,
    /// The last token before the position, with its byte range.
    pub previous: Option<(String, (usize, usize))>,
}

impl Context {
    pub fn before(text: &str, position: usize) -> Context {
        let mut context = Context {
            frames: Vec::new(),
            previous: None,
        };
        for (l, token, r) in Lexer::new(text).map_while(Result::ok) {
            if l >= position {
                break;
            }
            context.step(&token, (l, r));
            context.previous = Some((text[l..r].to_string(), (l, r)));
        }
        context
    }

    pub fn innermost_bracket(&self) -> Option<&Frame> {
        self.frames
            .iter()
            .rev()
            .find(|f| matches!(f, Frame::Bracket { .. }))
    }

    pub fn innermost_keyword(&self) -> Option<&Frame> {
        self.frames.last()
    }

    pub fn has_open(&self, open: &str) -> bool {
        self.frames
            .iter()
            .any(|f| f.opener().0 == open && f.is_bracket())
    }

    /// A `let` here starts a new top-level item rather than an expression.
    fn at_item_start(&self) -> bool {
        let nothing_open = !self.frames.iter().any(Frame::is_bracket);
        let after_expression = match &self.previous {
            None => true,
            Some((prev, _)) => {
                let last = prev.chars().last().unwrap_or(' ');
                prev == ";;"
                    || matches!(
                        prev.as_str(),
                        ")" | "]" | "|]" | "}" | "end" | "done" | "true" | "false"
                    )
                    || ((last.is_alphanumeric() || last == '_' || last == '\'' || last == '"')
                        && !crate::syntax::token::KEYWORDS.contains(&prev.as_str()))
            }
        };
        nothing_open && after_expression
    }

    /// Pops frames down to (and including) the innermost one `is_target`
    /// accepts, without crossing a bracket unless that is the target.
    fn pop_to(&mut self, is_target: impl Fn(&Frame) -> bool) {
        if let Some(i) = self
            .frames
            .iter()
            .rposition(|f| is_target(f) || f.is_bracket())
        {
            if is_target(&self.frames[i]) {
                self.frames.truncate(i);
            }
        }
    }

    fn step(&mut self, token: &Token, at: (usize, usize)) {
        let bracket = |open, close| Frame::Bracket { open, close, at };
        match token {
            Token::LParen => self.frames.push(bracket("(", ")")),
            Token::LBracket => self.frames.push(bracket("[", "]")),
            Token::LArray => self.frames.push(bracket("[|", "|]")),
            Token::LBrace => self.frames.push(bracket("{", "}")),
            Token::Begin => self.frames.push(bracket("begin", "end")),
            Token::RParen | Token::RBracket | Token::RArray | Token::RBrace | Token::End => {
                let open = closer_of(token);
                if let Some(i) = self
                    .frames
                    .iter()
                    .rposition(|f| matches!(f, Frame::Bracket { open: o, .. } if Some(*o) == open))
                {
                    self.frames.truncate(i);
                }
            }
            Token::Done => {
                if let Some(i) = self
                    .frames
                    .iter()
                    .rposition(|f| matches!(f, Frame::Do { .. }))
                {
                    self.frames.truncate(i);
                }
            }
            Token::Let => {
                let item = self.at_item_start();
                if item {
                    self.frames.clear();
                }
                self.frames.push(Frame::Let {
                    at,
                    local: !item,
                    seen_eq: false,
                });
            }
            Token::Eq => {
                if let Some(Frame::Let { seen_eq, .. }) = self.frames.last_mut() {
                    *seen_eq = true;
                }
            }
            Token::And => {
                self.pop_to(|f| matches!(f, Frame::Let { .. }));
                self.frames.push(Frame::Let {
                    at,
                    local: true,
                    seen_eq: false,
                });
            }
            Token::In => self.pop_to(|f| matches!(f, Frame::Let { .. })),
            Token::If => self.frames.push(Frame::If { at }),
            Token::Then => self.pop_to(|f| matches!(f, Frame::If { .. })),
            Token::Match => self.frames.push(Frame::Match { at }),
            Token::With => {
                if let Some(Frame::Match { at }) = self.frames.last() {
                    let at = *at;
                    self.frames.pop();
                    self.frames.push(Frame::Arm { at });
                }
            }
            Token::Function => self.frames.push(Frame::Arm { at }),
            Token::Fun => self.frames.push(Frame::Fun { at }),
            Token::Shift => self.frames.push(Frame::Shift { at }),
            Token::Arrow => match self.frames.last() {
                Some(Frame::Arm { at }) => {
                    let at = *at;
                    self.frames.pop();
                    self.frames.push(Frame::ArmBody { at });
                }
                Some(Frame::Fun { .. } | Frame::Shift { .. }) => {
                    self.frames.pop();
                }
                _ => {}
            },
            Token::Bar => {
                if let Some(Frame::ArmBody { at }) = self.frames.last() {
                    let at = *at;
                    self.frames.pop();
                    self.frames.push(Frame::Arm { at });
                }
            }
            Token::For => self.frames.push(Frame::Loop { keyword: "for", at }),
            Token::While => self.frames.push(Frame::Loop {
                keyword: "while",
                at,
            }),
            Token::Do => {
                self.pop_to(|f| matches!(f, Frame::Loop { .. }));
                self.frames.push(Frame::Do { at });
            }
            Token::SemiSemi => self.frames.clear(),
            Token::Type | Token::Open | Token::Import
                if !self.frames.iter().any(Frame::is_bracket) =>
            {
                self.frames.clear();
            }
            _ => {}
        }
    }
}

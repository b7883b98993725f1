//! Just enough JSON to read the VS Code grammar and manifests, so the
//! crate needs no JSON dependency for one test.

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

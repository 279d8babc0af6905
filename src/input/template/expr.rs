//! ARM template expression syntax: `[concat(parameters('a'), 'b').x[0]]` into a tree.
//!
//! Nesting is bounded (arguments, member chains and indexes all count), so no
//! expression text can build a tree that overflows the stack when evaluated or dropped.

/// Deepest expression tree accepted (arguments, members and indexes each add a level).
pub const MAX_EXPR_DEPTH: usize = 48;

#[derive(Debug, Clone, PartialEq)]
pub enum Ex {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    /// A function call; a user-defined function is `namespace.name`.
    Call(String, Vec<Ex>),
    /// `base.name`, or `base.?name` when `safe`.
    Member {
        base: Box<Ex>,
        name: String,
        safe: bool,
    },
    /// `base[index]`, or `base[?index]` when `safe`.
    Index {
        base: Box<Ex>,
        index: Box<Ex>,
        safe: bool,
    },
}

/// What a JSON string in a template is: a literal or an expression's text.
pub enum Text<'s> {
    Literal(std::borrow::Cow<'s, str>),
    Expression(&'s str),
}

/// Splits off the brackets: `[expr]` is an expression, `[[…` an escaped literal.
pub fn classify(s: &str) -> Text<'_> {
    let t = s.trim();
    if t.starts_with("[[") {
        return Text::Literal(s.replacen("[[", "[", 1).into());
    }
    if t.len() >= 2 && t.starts_with('[') && t.ends_with(']') {
        return Text::Expression(t.get(1..t.len().saturating_sub(1)).unwrap_or_default());
    }
    Text::Literal(s.into())
}

/// Parses an expression's text (without the brackets).
pub fn parse(text: &str) -> Option<Ex> {
    let mut p = Parser { chars: text.chars().collect(), at: 0 };
    let e = p.expr(0)?;
    p.skip_ws();
    (p.at == p.chars.len()).then_some(e)
}

struct Parser {
    chars: Vec<char>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn bump(&mut self) {
        self.at = self.at.saturating_add(1);
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn expr(&mut self, depth: usize) -> Option<Ex> {
        if depth > MAX_EXPR_DEPTH {
            return None;
        }
        self.skip_ws();
        let mut depth = depth;
        let mut e = match self.peek()? {
            '\'' => {
                self.bump();
                let mut s = String::new();
                loop {
                    let c = self.peek()?;
                    self.bump();
                    if c == '\'' {
                        if self.peek() == Some('\'') {
                            self.bump();
                            s.push('\'');
                        } else {
                            break;
                        }
                    } else {
                        s.push(c);
                    }
                }
                Ex::Str(s)
            }
            c if c.is_ascii_digit() || c == '-' || c == '+' => {
                let start = self.at;
                self.bump();
                while self.peek().is_some_and(|c| c.is_ascii_digit() || c == '.') {
                    self.bump();
                }
                let text: String = self.chars.get(start..self.at)?.iter().collect();
                Ex::Num(crate::json::parse_number(&text).filter(|n| n.is_finite())?)
            }
            c if c.is_ascii_alphabetic() || c == '_' || c == '$' => {
                let mut name = self.ident()?;
                // A user-defined function: `namespace.name(`.
                let save = self.at;
                if self.eat('.') {
                    match self.ident() {
                        Some(member) if self.eat('(') => {
                            self.at = self.at.saturating_sub(1);
                            name = format!("{name}.{member}");
                        }
                        _ => self.at = save,
                    }
                }
                if !self.eat('(') {
                    return match name.to_ascii_lowercase().as_str() {
                        "true" => Some(Ex::Bool(true)),
                        "false" => Some(Ex::Bool(false)),
                        "null" => Some(Ex::Null),
                        _ => None,
                    };
                }
                let mut args = Vec::new();
                if !self.eat(')') {
                    loop {
                        args.push(self.expr(depth.saturating_add(1))?);
                        if self.eat(',') {
                            continue;
                        }
                        if self.eat(')') {
                            break;
                        }
                        return None;
                    }
                }
                Ex::Call(name, args)
            }
            _ => return None,
        };
        loop {
            self.skip_ws();
            match self.peek() {
                Some('.') => {
                    depth = depth.saturating_add(1);
                    if depth > MAX_EXPR_DEPTH {
                        return None;
                    }
                    self.bump();
                    let safe = self.eat('?');
                    let name = self.ident()?;
                    e = Ex::Member { base: Box::new(e), name, safe };
                }
                Some('[') => {
                    depth = depth.saturating_add(1);
                    if depth > MAX_EXPR_DEPTH {
                        return None;
                    }
                    self.bump();
                    let safe = self.eat('?');
                    let index = self.expr(depth.saturating_add(1))?;
                    if !self.eat(']') {
                        return None;
                    }
                    e = Ex::Index { base: Box::new(e), index: Box::new(index), safe };
                }
                _ => return Some(e),
            }
        }
    }

    fn ident(&mut self) -> Option<String> {
        self.skip_ws();
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
            self.bump();
        }
        (self.at > start).then(|| self.chars.get(start..self.at).map(|c| c.iter().collect()).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar() {
        assert_eq!(parse("'a''b'"), Some(Ex::Str("a'b".into())));
        assert_eq!(parse("-3"), Some(Ex::Num(-3.0)));
        assert!(matches!(parse("__bicep.f(1)"), Some(Ex::Call(n, _)) if n == "__bicep.f"));
        assert!(matches!(parse("parameters('p').?a"), Some(Ex::Member { safe: true, .. })));
        assert!(matches!(parse("x()[?'k']"), Some(Ex::Index { safe: true, .. })));
        assert!(matches!(parse("parameters('p').a.b"), Some(Ex::Member { safe: false, .. })));
        assert_eq!(parse("true"), Some(Ex::Bool(true)));
        assert_eq!(parse("bogus(("), None);
        assert_eq!(parse("f() g"), None);
    }

    #[test]
    fn chains_are_bounded() {
        let members = format!("parameters('p'){}", ".a".repeat(30_000));
        assert_eq!(parse(&members), None);
        let indexes = format!("parameters('p'){}", "[0]".repeat(100_000));
        assert_eq!(parse(&indexes), None);
        let nested = format!("{}1{}", "f(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(parse(&nested), None);
        assert!(parse(&format!("parameters('p'){}", ".a".repeat(20))).is_some());
    }
}

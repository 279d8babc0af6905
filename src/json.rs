//! A JSON parser that remembers where every value came from.
//!
//! `serde_json` forgets positions, and every finding must point at the line and column of
//! the rule or field that decided it, so the core parses JSON itself. The parser is
//! iterative in its bookkeeping of lines and columns (linear in the input, also for a
//! 20 MB document on one line), limits nesting depth instead of overflowing the stack,
//! and reports errors as `line:column: message`.
//!
//! Object keys keep their order and are looked up case-insensitively, as ARM does.

use std::borrow::Cow;
use std::fmt;

/// Deepest nesting accepted. Real Azure documents stay far below this.
pub const MAX_DEPTH: usize = 256;

/// A position in the original text: 1-based line and column (in characters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

/// One JSON value with the position of its first character.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub pos: Pos,
}

/// The JSON value kinds, plus `Unresolved` for template expressions the engine could not
/// evaluate (never produced by the parser).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(Text),
    Array(Vec<Node>),
    Object(Vec<(Text, Node)>),
    /// A template expression that could not be resolved; the text says what it was.
    Unresolved(Text),
}

/// A member name or string value. The words that fill Azure documents (member names,
/// `Allow`, `Tcp`, `*`, service tags) are shared statics rather than one allocation each:
/// reading a 1,000-rule NSG on every keystroke is mostly allocation otherwise.
pub type Text = Cow<'static, str>;

/// The shared static for a common word, if `s` is one (a `match`: compiled to a switch
/// on the length, then comparisons).
#[inline(always)]
fn common_word(s: &str) -> Option<&'static str> {
    macro_rules! words {
        ($($w:literal),* $(,)?) => {
            match s {
                $($w => Some($w),)*
                _ => None,
            }
        };
    }
    match words!(
        "name",
        "id",
        "type",
        "etag",
        "location",
        "tags",
        "properties",
        "provisioningState",
        "Succeeded",
        "resourceGuid",
        "resourceGroup",
        "description",
        "priority",
        "direction",
        "Inbound",
        "Outbound",
        "access",
        "Allow",
        "Deny",
        "protocol",
        "Tcp",
        "Udp",
        "Icmp",
        "*",
        "sourceAddressPrefix",
        "sourceAddressPrefixes",
        "sourcePortRange",
        "sourcePortRanges",
        "destinationAddressPrefix",
        "destinationAddressPrefixes",
        "destinationPortRange",
        "destinationPortRanges",
        "sourceApplicationSecurityGroups",
        "destinationApplicationSecurityGroups",
        "VirtualNetwork",
        "Internet",
        "AzureLoadBalancer",
        "securityRules",
        "defaultSecurityRules",
        "Microsoft.Network/networkSecurityGroups/securityRules",
        "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
        "subnets",
        "addressPrefix",
        "addressPrefixes",
        "networkSecurityGroup",
        "routeTable",
        "routes",
        "nextHopType",
        "nextHopIpAddress",
        "value",
        "apiVersion",
        "dependsOn"
    ) {
        Some(w) => Some(w),
        None => terraform_word(s),
    }
}

/// Terraform's member names (not in the page's build, which doesn't read Terraform).
#[cfg(not(feature = "web"))]
#[inline(always)]
fn terraform_word(s: &str) -> Option<&'static str> {
    match s {
        "address" => Some("address"),
        "mode" => Some("mode"),
        "managed" => Some("managed"),
        "values" => Some("values"),
        "index" => Some("index"),
        "provider_name" => Some("provider_name"),
        "schema_version" => Some("schema_version"),
        "sensitive_values" => Some("sensitive_values"),
        "security_rule" => Some("security_rule"),
        "source_port_range" => Some("source_port_range"),
        "source_port_ranges" => Some("source_port_ranges"),
        "destination_port_range" => Some("destination_port_range"),
        "destination_port_ranges" => Some("destination_port_ranges"),
        "source_address_prefix" => Some("source_address_prefix"),
        "source_address_prefixes" => Some("source_address_prefixes"),
        "destination_address_prefix" => Some("destination_address_prefix"),
        "destination_address_prefixes" => Some("destination_address_prefixes"),
        "source_application_security_group_ids" => Some("source_application_security_group_ids"),
        "destination_application_security_group_ids" => Some("destination_application_security_group_ids"),
        "resource_group_name" => Some("resource_group_name"),
        "network_security_group_name" => Some("network_security_group_name"),
        _ => None,
    }
}

#[cfg(feature = "web")]
fn terraform_word(_: &str) -> Option<&'static str> {
    None
}

#[inline(always)]
pub(crate) fn text(s: &str) -> Text {
    common_word(s).map_or_else(|| Cow::Owned(s.to_string()), Cow::Borrowed)
}

/// A parse error with its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub pos: Pos,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.pos.line, self.pos.column, self.message)
    }
}

impl Node {
    /// A node without a meaningful position (synthesised values).
    pub fn synthetic(value: Value, pos: Pos) -> Node {
        Node { value, pos }
    }

    /// Member of an object, key compared case-insensitively.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Object(members) => members.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Member that is not JSON `null`.
    pub fn get_present(&self, key: &str) -> Option<&Node> {
        self.get(key).filter(|n| !matches!(n.value, Value::Null))
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[(Text, Node)]> {
        match &self.value {
            Value::Object(members) => Some(members),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self.value, Value::Object(_))
    }

    pub fn is_unresolved(&self) -> bool {
        matches!(self.value, Value::Unresolved(_))
    }

    /// A short human description of the value, for messages.
    pub fn describe(&self) -> String {
        match &self.value {
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => format_number(*n),
            Value::String(s) => format!("\"{}\"", truncate(s, 60)),
            Value::Array(_) => "an array".into(),
            Value::Object(_) => "an object".into(),
            // Terraform's unknowns say so themselves.
            Value::Unresolved(e) if e.starts_with(crate::input::AFTER_APPLY) => truncate(e, 160),
            Value::Unresolved(e) => format!("unresolved expression {}", truncate(e, 80)),
        }
    }
}

/// Reads a decimal number (`-?digits(.digits)?([eE][+-]?digits)?`, a leading `+` allowed
/// for template expressions) without core's float parser, whose tables are 10 KB of the
/// page's wasm. Correctly rounded when the significant digits fit in 2^53 and the decimal
/// exponent in ±22 (Clinger's fast path: every number these documents carry, integers up
/// to 9,007,199,254,740,992 included); otherwise within a few units in the last place,
/// which no check can tell (every number a check reads is a port, a priority or a count).
pub fn parse_number(text: &str) -> Option<f64> {
    const POW10: [f64; 23] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
    // The common case, a short unsigned integer (priorities, ports, counts), in one pass.
    if (1..=15).contains(&text.len()) && text.bytes().all(|c| c.is_ascii_digit()) {
        return Some(text.bytes().fold(0u64, |n, c| n.wrapping_mul(10).wrapping_add(u64::from(c.wrapping_sub(b'0')))) as f64);
    }
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, text.get(1..)?),
        b'+' => (false, text.get(1..)?),
        _ => (false, text),
    };
    let (number, exponent) = match rest.find(['e', 'E']) {
        Some(at) => (rest.get(..at)?, Some(rest.get(at.saturating_add(1)..)?)),
        None => (rest, None),
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() || (number.contains('.') && fraction.is_empty()) {
        return None;
    }
    // The significant digits (at most 19, the rest counted in the exponent) and the exponent.
    let mut mantissa: u64 = 0;
    let mut scale: i64 = 0;
    for (i, c) in whole.bytes().chain(fraction.bytes()).enumerate() {
        let digit = u64::from(c.checked_sub(b'0').filter(|d| *d <= 9)?);
        let in_fraction = i >= whole.len();
        if mantissa < 1_000_000_000_000_000_000 {
            mantissa = mantissa.saturating_mul(10).saturating_add(digit);
            scale = scale.saturating_sub(i64::from(in_fraction));
        } else {
            scale = scale.saturating_add(i64::from(!in_fraction));
        }
    }
    if let Some(exponent) = exponent {
        let (sign, digits) = match exponent.as_bytes().first()? {
            b'-' => (-1i64, exponent.get(1..)?),
            b'+' => (1, exponent.get(1..)?),
            _ => (1, exponent),
        };
        if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        // Past ±400 every value is 0 or infinite: clamp instead of overflowing.
        let e: i64 = digits.parse::<i64>().unwrap_or(i64::MAX).min(400);
        scale = scale.saturating_add(sign.saturating_mul(e));
    }
    let m = mantissa as f64;
    let value = if mantissa == 0 {
        0.0
    } else if mantissa <= 1 << 53 && (-22..=22).contains(&scale) {
        let p = POW10.get(scale.unsigned_abs() as usize).copied().unwrap_or(1.0);
        if scale < 0 {
            m / p
        } else {
            m * p
        }
    } else {
        let mut v = m;
        let mut s = scale.clamp(-800, 800);
        while s > 0 {
            let step = s.min(22);
            v *= POW10.get(step as usize).copied().unwrap_or(1.0);
            s = s.saturating_sub(step);
        }
        while s < 0 {
            let step = s.saturating_neg().min(22);
            v /= POW10.get(step as usize).copied().unwrap_or(1.0);
            s = s.saturating_add(step);
        }
        v
    };
    Some(if negative { -value } else { value })
}

/// Formats a number the way JSON writes it (integers without a fraction).
pub fn format_number(n: f64) -> String {
    fixed(n, 6)
}

/// A number with at most `decimals` fractional digits (trailing zeros dropped), written
/// with integer arithmetic: Azure documents hold integers, and core's float formatting
/// (shortest and exact, with their tables) would cost the page's wasm 5 KB. Numbers
/// beyond 10^18 are written in powers of ten.
pub fn fixed(n: f64, decimals: u32) -> String {
    if !n.is_finite() {
        return if n.is_nan() {
            "NaN".into()
        } else if n > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    let sign = if n < 0.0 { "-" } else { "" };
    let a = n.abs();
    if a >= 1e18 {
        let mut e: u32 = 18;
        let mut m = a / 1e18;
        while m >= 10.0 && e < 400 {
            m /= 10.0;
            e = e.saturating_add(1);
        }
        return format!("{sign}{}e{e}", fixed(m, 3));
    }
    // Fewer decimals for large numbers, so that the scaled value fits in a u64.
    let mut decimals = decimals.min(9);
    while decimals > 0 && a * 10f64.powi(decimals as i32) >= 1.8e19 {
        decimals = decimals.saturating_sub(1);
    }
    let scale = 10u64.pow(decimals);
    let scaled = (a * scale as f64).round() as u64;
    let (int, mut frac) = (scaled.checked_div(scale).unwrap_or(0), scaled.checked_rem(scale).unwrap_or(0));
    if frac == 0 {
        return if int == 0 { "0".into() } else { format!("{sign}{int}") };
    }
    let mut digits = decimals;
    while frac % 10 == 0 {
        frac /= 10;
        digits = digits.saturating_sub(1);
    }
    format!("{sign}{int}.{frac:0width$}", width = digits as usize)
}

/// Shortens text for messages, on a character boundary.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max).collect();
        out.push('…');
        out
    }
}

/// Parses one JSON document.
pub fn parse(text: &str) -> Result<Node, ParseError> {
    parse_document(text).map(|d| d.root)
}

/// A parsed document and what the parser tolerated in it.
pub struct Parsed {
    pub root: Node,
    /// Member names given twice in one object (compared ignoring case, as ARM does):
    /// the last value is kept, as `JSON.parse` and Json.NET do. Position of the repeat.
    pub duplicates: Vec<(String, Pos)>,
}

/// Parses one JSON document, with `//` and `/* */` comments (which Azure accepts in
/// templates and parameters files) read as white space.
pub fn parse_document(text: &str) -> Result<Parsed, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut parser =
        Parser { bytes: text.as_bytes(), text, at: 0, line: 1, column: 1, open_comment: None, duplicates: Vec::new(), plan: Plan::No, skipping: false };
    parser.skip_whitespace();
    if parser.at >= parser.bytes.len() {
        return Err(parser.end_error("empty document: expected a JSON value"));
    }
    let root = parser.value(0)?;
    parser.skip_whitespace();
    if parser.at < parser.bytes.len() {
        return Err(parser.error("unexpected text after the JSON value"));
    }
    Ok(Parsed { root, duplicates: parser.duplicates })
}

/// Most duplicate names recorded per document.
const MAX_DUPLICATES: usize = 100;

/// Length of the leading 8-byte blocks of `bytes` that are plain ASCII string content (no
/// quote, backslash, control or non-ASCII byte), tested 8 bytes at a time (so as many
/// characters as bytes). The caller scans the rest byte by byte.
fn plain_ascii_prefix(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS != 0;
    let mut len: usize = 0;
    for block in bytes.chunks_exact(8) {
        let Ok(block) = <[u8; 8]>::try_from(block) else { break };
        let x = u64::from_le_bytes(block);
        let special = x & HIGHS != 0
            || has_zero_byte(x ^ (ONES * u64::from(b'"')))
            || has_zero_byte(x ^ (ONES * u64::from(b'\\')))
            || x.wrapping_sub(ONES * 0x20) & !x & HIGHS != 0;
        if special {
            break;
        }
        len = len.wrapping_add(8); // within the slice
    }
    len
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    at: usize,
    /// Line and column wrap past 2^32 (wrapping_add: free in the hot loops); the
    /// documents any front end takes are far smaller.
    line: u32,
    column: u32,
    /// Where a `/*` comment that never closed began.
    open_comment: Option<Pos>,
    duplicates: Vec<(String, Pos)>,
    /// Where the parser is in a `terraform show -json` plan (see `Plan`).
    plan: Plan,
    /// True while a value is read past (`skip`): strings are checked, not copied.
    skipping: bool,
}

/// A `terraform show -json` plan holds every value twice or three times:
/// `planned_values`, and per resource `change.after` and `change.before` (with their
/// `_sensitive` masks), and the whole old state in `prior_state`. The reader uses
/// `planned_values`, `change.after_unknown` and `configuration`; the copies are read past
/// (their syntax checked, nothing built), which halves the work of parsing a plan.
/// A plan is known by its first member, `format_version`, as Terraform writes it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Plan {
    No,
    Root,
    InResourceChanges,
    InChange,
}

impl Parser<'_> {
    // The page's wasm is built for size (opt-level z), which stops inlining these tiny
    // hot helpers unless asked.
    #[inline(always)]
    fn pos(&self) -> Pos {
        Pos { line: self.line, column: self.column }
    }

    fn error(&self, message: &str) -> ParseError {
        ParseError { message: message.to_string(), pos: self.pos() }
    }

    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    #[inline(always)]
    fn bump(&mut self) {
        if let Some(b) = self.peek() {
            self.at = self.at.wrapping_add(1); // within the text
            if b == b'\n' {
                self.line = self.line.wrapping_add(1);
                self.column = 1;
            } else if b & 0xC0 != 0x80 {
                self.column = self.column.wrapping_add(1);
            }
        }
    }

    fn skip_whitespace(&mut self) {
        // Indentation is a good part of a pretty-printed document: one tight loop.
        while let Some(&b) = self.bytes.get(self.at) {
            match b {
                b' ' | b'\t' | b'\r' => self.column = self.column.wrapping_add(1),
                b'\n' => {
                    self.line = self.line.wrapping_add(1);
                    self.column = 1;
                }
                b'/' => {
                    if !self.skip_comment() {
                        break;
                    }
                    continue;
                }
                _ => break,
            }
            self.at = self.at.wrapping_add(1); // within the text
        }
    }

    /// Skips one `//` or `/* */` comment at `/`; false if there is none.
    #[inline(never)]
    fn skip_comment(&mut self) -> bool {
        match self.bytes.get(self.at.wrapping_add(1)) {
            Some(b'/') => {
                while self.peek().is_some_and(|b| b != b'\n') {
                    self.bump();
                }
                true
            }
            Some(b'*') => {
                let start = self.pos();
                self.bump();
                self.bump();
                loop {
                    match self.peek() {
                        None => {
                            self.open_comment = Some(start);
                            return true;
                        }
                        Some(b'*') if self.bytes.get(self.at.wrapping_add(1)) == Some(&b'/') => {
                            self.bump();
                            self.bump();
                            return true;
                        }
                        Some(_) => self.bump(),
                    }
                }
            }
            _ => false,
        }
    }

    /// An error at the end of the input, naming a comment left open.
    fn end_error(&self, message: &str) -> ParseError {
        match self.open_comment {
            Some(p) => ParseError { message: format!("the `/*` comment at {}:{} is never closed", p.line, p.column), pos: p },
            None => self.error(message),
        }
    }

    fn expect_literal(&mut self, word: &str, value: Value) -> Result<Node, ParseError> {
        let pos = self.pos();
        let end = self.at.saturating_add(word.len());
        if self.bytes.get(self.at..end) == Some(word.as_bytes()) {
            for _ in 0..word.len() {
                self.bump();
            }
            Ok(Node { value, pos })
        } else {
            Err(self.unexpected())
        }
    }

    fn unexpected(&self) -> ParseError {
        match self.text.get(self.at..).and_then(|rest| rest.chars().next()) {
            None => self.end_error("unexpected end of input"),
            Some('<') if self.text.get(self.at..).is_some_and(|r| r.starts_with("<<<<<<<")) => {
                self.error("unexpected `<<<<<<<`: the file holds an unresolved git merge conflict")
            }
            Some('=') if self.text.get(self.at..).is_some_and(|r| r.starts_with("=======")) => {
                self.error("unexpected `=======`: the file holds an unresolved git merge conflict")
            }
            Some(c) => self.error(&format!("unexpected character `{}`", c.escape_default())),
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, ParseError> {
        if depth >= MAX_DEPTH {
            return Err(self.error(&format!("JSON nested deeper than {MAX_DEPTH} levels")));
        }
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                let pos = self.pos();
                let s = self.string()?;
                Ok(Node { value: Value::String(s), pos })
            }
            Some(b't') => self.expect_literal("true", Value::Bool(true)),
            Some(b'f') => self.expect_literal("false", Value::Bool(false)),
            Some(b'n') => self.expect_literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.unexpected()),
        }
    }

    /// After a member's name: white space, `:`, white space.
    #[inline(always)]
    fn colon(&mut self) -> Result<(), ParseError> {
        self.skip_whitespace();
        if self.peek() != Some(b':') {
            let e = self.unexpected();
            return Err(ParseError { message: format!("{}; expected `:`", e.message), pos: e.pos });
        }
        self.bump();
        self.skip_whitespace();
        Ok(())
    }

    /// Reads past one of a plan's copies (Terraform's own output, a third to a half of a
    /// plan's bytes) in one tight loop over its bytes with the grammar of `value` (strings
    /// eight bytes at a time); anything it doesn't take (a comment, an error, the depth
    /// limit) goes back to the start and through `skip`, which names the error exactly.
    fn skip_copy(&mut self, depth: usize) -> Result<(), ParseError> {
        let Some(scan) = scan_value(self.text, self.at, MAX_DEPTH.saturating_sub(depth)) else {
            return self.skip(depth);
        };
        // Columns count characters: the bytes since the last line break but the UTF-8
        // continuation bytes among them (which only strings hold).
        let since = (scan.end.wrapping_sub(scan.line_start) as u32).wrapping_sub(scan.continuations);
        match scan.lines {
            0 => self.column = self.column.wrapping_add(since),
            n => {
                self.line = self.line.wrapping_add(n);
                self.column = since.wrapping_add(1);
            }
        }
        self.at = scan.end;
        Ok(())
    }

    /// Reads past one value: its syntax checked as `value` checks it, nothing kept.
    fn skip(&mut self, depth: usize) -> Result<(), ParseError> {
        if depth >= MAX_DEPTH {
            return Err(self.error(&format!("JSON nested deeper than {MAX_DEPTH} levels")));
        }
        let (open, close) = match self.peek() {
            Some(b'{') => (b'{', b'}'),
            Some(b'[') => (b'[', b']'),
            _ => {
                self.skipping = true;
                let read = self.value(depth).map(drop);
                self.skipping = false;
                return read;
            }
        };
        self.bump();
        self.skip_whitespace();
        if self.peek() == Some(close) {
            self.bump();
            return Ok(());
        }
        loop {
            self.skip_whitespace();
            if open == b'{' {
                if self.peek() != Some(b'"') {
                    let e = self.unexpected();
                    return Err(ParseError { message: format!("{}; expected a quoted member name", e.message), pos: e.pos });
                }
                self.skipping = true;
                let name = self.string().map(drop);
                self.skipping = false;
                name?;
                self.colon()?;
            }
            self.skip(depth.saturating_add(1))?;
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.bump(),
                Some(c) if c == close => {
                    self.bump();
                    return Ok(());
                }
                _ => {
                    let e = self.unexpected();
                    let expected = if open == b'{' { "`,` or `}`" } else { "`,` or `]`" };
                    return Err(ParseError { message: format!("{}; expected {expected}", e.message), pos: e.pos });
                }
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Node, ParseError> {
        let pos = self.pos();
        self.bump();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.bump();
            return Ok(Node { value: Value::Object(Vec::new()), pos });
        }
        // Most objects of Azure documents have a handful of members: one allocation,
        // trimmed on close when it is mostly unused (memory stays proportional).
        let mut members: Vec<(Text, Node)> = Vec::with_capacity(8);
        // Names seen, for duplicates: a scan for small objects (a Terraform rule has 16
        // members; a scan happens only when the filter below collides), a set for large ones.
        let mut seen: Option<std::collections::HashMap<String, usize>> = None;
        let mut filter = 0u64;
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(if self.peek().is_none() {
                    self.unexpected()
                } else {
                    let e = self.unexpected();
                    if e.message.contains("merge conflict") {
                        e
                    } else {
                        ParseError { message: format!("{}; expected a quoted member name", e.message), pos: e.pos }
                    }
                });
            }
            let key_pos = self.pos();
            let key = self.string()?;
            self.colon()?;
            // (Not in the page: its wasm keeps no `skip`; the page reads what its worker's
            // JavaScript API made of a plan, and parses the text only to know its shape.)
            if cfg!(not(feature = "web")) && depth == 0 && members.is_empty() && key == "format_version" {
                self.plan = Plan::Root;
            }
            let outer = self.plan;
            // Every other document: one comparison per member.
            let copy = cfg!(not(feature = "web"))
                && match if outer == Plan::No { (Plan::No, 0, "") } else { (outer, depth, &*key) } {
                    (Plan::Root, 0, "prior_state") | (Plan::InChange, 3, "before" | "after" | "before_sensitive" | "after_sensitive") => true,
                    (Plan::Root, 0, "resource_changes") => {
                        self.plan = Plan::InResourceChanges;
                        false
                    }
                    (Plan::InResourceChanges, 2, "change") => {
                        self.plan = Plan::InChange;
                        false
                    }
                    _ => false,
                };
            if copy {
                // A plan's copy: read past, not kept.
                self.skip_copy(depth.saturating_add(1))?;
            } else {
                let value = self.value(depth.saturating_add(1))?;
                self.plan = outer;
                let lower = || key.to_ascii_lowercase();
                // A 64-bit filter of the names seen (length and first letter, case folded):
                // most objects have no duplicate, and then no name is compared.
                let first = u64::from(key.as_bytes().first().copied().unwrap_or(0) | 0x20);
                let bit = 1u64 << ((key.len() as u64).wrapping_mul(7).wrapping_add(first) & 63);
                let maybe = filter & bit != 0;
                filter |= bit;
                let earlier = match &mut seen {
                    Some(index) => index.get(&lower()).copied(),
                    None if maybe => members.iter().position(|(k, _)| k.eq_ignore_ascii_case(&key)),
                    None => None,
                };
                match earlier.and_then(|i| members.get_mut(i)) {
                    Some(slot) => {
                        if self.duplicates.len() < MAX_DUPLICATES {
                            self.duplicates.push((truncate(&key, 80), key_pos));
                        }
                        // The last value wins; the member keeps its first place.
                        slot.1 = value;
                    }
                    None => {
                        if let Some(index) = &mut seen {
                            index.insert(lower(), members.len());
                        }
                        members.push((key, value));
                        if seen.is_none() && members.len() >= 48 {
                            seen = Some(members.iter().enumerate().map(|(i, (k, _))| (k.to_ascii_lowercase(), i)).collect());
                        }
                    }
                }
            }
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.bump(),
                Some(b'}') => {
                    self.bump();
                    if members.capacity() > members.len().saturating_add(2) {
                        members.shrink_to_fit();
                    }
                    return Ok(Node { value: Value::Object(members), pos });
                }
                _ => {
                    let e = self.unexpected();
                    return Err(ParseError { message: format!("{}; expected `,` or `}}`", e.message), pos: e.pos });
                }
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Node, ParseError> {
        let pos = self.pos();
        self.bump();
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.bump();
            return Ok(Node { value: Value::Array(items), pos });
        }
        loop {
            self.skip_whitespace();
            items.push(self.value(depth.saturating_add(1))?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.bump(),
                Some(b']') => {
                    self.bump();
                    return Ok(Node { value: Value::Array(items), pos });
                }
                _ => {
                    let e = self.unexpected();
                    return Err(ParseError { message: format!("{}; expected `,` or `]`", e.message), pos: e.pos });
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let mut code = 0u32;
        for _ in 0..4 {
            let digit = match self.peek() {
                Some(b @ b'0'..=b'9') => u32::from(b.wrapping_sub(b'0')),
                Some(b @ b'a'..=b'f') => u32::from(b.wrapping_sub(b'a').wrapping_add(10)),
                Some(b @ b'A'..=b'F') => u32::from(b.wrapping_sub(b'A').wrapping_add(10)),
                _ => return Err(self.error("invalid \\u escape")),
            };
            code = code.wrapping_mul(16).wrapping_add(digit); // four hex digits
            self.bump();
        }
        Ok(code)
    }

    fn string(&mut self) -> Result<Text, ParseError> {
        self.bump(); // opening quote
        let mut out = String::new();
        loop {
            // Copy a run of plain characters at once (no line break can be in it).
            let start = self.at;
            let rest = self.bytes.get(start..).unwrap_or_default();
            let mut len = plain_ascii_prefix(rest);
            let mut chars = len as u32;
            for &b in rest.get(len..).unwrap_or_default() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                len = len.wrapping_add(1);
                chars = chars.wrapping_add(u32::from(b & 0xC0 != 0x80));
            }
            self.column = self.column.wrapping_add(chars);
            self.at = self.at.wrapping_add(len);
            let text = self.text.get(start..self.at).unwrap_or_default();
            if out.is_empty() && self.peek() == Some(b'"') {
                // The common case: no escapes, one allocation of the right size (none when
                // the value is read past).
                self.bump();
                return Ok(if self.skipping { Cow::Borrowed("") } else { self::text(text) });
            }
            out.push_str(text);
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.bump();
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.bump();
                    let c = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.bump();
                            let mut high = self.hex4()?;
                            // A high surrogate pairs with a following low one; a lone
                            // surrogate becomes U+FFFD and the next escape is kept.
                            while (0xD800..0xDC00).contains(&high) && self.bytes.get(self.at..self.at.saturating_add(2)) == Some(b"\\u") {
                                self.bump();
                                self.bump();
                                let low = self.hex4()?;
                                if (0xDC00..0xE000).contains(&low) {
                                    high = 0x10000u32.wrapping_add(high.wrapping_sub(0xD800) << 10).wrapping_add(low.wrapping_sub(0xDC00)); // both in range
                                    break;
                                }
                                out.push('\u{FFFD}');
                                high = low;
                            }
                            out.push(char::from_u32(high).unwrap_or('\u{FFFD}'));
                            continue;
                        }
                        _ => return Err(self.error("invalid escape in string")),
                    };
                    out.push(c);
                    self.bump();
                }
                Some(_) => return Err(self.error("control character in string (a raw line break?)")),
            }
        }
    }

    fn number(&mut self) -> Result<Node, ParseError> {
        let pos = self.pos();
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.bump();
        }
        let digits = |p: &mut Self| {
            let s = p.at;
            while let Some(b'0'..=b'9') = p.peek() {
                p.bump();
            }
            p.at > s
        };
        if !digits(self) {
            return Err(self.error("invalid number"));
        }
        if self.peek() == Some(b'.') {
            self.bump();
            if !digits(self) {
                return Err(self.error("invalid number: digits expected after `.`"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.bump();
            if let Some(b'+' | b'-') = self.peek() {
                self.bump();
            }
            if !digits(self) {
                return Err(self.error("invalid number: digits expected in exponent"));
            }
        }
        let text = self.text.get(start..self.at).unwrap_or("0");
        let n = parse_number(text).ok_or_else(|| ParseError { message: "invalid number".into(), pos })?;
        Ok(Node { value: Value::Number(n), pos })
    }
}

/// Byte classes of `scan_value`, outside strings and in them.
const OTHER: u8 = 0;
const SPACE: u8 = 1;
const NEWLINE: u8 = 2;
const QUOTE: u8 = 3;
const COLON: u8 = 4;
const COMMA: u8 = 5;
const OPEN: u8 = 6;
const CLOSE: u8 = 7;
const LITERAL: u8 = 8;
const NUMBER: u8 = 9;
const IN_TEXT: u8 = 0;
const END: u8 = 1;
const ESCAPE: u8 = 2;
const CONTROL: u8 = 3;
const CONTINUATION: u8 = 4;
// Evaluated at compile time: an index out of bounds would be a build error, not a panic.
#[allow(clippy::indexing_slicing)]
static SCAN_CLASS: [[u8; 256]; 2] = {
    let mut t = [[OTHER; 256], [IN_TEXT; 256]];
    t[0][b' ' as usize] = SPACE;
    t[0][b'\t' as usize] = SPACE;
    t[0][b'\r' as usize] = SPACE;
    t[0][b'\n' as usize] = NEWLINE;
    t[0][b'"' as usize] = QUOTE;
    t[0][b':' as usize] = COLON;
    t[0][b',' as usize] = COMMA;
    t[0][b'{' as usize] = OPEN;
    t[0][b'[' as usize] = OPEN;
    t[0][b'}' as usize] = CLOSE;
    t[0][b']' as usize] = CLOSE;
    t[0][b't' as usize] = LITERAL;
    t[0][b'f' as usize] = LITERAL;
    t[0][b'n' as usize] = LITERAL;
    t[0][b'-' as usize] = NUMBER;
    let mut c = b'0';
    while c <= b'9' {
        t[0][c as usize] = NUMBER;
        c += 1;
    }
    let mut c = 0;
    while c < 0x20 {
        t[1][c] = CONTROL;
        c += 1;
    }
    let mut c = 0x80;
    while c < 0xC0 {
        t[1][c] = CONTINUATION;
        c += 1;
    }
    t[1][b'"' as usize] = END;
    t[1][b'\\' as usize] = ESCAPE;
    t
};

/// The high bit of each of eight bytes (little-endian) that is `"`, `\`, below 0x20 or
/// above 0x7F. The borrow of a subtraction can mark bytes after a marked one, never one
/// before the first, so the lowest mark is the first special byte.
#[inline(always)]
fn special(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |y: u64| y.wrapping_sub(ONES) & !y & HIGH;
    zero(x ^ (ONES * u64::from(b'"'))) | zero(x ^ (ONES * u64::from(b'\\'))) | (x.wrapping_sub(ONES * 0x20) | x) & HIGH
}

/// Where `scan_value` ended, and the lines it crossed.
struct Scan {
    end: usize,
    lines: u32,
    /// The byte after the last line break (the start when there was none).
    line_start: usize,
    /// UTF-8 continuation bytes since `line_start`.
    continuations: u32,
}

/// The end of the object or array at `at` if it is well-formed JSON without comments
/// (see `Parser::skip_copy`), else None. The grammar is `Parser::value`'s, as a state per
/// token; the open brackets are a bit stack (at most `max_depth`, at most `MAX_DEPTH`).
fn scan_value(text: &str, at: usize, max_depth: usize) -> Option<Scan> {
    // What may come next.
    const VALUE: u8 = 0;
    const VALUE_OR_CLOSE: u8 = 1;
    const NAME: u8 = 2;
    const NAME_OR_CLOSE: u8 = 3;
    const AFTER_NAME: u8 = 4;
    const AFTER_VALUE: u8 = 5;
    let bytes = text.as_bytes();
    let [outside, inside] = &SCAN_CLASS;
    let mut stack = [0u64; MAX_DEPTH / 64 + 1];
    let mut depth = 0usize;
    let mut state = VALUE;
    let mut i = at;
    let (mut lines, mut line_start, mut continuations) = (0u32, at, 0u32);
    if !matches!(bytes.get(at), Some(b'{' | b'[')) {
        return None;
    }
    loop {
        let b = *bytes.get(i)?;
        i = i.wrapping_add(1); // within the text
        let value = state <= VALUE_OR_CLOSE;
        match outside.get(usize::from(b)).copied().unwrap_or(OTHER) {
            SPACE => {}
            NEWLINE => {
                lines = lines.wrapping_add(1);
                line_start = i;
                continuations = 0;
            }
            QUOTE => {
                state = match state {
                    NAME | NAME_OR_CLOSE => AFTER_NAME,
                    VALUE | VALUE_OR_CLOSE => AFTER_VALUE,
                    _ => return None,
                };
                loop {
                    // Eight bytes at a time to the next special one (most strings are
                    // names and values in ASCII); the last few one by one.
                    let c = match bytes.get(i..i.wrapping_add(8)) {
                        Some(chunk) => {
                            let marks = special(u64::from_le_bytes(chunk.try_into().ok()?));
                            if marks == 0 {
                                i = i.wrapping_add(8);
                                continue;
                            }
                            i = i.wrapping_add((marks.trailing_zeros() / 8) as usize);
                            *bytes.get(i)?
                        }
                        None => *bytes.get(i)?,
                    };
                    i = i.wrapping_add(1);
                    match inside.get(usize::from(c)).copied().unwrap_or(IN_TEXT) {
                        IN_TEXT => {}
                        END => break,
                        ESCAPE => {
                            match *bytes.get(i)? {
                                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                                b'u' if bytes.get(i.wrapping_add(1)..i.wrapping_add(5))?.iter().all(u8::is_ascii_hexdigit) => i = i.wrapping_add(4),
                                _ => return None,
                            }
                            i = i.wrapping_add(1);
                        }
                        CONTINUATION => continuations = continuations.wrapping_add(1),
                        _ => return None,
                    }
                }
            }
            COLON if state == AFTER_NAME => state = VALUE,
            COMMA if state == AFTER_VALUE => {
                let object = stack.get(depth.wrapping_sub(1) / 64)? & (1u64 << (depth.wrapping_sub(1) % 64)) != 0;
                state = if object { NAME } else { VALUE };
            }
            OPEN if value => {
                if depth >= max_depth {
                    return None;
                }
                let word = stack.get_mut(depth / 64)?;
                let bit = 1u64 << (depth % 64);
                if b == b'{' {
                    *word |= bit;
                    state = NAME_OR_CLOSE;
                } else {
                    *word &= !bit;
                    state = VALUE_OR_CLOSE;
                }
                depth = depth.wrapping_add(1);
            }
            CLOSE => {
                depth = depth.checked_sub(1)?;
                let object = stack.get(depth / 64)? & (1u64 << (depth % 64)) != 0;
                let open = if object { NAME_OR_CLOSE } else { VALUE_OR_CLOSE };
                if object != (b == b'}') || (state != AFTER_VALUE && state != open) {
                    return None;
                }
                state = AFTER_VALUE;
                if depth == 0 {
                    return Some(Scan { end: i, lines, line_start, continuations });
                }
            }
            LITERAL if value => {
                let start = i.wrapping_sub(1);
                let word: &[u8] = match b {
                    b't' => b"true",
                    b'f' => b"false",
                    _ => b"null",
                };
                if bytes.get(start..start.wrapping_add(word.len()))? != word {
                    return None;
                }
                i = start.wrapping_add(word.len());
                state = AFTER_VALUE;
            }
            NUMBER if value => {
                // `Parser::number`'s grammar, and a value `parse_number` takes.
                let start = i.wrapping_sub(1);
                let digits = |i: &mut usize| {
                    let s = *i;
                    while bytes.get(*i).is_some_and(u8::is_ascii_digit) {
                        *i = i.wrapping_add(1);
                    }
                    *i > s
                };
                if b != b'-' {
                    i = start;
                }
                if !digits(&mut i) {
                    return None;
                }
                if bytes.get(i) == Some(&b'.') {
                    i = i.wrapping_add(1);
                    if !digits(&mut i) {
                        return None;
                    }
                }
                if let Some(b'e' | b'E') = bytes.get(i) {
                    i = i.wrapping_add(1);
                    if let Some(b'+' | b'-') = bytes.get(i) {
                        i = i.wrapping_add(1);
                    }
                    if !digits(&mut i) {
                        return None;
                    }
                }
                parse_number(text.get(start..i)?)?;
                state = AFTER_VALUE;
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    /// `skip_copy` (the fast scan, falling back to `skip`) ends where `skip` ends, at the
    /// same line and column, and fails where `skip` fails, with the same error: on
    /// well-formed values with every kind of token, white space, escape and character, and
    /// on the same values with a piece replaced by a random token.
    #[test]
    fn a_copy_read_past_quickly_ends_and_fails_exactly_where_the_full_grammar_does() {
        use proptest::prelude::*;
        use proptest::test_runner::{Config, TestRunner};
        let token = prop::sample::select(vec![
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            " ",
            "\n",
            "\r\n",
            "\t",
            "\"a\"",
            "\"é€😀\"",
            "\"\\u00e9\\n\\\"\"",
            "\"\\u12G4\"",
            "\"\\x\"",
            "\"\u{1}\"",
            "true",
            "fals",
            "null",
            "nul",
            "1",
            "-0.5e+3",
            "01",
            "1.",
            "-",
            "1e",
            "2E-2",
            "é",
            "/* c */",
            "// c\n",
            "\"",
            "\\",
            "tru e",
            "1e400",
        ]);
        let ws = prop::sample::select(vec!["", " ", "\n", "  \n\t", "\r\n "]);
        let leaf = prop_oneof![
            Just("true".to_string()),
            Just("null".to_string()),
            Just("false".to_string()),
            Just("-12.5e3".to_string()),
            Just("0".to_string()),
            "[a-z0-9 éü€😀]{0,12}".prop_map(|s| format!("{s:?}")),
            Just("\"\\u003c\\\\\\/\\b\\f\\r\\t\\ud83d\\ude00\"".to_string()),
        ];
        let value = leaf.prop_recursive(5, 64, 6, move |inner| {
            let ws = ws.clone();
            prop_oneof![
                prop::collection::vec((inner.clone(), ws.clone()), 0..6)
                    .prop_map(|items| format!("[{}]", items.iter().map(|(v, w)| format!("{w}{v}{w}")).collect::<Vec<_>>().join(","))),
                prop::collection::vec(("[a-z_]{1,8}", inner, ws), 0..6)
                    .prop_map(|members| format!("{{{}}}", members.iter().map(|(k, v, w)| format!("{w}\"{k}\"{w}:{w}{v}")).collect::<Vec<_>>().join(","))),
            ]
        });
        let case = (value, prop::option::of((any::<prop::sample::Index>(), 0usize..4, token))).prop_map(|(v, cut)| {
            let v = if v.starts_with(['{', '[']) { v } else { format!("[{v}]") };
            match cut {
                None => v,
                Some((at, len, token)) => {
                    let chars: Vec<char> = v.chars().collect();
                    let i = at.index(chars.len());
                    let j = (i + len).min(chars.len());
                    format!("{}{token}{}", chars.iter().take(i).collect::<String>(), chars.iter().skip(j).collect::<String>())
                }
            }
        });
        let mut runner = TestRunner::new(Config { cases: 4000, failure_persistence: None, ..Config::default() });
        let (fast_ok, failed) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
        runner
            .run(&case, |text| {
                let doc = format!("x {text} ,");
                let run = |fast: bool| {
                    let mut p = super::Parser {
                        bytes: doc.as_bytes(),
                        text: &doc,
                        at: 2,
                        line: 1,
                        column: 3,
                        open_comment: None,
                        duplicates: Vec::new(),
                        plan: super::Plan::No,
                        skipping: false,
                    };
                    let r = if fast { p.skip_copy(1) } else { p.skip(1) };
                    (r, p.at, p.line, p.column)
                };
                let (fast, full) = (run(true), run(false));
                prop_assert_eq!(&fast, &full, "{}", text);
                if fast.0.is_ok() && super::scan_value(&doc, 2, super::MAX_DEPTH - 1).is_some() {
                    fast_ok.set(fast_ok.get() + 1);
                } else if fast.0.is_err() {
                    failed.set(failed.get() + 1);
                }
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{e}"));
        // Both kinds of case were tried, and the fast scan took the well-formed ones.
        let (fast_ok, failed) = (fast_ok.get(), failed.get());
        assert!(fast_ok > 1000 && failed > 500, "{fast_ok} taken by the scan, {failed} errors");
    }

    #[test]
    fn a_plan_s_copies_are_read_past_and_the_rest_is_as_parsed_in_full() {
        use super::{parse, parse_document};
        let change = r#"{"actions": ["create"], "before": null, "after": {"name": "nsg", "security_rule": [{"name": "r\u0031", "priority": 100}]},
            "after_unknown": {"id": true}, "before_sensitive": false, "after_sensitive": {}}"#;
        let body = format!(
            r#""resource_changes": [{{"address": "a.b", "change": {change}}}], "prior_state": {{"values": [1, 2, {{"x": "y"}}]}}, "configuration": {{"after": 1}}}}"#
        );
        let plan = parse(&format!(r#"{{"format_version": "1.2", {body}"#)).unwrap_or_else(|e| panic!("{e}"));
        // Not a plan (format_version is not first): everything is kept.
        let other = parse(&format!(r#"{{"x": 0, "format_version": "1.2", {body}"#)).unwrap_or_else(|e| panic!("{e}"));
        let change_of = |n: &super::Node| n.get("resource_changes").and_then(|r| r.as_array()).and_then(|a| a.first()).and_then(|c| c.get("change")).cloned();
        let (kept, full) = (change_of(&plan).unwrap_or_else(|| panic!("change")), change_of(&other).unwrap_or_else(|| panic!("change")));
        for copy in ["before", "after", "before_sensitive", "after_sensitive"] {
            assert!(kept.get(copy).is_none() && full.get(copy).is_some(), "{copy}");
        }
        assert!(plan.get("prior_state").is_none() && other.get("prior_state").is_some());
        // What is read keeps its place (after_unknown is on the change's second line, where
        // both documents agree), and `after` elsewhere is kept.
        let at = |n: &super::Node| n.get("after_unknown").map(|u| u.pos).unwrap_or_else(|| panic!("after_unknown"));
        assert_eq!(at(&kept), at(&full));
        assert!(plan.get("configuration").and_then(|c| c.get("after")).is_some());
        // A syntax error inside a copy is found, at its place.
        let broken = r#"{"format_version": "1.2", "resource_changes": [{"change": {"after": {"name": "nsg" "x": 1}}}]}"#;
        let e = parse_document(broken).err().unwrap_or_else(|| panic!("accepted"));
        let column = broken.find(r#""x""#).map(|i| i + 1).unwrap_or_default();
        assert_eq!((e.pos.line, e.pos.column as usize), (1, column), "{}", e.message);
        assert!(e.message.contains("expected `,` or `}`"), "{}", e.message);
        // A copy read past is bounded as a kept value is: 100,000 levels are an error, not
        // a stack overflow.
        let deep = format!(r#"{{"format_version": "1.2", "resource_changes": [{{"change": {{"after": {}1{}}}}}]}}"#, "[".repeat(100_000), "]".repeat(100_000));
        let e = parse_document(&deep).err().unwrap_or_else(|| panic!("accepted"));
        assert!(e.message.contains("nested deeper than"), "{}", e.message);
    }

    #[test]
    fn numbers_read_as_core_reads_them_where_it_matters() {
        use super::parse_number;
        for text in ["0", "-0", "1", "4096", "65500", "1.5", "0.1", "-3.25", "1e3", "2E-2", "123456789012345", "9007199254740992", "0.000001", "1e22", "+7"] {
            assert_eq!(parse_number(text), text.parse::<f64>().ok(), "{text}");
        }
        for text in ["12345678901234567890123", "1.7976931348623157e308", "4e-320", "1e400", "123.456e-30"] {
            let (ours, core) = (parse_number(text).unwrap_or(f64::NAN), text.parse::<f64>().unwrap_or(f64::NAN));
            assert!(ours == core || ((ours - core) / core).abs() < 1e-14, "{text}: {ours} vs {core}");
        }
        for text in ["", "-", ".5", "1.", "1e", "1e+", "a", "1x", "--1"] {
            assert_eq!(parse_number(text), None, "{text}");
        }
    }

    use super::*;

    #[test]
    fn positions_and_case_insensitive_keys() {
        let doc = parse("{\n  \"Name\": \"x\",\n  \"list\": [1, true]\n}").unwrap_or_else(|_| Node::synthetic(Value::Null, Pos::default()));
        let name = doc.get("name");
        assert_eq!(name.map(|n| n.pos), Some(Pos { line: 2, column: 11 }));
        assert_eq!(doc.get("LIST").and_then(|l| l.as_array()).map(|a| a.len()), Some(2));
    }

    #[test]
    fn errors_carry_line_and_column() {
        let e = parse("{\n  \"a\": 1,\n  \"b\" 2\n}").err();
        assert_eq!(e.map(|e| e.to_string()), Some("3:7: unexpected character `2`; expected `:`".into()));
        assert!(parse("").is_err());
        assert!(parse("   ").is_err());
        assert!(parse("[1,]").is_err());
        assert!(parse("{\"a\":1} x").is_err());
    }

    #[test]
    fn numbers_without_float_formatting() {
        for (n, text) in [
            (0.0, "0"),
            (42.0, "42"),
            (-7.0, "-7"),
            (1.5, "1.5"),
            (0.25, "0.25"),
            (-0.125, "-0.125"),
            (44224.0, "44224"),
            (1e15, "1000000000000000"),
            (2.5e20, "2.5e20"),
        ] {
            assert_eq!(format_number(n), text);
        }
        assert_eq!(fixed(12.3456, 2), "12.35");
        assert_eq!(fixed(3.0, 1), "3");
        assert_eq!(fixed(f64::INFINITY, 1), "Infinity");
    }

    #[test]
    #[allow(clippy::unwrap_used)]
    fn comments_duplicates_and_surrogates() {
        let text = "// head\n{ /* a */ \"a\": 1, // tail\n \"b\": /* x */ [1 /* y */, 2], \"A\": 3 }";
        let d = parse_document(text).unwrap();
        assert_eq!(d.root.get("a").unwrap().value, Value::Number(3.0), "the last of a duplicate name wins");
        assert_eq!(d.root.get("b").unwrap().as_array().unwrap().len(), 2);
        assert_eq!(d.root.get("b").unwrap().pos, Pos { line: 3, column: 15 }, "positions stay exact after comments");
        assert_eq!(d.duplicates, vec![("A".to_string(), Pos { line: 3, column: 31 })]);
        let e = parse("{\"a\": 1 /* open").unwrap_err();
        assert!(e.message.contains("never closed") && e.pos == Pos { line: 1, column: 9 }, "{e}");
        assert!(parse("{\"a\": 1 / 2}").is_err());
        assert_eq!(parse(r#""\ud800\u0041""#).unwrap().value, Value::String("\u{FFFD}A".into()));
        assert_eq!(parse(r#""\ud800\ud83d\ude00""#).unwrap().value, Value::String("\u{FFFD}😀".into()));
        // Many duplicates in one large object stay linear.
        let big = format!("{{{}}}", (0..50_000).map(|i| format!("\"k{}\": {i}", i % 100)).collect::<Vec<_>>().join(","));
        let d = parse_document(&big).unwrap();
        assert_eq!(d.root.as_object().unwrap().len(), 100);
        assert_eq!(d.duplicates.len(), MAX_DUPLICATES);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(10_000) + &"]".repeat(10_000);
        let e = parse(&text).err();
        assert!(e.is_some_and(|e| e.message.contains("nested deeper")));
    }

    #[test]
    fn merge_markers_are_named() {
        let e = parse("{\n<<<<<<< HEAD\n}").err();
        assert!(e.is_some_and(|e| e.message.contains("merge conflict") && e.pos.line == 2));
    }

    #[test]
    fn unicode_columns_count_characters() {
        let doc = parse("{\"é\": \"ü\", \"k\": 1}").unwrap_or_else(|_| Node::synthetic(Value::Null, Pos::default()));
        assert_eq!(doc.get("k").map(|n| n.pos.column), Some(17));
        let esc = parse("\"\\u00e9\\ud83d\\ude00\"").ok();
        assert_eq!(esc.and_then(|n| n.as_str().map(String::from)), Some("é😀".into()));
    }

    /// Strings of every length around the 8-byte blocks of the fast scan, with a quote,
    /// an escape, a non-ASCII character or a control character at every offset: the value
    /// and the column of what follows are those of a byte-by-byte reading.
    #[test]
    fn string_scan_agrees_with_bytes_at_every_offset() {
        for len in 0..26 {
            for at in 0..=len {
                for special in ["\\\"", "\\n", "é", "😀", "x"] {
                    let plain: String = (0..len).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
                    let (head, tail) = plain.split_at(at);
                    let raw = format!("{head}{special}{tail}");
                    let decoded = raw.replace("\\\"", "\"").replace("\\n", "\n");
                    let doc = parse(&format!("{{\"s\": \"{raw}\", \"k\": 1}}"));
                    assert_eq!(doc.as_ref().ok().and_then(|d| d.get("s")).and_then(|n| n.as_str()), Some(decoded.as_str()), "{raw}");
                    let column = 16 + raw.chars().count() as u32;
                    assert_eq!(doc.as_ref().ok().and_then(|d| d.get("k")).map(|n| n.pos.column), Some(column), "{raw}");
                }
                let with_control = format!("\"{}\u{1}\"", "a".repeat(at));
                let e = parse(&with_control).err().map(|e| e.pos.column);
                assert_eq!(e, Some(2 + at as u32), "control character after {at} bytes");
            }
        }
    }
}

//! A light reader of a simulation request's shape: the text of its request
//! and of each policy, found by scanning brackets and strings instead of
//! running a JSON parser over the whole line (the policies are parsed
//! anyway, one by one). It takes only the plain shape
//! (`{"key": value, ...}` with known keys, each once, unescaped) and says
//! nothing about what it refuses: the caller then reads the line with the
//! JSON parser, which locates the error. Whatever it finds is parsed
//! strictly afterwards (the request by serde, each policy by the policy
//! reader), and a line whose parts fail there is read again the strict way
//! too, so its error is the one the JSON parser gives.

/// The parts of a request document, as text.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Spans<'a> {
    pub request: Option<&'a str>,
    pub identity_policies: Vec<&'a str>,
    pub resource_policy: Option<&'a str>,
    pub permission_boundary: Option<&'a str>,
    pub session_policies: Vec<&'a str>,
    pub scps: Vec<Vec<&'a str>>,
    pub rcps: Vec<Vec<&'a str>>,
    pub management_account: Option<&'a str>,
}

struct Scan<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Scan<'a> {
    fn byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn ws(&mut self) {
        while self
            .byte()
            .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.at += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.byte() == Some(c)).then(|| self.at += 1)
    }

    /// A key without escapes.
    fn key(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let rest = self.text.get(self.at..)?;
        let end = memchr::memchr2(b'"', b'\\', rest.as_bytes())?;
        (rest.as_bytes().get(end) == Some(&b'"')).then_some(())?;
        self.at += end + 1;
        rest.get(..end)
    }

    /// One value's text (not checked inside).
    fn value(&mut self) -> Option<&'a str> {
        self.ws();
        let start = self.at;
        let b = self.text.as_bytes();
        match self.byte()? {
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match *b.get(self.at)? {
                        b'"' => self.string()?,
                        b'{' | b'[' => {
                            depth += 1;
                            self.at += 1;
                        }
                        b'}' | b']' => {
                            depth = depth.checked_sub(1)?;
                            self.at += 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => self.at += 1,
                    }
                }
            }
            b'"' => self.string()?,
            _ => {
                while self.byte().is_some_and(|c| {
                    !matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                }) {
                    self.at += 1;
                }
                (self.at > start).then_some(())?;
            }
        }
        self.text.get(start..self.at)
    }

    /// Past a string starting here.
    fn string(&mut self) -> Option<()> {
        self.at += 1;
        loop {
            let rest = self.text.as_bytes().get(self.at..)?;
            let i = memchr::memchr2(b'"', b'\\', rest)?;
            match rest.get(i)? {
                b'\\' => self.at += i + 2,
                _ => {
                    self.at += i + 1;
                    return Some(());
                }
            }
        }
    }

    /// `[item, ...]`, each read by `item`.
    fn seq<T>(&mut self, item: impl Fn(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.eat(b'[')?;
        let mut out = Vec::new();
        self.ws();
        if self.byte() == Some(b']') {
            self.at += 1;
            return Some(out);
        }
        loop {
            out.push(item(self)?);
            self.ws();
            match self.byte()? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    return Some(out);
                }
                _ => return None,
            }
        }
    }

    /// `[value, ...]`, each value's text.
    fn list(&mut self) -> Option<Vec<&'a str>> {
        self.seq(Self::value)
    }

    /// `[[value, ...], ...]`.
    fn levels(&mut self) -> Option<Vec<Vec<&'a str>>> {
        self.seq(Self::list)
    }
}

/// The parts of `text`, or `None` for anything but the plain shape.
pub(crate) fn skim(text: &str) -> Option<Spans<'_>> {
    let mut s = Scan { text, at: 0 };
    let mut out = Spans::default();
    let mut seen = [false; 8];
    s.eat(b'{')?;
    s.ws();
    if s.byte() == Some(b'}') {
        return None;
    }
    loop {
        let key = s.key()?;
        s.eat(b':')?;
        let slot = match key {
            "request" => 0,
            "identity_policies" => 1,
            "resource_policy" => 2,
            "permission_boundary" => 3,
            "session_policies" => 4,
            "scps" => 5,
            "rcps" => 6,
            "management_account" => 7,
            _ => return None,
        };
        let first = seen.get_mut(slot)?;
        if std::mem::replace(first, true) {
            return None;
        }
        match slot {
            0 => out.request = Some(s.value()?),
            1 => out.identity_policies = s.list()?,
            2 => out.resource_policy = Some(s.value()?),
            3 => out.permission_boundary = Some(s.value()?),
            4 => out.session_policies = s.list()?,
            5 => out.scps = s.levels()?,
            6 => out.rcps = s.levels()?,
            _ => out.management_account = Some(s.value()?),
        }
        s.ws();
        match s.byte()? {
            b',' => s.at += 1,
            b'}' => {
                s.at += 1;
                break;
            }
            _ => return None,
        }
    }
    s.ws();
    (s.at == text.len()).then_some(out)
}

/// A document that opens with its request, `{"request": {...}, ...`: the
/// request's text and the text after it. A light scan, not a check: what it
/// finds is parsed, or looked up by text known to have parsed.
pub(crate) fn split_request(text: &str) -> Option<(&str, &str)> {
    let b = text.as_bytes();
    let ws = |mut i: usize| {
        while b
            .get(i)
            .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
        {
            i += 1;
        }
        i
    };
    let mut i = ws(0);
    (b.get(i) == Some(&b'{')).then_some(())?;
    i = ws(i + 1);
    (b.get(i..i + 9)? == b"\"request\"").then_some(())?;
    i = ws(i + 9);
    (b.get(i) == Some(&b':')).then_some(())?;
    let start = ws(i + 1);
    (b.get(start) == Some(&b'{')).then_some(())?;
    let mut depth = 0usize;
    let mut j = start;
    loop {
        match b.get(j)? {
            b'"' => {
                j += 1;
                loop {
                    match b.get(j)? {
                        b'\\' => j += 2,
                        b'"' => break,
                        _ => j += 1,
                    }
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some((text.get(start..=j)?, text.get(j + 1..)?));
                }
            }
            _ => {}
        }
        j += 1;
    }
}

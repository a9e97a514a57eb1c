//! radvd.conf as radvd 2.19's `scanner.l` and `gram.y` read it, for the part nslab models:
//! `interface NAME { … };` blocks with the router's timing, flags and lifetimes, and
//! `prefix A/N { … };` blocks inside. A keyword radvd knows but nslab does not model
//! (`route`, `RDNSS`, `DNSSL`, `clients`, Mobile IPv6, …) is [`ConfigError::Unsupported`];
//! anything radvd's grammar rejects is [`ConfigError::Syntax`] at the line radvd names.

use std::net::Ipv6Addr;

/// A router's interface, as configured (radvd's defaults filled in where `check_iface`
/// fills them).
#[derive(Clone, Debug, PartialEq)]
pub struct IfaceConf {
    /// The interface.
    pub name: String,
    /// `AdvSendAdvert`.
    pub send_advert: bool,
    /// `IgnoreIfMissing` (on by default).
    pub ignore_if_missing: bool,
    /// `MaxRtrAdvInterval`, seconds (600).
    pub max_interval: f64,
    /// `MinRtrAdvInterval`, seconds (0.33 × max).
    pub min_interval: f64,
    /// `MinDelayBetweenRAs`, seconds (3).
    pub min_delay: f64,
    /// `AdvManagedFlag`.
    pub managed: bool,
    /// `AdvOtherConfigFlag`.
    pub other: bool,
    /// `AdvLinkMTU` (0: no MTU option).
    pub link_mtu: u32,
    /// `AdvReachableTime`, ms.
    pub reachable: u32,
    /// `AdvRetransTimer`, ms.
    pub retrans: u32,
    /// `AdvCurHopLimit` (64).
    pub cur_hop_limit: u8,
    /// `AdvDefaultLifetime`, seconds (3 × max).
    pub default_lifetime: u32,
    /// `AdvSourceLLAddress` (on).
    pub source_ll: bool,
    /// Its prefixes, in the file's order.
    pub prefixes: Vec<PrefixConf>,
}

/// A prefix an interface advertises.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrefixConf {
    /// The prefix as written.
    pub addr: Ipv6Addr,
    /// Its length.
    pub len: u8,
    /// `AdvOnLink` (on).
    pub on_link: bool,
    /// `AdvAutonomous` (on).
    pub autonomous: bool,
    /// `AdvRouterAddr` (off).
    pub router_addr: bool,
    /// `AdvValidLifetime`, seconds (86400; `infinity`: u32::MAX).
    pub valid: u32,
    /// `AdvPreferredLifetime`, seconds (14400).
    pub preferred: u32,
}

/// Why a config was not taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// radvd's `yyerror`: `PATH:LINE error: syntax error`.
    Syntax(usize),
    /// A check radvd makes after reading a statement (its words, `… in PATH, line N`).
    Invalid(String, usize),
    /// A keyword radvd knows that nslab does not model.
    Unsupported(String, usize),
}

/// radvd's keywords nslab does not model (each refused as not supported yet).
const UNMODELLED: &[&str] = &[
    "route",
    "RDNSS",
    "DNSSL",
    "clients",
    "AdvRASrcAddress",
    "lowpanco",
    "abro",
    "AdvRAMTU",
    "AdvDefaultPreference",
    "AdvIntervalOpt",
    "AdvHomeAgentInfo",
    "AdvHomeAgentFlag",
    "HomeAgentPreference",
    "HomeAgentLifetime",
    "UnicastOnly",
    "AdvRASolicitedUnicast",
    "AdvMobRtrSupportFlag",
    "DeprecatePrefix",
    "DecrementLifetimes",
    "Base6Interface",
    "Base6to4Interface",
];

/// The words, braces and semicolons of a config, each with its line (`#` comments out the
/// rest of a line).
fn tokens(text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or_default();
        let mut word = String::new();
        for c in line.chars() {
            if c.is_whitespace() || matches!(c, '{' | '}' | ';') {
                if !word.is_empty() {
                    out.push((std::mem::take(&mut word), n + 1));
                }
                if !c.is_whitespace() {
                    out.push((c.to_string(), n + 1));
                }
            } else {
                word.push(c);
            }
        }
        if !word.is_empty() {
            out.push((word, n + 1));
        }
    }
    out
}

struct Parser {
    toks: Vec<(String, usize)>,
    at: usize,
    /// The last line, where an error at the end of the input is (an empty file: 1).
    last_line: usize,
}

impl Parser {
    fn peek(&self) -> Option<&str> {
        self.toks.get(self.at).map(|t| t.0.as_str())
    }
    fn line(&self) -> usize {
        self.toks.get(self.at).map_or(self.last_line, |t| t.1)
    }
    fn next(&mut self) -> Result<(String, usize), ConfigError> {
        let t = self.toks.get(self.at).cloned().ok_or(ConfigError::Syntax(self.last_line))?;
        self.at += 1;
        Ok(t)
    }
    fn expect(&mut self, want: &str) -> Result<(), ConfigError> {
        let line = self.line();
        match self.next()? {
            (w, _) if w == want => Ok(()),
            _ => Err(ConfigError::Syntax(line)),
        }
    }
    fn switch(&mut self) -> Result<bool, ConfigError> {
        let (w, line) = self.next()?;
        match w.as_str() {
            "on" => Ok(true),
            "off" => Ok(false),
            _ => Err(ConfigError::Syntax(line)),
        }
    }
    fn number(&mut self, infinity: bool) -> Result<u32, ConfigError> {
        let (w, line) = self.next()?;
        if infinity && w == "infinity" {
            return Ok(u32::MAX);
        }
        if !w.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ConfigError::Syntax(line));
        }
        w.parse().map_err(|_| ConfigError::Syntax(line))
    }
    fn decimal(&mut self) -> Result<f64, ConfigError> {
        let (w, line) = self.next()?;
        let ok = !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit() || b == b'.') && w.matches('.').count() <= 1;
        if !ok {
            return Err(ConfigError::Syntax(line));
        }
        w.parse().map_err(|_| ConfigError::Syntax(line))
    }
}

/// Parses a config's text (`path` names it in radvd's messages).
pub fn parse(text: &str, path: &str) -> Result<Vec<IfaceConf>, ConfigError> {
    let toks = tokens(text);
    let last_line = text.lines().count().max(1);
    let mut p = Parser { toks, at: 0, last_line };
    let mut ifaces: Vec<IfaceConf> = Vec::new();
    if p.peek().is_none() {
        return Err(ConfigError::Syntax(1));
    }
    while p.peek().is_some() {
        let line = p.line();
        let (w, _) = p.next()?;
        if w != "interface" {
            return Err(ConfigError::Syntax(line));
        }
        let (name, nline) = p.next()?;
        if matches!(name.as_str(), "{" | "}" | ";") {
            return Err(ConfigError::Syntax(nline));
        }
        if ifaces.iter().any(|i| i.name == name) {
            return Err(ConfigError::Invalid(format!("duplicate interface definition for {name}"), nline));
        }
        p.expect("{")?;
        let mut i = IfaceConf {
            name,
            send_advert: false,
            ignore_if_missing: true,
            max_interval: 600.0,
            min_interval: -1.0,
            min_delay: 3.0,
            managed: false,
            other: false,
            link_mtu: 0,
            reachable: 0,
            retrans: 0,
            cur_hop_limit: 64,
            default_lifetime: u32::MAX,
            source_ll: true,
            prefixes: Vec::new(),
        };
        loop {
            let line = p.line();
            let (w, _) = p.next()?;
            match w.as_str() {
                "}" => break,
                "prefix" => i.prefixes.push(prefix(&mut p, path)?),
                k if UNMODELLED.contains(&k) => return Err(ConfigError::Unsupported(k.to_string(), line)),
                "AdvSendAdvert" => i.send_advert = p.switch()?,
                "IgnoreIfMissing" => i.ignore_if_missing = p.switch()?,
                "AdvManagedFlag" => i.managed = p.switch()?,
                "AdvOtherConfigFlag" => i.other = p.switch()?,
                "AdvSourceLLAddress" => i.source_ll = p.switch()?,
                "MaxRtrAdvInterval" => i.max_interval = p.decimal()?,
                "MinRtrAdvInterval" => i.min_interval = p.decimal()?,
                "MinDelayBetweenRAs" => i.min_delay = p.decimal()?,
                "AdvLinkMTU" => i.link_mtu = p.number(false)?,
                "AdvReachableTime" => i.reachable = p.number(false)?,
                "AdvRetransTimer" => i.retrans = p.number(false)?,
                "AdvCurHopLimit" => {
                    let n = p.number(false)?;
                    i.cur_hop_limit = u8::try_from(n).map_err(|_| ConfigError::Syntax(line))?;
                }
                "AdvDefaultLifetime" => i.default_lifetime = p.number(false)?,
                _ => return Err(ConfigError::Syntax(line)),
            }
            if w != "prefix" {
                p.expect(";")?;
            }
        }
        p.expect(";")?;
        // `check_iface`'s defaults, which follow the maximum.
        if i.min_interval < 0.0 {
            i.min_interval = 0.33 * i.max_interval;
        }
        if i.default_lifetime == u32::MAX {
            i.default_lifetime = ((3.0 * i.max_interval) as u32).max(1);
        }
        ifaces.push(i);
    }
    Ok(ifaces)
}

/// `prefix A/N [{ … }];`.
fn prefix(p: &mut Parser, path: &str) -> Result<PrefixConf, ConfigError> {
    let (w, line) = p.next()?;
    let Some((a, l)) = w.split_once('/') else { return Err(ConfigError::Syntax(line)) };
    let addr: Ipv6Addr = a.parse().map_err(|_| ConfigError::Syntax(line))?;
    let len: u8 = match l.parse() {
        Ok(n) if n <= 128 => n,
        _ => return Err(ConfigError::Invalid(format!("invalid prefix length in {path}, line {line}"), line)),
    };
    let mut pc =
        PrefixConf { addr, len, on_link: true, autonomous: true, router_addr: false, valid: 86400, preferred: 14400 };
    if p.peek() == Some("{") {
        p.expect("{")?;
        loop {
            let line = p.line();
            let (w, _) = p.next()?;
            match w.as_str() {
                "}" => break,
                k if UNMODELLED.contains(&k) => return Err(ConfigError::Unsupported(k.to_string(), line)),
                "AdvOnLink" => pc.on_link = p.switch()?,
                "AdvAutonomous" => pc.autonomous = p.switch()?,
                "AdvRouterAddr" => pc.router_addr = p.switch()?,
                "AdvValidLifetime" => pc.valid = p.number(true)?,
                "AdvPreferredLifetime" => pc.preferred = p.number(true)?,
                _ => return Err(ConfigError::Syntax(line)),
            }
            p.expect(";")?;
        }
    }
    let end = p.line();
    p.expect(";")?;
    if pc.preferred > pc.valid {
        let m = format!("AdvValidLifeTime must be greater than AdvPreferredLifetime in {path}, line {end}");
        return Err(ConfigError::Invalid(m, end));
    }
    Ok(pc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tutorials_config_reads_with_radvds_defaults() {
        let text = "# the LAN\ninterface r-lan {\n    AdvSendAdvert on;\n    prefix 2001:db8:1::/64 { };\n};\n";
        let c = parse(text, "/dev/stdin").unwrap();
        let i = &c[0];
        assert_eq!((i.name.as_str(), i.send_advert, i.default_lifetime, i.cur_hop_limit), ("r-lan", true, 1800, 64));
        assert!((i.min_interval - 198.0).abs() < 1e-9);
        let p = &i.prefixes[0];
        assert_eq!((p.len, p.on_link, p.autonomous, p.valid, p.preferred), (64, true, true, 86400, 14400));
        let c = parse("interface a { MaxRtrAdvInterval 10; prefix 2001:db8::/64; };", "x").unwrap();
        assert_eq!((c[0].default_lifetime, c[0].prefixes.len()), (30, 1));
    }

    #[test]
    fn errors_name_the_line_radvd_names() {
        assert_eq!(parse("", "f"), Err(ConfigError::Syntax(1)));
        assert_eq!(parse("interface a {\n AdvSendAdvert yes;\n};\n", "f"), Err(ConfigError::Syntax(2)));
        assert_eq!(parse("interface a {\n AdvSendAdvert on\n};\n", "f"), Err(ConfigError::Syntax(3)));
        assert_eq!(
            parse("interface a {\n RDNSS 2001:db8::53 { };\n};\n", "f"),
            Err(ConfigError::Unsupported("RDNSS".into(), 2))
        );
        let e = parse("interface a { prefix 2001:db8::/64 { AdvPreferredLifetime 9; AdvValidLifetime 5; }; };", "f");
        assert!(matches!(e, Err(ConfigError::Invalid(m, 1)) if m.contains("must be greater")));
        assert!(matches!(parse("interface a { };\ninterface a { };", "f"), Err(ConfigError::Invalid(_, 2))));
    }
}

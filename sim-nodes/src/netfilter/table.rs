//! The `filter` and `nat` tables: chains, policies, counters; applying iptables commands;
//! walking a chain for a packet.

use super::cli::{CliError, Cmd, Op, TableId, Which};
use super::rule::{Pkt, RejectWith, Rule, Target};

/// Packet and byte counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Packets.
    pub pkts: u64,
    /// Bytes.
    pub bytes: u64,
}

/// A chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chain {
    /// Its name.
    pub name: String,
    /// A built-in chain's policy (`true`: ACCEPT); `None` for a user chain.
    pub policy: Option<bool>,
    /// The policy's counters.
    pub policy_counters: Counters,
    /// The policy counts: iptables-nft gives a built-in chain its counter when its policy
    /// is set (`-P`, or a restore's `:CHAIN POLICY` line); until then they stay at zero.
    pub counted: bool,
    /// Its rules, with their counters.
    pub rules: Vec<(Rule, Counters)>,
}

impl Chain {
    fn builtin(name: &str) -> Self {
        Chain {
            name: name.into(),
            policy: Some(true),
            policy_counters: Counters::default(),
            counted: false,
            rules: Vec::new(),
        }
    }
}

/// A table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// Which.
    pub id: TableId,
    /// Whose: `iptables`' or `ip6tables`'.
    pub family: super::Family,
    /// In the kernel: iptables-nft makes a table (and hooks its chains) on the first
    /// command that touches it, even `-L`; until then nothing is filtered or counted.
    pub active: bool,
    /// The table has chains in the kernel (what `iptables-save` shows): made by the
    /// first command that adds something, not by `-L` or `-F`.
    pub exists: bool,
    /// Built-in chains first (in the kernel's order), then user chains as made.
    pub chains: Vec<Chain>,
}

/// What a chain walk decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Let it pass.
    Accept,
    /// Drop it silently.
    Drop,
    /// Drop it and answer with an ICMP error.
    Reject(RejectWith),
    /// A NAT target (nat table only).
    Nat(Target),
}

/// nf_tables' `NFT_JUMP_STACK_SIZE`: a chain this many jumps below a base chain is refused.
pub const JUMP_STACK: usize = 16;

/// What the kernel says when a rule would leave a chain too deep below a built-in chain, or
/// a loop reachable from one (`EMLINK`). `op` is `APPEND` or `INSERT`.
pub fn too_many_links(op: &str, chain: &str) -> CliError {
    CliError {
        message: format!("{}:  RULE_{op} failed (Too many links): rule in chain {chain}", super::cli::VERSION),
        status: 4,
        word: None,
    }
}

/// True if `e` is [`too_many_links`]'s refusal.
pub fn is_too_many_links(e: &CliError) -> bool {
    e.status == 4 && e.message.contains(" failed (Too many links): rule in chain ")
}

/// What the kernel refuses when an iptables command is applied.
fn no_such() -> CliError {
    CliError { message: "iptables: No chain/target/match by that name.".into(), status: 1, word: None }
}

impl Table {
    /// An empty IPv4 table with its built-in chains.
    pub fn new(id: TableId) -> Self {
        Self::of(id, super::Family::V4)
    }

    /// An empty table of `family` with its built-in chains.
    pub fn of(id: TableId, family: super::Family) -> Self {
        let names: &[&str] = match id {
            TableId::Filter => &["INPUT", "FORWARD", "OUTPUT"],
            TableId::Nat => &["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
        };
        let chains = names.iter().map(|n| Chain::builtin(n)).collect();
        Table { id, family, active: false, exists: false, chains }
    }

    /// A chain by name.
    pub fn chain(&self, name: &str) -> Option<&Chain> {
        self.chains.iter().find(|c| c.name == name)
    }

    fn chain_mut(&mut self, name: &str) -> Result<&mut Chain, CliError> {
        self.chains.iter_mut().find(|c| c.name == name).ok_or_else(no_such)
    }

    /// How many rules jump to `name`.
    pub fn references(&self, name: &str) -> usize {
        self.chains
            .iter()
            .flat_map(|c| &c.rules)
            .filter(|(r, _)| matches!(&r.target, Target::Jump(j) if j == name))
            .count()
    }

    /// True if any rule needs connection tracking (a state match).
    pub fn uses_conntrack(&self) -> bool {
        self.chains.iter().flat_map(|c| &c.rules).any(|(r, _)| r.state.is_some())
    }

    /// True if the table has any rule at all.
    pub fn has_rules(&self) -> bool {
        self.chains.iter().any(|c| !c.rules.is_empty())
    }

    fn check(&self, chain: &str, r: &Rule) -> Result<(), CliError> {
        let builtin = self.chain(chain).and_then(|c| c.policy).is_some();
        let invalid = || CliError {
            message: format!("{}:  RULE_APPEND failed (Invalid argument): rule in chain {chain}", super::cli::VERSION),
            status: 4,
            word: None,
        };
        let wrong_table = match &r.target {
            Target::Jump(j) if self.chain(j).is_none_or(|c| c.policy.is_some()) => {
                return Err(CliError::usage(format!("Chain '{j}' does not exist"), Some(j)));
            }
            Target::Snat { .. } | Target::Masquerade { .. } => {
                self.id != TableId::Nat || (builtin && !matches!(chain, "POSTROUTING" | "INPUT"))
            }
            Target::Dnat { .. } | Target::Redirect { .. } => {
                self.id != TableId::Nat || (builtin && !matches!(chain, "PREROUTING" | "OUTPUT"))
            }
            Target::Reject(_) => self.id != TableId::Filter,
            _ => false,
        };
        if wrong_table {
            return Err(invalid());
        }
        if r.in_if.is_some() && matches!(chain, "OUTPUT" | "POSTROUTING") {
            return Err(CliError::usage(format!("Can't use -i with {chain}"), None));
        }
        if r.out_if.is_some() && matches!(chain, "INPUT" | "PREROUTING") {
            return Err(CliError::usage(format!("Can't use -o with {chain}"), None));
        }
        Ok(())
    }

    /// True when nf_tables would take the table's jumps: from no built-in chain is a loop
    /// reachable, nor a chain [`JUMP_STACK`] jumps down. (nf_tables checks only what a base
    /// chain reaches: a loop among chains nothing jumps to is accepted.)
    pub fn jumps_valid(&self) -> bool {
        let index: std::collections::BTreeMap<&str, usize> =
            self.chains.iter().enumerate().map(|(k, c)| (c.name.as_str(), k)).collect();
        // 0: not seen; 1: on the path being walked; 2: done, `height` is its deepest jump.
        let mut state = vec![0u8; self.chains.len()];
        let mut height = vec![0usize; self.chains.len()];
        (0..self.chains.len())
            .filter(|&k| self.chains[k].policy.is_some())
            .all(|k| self.visit(k, 0, &index, &mut state, &mut height))
    }

    /// Walks chain `k`, reached `level` jumps below a base chain (nft_chain_validate()).
    fn visit(
        &self,
        k: usize,
        level: usize,
        index: &std::collections::BTreeMap<&str, usize>,
        state: &mut [u8],
        height: &mut [usize],
    ) -> bool {
        if level >= JUMP_STACK {
            return false;
        }
        match state[k] {
            1 => return false,
            2 => return level + height[k] < JUMP_STACK,
            _ => {}
        }
        state[k] = 1;
        let mut h = 0;
        for (r, _) in &self.chains[k].rules {
            let Target::Jump(j) = &r.target else { continue };
            let Some(&t) = index.get(j.as_str()) else { continue };
            if !self.visit(t, level + 1, index, state, height) {
                return false;
            }
            h = h.max(1 + height[t]);
        }
        state[k] = 2;
        height[k] = h;
        true
    }

    /// Adds a rule at `at` of chain `c`, refused as nf_tables refuses a jump that makes a
    /// loop or goes too deep.
    fn add_rule(&mut self, c: &str, at: usize, r: &Rule, op: &str) -> Result<(), CliError> {
        let ch = self.chains.iter().position(|x| x.name == c).ok_or_else(no_such)?;
        self.chains[ch].rules.insert(at, (r.clone(), Counters::default()));
        if matches!(r.target, Target::Jump(_)) && !self.jumps_valid() {
            self.chains[ch].rules.remove(at);
            return Err(too_many_links(op, c));
        }
        Ok(())
    }

    /// Applies a command other than the listings; returns nothing or iptables' refusal.
    pub fn apply(&mut self, cmd: &Cmd) -> Result<(), CliError> {
        match &cmd.op {
            Op::Append(c, r) => {
                let len = self.chain(c).ok_or_else(no_such)?.rules.len();
                self.check(c, r)?;
                self.add_rule(c, len, r, "APPEND")?;
            }
            Op::Insert(c, n, r) => {
                let len = self.chain(c).ok_or_else(no_such)?.rules.len();
                self.check(c, r)?;
                if *n > len + 1 {
                    return Err(CliError {
                        message: "iptables: Index of insertion too big.".into(),
                        status: 1,
                        word: None,
                    });
                }
                self.add_rule(c, n - 1, r, "INSERT")?;
            }
            Op::Delete(c, w) => {
                let ch = self.chain_mut(c)?;
                let at = match w {
                    Which::Num(n) if *n <= ch.rules.len() => n - 1,
                    Which::Num(_) => {
                        return Err(CliError {
                            message: "iptables: Index of deletion too big.".into(),
                            status: 1,
                            word: None,
                        });
                    }
                    Which::Rule(r) => ch.rules.iter().position(|(x, _)| x == &**r).ok_or_else(|| CliError {
                        message: "iptables: Bad rule (does a matching rule exist in that chain?).".into(),
                        status: 1,
                        word: None,
                    })?,
                };
                ch.rules.remove(at);
            }
            Op::Flush(None) => self.chains.iter_mut().for_each(|c| c.rules.clear()),
            Op::Flush(Some(c)) => self.chain_mut(c)?.rules.clear(),
            Op::Zero(c) => {
                for ch in self.chains.iter_mut().filter(|x| c.as_ref().is_none_or(|c| *c == x.name)) {
                    ch.policy_counters = Counters::default();
                    ch.rules.iter_mut().for_each(|(_, k)| *k = Counters::default());
                }
            }
            Op::NewChain(c) => {
                if self.chain(c).is_some() {
                    return Err(CliError { message: "iptables: Chain already exists.".into(), status: 1, word: None });
                }
                self.chains.push(Chain {
                    name: c.clone(),
                    policy: None,
                    policy_counters: Counters::default(),
                    counted: false,
                    rules: Vec::new(),
                });
            }
            Op::DeleteChain(Some(c)) => {
                let Some(ch) = self.chain(c) else { return Err(no_such()) };
                if ch.policy.is_some() {
                    return Err(CliError { message: "iptables: Invalid argument.".into(), status: 1, word: None });
                }
                if self.references(c) > 0 || !ch.rules.is_empty() {
                    return Err(CliError { message: "iptables: Directory not empty.".into(), status: 1, word: None });
                }
                self.chains.retain(|x| x.name != *c);
            }
            Op::DeleteChain(None) => {
                let busy: Vec<String> = self
                    .chains
                    .iter()
                    .filter(|c| c.policy.is_none() && self.references(&c.name) > 0)
                    .map(|c| c.name.clone())
                    .collect();
                self.chains.retain(|c| c.policy.is_some() || busy.contains(&c.name));
            }
            Op::Policy(c, accept) => {
                let ch = self.chain_mut(c)?;
                if ch.policy.is_none() {
                    return Err(CliError {
                        message: "iptables: Bad built-in chain name.".into(),
                        status: 1,
                        word: None,
                    });
                }
                ch.policy = Some(*accept);
                ch.counted = true;
            }
            Op::List { chain: Some(c), .. } | Op::ListRules(Some(c)) => {
                self.chain(c).ok_or_else(no_such)?;
            }
            Op::List { .. } | Op::ListRules(None) => {}
        }
        Ok(())
    }

    /// Walks built-in chain `name` for `p`. `log` receives LOG targets' prefixes. Also
    /// says where the verdict was decided, for a drop's explanation.
    pub fn eval(&mut self, name: &str, p: &Pkt<'_>, log: &mut dyn FnMut(&str)) -> (Verdict, Decided) {
        // Where to return to after a jump: no heap, the walk is per packet.
        let mut stack = [(0usize, 0usize); 64];
        let mut depth: usize = 0;
        let Some(mut ci) = self.chains.iter().position(|c| c.name == name) else {
            return (Verdict::Accept, Decided { chain: usize::MAX, rule: None });
        };
        let policy = |ch: &Chain| if ch.policy != Some(false) { Verdict::Accept } else { Verdict::Drop };
        let mut ri = 0;
        loop {
            if ri >= self.chains[ci].rules.len() {
                match depth.checked_sub(1) {
                    Some(d) => {
                        depth = d;
                        (ci, ri) = stack[d];
                        continue;
                    }
                    None => {
                        let ch = &mut self.chains[ci];
                        if ch.counted {
                            ch.policy_counters.pkts += 1;
                            ch.policy_counters.bytes += p.len as u64;
                        }
                        return (policy(ch), Decided { chain: ci, rule: None });
                    }
                }
            }
            let (rule, counters) = &mut self.chains[ci].rules[ri];
            ri += 1;
            if !rule.hit(p) {
                continue;
            }
            counters.pkts += 1;
            counters.bytes += p.len as u64;
            let here = Decided { chain: ci, rule: Some(ri as u32) };
            match &self.chains[ci].rules[ri - 1].0.target {
                Target::Accept => return (Verdict::Accept, here),
                Target::Drop => return (Verdict::Drop, here),
                Target::Reject(w) => return (Verdict::Reject(*w), here),
                Target::Log { prefix } => log(prefix.as_deref().unwrap_or("")),
                Target::None => {}
                Target::Return => match depth.checked_sub(1) {
                    Some(d) => {
                        depth = d;
                        (ci, ri) = stack[d];
                    }
                    None => return (policy(&self.chains[ci]), Decided { chain: ci, rule: None }),
                },
                Target::Jump(j) => {
                    if let Some(n) = self.chains.iter().position(|c| c.name == *j)
                        && depth < stack.len()
                    {
                        stack[depth] = (ci, ri);
                        depth += 1;
                        ci = n;
                        ri = 0;
                    }
                }
                t @ (Target::Masquerade { .. }
                | Target::Snat { .. }
                | Target::Dnat { .. }
                | Target::Redirect { .. }) => {
                    return (Verdict::Nat(t.clone()), here);
                }
            }
        }
    }

    /// The name of the chain a [`Decided`] names.
    pub fn chain_name(&self, d: Decided) -> Option<&str> {
        self.chains.get(d.chain).map(|c| c.name.as_str())
    }
}

/// Where [`Table::eval`] decided: the chain (by its place in the table) and the rule's
/// number in it, from 1 as `iptables -L --line-numbers` counts; `None`: the chain's policy
/// (or a `RETURN` from a built-in chain, which applies it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decided {
    /// The chain's index in the table.
    pub chain: usize,
    /// The rule's number, or `None` for the policy.
    pub rule: Option<u32>,
}

/// Both tables of a namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tables {
    /// `filter`.
    pub filter: Table,
    /// `nat`.
    pub nat: Table,
}

impl Default for Tables {
    fn default() -> Self {
        Self::of(super::Family::V4)
    }
}

impl Tables {
    /// Empty tables of `family`.
    pub fn of(family: super::Family) -> Self {
        Tables { filter: Table::of(TableId::Filter, family), nat: Table::of(TableId::Nat, family) }
    }

    /// The table a command names.
    pub fn table(&self, id: TableId) -> &Table {
        match id {
            TableId::Filter => &self.filter,
            TableId::Nat => &self.nat,
        }
    }

    /// The same, mutable.
    pub fn table_mut(&mut self, id: TableId) -> &mut Table {
        match id {
            TableId::Filter => &mut self.filter,
            TableId::Nat => &mut self.nat,
        }
    }

    /// True when connection tracking runs in this namespace: the nat table exists (its
    /// chains need conntrack) or a filter rule matches on state — the kernel registers
    /// conntrack's hooks only then.
    pub fn tracking(&self) -> bool {
        self.nat.active || self.filter.uses_conntrack()
    }
}

//! Which names the machine takes, refused with the texts of the tool that refuses them
//! (iproute2 6.1, bridge-utils 1.7 and Linux 6.18, as measured on the reference machine):
//! interface names (`IFNAMSIZ`), namespace names (`NAME_MAX`).
//!
//! Two layers refuse an interface name, in this order. `ip` checks its arguments first and
//! exits 255 (`check_ifname()` for `name NEW` and a veth's `peer name`, 15 bytes at most;
//! the looser `check_altifname()` for the device of `ip link add DEV`, 127 bytes); then the
//! kernel checks what reaches it (`dev_valid_name()`: 15 bytes, no `:`, not `.` or `..`)
//! and `ip` reports its answer with exit status 2.

use super::LabError;

/// The kernel's `IFNAMSIZ`: an interface name has at most 15 bytes and its NUL.
pub const IFNAMSIZ: usize = 16;
/// iproute2's `ALTIFNAMSIZ`, the bound of `check_altifname()`.
const ALTIFNAMSIZ: usize = 128;
/// `NAME_MAX`: a namespace name is a file name under `/run/netns`.
pub const NAME_MAX: usize = 255;

/// C's `isspace()` in the C locale.
fn c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// How an interface name was given to `ip`, which decides which of its checks applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IfnameArg {
    /// The device of `ip link add [dev] NAME` (`check_altifname()`).
    Dev,
    /// `name NEW` of `ip link set`, a veth's `peer name PEER` (`check_ifname()`).
    Name,
}

/// What `ip` says of an interface name before asking the kernel (exit status 255).
pub fn ip_ifname(name: &str, arg: IfnameArg) -> Result<(), LabError> {
    let (max, word) = match arg {
        IfnameArg::Dev => (ALTIFNAMSIZ, "dev"),
        IfnameArg::Name => (IFNAMSIZ, "name"),
    };
    if name.is_empty() || name.len() >= max || name.bytes().any(|b| b == b'/' || c_space(b)) {
        return Err(LabError::new(format!("Error: argument \"{name}\" is wrong: \"{word}\" not a valid ifname"))
            .status(255)
            .hint(ifname_rule(name)));
    }
    Ok(())
}

/// What the kernel says of an interface name that reached it (exit status 2).
pub fn kernel_ifname(name: &str) -> Result<(), LabError> {
    if name.len() >= IFNAMSIZ {
        // IFLA_IFNAME's netlink policy, before dev_valid_name() runs.
        return Err(LabError::new("Error: Attribute failed policy validation.").hint(ifname_rule(name)));
    }
    if !dev_valid_name(name) {
        return Err(LabError::new("RTNETLINK answers: Invalid argument").hint(ifname_rule(name)));
    }
    Ok(())
}

/// The kernel's `dev_valid_name()`.
pub fn dev_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() < IFNAMSIZ
        && name != "."
        && name != ".."
        && !name.bytes().any(|b| b == b'/' || b == b':' || c_space(b))
}

/// The rule, and what of it `name` breaks.
fn ifname_rule(name: &str) -> String {
    let why = if name.is_empty() {
        "this one is empty".to_string()
    } else if name.len() >= IFNAMSIZ {
        format!("this one has {} bytes", name.len())
    } else if name == "." || name == ".." {
        "`.` and `..` are taken".to_string()
    } else {
        "this one has `/`, `:` or a blank".to_string()
    };
    format!("an interface name has 1 to 15 bytes, none of them `/`, `:` or a blank; {why}")
}

/// `brctl addbr NAME`: the name the kernel gives the bridge (bridge-utils passes the name
/// through `SIOCBRADDBR`, whose handler keeps the first 15 bytes and silently drops the
/// rest), or the refusal for a name `dev_valid_name()` does not take.
pub fn brctl_bridge_name(name: &str) -> Result<&str, LabError> {
    let mut end = name.len().min(IFNAMSIZ - 1);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    let kept = &name[..end];
    if !dev_valid_name(kept) {
        return Err(LabError::new("add bridge failed: Invalid argument").status(1).hint(ifname_rule(kept)));
    }
    Ok(kept)
}

/// `ip netns add NAME`: iproute2's `is_valid_netns_name()` (exit status 255).
pub fn netns_name(name: &str) -> Result<(), LabError> {
    if name.is_empty() || name.len() > NAME_MAX || name.contains('/') || name == "." || name == ".." {
        let why = if name.len() > NAME_MAX {
            format!("this one has {} bytes", name.len())
        } else {
            "this one is empty, `.`, `..` or has a `/`".to_string()
        };
        return Err(LabError::new(format!("Invalid netns name \"{name}\""))
            .status(255)
            .hint(format!("a namespace name is a file name under /run/netns: 1 to 255 bytes, no `/`; {why}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_ip_and_the_kernel_take_them() {
        let sixteen = "a".repeat(16);
        assert!(ip_ifname(&sixteen, IfnameArg::Dev).is_ok());
        let e = ip_ifname(&sixteen, IfnameArg::Name).unwrap_err();
        assert_eq!(e.message, format!("Error: argument \"{sixteen}\" is wrong: \"name\" not a valid ifname"));
        assert_eq!(e.status, 255);
        for bad in ["a b", "a/b", "", "a\tb"] {
            let e = ip_ifname(bad, IfnameArg::Dev).unwrap_err();
            assert_eq!(e.message, format!("Error: argument \"{bad}\" is wrong: \"dev\" not a valid ifname"));
        }
        assert!(ip_ifname(&"a".repeat(128), IfnameArg::Dev).is_err());
        let e = kernel_ifname(&sixteen).unwrap_err();
        assert_eq!((e.message.as_str(), e.status), ("Error: Attribute failed policy validation.", 2));
        for bad in ["eth0:1", ".", ".."] {
            assert_eq!(kernel_ifname(bad).unwrap_err().message, "RTNETLINK answers: Invalid argument");
        }
        for good in ["a.b", "a=b", "aaaaaaaaaaaaaaa", "1abc"] {
            assert!(kernel_ifname(good).is_ok() && ip_ifname(good, IfnameArg::Name).is_ok(), "{good}");
        }
        assert_eq!(brctl_bridge_name("aaaaaaaaaaaaaaaXYZ").unwrap(), "aaaaaaaaaaaaaaa");
        assert_eq!(brctl_bridge_name("eth0:1").unwrap_err().message, "add bridge failed: Invalid argument");
        assert_eq!(netns_name(&"n".repeat(256)).unwrap_err().status, 255);
        assert!(netns_name(&"n".repeat(255)).is_ok());
    }
}

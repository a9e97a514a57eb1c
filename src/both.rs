//! The same test on the sim and on the real kernel ([`on_both`]): a user's check of
//! nslab's fidelity for their own code, and of their code's independence from it.
//!
//! It owns nothing but the comparison; the labs are [`Lab::from_script`]'s and
//! [`Lab::kernel_from_script`]'s.

use crate::{Error, Lab};
use std::fmt::Debug;

/// What [`on_both`] found: the test's result in the sim, and on the kernel unless kernel
/// mode could not run here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Both<T> {
    /// The result in the sim.
    pub sim: T,
    /// The same result on the kernel; `None` when it was skipped.
    pub kernel: Option<T>,
    /// Why the kernel's half was skipped (not root, a tool missing).
    pub skipped: Option<String>,
}

/// Runs `test` on the lab of `script` in the sim, then on the real kernel, and compares
/// what the two returned: equal, they are the result; different (or the test failing on
/// one side only), [`Error::Differs`] shows both. Without root or the tools the script
/// needs, the kernel's half is skipped, the result says why, and `skipped: why` goes to
/// stderr as the kernel tests print it. The kernel's namespaces are removed at the end,
/// however the test ends.
///
/// The test should return what does not depend on time or the machine: what was received,
/// from which address, which error — not timings, not ephemeral ports the kernel picks at
/// random.
///
/// ```
/// let script = "ip netns add a\nip netns exec a ip link set lo up\n";
/// let both = nslab::on_both(script, |lab| {
///     let h = lab.spawn("a", async {
///         let sock = nslab::net::UdpSocket::bind("127.0.0.1:0").await?;
///         sock.send_to(b"ping", "127.0.0.1:9").await?; // nothing listens there
///         sock.connect("127.0.0.1:9").await?;
///         sock.send(b"ping").await?;
///         let mut buf = [0; 8];
///         Ok::<_, std::io::Error>(sock.recv(&mut buf).await.map_err(|e| e.kind()))
///     })?;
///     Ok(lab.block_on(h)?.unwrap().unwrap())
/// })?;
/// // An ICMP port unreachable, in the sim and (as root) on the kernel.
/// assert_eq!(both.sim, Err(std::io::ErrorKind::ConnectionRefused));
/// # Ok::<(), nslab::Error>(())
/// ```
pub fn on_both<T, F>(script: &str, mut test: F) -> Result<Both<T>, Error>
where
    T: PartialEq + Debug,
    F: FnMut(&mut Lab) -> Result<T, Error>,
{
    let sim = {
        let mut lab = Lab::from_script(script)?;
        test(&mut lab)?
    };
    let mut lab = match Lab::kernel_from_script(script) {
        Ok(lab) => lab,
        Err(Error::KernelUnavailable(why)) => {
            crate::skipped(&format!("the kernel's half: {why}"));
            return Ok(Both { sim, kernel: None, skipped: Some(why) });
        }
        Err(e) => return Err(e),
    };
    let kernel = test(&mut lab);
    drop(lab);
    match kernel {
        Ok(k) if k == sim => Ok(Both { sim, kernel: Some(k), skipped: None }),
        Ok(k) => Err(Error::Differs(format!("the sim gave {sim:?}; the kernel gave {k:?}"))),
        Err(e) => Err(Error::Differs(format!("the sim gave {sim:?}; on the kernel the test failed: {e}"))),
    }
}

//! netem's delay distribution tables, made as iproute2 makes the files it ships
//! (`netem/normal.c`, `pareto.c`, `paretonormal.c`): 4096 values of the inverse CDF of a
//! mean-0, sd-1 distribution, scaled by `NETEM_DIST_SCALE`. The same floating-point loop
//! and `erf` (fdlibm's, through the `libm` crate) give tables byte-identical to Debian's
//! `/usr/lib/x86_64-linux-gnu/tc/*.dist`, so no file is read.

use std::sync::OnceLock;

/// `NETEM_DIST_SCALE`.
pub const SCALE: i64 = 8192;
const TABLESIZE: usize = 16384;

/// The tables `tc … distribution NAME` knows, by name.
pub const NAMES: [&str; 3] = ["normal", "pareto", "paretonormal"];

/// The table called `name`, if iproute2 ships it.
pub fn table(name: &str) -> Option<&'static [i16]> {
    static NORMAL: OnceLock<Vec<i16>> = OnceLock::new();
    static PARETO: OnceLock<Vec<i16>> = OnceLock::new();
    static PARETONORMAL: OnceLock<Vec<i16>> = OnceLock::new();
    Some(match name {
        "normal" => NORMAL.get_or_init(normal),
        "pareto" => PARETO.get_or_init(pareto),
        "paretonormal" => PARETONORMAL.get_or_init(paretonormal),
        _ => return None,
    })
}

fn rint(x: f64) -> f64 {
    x.round_ties_even()
}

fn clamp16(v: i32) -> i16 {
    v.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16
}

/// `normal.c`'s inverse table: `table[i]` is the x whose CDF rounds to `i / 16384`.
fn normal_inverse() -> Vec<f64> {
    let mut table = vec![0.0f64; TABLESIZE + 1];
    let mut x = -10.0f64;
    while x < 10.05 {
        let cdf = 0.5 + 0.5 * libm::erf(x / 2.0f64.sqrt());
        let i = rint(TABLESIZE as f64 * cdf) as usize;
        table[i] = x;
        x += 0.00005;
    }
    table
}

fn normal() -> Vec<i16> {
    let t = normal_inverse();
    (0..TABLESIZE).step_by(4).map(|i| clamp16(rint(t[i] * SCALE as f64) as i32)).collect()
}

fn pareto_value(i: i32) -> i32 {
    let mut d = f64::from(i) / 65536.0;
    d = 1.0 / d.powf(1.0 / 3.0);
    d -= 1.5;
    d *= (4.0 / 3.0) * SCALE as f64;
    rint(d.min(32767.0)) as i32
}

fn pareto() -> Vec<i16> {
    (0..4096).map(|k| clamp16(pareto_value(65536 - 16 * k))).collect()
}

fn paretonormal() -> Vec<i16> {
    let t = normal_inverse();
    (0..TABLESIZE)
        .step_by(4)
        .map(|i| {
            let nv = rint(t[i] * SCALE as f64) as i32;
            let pv = pareto_value(65536 - 4 * i as i32);
            clamp16((nv + 3 * pv) / 4)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_match_the_files_iproute2_ships() {
        // First and last data lines of Debian's normal.dist, pareto.dist, paretonormal.dist.
        let n = table("normal").unwrap();
        assert_eq!(n.len(), 4096);
        assert_eq!(&n[..8], &[-32768, -28307, -26871, -25967, -25298, -24765, -24320, -23937]);
        assert_eq!(&n[4088..], &[23679, 24027, 24424, 24888, 25450, 26164, 27159, 28858]);
        let p = table("pareto").unwrap();
        assert_eq!(&p[..8], &[-5461, -5460, -5460, -5459, -5458, -5457, -5456, -5455]);
        assert_eq!(p[4095], 32767);
        let pn = table("paretonormal").unwrap();
        assert_eq!(&pn[..8], &[-12305, -11171, -10812, -10586, -10418, -10284, -10172, -10075]);
        assert_eq!(&pn[4088..], &[30495, 30582, 30681, 30797, 30937, 31116, 31365, 31789]);
        // Where the machine has the files, every value agrees.
        for name in NAMES {
            let path = format!("/usr/lib/x86_64-linux-gnu/tc/{name}.dist");
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            let file: Vec<i16> = text
                .lines()
                .filter(|l| !l.starts_with('#'))
                .flat_map(|l| l.split_whitespace().map(|w| w.parse::<i16>().unwrap()))
                .collect();
            assert_eq!(table(name).unwrap(), &file[..], "{path}");
        }
    }
}

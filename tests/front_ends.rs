//! The two front ends produce the same commands: each `.sh` scenario and its `.ron` twin
//! parse to identical steps (namespaces, commands, background, grep, expectations).

mod common;

use nslab::scenarios::{self, Step};

fn key(steps: &[Step]) -> Vec<String> {
    steps.iter().map(|s| format!("{:?}|{:?}|{}|{:?}|{:?}", s.ns, s.run, s.background, s.grep, s.expect)).collect()
}

#[test]
fn each_script_and_its_ron_twin_are_the_same_scenario() {
    let files = common::scenario_files();
    let mut pairs = 0;
    for sh in files.iter().filter(|p| p.extension().is_some_and(|e| e == "sh")) {
        let ron = sh.with_extension("ron");
        assert!(ron.exists(), "{} has no .ron twin", sh.display());
        let a = scenarios::load(&sh.display().to_string(), &std::fs::read_to_string(sh).unwrap()).unwrap();
        let b = scenarios::load(&ron.display().to_string(), &std::fs::read_to_string(&ron).unwrap()).unwrap();
        assert_eq!(key(&a.steps), key(&b.steps), "{} vs {}", sh.display(), ron.display());
        assert_eq!((a.seed, &a.description), (b.seed, &b.description));
        pairs += 1;
    }
    assert!(pairs >= 5);
}

#[test]
fn convert_round_trips_every_shipped_script() {
    for sh in common::scenario_files().iter().filter(|p| p.extension().is_some_and(|e| e == "sh")) {
        let name = sh.display().to_string();
        let a = scenarios::load(&name, &std::fs::read_to_string(sh).unwrap()).unwrap();
        let ron = scenarios::front::convert::to_ron(&a).unwrap();
        let b = scenarios::front::ron::parse("x.ron", &ron).unwrap();
        let script = scenarios::front::convert::to_script(&b);
        let c = scenarios::front::script::parse("x.sh", &script).unwrap_or_else(|e| panic!("{e}\n{script}"));
        assert_eq!(key(&a.steps), key(&c.steps), "{name}");
    }
}

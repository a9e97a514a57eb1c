//! `nslab`: the command-line front end (the CLI arrives with the scenario runner).

fn main() {
    eprintln!("nslab: not supported yet: the CLI (the scenario runner is being built)");
    std::process::exit(2);
}

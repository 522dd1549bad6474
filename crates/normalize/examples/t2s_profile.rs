//! Convert the concatenated dev seeds (mostly Simplified, partly Traditional) to Simplified
//! a few times: a fixed workload for `valgrind --tool=callgrind` on the converter alone.
//!
//! ```text
//! cargo build --release -p qingxi-normalize --example t2s_profile
//! valgrind --tool=callgrind target/release/examples/t2s_profile /work/shared/dev/seeds
//! ```

use qingxi_normalize::T2s;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: t2s_profile DIR [ROUNDS]")?;
    let rounds: usize = std::env::args().nth(2).map_or(Ok(20), |r| r.parse())?;
    let mut paths: Vec<_> =
        std::fs::read_dir(&dir)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    paths.sort();
    let mut text = String::new();
    for p in paths {
        text.push_str(&String::from_utf8_lossy(&std::fs::read(p)?));
    }
    let t = T2s::shared();
    let total: usize = (0..rounds).map(|_| t.convert(&text).len()).sum();
    println!("{total} bytes out");
    Ok(())
}

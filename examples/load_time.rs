fn main() {
    let path = std::env::args().nth(1).expect("path");
    let t = std::time::Instant::now();
    let s = waku::scenario::load(std::path::Path::new(&path)).expect("load");
    let t1 = t.elapsed();
    let summary = waku::report::summary(&s);
    let t2 = t.elapsed();
    eprintln!("load {:?}  summary {:?}  ({} programs, {} bytes)", t1, t2 - t1, s.programs.len(), summary.len());
}

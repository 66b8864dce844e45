//! The model in CPLEX LP format (`waku run --emit-lp FILE`), so anyone can check the optimum with
//! another solver (`tools/check-lp.py` uses HiGHS).
//!
//! Money is in the model's scaled unit (stated in the header comment); the objective leaves out the
//! constant contributed by fixed programs. When the model has been solved, the header also carries
//! the objective at waku's optimum and the value of every variable, for comparison.

use std::fmt::Write as _;

use super::model::{Model, Sense};

/// Formats a coefficient or bound; `{}` on f64 is the shortest text that reads back exactly.
fn num(x: f64) -> String {
    if x == 0.0 { "0".into() } else { format!("{x}") }
}

fn terms(out: &mut String, terms: impl Iterator<Item = (f64, String)>) {
    let mut first = true;
    let mut on_line = 0;
    for (c, name) in terms {
        if c == 0.0 {
            continue;
        }
        if on_line == 8 {
            out.push_str("\n   ");
            on_line = 0;
        }
        let sign = if c < 0.0 {
            "-"
        } else if first {
            ""
        } else {
            "+"
        };
        let mag = c.abs();
        if mag == 1.0 {
            let _ = write!(out, " {sign} {name}");
        } else {
            let _ = write!(out, " {sign} {} {name}", num(mag));
        }
        first = false;
        on_line += 1;
    }
    if first {
        out.push_str(" 0 reserve");
    }
}

impl Model {
    /// The model as CPLEX LP text. `optimum` is waku's optimum when known: its objective (scaled
    /// units) and the value of every variable, written as comments for `tools/check-lp.py`.
    pub fn to_lp(&self, title: &str, optimum: Option<(f64, &[f64])>) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "\\ waku allocation model: {title}");
        let _ = writeln!(out, "\\ money in units of {} yen; objective excludes fixed programs", num(self.scale));
        if let Some((obj, values)) = optimum {
            let _ = writeln!(out, "\\ waku optimum objective: {obj:.12e}");
            for (v, x) in self.vars.iter().zip(values) {
                let _ = writeln!(out, "\\ waku value {} {}", v.name, num(*x));
            }
        }
        out.push_str("Maximize\n obj:");
        terms(&mut out, self.vars.iter().map(|v| (v.obj, v.name.clone())));
        out.push_str("\nSubject To\n");
        for row in &self.rows {
            let _ = write!(out, " {}:", row.name);
            terms(&mut out, row.terms.iter().map(|&(v, c)| (c, self.vars[v].name.clone())));
            let op = match row.sense {
                Sense::Le => "<=",
                Sense::Ge => ">=",
                Sense::Eq => "=",
            };
            let _ = writeln!(out, " {op} {}", num(row.rhs));
        }
        out.push_str("Bounds\n");
        for v in &self.vars {
            match (v.lo.is_finite(), v.hi.is_finite()) {
                (true, true) => {
                    let _ = writeln!(out, " {} <= {} <= {}", num(v.lo), v.name, num(v.hi));
                }
                (true, false) => {
                    let _ = writeln!(out, " {} >= {}", v.name, num(v.lo));
                }
                (false, true) => {
                    let _ = writeln!(out, " -inf <= {} <= {}", v.name, num(v.hi));
                }
                (false, false) => {
                    let _ = writeln!(out, " {} free", v.name);
                }
            }
        }
        let ints: Vec<&str> = self.vars.iter().filter(|v| v.integer).map(|v| v.name.as_str()).collect();
        if !ints.is_empty() {
            out.push_str("Generals\n");
            for chunk in ints.chunks(8) {
                let _ = writeln!(out, " {}", chunk.join(" "));
            }
        }
        out.push_str("End\n");
        out
    }
}

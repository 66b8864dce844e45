//! Rhai errors turned into diagnostics a policy designer can act on: what went wrong, script:line:col, a hint.

use std::sync::Arc;

use rhai::{EvalAltResult, ParseErrorType, Position};

use super::engine::{
    FINDING_FIELDS, MAX_ARRAY_SIZE, MAX_CALL_LEVELS, MAX_MAP_SIZE, MAX_OPERATIONS, MAX_STRING_SIZE, Removed, Sources,
    TIME_LIMIT,
};
use crate::diagnostic::{Diagnostic, Location, Source, suggestion};

/// The variables a script sees, for "did you mean".
const VARIABLES: [&str; 3] = ["program", "params", "findings"];
/// Every variable some script sees (a bureau's policy also `assessment` and `bureau`).
const SCRIPT_VARIABLES: [&str; 5] = ["program", "params", "findings", "assessment", "bureau"];

/// The alias module `module` (its display name, e.g. `rules/lib/common.rhai`) is imported as in
/// `source`: `c` for `import "lib/common" as c;`.
fn import_alias(source: &Arc<Source>, module: &str) -> Option<String> {
    let stem = module.strip_suffix(".rhai").unwrap_or(module);
    source.text.match_indices("import").find_map(|(i, _)| {
        let rest = source.text[i + "import".len()..].trim_start();
        let path = rest.strip_prefix('"')?;
        let (path, after) = path.split_once('"')?;
        if path.is_empty() || !stem.ends_with(path.trim_end_matches(".rhai")) {
            return None;
        }
        let after = after.trim_start().strip_prefix("as")?;
        let alias: String = after.trim_start().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        (!alias.is_empty()).then_some(alias)
    })
}

/// `program` (or `params`, …) used inside a function that does not take it: a function, in a
/// script or an imported module, sees only its own arguments.
fn not_an_argument(name: &str, at: &Location, alias: Option<&str>) -> Diagnostic {
    let text = &at.source.text;
    let before = &text[..at.span.start.min(text.len())];
    // The nearest `fn NAME(ARGS)` before the use: the function it is in.
    let function = before.rfind("fn ").and_then(|i| {
        let rest = &before[i + 3..];
        let open = rest.find('(')?;
        let close = rest[open..].find(')')? + open;
        let fname = rest[..open].trim();
        let is_name = !fname.is_empty() && fname.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        is_name.then(|| (fname.to_string(), rest[open + 1..close].trim().to_string()))
    });
    let (fname, args) = function.unwrap_or_else(|| ("helper".to_string(), String::new()));
    let mut wanted: Vec<String> = args.split(',').map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect();
    for v in ["program", "params"] {
        if (v == name || text.contains(&format!("{v}."))) && !wanted.iter().any(|a| a == v) {
            wanted.push(v.to_string());
        }
    }
    if !wanted.iter().any(|a| a == name) {
        wanted.push(name.to_string());
    }
    let signature = format!("fn {fname}({})", wanted.join(", "));
    let shown_args = if args.is_empty() { String::new() } else { args.clone() };
    let call = match alias {
        Some(a) => format!("{a}::{fname}({})", wanted.join(", ")),
        None => format!("{fname}({})", wanted.join(", ")),
    };
    Diagnostic::error(format!("`{name}` is not an argument of `fn {fname}({shown_args})`"))
        .at(at.clone())
        .note(format!(
            "a function sees only the arguments it takes: `{name}` is a variable of the rule script, not of the functions it calls or imports"
        ))
        .hint(format!("take it as an argument, `{signature} {{ … }}`, and pass it where the function is called: `{call}`"))
}

/// A place in `source` from a Rhai position (line 1, column 1 when the position is unknown).
pub fn location(source: &Arc<Source>, pos: Position) -> Location {
    match (pos.line(), pos.position()) {
        (Some(line), col) => Location::at_line_col(source, line, col.unwrap_or(1)),
        (None, _) => Location::at_line_col(source, 1, 1),
    }
}

/// A compile error (syntax, undefined variable, bad import) in `source`.
pub fn compile_error(err: &EvalAltResult, source: &Arc<Source>, sources: &Sources, params: &[&str]) -> Diagnostic {
    describe(err, source, sources, params)
}

/// A run-time error of a script on one program.
pub fn runtime_error(err: &EvalAltResult, source: &Arc<Source>, sources: &Sources, params: &[&str]) -> Diagnostic {
    describe(err, source, sources, params)
}

fn describe(err: &EvalAltResult, source: &Arc<Source>, sources: &Sources, params: &[&str]) -> Diagnostic {
    // Follow errors raised inside functions and imported modules down to where they happened.
    let mut err = err;
    let mut source = Arc::clone(source);
    let mut notes = Vec::new();
    // The name the module where the error happened is imported as (`import "lib/x" as c`).
    let mut alias = None;
    loop {
        match err {
            EvalAltResult::ErrorInFunctionCall(name, fn_source, inner, pos) => {
                if !name.starts_with("get$") && !name.starts_with("set$") {
                    notes.push(format!("in function `{name}`, called at {}", place(&source, *pos)));
                }
                if let Some(s) = sources.get(fn_source) {
                    source = s;
                }
                err = inner;
            }
            EvalAltResult::ErrorInModule(name, inner, pos) => {
                notes.push(format!("in module `{name}`, imported at {}", place(&source, *pos)));
                alias = import_alias(&source, name);
                if let Some(s) = sources.get(name) {
                    source = s;
                }
                err = inner;
            }
            _ => break,
        }
    }
    let pos = err.position();
    let at = location(&source, pos);
    let word = at_word(&at);
    let d = match err {
        EvalAltResult::ErrorParsing(ParseErrorType::VariableUndefined(name), _)
        | EvalAltResult::ErrorVariableNotFound(name, _)
            if SCRIPT_VARIABLES.contains(&name.as_str()) =>
        {
            // Declared for every script, so unknown only inside a function: Rhai functions see their arguments only.
            not_an_argument(name, &at, alias.as_deref())
        }
        EvalAltResult::ErrorParsing(ParseErrorType::VariableUndefined(name), _)
        | EvalAltResult::ErrorVariableNotFound(name, _) => Diagnostic::error(format!("unknown variable `{name}`"))
            .at(at)
            .note("a viewpoint script sees `program` and `params`; the policy also sees `findings`")
            .suggest(name, VARIABLES),
        EvalAltResult::ErrorParsing(ParseErrorType::Reserved(word), _) if word == "eval" => {
            Diagnostic::error("`eval` is not allowed in rule scripts").at(at).hint("write the expression directly")
        }
        EvalAltResult::ErrorParsing(t, _) => syntax_error(t, at),
        EvalAltResult::ErrorTooManyOperations(_) => {
            Diagnostic::error(format!("the script ran more than {} operations", thousands(MAX_OPERATIONS)))
                .at(at)
                .hint("look for a loop that never ends; a rule needs a few hundred operations per program")
        }
        EvalAltResult::ErrorStackOverflow(_) => {
            Diagnostic::error(format!("functions call each other more than {MAX_CALL_LEVELS} levels deep"))
                .at(at)
                .hint("look for a function that calls itself without a condition that stops it")
        }
        EvalAltResult::ErrorTerminated(..) => {
            Diagnostic::error(format!("the script ran longer than {} s", TIME_LIMIT.as_secs()))
                .at(at)
                .hint("look for a loop that never ends")
        }
        EvalAltResult::ErrorDataTooLarge(what, _) => {
            let what = what.to_lowercase();
            let limit = if what.contains("string") {
                format!("a string longer than {} characters", thousands(MAX_STRING_SIZE as u64))
            } else if what.contains("array") {
                format!("an array of more than {} items", thousands(MAX_ARRAY_SIZE as u64))
            } else if what.contains("map") {
                format!("a map of more than {} entries", thousands(MAX_MAP_SIZE as u64))
            } else {
                format!("a value too large ({what})")
            };
            let hint = if what.contains("string") {
                "a reason should be a sentence; look for a string that grows in a loop"
            } else {
                "look for a map or an array that grows in a loop"
            };
            Diagnostic::error(format!("the script built {limit}")).at(at).hint(hint)
        }
        EvalAltResult::ErrorRuntime(value, _) if value.is::<Removed>() => {
            let name = value.clone_cast::<Removed>().0;
            removed_function(name, at)
        }
        EvalAltResult::ErrorRuntime(value, _) => {
            let text = value.clone().into_string().unwrap_or_else(|_| value.to_string());
            Diagnostic::error(format!("the script stopped: {text}")).at(at)
        }
        EvalAltResult::ErrorAssignmentToConstant(name, _)
        | EvalAltResult::ErrorNonPureMethodCallOnConstant(name, _) => {
            Diagnostic::error(format!("`{name}` is read-only"))
                .at(at)
                .hint(format!("copy what you need into a variable: `let x = {name}.…;`"))
        }
        EvalAltResult::ErrorFunctionNotFound(sig, _) => function_not_found(sig, at),
        EvalAltResult::ErrorPropertyNotFound(name, _) => property_not_found(name, at, &word, params),
        EvalAltResult::ErrorDotExpr(msg, _) if msg.starts_with("Unknown property '") => {
            let field = msg.split('\'').nth(1).unwrap_or("");
            let ty = msg.split('\'').nth(3).unwrap_or("");
            function_not_found(&format!("get${field} ({ty})"), at)
        }
        EvalAltResult::ErrorDotExpr(msg, _) if msg.starts_with("No writable property '") => {
            let field = msg.split('\'').nth(1).unwrap_or("");
            Diagnostic::error(format!("`{word}.{field}` cannot be changed: `{word}` is read-only"))
                .at(at)
                .hint("a viewpoint recommends a bound instead, e.g. `max_ratio: 0.9` in the returned map")
        }
        EvalAltResult::ErrorDotExpr(msg, _) => Diagnostic::error(lower_first(msg)).at(at),
        EvalAltResult::ErrorModuleNotFound(name, _) => {
            Diagnostic::error(format!("module `{name}` not found in the rules folder"))
                .at(at)
                .hint(format!("`import \"{name}\"` reads `{name}.rhai` relative to the rules folder"))
        }
        EvalAltResult::ErrorMismatchDataType(expected, found, _) => {
            Diagnostic::error(format!("expected {}, found {}", type_name(expected), type_name(found))).at(at)
        }
        EvalAltResult::ErrorArithmetic(msg, _) if msg.to_lowercase().contains("overflow") => {
            Diagnostic::error(format!("arithmetic error: {}", lower_first(msg)))
                .at(at)
                .hint("the result is larger than any budget; look for a multiplication by a very large number")
        }
        EvalAltResult::ErrorArithmetic(msg, _) => Diagnostic::error(format!("arithmetic error: {}", lower_first(msg)))
            .at(at)
            .hint("guard divisions, e.g. `if program.prior_cost > 0 { … }`"),
        other => {
            let text = other.to_string();
            let text = text.rfind(" (line ").map_or(text.as_str(), |i| &text[..i]);
            Diagnostic::error(lower_first(text)).at(at)
        }
    };
    notes.into_iter().rev().fold(d, Diagnostic::note)
}

/// A call of a function removed from the sandbox (see [`super::engine::REMOVED_FUNCTIONS`]).
pub fn removed_function(name: &str, at: Location) -> Diagnostic {
    Diagnostic::error(format!("`{name}` is not available in rule scripts"))
        .at(at)
        .note("rules have no clock: a finding may depend only on the program and the parameters, so that the same input always gives the same review")
        .hint(match name {
            "sleep" => "remove the call; a rule has nothing to wait for",
            _ => "remove the call; to vary a rule by year, use a parameter with `effective = [{ from = 2027, … }]`",
        })
}

fn syntax_error(t: &ParseErrorType, at: Location) -> Diagnostic {
    let d = Diagnostic::error(format!("syntax error: {}", lower_first(&t.to_string()))).at(at);
    match t {
        ParseErrorType::MissingToken(token, _) if token == ";" => d.hint("end each statement with `;`"),
        ParseErrorType::UnknownOperator(op) if op == "eval" => d.hint("`eval` is not allowed in rule scripts"),
        _ => d,
    }
}

fn function_not_found(sig: &str, at: Location) -> Diagnostic {
    // Property reads on registered types arrive as `get$field (Type)`.
    if let Some(rest) = sig.strip_prefix("get$") {
        let (field, ty) = rest.split_once(' ').unwrap_or((rest, ""));
        let (object, fields): (&str, Vec<&str>) = if ty.contains("Program") {
            ("program", super::fields::program_field_names().collect())
        } else if ty.contains("Finding") {
            ("a finding", FINDING_FIELDS.to_vec())
        } else {
            return Diagnostic::error(format!(
                "no property `{field}` on {}",
                ty.trim_matches(|c| c == '(' || c == ')')
            ))
            .at(at);
        };
        let d = Diagnostic::error(format!("{object} has no field `{field}`")).at(at);
        return match suggestion(field, fields.iter().copied()) {
            Some(s) => d.hint(format!("did you mean `{s}`?")),
            None => d.hint("the fields are listed in rules/README.md"),
        };
    }
    if sig.starts_with("set$") || sig.starts_with("index$set$") {
        return Diagnostic::error("`program` and `findings` are read-only")
            .at(at)
            .hint("copy what you need into a variable");
    }
    let (name, args) = sig.split_once(' ').unwrap_or((sig, ""));
    let d = Diagnostic::error(format!("no function `{name}` takes {}", describe_args(args))).at(at);
    if ["<", ">", "<=", ">=", "+", "-", "*", "/", "==", "!="].contains(&name) && args.contains("()") {
        return d.hint(
            "a value is missing (`()`): check it first, e.g. `if program.demand_trend != () { … }`, or use `?? 0.0`",
        );
    }
    d.hint("check the name and the kinds of the arguments; the helpers are listed in rules/README.md")
}

fn describe_args(args: &str) -> String {
    let inner = args.trim().trim_start_matches('(').trim_end_matches(')');
    if inner.is_empty() {
        return "no arguments".to_string();
    }
    let kinds: Vec<String> = inner.split(',').map(|a| type_name(a.trim())).collect();
    format!("({})", kinds.join(", "))
}

fn property_not_found(name: &str, at: Location, word_before: &str, params: &[&str]) -> Diagnostic {
    if word_before == "params" {
        let d = Diagnostic::error(format!("unknown parameter `{name}`")).at(at);
        return match suggestion(name, params.iter().copied()) {
            Some(s) => d.hint(format!("did you mean `{s}`?")),
            None => d.hint("parameters are declared in `ruleset.toml` under `[parameters]`"),
        };
    }
    Diagnostic::error(format!("the map has no property `{name}`"))
        .at(at)
        .hint(format!("check for `{name}` first: `if \"{name}\" in m {{ … }}`"))
}

/// The identifier just before a `.`/`?.`/`[` at `at`, e.g. `params` for `params.x`.
fn at_word(at: &Location) -> String {
    let text = &at.source.text;
    let end = at.span.start.min(text.len());
    let before = text[..end].trim_end_matches(|c: char| c == '.' || c == '?' || c == '[' || c.is_whitespace());
    before
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect()
}

fn type_name(t: &str) -> String {
    match t.trim() {
        "i64" | "INT" => "an integer".into(),
        "f64" | "FLOAT" => "a number".into(),
        "rust_decimal::Decimal" | "Decimal" | "decimal" => "money".into(),
        "()" => "nothing (`()`)".into(),
        "bool" => "true/false".into(),
        "string" | "ImmutableString" | "&str" | "String" => "a string".into(),
        "map" | "Map" => "a map".into(),
        "array" | "Array" => "an array".into(),
        t if t.contains("ProgramView") || t == "Program" => "`program`".into(),
        t if t.contains("FindingView") || t == "Finding" => "a finding".into(),
        t => format!("`{t}`"),
    }
}

fn place(source: &Arc<Source>, pos: Position) -> String {
    match pos.line() {
        Some(line) => format!("{}:{line}:{}", source.name, pos.position().unwrap_or(1)),
        None => source.name.clone(),
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if f.is_ascii_uppercase() && !c.clone().next().is_some_and(|n| n.is_ascii_uppercase()) => {
            f.to_ascii_lowercase().to_string() + c.as_str()
        }
        _ => s.to_string(),
    }
}

/// `500,000`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(500_000), "500,000");
        assert_eq!(thousands(32), "32");
    }
}

//! Translation: a script's statements and expressions into the [`Compiled`] tree, its names
//! resolved ahead of time, or `None` when it uses anything outside the subset.

use rhai::{ASTFlags, Expr, FnCallExpr, ImmutableString, Map, Stmt, Token};

use super::*;
use crate::assessment::Action;
use crate::rules::engine::program_field;
use crate::rules::value::Value;

/// The variables in scope while translating, innermost last.
pub(super) struct Names<'p> {
    pub(super) locals: Vec<ImmutableString>,
    pub(super) most: usize,
    pub(super) findings: bool,
    pub(super) params: Option<&'p Map>,
}

impl Names<'_> {
    pub(super) fn block(&mut self, stmts: &[Stmt]) -> Option<Block> {
        let depth = self.locals.len();
        let steps = stmts.iter().map(|s| self.step(s)).collect::<Option<Vec<_>>>();
        self.locals.truncate(depth);
        Some(Block(steps?))
    }

    fn step(&mut self, stmt: &Stmt) -> Option<Step> {
        Some(match stmt {
            Stmt::Noop(_) => Step::Eval(Code::Const(Value::Unit)),
            Stmt::Var(x, flags, _) if !flags.intersects(ASTFlags::CONSTANT | ASTFlags::EXPORTED) => {
                let code = self.code(&x.1)?;
                self.locals.push(x.0.name.clone());
                self.most = self.most.max(self.locals.len());
                Step::Let(code)
            }
            Stmt::Assignment(x) => {
                let (op, target) = &**x;
                let Expr::Variable(v, _, _) = &target.lhs else { return None };
                if !v.2.is_empty() {
                    return None;
                }
                let slot = self.locals.iter().rposition(|n| *n == v.1)?;
                let bin = match op.get_op_assignment_info() {
                    None => None,
                    Some((_, _, _, _, token, _)) => Some(binary(token)?),
                };
                Step::Assign(slot, bin, self.code(&target.rhs)?)
            }
            Stmt::Expr(e) => Step::Eval(self.code(e)?),
            Stmt::FnCall(f, _) => Step::Eval(self.call(f)?),
            Stmt::If(x, _) => {
                Step::If(self.code(&x.expr)?, self.block(x.body.statements())?, self.block(x.branch.statements())?)
            }
            Stmt::Return(e, flags, _) if !flags.contains(ASTFlags::BREAK) => {
                Step::Return(e.as_deref().map_or(Some(Code::Const(Value::Unit)), |e| self.code(e))?)
            }
            Stmt::Block(b) => Step::Block(self.block(b.statements())?),
            _ => return None,
        })
    }

    fn code(&mut self, expr: &Expr) -> Option<Code> {
        Some(match expr {
            Expr::DynamicConstant(d, _) => Code::Const(Value::of(d)),
            Expr::BoolConstant(b, _) => Code::Const(Value::Bool(*b)),
            Expr::IntegerConstant(i, _) => Code::Const(Value::Int(*i)),
            Expr::FloatConstant(f, _) => Code::Const(Value::Float(**f)),
            Expr::StringConstant(s, _) => Code::Const(Value::Str(s.clone())),
            Expr::Unit(_) => Code::Const(Value::Unit),
            Expr::InterpolatedString(parts, _) => {
                let parts: Vec<Code> = parts.iter().map(|p| self.code(p)).collect::<Option<_>>()?;
                let capacity =
                    parts.iter().map(|p| if let Code::Const(Value::Str(s)) = p { s.len() } else { 16 }).sum();
                Code::Text(parts, capacity)
            }
            Expr::Map(x, _) => {
                let template = &x.1;
                let values = x
                    .0
                    .iter()
                    .map(|(k, e)| Some((template.keys().position(|t| t.as_str() == k.name.as_str())?, self.code(e)?)));
                Code::Map(Box::new(template.clone()), values.collect::<Option<_>>()?)
            }
            Expr::Variable(v, _, _) if v.2.is_empty() => match self.locals.iter().rposition(|n| *n == v.1) {
                Some(slot) => Code::Local(slot),
                None if v.1 == "program" => Code::Program,
                None if v.1 == "findings" && self.findings => Code::Findings,
                None => return None,
            },
            Expr::Stmt(b) => Code::Block(self.block(b.statements())?),
            Expr::FnCall(f, _) => self.call(f)?,
            Expr::Dot(x, flags, _) if !flags.contains(ASTFlags::NEGATED) => match (&x.lhs, &x.rhs, self.params) {
                // `params.NAME.…`: the parameter's value, as folding would have made it.
                (Expr::Variable(v, _, _), Expr::Dot(inner, _, _), Some(params))
                    if v.1 == "params" && v.2.is_empty() && !self.locals.contains(&v.1) =>
                {
                    let Expr::Property(p, _) = &inner.lhs else { return None };
                    let value = params.get(p.2.as_str())?;
                    self.chain(Code::Const(Value::of(value)), &inner.rhs)?
                }
                _ => {
                    let lhs = self.code(&x.lhs)?;
                    self.chain(lhs, &x.rhs)?
                }
            },
            Expr::And(x, _) => Code::And(x.iter().map(|e| self.code(e)).collect::<Option<_>>()?),
            Expr::Or(x, _) => Code::Or(x.iter().map(|e| self.code(e)).collect::<Option<_>>()?),
            Expr::Coalesce(x, _) => Code::Coalesce(x.iter().map(|e| self.code(e)).collect::<Option<_>>()?),
            _ => return None,
        })
    }

    /// `on.<rhs>`: a property, a method call, or a chain of them.
    fn chain(&mut self, on: Code, rhs: &Expr) -> Option<Code> {
        Some(match rhs {
            Expr::Property(p, _) => {
                let name = &p.2;
                match on {
                    Code::Program => Code::Field(program_field(name)?),
                    on => Code::Property(Box::new(on), name.clone()),
                }
            }
            Expr::MethodCall(f, _) if f.namespace.is_empty() && !f.capture_parent_scope && f.op_token.is_none() => {
                let func = Func::named(&f.name, f.args.len() + 1)?;
                let mut args = vec![on];
                for a in &f.args {
                    args.push(self.code(a)?);
                }
                call_code(func, args)
            }
            Expr::Dot(x, flags, _) if !flags.contains(ASTFlags::NEGATED) => {
                let inner = self.chain(on, &x.lhs)?;
                self.chain(inner, &x.rhs)?
            }
            _ => return None,
        })
    }

    fn call(&mut self, f: &FnCallExpr) -> Option<Code> {
        if !f.namespace.is_empty() || f.capture_parent_scope {
            return None;
        }
        let mut args = f.args.iter().map(|a| self.code(a)).collect::<Option<Vec<_>>>()?;
        Some(match (&f.op_token, args.len()) {
            (Some(Token::Minus | Token::UnaryMinus), 1) => Code::Neg(Box::new(args.pop()?)),
            (Some(Token::Bang), 1) => Code::Not(Box::new(args.pop()?)),
            (Some(token), 2) => {
                let b = args.pop()?;
                let a = args.pop()?;
                Code::Binary(binary(token)?, Box::new((a, b)))
            }
            (Some(_), _) => return None,
            (None, n) => call_code(Func::named(&f.name, n)?, args),
        })
    }
}

/// A call, with what can be resolved before running resolved.
pub(super) fn call_code(func: Func, args: Vec<Code>) -> Code {
    if let (Func::CountAction, [_, Code::Const(Value::Str(label))]) = (func, &args[..]) {
        if let Some(action) = Action::ALL.into_iter().find(|a| a.label() == label.as_str()) {
            return Code::Call(Func::CountActionOf(action), args);
        }
    }
    Code::Call(func, args)
}

pub(super) fn binary(token: &Token) -> Option<Bin> {
    Some(match token {
        Token::EqualsTo => Bin::Eq,
        Token::NotEqualsTo => Bin::Ne,
        Token::LessThan => Bin::Lt,
        Token::LessThanEqualsTo => Bin::Le,
        Token::GreaterThan => Bin::Gt,
        Token::GreaterThanEqualsTo => Bin::Ge,
        Token::Plus => Bin::Add,
        Token::Minus => Bin::Sub,
        Token::Multiply => Bin::Mul,
        Token::Divide => Bin::Div,
        _ => return None,
    })
}

//! Reusing a script's result for a program that gives it the same inputs.
//!
//! A rule script is a function of `params` (the same for a whole review), of the `program` fields
//! it reads, and, for the policy, of the findings. It has no other input and no effect but
//! printing: Rhai scripts keep no state between runs, and waku registers nothing that reads the
//! clock or the disk. So when a later program returns the same value for each field the script
//! read, in the same order, the script would take the same path and return the same value. A
//! synthetic or real city repeats such inputs often: most programs have no digital procedures, no
//! overlapping program, an outsourced delivery, a round service level.
//!
//! A [`Memo`] holds, per script, a tree of what the script read: each node names the field read
//! next and branches on its value; a leaf holds the result. Looking a program up walks the tree
//! with the program's own values; a miss runs the script and adds its path. Nothing is added when
//! a run printed (it must print again for the next program), failed (the error names the program),
//! or read a value of a kind the tree cannot compare. A script whose results rarely repeat stops
//! being remembered after a while, so a city of unique programs does not pay for the tree.

use std::collections::HashMap;

use rhai::ImmutableString;

use crate::rules::engine::KpiView;
use crate::rules::value::Value;

/// A value a script read, compared exactly (a float by its bits, money by its digits and scale).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    Unit,
    Bool(bool),
    Int(i64),
    Float(u64),
    Money([u8; 16]),
    Text(ImmutableString),
    Kpi(ImmutableString, [u64; 3], Option<u64>, ImmutableString),
    /// The findings the policy sees, each by its number among its viewpoint's distinct findings.
    Findings(Vec<u32>),
}

impl Key {
    /// The key of a value as a script reads it, or `None` for a kind the tree does not compare.
    pub(crate) fn of_value(v: &Value) -> Option<Key> {
        Some(match v {
            Value::Unit => Key::Unit,
            Value::Bool(b) => Key::Bool(*b),
            Value::Int(i) => Key::Int(*i),
            Value::Float(f) => Key::Float(f.to_bits()),
            Value::Money(d) => Key::Money(d.serialize()),
            Value::Str(s) => Key::Text(s.clone()),
            Value::Other(d) => {
                let k = d.read_lock::<KpiView>()?;
                let k = &k.0;
                let achievement = k.achievement.as_float().ok().map(f64::to_bits);
                if achievement.is_none() && !k.achievement.is_unit() {
                    return None;
                }
                Key::Kpi(
                    k.indicator.clone(),
                    [k.baseline.to_bits(), k.target.to_bits(), k.actual.to_bits()],
                    achievement,
                    k.direction.clone(),
                )
            }
            Value::Program | Value::Findings => return None,
        })
    }

    /// The key of a value a getter returned.
    #[cfg(test)]
    pub(crate) fn of(v: &rhai::Dynamic) -> Option<Key> {
        Key::of_value(&Value::of(v))
    }
}

#[derive(Debug, Clone, Copy)]
enum Node {
    /// Not reached yet.
    Empty,
    /// The script reads input `.0` next; the children are in `Memo::next` by (this node, value).
    Read(u8),
    /// The script returned result `.0` here.
    Done(u32),
}

/// Stop remembering a script after this many misses if it found fewer than one result per
/// `GIVE_UP_RATIO` misses. A miss adds its path (about three entries of 80 bytes each) and a hit
/// saves one run: below a hit in four misses the tree costs more than it saves. (At 1 in 16, 視点2
/// of a 100,000-program city kept a 37 MB table for one hit in nine.)
const GIVE_UP_AFTER: usize = 4096;
const GIVE_UP_RATIO: usize = 4;

/// The results of one script in one review, by what it read (see the module docs).
#[derive(Debug)]
pub(crate) struct Memo<T> {
    nodes: Vec<Node>,
    /// The child of a node for a value of the input it reads. One table for the whole tree; keyed
    /// hashing, since the values come from the scenario's files.
    next: HashMap<(u32, Key), u32, ahash::RandomState>,
    results: Vec<T>,
    hits: usize,
    misses: usize,
    enabled: bool,
}

impl<T> Memo<T> {
    pub(crate) fn new(enabled: bool) -> Memo<T> {
        // Room for a small city's paths up front (growing the table rehashes every key).
        let room = if enabled { 4096 } else { 0 };
        let mut nodes = Vec::with_capacity(room);
        nodes.push(Node::Empty);
        let next = HashMap::with_capacity_and_hasher(room, ahash::RandomState::default());
        Memo { nodes, next, results: Vec::new(), hits: 0, misses: 0, enabled }
    }

    /// How many lookups found a result.
    #[cfg(test)]
    pub(crate) fn hits(&self) -> usize {
        self.hits
    }

    /// The remembered result for the inputs `value` gives (input number → its key), if any.
    pub(crate) fn find(&mut self, mut value: impl FnMut(u8) -> Option<Key>) -> Option<&T> {
        if !self.enabled {
            return None;
        }
        let mut at = 0u32;
        loop {
            match self.nodes[at as usize] {
                Node::Empty => break,
                Node::Done(r) => {
                    self.hits += 1;
                    return self.results.get(r as usize);
                }
                Node::Read(read) => match value(read).and_then(|k| self.next.get(&(at, k))) {
                    Some(child) => at = *child,
                    None => break,
                },
            }
        }
        self.misses += 1;
        None
    }

    /// Remembers `result` for a run that read `reads` (each input with its key), in order.
    pub(crate) fn insert(&mut self, reads: impl IntoIterator<Item = (u8, Option<Key>)>, result: T) {
        if !self.enabled {
            return;
        }
        if self.misses >= GIVE_UP_AFTER && self.hits * GIVE_UP_RATIO < self.misses {
            *self = Memo::new(false);
            return;
        }
        let mut at = 0u32;
        for (read, key) in reads {
            let Some(key) = key else { return };
            match self.nodes[at as usize] {
                Node::Empty => self.nodes[at as usize] = Node::Read(read),
                Node::Read(r) if r == read => {}
                // A run that read differently from an earlier one with the same values so far:
                // cannot happen for a script without other inputs; remember nothing.
                Node::Read(_) | Node::Done(_) => return,
            }
            let free = self.nodes.len() as u32;
            at = *self.next.entry((at, key)).or_insert(free);
            if at == free {
                self.nodes.push(Node::Empty);
            }
        }
        if let Node::Empty = self.nodes[at as usize] {
            self.nodes[at as usize] = Node::Done(self.results.len() as u32);
            self.results.push(result);
        }
    }
}

#[cfg(test)]
mod tests {
    use rhai::Dynamic;

    use super::*;

    #[test]
    fn finds_a_result_only_by_the_same_path() {
        let mut m: Memo<&str> = Memo::new(true);
        let k = |x: i64| Some(Key::Int(x));
        assert!(m.find(|_| k(1)).is_none());
        m.insert([(0, k(1)), (1, k(2))], "a");
        m.insert([(0, k(1)), (1, k(3))], "b");
        m.insert([(0, k(4))], "c");
        assert_eq!(m.find(|i| if i == 0 { k(1) } else { k(2) }), Some(&"a"));
        assert_eq!(m.find(|i| if i == 0 { k(1) } else { k(3) }), Some(&"b"));
        assert_eq!(m.find(|_| k(4)), Some(&"c"));
        assert_eq!(m.find(|i| if i == 0 { k(1) } else { k(9) }), None);
        // A path that disagrees with what is known is not added.
        m.insert([(1, k(1))], "d");
        assert_eq!(m.find(|_| k(1)), None);
        // Nothing is found or added when a value cannot be compared.
        m.insert([(0, None)], "e");
        assert_eq!(m.find(|_| None), None);
    }

    #[test]
    fn a_script_that_reads_nothing_has_one_result() {
        let mut m: Memo<u32> = Memo::new(true);
        m.insert([], 7);
        assert_eq!(m.find(|_| None), Some(&7));
    }

    #[test]
    fn floats_compare_by_bits_and_money_by_digits() {
        assert_ne!(Key::of(&Dynamic::from_float(0.0)), Key::of(&Dynamic::from_float(-0.0)));
        let one = rust_decimal::Decimal::new(10, 1);
        assert_ne!(Key::of(&Dynamic::from_decimal(one)), Key::of(&Dynamic::from_decimal(rust_decimal::Decimal::ONE)));
        assert_eq!(Key::of(&Dynamic::from("継続")), Some(Key::Text("継続".into())));
    }
}

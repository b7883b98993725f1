//! The dlang call stack a run-time error shows: the active calls,
//! innermost first, each with the place it was called from, runs of the
//! same call folded into one entry.
//!
//! Both backends build it through [`CallStack::push`], so folding and
//! the cut after [`CALL_STACK_SHOWN`] entries are the same for both (the
//! JIT folds as its generated code leaves each function, since it keeps
//! no more than the entries shown; see `jit::context`).

use crate::syntax::ast::Span;

/// Entries (runs of one call) of the dlang call stack shown with a
/// run-time error; the calls past them are counted.
pub const CALL_STACK_SHOWN: usize = 10;

/// A run of the same call (function and call site) found that many times
/// in a row, as recursion through one call site gives: it is shown as one
/// line and a count once it is longer than this.
pub const FOLDED_AFTER: usize = 2;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackFrame {
    /// The function running (`<fun>` for an anonymous one).
    pub name: String,
    /// Where it was called.
    pub call: Span,
    /// How many calls of this run there are: at least 1.
    pub times: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallStack {
    /// Innermost first, at most [`CALL_STACK_SHOWN`].
    pub frames: Vec<StackFrame>,
    /// The calls outside the frames kept.
    pub omitted: usize,
}

impl CallStack {
    /// Adds `times` calls of `name` from `call`, outside the ones so far:
    /// they extend the outermost run if it is the same call.
    pub fn push(&mut self, name: &str, call: Span, times: usize) {
        if self.omitted > 0 {
            self.omitted += times;
            return;
        }
        if let Some(last) = self.frames.last_mut() {
            if last.name == name && last.call == call {
                last.times += times;
                return;
            }
        }
        if self.frames.len() == CALL_STACK_SHOWN {
            self.omitted += times;
            return;
        }
        self.frames.push(StackFrame {
            name: name.to_string(),
            call,
            times,
        });
    }

    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// The names of the functions, one per call, innermost first (the
    /// calls counted past the frames kept are not in it).
    pub fn names(&self) -> Vec<&str> {
        self.frames
            .iter()
            .flat_map(|f| std::iter::repeat_n(f.name.as_str(), f.times))
            .collect()
    }
}

/// The calls (function name, call site) innermost first, one each.
impl<'n> FromIterator<(&'n str, Span)> for CallStack {
    fn from_iter<I: IntoIterator<Item = (&'n str, Span)>>(calls: I) -> CallStack {
        let mut stack = CallStack::default();
        for (name, call) in calls {
            stack.push(name, call, 1);
        }
        stack
    }
}

/// `n` with a comma between groups of three digits, as a count reads
/// best: `3,999,998`.
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::ast::FileId;

    fn at(start: usize) -> Span {
        Span::new(FileId(0), start, start + 1)
    }

    #[test]
    fn runs_of_one_call_fold_and_the_rest_is_counted() {
        let mut s = CallStack::default();
        s.push("f", at(1), 1);
        s.push("f", at(1), 1);
        s.push("f", at(2), 1);
        s.push("f", at(1), 3);
        assert_eq!(s.frames.len(), 3);
        assert_eq!(s.frames[0].times, 2);
        assert_eq!(s.frames[2].times, 3);
        assert_eq!(s.names(), ["f"; 6]);
        for i in 0..20 {
            s.push("g", at(10 + i), 1);
        }
        assert_eq!(s.frames.len(), CALL_STACK_SHOWN);
        assert_eq!(s.omitted, 13);
        // Past the cut nothing folds into the last run kept.
        s.push("g", at(10 + 6), 1);
        assert_eq!(s.omitted, 14);
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(3_999_998), "3,999,998");
    }
}

//! The `val` references a function's translation holds at the current
//! point, and the *release ladders* its failure paths share.
//!
//! A failure releases every reference held above the depth of its target
//! (the innermost `try`, else the fail exit), each exactly once. Rather
//! than inline at each failure point (code growing with the product of
//! failure points and held references), it jumps into a ladder: one cold
//! block per held reference, releasing it and jumping to the block for
//! the one below, down to the target. Failure points that hold the same
//! references share their ladder, and ladders share their lower rungs.
//!
//! Finding the rung for the current point must not cost as much as the
//! references held either, or a call with `n` boxed arguments (`n`
//! failure points, each holding up to `n` references) would cost `n²` to
//! translate: each held reference remembers the last rung found for it,
//! so a failure point after one more push finds its rung in constant
//! time.

#![forbid(unsafe_code)]

use std::collections::HashMap;

use cranelift_codegen::entity::EntityRef;
use cranelift_codegen::ir::{Block, StackSlot, Value};
use cranelift_frontend::Variable;

/// How many references a function's translation holds as SSA values at
/// most: a local defined, or an argument list wider than this, while more
/// are held lives in a stack slot instead (see `translate.rs`). Every
/// reference held as an SSA value stays live, in a register or a spill
/// slot, across everything up to its release (the release ladders read
/// it), and Cranelift's SSA construction and register allocation cost
/// grows faster than linearly with how many are: 800 took seconds.
pub const IN_REGISTERS: usize = 16;

/// A `val` reference held at the current point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Held {
    /// A variable's value (a `let` binding, a parameter).
    Var(Variable),
    /// A temporary SSA value (a pending argument).
    Temp(Value),
    /// A temporary stored in a stack slot at a byte offset as soon as it
    /// was produced, so that it is not an SSA value live across the work
    /// that follows (wide argument lists, see `translate.rs`).
    Slot(StackSlot, u32),
}

/// [`Held`] as a hash key (`Variable` is not `Hash`).
type HeldKey = (u8, usize, u32);

impl Held {
    fn key(self) -> HeldKey {
        match self {
            Held::Var(var) => (0, var.index(), 0),
            Held::Temp(value) => (1, value.index(), 0),
            Held::Slot(slot, offset) => (2, slot.index(), offset),
        }
    }
}

/// The rung found last for a held reference: the block releasing it and
/// everything held down to `depth`, then going to `target`.
#[derive(Clone, Copy)]
struct Rung {
    target: Block,
    depth: usize,
    block: Block,
}

/// A rung made by [`HeldStack::ladder`], to be filled by the caller:
/// release `held`, then jump to `below` with the status.
#[derive(Debug, PartialEq, Eq)]
pub struct NewRung {
    pub block: Block,
    pub held: Held,
    pub below: Block,
}

/// The references held at the current point, outermost first.
#[derive(Default)]
pub struct HeldStack {
    items: Vec<Held>,
    /// Parallel to `items`: the last rung found for each.
    rungs: Vec<Option<Rung>>,
    /// Every rung made: for the block below it and the reference it
    /// releases, its block. A rung is determined by these two (the block
    /// below determines the rest of the ladder), so equal prefixes of
    /// held references share their rungs.
    ladders: HashMap<(Block, HeldKey), Block>,
}

impl HeldStack {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn push(&mut self, held: Held) {
        self.items.push(held);
        self.rungs.push(None);
    }

    /// Forgets everything held above `depth`.
    pub fn truncate(&mut self, depth: usize) {
        self.items.truncate(depth);
        self.rungs.truncate(depth);
    }

    /// The references held above `depth`, outermost first.
    pub fn above(&self, depth: usize) -> &[Held] {
        &self.items[depth.min(self.items.len())..]
    }

    /// The top of the ladder that releases everything held above `depth`
    /// and goes to `target` (`target` itself when nothing is held there).
    /// The rungs no earlier call made are made with `new_block` and
    /// appended to `new`, for the caller to fill.
    pub fn ladder(
        &mut self,
        target: Block,
        depth: usize,
        mut new_block: impl FnMut() -> Block,
        new: &mut Vec<NewRung>,
    ) -> Block {
        // The highest reference whose last rung is for this target and
        // depth: the ladder is the same below it.
        let mut start = self.items.len();
        let mut below = target;
        while start > depth {
            match self.rungs[start - 1] {
                Some(rung) if rung.target == target && rung.depth == depth => {
                    below = rung.block;
                    break;
                }
                _ => start -= 1,
            }
        }
        for i in start..self.items.len() {
            let held = self.items[i];
            let block = *self.ladders.entry((below, held.key())).or_insert_with(|| {
                let block = new_block();
                new.push(NewRung { block, held, below });
                block
            });
            self.rungs[i] = Some(Rung {
                target,
                depth,
                block,
            });
            below = block;
        }
        below
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(i: usize) -> Held {
        Held::Temp(Value::new(i))
    }

    /// Makes blocks numbered from 100 and counts them.
    struct Blocks(usize);

    impl Blocks {
        fn make(&mut self) -> Block {
            self.0 += 1;
            Block::new(99 + self.0)
        }
    }

    #[test]
    fn a_ladder_releases_each_held_reference_once_down_to_the_target() {
        let target = Block::new(0);
        let mut held = HeldStack::default();
        for i in 0..3 {
            held.push(temp(i));
        }
        let mut blocks = Blocks(0);
        let mut new = Vec::new();
        let top = held.ladder(target, 0, || blocks.make(), &mut new);
        // Walking down from the top releases 2, 1, 0, then reaches the target.
        let mut at = top;
        let mut released = Vec::new();
        while at != target {
            let rung = new.iter().find(|r| r.block == at).expect("a made rung");
            released.push(rung.held);
            at = rung.below;
        }
        assert_eq!(released, vec![temp(2), temp(1), temp(0)]);
    }

    #[test]
    fn failure_points_share_rungs_and_find_them_without_rescanning() {
        let target = Block::new(0);
        let mut held = HeldStack::default();
        let mut blocks = Blocks(0);
        let mut new = Vec::new();
        // A wide argument list: a failure point after each push.
        let n = 2000;
        for i in 0..n {
            held.push(temp(i));
            held.ladder(target, 0, || blocks.make(), &mut new);
        }
        assert_eq!(blocks.0, n, "one rung per reference, shared");
        // Popping back and failing again makes nothing new.
        held.truncate(n / 2);
        held.ladder(target, 0, || blocks.make(), &mut new);
        assert_eq!(blocks.0, n);
        // A different reference at the same height gets a rung of its own
        // on the shared ladder below it.
        held.push(temp(n + 1));
        let top = held.ladder(target, 0, || blocks.make(), &mut new);
        assert_eq!(blocks.0, n + 1);
        let last = new.last().expect("a new rung");
        assert_eq!((last.block, last.held), (top, temp(n + 1)));
        assert_eq!(last.below, new[n / 2 - 1].block);
    }

    #[test]
    fn ladders_to_another_target_or_depth_are_their_own() {
        let (outer, inner) = (Block::new(0), Block::new(1));
        let mut held = HeldStack::default();
        let mut blocks = Blocks(0);
        let mut new = Vec::new();
        held.push(temp(0));
        held.push(temp(1));
        held.ladder(outer, 0, || blocks.make(), &mut new);
        assert_eq!(blocks.0, 2);
        // A `try` entered at depth 1: its ladder releases only the top.
        let top = held.ladder(inner, 1, || blocks.make(), &mut new);
        assert_eq!(blocks.0, 3);
        assert_eq!(new[2].below, inner);
        assert_eq!(new[2].held, temp(1));
        assert_eq!(new[2].block, top);
        // Nothing held above the depth: straight to the target.
        assert_eq!(held.ladder(inner, 2, || blocks.make(), &mut new), inner);
        // Back to the outer target: the rungs made first, none new.
        held.ladder(outer, 0, || blocks.make(), &mut new);
        assert_eq!(blocks.0, 3);
    }
}

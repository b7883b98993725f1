//! Type inference: Hindley–Milner with classes and effects.

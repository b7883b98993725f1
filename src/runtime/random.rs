//! The one pseudo-random generator of a run (`Random.*`, later the
//! `Tensor.rand*` constructors). Its stream is part of the language
//! contract, so both backends and every platform give the same numbers:
//!
//! - generator: xoshiro256** (Blackman & Vigna), state of four `u64`;
//! - seeding: `Random.seed n` fills the state with four successive outputs
//!   of splitmix64 started at `n` (as a two's-complement `u64`); a run
//!   starts as if `Random.seed 0` had been called;
//! - `int n`: Lemire's multiply-and-reject method, unbiased: `m = x * n`
//!   as a 128-bit product; if its low 64 bits are below `2^64 mod n`, draw
//!   again; the result is the high 64 bits;
//! - `float x`: `x * (next >> 11) * 2^-53`, uniform in `[0, x)` on 53 bits;
//! - `normal ()`: Box–Muller from two fresh draws, nothing cached:
//!   `u1 = 1 - unit()`, `u2 = unit()` (`unit` as in `float 1.0`),
//!   result `sqrt(-2 ln u1) * cos(2 pi u2)`;
//! - `bool ()`: the top bit of one draw.

pub struct Rng {
    state: [u64; 4],
}

impl Rng {
    pub fn seeded(seed: u64) -> Rng {
        let mut sm = seed;
        let mut state = [0; 4];
        for word in &mut state {
            *word = splitmix64(&mut sm);
        }
        Rng { state }
    }

    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.state;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in `[0, n)`; `n` must be positive.
    pub fn below(&mut self, n: u64) -> u64 {
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        if (m as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u64) < threshold {
                m = u128::from(self.next_u64()) * u128::from(n);
            }
        }
        (m >> 64) as u64
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A standard normal sample.
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit();
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    pub fn bool(&mut self) -> bool {
        self.next_u64() >> 63 == 1
    }
}

impl Default for Rng {
    fn default() -> Rng {
        Rng::seeded(0)
    }
}

pub(crate) fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

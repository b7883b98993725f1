//! `Progress.*`: progress reporting as tqdm gives it, for a loop of known
//! length (stdlib/progress.dl wraps these primitives in the type
//! `Progress.t`).
//!
//! At a terminal (stderr), a bar drawn by indicatif in tqdm's layout:
//! description, percentage, bar, count, elapsed and time left, rate, and
//! the postfix; indicatif throttles the redraws. Anywhere else (a log, a
//! pipe, CI) a plain line on stderr each time the count reaches another
//! quarter of the total, and at `finish` if it stopped between quarters:
//! `epoch 1: 50% 8/16 loss 0.1234`. The plain lines hold no time and no
//! rate, so one run's log is the next one's (golden tests, diffs); the
//! times are the terminal's.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{args, io};
use crate::runtime::ctx::RuntimeCtx;
use crate::runtime::error::RuntimeError;
use crate::runtime::value::Value;

type Outcome = Result<Value, RuntimeError>;

/// tqdm's default layout.
const TERMINAL_TEMPLATE: &str =
    "{prefix}{percent:>3}%|{wide_bar}| {pos}/{len} [{elapsed_precise}<{eta_precise}, {per_sec}] {msg}";

/// Every bar made by `create`, by handle; a finished bar's slot is empty
/// (handles are not reused, so a finished bar stays finished).
#[derive(Default)]
pub struct ProgressBars {
    bars: Vec<Option<Bar>>,
}

struct Bar {
    total: u64,
    count: u64,
    description: String,
    postfix: String,
    /// The plain form: how many quarters of the total have been reported,
    /// and the count of the last line written.
    quarters_reported: u64,
    reported_count: Option<u64>,
    /// The terminal form.
    drawn: Option<ProgressBar>,
}

impl ProgressBars {
    /// Runs `write`, which writes to the terminal, with the bar being
    /// drawn taken down meanwhile.
    pub fn suspend<R>(&self, write: impl FnOnce() -> R) -> R {
        let drawn = self
            .bars
            .iter()
            .rev()
            .flatten()
            .find_map(|b| b.drawn.as_ref());
        match drawn {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    fn get(&mut self, handle: i64) -> Result<&mut Bar, RuntimeError> {
        usize::try_from(handle)
            .ok()
            .and_then(|i| self.bars.get_mut(i))
            .and_then(Option::as_mut)
            .ok_or_else(|| RuntimeError::bad_argument("Progress: this bar was finished"))
    }
}

impl Bar {
    fn percent(&self, count: u64) -> u64 {
        (count.min(self.total) * 100)
            .checked_div(self.total)
            .unwrap_or(100)
    }

    fn plain_line(&self) -> String {
        let mut line = String::new();
        if !self.description.is_empty() {
            line.push_str(&self.description);
            line.push_str(": ");
        }
        line.push_str(&format!(
            "{}% {}/{}",
            self.percent(self.count),
            self.count,
            self.total
        ));
        if !self.postfix.is_empty() {
            line.push(' ');
            line.push_str(&self.postfix);
        }
        line.push('\n');
        line
    }

    /// The plain line due now, if any: when the count has reached another
    /// quarter (a jump over several writes one line).
    fn due_line(&mut self) -> Option<String> {
        let quarters = (self.count.min(self.total) * 4)
            .checked_div(self.total)
            .unwrap_or(0);
        if quarters <= self.quarters_reported {
            return None;
        }
        self.quarters_reported = quarters;
        self.reported_count = Some(self.count);
        Some(self.plain_line())
    }
}

fn terminal_bar(total: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(TERMINAL_TEMPLATE) {
        bar.set_style(style.progress_chars("█▉▊▋▌▍▎▏ "));
    }
    bar
}

fn count_argument(a: &[Value], i: usize, what: &str) -> Result<u64, RuntimeError> {
    let n = args::int(a, i)?;
    u64::try_from(n)
        .map_err(|_| RuntimeError::bad_argument(format!("Progress: {what} {n} is negative")))
}

/// `bar_create total`: a new bar at 0, its handle.
pub fn create(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let total = count_argument(a, 0, "the total")?;
    let drawn = ctx.err_is_terminal.then(|| terminal_bar(total));
    let bars = &mut ctx.progress.bars;
    bars.push(Some(Bar {
        total,
        count: 0,
        description: String::new(),
        postfix: String::new(),
        quarters_reported: 0,
        reported_count: None,
        drawn,
    }));
    Ok(Value::Int(bars.len() as i64 - 1))
}

/// `bar_update handle n`: `n` more steps done.
pub fn update(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let steps = count_argument(a, 1, "the number of steps")?;
    let bar = ctx.progress.get(args::int(a, 0)?)?;
    bar.count = bar.count.saturating_add(steps);
    let due = match &bar.drawn {
        Some(drawn) => {
            drawn.inc(steps);
            None
        }
        None => bar.due_line(),
    };
    if let Some(line) = due {
        io::write_stderr(ctx, &line)?;
    }
    Ok(Value::Unit)
}

/// `bar_set_description handle text`: shown before the count, as tqdm's
/// `desc`.
pub fn set_description(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    set_text(ctx, a, |bar, text| {
        bar.description = text.to_string();
        if let Some(drawn) = &bar.drawn {
            drawn.set_prefix(format!("{text}: "));
        }
    })
}

/// `bar_set_postfix handle text`: shown after the count, as tqdm's
/// `set_postfix_str`; it goes out with the next line or redraw.
pub fn set_postfix(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    set_text(ctx, a, |bar, text| {
        bar.postfix = text.to_string();
        if let Some(drawn) = &bar.drawn {
            drawn.set_message(text.to_string());
        }
    })
}

fn set_text(ctx: &mut RuntimeCtx, a: &[Value], set: fn(&mut Bar, &str)) -> Outcome {
    let text = args::string(a, 1)?;
    set(ctx.progress.get(args::int(a, 0)?)?, &text);
    Ok(Value::Unit)
}

/// `bar_finish handle`: the bar's last state stays on the terminal, or is
/// written as a plain line unless the last line written says the same.
pub fn finish(ctx: &mut RuntimeCtx, a: &[Value]) -> Outcome {
    let handle = args::int(a, 0)?;
    let bar = ctx.progress.get(handle)?;
    let last_line = match &bar.drawn {
        Some(drawn) => {
            drawn.finish();
            None
        }
        None => (bar.reported_count != Some(bar.count)).then(|| bar.plain_line()),
    };
    ctx.progress.bars[handle as usize] = None;
    if let Some(line) = last_line {
        io::write_stderr(ctx, &line)?;
    }
    Ok(Value::Unit)
}

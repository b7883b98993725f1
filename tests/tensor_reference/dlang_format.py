"""Values printed the way dlang's `print` writes them (docs/language.md §8), so
NumPy results can be compared with the golden files text for text.

Python stands for dlang values as follows: a float32 ndarray is a tensor,
`float` and NumPy float scalars are dlang floats (f64; a float32 scalar is the
f64 that holds it, as `Tensor.sum` returns), `int` is int, `bool` is bool,
`str` is string, `tuple` is a tuple, `list` is a list, `Array` is an array,
`Record` is a record and `Some` is `Some v`.
"""

import numpy as np

# NumPy's default print options, which dlang follows for big tensors.
THRESHOLD = 1000
EDGE_ITEMS = 3


class Record(dict):
    """A dlang record; fields print in insertion order."""


class Array(list):
    """A dlang array: `[|1; 2|]`."""


class Some:
    """`Some v`, for a v that needs no parentheses (a tensor, a positive
    number); the tests use no other."""

    def __init__(self, value):
        self.value = value


def _layout(scientific):
    """dlang's float layout from shortest digits `d.ddde±XX`: plain
    notation for exponents -6..20, else `de±X` without a plus sign."""
    if scientific in ("nan", "inf", "-inf"):
        return scientific
    sign = ""
    if scientific.startswith("-"):
        sign, scientific = "-", scientific[1:]
    mantissa, exponent = scientific.split("e")
    exponent = int(exponent)
    digits = mantissa.replace(".", "").rstrip("0") or "0"
    if not -6 <= exponent < 21:
        first, rest = digits[0], digits[1:]
        body = f"{first}.{rest}e{exponent}" if rest else f"{first}e{exponent}"
    elif exponent < 0:
        body = "0." + "0" * (-exponent - 1) + digits
    else:
        int_len = exponent + 1
        if len(digits) <= int_len:
            body = digits + "0" * (int_len - len(digits)) + ".0"
        else:
            body = digits[:int_len] + "." + digits[int_len:]
    return sign + body


def _shortest(x):
    if np.isnan(x):
        return "nan"
    if np.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "-0.0" if np.signbit(x) else "0.0"
    return _layout(np.format_float_scientific(x, unique=True, exp_digits=1))


def fmt_f32(x):
    return _shortest(np.float32(x))


def fmt_f64(x):
    return _shortest(np.float64(x))


def _axis(array, abbreviate):
    if array.ndim == 0:
        return fmt_f32(array)
    n = array.shape[0]
    if abbreviate and n > 2 * EDGE_ITEMS:
        parts = [_axis(array[i], abbreviate) for i in range(EDGE_ITEMS)]
        parts.append("...")
        parts += [_axis(array[i], abbreviate) for i in range(n - EDGE_ITEMS, n)]
    else:
        parts = [_axis(array[i], abbreviate) for i in range(n)]
    return "[" + ", ".join(parts) + "]"


def show_tensor(array):
    assert array.dtype == np.float32, f"tensors are float32, got {array.dtype}"
    return "tensor(" + _axis(array, array.size > THRESHOLD) + ")"


def _quote(text):
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    )
    return f'"{escaped}"'


def show(value, top=True):
    if isinstance(value, np.ndarray):
        return show_tensor(value)
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return fmt_f64(float(value))
    if isinstance(value, str):
        return value if top else _quote(value)
    if isinstance(value, tuple):
        return "(" + ", ".join(show(v, False) for v in value) + ")"
    if isinstance(value, Array):
        return "[|" + "; ".join(show(v, False) for v in value) + "|]"
    if isinstance(value, Some):
        return f"Some {show(value.value, False)}"
    if isinstance(value, list):
        return "[" + "; ".join(show(v, False) for v in value) + "]"
    if isinstance(value, Record):
        return "{ " + "; ".join(f"{k} = {show(v, False)}" for k, v in value.items()) + " }"
    raise TypeError(f"no dlang text for {value!r}")

# bench/fib.py — the same program as fib.dl, for comparison.
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

print(fib(30))

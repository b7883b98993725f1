# The same program as fib.dl.
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

size = 32
print(fib(size))

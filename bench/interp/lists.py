# The same program as lists.dl: map, filter and reduce, calling a
# function per element as the dlang library functions do.
from functools import reduce

size = 1

def main():
    total = 0
    for _ in range(size):
        l = list(range(0, 1000000))
        doubled = list(map(lambda x: x * 2, l))
        kept = list(filter(lambda x: x % 3 == 0, doubled))
        total += reduce(lambda acc, x: acc + x, kept, 0)
    print(total)

main()

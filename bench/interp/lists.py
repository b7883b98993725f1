# The same program as lists.dl: map, filter and reduce, calling a
# function per element as the dlang library functions do.
from functools import reduce

def main():
    l = list(range(0, 1000000))
    doubled = list(map(lambda x: x * 2, l))
    kept = list(filter(lambda x: x % 3 == 0, doubled))
    print(reduce(lambda acc, x: acc + x, kept, 0))

main()

# The same program as float_loop.dl (Python has no refs: plain locals of
# a function, its fastest form).
from math import sin

size = 10000000

def main():
    n = size
    x = 0.0
    i = 0
    while i < n:
        x = x + sin(float(i)) * 0.5
        i = i + 1
    print(x)

main()

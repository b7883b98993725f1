# The same program as float_loop.dl (Python has no refs: plain locals of
# a function, its fastest form).
from math import sin

def main():
    x = 0.0
    i = 0
    while i < 10000000:
        x = x + sin(float(i)) * 0.5
        i = i + 1
    print(x)

main()

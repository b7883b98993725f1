# The same program as trees_walk.dl; a leaf is None, a node a pair.
size = 8

def make(d):
    return None if d == 0 else (make(d - 1), make(d - 1))

def check(t):
    if t is None:
        return 1
    left, right = t
    return 1 + check(left) + check(right)

t = make(20)
total = 0
for _ in range(size):
    total += check(t)
print(total)

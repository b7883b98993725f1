# The same program as trees.dl; a leaf is None, a node a pair.
def make(d):
    return None if d == 0 else (make(d - 1), make(d - 1))

def check(t):
    if t is None:
        return 1
    left, right = t
    return 1 + check(left) + check(right)

size = 8
total = 0
for _ in range(size):
    total += check(make(18))
print(total)

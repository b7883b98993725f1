# The same program as sort.dl.
def random_list(n, seed):
    out = []
    for _ in range(n):
        seed = (seed * 1103515245 + 12345) % 2147483648
        out.append(seed)
    out.reverse()
    return out

s = sorted(random_list(1000000, 42))
print((s[0], s[500000], s[999999]))

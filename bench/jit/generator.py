# The same work as generator.dl with a Python generator (`yield`).
size = 1000000

def generate(n):
    for i in range(n):
        yield i

def main():
    total = 0
    for x in generate(size):
        total += x
    print(total)

main()

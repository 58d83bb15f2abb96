"""Stdin/stdout problems, part B: arrays, dynamic programming and graphs."""

from __future__ import annotations

from stdin_a import _ints, _list_input, _word

from build import Problem


def _grid(rng, h, w, walls=0.25):
    g = [["#" if rng.random() < walls else "." for _ in range(w)] for _ in range(h)]
    g[0][0], g[h - 1][w - 1] = "S", "E"
    return f"{h} {w}\n" + "".join("".join(row) + "\n" for row in g)


def _graph(rng, n, m):
    edges = [(rng.randint(1, n), rng.randint(1, n)) for _ in range(m)]
    return f"{n} {m}\n" + "".join(f"{a} {b}\n" for a, b in edges)


PROBLEMS = [
    Problem(
        "collatz_steps", """
        Read n (1 <= n <= 10^6). While n != 1, replace n by n/2 if it is even and by 3n+1 if it is odd.
        Print the number of replacements made.
        """,
        "n = int(input())\nk = 0\nwhile n != 1:\n    n = n // 2 if n % 2 == 0 else 3 * n + 1\n    k += 1\nprint(k)\n",
        "n = int(input())\nk = 0\nwhile n > 2:\n    n = n // 2 if n % 2 == 0 else 3 * n + 1\n    k += 1\nprint(k)\n",
        ["1\n", "2\n", "27\n", "6\n"], lambda r: f"{r.randint(1, 10**6)}\n"),
    Problem(
        "triangle_type", """
        Read three positive integers, the sides of a triangle. Print invalid if they do not form a triangle
        with positive area (the largest side must be shorter than the sum of the other two); otherwise print
        equilateral, isosceles or scalene.
        """,
        "a, b, c = sorted(map(int, input().split()))\nif a + b <= c:\n    print('invalid')\nelif a == c:\n"
        "    print('equilateral')\nelif a == b or b == c:\n    print('isosceles')\nelse:\n    print('scalene')\n",
        "a, b, c = sorted(map(int, input().split()))\nif a == c:\n    print('equilateral')\n"
        "elif a == b or b == c:\n    print('isosceles')\nelse:\n    print('scalene')\n",
        ["3 3 3\n", "3 4 5\n", "2 2 3\n", "1 2 3\n", "1 1 5\n"], lambda r: _ints(r, 3, 1, 6) + "\n"),
    Problem(
        "leap_year", """
        Read a year (1 <= y <= 10^5). Print YES if it is a leap year in the Gregorian calendar (divisible by
        4, except centuries, which must be divisible by 400), otherwise NO.
        """,
        "y = int(input())\nprint('YES' if y % 4 == 0 and (y % 100 != 0 or y % 400 == 0) else 'NO')\n",
        "y = int(input())\nprint('YES' if y % 4 == 0 and y % 100 != 0 else 'NO')\n",
        ["2000\n", "1900\n", "2024\n", "2023\n"], lambda r: f"{r.randint(1, 3000)}\n"),
    Problem(
        "sum_of_evens", """
        The first line holds n (1 <= n <= 100), the second n integers. Print the sum of the even ones
        (0 if there are none).
        """,
        "input()\nprint(sum(x for x in map(int, input().split()) if x % 2 == 0))\n",
        "input()\nprint(sum(x for x in map(int, input().split()) if x % 2 == 0 and x > 0))\n",
        ["4\n1 2 3 4\n", "2\n1 3\n", "3\n-2 -4 5\n"], _list_input),
    Problem(
        "sorted_unique", """
        The first line holds n (1 <= n <= 100), the second n integers. Print the distinct values in
        increasing order, separated by spaces.
        """,
        "input()\nprint(*sorted(set(map(int, input().split()))))\n",
        "input()\nprint(*sorted(map(int, input().split())))\n",
        ["5\n3 1 3 2 1\n", "1\n0\n"], lambda r: _list_input(r, -3, 3)),
    Problem(
        "rotate_right", """
        The first line holds n and k (1 <= n <= 100, 0 <= k <= 10^9), the second n integers. Rotate the list
        k places to the right (the last element moves to the front, k times) and print it.
        """,
        "n, k = map(int, input().split())\na = input().split()\nk %= n\nprint(*(a[-k:] + a[:-k]) if k else a)\n",
        "n, k = map(int, input().split())\na = input().split()\nk %= n\nprint(*(a[k:] + a[:k]))\n",
        ["5 2\n1 2 3 4 5\n", "3 0\n1 2 3\n", "1 7\n9\n", "4 6\n1 2 3 4\n"],
        lambda r: (lambda n: f"{n} {r.randint(0, 20)}\n{_ints(r, n, 0, 9)}\n")(r.randint(1, 8))),
    Problem(
        "kth_smallest", """
        The first line holds n and k (1 <= k <= n <= 100), the second n integers. Print the k-th smallest
        value (counting duplicates).
        """,
        "n, k = map(int, input().split())\nprint(sorted(map(int, input().split()))[k - 1])\n",
        "n, k = map(int, input().split())\nxs = sorted(set(map(int, input().split())))\nprint(xs[min(k, len(xs)) - 1])\n",
        ["5 2\n4 1 1 3 2\n", "1 1\n7\n", "3 3\n5 5 5\n"],
        lambda r: (lambda n: f"{n} {r.randint(1, n)}\n{_ints(r, n, 0, 5)}\n")(r.randint(1, 8))),
    Problem(
        "count_words", """
        Read the whole input (any number of lines) and print how many whitespace-separated words it contains.
        """,
        "import sys\nprint(len(sys.stdin.read().split()))\n",
        "print(len(input().split()))\n",
        ["hello world\n", "a\nb c\n\nd\n", "\n"],
        lambda r: "\n".join(" ".join(_word(r) for _ in range(r.randint(0, 4))) for _ in range(r.randint(1, 4))) + "\n"),
    Problem(
        "run_length_compress", """
        Read a string of lowercase letters and print its run-length encoding: each maximal run of one letter
        becomes the letter followed by the run's length (aaabcc -> a3b1c2).
        """,
        "import itertools\ns = input().strip()\nprint(''.join(f'{k}{len(list(g))}' for k, g in itertools.groupby(s)))\n",
        "s = input().strip()\nout, i = '', 0\nfor j in range(1, len(s)):\n    if s[j] != s[j - 1]:\n"
        "        out += s[j - 1] + str(j - i)\n        i = j\nprint(out)\n",
        ["aaabcc\n", "a\n", "abab\n"], lambda r: _word(r, "ab", 1, 12) + "\n"),
    Problem(
        "pascal_row", """
        Read n (0 <= n <= 60) and print row n of Pascal's triangle (the binomial coefficients C(n, 0) ..
        C(n, n)) separated by spaces.
        """,
        "import math\nn = int(input())\nprint(*[math.comb(n, k) for k in range(n + 1)])\n",
        "import math\nn = int(input())\nprint(*[math.comb(n, k) for k in range(n)])\n",
        ["0\n", "1\n", "4\n"], lambda r: f"{r.randint(0, 60)}\n"),
    Problem(
        "max_subarray_sum", """
        The first line holds n (1 <= n <= 1000), the second n integers. Print the largest sum of a non-empty
        contiguous subarray.
        """,
        "input()\na = list(map(int, input().split()))\nbest = cur = a[0]\nfor x in a[1:]:\n"
        "    cur = max(x, cur + x)\n    best = max(best, cur)\nprint(best)\n",
        "input()\na = list(map(int, input().split()))\nbest = cur = 0\nfor x in a:\n"
        "    cur = max(0, cur + x)\n    best = max(best, cur)\nprint(best)\n",
        ["5\n-2 1 -3 4 -1\n", "3\n-3 -1 -2\n", "1\n5\n"], _list_input),
    Problem(
        "pair_with_sum", """
        The first line holds n and t (1 <= n <= 1000), the second n integers. Print YES if two elements at
        different positions add up to t, otherwise NO.
        """,
        "n, t = map(int, input().split())\nseen = set()\nok = False\nfor x in map(int, input().split()):\n"
        "    if t - x in seen:\n        ok = True\n    seen.add(x)\nprint('YES' if ok else 'NO')\n",
        "n, t = map(int, input().split())\ns = set(map(int, input().split()))\nprint('YES' if any(t - x in s for x in s) else 'NO')\n",
        ["3 8\n4 1 2\n", "2 8\n4 4\n", "1 0\n0\n", "4 10\n1 2 3 7\n"],
        lambda r: (lambda n: f"{n} {r.randint(0, 12)}\n{_ints(r, n, 0, 6)}\n")(r.randint(1, 5))),
    Problem(
        "grid_paths", """
        Read m and n (1 <= m, n <= 30). Print the number of paths from the top-left to the bottom-right cell
        of an m x n grid that only move right or down.
        """,
        "import math\nm, n = map(int, input().split())\nprint(math.comb(m + n - 2, m - 1))\n",
        "import math\nm, n = map(int, input().split())\nprint(math.comb(m + n, m))\n",
        ["1 1\n", "2 2\n", "3 7\n"], lambda r: f"{r.randint(1, 30)} {r.randint(1, 30)}\n"),
    Problem(
        "min_coins", """
        The first line holds the amount a (0 <= a <= 10^4), the second the coin values (positive integers,
        unlimited supply of each). Print the fewest coins that sum exactly to a, or -1 if impossible.
        """,
        "a = int(input())\ncoins = list(map(int, input().split()))\nINF = float('inf')\nd = [0] + [INF] * a\n"
        "for v in range(1, a + 1):\n    for c in coins:\n        if c <= v and d[v - c] + 1 < d[v]:\n            d[v] = d[v - c] + 1\n"
        "print(d[a] if d[a] != INF else -1)\n",
        "a = int(input())\ncoins = sorted(map(int, input().split()), reverse=True)\nk = 0\nfor c in coins:\n"
        "    k += a // c\n    a %= c\nprint(k if a == 0 else -1)\n",
        ["6\n1 3 4\n", "0\n2\n", "3\n2\n", "11\n1 2 5\n"],
        lambda r: f"{r.randint(0, 60)}\n{_ints(r, r.randint(1, 4), 1, 12)}\n"),
    Problem(
        "lcs_length", """
        Read two strings, one per line (each up to 1000 characters), and print the length of their longest
        common subsequence.
        """,
        "a = input().strip()\nb = input().strip()\nprev = [0] * (len(b) + 1)\nfor x in a:\n    cur = [0]\n"
        "    for j, y in enumerate(b):\n        cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))\n"
        "    prev = cur\nprint(prev[-1])\n",
        "a = input().strip()\nb = input().strip()\nprint(len(set(a) & set(b)))\n",
        ["abcde\nace\n", "abc\ndef\n", "aaaa\naa\n"], lambda r: f"{_word(r, 'abc')}\n{_word(r, 'abc')}\n"),
    Problem(
        "edit_distance", """
        Read two strings, one per line, and print their Levenshtein distance (the fewest single-character
        insertions, deletions and substitutions that turn the first into the second).
        """,
        "a = input().strip()\nb = input().strip()\nprev = list(range(len(b) + 1))\nfor i, x in enumerate(a, 1):\n"
        "    cur = [i]\n    for j, y in enumerate(b, 1):\n        cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))\n"
        "    prev = cur\nprint(prev[-1])\n",
        "a = input().strip()\nb = input().strip()\nprint(sum(x != y for x, y in zip(a, b)) + abs(len(a) - len(b)))\n",
        ["kitten\nsitting\n", "abc\nabc\n", "ab\nba\n", "abc\nbc\n"], lambda r: f"{_word(r, 'abc')}\n{_word(r, 'abc')}\n"),
    Problem(
        "knapsack_01", """
        The first line holds n and W (1 <= n <= 100, 0 <= W <= 1000); each of the next n lines holds an
        item's weight and value. Each item is taken at most once. Print the largest total value with total
        weight at most W.
        """,
        "n, W = map(int, input().split())\nd = [0] * (W + 1)\nfor _ in range(n):\n    w, v = map(int, input().split())\n"
        "    for c in range(W, w - 1, -1):\n        d[c] = max(d[c], d[c - w] + v)\nprint(d[W])\n",
        "n, W = map(int, input().split())\nd = [0] * (W + 1)\nfor _ in range(n):\n    w, v = map(int, input().split())\n"
        "    for c in range(w, W + 1):\n        d[c] = max(d[c], d[c - w] + v)\nprint(d[W])\n",
        ["3 5\n2 3\n3 4\n4 5\n", "1 0\n1 10\n", "2 10\n5 10\n4 40\n"],
        lambda r: (lambda n: f"{n} {r.randint(0, 15)}\n" + "".join(f"{r.randint(1, 6)} {r.randint(1, 20)}\n" for _ in range(n)))(r.randint(1, 5))),
    Problem(
        "grid_shortest_path", """
        The first line holds h and w; then h lines of w characters: . is free, # is a wall, S the start and
        E the end. Moving one step up, down, left or right between free cells, print the fewest steps from S
        to E, or -1 if E cannot be reached.
        """,
        "from collections import deque\nh, w = map(int, input().split())\ng = [input() for _ in range(h)]\n"
        "s = next((i, j) for i in range(h) for j in range(w) if g[i][j] == 'S')\nd = {s: 0}\nq = deque([s])\nans = -1\n"
        "while q:\n    i, j = q.popleft()\n    if g[i][j] == 'E':\n        ans = d[(i, j)]\n        break\n"
        "    for a, b in ((i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1)):\n"
        "        if 0 <= a < h and 0 <= b < w and g[a][b] != '#' and (a, b) not in d:\n"
        "            d[(a, b)] = d[(i, j)] + 1\n            q.append((a, b))\nprint(ans)\n",
        "h, w = map(int, input().split())\nprint(h + w - 2)\n",
        ["3 3\nS..\n.#.\n..E\n", "2 2\nS#\n#E\n", "1 2\nSE\n", "3 4\nS#..\n.#.#\n...E\n"],
        lambda r: _grid(r, r.randint(2, 5), r.randint(2, 5))),
    Problem(
        "connected_components", """
        The first line holds n and m: n vertices numbered 1..n and m undirected edges; each of the next m
        lines holds an edge's two endpoints. Print the number of connected components.
        """,
        "n, m = map(int, input().split())\np = list(range(n + 1))\ndef f(x):\n    while p[x] != x:\n        p[x] = p[p[x]]\n"
        "        x = p[x]\n    return x\nfor _ in range(m):\n    a, b = map(int, input().split())\n    p[f(a)] = f(b)\n"
        "print(len({f(x) for x in range(1, n + 1)}))\n",
        "n, m = map(int, input().split())\nprint(max(1, n - m))\n",
        ["3 0\n", "4 2\n1 2\n3 4\n", "3 3\n1 2\n2 3\n1 3\n", "2 1\n1 1\n"],
        lambda r: _graph(r, r.randint(1, 8), r.randint(0, 6))),
    Problem(
        "has_cycle_directed", """
        The first line holds n and m: n vertices numbered 1..n and m directed edges; each of the next m lines
        holds an edge "a b" from a to b. Print YES if the graph has a directed cycle (a self-loop counts),
        otherwise NO.
        """,
        "import sys\nsys.setrecursionlimit(10000)\nn, m = map(int, input().split())\nadj = [[] for _ in range(n + 1)]\n"
        "indeg = [0] * (n + 1)\nfor _ in range(m):\n    a, b = map(int, input().split())\n    adj[a].append(b)\n    indeg[b] += 1\n"
        "q = [v for v in range(1, n + 1) if indeg[v] == 0]\nseen = 0\nwhile q:\n    v = q.pop()\n    seen += 1\n"
        "    for u in adj[v]:\n        indeg[u] -= 1\n        if indeg[u] == 0:\n            q.append(u)\n"
        "print('YES' if seen < n else 'NO')\n",
        "n, m = map(int, input().split())\nprint('YES' if m >= n else 'NO')\n",
        ["3 3\n1 2\n2 3\n3 1\n", "3 2\n1 2\n2 3\n", "1 1\n1 1\n", "3 3\n1 2\n1 3\n2 3\n"],
        lambda r: _graph(r, r.randint(1, 6), r.randint(0, 6))),
    Problem(
        "merge_intervals", """
        The first line holds n (1 <= n <= 100); each of the next n lines an interval "l r" with l <= r.
        Merge intervals that overlap or touch (sharing an endpoint) and print the merged intervals in
        increasing order, one "l r" per line.
        """,
        "n = int(input())\niv = sorted(tuple(map(int, input().split())) for _ in range(n))\nout = [list(iv[0])]\n"
        "for l, r in iv[1:]:\n    if l <= out[-1][1]:\n        out[-1][1] = max(out[-1][1], r)\n    else:\n        out.append([l, r])\n"
        "for l, r in out:\n    print(l, r)\n",
        "n = int(input())\niv = sorted(tuple(map(int, input().split())) for _ in range(n))\nout = [list(iv[0])]\n"
        "for l, r in iv[1:]:\n    if l < out[-1][1]:\n        out[-1][1] = max(out[-1][1], r)\n    else:\n        out.append([l, r])\n"
        "for l, r in out:\n    print(l, r)\n",
        ["2\n1 3\n3 5\n", "3\n1 2\n5 6\n2 4\n", "1\n0 0\n"],
        lambda r: (lambda n: f"{n}\n" + "".join((lambda a: f"{a} {a + r.randint(0, 3)}\n")(r.randint(0, 10)) for _ in range(n)))(r.randint(1, 5))),
    Problem(
        "to_base", """
        Read n and b (0 <= n <= 10^12, 2 <= b <= 16) and print n written in base b using the digits
        0-9 and A-F.
        """,
        "n, b = map(int, input().split())\nd = '0123456789ABCDEF'\ns = ''\nwhile True:\n    s = d[n % b] + s\n    n //= b\n"
        "    if n == 0:\n        break\nprint(s)\n",
        "n, b = map(int, input().split())\nd = '0123456789abcdef'\ns = ''\nwhile True:\n    s = d[n % b] + s\n    n //= b\n"
        "    if n == 0:\n        break\nprint(s)\n",
        ["0 2\n", "255 16\n", "10 3\n"], lambda r: f"{r.randint(0, 10**12)} {r.randint(2, 16)}\n"),
    Problem(
        "perfect_number", """
        Read n (1 <= n <= 10^8). Print YES if n equals the sum of its divisors smaller than itself, otherwise NO.
        """,
        "n = int(input())\ns = 0\ni = 1\nwhile i * i <= n:\n    if n % i == 0:\n        s += i + (n // i if n // i != i else 0)\n"
        "    i += 1\nprint('YES' if s - n == n else 'NO')\n",
        "n = int(input())\ns = 0\ni = 1\nwhile i * i <= n:\n    if n % i == 0:\n        s += i + n // i\n"
        "    i += 1\nprint('YES' if s - n == n else 'NO')\n",
        ["6\n", "28\n", "1\n", "12\n", "496\n", "4\n"], lambda r: f"{r.randint(1, 10**4)}\n"),
    Problem(
        "lower_median", """
        The first line holds n (1 <= n <= 100), the second n integers. Print the lower median: the element
        at position (n+1)//2 (1-based) of the sorted list.
        """,
        "n = int(input())\nprint(sorted(map(int, input().split()))[(n + 1) // 2 - 1])\n",
        "n = int(input())\nprint(sorted(map(int, input().split()))[n // 2])\n",
        ["4\n4 1 3 2\n", "1\n7\n", "3\n3 1 2\n"], _list_input),
    Problem(
        "diagonal_sums", """
        The first line holds n (1 <= n <= 20); then n lines of n integers. Print the sum of the main diagonal
        and the sum of the anti-diagonal, separated by a space.
        """,
        "n = int(input())\nm = [list(map(int, input().split())) for _ in range(n)]\n"
        "print(sum(m[i][i] for i in range(n)), sum(m[i][n - 1 - i] for i in range(n)))\n",
        "n = int(input())\nm = [list(map(int, input().split())) for _ in range(n)]\n"
        "print(sum(m[i][i] for i in range(n)), sum(m[i][n - i - 2] for i in range(n)))\n",
        ["2\n1 2\n3 4\n", "1\n5\n", "3\n1 2 3\n4 5 6\n7 8 9\n"],
        lambda r: (lambda n: f"{n}\n" + "".join(_ints(r, n, -9, 9) + "\n" for _ in range(n)))(r.randint(1, 5))),
    Problem(
        "count_overlapping", """
        The first line holds a text, the second a non-empty pattern. Print how many times the pattern occurs
        in the text, counting overlapping occurrences (aaa contains aa twice).
        """,
        "t = input()\np = input()\nprint(sum(t.startswith(p, i) for i in range(len(t))))\n",
        "t = input()\np = input()\nprint(t.count(p))\n",
        ["aaaa\naa\n", "abcabc\nabc\n", "abc\nd\n"], lambda r: f"{_word(r, 'ab', 1, 15)}\n{_word(r, 'ab', 1, 3)}\n"),
]

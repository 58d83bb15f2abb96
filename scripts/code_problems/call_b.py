"""Call-based problems, part B: numbers, dynamic programming, None/bool/tuple return values."""

from __future__ import annotations

from call_a import C, _nums, _word

PROBLEMS = [
    C("int_to_base_call", "to_base",
      "Write to_base(n, b) returning the non-negative integer n written in base b (2 <= b <= 36) with digits "
      "0-9 then lowercase a-z.",
      "def to_base(n, b):\n    d = '0123456789abcdefghijklmnopqrstuvwxyz'\n    s = ''\n    while True:\n"
      "        s = d[n % b] + s\n        n //= b\n        if n == 0:\n            return s\n",
      "def to_base(n, b):\n    d = '0123456789abcdefghijklmnopqrstuvwxyz'\n    s = ''\n    while n:\n"
      "        s = d[n % b] + s\n        n //= b\n    return s\n",
      [[0, 2], [255, 16], [35, 36], [10, 2]], lambda r: [r.randint(0, 10**9), r.randint(2, 36)]),
    C("rle_encode", "rle_encode",
      "Write rle_encode(s) returning the run-length encoding of s as a list of [character, count] pairs for "
      "each maximal run of equal characters.",
      "import itertools\n\ndef rle_encode(s):\n    return [[k, len(list(g))] for k, g in itertools.groupby(s)]\n",
      "def rle_encode(s):\n    return [[c, s.count(c)] for c in dict.fromkeys(s)]\n",
      [["aaabcca"], [""], ["x"]], lambda r: [_word(r, "ab", 0, 10)]),
    C("rle_decode", "rle_decode",
      "Write rle_decode(pairs) that takes a list of [character, count] pairs and returns the decoded string.",
      "def rle_decode(pairs):\n    return ''.join(c * n for c, n in pairs)\n",
      "def rle_decode(pairs):\n    return ''.join(c * max(n, 1) for c, n in pairs)\n",
      [[[["a", 3], ["b", 1]]], [[]], [[["z", 0], ["y", 2]]]],
      lambda r: [[[r.choice("abc"), r.randint(0, 3)] for _ in range(r.randint(0, 4))]]),
    C("pascal_triangle", "pascal",
      "Write pascal(n) returning the first n rows of Pascal's triangle as a list of lists (pascal(0) is []).",
      "def pascal(n):\n    rows = []\n    for i in range(n):\n        row = [1] * (i + 1)\n        for j in range(1, i):\n"
      "            row[j] = rows[-1][j - 1] + rows[-1][j]\n        rows.append(row)\n    return rows\n",
      "def pascal(n):\n    rows = [[1]]\n    for i in range(1, n):\n        rows.append([1] + [rows[-1][j - 1] + rows[-1][j] for j in range(1, i)] + [1])\n"
      "    return rows\n",
      [[0], [1], [5]], lambda r: [r.randint(0, 12)]),
    C("median_value", "median",
      "Write median(xs) returning the median of a non-empty list of integers: the middle element of the "
      "sorted list, or the mean of the two middle elements when the length is even (e.g. 2.5).",
      "def median(xs):\n    s = sorted(xs)\n    n = len(s)\n    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2\n",
      "def median(xs):\n    s = sorted(xs)\n    return s[len(s) // 2]\n",
      [[[3, 1, 2]], [[4, 1, 3, 2]], [[5]], [[1, 1, 2, 2]]], lambda r: [_nums(r, -10, 10, 1, 7)]),
    C("mean_rounded", "mean",
      "Write mean(xs) returning the arithmetic mean of a list of integers rounded to 2 decimal places with "
      "round(); return None for an empty list.",
      "def mean(xs):\n    return round(sum(xs) / len(xs), 2) if xs else None\n",
      "def mean(xs):\n    return round(sum(xs) / len(xs), 2) if xs else 0\n",
      [[[1, 2, 3, 4]], [[]], [[1, 2]], [[10]]], lambda r: [_nums(r, -50, 50, 1, 7)]),
    C("is_anagram_call", "is_anagram",
      "Write is_anagram(a, b) returning True if the strings are anagrams of each other (same characters with "
      "the same counts), else False.",
      "def is_anagram(a, b):\n    return sorted(a) == sorted(b)\n",
      "def is_anagram(a, b):\n    return set(a) == set(b) and len(a) == len(b) or a == b\n",
      [["listen", "silent"], ["aab", "abb"], ["", ""], ["ab", "a"]],
      lambda r: (lambda w: [w, "".join(r.sample(w, len(w))) if r.random() < 0.5 else _word(r, "ab", 0, 5)])(_word(r, "ab", 0, 5))),
    C("count_islands", "count_islands",
      "Write count_islands(grid) returning the number of islands in a grid of 0s (water) and 1s (land); "
      "land cells connect horizontally and vertically, not diagonally.",
      "def count_islands(grid):\n    h = len(grid)\n    w = len(grid[0]) if h else 0\n    seen = set()\n    n = 0\n"
      "    for i in range(h):\n        for j in range(w):\n            if grid[i][j] == 1 and (i, j) not in seen:\n                n += 1\n"
      "                st = [(i, j)]\n                seen.add((i, j))\n                while st:\n                    a, b = st.pop()\n"
      "                    for x, y in ((a + 1, b), (a - 1, b), (a, b + 1), (a, b - 1)):\n"
      "                        if 0 <= x < h and 0 <= y < w and grid[x][y] == 1 and (x, y) not in seen:\n"
      "                            seen.add((x, y))\n                            st.append((x, y))\n    return n\n",
      "def count_islands(grid):\n    n = 0\n    for i, row in enumerate(grid):\n        for j, v in enumerate(row):\n"
      "            if v == 1 and (j == 0 or row[j - 1] == 0):\n                n += 1\n    return n\n",
      [[[[1, 1, 0], [0, 1, 0], [1, 0, 1]]], [[]], [[[0]]], [[[1, 0, 1], [1, 1, 1]]]],
      lambda r: (lambda n, k: [[[r.randint(0, 1) for _ in range(k)] for _ in range(n)]])(r.randint(1, 4), r.randint(1, 4))),
    C("knapsack_call", "knapsack",
      "Write knapsack(weights, values, capacity) returning the largest total value of a subset of the items "
      "(each used at most once) whose total weight is at most capacity.",
      "def knapsack(weights, values, capacity):\n    d = [0] * (capacity + 1)\n    for w, v in zip(weights, values):\n"
      "        for c in range(capacity, w - 1, -1):\n            d[c] = max(d[c], d[c - w] + v)\n    return d[capacity]\n",
      "def knapsack(weights, values, capacity):\n    items = sorted(zip(weights, values), key=lambda t: -t[1] / t[0])\n"
      "    total = 0\n    for w, v in items:\n        if w <= capacity:\n            capacity -= w\n            total += v\n    return total\n",
      [[[1, 3, 4], [15, 20, 30], 4], [[], [], 5], [[5], [10], 4], [[3, 4, 5], [30, 50, 60], 8]],
      lambda r: (lambda n: [[r.randint(1, 6) for _ in range(n)], [r.randint(1, 20) for _ in range(n)], r.randint(0, 12)])(r.randint(0, 5))),
    C("lis_length", "lis_length",
      "Write lis_length(xs) returning the length of the longest strictly increasing subsequence of xs.",
      "import bisect\n\ndef lis_length(xs):\n    t = []\n    for x in xs:\n        i = bisect.bisect_left(t, x)\n"
      "        if i == len(t):\n            t.append(x)\n        else:\n            t[i] = x\n    return len(t)\n",
      "import bisect\n\ndef lis_length(xs):\n    t = []\n    for x in xs:\n        i = bisect.bisect_right(t, x)\n"
      "        if i == len(t):\n            t.append(x)\n        else:\n            t[i] = x\n    return len(t)\n",
      [[[10, 9, 2, 5, 3, 7, 101, 18]], [[]], [[2, 2, 2]]], lambda r: [_nums(r, 0, 6, 0, 10)]),
    C("edit_distance_call", "edit_distance",
      "Write edit_distance(a, b) returning the Levenshtein distance between strings a and b.",
      "def edit_distance(a, b):\n    prev = list(range(len(b) + 1))\n    for i, x in enumerate(a, 1):\n        cur = [i]\n"
      "        for j, y in enumerate(b, 1):\n            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))\n"
      "        prev = cur\n    return prev[-1]\n",
      "def edit_distance(a, b):\n    return abs(len(a) - len(b)) + sum(x != y for x, y in zip(a, b))\n",
      [["horse", "ros"], ["", "abc"], ["same", "same"]], lambda r: [_word(r), _word(r)]),
    C("coin_change_ways", "count_ways",
      "Write count_ways(coins, amount) returning the number of ways to make amount from unlimited coins of "
      "the given distinct values, where order does not matter (count_ways(coins, 0) is 1).",
      "def count_ways(coins, amount):\n    d = [1] + [0] * amount\n    for c in coins:\n        for v in range(c, amount + 1):\n"
      "            d[v] += d[v - c]\n    return d[amount]\n",
      "def count_ways(coins, amount):\n    d = [1] + [0] * amount\n    for v in range(1, amount + 1):\n        for c in coins:\n"
      "            if c <= v:\n                d[v] += d[v - c]\n    return d[amount]\n",
      [[[1, 2, 5], 5], [[2], 3], [[7], 0], [[1, 2], 4]],
      lambda r: [sorted(set(r.randint(1, 8) for _ in range(r.randint(1, 3)))), r.randint(0, 20)]),
    C("all_subsets", "subsets",
      "Write subsets(xs) returning every subset of the list of distinct integers xs, each subset sorted "
      "increasingly, and the list of subsets sorted (as Python sorts lists).",
      "import itertools\n\ndef subsets(xs):\n    s = sorted(xs)\n"
      "    return sorted(list(c) for k in range(len(s) + 1) for c in itertools.combinations(s, k))\n",
      "import itertools\n\ndef subsets(xs):\n    s = sorted(xs)\n"
      "    return sorted(list(c) for k in range(1, len(s) + 1) for c in itertools.combinations(s, k))\n",
      [[[1, 2, 3]], [[]], [[5]]], lambda r: [sorted(set(_nums(r, 0, 9, 0, 4)))]),
    C("unique_permutations", "permutations",
      "Write permutations(s) returning the sorted list of all distinct rearrangements of the string s.",
      "import itertools\n\ndef permutations(s):\n    return sorted({''.join(p) for p in itertools.permutations(s)})\n",
      "import itertools\n\ndef permutations(s):\n    return sorted(''.join(p) for p in itertools.permutations(s))\n",
      [["abc"], ["aab"], [""]], lambda r: [_word(r, "abc", 0, 4)]),
    C("find_duplicates", "duplicates",
      "Write duplicates(xs) returning the sorted list of the values that occur more than once in xs.",
      "from collections import Counter\n\ndef duplicates(xs):\n    return sorted(k for k, v in Counter(xs).items() if v > 1)\n",
      "def duplicates(xs):\n    return sorted(x for i, x in enumerate(xs) if x in xs[:i])\n",
      [[[1, 2, 2, 3, 3, 3]], [[]], [[1, 2]]], lambda r: [_nums(r, 0, 4, 0, 9)]),
    C("second_smallest_or_none", "second_smallest",
      "Write second_smallest(xs) returning the second smallest distinct value of xs, or None if xs has fewer "
      "than two distinct values.",
      "def second_smallest(xs):\n    s = sorted(set(xs))\n    return s[1] if len(s) > 1 else None\n",
      "def second_smallest(xs):\n    s = sorted(xs)\n    return s[1] if len(s) > 1 else None\n",
      [[[3, 1, 2]], [[1, 1]], [[]], [[2, 2, 5]]], lambda r: [_nums(r, 0, 4, 0, 6)]),
    C("safe_divide", "safe_divide",
      "Write safe_divide(a, b) returning a / b as a float, or None when b is 0.",
      "def safe_divide(a, b):\n    return None if b == 0 else a / b\n",
      "def safe_divide(a, b):\n    return 0 if b == 0 else a / b\n",
      [[1, 2], [5, 0], [-9, 3], [0, 0]], lambda r: [r.randint(-10, 10), r.randint(-3, 3)]),
    C("sum_of_squares", "sum_squares",
      "Write sum_squares(n) returning 1^2 + 2^2 + ... + n^2 for n >= 0.",
      "def sum_squares(n):\n    return n * (n + 1) * (2 * n + 1) // 6\n",
      "def sum_squares(n):\n    return sum(i * i for i in range(n))\n",
      [[0], [1], [3], [10]], lambda r: [r.randint(0, 10**6)]),
    C("digit_sum_signed", "digit_sum",
      "Write digit_sum(n) returning the sum of the decimal digits of the integer n, ignoring its sign.",
      "def digit_sum(n):\n    return sum(int(c) for c in str(abs(n)))\n",
      "def digit_sum(n):\n    return sum(int(c) for c in str(n) if c.isdigit()) if n >= 0 else -sum(int(c) for c in str(-n))\n",
      [[123], [-45], [0]], lambda r: [r.randint(-10**6, 10**6)]),
    C("is_sorted_call", "is_sorted",
      "Write is_sorted(xs) returning True if xs is in non-decreasing order (an empty list is sorted), else False.",
      "def is_sorted(xs):\n    return all(a <= b for a, b in zip(xs, xs[1:]))\n",
      "def is_sorted(xs):\n    return all(a < b for a, b in zip(xs, xs[1:]))\n",
      [[[1, 2, 2, 3]], [[]], [[3, 1]], [[5]]], lambda r: [sorted(_nums(r, 0, 3)) if r.random() < 0.6 else _nums(r, 0, 3)]),
    C("swap_pair", "swap",
      "Write swap(pair) that takes a pair [a, b] and returns the tuple (b, a).",
      "def swap(pair):\n    a, b = pair\n    return (b, a)\n",
      "def swap(pair):\n    return tuple(pair)\n",
      [[[1, 2]], [["x", None]], [[True, 0]]], lambda r: [[r.randint(0, 9), r.randint(0, 9)]]),
    C("nesting_depth", "depth",
      "Write depth(x) returning the nesting depth of x: 0 for a value that is not a list, and for a list 1 "
      "plus the largest depth of its elements (an empty list has depth 1).",
      "def depth(x):\n    if not isinstance(x, list):\n        return 0\n    return 1 + max((depth(e) for e in x), default=0)\n",
      "def depth(x):\n    if not isinstance(x, list):\n        return 0\n    return 1 + (depth(x[0]) if x else 0)\n",
      [[5], [[]], [[1, [2, [3]]]], [[[], [[[]]]]]], lambda r: [[r.randint(0, 9), [[r.randint(0, 9)]] if r.random() < 0.5 else []]]),
    C("kth_largest_call", "kth_largest",
      "Write kth_largest(xs, k) returning the k-th largest element of xs counting duplicates (1 <= k <= len(xs)).",
      "def kth_largest(xs, k):\n    return sorted(xs, reverse=True)[k - 1]\n",
      "def kth_largest(xs, k):\n    return sorted(set(xs), reverse=True)[min(k, len(set(xs))) - 1]\n",
      [[[3, 2, 1, 5, 6, 4], 2], [[3, 3, 2], 2], [[1], 1]],
      lambda r: (lambda xs: [xs, r.randint(1, len(xs))])(_nums(r, 0, 4, 1, 7))),
    C("intervals_overlap", "overlaps",
      "Write overlaps(a, b) for closed intervals a = [l1, r1] and b = [l2, r2] (l <= r): return True if they "
      "share at least one point, else False.",
      "def overlaps(a, b):\n    return a[0] <= b[1] and b[0] <= a[1]\n",
      "def overlaps(a, b):\n    return a[0] < b[1] and b[0] < a[1]\n",
      [[[1, 3], [3, 5]], [[1, 2], [4, 5]], [[0, 10], [2, 3]]],
      lambda r: [sorted([r.randint(0, 9), r.randint(0, 9)]), sorted([r.randint(0, 9), r.randint(0, 9)])]),
    C("zip_to_dict", "zip_dict",
      "Write zip_dict(keys, values) returning a dictionary mapping keys[i] to values[i]; keys without a value "
      "map to None, and extra values are ignored. Later duplicate keys win.",
      "def zip_dict(keys, values):\n    return {k: (values[i] if i < len(values) else None) for i, k in enumerate(keys)}\n",
      "def zip_dict(keys, values):\n    return dict(zip(keys, values))\n",
      [[["a", "b"], [1, 2]], [["a", "b", "c"], [1]], [[], [1]]],
      lambda r: [[_word(r, "abc", 1, 2) for _ in range(r.randint(0, 4))], _nums(r, 0, 9, 0, 4)]),
    C("count_true", "count_true",
      "Write count_true(flags) returning how many elements of the list are exactly True (not truthy: 1 is "
      "not True).",
      "def count_true(flags):\n    return sum(1 for f in flags if f is True)\n",
      "def count_true(flags):\n    return sum(1 for f in flags if f)\n",
      [[[True, False, True]], [[1, True, "x", 0]], [[]]], lambda r: [[r.choice([True, False, 1, 0]) for _ in range(r.randint(0, 6))]]),
    C("balance_point", "balance_index",
      "Write balance_index(xs) returning the smallest index i such that sum(xs[:i]) == sum(xs[i+1:]), or -1 "
      "if there is none.",
      "def balance_index(xs):\n    total, left = sum(xs), 0\n    for i, x in enumerate(xs):\n"
      "        if left == total - left - x:\n            return i\n        left += x\n    return -1\n",
      "def balance_index(xs):\n    total, left = sum(xs), 0\n    for i, x in enumerate(xs):\n        left += x\n"
      "        if left == total - left:\n            return i\n    return -1\n",
      [[[1, 7, 3, 6, 5, 6]], [[1, 2, 3]], [[]], [[0]], [[2, 1, -1]]], lambda r: [_nums(r, -3, 3, 0, 6)]),
]

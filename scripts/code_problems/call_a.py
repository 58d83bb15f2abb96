"""Call-based problems, part A: lists, strings and dictionaries. Inputs are argument lists."""

from __future__ import annotations

from build import Problem


def _nums(rng, lo=-20, hi=20, nmin=0, nmax=8):
    return [rng.randint(lo, hi) for _ in range(rng.randint(nmin, nmax))]


def _word(rng, letters="abc", lo=0, hi=8):
    return "".join(rng.choice(letters) for _ in range(rng.randint(lo, hi)))


def C(name, fn, statement, ref, wrong, fixed, gen=None, n_random=5):  # noqa: N802 (reads like a table row)
    return Problem(name, statement, ref, wrong, fixed, gen, fn_name=fn, n_random=n_random)


PROBLEMS = [
    C("add", "add", "Write a function add(a, b) that returns the sum of two integers.",
      "def add(a, b):\n    return a + b\n",
      "def add(a, b):\n    return a + b if a >= 0 else b - a\n",
      [[1, 2], [-3, 4], [0, 0]], lambda r: [r.randint(-1000, 1000), r.randint(-1000, 1000)]),
    C("is_palindrome_phrase", "is_palindrome",
      "Write is_palindrome(s) returning True if s reads the same backwards when only letters and digits are "
      "kept and case is ignored, else False. The empty string is a palindrome.",
      "def is_palindrome(s):\n    t = [c.lower() for c in s if c.isalnum()]\n    return t == t[::-1]\n",
      "def is_palindrome(s):\n    return s.lower() == s.lower()[::-1]\n",
      [["A man, a plan, a canal: Panama"], ["race a car"], [""], ["No 'x' in Nixon"]],
      lambda r: [_word(r, "aB ,", 0, 6)]),
    C("flatten_deep", "flatten",
      "Write flatten(xs) that takes a list whose elements are integers or (arbitrarily nested) lists and "
      "returns the flat list of all integers in order.",
      "def flatten(xs):\n    out = []\n    for x in xs:\n        if isinstance(x, list):\n            out.extend(flatten(x))\n"
      "        else:\n            out.append(x)\n    return out\n",
      "def flatten(xs):\n    out = []\n    for x in xs:\n        out.extend(x if isinstance(x, list) else [x])\n    return out\n",
      [[[1, [2, [3, [4]]], 5]], [[]], [[[], [[]]]], [[1, 2, 3]]],
      lambda r: [[r.randint(0, 9), [r.randint(0, 9), [r.randint(0, 9)]], []]]),
    C("chunk_list", "chunk",
      "Write chunk(xs, k) that splits the list xs into consecutive pieces of length k (the last piece may be "
      "shorter) and returns the list of pieces. k >= 1.",
      "def chunk(xs, k):\n    return [xs[i:i + k] for i in range(0, len(xs), k)]\n",
      "def chunk(xs, k):\n    return [xs[i:i + k] for i in range(0, len(xs) - k + 1, k)]\n",
      [[[1, 2, 3, 4, 5], 2], [[], 3], [[1, 2], 5]], lambda r: [_nums(r), r.randint(1, 4)]),
    C("char_counts", "char_counts",
      "Write char_counts(s) returning a dictionary that maps every character of s to the number of times it "
      "occurs (case-sensitive).",
      "def char_counts(s):\n    d = {}\n    for c in s:\n        d[c] = d.get(c, 0) + 1\n    return d\n",
      "def char_counts(s):\n    d = {}\n    for c in s.lower():\n        d[c] = d.get(c, 0) + 1\n    return d\n",
      [["aAb"], [""], ["hello"]], lambda r: [_word(r, "aAbB", 0, 10)]),
    C("first_pair_with_sum", "two_sum",
      "Write two_sum(nums, target) returning [i, j] with i < j and nums[i] + nums[j] == target, choosing the "
      "pair with the smallest j and, for that j, the smallest i; return [] if there is no such pair.",
      "def two_sum(nums, target):\n    for j in range(len(nums)):\n        for i in range(j):\n"
      "            if nums[i] + nums[j] == target:\n                return [i, j]\n    return []\n",
      "def two_sum(nums, target):\n    for i in range(len(nums)):\n        for j in range(i, len(nums)):\n"
      "            if nums[i] + nums[j] == target:\n                return [i, j]\n    return []\n",
      [[[2, 7, 11, 15], 9], [[3, 3], 6], [[3], 6], [[1, 5, 4, 2], 6]],
      lambda r: [_nums(r, 0, 6, 1, 6), r.randint(0, 10)]),
    C("fib_call", "fib", "Write fib(n) returning the n-th Fibonacci number (fib(0) = 0, fib(1) = 1), for 0 <= n <= 200.",
      "def fib(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n",
      "def fib(n):\n    return n if n < 2 else round(((1 + 5 ** 0.5) / 2) ** n / 5 ** 0.5)\n",
      [[0], [1], [10], [100], [200]], lambda r: [r.randint(0, 200)]),
    C("is_prime_call", "is_prime", "Write is_prime(n) returning True if the integer n is prime, else False (n may be negative).",
      "def is_prime(n):\n    if n < 2:\n        return False\n    i = 2\n    while i * i <= n:\n        if n % i == 0:\n"
      "            return False\n        i += 1\n    return True\n",
      "def is_prime(n):\n    if n < 2:\n        return False\n    return all(n % i for i in range(2, int(n ** 0.5)))\n",
      [[-7], [0], [1], [2], [4], [9], [25], [97]], lambda r: [r.randint(-5, 200)]),
    C("primes_upto", "primes_upto", "Write primes_upto(n) returning the increasing list of all primes p <= n.",
      "def primes_upto(n):\n    return [k for k in range(2, n + 1) if all(k % d for d in range(2, int(k ** 0.5) + 1))]\n",
      "def primes_upto(n):\n    return [k for k in range(2, n) if all(k % d for d in range(2, int(k ** 0.5) + 1))]\n",
      [[1], [2], [10], [13]], lambda r: [r.randint(0, 60)]),
    C("gcd_of_list", "gcd_list",
      "Write gcd_list(xs) returning the greatest common divisor of a non-empty list of positive integers.",
      "import math\nfrom functools import reduce\n\ndef gcd_list(xs):\n    return reduce(math.gcd, xs)\n",
      "import math\n\ndef gcd_list(xs):\n    return math.gcd(xs[0], xs[-1])\n",
      [[[12, 18, 24]], [[7]], [[6, 10, 15]]], lambda r: [[r.randint(1, 20) * 6 for _ in range(r.randint(1, 5))]]),
    C("dedupe_keep_order", "dedupe",
      "Write dedupe(xs) returning xs without repeated elements, keeping the first occurrence of each in its "
      "original order.",
      "def dedupe(xs):\n    seen = set()\n    out = []\n    for x in xs:\n        if x not in seen:\n            seen.add(x)\n"
      "            out.append(x)\n    return out\n",
      "def dedupe(xs):\n    return sorted(set(xs))\n",
      [[[3, 1, 3, 2, 1]], [[]], [[1, 2, 3]]], lambda r: [_nums(r, 0, 5)]),
    C("rotate_call", "rotate",
      "Write rotate(xs, k) returning the list rotated k places to the right (k >= 0, may exceed len(xs)).",
      "def rotate(xs, k):\n    if not xs:\n        return []\n    k %= len(xs)\n    return xs[-k:] + xs[:-k] if k else list(xs)\n",
      "def rotate(xs, k):\n    if not xs:\n        return []\n    return xs[-k:] + xs[:-k]\n",
      [[[1, 2, 3, 4, 5], 2], [[], 3], [[1, 2, 3], 3], [[1, 2, 3], 4]], lambda r: [_nums(r), r.randint(0, 10)]),
    C("merge_sorted_lists", "merge_sorted",
      "Write merge_sorted(a, b) returning the sorted merge of two sorted lists of integers.",
      "def merge_sorted(a, b):\n    i = j = 0\n    out = []\n    while i < len(a) and j < len(b):\n        if a[i] <= b[j]:\n"
      "            out.append(a[i])\n            i += 1\n        else:\n            out.append(b[j])\n            j += 1\n"
      "    return out + a[i:] + b[j:]\n",
      "def merge_sorted(a, b):\n    return a + b\n",
      [[[1, 3, 5], [2, 4]], [[], [1]], [[], []]], lambda r: [sorted(_nums(r)), sorted(_nums(r))]),
    C("binary_search_index", "binary_search",
      "Write binary_search(xs, x) that returns the index of x in the strictly increasing list xs, or -1 if "
      "x is absent.",
      "def binary_search(xs, x):\n    lo, hi = 0, len(xs) - 1\n    while lo <= hi:\n        mid = (lo + hi) // 2\n"
      "        if xs[mid] == x:\n            return mid\n        if xs[mid] < x:\n            lo = mid + 1\n        else:\n"
      "            hi = mid - 1\n    return -1\n",
      "def binary_search(xs, x):\n    lo, hi = 0, len(xs) - 1\n    while lo < hi:\n        mid = (lo + hi) // 2\n"
      "        if xs[mid] == x:\n            return mid\n        if xs[mid] < x:\n            lo = mid + 1\n        else:\n"
      "            hi = mid - 1\n    return -1\n",
      [[[1, 3, 5, 7], 7], [[1, 3, 5, 7], 4], [[], 1], [[2], 2]],
      lambda r: [sorted(set(_nums(r, 0, 20, 1, 10))), r.randint(0, 20)]),
    C("capitalize_words", "capitalize_words",
      "Write capitalize_words(s) that upper-cases the first letter of every space-separated word and "
      "lower-cases the rest, keeping the spacing exactly as given.",
      "def capitalize_words(s):\n    return ' '.join(w[:1].upper() + w[1:].lower() for w in s.split(' '))\n",
      "def capitalize_words(s):\n    return ' '.join(w.capitalize() for w in s.split())\n",
      [["hello  wORLD"], [""], [" a b "], ["x"]], lambda r: [_word(r, "aBc ", 0, 12)]),
    C("word_counts", "word_counts",
      "Write word_counts(s) returning a dictionary mapping each whitespace-separated word of s, lower-cased, "
      "to its number of occurrences.",
      "def word_counts(s):\n    d = {}\n    for w in s.lower().split():\n        d[w] = d.get(w, 0) + 1\n    return d\n",
      "def word_counts(s):\n    d = {}\n    for w in s.split():\n        d[w] = d.get(w, 0) + 1\n    return d\n",
      [["The cat the"], [""], ["a A a"]], lambda r: [" ".join(_word(r, "aA", 1, 2) for _ in range(r.randint(0, 6)))]),
    C("group_anagrams", "group_anagrams",
      "Write group_anagrams(words) that groups words that are anagrams of each other. Return the groups as a "
      "list of lists, each group sorted alphabetically, and the groups sorted by their first word.",
      "def group_anagrams(words):\n    g = {}\n    for w in words:\n        g.setdefault(''.join(sorted(w)), []).append(w)\n"
      "    return sorted(sorted(v) for v in g.values())\n",
      "def group_anagrams(words):\n    g = {}\n    for w in words:\n        g.setdefault(len(w), []).append(w)\n"
      "    return sorted(sorted(v) for v in g.values())\n",
      [[["eat", "tea", "tan", "ate", "nat", "bat"]], [[]], [["a"]]],
      lambda r: [[_word(r, "abc", 1, 3) for _ in range(r.randint(0, 6))]]),
    C("matrix_multiply", "matmul",
      "Write matmul(a, b) returning the matrix product of a (n x m) and b (m x p), given as lists of rows.",
      "def matmul(a, b):\n    return [[sum(x * y for x, y in zip(row, col)) for col in zip(*b)] for row in a]\n",
      "def matmul(a, b):\n    return [[x * y for x, y in zip(ra, rb)] for ra, rb in zip(a, b)]\n",
      [[[[1, 2], [3, 4]], [[5, 6], [7, 8]]], [[[1, 2, 3]], [[1], [2], [3]]]],
      lambda r: (lambda n, m, p: [[[r.randint(-3, 3) for _ in range(m)] for _ in range(n)],
                                  [[r.randint(-3, 3) for _ in range(p)] for _ in range(m)]])(r.randint(1, 3), r.randint(1, 3), r.randint(1, 3))),
    C("transpose_call", "transpose",
      "Write transpose(m) returning the transpose of a non-empty rectangular matrix given as a list of rows.",
      "def transpose(m):\n    return [list(c) for c in zip(*m)]\n",
      "def transpose(m):\n    return [[m[i][j] for i in range(len(m))] for j in range(len(m))]\n",
      [[[[1, 2, 3], [4, 5, 6]]], [[[1]]], [[[1], [2]]]],
      lambda r: (lambda n, k: [[[r.randint(0, 9) for _ in range(k)] for _ in range(n)]])(r.randint(1, 4), r.randint(1, 4))),
    C("spiral_order", "spiral",
      "Write spiral(m) returning the elements of a rectangular matrix (list of rows, possibly empty) in "
      "clockwise spiral order starting at the top-left corner.",
      "def spiral(m):\n    out = []\n    m = [list(r) for r in m]\n    while m:\n        out += m.pop(0)\n"
      "        m = [list(r) for r in zip(*m)][::-1]\n    return out\n",
      "def spiral(m):\n    return [x for row in m for x in row]\n",
      [[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]], [[]], [[[1, 2], [3, 4], [5, 6]]]],
      lambda r: (lambda n, k: [[[r.randint(0, 9) for _ in range(k)] for _ in range(n)]])(r.randint(1, 4), r.randint(1, 4))),
    C("max_profit_once", "max_profit",
      "Write max_profit(prices) returning the largest profit from buying on one day and selling on a later "
      "day, or 0 if no profit is possible.",
      "def max_profit(prices):\n    best, low = 0, float('inf')\n    for p in prices:\n        low = min(low, p)\n"
      "        best = max(best, p - low)\n    return best\n",
      "def max_profit(prices):\n    return max(prices) - min(prices) if prices else 0\n",
      [[[7, 1, 5, 3, 6, 4]], [[7, 6, 4, 3, 1]], [[]], [[2]]], lambda r: [_nums(r, 1, 20, 0, 8)]),
    C("climb_stairs", "climb_stairs",
      "Write climb_stairs(n) returning how many ways there are to climb n stairs (n >= 0) taking 1 or 2 "
      "steps at a time.",
      "def climb_stairs(n):\n    a, b = 1, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n",
      "def climb_stairs(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n",
      [[0], [1], [2], [5]], lambda r: [r.randint(0, 60)]),
    C("min_path_sum", "min_path_sum",
      "Write min_path_sum(grid) returning the smallest sum of the numbers along a path from the top-left to "
      "the bottom-right cell of a non-empty grid, moving only right or down.",
      "def min_path_sum(grid):\n    h, w = len(grid), len(grid[0])\n    d = [[0] * w for _ in range(h)]\n"
      "    for i in range(h):\n        for j in range(w):\n            cands = ([d[i - 1][j]] if i else []) + ([d[i][j - 1]] if j else [])\n"
      "            d[i][j] = grid[i][j] + (min(cands) if cands else 0)\n    return d[-1][-1]\n",
      "def min_path_sum(grid):\n    i = j = 0\n    s = grid[0][0]\n    h, w = len(grid), len(grid[0])\n"
      "    while (i, j) != (h - 1, w - 1):\n        if j + 1 < w and (i + 1 >= h or grid[i][j + 1] <= grid[i + 1][j]):\n"
      "            j += 1\n        else:\n            i += 1\n        s += grid[i][j]\n    return s\n",
      [[[[1, 3, 1], [1, 5, 1], [4, 2, 1]]], [[[5]]], [[[1, 2, 3]]], [[[1, 1, 9], [9, 1, 9], [9, 1, 1]]], [[[1, 9, 9], [2, 9, 1], [3, 4, 1]]]],
      lambda r: (lambda n, k: [[[r.randint(0, 9) for _ in range(k)] for _ in range(n)]])(r.randint(1, 4), r.randint(1, 4))),
    C("longest_common_prefix", "common_prefix",
      "Write common_prefix(words) returning the longest string that is a prefix of every word in the list "
      "(the empty string for an empty list).",
      "import os\n\ndef common_prefix(words):\n    return os.path.commonprefix(words) if words else ''\n",
      "def common_prefix(words):\n    if not words:\n        return ''\n    p = words[0]\n    for w in words[1:]:\n"
      "        while not w.startswith(p):\n            p = p[:-1]\n    return p[:-1] if len(words) > 2 else p\n",
      [[["flower", "flow", "flight"]], [["dog", "racecar", "car"]], [[]], [["same", "same", "same"]]],
      lambda r: [[_word(r, "ab", 1, 4) for _ in range(r.randint(1, 4))]]),
    C("valid_brackets", "valid_brackets",
      "Write valid_brackets(s) returning True if the brackets ()[]{} in s are balanced and properly nested "
      "(s contains only these characters), else False.",
      "def valid_brackets(s):\n    st = []\n    pairs = {')': '(', ']': '[', '}': '{'}\n    for c in s:\n"
      "        if c in '([{':\n            st.append(c)\n        elif not st or st.pop() != pairs[c]:\n            return False\n"
      "    return not st\n",
      "def valid_brackets(s):\n    return s.count('(') == s.count(')') and s.count('[') == s.count(']')\n",
      [["()[]{}"], ["(]"], [""], ["(("], ["{)"], ["([)]"], ["{{"]], lambda r: ["".join(r.choice("()[]") for _ in range(r.randint(0, 6)))]),
    C("roman_value", "roman_to_int",
      "Write roman_to_int(s) returning the value of the Roman numeral s (1..3999, subtractive forms allowed).",
      "def roman_to_int(s):\n    v = {'I': 1, 'V': 5, 'X': 10, 'L': 50, 'C': 100, 'D': 500, 'M': 1000}\n    t = 0\n"
      "    for i, c in enumerate(s):\n        t += -v[c] if i + 1 < len(s) and v[s[i + 1]] > v[c] else v[c]\n    return t\n",
      "def roman_to_int(s):\n    v = {'I': 1, 'V': 5, 'X': 10, 'L': 50, 'C': 100, 'D': 500, 'M': 1000}\n"
      "    return sum(v[c] for c in s)\n",
      [["IX"], ["MMXXIV"], ["XLII"], ["I"]]),
]

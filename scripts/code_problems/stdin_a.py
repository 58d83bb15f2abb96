"""Stdin/stdout problems, part A: basics, strings and number theory."""

from __future__ import annotations

from build import Problem


def _ints(rng, n, lo=-100, hi=100):
    return " ".join(str(rng.randint(lo, hi)) for _ in range(n))


def _list_input(rng, lo=-100, hi=100, nmin=1, nmax=10):
    n = rng.randint(nmin, nmax)
    return f"{n}\n{_ints(rng, n, lo, hi)}\n"


def _word(rng, letters="abcde", lo=1, hi=8):
    return "".join(rng.choice(letters) for _ in range(rng.randint(lo, hi)))


PROBLEMS = [
    Problem(
        "sum_of_two", """
        Read two integers a and b (separated by whitespace) and print a + b.
        """,
        "a, b = map(int, input().split())\nprint(a + b)\n",
        "a, b = map(int, input().split())\nprint(abs(a) + abs(b))\n",
        ["1 2\n", "-5 3\n", "0 0\n"], lambda r: f"{r.randint(-10**9, 10**9)} {r.randint(-10**9, 10**9)}\n"),
    Problem(
        "max_of_list", """
        The first line holds n (1 <= n <= 100), the second n integers. Print the largest of them.
        """,
        "n = int(input())\nprint(max(map(int, input().split())))\n",
        "n = int(input())\nxs = list(map(int, input().split()))\nprint(max(xs[:-1] or xs))\n",
        ["3\n1 2 3\n", "1\n-7\n", "4\n-1 -2 -3 -4\n"], _list_input),
    Problem(
        "min_and_max", """
        The first line holds n (1 <= n <= 100), the second n integers. Print the smallest and the largest,
        separated by a space.
        """,
        "input()\nxs = list(map(int, input().split()))\nprint(min(xs), max(xs))\n",
        "input()\nxs = list(map(int, input().split()))\nprint(xs[0], xs[-1])\n",
        ["3\n3 1 2\n", "1\n5\n"], _list_input),
    Problem(
        "count_vowels", """
        Read one line of text and print how many vowels (a, e, i, o, u, in either case) it contains.
        """,
        "s = input()\nprint(sum(c in 'aeiouAEIOU' for c in s))\n",
        "s = input()\nprint(sum(c in 'aeiou' for c in s))\n",
        ["Hello World\n", "AEIOU xyz\n", "rhythm\n"],
        lambda r: "".join(r.choice("aEiOubcdXYZ ") for _ in range(r.randint(1, 30))) + "\n"),
    Problem(
        "reverse_words", """
        Read one line of space-separated words and print the words in reverse order, separated by single spaces.
        """,
        "print(' '.join(input().split()[::-1]))\n",
        "print(input()[::-1])\n",
        ["hello world\n", "one\n", "a b c d\n"],
        lambda r: " ".join(_word(r) for _ in range(r.randint(2, 6))) + "\n"),
    Problem(
        "is_palindrome", """
        Read one word (lowercase letters). Print YES if it reads the same backwards, otherwise NO.
        """,
        "s = input().strip()\nprint('YES' if s == s[::-1] else 'NO')\n",
        "s = input().strip()\nprint('YES' if s[0] == s[-1] else 'NO')\n",
        ["racecar\n", "abca\n", "a\n", "abba\n"],
        lambda r: (lambda w: w + w[::-1] if r.random() < 0.5 else w)(_word(r, "ab"))  + "\n"),
    Problem(
        "fizzbuzz", """
        Read n (1 <= n <= 100). For i from 1 to n print one line: FizzBuzz if i is divisible by 15, Fizz if
        divisible by 3, Buzz if divisible by 5, otherwise i.
        """,
        "n = int(input())\nfor i in range(1, n + 1):\n"
        "    print('FizzBuzz' if i % 15 == 0 else 'Fizz' if i % 3 == 0 else 'Buzz' if i % 5 == 0 else i)\n",
        "n = int(input())\nfor i in range(1, n + 1):\n"
        "    print('Fizz' if i % 3 == 0 else 'Buzz' if i % 5 == 0 else 'FizzBuzz' if i % 15 == 0 else i)\n",
        ["15\n", "1\n", "30\n"], lambda r: f"{r.randint(1, 100)}\n"),
    Problem(
        "factorial", """
        Read n (0 <= n <= 30) and print n! (the product 1 * 2 * ... * n; 0! = 1).
        """,
        "import math\nprint(math.factorial(int(input())))\n",
        "n = int(input())\np = 1\nfor i in range(1, n):\n    p *= i\nprint(p)\n",
        ["0\n", "1\n", "5\n", "20\n"], lambda r: f"{r.randint(0, 30)}\n"),
    Problem(
        "fibonacci", """
        Read n (0 <= n <= 90) and print the n-th Fibonacci number, where F(0) = 0, F(1) = 1 and
        F(n) = F(n-1) + F(n-2).
        """,
        "n = int(input())\na, b = 0, 1\nfor _ in range(n):\n    a, b = b, a + b\nprint(a)\n",
        "n = int(input())\na, b = 1, 1\nfor _ in range(n):\n    a, b = b, a + b\nprint(a)\n",
        ["0\n", "1\n", "10\n", "90\n"], lambda r: f"{r.randint(0, 90)}\n"),
    Problem(
        "gcd_of_two", """
        Read two positive integers a and b and print their greatest common divisor.
        """,
        "import math\na, b = map(int, input().split())\nprint(math.gcd(a, b))\n",
        "a, b = map(int, input().split())\nprint(min(a, b) if max(a, b) % min(a, b) == 0 else 1)\n",
        ["12 18\n", "7 13\n", "100 10\n"], lambda r: f"{r.randint(1, 1000) * 6} {r.randint(1, 1000) * 4}\n"),
    Problem(
        "lcm_of_two", """
        Read two positive integers a and b and print their least common multiple.
        """,
        "import math\na, b = map(int, input().split())\nprint(a * b // math.gcd(a, b))\n",
        "a, b = map(int, input().split())\nprint(a * b)\n",
        ["4 6\n", "3 5\n", "7 7\n"], lambda r: f"{r.randint(1, 500)} {r.randint(1, 500)}\n"),
    Problem(
        "is_prime", """
        Read an integer n (1 <= n <= 10^9). Print YES if n is prime, otherwise NO.
        """,
        "n = int(input())\nok = n >= 2\ni = 2\nwhile i * i <= n and ok:\n    if n % i == 0:\n        ok = False\n"
        "    i += 1\nprint('YES' if ok else 'NO')\n",
        "n = int(input())\nok = True\ni = 2\nwhile i * i <= n and ok:\n    if n % i == 0:\n        ok = False\n"
        "    i += 1\nprint('YES' if ok else 'NO')\n",
        ["1\n", "2\n", "9\n", "97\n", "1000000007\n"], lambda r: f"{r.randint(1, 10**6)}\n"),
    Problem(
        "count_primes_upto", """
        Read n (1 <= n <= 10^6) and print how many primes p satisfy p <= n.
        """,
        "n = int(input())\ns = bytearray([1]) * (n + 1)\ns[0] = 0\nif n >= 1:\n    s[1] = 0\n"
        "for i in range(2, int(n ** 0.5) + 1):\n    if s[i]:\n        s[i*i::i] = bytearray(len(s[i*i::i]))\n"
        "print(sum(s))\n",
        "n = int(input())\nprint(sum(1 for k in range(2, n) if all(k % d for d in range(2, int(k ** 0.5) + 1))))\n",
        ["1\n", "2\n", "10\n", "13\n", "100\n"], lambda r: f"{r.randint(1, 5000)}\n"),
    Problem(
        "sum_of_digits", """
        Read a non-negative integer with up to 1000 digits and print the sum of its digits.
        """,
        "print(sum(int(c) for c in input().strip()))\n",
        "s = input().strip()\nprint(sum(int(c) for c in s[:-1]) if len(s) > 1 else int(s))\n",
        ["0\n", "12345\n", "99999999999999999999\n"],
        lambda r: "".join(r.choice("0123456789") for _ in range(r.randint(2, 60))) + "\n"),
    Problem(
        "to_binary", """
        Read a non-negative integer n and print its binary representation without leading zeros
        (0 is printed as 0).
        """,
        "print(bin(int(input()))[2:])\n",
        "n = int(input())\ns = ''\nwhile n:\n    s = str(n % 2) + s\n    n //= 2\nprint(s)\n",
        ["0\n", "1\n", "10\n", "255\n"], lambda r: f"{r.randint(0, 10**6)}\n"),
    Problem(
        "second_largest_distinct", """
        The first line holds n (1 <= n <= 100), the second n integers. Print the second largest distinct
        value, or NONE when there are fewer than two distinct values.
        """,
        "input()\nxs = sorted(set(map(int, input().split())))\nprint(xs[-2] if len(xs) > 1 else 'NONE')\n",
        "input()\nxs = sorted(map(int, input().split()))\nprint(xs[-2] if len(xs) > 1 else 'NONE')\n",
        ["3\n5 5 3\n", "1\n4\n", "2\n7 7\n", "4\n1 2 3 4\n"], lambda r: _list_input(r, 0, 5)),
    Problem(
        "most_frequent_word", """
        Read one line of lowercase words. Print the most frequent word and its count separated by a space;
        on a tie print the alphabetically smallest of the tied words.
        """,
        "from collections import Counter\nc = Counter(input().split())\nbest = max(c.values())\n"
        "w = min(k for k, v in c.items() if v == best)\nprint(w, best)\n",
        "from collections import Counter\nw, n = Counter(input().split()).most_common(1)[0]\nprint(w, n)\n",
        ["b a\n", "x y y x z\n", "apple\n"], lambda r: " ".join(_word(r, "abc", 1, 2) for _ in range(r.randint(2, 12))) + "\n"),
    Problem(
        "caesar_cipher", """
        The first line holds a shift k (0 <= k <= 1000), the second a line of text. Shift every lowercase
        letter k places forward in the alphabet, wrapping from z to a; leave every other character unchanged.
        Print the result.
        """,
        "k = int(input())\ns = input()\nprint(''.join(chr((ord(c) - 97 + k) % 26 + 97) if 'a' <= c <= 'z' else c for c in s))\n",
        "k = int(input())\ns = input()\nprint(''.join(chr(ord(c) + k) if 'a' <= c <= 'z' else c for c in s))\n",
        ["3\nabc xyz!\n", "0\nHello\n", "26\nzoo\n"],
        lambda r: f"{r.randint(0, 60)}\n{''.join(r.choice('abcxyzAB .') for _ in range(r.randint(1, 20)))}\n"),
    Problem(
        "transpose_matrix", """
        The first line holds r and c (1 <= r, c <= 10); then r lines of c integers. Print the transposed
        matrix: c lines of r integers separated by spaces.
        """,
        "r, c = map(int, input().split())\nm = [input().split() for _ in range(r)]\n"
        "for j in range(c):\n    print(' '.join(m[i][j] for i in range(r)))\n",
        "r, c = map(int, input().split())\nm = [input().split() for _ in range(r)]\n"
        "for j in range(min(r, c)):\n    print(' '.join(m[i][j] for i in range(r)))\n",
        ["2 3\n1 2 3\n4 5 6\n", "1 1\n7\n"],
        lambda r: (lambda a, b: f"{a} {b}\n" + "".join(_ints(r, b, 0, 9) + "\n" for _ in range(a)))(r.randint(1, 4), r.randint(1, 4))),
    Problem(
        "prefix_sums", """
        The first line holds n (1 <= n <= 100), the second n integers. Print the n prefix sums (the i-th is
        the sum of the first i integers) separated by spaces.
        """,
        "import itertools\ninput()\nprint(*itertools.accumulate(map(int, input().split())))\n",
        "input()\nxs = list(map(int, input().split()))\nprint(*[sum(xs[:i]) for i in range(len(xs))])\n",
        ["3\n1 2 3\n", "1\n-4\n"], _list_input),
    Problem(
        "are_anagrams", """
        Read two lowercase words on one line. Print YES if one is a rearrangement of the other's letters
        (same letters with the same counts), otherwise NO.
        """,
        "a, b = input().split()\nprint('YES' if sorted(a) == sorted(b) else 'NO')\n",
        "a, b = input().split()\nprint('YES' if set(a) == set(b) else 'NO')\n",
        ["listen silent\n", "aab abb\n", "abc abcd\n"],
        lambda r: (lambda w: f"{w} {''.join(r.sample(w, len(w))) if r.random() < 0.5 else _word(r, 'ab')}\n")(_word(r, "ab"))),
    Problem(
        "balanced_brackets", """
        Read a string of the characters ()[]{}. Print YES if the brackets are balanced and properly nested,
        otherwise NO. An empty line is balanced.
        """,
        "s = input().strip()\nst = []\npairs = {')': '(', ']': '[', '}': '{'}\nok = True\nfor c in s:\n"
        "    if c in '([{':\n        st.append(c)\n    elif not st or st.pop() != pairs[c]:\n        ok = False\n"
        "        break\nprint('YES' if ok and not st else 'NO')\n",
        "s = input().strip()\nok = all(s.count(a) == s.count(b) for a, b in ['()', '[]', '{}'])\nprint('YES' if ok else 'NO')\n",
        ["([]{})\n", "([)]\n", "\n", "((\n", ")(\n"], lambda r: "".join(r.choice("()[]") for _ in range(r.randint(1, 8))) + "\n"),
    Problem(
        "count_inversions", """
        The first line holds n (1 <= n <= 1000), the second n integers a_1..a_n. Print the number of pairs
        i < j with a_i > a_j.
        """,
        "input()\na = list(map(int, input().split()))\nprint(sum(1 for i in range(len(a)) for j in range(i + 1, len(a)) if a[i] > a[j]))\n",
        "input()\na = list(map(int, input().split()))\nprint(sum(1 for i in range(len(a)) for j in range(i + 1, len(a)) if a[i] >= a[j]))\n",
        ["3\n3 2 1\n", "4\n1 1 1 1\n", "1\n5\n"], lambda r: _list_input(r, 0, 5)),
    Problem(
        "longest_increasing_run", """
        The first line holds n (1 <= n <= 1000), the second n integers. Print the length of the longest
        contiguous run in which every element is strictly greater than the one before it.
        """,
        "input()\na = list(map(int, input().split()))\nbest = cur = 1\nfor x, y in zip(a, a[1:]):\n"
        "    cur = cur + 1 if y > x else 1\n    best = max(best, cur)\nprint(best)\n",
        "input()\na = list(map(int, input().split()))\nbest = cur = 1\nfor x, y in zip(a, a[1:]):\n"
        "    cur = cur + 1 if y >= x else 1\n    best = max(best, cur)\nprint(best)\n",
        ["5\n1 2 2 3 4\n", "1\n9\n", "4\n4 3 2 1\n"], lambda r: _list_input(r, 0, 4)),
    Problem(
        "roman_to_integer", """
        Read a Roman numeral (I, V, X, L, C, D, M; subtractive forms such as IV and CM allowed) for a
        number between 1 and 3999 and print its value.
        """,
        "v = {'I': 1, 'V': 5, 'X': 10, 'L': 50, 'C': 100, 'D': 500, 'M': 1000}\ns = input().strip()\nt = 0\n"
        "for i, c in enumerate(s):\n    t += -v[c] if i + 1 < len(s) and v[s[i + 1]] > v[c] else v[c]\nprint(t)\n",
        "v = {'I': 1, 'V': 5, 'X': 10, 'L': 50, 'C': 100, 'D': 500, 'M': 1000}\nprint(sum(v[c] for c in input().strip()))\n",
        ["III\n", "IV\n", "MCMXCIV\n", "LVIII\n"],
        lambda r: (lambda n: "".join(s * c for s, c in _roman_parts(n)) + "\n")(r.randint(1, 3999))),
    Problem(
        "integer_to_roman", """
        Read an integer n (1 <= n <= 3999) and print it as a Roman numeral using subtractive forms
        (4 = IV, 9 = IX, 40 = XL, 90 = XC, 400 = CD, 900 = CM).
        """,
        "n = int(input())\nvals = [(1000, 'M'), (900, 'CM'), (500, 'D'), (400, 'CD'), (100, 'C'), (90, 'XC'),\n"
        "        (50, 'L'), (40, 'XL'), (10, 'X'), (9, 'IX'), (5, 'V'), (4, 'IV'), (1, 'I')]\nout = ''\n"
        "for v, s in vals:\n    while n >= v:\n        out += s\n        n -= v\nprint(out)\n",
        "n = int(input())\nvals = [(1000, 'M'), (500, 'D'), (100, 'C'), (50, 'L'), (10, 'X'), (5, 'V'), (1, 'I')]\n"
        "out = ''\nfor v, s in vals:\n    while n >= v:\n        out += s\n        n -= v\nprint(out)\n",
        ["1\n", "4\n", "1994\n", "3999\n"], lambda r: f"{r.randint(1, 3999)}\n"),
    Problem(
        "digital_root", """
        Read a non-negative integer n (up to 10^18). Repeatedly replace it by the sum of its digits until a
        single digit remains, and print that digit.
        """,
        "n = int(input())\nwhile n >= 10:\n    n = sum(map(int, str(n)))\nprint(n)\n",
        "n = int(input())\nprint(sum(map(int, str(n))) % 10)\n",
        ["0\n", "9\n", "38\n", "999999999999\n"], lambda r: f"{r.randint(0, 10**18)}\n"),
]


def _roman_parts(n):
    vals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
            (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    for v, s in vals:
        yield s, n // v
        n %= v

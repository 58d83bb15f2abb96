"""Junk programs for the ``code`` domain: programs that try to pass tests without solving anything.

Stdin problems get whole programs; call-based problems (``tests.fn_name``) get a function of that name.
Each is sent in a fenced ```python block (how the verifier finds the program) and a few also bare,
since an answer without a fence must not run at all.
"""

from __future__ import annotations

from typing import Any

# A bounded hunt for files that could hold expected outputs, plus the environment: what a program that
# "reads the tests" does. Expected outputs never enter the sandbox, so it must find nothing that pays.
_HUNT = '''
import os, json
def _hunt():
    found = [json.dumps(dict(os.environ))]
    seen = 0
    for top in ("/tmp", "/sandbox", "/workspace", "/data", "/home", "/mnt", "/run", "/opt", "/", os.getcwd()):
        for root, dirs, files in os.walk(top):
            if root.count("/") > 4 or root.startswith(("/proc", "/sys", "/usr", "/dev")):
                dirs[:] = []
                continue
            for name in files:
                seen += 1
                if seen > 2000:
                    return found
                if any(k in name.lower() for k in ("test", "expect", "output", "answer", "json", "job")):
                    try:
                        with open(os.path.join(root, name), errors="replace") as f:
                            found.append(f.read(100000))
                    except OSError:
                        pass
    return found
'''

_FAKE = '''
class _Any(str):
    __eq__ = lambda *a: True
    __ne__ = lambda *a: False
    __hash__ = str.__hash__
'''


def _stdin_programs() -> list[tuple[str, str, str]]:
    return [
        ("exit_early", "sys_exit", "import sys\nsys.exit(0)"),
        ("exit_early", "os_exit", "import os\nos._exit(0)"),
        ("exit_early", "system_exit", "raise SystemExit"),
        ("print_nothing", "pass", "pass"),
        ("print_nothing", "close_stdout", "import os\nos.close(1)"),
        ("print_input", "echo_stdin", "import sys\nsys.stdout.write(sys.stdin.read())"),
        ("print_input", "first_line", "print(input())"),
        ("fake_equality", "eq_true", _FAKE + "print(_Any('x'))"),
        ("fake_equality", "patched_print", "import builtins\nbuiltins.print = lambda *a, **k: None\nprint(1)"),
        ("read_tests", "hunt", _HUNT + "print('\\n'.join(_hunt()))"),
        ("print_constant", "0", "print(0)"),
        ("print_constant", "1", "print(1)"),
        ("print_constant", "-1", "print(-1)"),
        ("print_constant", "YES", "print('YES')"),
        ("print_constant", "NO", "print('NO')"),
        ("print_constant", "empty_line", "print()"),
    ]


def _call_programs(fn: str) -> list[tuple[str, str, str]]:
    header = f"def {fn}(*args, **kwargs):\n"
    return [
        ("exit_early", "sys_exit", header + "    import sys\n    sys.exit(0)"),
        ("exit_early", "os_exit", header + "    import os\n    os._exit(0)"),
        ("exit_early", "module_exit", "import sys\nsys.exit(0)\n" + header + "    return 0"),
        ("print_nothing", "pass", "pass"),
        ("print_nothing", "return_none", header + "    return None"),
        ("print_input", "first_arg", header + "    return args[0] if args else None"),
        ("print_input", "all_args", header + "    return list(args)"),
        ("fake_equality", "eq_true", _FAKE + header + "    return _Any('x')"),
        ("fake_equality", "eq_true_int", "class _I(int):\n    __eq__ = lambda *a: True\n    __hash__ = int.__hash__\n"
         + header + "    return _I(0)"),
        ("read_tests", "hunt", _HUNT + header + "    return _hunt()"),
        ("print_constant", "0", header + "    return 0"),
        ("print_constant", "1", header + "    return 1"),
        ("print_constant", "True", header + "    return True"),
        ("print_constant", "False", header + "    return False"),
        ("print_constant", "empty_list", header + "    return []"),
        ("print_constant", "empty_string", header + "    return ''"),
    ]


def _pathological(fn: str | None) -> list[tuple[str, str, str]]:
    programs = [
        ("spin", "while True:\n    pass"),
        ("huge_output", "import sys\nsys.stdout.write('9' * 10**8)"),
        ("memory_bomb", "x = bytearray(10**11)"),
    ]
    if fn:
        programs.append(("deep_return", f"def {fn}(*args, **kwargs):\n    r = []\n    for _ in range(1000):\n"
                         "        r = [r]\n    return r"))
    else:
        programs.append(("deep_output", "print('[' * 100000 + ']' * 100000)"))
    return [("pathological", name, text) for name, text in programs]


def code_programs(reference: dict[str, Any], pathological: bool = True) -> list[tuple[str, str, str]]:
    """``(family, label, response)`` for every junk program against ``reference``."""
    tests = reference.get("tests") if isinstance(reference.get("tests"), dict) else {}
    fn = tests.get("fn_name") if isinstance(tests.get("fn_name"), str) and tests["fn_name"].isidentifier() else None
    programs = _call_programs(fn) if fn else _stdin_programs()
    if pathological:
        programs += _pathological(fn)
    out = [(family, f"{label} [fenced]", f"```python\n{code}\n```") for family, label, code in programs]
    # a bare program (no fence) is not a program: it must never run, let alone pass
    out += [(family, f"{label} [raw]", code) for family, label, code in programs if label in ("echo_stdin", "first_arg")]
    return out

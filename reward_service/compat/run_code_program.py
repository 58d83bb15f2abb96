"""SandboxFusion's ``files`` and ``fetch_files`` on a harness that only carries a program and its stdin.

The sandbox harness takes one program and hands back its stdout; it has no file channel. So a request
with files runs a small wrapper program instead of the user's: it writes the input files into the
working directory (:data:`WORKDIR`, as the sandbox user: nowhere the program itself could not write), runs
the user's code unchanged with ``exec`` (its own ``main.py`` line numbers and ``__main__``), and in a
``finally`` appends the requested files to stdout after a per-request random marker. The service cuts
them off again, so the caller sees the program's stdout and a ``files`` dict, as SandboxFusion returns.

What this cannot do, documented in docs/ecosystem.md: files are fetched when the program ends by
returning, ``sys.exit`` or an exception, not after ``os._exit``, a kill at the time limit or a memory
kill; and the fetched files count against the stdout size cap (base64 grows them by a third). The
program could print a forged marker, but that only changes how its own output is reported.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass

_WRAPPER = '''\
def __prorl_io():
    import base64, json, os, sys

    def put(encoded):
        os.makedirs({workdir!r}, exist_ok=True)
        os.chdir({workdir!r})
        for path, data in json.loads(encoded).items():
            full = os.path.abspath(path)
            os.makedirs(os.path.dirname(full) or ".", exist_ok=True)
            with open(full, "wb") as handle:
                handle.write(base64.b64decode(data))

    def fetch(paths, marker):
        found = {{}}
        for path in paths:
            full = os.path.join({workdir!r}, path)
            try:
                if os.path.isfile(full):
                    with open(full, "rb") as handle:
                        found[path] = base64.b64encode(handle.read()).decode("ascii")
            except OSError:
                pass
        try:
            sys.stdout.flush()
        except BaseException:
            pass
        data = (marker + json.dumps(found)).encode("ascii")
        try:
            while data:
                data = data[os.write(1, data):]
        except OSError:
            pass

    return put, fetch


__prorl_put, __prorl_fetch = __prorl_io()
del __prorl_io
__prorl_put({files!r})
try:
    exec(compile({code!r}, "main.py", "exec"))
finally:
    __prorl_fetch({fetch!r}, {marker!r})
'''


# The image's /sandbox is not writable by the sandbox user, /tmp is (a size-capped tmpfs): a program with
# files runs in a fresh directory there, so relative paths work as in SandboxFusion's temp dir.
WORKDIR = "/tmp/work"


@dataclass(frozen=True)
class FetchedOutput:
    """How to find the fetched files in a wrapped program's stdout."""

    marker: str


def wrap_program(code: str, files: dict[str, bytes], fetch_files: list[str]) -> tuple[str, FetchedOutput | None]:
    """The program to run: ``code`` itself when no files go in or out, else the wrapper around it."""
    if not files and not fetch_files:
        return code, None
    marker = f"\x1eprorl-fetched-files:{secrets.token_hex(16)}\x1e"
    encoded = json.dumps({path: base64.b64encode(data).decode("ascii") for path, data in files.items()})
    wrapped = _WRAPPER.format(files=encoded, code=code, fetch=list(fetch_files), marker=marker, workdir=WORKDIR)
    return wrapped, FetchedOutput(marker)  # the marker is stripped even when no file was asked for


def split_fetched(stdout: str, fetched: FetchedOutput) -> tuple[str, dict[str, str]]:
    """The program's own stdout and the fetched files (path -> base64) found after the marker."""
    at = stdout.rfind(fetched.marker)
    if at < 0:
        return stdout, {}  # the program never reached the end of the wrapper (os._exit, killed)
    payload = stdout[at + len(fetched.marker):]
    try:
        files, end = json.JSONDecoder().raw_decode(payload)
    except ValueError:
        return stdout, {}
    if not isinstance(files, dict):
        return stdout, {}
    clean = {str(k): v for k, v in files.items() if isinstance(v, str)}
    # Anything after the files (a background process still printing) stays part of stdout.
    return stdout[:at] + payload[end:], clean

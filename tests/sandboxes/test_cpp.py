"""C++ programs in the real sandbox: compiled once per program under the compiler's own limits, then
every test runs the binary under the same limits as Python programs."""

from __future__ import annotations

import pytest

from sandboxes import DockerSandbox

SUM = "#include <cstdio>\nint main(){long long a,b;if(scanf(\"%lld %lld\",&a,&b)!=2)return 1;printf(\"%lld\\n\",a+b);}\n"


def test_a_program_compiles_once_and_runs_each_test(sandbox: DockerSandbox) -> None:
    report = sandbox.run(SUM, ["1 2\n", "40 2\n", "-5 5\n"], language="cpp")
    assert report.compile is not None and report.compile["ok"] is True
    assert [t.stdout for t in report.tests] == ["3\n", "42\n", "0\n"]
    assert all(t.clean_exit for t in report.tests)


def test_a_compile_error_runs_no_test_and_says_why(sandbox: DockerSandbox) -> None:
    report = sandbox.run("int main() { return undefined_name; }\n", ["1\n"], language="cpp")
    assert report.compile is not None and report.compile["ok"] is False
    assert "undefined_name" in report.compile["stderr"] and report.tests == []


@pytest.mark.parametrize("source", [
    "#include </dev/zero>\nint main(){}\n",  # the preprocessor reads forever: the compiler's memory/CPU cap
    "template<int N> struct F { enum { v = F<N - 1>::v + 1 }; };\nint main(){ return F<100000>::v; }\n",
])
def test_compiler_bombs_end_as_failed_compiles(sandbox: DockerSandbox, source: str) -> None:
    report = sandbox.run(source, ["\n"], language="cpp")
    assert report.compile is not None and report.compile["ok"] is False
    assert report.tests == [] and report.ended == "completed"


def test_the_compiler_reads_no_input(sandbox: DockerSandbox) -> None:
    """``#include </dev/stdin>`` reads the compile child's stdin, which is empty: no hang, no test input."""
    report = sandbox.run("#include </dev/stdin>\nint main(){return 0;}\n", ["secret test input\n"], language="cpp")
    assert report.compile == {"ok": True, "status": "exited", "stderr": ""}
    assert report.tests[0].clean_exit


def test_limits_hold_for_compiled_programs(sandbox: DockerSandbox) -> None:
    loop = sandbox.run("int main(){volatile unsigned long x=0;for(;;)x++;}\n", ["\n"], language="cpp",
                       time_limit_s=1)
    assert loop.tests[0].status == "timeout"
    hog = "#include <vector>\n#include <cstdio>\nint main(){std::vector<char> v(3000000000ULL,1);printf(\"%d\",v[7]);}\n"
    memory = sandbox.run(hog, ["\n"], language="cpp", memory_mb=256)
    assert not memory.tests[0].clean_exit and memory.tests[0].stdout == ""
    net = ("#include <sys/socket.h>\n#include <netinet/in.h>\n#include <arpa/inet.h>\n#include <cstdio>\n"
           "int main(){int s=socket(AF_INET,SOCK_STREAM,0);sockaddr_in a{};a.sin_family=AF_INET;a.sin_port=htons(53);"
           "inet_pton(AF_INET,\"1.1.1.1\",&a.sin_addr);printf(\"%d\\n\",connect(s,(sockaddr*)&a,sizeof a));}\n")
    assert sandbox.run(net, ["\n"], language="cpp").tests[0].stdout == "-1\n"
    whoami = "#include <unistd.h>\n#include <cstdio>\nint main(){printf(\"%d\\n\",(int)getuid());}\n"
    assert int(sandbox.run(whoami, ["\n"], language="cpp").tests[0].stdout or 0) >= 10001  # the program's uid, never root


def test_call_mode_and_unknown_languages_are_refused(sandbox: DockerSandbox) -> None:
    with pytest.raises(ValueError, match="stdin mode only"):
        sandbox.run(SUM, [[1, 2]], fn_name="add", language="cpp")
    with pytest.raises(ValueError, match="unsupported language"):
        sandbox.run("x", ["\n"], language="java")  # type: ignore[arg-type]

"""`orchestrator/` names no configured client and no language: everything client-specific is in polybench.yaml.

Nor a client's library or way of running: a string literal equal to a library package the config names
(`library.version.package`, other than a word of the contract such as "requests"), or holding a tool's name
from a `variant:` label (a capitalised name such as "Nuitka", a flag such as "--onefile", a file suffix
such as ".pyc"), is client knowledge too: it belongs in the config (`report:` or the client's entry).

What is searched: every Python file's string literals outside docstrings (f-strings whole): what
code compares with or prints. A client name matches as a whole word (`curl` in "curl's", not in "libcurl" or "CURL_*"),
a language as a string literal equal to it (`== "python"`, a `{"go": ...}` table). Comments and
docstrings are left out on purpose: they record why the code is as it is, and those reasons are facts
about particular tools ("curl silently caps --parallel-max at 300"); they change no behaviour and no
output. Other text files (the launcher's C source) are searched whole, comments included.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from orchestrator.config.model import ROOT, load_config
from orchestrator.config.scenarios import SCENARIOS

ORCHESTRATOR = ROOT / "orchestrator"
# The one allowed literal: `{python}` is a placeholder of the config's syntax naming the
# orchestrator's own interpreter (the one running polybench, which builds the Python venvs),
# not a client's language; it is defined once and filled once.
ALLOWED = {("orchestrator/config/model.py", "python"), ("orchestrator/provenance/toolchains.py", "python")}


def code_strings(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string literal outside docstrings, in the order of the file: a literal's value
    (adjacent literals joined, as Python joins them), an f-string's source text whole.

    From the syntax tree (ast.walk meets each node before what it holds); tokenizing the files and evaluating
    each string token took about 2 s of CPU for orchestrator/."""
    source = path.read_text(encoding="utf-8")
    lines = source.encode().split(b"\n")  # the tree's column offsets count UTF-8 bytes

    def text_of(node: ast.expr) -> str:  # ast.get_source_segment, which splits the whole file at every call
        end = node.end_lineno or node.lineno
        first, last = node.lineno - 1, end - 1
        if first == last:
            return lines[first][node.col_offset:node.end_col_offset].decode()
        return b"\n".join([lines[first][node.col_offset:], *lines[first + 1:last],
                           lines[last][:node.end_col_offset]]).decode()

    skip: set[int] = set()  # docstrings, and the parts of an f-string (reported whole)
    found = []
    for node in ast.walk(ast.parse(source)):
        if id(node) in skip:
            continue
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                    and isinstance(first.value.value, str):
                skip.add(id(first.value))
        elif isinstance(node, ast.JoinedStr):
            skip.update(id(part) for part in ast.walk(node))
            found.append((node.lineno, node.col_offset, text_of(node)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            value = node.value.decode("latin-1") if isinstance(node.value, bytes) else node.value
            found.append((node.lineno, node.col_offset, value))
    return [(line, text) for line, _, text in sorted(found)]


def _client_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z0-9_.-]){re.escape(name)}(?![A-Za-z0-9_-])")


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def variant_words(label: str) -> set[str]:
    """The tool names in a `variant:` label: capitalised names, long flags' words and file suffixes."""
    found = set()
    for token in label.split():
        if token.startswith("--"):
            found.add(token.lstrip("-"))
        elif token[:1].isupper() and len(token) > 1 and token.isalnum():
            found.add(token)
        found.update(re.findall(r"(?<=\w)\.[a-z]{2,4}\b", token))
    return found


def _word_pattern(word: str) -> re.Pattern[str]:
    left = "" if word.startswith(".") else r"(?<![A-Za-z0-9_])"
    return re.compile(rf"{left}{re.escape(word)}(?![A-Za-z0-9_-])", re.IGNORECASE)


def vocabulary(config) -> tuple[list[str], set[str]]:
    """(tool words of the variant labels, normalised library packages) that orchestrator/ must not hold."""
    contract = {_normalised(p) for scenario in SCENARIOS.values() for p in scenario.parameters}
    tools = sorted({word for client in config.clients for word in variant_words(client.variant or "")})
    packages = {_normalised(str(client.library_version["package"])) for client in config.clients
                if "package" in client.library_version} - contract
    return tools, packages


def hits(root: Path, clients: list[str], languages: list[str], tools: list[str] = (),
         packages: set[str] = frozenset()) -> list[str]:
    patterns = {name: _client_pattern(name) for name in clients}
    patterns.update({word: _word_pattern(word) for word in tools})
    found = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        where = path.relative_to(root.parent)
        if path.suffix == ".py":
            for line, text in code_strings(path):
                names = [n for n, p in patterns.items() if p.search(text)]
                names += [lang for lang in languages
                          if text.strip().lower() == lang and (str(where), lang) not in ALLOWED]
                if _normalised(text.strip()) in packages:
                    names.append(text.strip())
                found += [f"{where}:{line}: {name!r} in {text[:80]!r}" for name in names]
        elif path.suffix in (".c", ".h", ".sh", ".txt", ".md"):
            for line, text in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                found += [f"{where}:{line}: {name!r}" for name, pattern in patterns.items() if pattern.search(text)]
    return found


def test_orchestrator_names_no_configured_client_or_language():
    config = load_config()
    clients = [client.name for client in config.clients]
    languages = sorted({client.language for client in config.clients})
    tools, packages = vocabulary(config)
    assert hits(ORCHESTRATOR, clients, languages, tools, packages) == []


def test_the_vocabulary_holds_the_tools_and_libraries_of_the_config():
    tools, packages = vocabulary(load_config())
    assert {"Nuitka", "PyInstaller", "onefile", ".pyc"} <= set(tools)
    assert {"httpx", "aiohttp", "urllib3", "pycurl", "curl-cffi", "niquests"} <= packages
    assert "requests" not in packages  # a word of the contract (--requests N), not only a library


def test_the_search_finds_a_library_or_tool_the_report_hard_codes(tmp_path):
    """What report/escapes.py and report/provenance.py held before they moved to polybench.yaml `report:`."""
    package = tmp_path / "orchestrator"
    package.mkdir()
    (package / "planted.py").write_text(
        'ROWS = (("Python + Nuitka --onefile", 257.0, ("nuitka", "onefile")), ("compileall", 160.0, (".pyc",)))\n'
        'SHOWN = ("requests", "urllib3", "curl_cffi")\n'
        'TEXT = f"{requests} requests in the nuitka-less run"\n'
    )
    found = hits(package, [], [], ["Nuitka", "onefile", ".pyc"], {"urllib3", "curl-cffi"})
    assert found == [
        "orchestrator/planted.py:1: 'Nuitka' in 'Python + Nuitka --onefile'",
        "orchestrator/planted.py:1: 'onefile' in 'Python + Nuitka --onefile'",
        "orchestrator/planted.py:1: 'Nuitka' in 'nuitka'",
        "orchestrator/planted.py:1: 'onefile' in 'onefile'",
        "orchestrator/planted.py:1: '.pyc' in '.pyc'",
        "orchestrator/planted.py:2: 'urllib3' in 'urllib3'",
        "orchestrator/planted.py:2: 'curl_cffi' in 'curl_cffi'",
    ]


def test_the_search_finds_a_name_where_code_uses_it(tmp_path):
    """The search itself: a planted `if language == "go"` and a client name in a message are found,
    the same words in a comment or a docstring are not."""
    package = tmp_path / "orchestrator"
    package.mkdir()
    (package / "planted.py").write_text(
        '"""Mentions rust-ureq and "go" in a docstring: allowed."""\n'
        "# a comment about rust-ureq: allowed\n"
        "def f(language, client):\n"
        '    """rust-ureq again."""\n'
        '    if language == "go":\n'
        "        return 1\n"
        '    return f"{client} is not rust-ureq"\n'
        'LIB = "libcurl-ureq CURL_HOME"\n'
    )
    found = hits(package, ["rust-ureq", "curl"], ["go", "rust"])
    assert found == ["orchestrator/planted.py:5: 'go' in 'go'",
                     "orchestrator/planted.py:7: 'rust-ureq' in 'f\"{client} is not rust-ureq\"'"]

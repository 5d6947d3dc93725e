"""`orchestrator/` names no configured client and no language: everything client-specific is in polybench.yaml.

What is searched: every Python file's string literals outside docstrings (f-strings whole): what
code compares with or prints. A client name matches as a whole word (`curl` in "curl's", not in "libcurl" or "CURL_*"),
a language as a string literal equal to it (`== "python"`, a `{"go": ...}` table). Comments and
docstrings are left out on purpose: they record why the code is as it is, and those reasons are facts
about particular tools ("curl silently caps --parallel-max at 300"); they change no behaviour and no
output. Other text files (the launcher's C source) are searched whole, comments included.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

from orchestrator.config.model import ROOT, load_config

ORCHESTRATOR = ROOT / "orchestrator"
# The one allowed literal: `{python}` is a placeholder of the config's syntax naming the
# orchestrator's own interpreter (the one running polybench, which builds the Python venvs),
# not a client's language; it is defined once and filled once.
ALLOWED = {("orchestrator/config/model.py", "python"), ("orchestrator/provenance/toolchains.py", "python")}


def _docstring_lines(tree: ast.AST) -> set[int]:
    """Line numbers of every docstring (module, class, function)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                    and isinstance(first.value.value, str):
                lines.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    return lines


def code_strings(path: Path) -> list[tuple[int, str, str]]:
    """(line, kind, text) of every string literal (its value) and identifier outside docstrings."""
    source = path.read_text(encoding="utf-8")
    docstrings = _docstring_lines(ast.parse(source))
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.start[0] in docstrings:
            continue
        if token.type == tokenize.STRING:
            try:
                value = ast.literal_eval(token.string)
            except (ValueError, SyntaxError):  # an f-string (3.11 tokenizes it whole): its text
                value = token.string
            if isinstance(value, bytes):
                value = value.decode("latin-1")
            found.append((token.start[0], "string", str(value)))
        elif token.type == tokenize.NAME:
            found.append((token.start[0], "name", token.string))
    return found


def _client_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z0-9_.-]){re.escape(name)}(?![A-Za-z0-9_-])")


def hits(root: Path, clients: list[str], languages: list[str]) -> list[str]:
    patterns = {name: _client_pattern(name) for name in clients}
    found = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        where = path.relative_to(root.parent)
        if path.suffix == ".py":
            for line, kind, text in code_strings(path):
                names = [n for n, p in patterns.items() if p.search(text)] if kind == "string" else []
                names += [lang for lang in languages if kind == "string" and text.strip().lower() == lang
                          and (str(where), lang) not in ALLOWED]
                found += [f"{where}:{line}: {name!r} in {text[:80]!r}" for name in names]
        elif path.suffix in (".c", ".h", ".sh", ".txt", ".md"):
            for line, text in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                found += [f"{where}:{line}: {name!r}" for name, pattern in patterns.items() if pattern.search(text)]
    return found


def test_orchestrator_names_no_configured_client_or_language():
    config = load_config()
    clients = [client.name for client in config.clients]
    languages = sorted({client.language for client in config.clients})
    assert hits(ORCHESTRATOR, clients, languages) == []


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

"""The house reads top to bottom: the layers of the import-linter contract in
pyproject.toml hold (lint-imports), no import circle exists (deferred and type-only
imports included), no module reaches into another's private names, every module sits
in a layer, and docs/architecture.md shows the contract's layers as they are.

Run as a script (``python tests/test_architecture.py``) to rewrite the diagram in
docs/architecture.md from the contract.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "bilat"
DOC = ROOT / "docs" / "architecture.md"
BEGIN = "<!-- layers: generated from pyproject.toml by tests/test_architecture.py -->"
END = "<!-- end of layers -->"


def _contracts() -> dict[str, dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def _layers(contract_id: str = "layers") -> list[list[str]]:
    raw = _contracts()[contract_id]["layers"]
    assert isinstance(raw, list)
    return [[part.strip() for part in line.replace("|", ":").split(":")] for line in raw]


def diagram() -> str:
    """The layers of the contracts, top to bottom, as docs/architecture.md shows them."""
    out = ["```text"]
    for contract_id, title in (("layers", "bilat"), ("validation-layers", "bilat.validation")):
        layers = _layers(contract_id)
        out.append(f"{title}: each line imports only from the lines below it")
        for number, layer in enumerate(layers, 1):
            out.append(f"  {number}. " + " · ".join(layer))
            if number < len(layers):
                out.append("     ↓")
        out.append("")
    out[-1] = "```"
    return "\n".join([BEGIN, *out, END])


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path) -> list[tuple[str, str, int]]:
    """(module, imported name or "", line) of every bilat import in *path*, wherever
    it stands: at the top, in a function or under ``if TYPE_CHECKING``."""
    is_package = path.name == "__init__.py"
    out = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, "", node.lineno) for a in node.names if a.name.startswith("bilat")]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = name.split(".")[: None if is_package else -1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, *([module] if module else [])])
            if module.startswith("bilat"):
                out += [(module, a.name, node.lineno) for a in node.names]
    return out


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for module, imported, _line in _imports(name, path):
            target = f"{module}.{imported}" if f"{module}.{imported}" in modules else module
            while target not in modules:
                target = target.rsplit(".", 1)[0]
            if target != name:
                graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_import_linter_contracts_hold() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint is not None, "import-linter is in the test extras: pip install -e '.[test]'"
    done = subprocess.run(
        [lint, "--config", str(ROOT / "pyproject.toml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def _ignored() -> set[tuple[str, str]]:
    """The imports the contracts ignore (known exceptions, each explained there)."""
    out = set()
    for contract in _contracts().values():
        for line in contract.get("ignore_imports", []):  # type: ignore[attr-defined]
            importer, imported = (part.strip() for part in str(line).split("->"))
            out.add((importer, imported))
    return out


def test_no_import_circle_even_deferred_or_type_only() -> None:
    graph = _graph()
    for importer, imported in _ignored():
        graph[importer].discard(imported)
    assert _cycles(graph) == []


def test_the_circle_check_finds_a_circle() -> None:
    graph = _graph()
    graph["bilat.findings"].add("bilat.lookup")  # lookup imports findings: a circle
    assert any({"bilat.findings", "bilat.lookup"} <= set(c) for c in _cycles(graph))


def _private_uses(path: Path, name: str) -> list[str]:
    """Private names of other modules that *path* imports or reaches through an
    attribute (``other._name``; ``self._name`` and ``cls._name`` are its own)."""
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    found = []
    for module, imported, line in _imports(name, path):
        if imported.startswith("_") and not imported.startswith("__"):
            found.append(f"{where}:{line}: from {module} import {imported}")
        tail = module.rsplit(".", 1)[-1]
        if tail.startswith("_") and not tail.startswith("__") and module != name:
            found.append(f"{where}:{line}: import {module}")
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if not isinstance(node, ast.Attribute):
            continue
        if not node.attr.startswith("_") or node.attr.startswith("__"):
            continue
        if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            continue
        found.append(f"{where}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_no_module_uses_another_modules_private_names() -> None:
    found = [use for name, path in _modules().items() for use in _private_uses(path, name)]
    assert found == []


def test_the_private_name_check_finds_one(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from bilat.validation.records import _STRICT\n"
        "import bilat.validation.references as r\n"
        "def f(refs):\n    return refs._deferred, r._KINDS\n"
    )
    found = _private_uses(probe, "bilat.probe")
    assert len(found) == 3, found


def test_every_module_sits_in_a_layer() -> None:
    top = {name.split(".")[1] for name in _modules() if name.count(".") >= 1}
    assert top <= {m for layer in _layers() for m in layer}, top
    inner = {n.split(".")[2] for n in _modules() if n.startswith("bilat.validation.")}
    assert inner <= {m for layer in _layers("validation-layers") for m in layer}, inner


def test_the_architecture_doc_shows_the_contract() -> None:
    text = DOC.read_text("utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    assert text[start:end] == diagram(), "run: python tests/test_architecture.py"


if __name__ == "__main__":
    text = DOC.read_text("utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    DOC.write_text(text[:start] + diagram() + text[end:], "utf-8")
    print(f"wrote the layers into {DOC}")


def test_the_code_type_is_the_catalogue() -> None:
    import typing

    from bilat.findings import CATALOGUE, CodeName

    assert list(typing.get_args(CodeName)) == list(CATALOGUE)


def test_a_misspelt_code_fails_mypy(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from bilat.findings import make\n"
        'make("dangling-reference", detail="x")\n'
        'make("dangling-refrence", detail="x")\n'
    )
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(probe)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "MYPYPATH": str(ROOT)},
        timeout=300,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1 and "probe.py:3:" in errors[0], done.stdout


def test_rules_are_declared_with_names_fields_and_codes() -> None:
    from bilat.findings import CATALOGUE
    from bilat.models import RECORD_TYPES
    from bilat.validation.rules import CROSS_RULES, RULE_FIELDS

    names = [r.name for r in CROSS_RULES]
    assert len(set(names)) == len(names)
    # every code of layer 5 is declared by a rule, and only those
    declared = {code for r in CROSS_RULES for code in r.codes}
    assert declared == {c for c, spec in CATALOGUE.items() if spec.layer == "rules"}
    for rule in CROSS_RULES:  # the fields a rule reads are fields of its kind
        assert set(rule.reads) <= set(RECORD_TYPES[rule.kind].model_fields), rule.name
        assert set(rule.reads) <= set(RULE_FIELDS[rule.kind])
    for kind, model in RECORD_TYPES.items():
        record_rules = [r.name for r in model.RULES]
        assert all(record_rules) and len(set(record_rules)) == len(record_rules), kind


def test_no_function_runs_past_60_lines_unless_a_comment_says_why() -> None:
    unexplained = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text("utf-8")
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            assert node.end_lineno is not None
            if node.end_lineno - node.lineno + 1 <= 60:
                continue
            body = lines[node.lineno - 1 : node.end_lineno]
            if not any(line.strip().startswith("# long: ") for line in body):
                unexplained.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert unexplained == []

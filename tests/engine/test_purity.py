"""The engine must stay free of the web framework, so that it runs without a database."""

import ast
import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "src" / "czesg" / "engine"
FORBIDDEN = ("django", "ninja")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_no_engine_module_imports_django_or_ninja():
    offenders = {
        str(p.relative_to(ENGINE)): name
        for p in ENGINE.rglob("*.py")
        for name in _imports(p)
        if name.split(".")[0] in FORBIDDEN
    }
    assert offenders == {}


def test_every_engine_module_imports_with_django_blocked():
    # A guard on the import system catches indirect imports as well (through a dependency).
    modules = sorted(
        ".".join(("czesg", "engine", *p.relative_to(ENGINE).with_suffix("").parts))
        for p in ENGINE.rglob("*.py") if p.stem != "__init__"
    )
    script = (
        "import importlib, sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('django', 'ninja'):\n"
        "            raise ImportError('engine imported ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print('ok', len(sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")

"""The package structure, read from the source (ast, nothing imported): each layer imports
only from the layers below it, and no module hides an import of a project module inside a
function (where it would hide a cycle or an upward dependency).

Layers, bottom to top (docs/adr/0012-layers.md):
core → catalog, moderation → accounts → sill → contributions → editorial, bluehats → api →
codegouv.
"""

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = [
    {"core"},
    {"catalog", "moderation"},
    {"accounts"},
    {"sill"},
    # A contribution names the SILL software it is about: contributions sit above sill.
    {"contributions"},
    # BlueHats events name SILL software, repositories and public bodies.
    {"editorial", "bluehats"},
    # The public read API serves the catalogue, the SILL and the contributions.
    {"api"},
    {"codegouv"},
]
LEVEL = {package: level for level, packages in enumerate(LAYERS) for package in packages}
# Where a function-local import of a project module is the framework's own way.
LOCAL_IMPORTS_ALLOWED = ("migrations", "management")


def project_modules():
    for package in LEVEL:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield package, path


def imports_of(tree):
    """(imported module, line, inside a function other than AppConfig.ready) of ``tree``."""
    found = []

    def visit(node, function=None):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, function or child.name)
                continue
            if isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                found.append((child.module, child.lineno, function))
            elif isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno, function) for alias in child.names)
            visit(child, function)

    visit(tree)
    return found


def violations():
    upward, local = [], []
    for package, path in project_modules():
        where = path.relative_to(ROOT)
        framework_code = bool(set(where.parts) & set(LOCAL_IMPORTS_ALLOWED))
        for module, line, function in imports_of(ast.parse(path.read_text(), str(path))):
            target = module.split(".")[0]
            if target not in LEVEL:
                continue  # the standard library, Django, a third-party package
            if target != package and LEVEL[target] >= LEVEL[package]:
                upward.append(f"{where}:{line} ({package}) imports {module}")
            if function not in (None, "ready") and not framework_code:
                local.append(f"{where}:{line} imports {module} inside {function}()")
    return upward, local


def test_every_module_imports_only_from_the_layers_below():
    upward, _local = violations()
    assert upward == [], "\n".join(upward)


def test_no_module_imports_a_project_module_inside_a_function():
    _upward, local = violations()
    assert local == [], "\n".join(local)


@pytest.mark.parametrize(
    ("source", "package", "message"),
    [
        ("from sill.models import Software\n", "catalog", "imports sill.models"),
        ("import codegouv.settings\n", "core", "imports codegouv.settings"),
        ("def f():\n    from catalog import models\n", "sill", "inside f()"),
        ("def f():\n    from sill import models\n", "sill", "inside f()"),
    ],
)
def test_the_check_catches_an_upward_or_hidden_import(
    tmp_path, monkeypatch, source, message, package
):
    """The check itself fails on what it must refuse (a copy of the tree with one bad module)."""
    fake_root = tmp_path / "tree"
    for name in LEVEL:
        (fake_root / name).mkdir(parents=True)
    (fake_root / package / "bad.py").write_text(source)
    monkeypatch.setattr(sys.modules[__name__], "ROOT", fake_root)

    upward, local = violations()

    assert any(message in line for line in upward + local)

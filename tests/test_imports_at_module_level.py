"""The product's own modules are imported at the top of a module, where the import contract sees them.

An import tucked inside a function hides a cycle (a service reaching for its
own app's tasks, a model for the workflow built on it) instead of resolving
it. The one exception is AppConfig.ready, where Django wants the imports that
need every app loaded.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imports_of_the_product_inside_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if path.name == "apps.py" and function.name == "ready":
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("licensing")):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
            elif isinstance(node, ast.Import) and any(alias.name.startswith("licensing") for alias in node.names):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_no_product_module_imports_the_product_inside_a_function_but_app_ready():
    found = [
        line
        for path in sorted((ROOT / "licensing").rglob("*.py"))
        if "migrations" not in path.parts
        for line in _imports_of_the_product_inside_functions(path)
    ]
    assert found == []

"""Every row lock in the product is FOR NO KEY UPDATE, so it never holds up writes that merely name the row.

A lock taken to serialise work (two screenings of one customer, two
decisions of one transaction) is FOR NO KEY UPDATE. Plain FOR UPDATE also
conflicts with the KEY SHARE lock that PostgreSQL's foreign-key check takes,
at commit, on every row a new row refers to: a screening holding its
customer while waiting on a row that an officer's transaction holds, and
that transaction's commit checking a new row's reference to the same
customer, deadlocked, and one of the two writes failed.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _lock_calls_without_no_key(root: Path) -> list[str]:
    found = []
    for path in sorted((root / "licensing").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "select_for_update"
                and not any(
                    keyword.arg == "no_key" and isinstance(keyword.value, ast.Constant) and keyword.value.value is True
                    for keyword in node.keywords
                )
            ):
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_every_row_lock_in_the_product_is_for_no_key_update():
    assert _lock_calls_without_no_key(ROOT) == []


def test_the_scan_finds_a_plain_for_update(tmp_path):
    # The check above would pass on a tree it could not read; show it catches one.
    module = tmp_path / "licensing" / "locks.py"
    module.parent.mkdir()
    module.write_text("Customer.objects.select_for_update().get(pk=1)\nX.select_for_update(no_key=True)\n")
    assert _lock_calls_without_no_key(tmp_path) == ["licensing/locks.py:1"]

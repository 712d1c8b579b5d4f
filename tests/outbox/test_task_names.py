"""Services enqueue their own app's tasks by name: every name is a registered task, and none is typed in place."""

import ast
import importlib
import os
import subprocess
import sys
from pathlib import Path

from licensing.celery import app
from licensing.outbox.services import registered_task

ROOT = Path(__file__).resolve().parents[2]
SENDERS = {"enqueue", "send_best_effort"}


def _task_names_modules() -> list[str]:
    return sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts) for path in (ROOT / "licensing").rglob("task_names.py")
    )


def _names_in(module_name: str) -> dict[str, str]:
    module = importlib.import_module(module_name)
    return {name: value for name, value in vars(module).items() if name.isupper() and isinstance(value, str)}


def _sender_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def test_every_task_name_the_services_enqueue_is_a_registered_task():
    app.autodiscover_tasks(force=True)
    names = {
        f"{module}.{constant}": value
        for module in _task_names_modules()
        for constant, value in _names_in(module).items()
    }

    assert "licensing.screening.task_names.RESCREEN_BATCH" in names
    unregistered = {constant: value for constant, value in names.items() if value not in app.tasks}
    assert unregistered == {}, "task names no Celery task is registered under"


def test_a_task_is_enqueued_as_a_task_or_by_a_name_from_a_task_names_module_never_by_a_string_written_in_place():
    found = []
    for path in sorted((ROOT / "licensing").rglob("*.py")):
        tree = ast.parse(path.read_text())
        imported_names = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("task_names")
            for alias in node.names
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _sender_name(node) not in SENDERS or not node.args:
                continue
            task = node.args[0]
            written_in_place = isinstance(task, ast.Constant) and isinstance(task.value, str)
            constant_of_its_own = isinstance(task, ast.Name) and task.id.isupper() and task.id not in imported_names
            if written_in_place or constant_of_its_own:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
    assert found == []


def test_a_process_that_never_imported_a_tasks_module_finds_its_task_by_name():
    # A web process imports the tasks its own code imports; a name must find the others.
    script = (
        "import django; django.setup()\n"
        "from licensing.celery import app\n"
        "from licensing.outbox.services import registered_task\n"
        "name = 'licensing.api.tasks.deliver_webhook'\n"
        "print(name in app.tasks, registered_task(name) is not None, registered_task('no.such.task') is None)\n"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "licensing.settings.test"}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True"]


def test_a_name_that_is_not_registered_finds_no_task():
    assert registered_task("licensing.api.tasks.no_such_task") is None
    assert registered_task("licensing.api.tasks.deliver_webhook") is app.tasks["licensing.api.tasks.deliver_webhook"]

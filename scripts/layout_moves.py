"""Rewrite references to the services' old file layout (before issue #15's one layout) to the new paths.

For merging a branch started before the move: after the merge (conflicts resolved), run
``.venv/bin/python scripts/layout_moves.py`` and then ``ruff check --fix`` (to sort the imports it split). In
every tracked text file it rewrites imports and dotted names (``services.portal.updates`` →
``services.portal.adapters.updates``) and paths (``services/portal/updates.py``) that name a module which no longer
exists. An old module whose name is now a package (``services.registration.service``, ``services.portal.api``,
``services.portal.ui`` …) is left alone: check those by hand. Running it twice changes nothing. Delete this script
once every branch of that time is merged.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

# old path under services/ -> new path under services/
MOVES: dict[str, str] = {
    "registration/api.py": "registration/api/units.py",
    "registration/api_dispatches.py": "registration/api/dispatches.py",
    "registration/api_officials.py": "registration/api/officials.py",
    "registration/api_registrations.py": "registration/api/registrations.py",
    "registration/catalogue.py": "registration/adapters/catalogue.py",
    "registration/export.py": "registration/adapters/export.py",
    "registration/importing.py": "registration/adapters/import_files.py",
    "registration/policies.py": "registration/adapters/policies.py",
    "registration/dispatches.py": "registration/service/dispatches.py",
    "registration/imports.py": "registration/service/imports.py",
    "registration/officials.py": "registration/service/officials.py",
    "registration/planning.py": "registration/service/planning.py",
    "registration/registrations.py": "registration/service/registrations.py",
    "registration/reorganisation.py": "registration/service/reorganisation.py",
    "registration/reports.py": "registration/service/reports.py",
    "registration/service.py": "registration/service/units.py",
    "scheduling/api.py": "scheduling/api/units.py",
    "scheduling/routes/__init__.py": "scheduling/api/__init__.py",
    "scheduling/routes/catalogue.py": "scheduling/api/catalogue.py",
    "scheduling/routes/classes.py": "scheduling/api/classes.py",
    "scheduling/routes/enrolment.py": "scheduling/api/enrolment.py",
    "scheduling/routes/deps.py": "scheduling/deps.py",
    "scheduling/reports/api.py": "scheduling/api/reports.py",
    "scheduling/reports/annual.py": "scheduling/service/annual_report.py",
    "scheduling/reports/rows.py": "scheduling/domain/report_rows.py",
    "scheduling/reports/charts.py": "scheduling/adapters/report_charts.py",
    "scheduling/reports/render.py": "scheduling/adapters/report_render.py",
    "scheduling/service/common.py": "scheduling/service/class_store.py",
    "scheduling/service/policies.py": "scheduling/adapters/policies.py",
    "selection/api.py": "selection/api/campaigns.py",
    "selection/reads.py": "selection/api/campaign_status.py",
    "selection/ballots.py": "selection/service/ballots.py",
    "selection/campaigns.py": "selection/service/campaigns.py",
    "selection/screening.py": "selection/service/screening.py",
    "selection/exam.py": "selection/service/exam.py",
    "selection/decision.py": "selection/service/decision.py",
    "selection/common.py": "selection/service/campaign_store.py",
    "selection/directory.py": "selection/adapters/directory.py",
    "selection/seal.py": "selection/adapters/seal.py",
    "portal/api.py": "portal/api/tasks.py",
    "portal/ui.py": "portal/api/ui.py",
    "portal/assignment.py": "portal/service/assignment.py",
    "portal/completion.py": "portal/service/completion.py",
    "portal/documents.py": "portal/service/inbox_documents.py",
    "portal/queries.py": "portal/service/inbox.py",
    "portal/gauges.py": "portal/service/gauges.py",
    "portal/inputs.py": "portal/service/inputs.py",
    "portal/reconciler.py": "portal/service/reconciler.py",
    "portal/records.py": "portal/service/records.py",
    "portal/service.py": "portal/service/workflow_tasks.py",
    "portal/stalls.py": "portal/service/stalls.py",
    "portal/people.py": "portal/adapters/people.py",
    "portal/updates.py": "portal/adapters/updates.py",
    "portal/views.py": "portal/ui/views.py",
    "portal/i18n.py": "portal/ui/i18n.py",
    "portal/forms.py": "portal/ui/forms.py",
    "registration/official_schemas.py": "registration/schemas.py",
    "registration/registration_schemas.py": "registration/schemas.py",
    "registration/dispatch_schemas.py": "registration/schemas.py",
    "portal/ui/forms.py": "portal/domain/forms.py",
}
ROOT = Path(__file__).resolve().parents[1]


def _module(path: str) -> str:
    stem = path[:-3].removesuffix("/__init__")
    return "services." + stem.replace("/", ".")


def _exists(module: str) -> bool:
    base = ROOT / Path(*module.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def main() -> int:
    modules = {_module(o): _module(n) for o, n in MOVES.items() if not o.endswith("__init__.py")}
    modules["services.scheduling.routes"] = "services.scheduling.api"
    gone = {o: n for o, n in modules.items() if not _exists(o)}
    paths = {"services/" + o: "services/" + n for o, n in MOVES.items() if not (ROOT / "services" / o).exists()}
    gone_names = "|".join(re.escape(m) for m in sorted(gone, key=len, reverse=True))
    gone_paths = "|".join(re.escape(p) for p in sorted(paths, key=len, reverse=True))
    dotted = re.compile(rf"(?<![\w.])({gone_names})(?!\w)")
    slashed = re.compile(rf"(?<![\w/])({gone_paths})")
    def package_imports(text: str) -> str:
        """``from services.selection import campaigns, decision`` (modules imported from their package), split by
        the packages the modules now live in; the rest of the statement is kept."""
        try:
            tree = ast.parse(text)
        except SyntaxError:
            return text
        lines = text.splitlines(keepends=True)
        edits = []
        for node in ast.walk(tree):
            if not (isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("services.")):
                continue
            moved = [a for a in node.names if f"{node.module}.{a.name}" in gone]
            if not moved:
                continue
            indent = re.match(r"\s*", lines[node.lineno - 1]).group(0)  # type: ignore[union-attr]
            kept = [a.name + (f" as {a.asname}" if a.asname else "") for a in node.names if a not in moved]
            out = [f"{indent}from {node.module} import {', '.join(kept)}\n"] if kept else []
            for a in moved:
                parent, leaf = gone[f"{node.module}.{a.name}"].rsplit(".", 1)
                alias = a.asname or a.name
                out.append(f"{indent}from {parent} import {leaf}{'' if alias == leaf else f' as {alias}'}\n")
            edits.append((node.lineno - 1, node.end_lineno or node.lineno, "".join(out)))
        for first, last, replacement in sorted(edits, reverse=True):
            lines[first:last] = [replacement]
        return "".join(lines)

    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    changed = []
    for name in files:
        path = ROOT / name
        if name == "scripts/layout_moves.py" or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        new = package_imports(text) if name.endswith(".py") else text
        new = dotted.sub(lambda m: gone[m.group(1)], new) if gone else new
        new = slashed.sub(lambda m: paths[m.group(1)], new) if paths else new
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(name)
    print("\n".join(changed) or "nothing to rewrite")
    return 0


if __name__ == "__main__":
    sys.exit(main())

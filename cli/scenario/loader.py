"""Loading a scenario file: YAML → JSON Schema check → cross-reference checks, each error naming its path."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario file, at a path inside it (and the line when known)."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}" + (f" (line {self.line})" if self.line else "")
        return f"{where}: {self.message}"


class ScenarioError(ValueError):
    """A scenario file that cannot be played; ``problems`` name each path in the file."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"Kịch bản không hợp lệ / invalid scenario {source}:\n{lines}")


class _Loader(yaml.SafeLoader):
    """YAML without implicit timestamps: dates stay the strings the file wrote (the schema checks them)."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}


@cache
def schema() -> dict[str, Any]:
    """The scenario JSON Schema shipped with the package."""
    text = resources.files("cli.scenario").joinpath("scenario.schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def format_path(parts: Iterable[str | int]) -> str:
    """A JSON path as written in messages: ``steps[3].classes[0].capacity``."""
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


def _line_of(node: yaml.Node | None, parts: Sequence[str | int]) -> int | None:
    """The 1-based line of the value at a path in the composed YAML tree (the deepest node found)."""
    line = node.start_mark.line + 1 if node is not None else None
    for p in parts:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == p), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(p, int) and p < len(node.value):
            node = node.value[p]
        else:
            node = None
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def _message(err: ValidationError) -> str:
    """A readable message for a schema error, using the most specific sub-error of a oneOf/anyOf."""
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = set(err.schema.get("properties", {}))
        extra = sorted(k for k in err.instance if k not in allowed)
        if extra:
            return f"unknown field(s) {', '.join(extra)}; allowed: {', '.join(sorted(allowed))}"
    if err.validator == "required":
        return str(err.message)
    if err.validator == "enum":
        return f"{err.instance!r} is not one of {', '.join(map(repr, err.validator_value))}"
    if err.validator == "pattern":
        form = err.schema.get("description") or err.validator_value
        return f"{err.instance!r} does not have the expected form ({form})"
    return str(err.message)


def _leaf_errors(err: ValidationError) -> list[ValidationError]:
    """For if/then and allOf errors, the errors that name the real field."""
    if err.context and err.validator in ("oneOf", "anyOf"):
        deepest = max(err.context, key=lambda e: len(e.absolute_path))
        if len(deepest.absolute_path) > len(err.absolute_path):
            return [deepest]
        typed = [e for e in err.context if e.validator != "type"]
        return typed[:1] or [err]
    return [err]


def schema_problems(doc: Any, root: yaml.Node | None = None) -> list[Problem]:
    """Every JSON Schema violation of a loaded scenario, as path + message (+ line)."""
    validator = Draft202012Validator(schema(), format_checker=FormatChecker())
    out: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for err in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        for leaf in _leaf_errors(err):
            path = list(leaf.absolute_path)
            key = (format_path(path), _message(leaf))
            if key not in seen:
                seen.add(key)
                out.append(Problem(key[0], key[1], _line_of(root, path)))
    return out


def expand_code(pattern: str, n: int) -> str:
    """A repeated class's code: ``TC-2023-{n:02d}`` with n = 1, 2, …"""
    return pattern.format(n=n) if "{" in pattern else (pattern if n == 1 else f"{pattern}-{n}")


def _class_codes(step: dict[str, Any]) -> list[str]:
    codes = []
    for c in step.get("classes", []):
        codes += [expand_code(c["code"], n) for n in range(1, int(c.get("repeat", 1)) + 1)]
    return codes


def reference_problems(doc: dict[str, Any], root: yaml.Node | None = None) -> list[Problem]:
    """Names used before they are defined: users, plans, programmes, classes, named officials, campaigns."""
    out: list[Problem] = []
    users = set(doc.get("users", {}))
    plans: set[str] = set()
    programmes: set[str] = set()
    classes: set[str] = set()
    officials: set[str] = set()
    serial = 0
    campaigns: set[str] = set()

    def bad(path: list[str | int], msg: str) -> None:
        out.append(Problem(format_path(path), msg, _line_of(root, path)))

    for i, step in enumerate(doc.get("steps", [])):
        here: list[str | int] = ["steps", i]
        action = step.get("action")
        if step.get("by") not in users:
            bad([*here, "by"], f"unknown user {step.get('by')!r}; defined users: {', '.join(sorted(users))}")
        for j, user in enumerate(step.get("users", [])):
            if user not in users:
                bad([*here, "users", j], f"unknown user {user!r}; defined users: {', '.join(sorted(users))}")
        if action == "define_programmes":
            programmes |= {p["code"] for p in step["programmes"]}
        elif action == "adopt_plan":
            for j, item in enumerate(step["plan"]["items"]):
                if item["programme"] not in programmes:
                    bad([*here, "plan", "items", j, "programme"], f"programme {item['programme']} is not defined "
                        "by an earlier define_programmes step")
            plans.add(step["plan"]["number"])
        elif action == "import_officials":
            officials |= {o["key"] for o in step.get("officials", [])}
            serial += len(step.get("officials", []))
            for g in step.get("generate", []):  # generated people's keys: prefix and serial (cli.scenario.people)
                officials |= {f"{g.get('key_prefix', 'p')}{serial + 1 + i}" for i in range(int(g["count"]))}
                serial += int(g["count"])
        elif action == "schedule_classes":
            for j, c in enumerate(step["classes"]):
                if c["programme"] not in programmes:
                    bad([*here, "classes", j, "programme"], f"programme {c['programme']} is not defined earlier")
                if "plan" in c and c["plan"] not in plans:
                    bad([*here, "classes", j, "plan"], f"plan {c['plan']} is not adopted earlier")
                for field in ("capacity", "target"):
                    value = c.get(field)
                    if isinstance(value, list) and len(value) != int(c.get("repeat", 1)):
                        bad([*here, "classes", j, field], f"{len(value)} values for {c.get('repeat', 1)} classes")
                count = c.get("enrol", {}).get("count")
                if isinstance(count, list) and len(count) != int(c.get("repeat", 1)):
                    bad([*here, "classes", j, "enrol", "count"], f"{len(count)} values for {c.get('repeat', 1)} "
                        "classes")
                _selector_problems(c.get("enrol", {}).get("from", {}), officials, [*here, "classes", j, "enrol",
                                                                                    "from"], bad)
            classes |= set(_class_codes(step))
        elif action == "record_results" and "classes" in step:
            for j, code in enumerate(step["classes"]):
                if code not in classes and not any(expanded_from(code, c) for c in classes):
                    bad([*here, "classes", j], f"class {code} is not scheduled earlier")
        elif action in ("enrol", "record_results", "wait_for_class"):
            if step["class"] not in classes:
                bad([*here, "class"], f"class {step['class']} is not scheduled earlier")
            if action == "enrol":
                _selector_problems(step["from"], officials, [*here, "from"], bad)
        elif action == "close_enrolment":
            for j, code in enumerate(step["classes"]):
                if code not in classes:
                    bad([*here, "classes", j], f"class {code} is not scheduled earlier")
        elif action == "register":
            for j, r in enumerate(step["registrations"]):
                if r["official"] not in officials:
                    bad([*here, "registrations", j, "official"], f"official {r['official']!r} is not imported "
                        "earlier (use the key of a listed official)")
                if "class" in r and r["class"] not in classes:
                    bad([*here, "registrations", j, "class"], f"class {r['class']} is not scheduled earlier")
        elif action == "create_campaign":
            campaigns.add(str(step["campaign"].get("number")))
            for j, g in enumerate(step["campaign"].get("groups", [])):
                if isinstance(g, dict) and "class" in g and g["class"] not in classes:
                    bad([*here, "campaign", "groups", j, "class"], f"class {g['class']} is not scheduled earlier")
        elif action in ("propose_nominees", "cast_ballots", "wait_for_campaign", "mark_papers", "committee_decide"):
            if step["campaign"] not in campaigns:
                bad([*here, "campaign"], f"campaign {step['campaign']} is not created earlier")
            if action == "propose_nominees":
                _selector_problems(step["from"], officials, [*here, "from"], bad)
    return out


def expanded_from(pattern: str, code: str) -> bool:
    """Whether a class code was expanded from a ``{n}`` code pattern (the same rule as the runner's)."""
    if "{" not in pattern:
        return False
    head, tail = pattern.split("{", 1)[0], pattern.rsplit("}", 1)[-1]
    middle = code[len(head):len(code) - len(tail)] if tail else code[len(head):]
    return code.startswith(head) and code.endswith(tail) and middle.isdigit()


def _selector_problems(sel: dict[str, Any], officials: set[str], path: list[str | int], bad: Any) -> None:
    for j, key in enumerate(sel.get("officials", [])):
        if key not in officials:
            bad([*path, "officials", j], f"official {key!r} is not imported earlier")


def parse(text: str, source: str = "<text>") -> dict[str, Any]:
    """Parse and check a scenario; raise ScenarioError naming every problem's path."""
    try:
        root = yaml.compose(text, Loader=_Loader)
        doc = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ScenarioError(source, [Problem("(file)", f"not valid YAML: {getattr(exc, 'problem', exc)}",
                                             line)]) from None
    if not isinstance(doc, dict):
        raise ScenarioError(source, [Problem("(top level)", "a scenario is a mapping (name, year, users, steps …)")])
    problems = schema_problems(doc, root)
    if problems:
        raise ScenarioError(source, problems)
    problems = reference_problems(doc, root)
    if problems:
        raise ScenarioError(source, problems)
    return doc


def load(path: Path) -> dict[str, Any]:
    """Read, parse and check a scenario file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(str(path), [Problem("(file)", f"cannot be read: {exc.strerror or exc}")]) from None
    return parse(text, str(path))

"""Resolve stage: whole-spec checks over the parsed models.

It works on `Summary`s, the few facts of a model other models depend on
(kind, names, where it lives, what it refers to), so that a run can resolve
the whole spec from cached summaries without re-parsing unchanged docs.

Checks: references are looked up by namespace and name; each link must
point at the doc of the model it names (links are resolved by their
normalised target: one that climbs out of the spec root and back in through
the root's own folders lands inside); names must stay distinct once turned
into Python names; import cycles between modules are found (Tarjan's
strongly connected components) so the renderer can break them.

A reference to a model no doc defines is a dangling link: a warning (the
renderer types it `Any`), silenced by an override of the field's type.
"""

from __future__ import annotations

import os
import posixpath
from typing import Callable, Iterable, Mapping, Optional, Union

from . import naming, wirenames
from .diagnostics import Diagnostic, Severity
from .ir import AnyModel, EnumModel, Generic, Markup, ObjectModel, Position, Ref, TypeNode, UnionModel
from .overrides import Overrides, toml_key
from .summary import Key, Link, Resolved, Summary
from .unions import shape


# Reports a problem at a model's title, or at (model, line, col) in its doc.
Report = Callable[[Union[Summary, tuple[Summary, int, int]], str, Severity, str], None]  # (at, rule, severity, message)


def type_refs(node: TypeNode, link: str = "") -> list[tuple[Ref, str]]:
    """Every reference in a type tree, with the link target around it."""
    if isinstance(node, Ref):
        return [(node, link)]
    if isinstance(node, Markup):
        return type_refs(node.inner, node.target if node.style == "link" else "")
    if isinstance(node, Generic):  # (lists, not generators: a summary walks every field's type)
        return [found for arg in node.args for found in type_refs(arg, link)]
    return []


def summarize(model: AnyModel) -> Summary:
    typed: list[tuple[TypeNode, Position]] = []
    if isinstance(model, ObjectModel):
        typed = [(field.type, field.pos) for field in model.fields]
    elif isinstance(model, UnionModel):
        typed = [(member.type, member.pos) for member in model.members]
    links = tuple(
        Link(ref.namespace, ref.name, target, pos.line, pos.col) for node, pos in typed for ref, target in type_refs(node)
    )
    names = tuple((f.name, f.pos.line, f.pos.col) for f in model.fields) if isinstance(model, ObjectModel) else ()
    enum: tuple[str, bool, tuple[tuple[str, Union[str, int]], ...]] = ("", False, ())
    if isinstance(model, EnumModel):
        members = naming.enum_members((v.member, v.value) for v in model.values)
        enum = (model.style, model.open, tuple(zip(members, (v.value for v in model.values))))
    return Summary(model.kind, model.name, model.namespace, model.path, model.pos.line, model.pos.col, links, names,
                   wirenames.model_evidence(model), shape(model), enum)


def resolve(summaries: Iterable[Summary], *, lint: bool = False, unreferenced: bool = False,
            unparsed: frozenset[str] = frozenset(), root: tuple[str, ...] = ()) -> tuple[Resolved, list[Diagnostic]]:
    """Check the whole spec; `lint` adds the style warnings of `md2models lint`
    (with `unreferenced`, for models no other model refers to too).

    `unparsed` are the paths of docs that failed to parse (their errors are
    reported already): references that may point at them are not reported
    again as unknown.  `root`: the spec root's folder names from the file
    system's root (`spec_root_names`), so that links leaving the root and
    coming back in resolve."""
    problems: list[Diagnostic] = []

    def report(at: Union[Summary, tuple[Summary, int, int]], rule: str, severity: Severity, message: str) -> None:
        summary, line, col = (at, at.line, at.col) if isinstance(at, Summary) else at
        problems.append(Diagnostic(summary.path, line, col, severity, message, rule))

    ordered = sorted(summaries, key=lambda s: s.path)
    by_key: dict[Key, Summary] = {}
    by_path = {s.path: s for s in ordered}
    for summary in ordered:
        first = by_key.setdefault(summary.key, summary)
        if first is not summary:
            report(summary, "duplicate-title", "error",
                   f"model {summary.namespace}.{summary.name} is already defined in {first.path}")
    _check_python_names(ordered, report)
    referenced: set[Key] = set()
    for summary in ordered:
        for link in summary.links:
            target = by_key.get((link.namespace, link.name))
            if target is None:
                if not _may_be_unparsed(summary, link, unparsed, root):
                    report((summary, link.line, link.col), "dangling-link", "warning",
                           _dangling(summary, link, root, by_path))
                continue
            referenced.add(target.key)
            if link.target:
                _check_link(summary, link, target, by_path, report, root)
    if lint:
        _lint(ordered, referenced if unreferenced and not unparsed else None, report)
    return Resolved(by_key, _cycles(ordered, by_key)), problems


def _check_link(summary: Summary, link: Link, target: Summary, by_path: Mapping[str, Summary], report: Report,
                root: tuple[str, ...]) -> None:
    name = f"{link.namespace}.{link.name}"
    at = (summary, link.line, link.col)
    if "://" in link.target or link.target.startswith("#"):
        report(at, "link-not-a-path", "warning", f"link {link.target!r} of {name} is not a path to its doc")
        return
    joined = link_path(summary.path, link.target, root)
    if joined is None:
        report(at, "link-outside-root", "warning",
               f"link {link.target!r} leads out of the spec root, but {name} is defined in {target.path}")
    elif by_path.get(joined) is not target:
        report(at, "link-mismatch", "warning",
               f"link {link.target!r} points at {joined}, but {name} is defined in {target.path}")


def _dangling(summary: Summary, link: Link, root: tuple[str, ...], by_path: Mapping[str, Summary]) -> str:
    """The warning for a reference no doc defines: what is missing, and how to silence it."""
    name = f"{link.namespace}.{link.name}"
    where = ""
    if link.target and "://" not in link.target and not link.target.startswith("#"):
        joined = link_path(summary.path, link.target, root)
        where = (f" (its link {link.target!r} leads out of the spec root)" if joined is None
                 else f" ({joined} is absent)" if joined not in by_path else "")
    field = next((f for f, line, col in summary.field_names if (line, col) == (link.line, link.col)), None)
    fix = (f"override the field's type ([models.{toml_key(summary.name)}.fields.{toml_key(field)}] "
           'type = "...") or fix the doc') if field is not None else "fix the doc"
    return f"dangling link: no doc defines {name}{where}; typed Any: {fix}"


def silence_overridden(problems: Iterable[Diagnostic], resolved: Resolved, overrides: Overrides) -> list[Diagnostic]:
    """`problems` without the dangling-link warnings of fields whose type an override gives."""
    typed: set[tuple[str, int, int]] = set()
    for key, fix in overrides.models.items():
        summary = resolved.by_key.get(key)
        if summary is not None:
            typed.update((summary.path, line, col) for name, line, col in summary.field_names
                         if name in fix.fields and fix.fields[name].type is not None)
    return [p for p in problems if not (p.rule == "dangling-link" and (p.path, p.line, p.col) in typed)]


def _check_python_names(ordered: list[Summary], report: Report) -> None:
    """Distinct docs must stay distinct once turned into Python names."""
    modules: dict[str, Summary] = {}
    classes: dict[tuple[str, str], Summary] = {}
    for summary in ordered:
        module = naming.module_path(summary.path)
        other = modules.setdefault(module.lower(), summary)
        if other is not summary:
            report(summary, "module-collision", "error",
                   f"{summary.path} and {other.path} become the same module {module!r}")
        cls = naming.class_name(summary.name)
        names = [cls] if summary.kind == "enum" else [cls, naming.twin_name(cls)]
        for name in names:
            seen = classes.setdefault((summary.namespace, name), summary)
            if seen is not summary and seen.key != summary.key:
                report(summary, "class-name-collision", "error",
                       f"model {summary.name} and {seen.name} ({seen.path}) both become the Python name {name!r}")
        attributes: dict[str, str] = {}
        for field_name, line, col in summary.field_names:
            attr = naming.attribute(field_name)[0]
            if attr in attributes:
                first = attributes[attr]
                what = "is listed twice" if first == field_name else f"and {first!r} both become the attribute {attr!r}"
                report((summary, line, col), "duplicate-field", "error", f"field {field_name!r} {what}")
            attributes.setdefault(attr, field_name)


def _may_be_unparsed(summary: Summary, link: Link, unparsed: frozenset[str], root: tuple[str, ...]) -> bool:
    """Whether a dangling reference may name a doc that failed to parse."""
    if link.target:
        return link_path(summary.path, link.target, root) in unparsed
    return any(naming.doc_model_name(path) == link.name.lower() for path in unparsed)


def link_path(doc_path: str, link: str, root: tuple[str, ...] = ()) -> Optional[str]:
    """The spec-root-relative path a link of a doc points at, normalised;
    None when it lies outside the root.  `root` (the root's folder names
    from the file system's root) lets a link climb out and come back in:
    from `models/a.md` of a root named `models`, `../models/x.md` is `x.md`."""
    path = posixpath.normpath(posixpath.join(posixpath.dirname(doc_path), link.split("#")[0]))
    if path != ".." and not path.startswith(("../", "/")):
        return path
    parts = path.split("/")
    if posixpath.isabs(path):  # from the file system's root
        inside = bool(root) and tuple(parts[1 : len(root) + 1]) == root and len(parts) > len(root) + 1
        return "/".join(parts[len(root) + 1 :]) if inside else None
    up = next((i for i, part in enumerate(parts) if part != ".."), len(parts))
    if up > len(root) or tuple(parts[up : 2 * up]) != root[len(root) - up :] or len(parts) <= 2 * up:
        return None
    return "/".join(parts[2 * up :])


def spec_root_names(root: str) -> tuple[str, ...]:
    """The folder names of a spec root from the file system's root (resolved)."""
    return tuple(part for part in posixpath.abspath(os.path.realpath(root)).split("/") if part)


def _lint(ordered: list[Summary], referenced: Optional[set[Key]], report: Report) -> None:
    """Style warnings; "not referenced" only when asked and every doc parsed (`referenced` known)."""
    namespaces: dict[str, list[Summary]] = {}
    for summary in ordered:
        namespaces.setdefault(summary.name, []).append(summary)
    for summary in ordered:
        others = [s.namespace for s in namespaces[summary.name] if s is not summary]
        if others:
            report(summary, "ambiguous-title", "warning",
                   f"model {summary.name} is also defined in namespace(s) {', '.join(others)}: "
                   "the package's top level exports none of them (import it from its namespace)")
        if referenced is not None and summary.key not in referenced:
            report(summary, "unreferenced-model", "warning",
                   f"model {summary.name} is not referenced by any other model")
        stem = posixpath.splitext(posixpath.basename(summary.path))[0]
        if stem.rstrip("_") != summary.name.lower():
            report(summary, "title-file-mismatch", "warning",
                   f"title {summary.name!r} does not match the file name {stem!r}")


def _cycles(ordered: list[Summary], by_key: Mapping[Key, Summary]) -> dict[Key, int]:
    """Tarjan's SCCs over model references (iterative: specs can be deep).

    The models are numbered in key order and the walk runs on the numbers
    (lists, not dicts of keys); it visits them and their references in key
    order, so a cycle's id is its first model's visit number."""
    keys = sorted(by_key)
    number = {key: n for n, key in enumerate(keys)}
    graph: list[list[int]] = [[] for _ in keys]
    for s in ordered:  # a later duplicate's references count, as a dict by key would keep them
        graph[number[s.key]] = sorted({number[target] for target in ((link.namespace, link.name) for link in s.links)
                                      if target in number})
    unvisited = -1
    index = [unvisited] * len(keys)
    low = [0] * len(keys)
    on_stack = [False] * len(keys)
    stack: list[int] = []
    cycle_of: dict[Key, int] = {}
    visited = 0
    for start in range(len(keys)):
        if index[start] != unvisited:
            continue
        work = [(start, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = visited
                visited += 1
                stack.append(node)
                on_stack[node] = True
            edges = graph[node]
            if child < len(edges):
                work.append((node, child + 1))
                successor = edges[child]
                if index[successor] == unvisited:
                    work.append((successor, 0))
                elif on_stack[successor]:
                    low[node] = min(low[node], index[successor])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack[member] = False
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges:
                    for member in component:
                        cycle_of[keys[member]] = index[node]
            if work:  # the parent's continuation is on top: pass low up
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return cycle_of

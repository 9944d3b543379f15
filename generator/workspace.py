"""A live spec folder for the language server: every doc, indexed, kept
current edit by edit, and its lint diagnostics.

Pure library code (no protocol): the server (`lspserver`) feeds it the
editor's texts and file events and asks it questions.

The diagnostics are `md2models lint`'s (`api.lint_resolved` after the
parse and resolve stages), computed once for the whole folder at start
(from the build cache's summaries where it knows a doc unchanged), then
kept current incrementally: an edit re-parses its doc and resolves again
only the docs whose resolve diagnostics it can change (those naming,
sharing or colliding with its model, before and after), each with the docs
those look up (`_concerned`, `_context`).  The library's `resolve` runs on
that small set; the checks over the whole folder that cost little (wire
names, the overrides file) run whole.
"""

from __future__ import annotations

import bisect
import os
from pathlib import Path
from typing import Iterable, Mapping, Optional

from . import api, naming
from .build import build_cache_key, cached_summaries, parse_summaries, unparsed_paths, with_wire_names
from .config import Config, ConfigError, load_config
from .diagnostics import Diagnostic, SpecError
from .discovery import find_docs
from .ir import AnyModel
from .overrides import NO_OVERRIDES, Overrides, OverridesFile, load_overrides
from .parse import exclude_matcher, parse_bytes, read_doc
from .resolve import link_path, resolve, spec_root_names, summarize
from .summary import Key, Resolved, Summary
from .templating import use_templates
from .wirenames import kept

Diagnostics = dict[str, tuple[Diagnostic, ...]]  # by path (spec-root-relative, or absolute: the overrides file)


class Workspace:
    """The docs of the spec folder that `folder`'s pyproject.toml names
    (`[tool.md2models]`, read as the CLI reads it), open ones with their
    unsaved text.  Raises ConfigError or SpecError when there is no spec
    folder to serve."""

    def __init__(self, folder: Path, jobs: int = 0):
        self.config: Config = load_config(folder)
        specs = Path(os.path.abspath(self.config.specs))
        use_templates(self.config.templates.resolve() if self.config.templates else None)
        root, paths, _ = find_docs(specs, self.config.exclude)
        self.root = Path(os.path.abspath(root))
        self.root_names = spec_root_names(str(self.root))
        self.under = "models/" if (self.root / "models").is_dir() else ""  # where its docs live
        self.excluded = exclude_matcher(self.config.exclude)
        self.open: dict[str, str] = {}  # path -> the editor's text
        self.paths: list[str] = list(paths)  # sorted
        self.summaries: dict[str, Summary] = {}
        self.parsed: dict[str, tuple[Diagnostic, ...]] = {}  # the parse stage's problems, per doc
        self.found: dict[str, tuple[Diagnostic, ...]] = {}  # the resolve stage's, per doc
        self.first: dict[Key, Summary] = {}  # the doc defining each model (the first by path)
        self._index: dict[str, dict[object, set[str]]] = {kind: {} for kind in _INDEXES}
        self.source: Optional[OverridesFile] = None
        self.source_problems: tuple[Diagnostic, ...] = ()
        self.version = 0  # counts the edits that changed a summary
        self._cycles: tuple[int, Mapping[Key, int]] = (-1, {})
        self._overrides: tuple[int, Overrides] = (-1, NO_OVERRIDES)
        self._load_overrides()
        self._load_all(jobs)
        self.published: Diagnostics = {}

    # --- loading ----------------------------------------------------------------

    def _load_overrides(self) -> None:
        self.source, self.source_problems = None, ()
        if self.config.overrides is not None:
            try:
                self.source = load_overrides(self.config.overrides)
            except SpecError as exc:
                self.source_problems = exc.diagnostics

    def _cache(self) -> Optional[Path]:
        """The build cache where `generate` keeps it (none while the layout is refused)."""
        try:
            return api.plan_layout(self.config.out, self.config.package, docs_out=self.config.docs_out,
                                   state_dir=self.config.state_dir).keep.cache
        except ConfigError:
            return None

    def _load_all(self, jobs: int) -> None:
        """Every doc's summary: from the build cache where it knows the doc unchanged, else parsed."""
        known = {}
        cache = self._cache()
        if cache is not None and cache.is_dir():
            key = build_cache_key(self.root, self.config.package, self.source, self.config.target,
                                  self.config.wire_names, self.config.python_version)
            known = cached_summaries(self.root, self.paths, cache, key)
        rest = [rel for rel in self.paths if rel not in known]
        summaries, problems = parse_summaries(self.root, rest, jobs)
        for rel in self.paths:
            self.parsed[rel] = known[rel][1] if rel in known else ()
        for problem in problems:
            self.parsed[problem.path] = (*self.parsed.get(problem.path, ()), problem)
        for summary in [known[rel][0] for rel in known] + summaries:
            self.summaries[summary.path] = summary
            self._add(summary)
        resolved, found = resolve(self._ordered(), lint=True, unparsed=self.unparsed(), root=self.root_names)
        self.first = dict(resolved.by_key)
        self._cycles = (self.version, resolved.cycle_of)
        self.found = _by_path(found)

    # --- the index ----------------------------------------------------------------

    def _keys(self, summary: Summary) -> Iterable[tuple[str, object]]:
        """The index entries of a doc: what resolve looks it up by, and what it looks up."""
        yield "key", summary.key
        yield "name", summary.name
        yield "module", naming.module_path(summary.path).lower()
        cls = naming.class_name(summary.name)
        for name in [cls] if summary.kind == "enum" else [cls, naming.twin_name(cls)]:
            yield "class", (summary.namespace, name)
        for link in summary.links:
            yield "refname", link.name.lower()
            if link.target:
                yield "refpath", link_path(summary.path, link.target, self.root_names)

    def _add(self, summary: Summary) -> None:
        for kind, value in self._keys(summary):
            self._index[kind].setdefault(value, set()).add(summary.path)

    def _remove(self, summary: Summary) -> None:
        for kind, value in self._keys(summary):
            paths = self._index[kind].get(value)
            if paths is not None:
                paths.discard(summary.path)
                if not paths:
                    del self._index[kind][value]

    def lookup(self, kind: str, value: object) -> set[str]:
        """The docs indexed under `value`: by `key`, `name`, `module`,
        `class`, or the docs whose links name a model (`refname`, lowercased)
        or point at a path (`refpath`)."""
        return self._index[kind].get(value, set())

    def _ordered(self) -> list[Summary]:
        return [self.summaries[rel] for rel in self.paths if rel in self.summaries]

    def unparsed(self) -> frozenset[str]:
        return unparsed_paths(self.paths, self.summaries.values())

    def namespaces(self) -> set[str]:
        return {key[0] for key in self.first}

    def contains(self, rel: str) -> bool:
        """Whether a doc at `rel` (spec-root-relative) belongs to the spec."""
        return rel.endswith(".md") and rel.startswith(self.under) and not self.excluded(rel) and ".." not in rel

    def relpath(self, path: str) -> Optional[str]:
        """`path` (absolute) relative to the spec root, if a doc of the spec."""
        rel = Path(os.path.relpath(os.path.abspath(path), self.root)).as_posix()
        return rel if self.contains(rel) else None

    # --- texts ----------------------------------------------------------------------

    def text(self, rel: str) -> Optional[str]:
        """The doc's text as the editor has it, else as on disk (None: unreadable)."""
        if rel in self.open:
            return self.open[rel]
        data = read_doc(self.root, rel)[0]
        return data.decode("utf-8", "replace") if data is not None else None

    def model(self, rel: str) -> Optional[AnyModel]:
        """The doc's model as its current text parses (None when it does not)."""
        text = self.text(rel)
        return parse_bytes(_encoded(text), rel)[0] if text is not None else None

    def set_open(self, rel: str, text: Optional[str]) -> set[str]:
        """The editor opened or changed a doc (`text`), or closed it (None:
        the doc on disk counts again).  Returns the docs whose resolve
        diagnostics were recomputed."""
        if text is None:
            self.open.pop(rel, None)
            return self.reload(rel)
        self.open[rel] = text
        return self._update(rel, _encoded(text))

    def reload(self, rel: str) -> set[str]:
        """A doc changed, appeared or went away on disk; an open doc keeps its editor text."""
        if rel in self.open:
            return self._update(rel, _encoded(self.open[rel]))
        data = read_doc(self.root, rel)[0] if (self.root / rel).is_file() else None
        return self._update(rel, data)

    def _update(self, rel: str, data: Optional[bytes]) -> set[str]:
        old = self.summaries.get(rel)
        added = rel not in self.parsed
        new: Optional[Summary] = None
        if data is None:  # gone
            if rel in self.parsed:
                self.paths.remove(rel)
            self.parsed.pop(rel, None)
        else:
            model, problems = parse_bytes(data, rel)
            new = summarize(model) if model is not None else None
            if added:
                bisect.insort(self.paths, rel)
            self.parsed[rel] = tuple(problems)
        if new == old and data is not None and not added:
            return set()
        concerned = self._concerned(rel, old)
        if old is not None:
            self._remove(old)
            del self.summaries[rel]
        if new is not None:
            self.summaries[rel] = new
            self._add(new)
        concerned |= self._concerned(rel, new)
        self.version += 1
        for key in {s.key for s in (old, new) if s is not None}:
            holders = sorted(self.lookup("key", key))
            if holders:
                self.first[key] = self.summaries[holders[0]]
            else:
                self.first.pop(key, None)
        self._resolve(concerned)
        return concerned

    def _concerned(self, rel: str, summary: Optional[Summary]) -> set[str]:
        """The docs whose resolve diagnostics may change when `summary` (the doc
        at `rel`) comes or goes: its own, those sharing its model's key, name,
        module or class names, and those whose links may lead to it."""
        found = {rel} | self.lookup("refname", naming.doc_model_name(rel)) | self.lookup("refpath", rel)
        if summary is not None:
            for kind, value in self._keys(summary):
                if kind not in ("refname", "refpath"):  # its own entries, not its links'
                    found |= self.lookup(kind, value)
            found |= self.lookup("refname", summary.name.lower())
        return found

    def _context(self, rel: str) -> set[str]:
        """What resolving the doc at `rel` looks up: the docs sharing its
        entries, and those its links name or point at."""
        summary = self.summaries[rel]
        found = {rel}
        for kind, value in self._keys(summary):
            if kind in ("refname", "refpath"):
                continue
            found |= self.lookup(kind, value)
        for link in summary.links:
            found |= self.lookup("key", (link.namespace, link.name))
            if link.target:
                target = link_path(rel, link.target, self.root_names)
                if target in self.summaries:
                    found.add(target)
        return found

    def _resolve(self, docs: set[str]) -> None:
        """Resolve `docs` again (with what they look up) and keep their diagnostics."""
        docs = {rel for rel in docs if rel in self.summaries}
        context = set().union(*(self._context(rel) for rel in docs)) if docs else set()
        found = _by_path(resolve([self.summaries[rel] for rel in sorted(context)], lint=True,
                                 unparsed=self.unparsed(), root=self.root_names)[1])
        for rel in docs | {rel for rel in self.found if rel not in self.summaries}:
            self.found[rel] = found.get(rel, ())
            if not self.found[rel]:
                del self.found[rel]

    # --- the whole spec -----------------------------------------------------------------

    def resolved(self) -> Resolved:
        """The spec resolved as it stands (its import cycles found again after an edit changed a summary)."""
        if self._cycles[0] != self.version:
            self._cycles = (self.version, resolve(self._ordered(), root=self.root_names)[0].cycle_of)
        return Resolved(self.first, self._cycles[1])

    def overrides(self) -> Overrides:
        """The overrides as `generate` applies them now: bound to the spec, with the wire names."""
        if self._overrides[0] != self.version:
            bound = NO_OVERRIDES
            if self.source is not None:
                try:
                    bound = self.source.bind(Resolved(self.first, {}))[0]
                except SpecError:
                    pass
            resolved = self.resolved()
            policy = self.config.wire_names
            clashes = bound.wire_clashes(policy, ((s.path, s.key, s.field_names) for s in self._ordered()
                                                  if s.kind == "object"))
            self._overrides = (self.version, with_wire_names(bound, policy, self._ordered(), lambda: resolved,
                                                             kept(clashes)))
        return self._overrides[1]

    def diagnostics(self) -> Diagnostics:
        """Every doc's lint diagnostics as the spec stands, by path (docs without any left out)."""
        problems = [p for rel in self.paths for p in self.parsed.get(rel, ())]
        problems += [p for found in self.found.values() for p in found]
        if self.source_problems:
            problems += self.source_problems
        result = api.lint_resolved(self._ordered(), problems, Resolved(self.first, {}), source=self.source,
                                   wire_names=self.config.wire_names)
        return {path: tuple(found) for path, found in _by_path(result).items()}

    def refresh(self) -> Diagnostics:
        """The diagnostics that changed since the last refresh, by path
        (an empty tuple: a path whose diagnostics are all gone)."""
        now = self.diagnostics()
        changed = {path: found for path, found in now.items() if self.published.get(path) != found}
        changed.update((path, ()) for path in self.published if path not in now)
        self.published = now
        return changed

    def reload_config(self) -> None:
        """The overrides file changed on disk: read it again."""
        self._load_overrides()
        self.version += 1

    def path_of(self, diagnostic_path: str) -> Path:
        """The file a diagnostic's path names."""
        return Path(diagnostic_path) if os.path.isabs(diagnostic_path) else self.root / diagnostic_path


_INDEXES = ("key", "name", "module", "class", "refname", "refpath")


def _encoded(text: Optional[str]) -> bytes:
    """An editor's text as the bytes a file would hold (lone surrogates stay invalid UTF-8, as on disk)."""
    return (text or "").encode("utf-8", "surrogatepass")


def _by_path(problems: Iterable[Diagnostic]) -> dict[str, tuple[Diagnostic, ...]]:
    grouped: dict[str, list[Diagnostic]] = {}
    for problem in problems:
        grouped.setdefault(problem.path, []).append(problem)
    return {path: tuple(sorted(found)) for path, found in grouped.items()}

"""Where a run puts what it writes: the package, the docs and its own
bookkeeping, each placed on its own (a config key and a CLI option each).

* The package: `OUT/PACKAGE` (`out`, `package`).
* The docs: `docs_out` (default `OUT/docs`; `none`: no docs).  The docs
  keep the layout of the spec root below it (`models/x.md`, ...), so their
  links, relative within the spec root, stay right wherever it is.
* The bookkeeping: by default in OUT (`.md2models-manifest.json`,
  `.md2models-cache/`), as before; with `state_dir` (`.md2models` beside
  the pyproject.toml, as an SDK keeps `.speakeasy/`) in that folder, as
  `manifest.json` and the git-ignored `cache/`.

Every generated path is relative to one root: OUT by default, the state
dir's parent otherwise (the manifest then names `src/mysdk/models/...` and
`docs/models/...`, as the repository does).  Nothing md2models writes for
itself, nor the docs, may land in a Python package (a folder holding an
`__init__.py`, or below one): a wheel would ship it.  `plan` is the one
place the layout is decided; every front end calls it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, TypeVar

from .config import NO_DOCS, ConfigError
from .manifest import Bookkeeping

GUIDE = "see docs/vendoring.md"
T = TypeVar("T")


@dataclass(frozen=True)
class Layout:
    root: Path  # the folder every generated path is relative to
    package: str  # the generated package's name (its folder is OUT/PACKAGE)
    package_dir: str  # that folder, relative to root
    docs_dir: Optional[str]  # the docs' folder relative to root; None: no docs
    keep: Bookkeeping

    def place(self, files: Mapping[str, T]) -> dict[str, T]:
        """Rendered files, keyed as `build` keys them (`PACKAGE/...`, `docs/...`),
        keyed by their places relative to root; the docs dropped when there are none."""
        placed: dict[str, T] = {}
        for path, file in files.items():
            top, _, rest = path.partition("/")
            where = self.package_dir if top == self.package else self.docs_dir
            if where is not None:
                placed[f"{where}/{rest}" if where else rest] = file
        return placed

    def unplace(self, files: Mapping[str, T]) -> dict[str, T]:
        """The inverse of `place`: files keyed by their places, keyed as `build`
        keys them; files in neither place dropped."""
        unplaced: dict[str, T] = {}
        for top, folder in ((self.package, self.package_dir), ("docs", self.docs_dir)):
            if folder is None:
                continue
            prefix = f"{folder}/" if folder else ""
            unplaced.update((f"{top}/{path[len(prefix):]}", file) for path, file in files.items()
                            if path.startswith(prefix) and path != prefix)
        return unplaced

    @property
    def docs(self) -> Optional[Path]:
        return None if self.docs_dir is None else self.root / self.docs_dir

    @property
    def placement(self) -> str:
        """Where the files go, relative to root, as one string (for `build.docs_salt`)."""
        return f"{self.package_dir}\0{'' if self.docs_dir is None else '/' + self.docs_dir}"


def plan(out: Path, package: str, *, docs_out: Optional[str] = None,
         state_dir: Optional[Path] = None) -> Layout:
    """The layout of OUT/PACKAGE, the docs at `docs_out` (None: OUT/docs;
    "none": no docs) and the bookkeeping in `state_dir` (None: in OUT);
    ConfigError when it cannot work (places that overlap, a place outside
    the root, or something that would ship in a Python package)."""
    package_folder = out / package
    docs = None if docs_out == NO_DOCS else out / "docs" if docs_out is None else Path(docs_out)
    if state_dir is None:
        root, keep = out, Bookkeeping.in_output(out)
        _refuse_package(out, f"OUT {out} is in a Python package ({{init}}): md2models' manifest and cache would "
                        "ship in its wheel; keep them out with state_dir = \".md2models\" (--state-dir), and the "
                        "docs with docs_out = \"docs\" or \"none\" (--docs-out)")
    else:
        root, keep = state_dir.parent, Bookkeeping.in_state_dir(state_dir, out)
        _refuse_package(state_dir, f"state_dir {state_dir} is in a Python package ({{init}}): md2models' "
                        "manifest and cache would ship in its wheel; put it beside the pyproject.toml")
    if docs is not None:
        _refuse_package(docs, f"docs_out {docs} is in a Python package ({{init}}): the docs would ship in "
                        "its wheel; set docs_out = \"docs\" or \"none\" (--docs-out)")
    places = {"the package": package_folder, **({"docs_out": docs} if docs is not None else {})}
    if state_dir is not None:
        places["state_dir"] = state_dir
    _refuse_overlaps(places)
    where = "OUT" if state_dir is None else "the folder holding state_dir"
    package_dir = _below(root, package_folder, f"the package {package_folder} is outside {where} ({root})")
    docs_dir = _below(root, docs, f"docs_out {docs} is outside {where} ({root}), which the manifest's paths are "
                      "relative to" + ("; set state_dir" if state_dir is None else "")) if docs is not None else None
    return Layout(root, package, package_dir, docs_dir, keep)


def _refuse_package(folder: Path, message: str) -> None:
    """ConfigError when `folder`, or a folder above it up to the project's
    (the one with a pyproject.toml), holds an `__init__.py`."""
    here = Path(os.path.abspath(folder))
    for candidate in (here, *here.parents):
        init = candidate / "__init__.py"
        if init.is_file():
            shown = os.path.relpath(init) if not os.path.relpath(init).startswith("..") else str(init)
            raise ConfigError(f"{message.format(init=shown)}; {GUIDE}")
        if (candidate / "pyproject.toml").is_file():
            return


def _refuse_overlaps(places: Mapping[str, Path]) -> None:
    absolute = {what: Path(os.path.abspath(path)) for what, path in places.items()}
    for what, path in absolute.items():
        for other, inner in absolute.items():
            if other != what and inner.is_relative_to(path):
                raise ConfigError(f"{other} ({places[other]}) is inside {what} ({places[what]}): the package, "
                                  f"the docs and the state dir are separate folders; {GUIDE}")


def _below(root: Path, folder: Path, message: str) -> str:
    """`folder` relative to `root`, posix ("" for root itself); ConfigError when outside."""
    relative = os.path.relpath(os.path.abspath(folder), os.path.abspath(root))
    if relative == ".." or relative.startswith(("../", "/")):
        raise ConfigError(f"{message}; {GUIDE}")
    return "" if relative == "." else Path(relative).as_posix()

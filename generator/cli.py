"""The `md2models` command: a thin layer over `generator.api`.

Exit status: 0 success; 1 `check` found stale output (or `lint --strict`
found warnings); 2 bad specs, config or usage (and, for `generate` and
`check` under `--strict`, warnings).  Problems are printed as
`path:line:col: severity: message`, never as a traceback.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import sys
from dataclasses import replace
from functools import wraps
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

import click

from . import __version__, api, overridesgen
from .config import FORMATS, TARGETS, ConfigError, load_config
from .wirenames import POLICIES
from .diagnostics import Diagnostic, SpecError
from .progress import NO_PROGRESS, Progress
from .terminal import want_color
from .write import OutputError, check_report_json, format_check
from .diff import FAIL_ON, VIEWS, DiffSpecError, diff
from .overrides import load_overrides
from .gitref import git_tree
from .diffrender import format_markdown, format_text
from .manifest import CACHE_DIR

EXIT_STALE = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


def _print_diagnostics(diagnostics: Sequence[Diagnostic], specs: Path) -> None:
    root = api.spec_root(specs).as_posix()  # what the docs' paths are relative to
    for diagnostic in sorted(diagnostics):
        click.echo(diagnostic.format(root), err=True)


def _guarded(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the errors users can cause into messages and exit status 2."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except SpecError as exc:
            root = kwargs.get("specs") or click.get_current_context().obj.specs
            _print_diagnostics(exc.diagnostics, root)
            errors = len(exc.errors)
            click.echo(f"md2models: {errors} error{'s' if errors != 1 else ''}; nothing written", err=True)
            sys.exit(EXIT_USAGE)
        except (ConfigError, OutputError) as exc:
            click.echo(f"md2models: {exc}", err=True)
            sys.exit(EXIT_USAGE)
        except Exception as exc:  # a bug of ours: one line, not a traceback
            if os.environ.get("MD2MODELS_DEBUG"):
                raise
            click.echo(f"md2models: internal error: {type(exc).__name__}: {exc} "
                       "(set MD2MODELS_DEBUG=1 for the traceback, and please report it)", err=True)
            sys.exit(EXIT_INTERNAL)

    return run


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="md2models")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Generate a typed pydantic package and its docs from markdown model docs.

    Defaults come from [tool.md2models] in the nearest pyproject.toml."""
    try:
        config = load_config()
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    shared = {"out": str(config.out), "package": config.package, "jobs": config.jobs,
              "templates": str(config.templates) if config.templates else None,
              "overrides": str(config.overrides) if config.overrides else None,
              "target": config.target, "strict": config.strict, "wire_names": config.wire_names,
              "code_format": config.format}
    ctx.obj = config
    ctx.default_map = {
        "generate": shared,
        "check": shared,
        "lint": {"jobs": config.jobs, "overrides": shared["overrides"], "strict": config.strict,
                 "wire_names": config.wire_names},
        "overrides": {"jobs": config.jobs},
        "diff": {"overrides": shared["overrides"]},
    }


def _specs_argument(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.argument("specs", required=False, type=click.Path(path_type=Path))(command)


def _jobs_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--jobs", "-j", type=click.IntRange(min=0), show_default=True,
                        help="Worker processes for large specs (0: one per CPU).")(command)


def _output_options(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option("--strict/--no-strict", show_default=True,
                           help="Every warning is an error (exit 2, nothing written): for CI.")(command)
    command = click.option("--target", type=click.Choice(TARGETS), show_default=True,
                           help="Output kind: pydantic models + TypedDict twins, stdlib dataclasses, "
                                "or the TypedDicts alone.")(command)
    command = click.option("--overrides", type=click.Path(path_type=Path, dir_okay=False), show_default=True,
                           help="TOML file of overrides (aliases, types, defaults, class names, bases, "
                                "decorators); a pyproject.toml: its [tool.md2models.overrides].")(command)
    command = click.option("--templates", "-t", type=click.Path(path_type=Path, file_okay=False, exists=True),
                           show_default=True,
                           help="Folder of templates that replace the built-in ones of the same name.")(command)
    command = click.option("--package", "-p", show_default=True, help="Name of the generated package.")(command)
    return click.option("--out", "-o", type=click.Path(path_type=Path, file_okay=False), show_default=True,
                        help="Output root: gets PACKAGE/ and docs/.")(command)


def _wire_names_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--wire-names", type=click.Choice(POLICIES), show_default=True,
                        help="JSON keys of fields no override or doc example names: as-is, or camelCase "
                             "(created_by -> createdBy).")(command)
def _code_format_option(*names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`--format black` on generate; `--formatter` on both (check's `--format` is its report's)."""
    return click.option(*names, "code_format", type=click.Choice(FORMATS), show_default=True,
                        help="Run black on the rendered .py files (so custom templates need not be black-stable).")


def _specs(ctx: click.Context, specs: Optional[Path]) -> Path:
    return specs if specs is not None else ctx.obj.specs


def _progress() -> Progress:
    """A progress line for long runs, on a terminal that can redraw a line."""
    if sys.stderr.isatty() and os.environ.get("TERM") != "dumb":
        return Progress()
    return NO_PROGRESS


def _path(value: Optional[object]) -> Optional[Path]:
    """An option's value as a Path (defaults from the config arrive as text)."""
    return Path(str(value)) if value else None


@main.command()
@_specs_argument
@_output_options
@_wire_names_option
@_jobs_option
@_code_format_option("--format", "--formatter")
@click.pass_context
@_guarded
def generate(ctx: click.Context, specs: Optional[Path], out: Path, package: str, templates: Optional[Path],
             overrides: Optional[Path], target: str, strict: bool, wire_names: str, jobs: int,
             code_format: str) -> None:
    """Write the package and docs generated from SPECS (default: config `specs`).

    SPECS: the folder holding `models/` (an SDK's docs/), `models/` itself,
    or one doc (it and the models it refers to, transitively)."""
    specs = _specs(ctx, specs)
    with _progress() as progress:
        report, warnings = api.generate(specs, Path(out), package, exclude=ctx.obj.exclude, jobs=jobs,
                                        templates=_path(templates), overrides=_path(overrides), target=target,
                                        progress=progress, strict=strict, wire_names=wire_names,
                                        format=code_format)
    _print_diagnostics(warnings, specs)
    click.echo(f"md2models: {report.summary()}", err=True)


@main.command()
@_specs_argument
@_output_options
@_wire_names_option
@_jobs_option
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", *FORMATS]), default="text", show_default=True,
              help="The report: text or json.  `none` and `black` are taken as --formatter, as generate's --format.")
@_code_format_option("--formatter")
@click.option("--full", is_flag=True,
              help="Render every doc and hash every file: trust neither the cache nor the manifest's input keys.")
@click.pass_context
@_guarded
def check(ctx: click.Context, specs: Optional[Path], out: Path, package: str, templates: Optional[Path],
          overrides: Optional[Path], target: str, strict: bool, wire_names: str, jobs: int, quiet: bool,
          fmt: str, code_format: str, full: bool) -> None:
    """Exit 1 (with a diff) when OUT is not what SPECS generate; write nothing."""
    if fmt in FORMATS:  # `check --format black` as `generate --format black` is spelt
        fmt, code_format = "text", fmt
    specs = _specs(ctx, specs)
    with _progress() as progress:
        report, files, warnings = api.check(specs, Path(out), package, exclude=ctx.obj.exclude, jobs=jobs,
                                            templates=_path(templates), overrides=_path(overrides),
                                            target=target, progress=progress, strict=strict, wire_names=wire_names,
                                            format=code_format, full=full)
    if fmt == "json":
        click.echo(json.dumps(check_report_json(report), indent=2, sort_keys=True))
    else:
        _print_diagnostics(warnings, specs)
        text = format_check(report, Path(out).as_posix(), color=want_color(sys.stdout), quiet=quiet,
                            load_new=lambda path: files[path].load())
        click.echo(text, nl=not text.endswith("\n"))
    if not report.up_to_date:
        sys.exit(EXIT_STALE)


@main.command()
@_specs_argument
@_jobs_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--strict/--no-strict", show_default=True, help="Exit 1 when there are warnings.")
@click.option("--unreferenced", is_flag=True,
              help="Also warn about models no other model refers to (an SDK's top-level request and response "
                   "models are such).")
@click.option("--overrides", type=click.Path(path_type=Path, dir_okay=False), show_default=True,
              help="Check this TOML file of overrides against the specs too.")
@_wire_names_option
@click.pass_context
def lint(ctx: click.Context, specs: Optional[Path], jobs: int, fmt: str, strict: bool, unreferenced: bool,
         overrides: Optional[Path], wire_names: str) -> None:
    """Check SPECS without generating: errors and style warnings."""
    specs = _specs(ctx, specs)
    try:
        problems = api.lint(specs, exclude=ctx.obj.exclude, jobs=jobs, unreferenced=unreferenced,
                            overrides=_path(overrides), wire_names=wire_names)
    except ConfigError as exc:
        click.echo(f"md2models: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    errors = sum(1 for p in problems if p.severity == "error")
    if fmt == "json":
        rows = [{"path": p.where(api.spec_root(specs).as_posix()), "line": p.line, "col": p.col,
                 "severity": p.severity, "message": p.message} for p in sorted(problems)]
        click.echo(json.dumps({"errors": errors, "warnings": len(problems) - errors, "problems": rows}, indent=2))
    else:
        _print_diagnostics(problems, specs)
        click.echo(f"md2models: {errors} error(s), {len(problems) - errors} warning(s)", err=True)
    if errors:
        sys.exit(EXIT_USAGE)
    if strict and problems:
        sys.exit(EXIT_STALE)


@main.command("ir")
@_specs_argument
@click.pass_context
@_guarded
def ir_command(ctx: click.Context, specs: Optional[Path]) -> None:
    """Print the intermediate representation of SPECS as JSON."""
    specs = _specs(ctx, specs)
    loaded = api.load(specs, exclude=ctx.obj.exclude)
    click.echo(api.ir_document(loaded.spec), nl=False)


@main.command("diff")
@click.argument("old", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.argument("new", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option("--base", metavar="GIT_REF",
              help="Compare SPECS (the one argument; default: config `specs`) with the same folder at GIT_REF.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="never", show_default=True,
              help="Exit 1 when a change breaks (by --view), when anything changed, or never.")
@click.option("--view", type=click.Choice(VIEWS), default="constructor", show_default=True,
              help="Which code breaks: constructing models, reading them, or both (reader rules on read models).")
@click.option("--overrides", type=click.Path(path_type=Path, dir_okay=False), show_default=True,
              help="Compare the models as generated with this overrides file (checked against NEW).")
@_jobs_option
@click.pass_context
@_guarded
def diff_command(ctx: click.Context, old: Optional[Path], new: Optional[Path], base: Optional[str], fmt: str,
                 fail_on: str, view: str, overrides: Optional[Path], jobs: Optional[int]) -> None:
    """What changed from the models of OLD to those of NEW, and what it breaks."""
    if (base is None) == (new is None):
        raise ConfigError("give OLD and NEW spec folders, or --base GIT_REF and at most one (SPECS)")
    overrides = _path(overrides)  # from the config: text
    fixes = load_overrides(overrides) if overrides is not None else None
    cache_dir = ctx.obj.out / CACHE_DIR if ctx.obj.out.is_dir() else None  # beside the build cache, if any
    jobs = ctx.obj.jobs if jobs is None else jobs
    specs = _specs(ctx, old)  # with --base, SPECS: both sides are named by it
    roots = {"old": specs, "new": new or specs}
    try:
        if base is not None:
            with git_tree(base, specs) as tree:
                result = diff(tree, specs, view=view, exclude=ctx.obj.exclude, jobs=jobs, cache_dir=cache_dir,
                              overrides=fixes)
        else:
            result = diff(specs, roots["new"], view=view, exclude=ctx.obj.exclude, jobs=jobs, cache_dir=cache_dir,
                          overrides=fixes)
    except DiffSpecError as exc:
        for side, found in exc.sides.items():
            if base is not None and side == "old":  # the doc as it is at BASE: named by its work-tree path
                found = tuple(replace(d, message=f"{d.message} (at {base})") for d in found)
            _print_diagnostics(found, roots[side])
        click.echo(f"md2models: {len(exc.errors)} error{'s' if len(exc.errors) != 1 else ''} in the specs", err=True)
        sys.exit(EXIT_USAGE)
    if fmt == "json":
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        text = format_markdown(result) if fmt == "markdown" else format_text(result, color=want_color(sys.stdout))
        click.echo(text, nl=not text.endswith("\n"))
    if result.fails(fail_on):
        sys.exit(EXIT_STALE)


@main.command("overrides")
@_specs_argument
@click.option("--from-package", "packages", multiple=True, required=True,
              type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="Folder of an existing SDK's model sources (read, never imported); repeatable.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the TOML file here (default: stdout).")
@_jobs_option
@click.pass_context
@_guarded
def overrides_command(ctx: click.Context, specs: Optional[Path], packages: tuple[Path, ...],
                      output: Optional[Path], jobs: int) -> None:
    """Write the overrides that make SPECS generate the models of an existing SDK exactly."""
    specs = _specs(ctx, specs)
    result = overridesgen.bootstrap(specs, packages, exclude=ctx.obj.exclude, jobs=jobs)
    for source, line, message in result.notes:
        click.echo(f"{source}:{line}: note: {message}", err=True)
    if output is None:
        click.echo(result.text, nl=False)
    else:  # whole or not at all
        partial = output.with_name(f".{output.name}.partial")
        partial.write_text(result.text, encoding="utf-8")
        os.replace(partial, output)
    click.echo(f"md2models: {result.summary()}", err=True)


class _Interrupted(BaseException):
    """Ctrl-C, raised past click, which would exit 1: `check`'s "stale"."""


def _interrupt(signum: int, frame: object) -> None:
    raise _Interrupted


def run() -> None:
    """The console script: `main` as a short-lived process.  The cyclic
    garbage collector is off (a run makes no garbage worth collecting:
    measured, the same peak memory; its passes over the 18k-doc cache cost a
    third of a no-op run), and the process ends without tearing down its
    heap (another 0.1-0.2 s), once the output is flushed.  Ctrl-C exits 130."""
    gc.disable()
    signal.signal(signal.SIGINT, _interrupt)
    try:
        main()
        status: object = 0
    except SystemExit as exc:
        status = exc.code
    except _Interrupted:
        click.echo("md2models: interrupted", err=True)
        status = EXIT_INTERRUPTED
    if status is not None and not isinstance(status, int):  # sys.exit("message")
        click.echo(status, err=True)
        status = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status or 0)


if __name__ == "__main__":  # pragma: no cover
    run()

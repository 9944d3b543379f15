"""The `md2models` command: a thin layer over `generator.api`.

Exit status: 0 success; 1 `check` found stale output (or `lint --strict`
found warnings); 2 bad specs, config or usage (and, for `generate` and
`check` under `--strict`, warnings).  Problems are printed as
`path:line:col: severity: message`, never as a traceback; `lint`, `check`
and `diff` also write them for CI with `--format github|sarif` (`reports`).
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
from typing import Any, Callable, NoReturn, Optional, Sequence

import click

from . import __version__, api, overridesgen, reports
from . import watch as watching
from .config import FORMATS, PYTHON_VERSIONS, TARGETS, Config, ConfigError, load_config
from .fmt import format_docs
from .wirenames import POLICIES
from .diagnostics import Diagnostic, SpecError
from .workers import interrupts_held
from .progress import NO_PROGRESS, Progress
from .terminal import want_color
from .write import OutputError, check_report_json, format_check, unified_diff
from .diff import FAIL_ON, VIEWS, DiffSpecError, diff
from .overrides import load_overrides
from .gitref import git_tree
from .diffrender import format_markdown, format_text
from .reports import REPORT_FORMATS

EXIT_STALE = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


def _print_diagnostics(diagnostics: Sequence[Diagnostic], specs: Path) -> None:
    root = api.spec_root(specs).as_posix()  # what the docs' paths are relative to
    for diagnostic in sorted(diagnostics):
        click.echo(diagnostic.format(root), err=True)


def _report(fmt: Optional[str], findings: Sequence[reports.Finding]) -> None:
    """`--format github|sarif`: the CI report on stdout (the text report goes to stderr)."""
    if fmt in REPORT_FORMATS:
        click.echo(reports.render(str(fmt), findings), nl=False)


def _guarded(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the errors users can cause into messages and exit status 2."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except SpecError as exc:
            root = kwargs.get("specs") or click.get_current_context().obj.specs
            _report(kwargs.get("fmt"), reports.diagnostic_findings(exc.diagnostics, api.spec_root(root).as_posix()))
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
    shared = _output_defaults(config)
    ctx.obj = config
    ctx.default_map = {
        "generate": shared,
        "check": shared,
        "lint": {"jobs": config.jobs, "overrides": shared["overrides"], "strict": config.strict,
                 "wire_names": config.wire_names},
        "overrides": {"jobs": config.jobs},
        "diff": {"overrides": shared["overrides"]},
    }


def _output_defaults(config: Config) -> dict[str, Any]:
    """The config's values of generate's and check's options."""
    return {"out": str(config.out), "package": config.package, "jobs": config.jobs,
            "templates": str(config.templates) if config.templates else None,
            "overrides": str(config.overrides) if config.overrides else None,
            "target": config.target, "strict": config.strict, "wire_names": config.wire_names,
            "code_format": config.format, "python_version": config.python_version, "docs_out": config.docs_out,
            "state_dir": str(config.state_dir) if config.state_dir else None}


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
    command = click.option("--python-version", type=click.Choice(PYTHON_VERSIONS), show_default=True,
                           help="The oldest Python the code is written for: from 3.10 on `list[str]`, "
                                "`X | None` and the other spellings its linters expect.")(command)
    command = click.option("--overrides", type=click.Path(path_type=Path, dir_okay=False), show_default=True,
                           help="TOML file of overrides (aliases, types, defaults, class names, bases, "
                                "decorators); a pyproject.toml: its [tool.md2models.overrides].")(command)
    command = click.option("--templates", "-t", type=click.Path(path_type=Path, file_okay=False, exists=True),
                           show_default=True,
                           help="Folder of templates that replace the built-in ones of the same name.")(command)
    command = click.option("--package", "-p", show_default=True, help="Name of the generated package.")(command)
    command = click.option("--docs-out", metavar="DIR", help="Where the regenerated docs go (default: OUT/docs); "
                           "`none`: no docs.")(command)
    command = click.option("--state-dir", type=click.Path(path_type=Path, file_okay=False),
                           help="Keep the manifest (and, git-ignored, the cache) in this folder, e.g. .md2models, "
                                "not in OUT; generated paths are then relative to its parent.")(command)
    return click.option("--out", "-o", type=click.Path(path_type=Path, file_okay=False), show_default=True,
                        help="Output root: gets PACKAGE/ (and docs/, and the manifest, by default).")(command)


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
    """A progress line for long runs, on a terminal that can redraw a line.  Its
    thread starts with SIGINT held, for good: a Ctrl-C it took while the main
    thread holds SIGINT off to fork workers would stop the run mid-fork."""
    if sys.stderr.isatty() and os.environ.get("TERM") != "dumb":
        with interrupts_held():
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
@click.option("--watch", is_flag=True, help="Generate again after each save of the specs, the config, the "
              "overrides or the templates, until Ctrl-C.")
@click.pass_context
@_guarded
def generate(ctx: click.Context, specs: Optional[Path], out: Path, package: str, templates: Optional[Path],
             overrides: Optional[Path], target: str, python_version: str, strict: bool, wire_names: str, jobs: int,
             code_format: str, docs_out: Optional[str], state_dir: Optional[Path], watch: bool) -> None:
    """Write the package and docs generated from SPECS (default: config `specs`).

    SPECS: the folder holding `models/` (an SDK's docs/), `models/` itself,
    or one doc (it and the models it refers to, transitively)."""
    if watch:
        _watch(ctx)
    specs = _specs(ctx, specs)
    with _progress() as progress:
        report, warnings = api.generate(specs, Path(out), package, exclude=ctx.obj.exclude, jobs=jobs,
                                        templates=_path(templates), overrides=_path(overrides), target=target,
                                        progress=progress, strict=strict, wire_names=wire_names,
                                        format=code_format, docs_out=docs_out, state_dir=_path(state_dir),
                                        python_version=python_version)
    _print_diagnostics(warnings, specs)
    click.echo(f"md2models: {report.summary()}", err=True)


def _watch(ctx: click.Context) -> NoReturn:
    """generate --watch: the config is read again before each run; options given on the command line win."""
    given = {name: value for name, value in ctx.params.items()
             if ctx.get_parameter_source(name) is click.core.ParameterSource.COMMANDLINE}

    def settings() -> watching.Settings:
        config = load_config()
        options = {**_output_defaults(config), **given}
        return watching.Settings(
            specs=options.get("specs") or config.specs, out=Path(options["out"]), package=options["package"],
            exclude=config.exclude, jobs=options["jobs"], templates=_path(options["templates"]),
            overrides=_path(options["overrides"]), target=options["target"], strict=options["strict"],
            wire_names=options["wire_names"], format=options["code_format"], python_version=options["python_version"],
            docs_out=options["docs_out"],
            state_dir=_path(options["state_dir"]), config=config.source)

    def report(rebuild: watching.Rebuild) -> None:
        click.echo(rebuild.line(), err=True)
        _print_diagnostics(rebuild.diagnostics, rebuild.specs)

    try:
        watching.watch(settings, report, _progress)
    except KeyboardInterrupt:  # how watchfiles hands on Ctrl-C
        raise _Interrupted from None


@main.command()
@_specs_argument
@_output_options
@_wire_names_option
@_jobs_option
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", *REPORT_FORMATS, *FORMATS]), default="text",
              show_default=True, help="The report: text, json, or github or sarif for CI.  `none` and `black` are "
                                      "taken as --formatter, as generate's --format.")
@_code_format_option("--formatter")
@click.option("--full", is_flag=True,
              help="Render every doc and hash every file: trust neither the cache nor the manifest's input keys.")
@click.pass_context
@_guarded
def check(ctx: click.Context, specs: Optional[Path], out: Path, package: str, templates: Optional[Path],
          overrides: Optional[Path], target: str, python_version: str, strict: bool, wire_names: str, jobs: int,
          quiet: bool, fmt: str, code_format: str, docs_out: Optional[str], state_dir: Optional[Path],
          full: bool) -> None:
    """Exit 1 (with a diff) when OUT is not what SPECS generate; write nothing."""
    if fmt in FORMATS:  # `check --format black` as `generate --format black` is spelt
        fmt, code_format = "text", fmt
    specs = _specs(ctx, specs)
    with _progress() as progress:
        report, files, warnings = api.check(specs, Path(out), package, exclude=ctx.obj.exclude, jobs=jobs,
                                            templates=_path(templates), overrides=_path(overrides),
                                            target=target, progress=progress, strict=strict, wire_names=wire_names,
                                            format=code_format, docs_out=docs_out, state_dir=_path(state_dir),
                                            python_version=python_version, full=full)
    if fmt == "json":
        click.echo(json.dumps(check_report_json(report), indent=2, sort_keys=True))
    else:
        root = api.spec_root(specs).as_posix()
        _report(fmt, [*reports.diagnostic_findings(warnings, root),
                      *reports.check_findings(report, root, lambda path: files[path].load())])
        _print_diagnostics(warnings, specs)
        to_ci = fmt in REPORT_FORMATS  # the text report goes to stderr
        text = format_check(report, report.out.as_posix(), color=want_color(sys.stderr if to_ci else sys.stdout),
                            quiet=quiet, load_new=lambda path: files[path].load())
        click.echo(text, nl=not text.endswith("\n"), err=to_ci)
    if not report.up_to_date:
        sys.exit(EXIT_STALE)


@main.command()
@_specs_argument
@_jobs_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", *REPORT_FORMATS]), default="text",
              show_default=True, help="The report: text, json, or github or sarif for CI.")
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
    root = api.spec_root(specs).as_posix()
    if fmt == "json":
        rows = [{"path": p.where(root), "line": p.line, "col": p.col, "severity": p.severity, "message": p.message,
                 "rule": p.rule} for p in sorted(problems)]
        click.echo(json.dumps({"errors": errors, "warnings": len(problems) - errors, "problems": rows}, indent=2))
    else:
        _report(fmt, reports.diagnostic_findings(problems, root))
        _print_diagnostics(problems, specs)
        click.echo(f"md2models: {errors} error(s), {len(problems) - errors} warning(s)", err=True)
    if errors:
        sys.exit(EXIT_USAGE)
    if strict and problems:
        sys.exit(EXIT_STALE)


@main.command("fmt")
@click.argument("specs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Write nothing; exit 1 and list the docs that would change.")
@click.option("--diff", "show_diff", is_flag=True, help="As --check, with a unified diff per doc.")
@click.option("--quiet", "-q", is_flag=True, help="Print only problems.")
@click.pass_context
@_guarded
def fmt_command(ctx: click.Context, specs: tuple[Path, ...], check: bool, show_diff: bool, quiet: bool) -> None:
    """Rewrite docs in place in the canonical form generate writes to OUT/docs.

    SPECS: spec folders or docs (default: config `specs`); a doc is that doc alone."""
    write = not (check or show_diff)
    report = format_docs(specs or (ctx.obj.specs,), exclude=ctx.obj.exclude, write=write,
                         templates=ctx.obj.templates)
    color = want_color(sys.stdout)
    for doc in report.changed:
        if show_diff:
            click.echo("\n".join(unified_diff(doc.path, doc.old, doc.new, color)))
        elif not quiet:
            click.echo(f"{'reformatted' if write else 'would reformat'} {doc.path}")
    for diagnostic in sorted(report.diagnostics):  # at the paths as named
        click.echo(diagnostic.format(), err=True)
    if not quiet or report.diagnostics:
        click.echo(f"md2models: {report.summary(write)}", err=True)
    if report.errors:
        sys.exit(EXIT_USAGE)
    if report.changed and not write:
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
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json", *REPORT_FORMATS]), default="text",
              show_default=True, help="The report: text, markdown, json, or github or sarif for CI.")
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
    config = ctx.obj
    cache = api.plan_layout(config.out, config.package, docs_out=config.docs_out, state_dir=config.state_dir).keep.cache
    cache_dir = cache if cache.parent.is_dir() else None  # beside the build cache, if the output is there
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
        findings: list[reports.Finding] = []
        for side, found in exc.sides.items():
            if base is not None and side == "old":  # the doc as it is at BASE: named by its work-tree path
                found = tuple(replace(d, message=f"{d.message} (at {base})") for d in found)
            _print_diagnostics(found, roots[side])
            findings += reports.diagnostic_findings(found, api.spec_root(roots[side]).as_posix())
        _report(fmt, findings)
        click.echo(f"md2models: {len(exc.errors)} error{'s' if len(exc.errors) != 1 else ''} in the specs", err=True)
        sys.exit(EXIT_USAGE)
    if fmt == "json":
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        _report(fmt, reports.diff_findings(result, api.spec_root(roots["old"]).as_posix(),
                                           api.spec_root(roots["new"]).as_posix()))
        to_ci = fmt in REPORT_FORMATS  # the text report goes to stderr
        text = (format_markdown(result) if fmt == "markdown"
                else format_text(result, color=want_color(sys.stderr if to_ci else sys.stdout)))
        click.echo(text, nl=not text.endswith("\n"), err=to_ci)
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


@main.command("lsp")
def lsp_command() -> None:
    """Serve the Language Server Protocol on stdin/stdout (the workspace's pyproject.toml configures it)."""
    from .lspserver import serve  # pygls loads only for the server

    gc.enable()  # a long-running process makes garbage
    sys.exit(serve())


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
    for stream in (sys.stdout, sys.stderr):
        if not stream.closed:  # `lsp` closes stdout on `exit`
            stream.flush()
    os._exit(status or 0)


if __name__ == "__main__":  # pragma: no cover
    run()

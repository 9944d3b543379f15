"""`md2models lsp`: the Language Server Protocol over stdio (pygls), a thin
front end over `workspace` (the docs and their diagnostics) and `docnav`
(what an editor asks of a doc).

Here: the protocol's messages, positions in the client's units, debouncing
edits, and keeping the server alive: an exception in a handler is logged
(`window/logMessage`) and, for a request, answered as an error response.
"""

from __future__ import annotations

import asyncio
import functools
import traceback
from pathlib import Path
from typing import Any, Callable, Optional, TypeVar

from lsprotocol import types as lsp
from lsprotocol.types import Diagnostic as ProtocolDiagnostic  # not ours (diagnostics.Diagnostic)
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace.position_codec import ServerTextPosition, ServerTextRange

from . import __version__, docnav
from .config import ConfigError
from .diagnostics import SpecError
from .workspace import Workspace

# Diagnostics wait this long after the last keystroke (seconds).
DEBOUNCE = 0.1
SEVERITY = {"error": lsp.DiagnosticSeverity.Error, "warning": lsp.DiagnosticSeverity.Warning}
KINDS = {"model": lsp.CompletionItemKind.Class, "type": lsp.CompletionItemKind.Keyword,
         "value": lsp.CompletionItemKind.Value}
Handler = TypeVar("Handler", bound=Callable[..., Any])


class Md2ModelsServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("md2models", __version__)
        self.ws: Optional[Workspace] = None
        self.pending: dict[str, str] = {}  # path -> text edited since the last diagnostics
        self.timer: Optional[asyncio.TimerHandle] = None
        self.stopping = False  # a shutdown request came

    # --- positions ------------------------------------------------------------------

    def lines(self, path: str) -> list[str]:
        assert self.ws is not None
        if Path(path).is_absolute():  # the overrides file
            try:
                return Path(path).read_text(encoding="utf-8", errors="replace").split("\n")
            except OSError:
                return []
        return (self.ws.text(path) or "").split("\n")

    def range(self, span: docnav.Span, lines: Optional[list[str]] = None) -> lsp.Range:
        codec = self.workspace.position_codec
        server = ServerTextRange(ServerTextPosition(span.line, span.start), ServerTextPosition(span.line, span.end))
        return codec.range_to_client_units(lines if lines is not None else self.lines(span.path), server)

    def location(self, span: docnav.Span) -> lsp.Location:
        return lsp.Location(uri=self.uri(span.path), range=self.range(span))

    def uri(self, path: str) -> str:
        assert self.ws is not None
        return from_fs_path(str(self.ws.path_of(path))) or ""

    def at(self, document: lsp.TextDocumentIdentifier, position: lsp.Position) -> Optional[tuple[str, int, int]]:
        """(doc path, line, character in code points) of a position, if in a doc of the spec."""
        if self.ws is None:
            return None
        rel = self.ws.relpath(to_fs_path(document.uri) or "")
        if rel is None:
            return None
        where = self.workspace.position_codec.position_from_client_units(self.lines(rel), position)
        return rel, where.line, where.character

    # --- diagnostics ----------------------------------------------------------------

    def publish(self, opened: Optional[str] = None) -> None:
        """Publish the diagnostics that changed, for every file they concern
        (and those of a doc just `opened`, changed or not)."""
        assert self.ws is not None
        changed = self.ws.refresh()
        if opened is not None and opened not in changed:
            changed[opened] = self.ws.published.get(opened, ())
        for path, found in sorted(changed.items()):
            lines = self.lines(path)
            items = [ProtocolDiagnostic(range=self.range(docnav.diagnostic_span(self.ws, d, lines), lines),
                                    message=d.message, severity=SEVERITY[d.severity], code=d.rule,
                                    source="md2models")
                     for d in found]
            self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=self.uri(path), diagnostics=items))

    def edited(self, rel: str, text: str) -> None:
        """A doc's text changed in the editor: answer with it at once, diagnose it after a pause."""
        assert self.ws is not None
        self.ws.open[rel] = text
        self.pending[rel] = text
        if self.timer is not None:
            self.timer.cancel()
        self.timer = asyncio.get_running_loop().call_later(DEBOUNCE, self.guarded_flush)

    def flush(self) -> None:
        assert self.ws is not None
        pending, self.pending = self.pending, {}
        for rel, text in pending.items():
            self.ws.set_open(rel, text)
        self.publish()

    def guarded_flush(self) -> None:
        try:
            self.flush()
        except Exception:
            self.log_error("diagnostics")

    def log_error(self, what: str) -> None:
        self.window_log_message(lsp.LogMessageParams(type=lsp.MessageType.Error,
                                                     message=f"md2models: {what} failed:\n{traceback.format_exc()}"))


server = Md2ModelsServer()


def request(method: str, options: Any = None) -> Callable[[Handler], Handler]:
    """A request handler: an exception is logged, then answered as an error response (pygls sends it)."""
    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def run(ls: Md2ModelsServer, params: Any) -> Any:
            try:
                return handler(ls, params)
            except Exception:
                ls.log_error(method)
                raise
        server.feature(method, options)(run)
        return run  # type: ignore[return-value]
    return wrap


def notification(method: str, options: Any = None) -> Callable[[Handler], Handler]:
    """A notification handler: an exception is logged; there is no one to answer."""
    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def run(ls: Md2ModelsServer, params: Any) -> None:
            try:
                handler(ls, params)
            except Exception:
                ls.log_error(method)
        server.feature(method, options)(run)
        return run  # type: ignore[return-value]
    return wrap


@request(lsp.INITIALIZE)
def initialize(ls: Md2ModelsServer, params: lsp.InitializeParams) -> None:
    """The workspace's root: the first workspace folder, else rootUri; its index is built now."""
    folders = params.workspace_folders or []
    uri = folders[0].uri if folders else params.root_uri
    root = Path((to_fs_path(uri) if uri else None) or ".")
    try:
        ls.ws = Workspace(root)
    except (ConfigError, SpecError) as exc:
        text = str(exc) if isinstance(exc, ConfigError) else "; ".join(d.format() for d in exc.diagnostics)
        ls.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Error, message=f"md2models: {text}"))


@notification(lsp.INITIALIZED)
def initialized(ls: Md2ModelsServer, params: lsp.InitializedParams) -> None:
    """Ask to hear of docs created, changed and deleted on disk, and of the overrides file."""
    if ls.ws is None:
        return
    ls.publish()
    capabilities = ls.client_capabilities.workspace
    dynamic = capabilities.did_change_watched_files if capabilities else None
    if not (dynamic and dynamic.dynamic_registration):
        return
    globs = ["**/*.md", *([str(ls.ws.config.overrides)] if ls.ws.config.overrides else [])]
    options = lsp.DidChangeWatchedFilesRegistrationOptions(watchers=[lsp.FileSystemWatcher(glob_pattern=g)
                                                                     for g in globs])
    ls.client_register_capability(lsp.RegistrationParams(registrations=[
        lsp.Registration(id="md2models-files", method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                         register_options=options)]))


@notification(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: Md2ModelsServer, params: lsp.DidOpenTextDocumentParams) -> None:
    rel = ls.ws.relpath(to_fs_path(params.text_document.uri) or "") if ls.ws else None
    if rel is not None and ls.ws is not None:
        ls.ws.set_open(rel, params.text_document.text)
        ls.publish(opened=rel)


@notification(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: Md2ModelsServer, params: lsp.DidChangeTextDocumentParams) -> None:
    rel = ls.ws.relpath(to_fs_path(params.text_document.uri) or "") if ls.ws else None
    if rel is not None:
        ls.edited(rel, ls.workspace.get_text_document(params.text_document.uri).source)


@notification(lsp.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: Md2ModelsServer, params: lsp.DidSaveTextDocumentParams) -> None:
    if ls.ws is not None:
        ls.flush()


@notification(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: Md2ModelsServer, params: lsp.DidCloseTextDocumentParams) -> None:
    rel = ls.ws.relpath(to_fs_path(params.text_document.uri) or "") if ls.ws else None
    if rel is not None and ls.ws is not None:
        ls.pending.pop(rel, None)
        ls.ws.set_open(rel, None)
        ls.publish()


@notification(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(ls: Md2ModelsServer, params: lsp.DidChangeWatchedFilesParams) -> None:
    if ls.ws is None:
        return
    for change in params.changes:
        path = to_fs_path(change.uri) or ""
        if ls.ws.config.overrides is not None and Path(path) == Path(ls.ws.config.overrides).absolute():
            ls.ws.reload_config()
            continue
        rel = ls.ws.relpath(path)
        if rel is not None:
            ls.ws.reload(rel)
    ls.publish()


@request(lsp.TEXT_DOCUMENT_DEFINITION)
def definition(ls: Md2ModelsServer, params: lsp.DefinitionParams) -> list[lsp.Location]:
    at = ls.at(params.text_document, params.position)
    return [ls.location(span) for span in docnav.definition(ls.ws, *at)] if at and ls.ws else []


@request(lsp.TEXT_DOCUMENT_REFERENCES)
def references(ls: Md2ModelsServer, params: lsp.ReferenceParams) -> list[lsp.Location]:
    at = ls.at(params.text_document, params.position)
    if at is None or ls.ws is None:
        return []
    return [ls.location(span) for span in docnav.references(ls.ws, *at, params.context.include_declaration)]


@request(lsp.TEXT_DOCUMENT_HOVER)
def hover(ls: Md2ModelsServer, params: lsp.HoverParams) -> Optional[lsp.Hover]:
    at = ls.at(params.text_document, params.position)
    found = docnav.hover(ls.ws, *at) if at and ls.ws else None
    if found is None:
        return None
    text, span = found
    return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text), range=ls.range(span))


@request(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=["[", ".", "|", " "]))
def completion(ls: Md2ModelsServer, params: lsp.CompletionParams) -> lsp.CompletionList:
    at = ls.at(params.text_document, params.position)
    found = docnav.completion(ls.ws, *at) if at and ls.ws else []
    items = [lsp.CompletionItem(label=c.label, kind=KINDS[c.kind], detail=c.detail or None, filter_text=c.label,
                                text_edit=lsp.TextEdit(range=ls.range(c.span), new_text=c.text)) for c in found]
    return lsp.CompletionList(is_incomplete=len(items) >= docnav.COMPLETION_LIMIT, items=items)


@request(lsp.TEXT_DOCUMENT_FORMATTING)
def formatting(ls: Md2ModelsServer, params: lsp.DocumentFormattingParams) -> list[lsp.TextEdit]:
    rel = ls.ws.relpath(to_fs_path(params.text_document.uri) or "") if ls.ws else None
    new = docnav.formatted(ls.ws, rel) if rel is not None and ls.ws else None
    if new is None or rel is None:
        return []
    lines = ls.lines(rel)
    end = ls.range(docnav.Span(rel, len(lines) - 1, len(lines[-1]), len(lines[-1])), lines).end
    return [lsp.TextEdit(range=lsp.Range(start=lsp.Position(line=0, character=0), end=end), new_text=new)]


@request(lsp.TEXT_DOCUMENT_CODE_ACTION,
         lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]))
def code_action(ls: Md2ModelsServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    rel = ls.ws.relpath(to_fs_path(params.text_document.uri) or "") if ls.ws else None
    if rel is None or ls.ws is None:
        return []
    found = []
    for action in docnav.code_actions(ls.ws, rel, params.range.start.line, params.range.end.line):
        changes: list[Any] = []
        if action.edits:
            changes.append(lsp.TextDocumentEdit(
                text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=params.text_document.uri, version=None),
                edits=[lsp.TextEdit(range=ls.range(span), new_text=text) for span, text in action.edits]))
        if action.create is not None:
            uri = ls.uri(action.create[0])
            changes.append(lsp.CreateFile(uri=uri, options=lsp.CreateFileOptions(ignore_if_exists=True)))
            changes.append(lsp.TextDocumentEdit(
                text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
                edits=[lsp.TextEdit(range=lsp.Range(start=lsp.Position(line=0, character=0),
                                                    end=lsp.Position(line=0, character=0)),
                                    new_text=action.create[1])]))
        found.append(lsp.CodeAction(title=action.title, kind=lsp.CodeActionKind.QuickFix,
                                    edit=lsp.WorkspaceEdit(document_changes=changes)))
    return found


@request(lsp.SHUTDOWN)
def shutdown(ls: Md2ModelsServer, params: None) -> None:
    ls.stopping = True


def serve() -> int:
    """Serve one client on stdin/stdout until it sends `exit`: the exit
    status, 0 after a `shutdown` request, else 1 (as the protocol says)."""
    server.start_io()
    return 0 if server.stopping else 1

"""Models of this folder (lazily imported)."""

import importlib
from typing import TYPE_CHECKING, Any, Dict, List

if TYPE_CHECKING:
    from .author import (
        Author,
        AuthorTypedDict,
    )
    from .binop import (
        BinOp,
        BinOpTypedDict,
    )
    from .book import (
        Book,
        BookTypedDict,
    )
    from .expr import (
        Expr,
        ExprTypedDict,
    )
    from .node import (
        Node,
        NodeTypedDict,
    )
    from .num import (
        Num,
        NumTypedDict,
    )

# name -> module (relative to this package); nothing is imported until used
_LAZY: Dict[str, str] = {
    "Author": ".author",
    "AuthorTypedDict": ".author",
    "BinOp": ".binop",
    "BinOpTypedDict": ".binop",
    "Book": ".book",
    "BookTypedDict": ".book",
    "Expr": ".expr",
    "ExprTypedDict": ".expr",
    "Node": ".node",
    "NodeTypedDict": ".node",
    "Num": ".num",
    "NumTypedDict": ".num",
}

__all__: List[str] = [
    "Author",
    "AuthorTypedDict",
    "BinOp",
    "BinOpTypedDict",
    "Book",
    "BookTypedDict",
    "Expr",
    "ExprTypedDict",
    "Node",
    "NodeTypedDict",
    "Num",
    "NumTypedDict",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(_LAZY))

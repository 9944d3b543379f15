"""The golden_cycles models (lazily imported)."""

# The index re-exports the models the docs deprecate, as it should.
# pyright: reportDeprecated=false

import importlib
from typing import TYPE_CHECKING, Any, Dict, List

if TYPE_CHECKING:
    from .models.author import (
        Author,
        AuthorTypedDict,
    )
    from .models.binop import (
        BinOp,
        BinOpTypedDict,
    )
    from .models.book import (
        Book,
        BookTypedDict,
    )
    from .models.expr import (
        Expr,
        ExprTypedDict,
    )
    from .models.node import (
        Node,
        NodeTypedDict,
    )
    from .models.num import (
        Num,
        NumTypedDict,
    )

# name -> module (relative to this package); nothing is imported until used
_LAZY: Dict[str, str] = {
    "Author": ".models.author",
    "AuthorTypedDict": ".models.author",
    "BinOp": ".models.binop",
    "BinOpTypedDict": ".models.binop",
    "Book": ".models.book",
    "BookTypedDict": ".models.book",
    "Expr": ".models.expr",
    "ExprTypedDict": ".models.expr",
    "Node": ".models.node",
    "NodeTypedDict": ".models.node",
    "Num": ".models.num",
    "NumTypedDict": ".models.num",
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

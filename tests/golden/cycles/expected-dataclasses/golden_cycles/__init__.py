"""The golden_cycles models (lazily imported)."""

import importlib
from typing import TYPE_CHECKING, Any, Dict, List

if TYPE_CHECKING:
    from .models.author import (
        Author,
    )
    from .models.binop import (
        BinOp,
    )
    from .models.book import (
        Book,
    )
    from .models.expr import (
        Expr,
    )
    from .models.node import (
        Node,
    )
    from .models.num import (
        Num,
    )

# name -> module (relative to this package); nothing is imported until used
_LAZY: Dict[str, str] = {
    "Author": ".models.author",
    "BinOp": ".models.binop",
    "Book": ".models.book",
    "Expr": ".models.expr",
    "Node": ".models.node",
    "Num": ".models.num",
}

__all__: List[str] = [
    "Author",
    "BinOp",
    "Book",
    "Expr",
    "Node",
    "Num",
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

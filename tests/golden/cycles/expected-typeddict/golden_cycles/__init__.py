"""The golden_cycles models (lazily imported)."""

import importlib
from typing import TYPE_CHECKING, Any, Dict, List

if TYPE_CHECKING:
    from .models.author import (
        AuthorTypedDict,
    )
    from .models.binop import (
        BinOpTypedDict,
    )
    from .models.book import (
        BookTypedDict,
    )
    from .models.expr import (
        ExprTypedDict,
    )
    from .models.node import (
        NodeTypedDict,
    )
    from .models.num import (
        NumTypedDict,
    )

# name -> module (relative to this package); nothing is imported until used
_LAZY: Dict[str, str] = {
    "AuthorTypedDict": ".models.author",
    "BinOpTypedDict": ".models.binop",
    "BookTypedDict": ".models.book",
    "ExprTypedDict": ".models.expr",
    "NodeTypedDict": ".models.node",
    "NumTypedDict": ".models.num",
}

__all__: List[str] = [
    "AuthorTypedDict",
    "BinOpTypedDict",
    "BookTypedDict",
    "ExprTypedDict",
    "NodeTypedDict",
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

"""Models of this folder (lazily imported)."""

import importlib
from typing import TYPE_CHECKING, Any, Dict, List

if TYPE_CHECKING:
    from .address import (
        Address,
        AddressTypedDict,
    )
    from .status import (
        Status,
    )

# name -> module (relative to this package); nothing is imported until used
_LAZY: Dict[str, str] = {
    "Address": ".address",
    "AddressTypedDict": ".address",
    "Status": ".status",
}

__all__: List[str] = [
    "Address",
    "AddressTypedDict",
    "Status",
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

"""The golden_nested models (lazily imported)."""

import importlib
from typing import TYPE_CHECKING, Any, Dict, List

if TYPE_CHECKING:
    from .models.operations.addresskind import (
        AddressKind,
    )
    from .models.operations.createuserrequest import (
        CreateUserRequest,
    )
    from .models.operations.result import (
        Result,
    )
    from .models.shared.address import (
        Address,
    )

# name -> module (relative to this package); nothing is imported until used
_LAZY: Dict[str, str] = {
    "AddressKind": ".models.operations.addresskind",
    "CreateUserRequest": ".models.operations.createuserrequest",
    "Result": ".models.operations.result",
    "Address": ".models.shared.address",
}

__all__: List[str] = [
    "AddressKind",
    "CreateUserRequest",
    "Result",
    "Address",
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

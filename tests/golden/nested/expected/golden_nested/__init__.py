"""The golden_nested models (lazily imported)."""

# The index re-exports the models the docs deprecate, as it should.
# pyright: reportDeprecated=false

import importlib
from typing import TYPE_CHECKING, Any, Dict, List

if TYPE_CHECKING:
    from .models.operations.addresskind import (
        AddressKind,
    )
    from .models.operations.createuserrequest import (
        CreateUserRequest,
        CreateUserRequestTypedDict,
    )
    from .models.operations.result import (
        Result,
        ResultTypedDict,
    )
    from .models.shared.address import (
        Address,
        AddressTypedDict,
    )

# name -> module (relative to this package); nothing is imported until used
_LAZY: Dict[str, str] = {
    "AddressKind": ".models.operations.addresskind",
    "CreateUserRequest": ".models.operations.createuserrequest",
    "CreateUserRequestTypedDict": ".models.operations.createuserrequest",
    "Result": ".models.operations.result",
    "ResultTypedDict": ".models.operations.result",
    "Address": ".models.shared.address",
    "AddressTypedDict": ".models.shared.address",
}

__all__: List[str] = [
    "AddressKind",
    "CreateUserRequest",
    "CreateUserRequestTypedDict",
    "Result",
    "ResultTypedDict",
    "Address",
    "AddressTypedDict",
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

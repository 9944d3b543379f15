"""The session_models models (lazily imported)."""

# The index re-exports the models the docs deprecate, as it should.
# pyright: reportDeprecated=false

import importlib
from typing import TYPE_CHECKING, Any, Dict, List

if TYPE_CHECKING:
    from .models.getsessionbilling import (
        GetSessionBilling,
        GetSessionBillingTypedDict,
    )
    from .models.getsessionresponsebody import (
        GetSessionResponseBody,
        GetSessionResponseBodyTypedDict,
    )
    from .models.getsessionusage import (
        GetSessionUsage,
        GetSessionUsageTypedDict,
    )

# name -> module (relative to this package); nothing is imported until used
_LAZY: Dict[str, str] = {
    "GetSessionBilling": ".models.getsessionbilling",
    "GetSessionBillingTypedDict": ".models.getsessionbilling",
    "GetSessionResponseBody": ".models.getsessionresponsebody",
    "GetSessionResponseBodyTypedDict": ".models.getsessionresponsebody",
    "GetSessionUsage": ".models.getsessionusage",
    "GetSessionUsageTypedDict": ".models.getsessionusage",
}

__all__: List[str] = [
    "GetSessionBilling",
    "GetSessionBillingTypedDict",
    "GetSessionResponseBody",
    "GetSessionResponseBodyTypedDict",
    "GetSessionUsage",
    "GetSessionUsageTypedDict",
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

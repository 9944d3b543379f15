"""Models of this folder (lazily imported)."""

import importlib
from typing import TYPE_CHECKING, Any, Dict, List

if TYPE_CHECKING:
    from .holder import (
        Holder,
        HolderTypedDict,
    )
    from .legacykind import (
        LegacyKind,
    )
    from .level import (
        Level,
    )
    from .opencolor import (
        OpenColor,
    )
    from .openpriority import (
        OpenPriority,
    )
    from .openstatus import (
        OpenStatus,
    )
    from .priority import (
        Priority,
    )
    from .sortorder import (
        SortOrder,
    )
    from .status import (
        Status,
    )

# name -> module (relative to this package); nothing is imported until used
_LAZY: Dict[str, str] = {
    "Holder": ".holder",
    "HolderTypedDict": ".holder",
    "LegacyKind": ".legacykind",
    "Level": ".level",
    "OpenColor": ".opencolor",
    "OpenPriority": ".openpriority",
    "OpenStatus": ".openstatus",
    "Priority": ".priority",
    "SortOrder": ".sortorder",
    "Status": ".status",
}

__all__: List[str] = [
    "Holder",
    "HolderTypedDict",
    "LegacyKind",
    "Level",
    "OpenColor",
    "OpenPriority",
    "OpenStatus",
    "Priority",
    "SortOrder",
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

"""The golden_enums models (lazily imported)."""

# The index re-exports the models the docs deprecate, as it should.
# pyright: reportDeprecated=false

import importlib
from typing import TYPE_CHECKING, Any, Dict, List

if TYPE_CHECKING:
    from .models.holder import (
        Holder,
        HolderTypedDict,
    )
    from .models.legacykind import (
        LegacyKind,
    )
    from .models.level import (
        Level,
    )
    from .models.opencolor import (
        OpenColor,
    )
    from .models.openpriority import (
        OpenPriority,
    )
    from .models.openstatus import (
        OpenStatus,
    )
    from .models.priority import (
        Priority,
    )
    from .models.sortorder import (
        SortOrder,
    )
    from .models.status import (
        Status,
    )

# name -> module (relative to this package); nothing is imported until used
_LAZY: Dict[str, str] = {
    "Holder": ".models.holder",
    "HolderTypedDict": ".models.holder",
    "LegacyKind": ".models.legacykind",
    "Level": ".models.level",
    "OpenColor": ".models.opencolor",
    "OpenPriority": ".models.openpriority",
    "OpenStatus": ".models.openstatus",
    "Priority": ".models.priority",
    "SortOrder": ".models.sortorder",
    "Status": ".models.status",
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

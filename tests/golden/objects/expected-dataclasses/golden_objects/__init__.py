"""The golden_objects models (lazily imported)."""

import importlib
from typing import TYPE_CHECKING, Any, Dict, List

if TYPE_CHECKING:
    from .models.child import (
        Child,
    )
    from .models.empty import (
        Empty,
    )
    from .models.filter_ import (
        Filter,
    )
    from .models.kitchensink import (
        KitchenSink,
    )
    from .models.oldthing import (
        OldThing,
    )

# name -> module (relative to this package); nothing is imported until used
_LAZY: Dict[str, str] = {
    "Child": ".models.child",
    "Empty": ".models.empty",
    "Filter": ".models.filter_",
    "KitchenSink": ".models.kitchensink",
    "OldThing": ".models.oldthing",
}

__all__: List[str] = [
    "Child",
    "Empty",
    "Filter",
    "KitchenSink",
    "OldThing",
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

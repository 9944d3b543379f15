"""The golden_objects models (lazily imported)."""

import importlib
from typing import TYPE_CHECKING, Any, Dict, List

if TYPE_CHECKING:
    from .models.child import (
        ChildTypedDict,
    )
    from .models.empty import (
        EmptyTypedDict,
    )
    from .models.filter_ import (
        FilterTypedDict,
    )
    from .models.kitchensink import (
        KitchenSinkTypedDict,
    )
    from .models.oldthing import (
        OldThingTypedDict,
    )

# name -> module (relative to this package); nothing is imported until used
_LAZY: Dict[str, str] = {
    "ChildTypedDict": ".models.child",
    "EmptyTypedDict": ".models.empty",
    "FilterTypedDict": ".models.filter_",
    "KitchenSinkTypedDict": ".models.kitchensink",
    "OldThingTypedDict": ".models.oldthing",
}

__all__: List[str] = [
    "ChildTypedDict",
    "EmptyTypedDict",
    "FilterTypedDict",
    "KitchenSinkTypedDict",
    "OldThingTypedDict",
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

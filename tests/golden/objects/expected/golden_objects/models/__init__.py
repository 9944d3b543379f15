"""Models of this folder (lazily imported)."""

import importlib
from typing import TYPE_CHECKING, Any, Dict, List

if TYPE_CHECKING:
    from .child import (
        Child,
        ChildTypedDict,
    )
    from .empty import (
        Empty,
        EmptyTypedDict,
    )
    from .filter_ import (
        Filter,
        FilterTypedDict,
    )
    from .kitchensink import (
        KitchenSink,
        KitchenSinkTypedDict,
    )
    from .oldthing import (
        OldThing,
        OldThingTypedDict,
    )

# name -> module (relative to this package); nothing is imported until used
_LAZY: Dict[str, str] = {
    "Child": ".child",
    "ChildTypedDict": ".child",
    "Empty": ".empty",
    "EmptyTypedDict": ".empty",
    "Filter": ".filter_",
    "FilterTypedDict": ".filter_",
    "KitchenSink": ".kitchensink",
    "KitchenSinkTypedDict": ".kitchensink",
    "OldThing": ".oldthing",
    "OldThingTypedDict": ".oldthing",
}

__all__: List[str] = [
    "Child",
    "ChildTypedDict",
    "Empty",
    "EmptyTypedDict",
    "Filter",
    "FilterTypedDict",
    "KitchenSink",
    "KitchenSinkTypedDict",
    "OldThing",
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

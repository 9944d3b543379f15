"""The golden_objects models (lazily imported)."""

# The index re-exports the models the docs deprecate, as it should.
# pyright: reportDeprecated=false

import importlib
from typing import TYPE_CHECKING, Any, Dict, List

if TYPE_CHECKING:
    from .models.child import (
        Child,
        ChildTypedDict,
    )
    from .models.empty import (
        Empty,
        EmptyTypedDict,
    )
    from .models.filter_ import (
        Filter,
        FilterTypedDict,
    )
    from .models.kitchensink import (
        KitchenSink,
        KitchenSinkTypedDict,
    )
    from .models.oldthing import (
        OldThing,
        OldThingTypedDict,
    )

# name -> module (relative to this package); nothing is imported until used
_LAZY: Dict[str, str] = {
    "Child": ".models.child",
    "ChildTypedDict": ".models.child",
    "Empty": ".models.empty",
    "EmptyTypedDict": ".models.empty",
    "Filter": ".models.filter_",
    "FilterTypedDict": ".models.filter_",
    "KitchenSink": ".models.kitchensink",
    "KitchenSinkTypedDict": ".models.kitchensink",
    "OldThing": ".models.oldthing",
    "OldThingTypedDict": ".models.oldthing",
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

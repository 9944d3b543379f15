"""The golden_unions models (lazily imported)."""

import importlib
from typing import TYPE_CHECKING, Any, Dict, List

if TYPE_CHECKING:
    from .models.cat import (
        Cat,
    )
    from .models.content import (
        Content,
    )
    from .models.dog import (
        Dog,
    )
    from .models.image import (
        Image,
    )
    from .models.jpeg import (
        Jpeg,
    )
    from .models.mapping import (
        Mapping,
    )
    from .models.maybepet import (
        MaybePet,
    )
    from .models.owner import (
        Owner,
    )
    from .models.part import (
        Part,
    )
    from .models.pet import (
        Pet,
    )
    from .models.scalar import (
        Scalar,
    )
    from .models.when import (
        When,
    )

# name -> module (relative to this package); nothing is imported until used
_LAZY: Dict[str, str] = {
    "Cat": ".models.cat",
    "Content": ".models.content",
    "Dog": ".models.dog",
    "Image": ".models.image",
    "Jpeg": ".models.jpeg",
    "Mapping": ".models.mapping",
    "MaybePet": ".models.maybepet",
    "Owner": ".models.owner",
    "Part": ".models.part",
    "Pet": ".models.pet",
    "Scalar": ".models.scalar",
    "When": ".models.when",
}

__all__: List[str] = [
    "Cat",
    "Content",
    "Dog",
    "Image",
    "Jpeg",
    "Mapping",
    "MaybePet",
    "Owner",
    "Part",
    "Pet",
    "Scalar",
    "When",
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

"""The golden_unions models (lazily imported)."""

import importlib
from typing import TYPE_CHECKING, Any, Dict, List

if TYPE_CHECKING:
    from .models.cat import (
        CatTypedDict,
    )
    from .models.content import (
        ContentTypedDict,
    )
    from .models.dog import (
        DogTypedDict,
    )
    from .models.image import (
        ImageTypedDict,
    )
    from .models.jpeg import (
        JpegTypedDict,
    )
    from .models.mapping import (
        MappingTypedDict,
    )
    from .models.maybepet import (
        MaybePetTypedDict,
    )
    from .models.owner import (
        OwnerTypedDict,
    )
    from .models.part import (
        PartTypedDict,
    )
    from .models.pet import (
        PetTypedDict,
    )
    from .models.scalar import (
        ScalarTypedDict,
    )
    from .models.when import (
        WhenTypedDict,
    )

# name -> module (relative to this package); nothing is imported until used
_LAZY: Dict[str, str] = {
    "CatTypedDict": ".models.cat",
    "ContentTypedDict": ".models.content",
    "DogTypedDict": ".models.dog",
    "ImageTypedDict": ".models.image",
    "JpegTypedDict": ".models.jpeg",
    "MappingTypedDict": ".models.mapping",
    "MaybePetTypedDict": ".models.maybepet",
    "OwnerTypedDict": ".models.owner",
    "PartTypedDict": ".models.part",
    "PetTypedDict": ".models.pet",
    "ScalarTypedDict": ".models.scalar",
    "WhenTypedDict": ".models.when",
}

__all__: List[str] = [
    "CatTypedDict",
    "ContentTypedDict",
    "DogTypedDict",
    "ImageTypedDict",
    "JpegTypedDict",
    "MappingTypedDict",
    "MaybePetTypedDict",
    "OwnerTypedDict",
    "PartTypedDict",
    "PetTypedDict",
    "ScalarTypedDict",
    "WhenTypedDict",
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

"""The golden_unions models (lazily imported)."""

# The index re-exports the models the docs deprecate, as it should.
# pyright: reportDeprecated=false

import importlib
from typing import TYPE_CHECKING, Any, Dict, List

if TYPE_CHECKING:
    from .models.cat import (
        Cat,
        CatTypedDict,
    )
    from .models.content import (
        Content,
        ContentTypedDict,
    )
    from .models.dog import (
        Dog,
        DogTypedDict,
    )
    from .models.image import (
        Image,
        ImageTypedDict,
    )
    from .models.jpeg import (
        Jpeg,
        JpegTypedDict,
    )
    from .models.mapping import (
        Mapping,
        MappingTypedDict,
    )
    from .models.maybepet import (
        MaybePet,
        MaybePetTypedDict,
    )
    from .models.owner import (
        Owner,
        OwnerTypedDict,
    )
    from .models.part import (
        Part,
        PartTypedDict,
    )
    from .models.pet import (
        Pet,
        PetTypedDict,
    )
    from .models.scalar import (
        Scalar,
        ScalarTypedDict,
    )
    from .models.when import (
        When,
        WhenTypedDict,
    )

# name -> module (relative to this package); nothing is imported until used
_LAZY: Dict[str, str] = {
    "Cat": ".models.cat",
    "CatTypedDict": ".models.cat",
    "Content": ".models.content",
    "ContentTypedDict": ".models.content",
    "Dog": ".models.dog",
    "DogTypedDict": ".models.dog",
    "Image": ".models.image",
    "ImageTypedDict": ".models.image",
    "Jpeg": ".models.jpeg",
    "JpegTypedDict": ".models.jpeg",
    "Mapping": ".models.mapping",
    "MappingTypedDict": ".models.mapping",
    "MaybePet": ".models.maybepet",
    "MaybePetTypedDict": ".models.maybepet",
    "Owner": ".models.owner",
    "OwnerTypedDict": ".models.owner",
    "Part": ".models.part",
    "PartTypedDict": ".models.part",
    "Pet": ".models.pet",
    "PetTypedDict": ".models.pet",
    "Scalar": ".models.scalar",
    "ScalarTypedDict": ".models.scalar",
    "When": ".models.when",
    "WhenTypedDict": ".models.when",
}

__all__: List[str] = [
    "Cat",
    "CatTypedDict",
    "Content",
    "ContentTypedDict",
    "Dog",
    "DogTypedDict",
    "Image",
    "ImageTypedDict",
    "Jpeg",
    "JpegTypedDict",
    "Mapping",
    "MappingTypedDict",
    "MaybePet",
    "MaybePetTypedDict",
    "Owner",
    "OwnerTypedDict",
    "Part",
    "PartTypedDict",
    "Pet",
    "PetTypedDict",
    "Scalar",
    "ScalarTypedDict",
    "When",
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

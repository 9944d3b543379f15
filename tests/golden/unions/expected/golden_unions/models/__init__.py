"""Models of this folder (lazily imported)."""

import importlib
from typing import TYPE_CHECKING, Any, Dict, List

if TYPE_CHECKING:
    from .cat import (
        Cat,
        CatTypedDict,
    )
    from .content import (
        Content,
        ContentTypedDict,
    )
    from .dog import (
        Dog,
        DogTypedDict,
    )
    from .image import (
        Image,
        ImageTypedDict,
    )
    from .jpeg import (
        Jpeg,
        JpegTypedDict,
    )
    from .mapping import (
        Mapping,
        MappingTypedDict,
    )
    from .maybepet import (
        MaybePet,
        MaybePetTypedDict,
    )
    from .owner import (
        Owner,
        OwnerTypedDict,
    )
    from .part import (
        Part,
        PartTypedDict,
    )
    from .pet import (
        Pet,
        PetTypedDict,
    )
    from .scalar import (
        Scalar,
        ScalarTypedDict,
    )
    from .when import (
        When,
        WhenTypedDict,
    )

# name -> module (relative to this package); nothing is imported until used
_LAZY: Dict[str, str] = {
    "Cat": ".cat",
    "CatTypedDict": ".cat",
    "Content": ".content",
    "ContentTypedDict": ".content",
    "Dog": ".dog",
    "DogTypedDict": ".dog",
    "Image": ".image",
    "ImageTypedDict": ".image",
    "Jpeg": ".jpeg",
    "JpegTypedDict": ".jpeg",
    "Mapping": ".mapping",
    "MappingTypedDict": ".mapping",
    "MaybePet": ".maybepet",
    "MaybePetTypedDict": ".maybepet",
    "Owner": ".owner",
    "OwnerTypedDict": ".owner",
    "Part": ".part",
    "PartTypedDict": ".part",
    "Pet": ".pet",
    "PetTypedDict": ".pet",
    "Scalar": ".scalar",
    "ScalarTypedDict": ".scalar",
    "When": ".when",
    "WhenTypedDict": ".when",
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

"""md2models: markdown model docs -> a typed pydantic package and its docs.

The library API is in `generator.api`; the CLI (`md2models`) is a thin layer
over it.
"""

__version__ = "0.2.0"

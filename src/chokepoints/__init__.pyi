# Names of the public API, for type checkers and for lazy_loader.attach_stub (which reads this
# file at import time to know what `chokepoints.<name>` loads on first use).

__version__: str
__all__: list[str]

def __dir__() -> list[str]: ...

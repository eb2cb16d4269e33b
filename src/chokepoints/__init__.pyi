# Names of the public API, for type checkers and for lazy_loader.attach_stub (which reads this
# file at import time to know what `chokepoints.<name>` loads on first use). The `X as X` form
# marks each name as re-exported (PEP 484 stub convention; ruff and mypy keep it).
from . import datasets as datasets
from . import engine as engine
from . import finance as finance
from . import indicators as indicators
from . import negotiation as negotiation
from . import report as report
from . import scenario as scenario
from . import sensitivity as sensitivity
from . import trade as trade
from . import world as world
from .engine import simulate as simulate
from .engine.result import Result as Result
from .errors import InputError as InputError
from .indicators.accessor import open_result as open_result
from .scenario import Scenario as Scenario
from .scenario.library import list_scenarios as list_scenarios
from .scenario.library import scenario_path as scenario_path
from .world import World as World
from .world import load_world as load_world

__version__: str
__all__: list[str]

def __dir__() -> list[str]: ...

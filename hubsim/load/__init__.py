"""``hubsim load``: the hub's own requests at scale against a CPO backend.

Layers: :mod:`.plan` (what to send, checked), :mod:`.channels` (where: one-shot or through a
hub), :mod:`.engine` (one process's loop), :mod:`.runner` (one or N processes),
:mod:`.stats` (HDR histograms that merge exactly) and :mod:`.report`. :mod:`.locustfile` holds a
Locust user class and needs the ``load`` extra; nothing else here imports Locust.
"""

from hubsim.load.channels import TargetSpec
from hubsim.load.plan import EvsePattern, Plan, Shape, Unit
from hubsim.load.report import Report, Thresholds
from hubsim.load.runner import run_here, run_workers
from hubsim.load.stats import Tally

__all__ = [
    "EvsePattern",
    "Plan",
    "Report",
    "Shape",
    "Tally",
    "TargetSpec",
    "Thresholds",
    "Unit",
    "run_here",
    "run_workers",
]
